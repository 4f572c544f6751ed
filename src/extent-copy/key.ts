/**
 * The exhaustive checker's world key for extent-copy: every field of controller and model as UTF-16 code
 * units, each list prefixed by its length, so that two keys are equal exactly when every field is (the
 * variant is fixed for a search, so it is left out). One flat string from one call, as mirror-pair's key:
 * the default canonical JSON of the world would serialize every bitmap and byte array as text on every step.
 */
import type { PairStateKey } from '../../machines/extent-copy.js';
import type { ExtentModel } from '../../model/extent-copy.js';
import { assert } from '../assert.js';
import type { Bitmap } from '../bitmap.js';
import type { ExtentWorld } from './abstraction.js';
import type { Extent } from './events.js';
import type { Job, PairRecord } from './records.js';

/** Stands for null; above every byte, track, address and count a searchable preset holds. */
const NONE = 0xfff0;
const UNKNOWN_BYTE = 256;

const PAIR_STATES: readonly PairStateKey[] = [
  'free', 'forming.copying', 'forming.failed', 'formed', 'splitting.copying', 'splitting.failed', 'split',
  'xsplitting.copying', 'xsplitting.failed', 'xsplit', 'xjoining.copying', 'xjoining.failed',
];
const SLOT_STATES = ['inactive', 'active.copying', 'active.failed'];
const KINDS = ['create', 'split', 'update', 'xsplit', 'xjoin'];
const ERRORS = [null, 'original-error', 'copy-error'];

function pushBitmap(codes: number[], bitmap: Bitmap): void {
  codes.push(bitmap.count);
  for (let bit = bitmap.nextSet(0); bit !== -1; bit = bitmap.nextSet(bit + 1)) codes.push(bit);
}

function pushExtent(codes: number[], extent: Extent | null): void {
  if (extent === null) codes.push(NONE);
  else codes.push(extent.start, extent.end);
}

function pushExtents(codes: number[], extents: readonly Extent[]): void {
  codes.push(extents.length);
  for (const extent of extents) pushExtent(codes, extent);
}

function pushJob(codes: number[], job: Job | null): void {
  if (job === null) {
    codes.push(NONE);
    return;
  }
  codes.push(KINDS.indexOf(job.kind), job.ranges.length);
  for (const range of job.ranges) codes.push(range.first, range.last);
  codes.push(job.rangeIndex, job.cursor, job.stepsTaken, job.status === 'running' ? 0 : 1, ERRORS.indexOf(job.error));
}

function pushRecord(codes: number[], record: PairRecord): void {
  codes.push(PAIR_STATES.indexOf(record.state));
  if (record.state === 'free') return;
  codes.push(record.original, record.copy);
  pushBitmap(codes, record.cb);
  pushBitmap(codes, record.sb);
  pushBitmap(codes, record.ub);
  pushExtents(codes, record.extents);
  codes.push(record.slots.length);
  for (const slot of record.slots) {
    codes.push(SLOT_STATES.indexOf(slot.state));
    pushExtent(codes, slot.extent);
    pushJob(codes, slot.job);
  }
  codes.push(record.jobs.length);
  for (const job of record.jobs) pushJob(codes, job);
}

function pushBytes(codes: number[], bytes: ArrayLike<number | null> | null): void {
  if (bytes === null) {
    codes.push(NONE);
    return;
  }
  codes.push(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) codes.push(bytes[i] ?? UNKNOWN_BYTE);
}

function pushModel(codes: number[], model: ExtentModel): void {
  for (const volume of model.volumes) pushBytes(codes, volume);
  for (const record of model.records) {
    codes.push(PAIR_STATES.indexOf(record.state));
    if (record.state === 'free') continue;
    codes.push(record.original, record.copy, ERRORS.indexOf(record.error));
    pushExtents(codes, record.extents);
    pushBytes(codes, record.image);
    codes.push(record.written.length, ...record.written);
    for (const slot of record.slots) {
      codes.push(SLOT_STATES.indexOf(slot.state), ERRORS.indexOf(slot.error));
      pushExtent(codes, slot.extent);
      pushBytes(codes, slot.image);
    }
  }
}

export function worldKey(world: ExtentWorld): string {
  const { controller, model } = world;
  const codes: number[] = [];
  for (const volume of controller.volumes) {
    assert(volume.byteLength < NONE, 'a world too large for the exhaustive key');
    pushBytes(codes, volume.contents());
  }
  for (const record of controller.pairs) pushRecord(codes, record);
  pushModel(codes, model);
  return String.fromCharCode.apply(null, codes);
}
