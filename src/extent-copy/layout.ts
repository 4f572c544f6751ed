/**
 * extent-copy's world layout (src/harness/layout.ts): every field of the controller and the model that the
 * key (src/extent-copy/key.ts) distinguishes, in the harness's terms, so that the exhaustive checker stores
 * a world of the minimal preset in 20 words instead of its key's hundred-odd code units.
 *
 * A byte is one of the values the search can write: 0, the preset's written values and the 1 of the
 * boundary writes (the exhaustive alphabet writes nothing else), and the model's copy bytes may also be
 * unknown (null). A free record, in the controller and in the model, is its state alone, as in the key: it
 * unpacks to the record Pair Delete leaves. A bitmap is the set of its tracks; it has one bit per track of
 * the record's original, which is how it is rebuilt. The model's `written` tracks are ascending and each
 * once (model/extent-copy.ts keeps them so), which is why a set holds them exactly. Every bound comes from
 * the preset, within the limits of the preset schema (src/extent-copy/lifecycle.ts); a job's cursor and
 * steps stay below the copy-job-bounded property's track count in every stored world, and one past it in
 * the world that violates it. test/harness/conformance.ts checks over every embodiment's search that two
 * worlds pack alike exactly when their keys are equal.
 */
import type { PairStateKey } from '../../machines/extent-copy.js';
import type { ExtentModel, ModelRecord, ModelSlot } from '../../model/extent-copy.js';
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import { defineLayout, field, type Unpacked } from '../harness/layout.js';
import { Volume } from '../volume.js';
import type { ExtentWorld } from './abstraction.js';
import { ExtentCopyController } from './controller.js';
import type { ExtentPreset } from './lifecycle.js';
import { freeRecord, type Job, type PairRecord } from './records.js';
import { extentVariant } from './variants.js';

const PAIR_STATES: readonly PairStateKey[] = [
  'free', 'forming.copying', 'forming.failed', 'formed', 'splitting.copying', 'splitting.failed', 'split',
  'xsplitting.copying', 'xsplitting.failed', 'xsplit', 'xjoining.copying', 'xjoining.failed',
];
const SLOT_STATES = ['inactive', 'active.copying', 'active.failed'] as const;
const KINDS = ['create', 'split', 'update', 'xsplit', 'xjoin'] as const;
const ERRORS = [null, 'original-error', 'copy-error'] as const;
/** Jobs of one record: one, and two in the literal A4 flow (a split during forming); one more for safety. */
const MAX_JOBS = 3;
/** A job's cursor and steps taken: far above any track count the preset schema allows. */
const MAX_STEPS = 255;

/** The byte values a search over `preset` can hold: 0, the written values, and 1. */
function byteValues(preset: ExtentPreset): number[] {
  return [...new Set([0, ...preset.writes.flat(), 1])];
}

function shape(_variant: string, preset: ExtentPreset) {
  const values = byteValues(preset);
  const byte = field.choice(values);
  const modelByte = field.choice([null, ...values]);
  const maxTracks = Math.max(...preset.volumeTracks);
  const bytes = maxTracks * preset.trackSize;
  const volumeCount = preset.volumeTracks.length;
  const slotCount = preset.extentSlots;
  // Addresses and tracks reach one past the largest volume: the alphabet's extent outside volume 0.
  const extent = field.struct({ start: field.uint(bytes + 1), end: field.uint(bytes + 1) });
  const extents = field.list(preset.extentsMax, extent);
  const tracks = field.set(maxTracks);
  const track = field.uint(maxTracks + 1);
  const rangeCount = Math.max(1, preset.extentsMax);
  const job = field.struct({
    kind: field.choice(KINDS),
    ranges: field.list(rangeCount, field.struct({ first: track, last: track })),
    rangeIndex: field.uint(rangeCount - 1),
    cursor: field.uint(MAX_STEPS),
    stepsTaken: field.uint(MAX_STEPS),
    status: field.choice(['running', 'failed'] as const),
    error: field.choice(ERRORS),
  });
  const volume = field.uint(volumeCount - 1);
  const image = field.optional(field.list(bytes, modelByte));
  return field.struct({
    volumes: field.list(volumeCount, field.list(bytes, byte)),
    records: field.list(preset.pairCount, field.struct({
      state: field.choice(PAIR_STATES),
      original: volume,
      copy: volume,
      cb: tracks,
      sb: tracks,
      ub: tracks,
      extents,
      slots: field.list(slotCount, field.struct({ state: field.choice(SLOT_STATES), extent: field.optional(extent), job: field.optional(job) })),
      jobs: field.list(MAX_JOBS, job),
    })),
    model: field.struct({
      volumes: field.list(volumeCount, field.list(bytes, modelByte)),
      records: field.list(preset.pairCount, field.struct({
        state: field.choice(PAIR_STATES),
        original: volume,
        copy: volume,
        extents,
        image,
        slots: field.list(slotCount, field.struct({
          state: field.choice(SLOT_STATES),
          extent: field.optional(extent),
          image,
          error: field.choice(ERRORS),
        })),
        written: tracks,
        error: field.choice(ERRORS),
      })),
    }),
  });
}

