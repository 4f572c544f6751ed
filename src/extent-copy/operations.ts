/**
 * The operations the extent-copy machines name (machines/extent-copy.ts `actions`), run by the controller on
 * a draft of its control memory and volumes: create and delete a record, start, step, fail, resume and end a
 * copy job, route a host write through copy-before-write and the difference bitmaps, answer a read of the copy
 * volume, and the Extent Update's completion step 1007. Each works on one machine instance (a pair record, or
 * an E1 extent slot of one) and replaces what it changes.
 *
 * The copy mechanism is src/point-in-time.ts, over the record's own bitmap (cloned first, since a record's
 * bitmaps are shared with the controllers it came from): `copyTrack` for a step at the cursor, `beforeWrite`
 * for a write, the same for copy-on-read.
 */
import type { BitmapName, CopyKind, CopyReadRoute, WriteRoute } from '../../machines/extent-copy.js';
import { assert } from '../assert.js';
import type { Bitmap } from '../bitmap.js';
import type { Operation } from '../control.js';
import { fromHex, toHex } from '../hex.js';
import { PointInTimeCopy } from '../point-in-time.js';
import type { Volume } from '../volume.js';
import type { ExtentResult, JobReport, PairReport } from './controller.js';
import { trackOf, type ExtentEvent, type ExtentGeometry } from './events.js';
import type { PlannedStep } from './plan.js';
import {
  INACTIVE_SLOT,
  advance,
  bitmapOf,
  freeRecord,
  newJob,
  rangeOf,
  type Job,
  type PairRecord,
  type TrackRange,
} from './records.js';
import type { ExtentVariant } from './variants.js';

/** The controller's state while a command runs: arrays of its own, volumes cloned before they are written. */
export interface Draft {
  readonly volumes: Volume[];
  /**
   * Volumes already cloned for this command; `all` in place (ExtentCopyController.handleInPlace), where the
   * arrays are the controller's own, changed where they are.
   */
  readonly owned: Set<number> | 'all';
  readonly pairs: PairRecord[];
}

export interface RunContext {
  result: ExtentResult;
  /** A host write's bytes as they are (ExtentCopyController.handleInPlace); otherwise its `data` is decoded. */
  readonly bytes?: Uint8Array | undefined;
  /** Set by a copy step that passed its job's last track: the controller then raises the job's completion. */
  finished?: CopyKind | undefined;
}

export interface Operations {
  readonly variant: ExtentVariant;
  readonly geometry: ExtentGeometry;
  readonly draft: Draft;
}

const NONE: ExtentResult = { kind: 'none' };

/** The volume, cloned once per command before it is written or read (reads count physical I/O). */
function volume(ops: Operations, id: number): Volume {
  const { draft } = ops;
  if (draft.owned !== 'all' && !draft.owned.has(id)) {
    draft.volumes[id] = draft.volumes[id]!.clone();
    draft.owned.add(id);
  }
  return draft.volumes[id]!;
}

function recordOf(ops: Operations, planned: PlannedStep): PairRecord {
  return ops.draft.pairs[planned.pair]!;
}

function replace(ops: Operations, planned: PlannedStep, record: PairRecord): void {
  ops.draft.pairs[planned.pair] = record;
}

function withBitmap(record: PairRecord, name: BitmapName, bitmap: Bitmap): PairRecord {
  return { ...record, [name]: bitmap };
}

