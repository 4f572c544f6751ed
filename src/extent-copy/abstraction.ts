/**
 * The refinement mapping of extent-copy: the controller's state in the model's terms (TLA+'s "mapping
 * between them", STYLE.md). Properties read the controller only through `abstractOf`, so they see volumes as
 * bytes, bitmaps as `0`/`1` strings (track 0 first) and jobs as plain records, never the controller's data
 * structures; the world and outcome types the properties are written over are defined here too.
 */
import type { ExtentControlInput, ExtentStateKey, PairStateKey } from '../../machines/extent-copy.js';
import type { ExtentModel, ModelAnswer } from '../../model/extent-copy.js';
import type { ExtentCopyController, ExtentOutcome } from './controller.js';
import type { Extent, ExtentGeometry } from './events.js';
import type { Job, PairRecord } from './records.js';

export type { ExtentOutcome, ExtentResult, PairReport } from './controller.js';

export interface ExtentWorld {
  readonly controller: ExtentCopyController;
  readonly model: ExtentModel;
}

export interface ExtentStepOutcome {
  readonly controller: ExtentOutcome;
  readonly model: ModelAnswer;
}

export interface AbstractJob {
  readonly kind: Job['kind'];
  readonly status: Job['status'];
  readonly stepsTaken: number;
  /** The tracks of its ranges, counted: the most steps it may take (spec/002 G5). */
  readonly trackCount: number;
}

export interface AbstractRecord {
  readonly state: PairStateKey;
  readonly original: number;
  readonly copy: number;
  /** CB (E2: the record's bitmap), SB, UB: `0`/`1`, track 0 first. */
  readonly cb: string;
  readonly sb: string;
  readonly ub: string;
  readonly extents: readonly Extent[];
  readonly slots: readonly { readonly state: ExtentStateKey; readonly extent: Extent | null; readonly job: AbstractJob | null }[];
  readonly jobs: readonly AbstractJob[];
}

export interface ExtentAbstract {
  readonly control: ExtentControlInput;
  readonly geometry: ExtentGeometry;
  /** Each volume's bytes; the volumes' own, never to be changed. */
  readonly volumes: readonly Uint8Array[];
  readonly records: readonly AbstractRecord[];
}

function jobOf(job: Job): AbstractJob {
  const trackCount = job.ranges.reduce((sum, range) => sum + Math.max(0, range.last - range.first + 1), 0);
  return { kind: job.kind, status: job.status, stepsTaken: job.stepsTaken, trackCount };
}

function recordOf(record: PairRecord): AbstractRecord {
  return {
      state: record.state,
      original: record.original,
      copy: record.copy,
      cb: record.cb.toString(),
      sb: record.sb.toString(),
      ub: record.ub.toString(),
      extents: record.extents,
      slots: record.slots.map((slot) => ({ state: slot.state, extent: slot.extent, job: slot.job === null ? null : jobOf(slot.job) })),
    jobs: record.jobs.map(jobOf),
  };
}

/** The abstraction of a controller, made once per controller object (a controller never changes). */
export function abstractOf(controller: ExtentCopyController): ExtentAbstract {
  let found = controller.abstraction as ExtentAbstract | undefined;
  if (found === undefined) {
    found = {
      control: controller.variant.control,
      geometry: controller.geometry,
      volumes: controller.volumes.map((volume) => volume.contents()),
      records: controller.pairs.map(recordOf),
    };
    controller.abstraction = found;
  }
  return found;
}
