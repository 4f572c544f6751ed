/**
 * The extent-copy controller of seed 002 (controller 112/1112/1901 with its control memory and cache): the
 * volumes, the pair records with CB, SB and UB (src/extent-copy/records.ts), and the copy jobs.
 *
 * `handle` is the only entry point. It checks the arguments (src/extent-copy/validate.ts), routes the command
 * to the machine instances it concerns (src/extent-copy/plan.ts), takes each instance's transition from its
 * machine (machines/extent-copy.ts) and runs the transition's operations in order; when a copy step passes its
 * job's last track it raises the job's completion event (807, 907, 1007, 1707, 1807, 2707, 2807). A refused
 * command returns a typed rejection and the controller itself, unchanged.
 *
 * Copies are address-identical (G3) and made through src/point-in-time.ts: a copy step copies the track at
 * the job's cursor if its bit is set, a write in a point-in-time phase first copies its track if its bit is
 * set (copy-before-write), and a copy-on-read read does the same before it reads. The bitmap is the pending
 * set of the image in every case (CB in a split, SB over an extent during an Extent Update).
 *
 * Abstracted away: the cache and destaging (【0021】: a copy in cache "may be destaged at any time", so cache
 * plus disk is one logical image per volume), RAID (【0148】), and the physical address of a track.
 */
import { extentMachine, pairMachine, type CopyKind } from '../../machines/extent-copy.js';
import { assert } from '../assert.js';
import { ControlTable, type ControlStep, type Operation } from '../control.js';
import { reject, type Rejection } from '../rejection.js';
import type { Volume } from '../volume.js';
import type { Extent, ExtentEvent, ExtentGeometry } from './events.js';
import { EXTENT_MACHINE, PAIR_MACHINE, planCommand, type PlanContext, type PlannedStep } from './plan.js';
import { freeRecord, isUsed, type CopyError, type PairRecord } from './records.js';
import { hostDirect, runOperation, type Draft, type Operations, type RunContext } from './operations.js';
import { validateArguments } from './validate.js';
import type { ExtentVariant } from './variants.js';

/** A job as the host sees it through pair.query (A2, A12). */
export interface JobReport {
  readonly kind: CopyKind;
  readonly extent: number | null;
  readonly status: 'running' | 'failed';
  readonly error: CopyError | null;
}

export interface PairReport {
  readonly state: string;
  /** E2: the record's extent; E3: the split extents; E1: the extents of the slots in use, by slot. */
  readonly extents: readonly (Extent & { readonly slot: number | null; readonly state: string })[];
  readonly jobs: readonly JobReport[];
}

export type ExtentResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'created'; readonly pairs: readonly number[] }
  | { readonly kind: 'read'; readonly data: string }
  | { readonly kind: 'not-ready' }
  | { readonly kind: 'query'; readonly report: PairReport };

/** One machine transition a command made an instance take. */
export interface TakenStep {
  readonly machine: typeof PAIR_MACHINE | typeof EXTENT_MACHINE;
  readonly pair: number;
  readonly extent: number | null;
  readonly step: ControlStep;
}

export type ExtentOutcome =
  | { readonly accepted: true; readonly transitions: readonly TakenStep[]; readonly result: ExtentResult }
  | { readonly accepted: false; readonly rejection: Rejection };

export const NO_RESULT: ExtentResult = { kind: 'none' };

const COMPLETION: Record<CopyKind, string> = {
  create: 'create.complete',
  split: 'split.complete',
  update: 'update.complete',
  xsplit: 'xsplit.complete',
  xjoin: 'join.complete',
};

/** Control tables by variant: the memo is shared by every controller of the variant. */
const tables = new WeakMap<ExtentVariant, { readonly pair: ControlTable; readonly extent: ControlTable }>();

function tablesFor(variant: ExtentVariant): { readonly pair: ControlTable; readonly extent: ControlTable } {
  let found = tables.get(variant);
  if (found === undefined) {
    found = { pair: new ControlTable(pairMachine, variant.control), extent: new ControlTable(extentMachine, variant.control) };
    tables.set(variant, found);
  }
  return found;
}

export class ExtentCopyController {
  /**
   * The controller's abstraction (src/extent-copy/abstraction.ts), made at most once: a controller never
   * changes, and the checker asks for it on every step it takes from or to this controller. Not part of the
   * controller's state; a WeakMap of hundreds of thousands of controllers cost more than the abstraction.
   */
  abstraction: unknown = undefined;

  constructor(
    readonly variant: ExtentVariant,
    readonly geometry: ExtentGeometry,
    readonly volumes: readonly Volume[],
    readonly pairs: readonly PairRecord[],
  ) {}

  static initial(variant: ExtentVariant, geometry: ExtentGeometry, volumes: readonly Volume[]): ExtentCopyController {
    const slots = variant.control.embodiment === 1 ? geometry.extentSlots : 0;
    return new ExtentCopyController(variant, geometry, volumes, new Array<PairRecord>(geometry.pairCount).fill(freeRecord(slots)));
  }

  /** Applies one command; a refused command returns this controller itself. */
  handle(event: ExtentEvent): { readonly controller: ExtentCopyController; readonly outcome: ExtentOutcome } {
    return this.apply(event, false, undefined);
  }

  /**
   * The workload's data path (src/extent-copy/workload.ts): the same checks, transitions and operations as
   * `handle`, but the volumes are written where they are, with no copy, and a host write's bytes are `bytes`
   * as they are (its `data` is not read; its length is the bytes'). The volumes and the pair records' array,
   * which the two controllers share, change under this one, so it must not be used again: use the controller
   * returned.
   */
  handleInPlace(event: ExtentEvent, bytes?: Uint8Array): { readonly controller: ExtentCopyController; readonly outcome: ExtentOutcome } {
    return this.apply(event, true, bytes);
  }