/** 400, 1400, 2200: the record in use, CB all 1 (E2: over its extent), SB = UB = 0, no extent in use. */
function createPair(ops: Operations, planned: PlannedStep, event: ExtentEvent): void {
  assert(event.type === 'pair.create', 'createPair runs on pair.create');
  const record = recordOf(ops, planned);
  const { embodiment } = ops.variant.control;
  const trackCount = ops.geometry.volumeTracks[event.original]!;
  const extents = embodiment === 2 ? [planned.extentArgument!] : [];
  const all: TrackRange[] = embodiment === 2 ? [rangeOf(extents[0]!, ops.geometry.trackSize)] : [{ first: 0, last: trackCount - 1 }];
  const fresh = freeRecord(embodiment === 1 ? ops.geometry.extentSlots : 0);
  replace(ops, planned, {
    ...fresh,
    state: record.state,
    original: event.original,
    copy: event.copy,
    cb: bitmapOf(trackCount, all),
    sb: bitmapOf(trackCount, []),
    ub: bitmapOf(trackCount, []),
    extents,
  });
}

/** The ranges a new job of `kind` scans on this instance (spec/002 §4 "the bitmap scanned"). */
function rangesFor(ops: Operations, record: PairRecord, planned: PlannedStep, kind: CopyKind): TrackRange[] {
  const { trackSize } = ops.geometry;
  if (kind === 'update') return [rangeOf(record.slots[planned.extent!]!.extent!, trackSize)];
  if (kind === 'xsplit' || kind === 'xjoin') return record.extents.map((extent) => rangeOf(extent, trackSize));
  if (ops.variant.control.embodiment === 2) return [rangeOf(record.extents[0]!, trackSize)];
  return [{ first: 0, last: record.cb.bitCount - 1 }];
}

function startCopy(ops: Operations, planned: PlannedStep, kind: CopyKind): void {
  const record = recordOf(ops, planned);
  const job = newJob(kind, rangesFor(ops, record, planned, kind));
  if (planned.extent === null) replace(ops, planned, { ...record, jobs: [...record.jobs, job] });
  else replace(ops, planned, withJob(record, planned.extent, job));
}

function withJob(record: PairRecord, slot: number, job: Job | null): PairRecord {
  const slots = record.slots.slice();
  slots[slot] = { ...slots[slot]!, job };
  return { ...record, slots };
}

/** The job of an instance: an extent slot's, or the pair's first with the wanted status. */
function jobOf(record: PairRecord, planned: PlannedStep, status: Job['status']): { job: Job; index: number } {
  if (planned.extent !== null) {
    const job = record.slots[planned.extent]!.job;
    assert(job !== null && job.status === status, () => `extent-copy: slot ${planned.extent} has no ${status} job`);
    return { job, index: -1 };
  }
  const index = record.jobs.findIndex((job) => job.status === status);
  assert(index !== -1, () => `extent-copy: pair ${planned.pair} has no ${status} job`);
  return { job: record.jobs[index]!, index };
}

function putJob(record: PairRecord, planned: PlannedStep, index: number, job: Job | null): PairRecord {
  if (planned.extent !== null) return withJob(record, planned.extent, job);
  const jobs = record.jobs.slice();
  if (job === null) jobs.splice(index, 1);
  else jobs[index] = job;
  return { ...record, jobs };
}

/** The bitmap a job scans: CB for create, split and extent split copies, SB for the Extent Update and join copies. */
function scanned(kind: CopyKind): BitmapName {
  return kind === 'update' || kind === 'xjoin' ? 'sb' : 'cb';
}

/** Copies one track the way the variant does: address-identical, or one of the broken ways. */
function copyOneTrack(ops: Operations, record: PairRecord, job: Job, bitmap: Bitmap, track: number): void {
  const original = volume(ops, record.original);
  const copy = volume(ops, record.copy);
  const { defect } = ops.variant;
  if (!bitmap.test(track)) return;
  if (defect === 'step-clears-without-copy') bitmap.clear(track);
  else if (defect === 'copy-reverses') {
    original.copyTrackFrom(copy, track);
    bitmap.clear(track);
  } else if (defect === 'update-copy-offset' && job.kind === 'update') {
    copy.writeTrack(track - job.ranges[0]!.first, original.readTrack(track));
    bitmap.clear(track);
  } else PointInTimeCopy.over(bitmap).copyTrack(original, copy, track);
}