type Shape = ReturnType<typeof shape>;
type RecordValue = Unpacked<Shape['fields']['records']['of']>;
type ModelRecordValue = Unpacked<Shape['fields']['model']['fields']['records']['of']>;

const NO_TRACKS: readonly number[] = [];

/** A free record as the key sees it: its state, every other field zero or empty. */
function freeValue<T extends { state: PairStateKey }>(free: Omit<T, 'state'>): T {
  return { state: 'free', ...free } as T;
}

const FREE_CONTROLLER = freeValue<RecordValue>({ original: 0, copy: 0, cb: [], sb: [], ub: [], extents: [], slots: [], jobs: [] });
const FREE_MODEL = freeValue<ModelRecordValue>({ original: 0, copy: 0, extents: [], image: null, slots: [], written: [], error: null });

function packRecord(record: PairRecord) {
  if (record.state === 'free') return FREE_CONTROLLER;
  return record;
}

function packModelRecord(record: ModelRecord) {
  return record.state === 'free' ? FREE_MODEL : record;
}

function jobOf(job: Unpacked<Shape['fields']['records']['of']['fields']['jobs']['of']>): Job {
  return { kind: job.kind, ranges: job.ranges, rangeIndex: job.rangeIndex, cursor: job.cursor, stepsTaken: job.stepsTaken, status: job.status, error: job.error };
}

function recordOf(value: RecordValue, preset: ExtentPreset, slotCount: number): PairRecord {
  if (value.state === 'free') return freeRecord(slotCount);
  const trackCount = preset.volumeTracks[value.original]!;
  return {
    state: value.state,
    original: value.original,
    copy: value.copy,
    cb: Bitmap.of(trackCount, value.cb),
    sb: Bitmap.of(trackCount, value.sb),
    ub: Bitmap.of(trackCount, value.ub),
    extents: value.extents,
    slots: value.slots.map((slot) => ({ state: slot.state, extent: slot.extent, job: slot.job === null ? null : jobOf(slot.job) })),
    jobs: value.jobs.map(jobOf),
  };
}

/** A model record with its fields in model/extent-copy.ts's order, so that every record has one engine shape. */
function modelRecordOf(value: ModelRecordValue, slotCount: number): ModelRecord {
  const slots: ModelSlot[] = value.state === 'free'
    ? new Array<ModelSlot>(slotCount).fill({ state: 'inactive', extent: null, image: null, error: null })
    : value.slots.map((slot) => ({ state: slot.state, extent: slot.extent, image: slot.image, error: slot.error }));
  if (value.state === 'free') return { state: 'free', original: -1, copy: -1, extents: [], image: null, slots, written: NO_TRACKS, error: null };
  return { state: value.state, original: value.original, copy: value.copy, extents: value.extents, image: value.image, slots, written: value.written, error: value.error };
}

export const extentCopyLayout = defineLayout<ExtentWorld, ExtentPreset, Shape>({
  shape,
  pack: ({ controller: c, model }: ExtentWorld) => ({
    volumes: c.volumes.map((volume) => volume.contents()),
    records: c.pairs.map(packRecord),
    model: { volumes: model.volumes, records: model.records.map(packModelRecord) },
  }),
  unpack({ volumes, records, model }, variantName, preset): ExtentWorld {
    const variant = extentVariant(variantName);
    assert(variant !== undefined, () => `no extent-copy variant ${variantName}`);
    const slotCount = variant.control.embodiment === 1 ? preset.extentSlots : 0;
    const restored: ExtentModel = { volumes: model.volumes, records: model.records.map((record) => modelRecordOf(record, slotCount)) };
    return {
      controller: new ExtentCopyController(
        variant,
        preset,
        volumes.map((bytes, i) => new Volume(preset.volumeTracks[i]!, preset.trackSize, Uint8Array.from(bytes))),
        records.map((record) => recordOf(record, preset, slotCount)),
      ),
      model: restored,
    };
  },
});
