/**
 * The extent-copy controller's control memory (seed 002 control memory 109/1109/1910): pair records, their
 * difference bitmaps, extents and extent slots, and the copy jobs (spec/002 A2: a job is {pair, extent?, kind,
 * cursor, end}). Every record is immutable data: the controller replaces a record it changes, and a bitmap it
 * changes is cloned first, so a controller shares everything it did not change with the one it came from (the
 * exhaustive checker keeps hundreds of thousands of them).
 *
 * The seed keeps no cursor in control memory (its copy processes hold a local variable i, spec/002 §2); a job
 * here holds it, so that a step is one event and a failed job can resume where it stopped (A12).
 */
import type { CopyKind, ExtentStateKey, PairStateKey } from '../../machines/extent-copy.js';
import { Bitmap } from '../bitmap.js';
import type { Extent } from './events.js';

/** The tracks of one range a job scans, first to last in ascending order; `first > last` only in the literal A11 flow. */
export interface TrackRange {
  readonly first: number;
  readonly last: number;
}

export type CopyError = 'original-error' | 'copy-error';

export interface Job {
  readonly kind: CopyKind;
  /** The ranges scanned, in order: the volume, the record's extent, or each extent of E3 in turn (2708, 2808). */
  readonly ranges: readonly TrackRange[];
  readonly rangeIndex: number;
  /** The track the next step examines (the seed's variable i). */
  readonly cursor: number;
  /** Steps taken so far, for the bound of spec/002 G5. */
  readonly stepsTaken: number;
  readonly status: 'running' | 'failed';
  /** The volume whose I/O failed (A12), while failed. */
  readonly error: CopyError | null;
}

/** An E1 extent info entry (205: use flag 206, start 207, end 208) and its Extent Update job. */
export interface ExtentSlot {
  readonly state: ExtentStateKey;
  readonly extent: Extent | null;
  readonly job: Job | null;
}

export interface PairRecord {
  readonly state: PairStateKey;
  /** Volume numbers; -1 in a free record. */
  readonly original: number;
  readonly copy: number;
  /** CB 300/2100 (E2: the record's one bitmap 1204), SB 301/2101, UB 302; one bit per track of the original. */
  readonly cb: Bitmap;
  readonly sb: Bitmap;
  readonly ub: Bitmap;
  /** E2: the record's extent (1205, 1206); E3: the extents of the Extent Split (2006); E1: none. */
  readonly extents: readonly Extent[];
  /** E1 extent slots; empty in E2 and E3. */
  readonly slots: readonly ExtentSlot[];
  /** The pair's own copy jobs (create, split, extent split, join); more than one only in the literal A4 flow. */
  readonly jobs: readonly Job[];
}

export const INACTIVE_SLOT: ExtentSlot = { state: 'inactive', extent: null, job: null };

const EMPTY = new Bitmap(1);

/** A record with use flag 0. Its bitmaps are placeholders, replaced at Pair Create. */
export function freeRecord(slotCount: number): PairRecord {
  return {
    state: 'free',
    original: -1,
    copy: -1,
    cb: EMPTY,
    sb: EMPTY,
    ub: EMPTY,
    extents: [],
    slots: new Array<ExtentSlot>(slotCount).fill(INACTIVE_SLOT),
    jobs: [],
  };
}

export function isUsed(record: PairRecord): boolean {
  return record.state !== 'free';
}

/** The tracks R(s, e) = T(s)..T(e) of an extent, as a range (spec/002 §2). */
export function rangeOf(extent: Extent, trackSize: number): TrackRange {
  return { first: Math.floor(extent.start / trackSize), last: Math.floor(extent.end / trackSize) };
}

/** Whether track t is in R(s, e); an unvalidated extent with start after end holds no track. */
export function inRange(range: TrackRange, track: number): boolean {
  return track >= range.first && track <= range.last;
}

/** Whether two extents share a track (A9: overlaps are judged on tracks, since copies are of whole tracks). */
export function overlaps(a: TrackRange, b: TrackRange): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** A new job at the first track of its first range. */
export function newJob(kind: CopyKind, ranges: readonly TrackRange[]): Job {
  return { kind, ranges, rangeIndex: 0, cursor: ranges[0]!.first, stepsTaken: 0, status: 'running', error: null };
}

/**
 * The job after one step at its cursor: the cursor moves to the next track, or to the first track of the next
 * range when it was at the last one (the seed's exit test is equality, i = T(end): 805, 1005, 1705, 2705).
 * Null when the step was the last of the last range. `overrun` ends a range one track late (a broken variant).
 */
export function advance(job: Job, overrun = false): Job | null {
  const range = job.ranges[job.rangeIndex]!;
  const last = overrun ? range.last + 1 : range.last;
  const stepsTaken = job.stepsTaken + 1;
  if (job.cursor !== last) return { ...job, cursor: job.cursor + 1, stepsTaken };
  const next = job.ranges[job.rangeIndex + 1];
  if (next === undefined) return null;
  return { ...job, rangeIndex: job.rangeIndex + 1, cursor: next.first, stepsTaken };
}

/** A bitmap of `trackCount` bits with tracks [first, last] set. */
export function bitmapOf(trackCount: number, ranges: readonly TrackRange[]): Bitmap {
  const bitmap = new Bitmap(trackCount);
  for (const range of ranges) if (range.first <= range.last) bitmap.setRange(range.first, range.last + 1);
  return bitmap;
}