/** One step of a job at its cursor (801-806, 901-906, 1001-1006, 1701-1706, 1801-1806, 2701-2706, 2801-2806). */
function copyNextTrack(ops: Operations, planned: PlannedStep, run: RunContext): void {
  let record = recordOf(ops, planned);
  const { job, index } = jobOf(record, planned, 'running');
  const name = scanned(job.kind);
  const track = job.cursor;
  // A cursor past the volume happens only in the literal A11 flow: the seed's loop reads a track that does not exist.
  if (track < record[name].bitCount && record[name].test(track)) {
    const bitmap = record[name].clone();
    copyOneTrack(ops, record, job, bitmap, track);
    record = withBitmap(record, name, bitmap);
  }
  let next = advance(job, ops.variant.defect === 'update-copy-overruns-extent' && job.kind === 'update');
  // BROKEN split-copy-ends-early: the E2 split copy takes the step before T(end) for its last.
  if (ops.variant.defect === 'split-copy-ends-early' && job.kind === 'split' && next?.cursor === job.ranges[0]!.last) next = null;
  // BROKEN extent-split-copy-skips-last-extent: 2708 finds no extent left when one is.
  if (ops.variant.defect === 'extent-split-copy-skips-last-extent' && job.kind === 'xsplit' && next !== null
    && next.rangeIndex !== job.rangeIndex && next.rangeIndex === job.ranges.length - 1) next = null;
  if (next === null) run.finished = job.kind;
  record = putJob(record, planned, index, next ?? { ...job, stepsTaken: job.stepsTaken + 1 });
  replace(ops, planned, record);
}

/** 807, 907, 1007 (with completeExtentUpdate), 1707, 1807, 2707, 2807: the finished job leaves the record. */
function endCopy(ops: Operations, planned: PlannedStep): void {
  const record = recordOf(ops, planned);
  if (planned.extent !== null) {
    replace(ops, planned, withJob(record, planned.extent, null));
    return;
  }
  const index = record.jobs.findIndex((job) => job.status === 'running');
  assert(index !== -1, 'extent-copy: a completion with no running job');
  replace(ops, planned, putJob(record, planned, index, null));
}

/** A12: the job stops at its cursor with the failed volume as its status; no bit and no track changes. */
function failCopy(ops: Operations, planned: PlannedStep, event: ExtentEvent): void {
  assert(event.type === 'copy.fault', 'failCopy runs on copy.fault');
  const record = recordOf(ops, planned);
  const { job, index } = jobOf(record, planned, 'running');
  const error = event.volume === record.original ? 'original-error' : 'copy-error';
  replace(ops, planned, putJob(record, planned, index, { ...job, status: 'failed', error }));
}

/** A12: a reissued request resumes the failed job at its cursor, every bit still set. */
function resumeCopy(ops: Operations, planned: PlannedStep): void {
  const record = recordOf(ops, planned);
  const { job, index } = jobOf(record, planned, 'failed');
  let resumed: Job = { ...job, status: 'running', error: null };
  if (ops.variant.defect === 'resume-skips-failed-track') resumed = advance(resumed) ?? resumed;
  replace(ops, planned, putJob(record, planned, index, resumed));
}

/** Copy-before-write from one bitmap, if the track's bit is set (702-705, 709-712, 1602-1605, 2603-2606). */
function copyBeforeWrite(ops: Operations, record: PairRecord, name: BitmapName, track: number): PairRecord {
  if (!record[name].test(track)) return record;
  const bitmap = record[name].clone();
  PointInTimeCopy.over(bitmap).beforeWrite(volume(ops, record.original), volume(ops, record.copy), track, track + 1);
  return withBitmap(record, name, bitmap);
}

function mark(record: PairRecord, name: BitmapName, track: number): PairRecord {
  if (record[name].test(track)) return record;
  const bitmap = record[name].clone();
  bitmap.set(track);
  return withBitmap(record, name, bitmap);
}