  private apply(event: ExtentEvent, inPlace: boolean, bytes: Uint8Array | undefined): { readonly controller: ExtentCopyController; readonly outcome: ExtentOutcome } {
    const admitted = this.admit(event, bytes?.length);
    if ('rejection' in admitted) {
      if (admitted.partial.length === 0) return { controller: this, outcome: { accepted: false, rejection: admitted.rejection } };
      // BROKEN refused-update-keeps-slot: the steps taken before the refusal stay taken.
      const draft = this.draft(inPlace);
      for (const step of admitted.partial) this.take(draft, step, event, { result: NO_RESULT, bytes });
      return { controller: this.from(draft), outcome: { accepted: false, rejection: admitted.rejection } };
    }
    const draft = this.draft(inPlace);
    const taken: TakenStep[] = [];
    const run: RunContext = { result: NO_RESULT, bytes };
    for (const step of admitted.steps) {
      taken.push(this.take(draft, step, event, run));
      if (run.finished !== undefined) {
        const kind = run.finished;
        run.finished = undefined;
        taken.push(this.take(draft, { ...step, eventType: COMPLETION[kind] }, event, run));
      }
    }
    if (admitted.steps.length === 0) run.result = hostDirect(this.operationsFor(draft), event, bytes);
    if (event.type === 'pair.create' && run.result === NO_RESULT) run.result = { kind: 'created', pairs: admitted.steps.map((s) => s.pair) };
    return { controller: this.from(draft), outcome: { accepted: true, transitions: taken, result: run.result } };
  }

  private planContext(): PlanContext {
    const { pair, extent } = tablesFor(this.variant);
    return {
      control: this.variant.control,
      geometry: this.geometry,
      pairs: this.pairs,
      pairTable: pair,
      extentTable: extent,
      keepsSlotOnRefusal: this.variant.defect === 'refused-update-keeps-slot',
      splitsOneAtATime: this.variant.defect === 'extent-split-not-atomic',
    };
  }

  /** Arguments first, then the machines, then what the data holds (src/rejection.ts order). */
  private admit(event: ExtentEvent, writeLength: number | undefined): { readonly steps: readonly PlannedStep[] } | { readonly rejection: Rejection; readonly partial: readonly PlannedStep[] } {
    if (this.variant.defect === 'state-checked-before-arguments') {
      const early = this.stateFirst(event);
      if (early !== null) return { rejection: early, partial: [] };
    }
    const invalid = validateArguments(event, this.geometry, this.variant.control, this.pairs, writeLength);
    if (invalid !== null) return { rejection: invalid, partial: [] };
    return planCommand(this.planContext(), event);
  }

  /** BROKEN state-checked-before-arguments: asks the pair's machine before checking the arguments. */
  private stateFirst(event: ExtentEvent): Rejection | null {
    if (!('pair' in event) || typeof event.pair !== 'number' || ('extent' in event && event.extent !== undefined)) return null;
    const record = this.pairs[event.pair];
    if (record === undefined || !isUsed(record)) return null;
    return tablesFor(this.variant).pair.step(record.state, event.type) === null ? reject('wrong-state', `${event.type} in ${record.state}`) : null;
  }

  /**
   * The command's working copy. `inPlace`: this controller's own arrays, changed where they are, and every
   * volume counted as already its own, so none is cloned (with 64 pair records, E2's workload, copying and
   * comparing the records took a third of a command).
   */
  private draft(inPlace: boolean): Draft {
    if (inPlace) return { volumes: this.volumes as Volume[], owned: 'all', pairs: this.pairs as PairRecord[] };
    return { volumes: [...this.volumes], owned: new Set(), pairs: [...this.pairs] };
  }

  /**
   * The controller after a command: this one when nothing changed. A volume a command only read was cloned (a
   * read counts physical I/O) but shares its bytes, so it counts as unchanged. In place, a new controller
   * over the changed arrays.
   */
  private from(draft: Draft): ExtentCopyController {
    if (draft.owned === 'all') return new ExtentCopyController(this.variant, this.geometry, draft.volumes, draft.pairs);
    const unchanged = draft.pairs.every((record, i) => record === this.pairs[i])
      && draft.volumes.every((volume, i) => volume.contents() === this.volumes[i]!.contents());
    return unchanged ? this : new ExtentCopyController(this.variant, this.geometry, draft.volumes, draft.pairs);
  }

  private operationsFor(draft: Draft): Operations {
    return { variant: this.variant, geometry: this.geometry, draft };
  }

  /** Takes one instance's transition: its new state, then its operations in order. */
  private take(draft: Draft, planned: PlannedStep, event: ExtentEvent, run: RunContext): TakenStep {
    const { pair, extent } = tablesFor(this.variant);
    const record = draft.pairs[planned.pair]!;
    const source = planned.extent === null ? record.state : record.slots[planned.extent]!.state;
    const step = (planned.extent === null ? pair : extent).step(source, planned.eventType);
    assert(step !== null, () => `extent-copy: ${planned.machine} refuses ${planned.eventType} in ${source} after the plan accepted it`);
    if (planned.extent === null) draft.pairs[planned.pair] = { ...record, state: step.target as PairRecord['state'] };
    else {
      const slots = record.slots.slice();
      slots[planned.extent] = { ...slots[planned.extent]!, state: step.target as PairRecord['slots'][number]['state'] };
      draft.pairs[planned.pair] = { ...record, slots };
    }
    for (const operation of step.operations) {
      const answer = runOperation(this.operationsFor(draft), operation as Operation, planned, event, run);
      if (answer !== NO_RESULT) run.result = answer;
    }
    return { machine: planned.machine, pair: planned.pair, extent: planned.extent, step };
  }
}