function applyWrite(ops: Operations, event: Extract<ExtentEvent, { type: 'host.write' }>, bytes: Uint8Array | undefined): void {
  volume(ops, event.volume).write(event.address, bytes ?? fromHex(event.data));
}

/** A host write through a pair (Fig 7, Fig 16, Fig 26): copy-before-write, mark, then the data (707, 1607, 2608). */
function writeHost(ops: Operations, planned: PlannedStep, event: ExtentEvent, route: WriteRoute, bytes: Uint8Array | undefined): void {
  assert(event.type === 'host.write', 'writeHost runs on host.write');
  let record = recordOf(ops, planned);
  const track = trackOf(event.address, ops.geometry);
  const late = ops.variant.defect === 'copy-before-write-after-write';
  if (late) applyWrite(ops, event, bytes);
  if (route.copyBeforeWrite !== null) record = copyBeforeWrite(ops, record, route.copyBeforeWrite, track);
  const skipsMark = ops.variant.defect === 'forming-write-skips-bit' && route.mark === 'cb' && (record.state === 'formed' || record.state.startsWith('forming'));
  if (route.mark !== null && !skipsMark) record = mark(record, route.mark, track);
  // BROKEN split-write-marks-bit: an E2 write while splitting marks its bit again, as an E1 write marks SB.
  if (ops.variant.defect === 'split-write-marks-bit' && record.state.startsWith('splitting')) record = mark(record, 'cb', track);
  if (!late) applyWrite(ops, event, bytes);
  replace(ops, planned, record);
}

/** A read of the copy volume (A5): NotReady, the final track, or the track after copy-on-read. */
function readCopy(ops: Operations, planned: PlannedStep, event: ExtentEvent, route: CopyReadRoute): ExtentResult {
  assert(event.type === 'host.read', 'readCopy runs on host.read');
  let record = recordOf(ops, planned);
  const early = ops.variant.defect === 'copy-read-before-final' && record.state.startsWith('xsplitting');
  if (route.answer === 'not-ready' && !early) return { kind: 'not-ready' };
  if (route.answer === 'copy-on-read') {
    record = copyBeforeWrite(ops, record, route.bitmap, trackOf(event.address, ops.geometry));
    replace(ops, planned, record);
  }
  return { kind: 'read', data: toHex(volume(ops, record.copy).read(event.address, event.length)) };
}

/** A host write or read that no pair is involved in (700 → 707, 1600 → 1607, 2600 → 2608; a read of any volume). */
export function hostDirect(ops: Operations, event: ExtentEvent, bytes?: Uint8Array): ExtentResult {
  if (event.type === 'host.read') return { kind: 'read', data: toHex(volume(ops, event.volume).read(event.address, event.length)) };
  assert(event.type === 'host.write', 'only host I/O runs without a machine');
  if (ops.variant.defect === 'outside-write-marks-bit') {
    // BROKEN: an E2 write outside every record marks a bit of the first record of that source.
    const pair = ops.draft.pairs.findIndex((record) => record.state !== 'free' && record.original === event.volume);
    if (pair !== -1) ops.draft.pairs[pair] = mark(ops.draft.pairs[pair]!, 'cb', trackOf(event.address, ops.geometry));
  }
  applyWrite(ops, event, bytes);
  return NONE;
}

/** 1007: SB[R] := UB[R], then (A7 fix) UB[R] := 0, and the slot's use flag 0. */
function completeExtentUpdate(ops: Operations, planned: PlannedStep, clearUpdateBits: boolean): void {
  const record = recordOf(ops, planned);
  const slot = record.slots[planned.extent!]!;
  const range = rangeOf(slot.extent!, ops.geometry.trackSize);
  const sb = record.sb.clone();
  const ub = clearUpdateBits ? record.ub.clone() : record.ub;
  for (let track = range.first; track <= range.last; track += 1) {
    if (record.ub.test(track)) sb.set(track);
    else sb.clear(track);
    if (clearUpdateBits) ub.clear(track);
  }
  const slots = record.slots.slice();
  slots[planned.extent!] = { ...INACTIVE_SLOT, state: slot.state };
  replace(ops, planned, { ...record, sb, ub, slots });
}

function report(ops: Operations, record: PairRecord): PairReport {
  const hideFailure = ops.variant.defect === 'failed-job-reported-running';
  const jobOfSlot = (job: Job, slot: number | null): JobReport => ({
    kind: job.kind,
    extent: slot,
    status: hideFailure ? 'running' : job.status,
    error: hideFailure ? null : job.error,
  });
  const slotted = record.slots.flatMap((slot, index) => (slot.extent === null ? [] : [{ ...slot.extent, slot: index, state: slot.state }]));
  return {
    state: record.state,
    extents: ops.variant.control.embodiment === 1 ? slotted : record.extents.map((extent) => ({ ...extent, slot: null, state: record.state })),
    jobs: [
      ...record.jobs.map((job) => jobOfSlot(job, null)),
      ...record.slots.flatMap((slot, index) => (slot.job === null ? [] : [jobOfSlot(slot.job, index)])),
    ],
  };
}

/** Runs one operation of a transition on the instance `planned` names; returns a host-visible result or NONE. */
export function runOperation(ops: Operations, operation: Operation, planned: PlannedStep, event: ExtentEvent, run: RunContext): ExtentResult {
  const params = operation.params ?? {};
  switch (operation.type) {
    case 'createPair':
      createPair(ops, planned, event);
      return NONE;
    case 'startCopy':
      startCopy(ops, planned, params['kind'] as CopyKind);
      return NONE;
    case 'resumeCopy':
      resumeCopy(ops, planned);
      return NONE;
    case 'copyNextTrack':
      copyNextTrack(ops, planned, run);
      return NONE;
    case 'endCopy':
      endCopy(ops, planned);
      return NONE;
    case 'failCopy':
      failCopy(ops, planned, event);
      return NONE;
    case 'writeHost':
      writeHost(ops, planned, event, params as unknown as WriteRoute, run.bytes);
      return NONE;
    case 'readCopy':
      return readCopy(ops, planned, event, params as unknown as CopyReadRoute);
    default:
      return runRecordOperation(ops, operation, planned, event);
  }
}

/** The operations that change a record's extents or the record itself, and the query. */
function runRecordOperation(ops: Operations, operation: Operation, planned: PlannedStep, event: ExtentEvent): ExtentResult {
  const record = recordOf(ops, planned);
  switch (operation.type) {
    case 'setExtents':
      assert(event.type === 'extent.split', 'setExtents runs on extent.split');
      replace(ops, planned, { ...record, extents: event.extents });
      return NONE;
    case 'clearExtents':
      replace(ops, planned, { ...record, extents: [] });
      return NONE;
    case 'activateExtent': {
      const slots = record.slots.slice();
      slots[planned.extent!] = { ...slots[planned.extent!]!, extent: planned.extentArgument };
      replace(ops, planned, { ...record, slots });
      return NONE;
    }
    case 'completeExtentUpdate':
      completeExtentUpdate(ops, planned, operation.params?.['clearUpdateBits'] === true);
      return NONE;
    case 'clearExtent': {
      const slots = record.slots.slice();
      slots[planned.extent!] = { ...INACTIVE_SLOT, state: slots[planned.extent!]!.state };
      replace(ops, planned, { ...record, slots });
      return NONE;
    }
    case 'deletePair':
      replace(ops, planned, freeRecord(record.slots.length));
      return NONE;
    case 'reportPair':
      return { kind: 'query', report: report(ops, record) };
    default:
      throw new Error(`extent-copy machine names an unknown operation ${operation.type}`);
  }
}
