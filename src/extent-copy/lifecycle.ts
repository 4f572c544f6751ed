/**
 * extent-copy (seed 002) as the verifier sees it: presets, the world (controller plus model), the step, the
 * exhaustive alphabet and the model-based commands, the world key, what vectors observe, and the commands that
 * drive each machine event of pair 0 (and of its extent slot 0) for the control-level paths.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { extentMachine, pairMachine, type ExtentControlInput } from '../../machines/extent-copy.js';
import { applyCompletion, applyModel, initialModel } from '../../model/extent-copy.js';
import { EXTENT_PROPERTIES } from '../../properties/extent-copy.js';
import { assert } from '../assert.js';
import { defineLifecycle } from '../harness/define.js';
import { toHex } from '../hex.js';
import type { Pin, Presets } from '../lifecycle.js';
import { Volume } from '../volume.js';
import type { ExtentStepOutcome, ExtentWorld } from './abstraction.js';
import { ExtentCopyController, type ExtentOutcome } from './controller.js';
import { extentEventSchema, formatExtentEvent, type Extent, type ExtentEvent, type ExtentGeometry } from './events.js';
import { worldKey } from './key.js';
import { extentCopyLayout } from './layout.js';
import { EXTENT_MACHINE, PAIR_MACHINE } from './plan.js';
import type { PairRecord } from './records.js';
import { EXTENT_VARIANTS, extentVariant, type ExtentVariant } from './variants.js';
import { extentCopyWorkload } from './workload.js';

export interface ExtentPreset extends ExtentGeometry {
  /** The exhaustive alphabet's host writes: by track of volume 0, the values written over the whole track. */
  readonly writes: readonly (readonly number[])[];
  /** The two valid extents the exhaustive alphabet names (both on volume 0); empty for the standard preset. */
  readonly extents: readonly Extent[];
}

/** Every bound in one place (STYLE.md "Limits and presets"). */
export const EXTENT_PRESETS: Presets<ExtentPreset> = {
  /**
   * Exhaustive search: the original (volume 0) and its copy (volume 1) of 3 tracks of 2 bytes, a 2-track
   * volume too small to be a copy, 2 pair records, 2 E1 extent slots; extents [1, 2] (tracks 0-1, whose
   * boundary tracks hold addresses 0 and 3 outside it) and [4, 5] (track 2), so track 2 is outside an
   * Extent Split or Update of the first alone. Writes put 1 on any track and also 2 on track 0: a second
   * value is what tells data written before an image's instant from data written after it (a
   * copy-before-write made after the write copies 2 over an image of 1); on every track it multiplied the
   * worlds by 6, on one by 2.3. A fourth track multiplied them by 5 and found no defect three do not.
   */
  minimal: {
    volumeTracks: [3, 3, 2], trackSize: 2, pairCount: 2, extentSlots: 2, extentsMax: 2, writes: [[1, 2], [1], [1]],
    extents: [{ start: 1, end: 2 }, { start: 4, end: 5 }],
  },
  /** Model-based runs: 6 volumes of 8 tracks of 4 bytes and one of 4 tracks, 4 records, 3 slots, 3 extents a request. */
  standard: { volumeTracks: [8, 8, 8, 8, 8, 8, 4], trackSize: 4, pairCount: 4, extentSlots: 3, extentsMax: 3, writes: [], extents: [] },
  /**
   * The nightly exhaustive search (issue 12 item 3): the minimal preset with the second value written on
   * every track of the original, not on track 0 alone, so that an image taken before a write and the data
   * written after it differ on the tracks outside the first extent as well as in it.
   */
  deep: {
    volumeTracks: [3, 3, 2], trackSize: 2, pairCount: 2, extentSlots: 2, extentsMax: 2, writes: [[1, 2], [1, 2], [1, 2]],
    extents: [{ start: 1, end: 2 }, { start: 4, end: 5 }],
  },
};

const extentSchema = z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }).strict();

/**
 * What a preset file may set (README "Presets"): 3 or 4 volumes of 1 to 8 tracks of 1 to 4 bytes, 2 to 4
 * pair records, 1 to 3 E1 extent slots and extents a request; writes of 1 to 3 distinct values of 1-255 on
 * each track of volume 0 (at most its track count of lists); and the two valid extents of the alphabet, on
 * volume 0. The alphabet names volumes 0, 1 and 2 and pairs 0 and 1, and casts its extents to two; the
 * world layout (src/extent-copy/layout.ts) holds a job's cursor in 8 bits, which these bounds keep far off.
 */
const presetSchema: z.ZodType<ExtentPreset> = z.object({
  volumeTracks: z.array(z.number().int().min(1).max(8)).min(3).max(4),
  trackSize: z.number().int().min(1).max(4),
  pairCount: z.number().int().min(2).max(4),
  extentSlots: z.number().int().min(1).max(3),
  extentsMax: z.number().int().min(1).max(3),
  writes: z.array(z.array(z.number().int().min(1).max(255)).min(1).max(3)
    .refine((values) => new Set(values).size === values.length, 'written values of a track must be distinct')),
  extents: z.array(extentSchema).length(2),
}).strict().superRefine((preset, context) => {
  const capacity = preset.volumeTracks[0]! * preset.trackSize;
  if (preset.writes.length > preset.volumeTracks[0]!) {
    context.addIssue({ code: 'custom', path: ['writes'], message: `at most one list of values per track of volume 0 (${preset.volumeTracks[0]})` });
  }
  preset.extents.forEach((extent, i) => {
    if (extent.start > extent.end || extent.end >= capacity) {
      context.addIssue({ code: 'custom', path: ['extents', i], message: `an extent must have start <= end < ${capacity}, the capacity of volume 0` });
    }
  });
});

/**
 * Reachable worlds and machine transitions (of both machines) of every embodiment over the minimal preset.
 * Pinned so that a change to the spec shows in review: if one of these moves, say why in the commit.
 */
export const EXTENT_PINNED: Readonly<Record<string, Pin>> = {
  e1: { states: 10368, transitions: 43 },
  'e1-copy-on-read': { states: 10368, transitions: 43 },
  e2: { states: 8688, transitions: 32 },
  'e2-copy-on-read': { states: 8688, transitions: 32 },
  e3: { states: 17568, transitions: 50 },
  'e3-copy-on-read': { states: 17568, transitions: 50 },
};

function variantNamed(name: string): ExtentVariant {
  const variant = extentVariant(name);
  assert(variant !== undefined, () => `no extent-copy variant ${name}`);
  return variant;
}

const COMPLETIONS = new Set(['create.complete', 'split.complete', 'update.complete', 'xsplit.complete', 'join.complete']);

function step(world: ExtentWorld, event: ExtentEvent): { after: ExtentWorld; outcome: ExtentStepOutcome } {
  const { controller, outcome } = world.controller.handle(event);
  const { geometry, variant } = world.controller;
  const applied = applyModel(world.model, event, geometry, variant.control);
  let model = applied.model;
  // The model cannot know when a background copy ends; it takes the controller's word, and the properties
  // check that word (the copy is then the image).
  if (outcome.accepted) {
    for (const t of outcome.transitions) {
      if (COMPLETIONS.has(t.step.eventType)) model = applyCompletion(model, { eventType: t.step.eventType, pair: t.pair, extent: t.extent }, geometry);
    }
  }
  const result = { controller: outcome, model: applied.answer };
  if (controller === world.controller && model === world.model) return { after: world, outcome: result };
  return { after: { controller, model }, outcome: result };
}

// ---------------------------------------------------------------- the exhaustive alphabet

const alphabets = new WeakMap<ExtentPreset, Map<number, readonly ExtentEvent[]>>();

function trackData(value: number, size: number): string {
  return toHex(new Array<number>(size).fill(value));
}

/** Commands every embodiment tries: host I/O on every track, and one command for each argument rejection. */
function hostCommands(preset: ExtentPreset): ExtentEvent[] {
  const size = preset.trackSize;
  const tracks = preset.volumeTracks[0]!;
  const events: ExtentEvent[] = [];
  preset.writes.forEach((values, t) => {
    for (const value of values) events.push({ type: 'host.write', volume: 0, address: t * size, data: trackData(value, size) });
  });
  for (let t = 0; t < tracks; t += 1) events.push({ type: 'host.read', volume: 1, address: t * size, length: size });
  events.push(
    { type: 'host.read', volume: 0, address: 0, length: size },
    { type: 'host.write', volume: 0, address: 0, data: 'zz' },
    { type: 'host.write', volume: preset.volumeTracks.length, address: 0, data: '01' },
    { type: 'host.write', volume: 0, address: tracks * size, data: '01' },
    { type: 'host.write', volume: 0, address: size - 1, data: '0101' },
  );
  return events;
}

/** An extent of start > end on two tracks (A11), and one past the volume. */
function invalidExtents(preset: ExtentPreset): { backwards: Extent; outside: Extent } {
  const capacity = preset.volumeTracks[0]! * preset.trackSize;
  return { backwards: { start: 2 * preset.trackSize, end: 1 }, outside: { start: capacity, end: capacity + 1 } };
}

function pairCommands(preset: ExtentPreset, control: ExtentControlInput): ExtentEvent[] {
  const [a, b] = preset.extents as [Extent, Extent];
  const { backwards, outside } = invalidExtents(preset);
  const e = control.embodiment;
  const events: ExtentEvent[] = [];
  if (e === 2) {
    // Record 1 is made only with record 0, by one Pair Create of both extents, and split only with it: that is
    // the multi-area data set of 【0064】 and the one-instant split of A10; pair 0 alone drives the rest.
    for (const extents of [[a], [a, b], [backwards]]) events.push({ type: 'pair.create', original: 0, copy: 1, extents });
    events.push({ type: 'pair.create', original: 0, copy: 2, extents: [b] }, { type: 'pair.create', original: 0, copy: 0, extents: [a] });
    events.push({ type: 'pair.split', pairs: [0] }, { type: 'pair.split', pairs: [0, 1] }, { type: 'copy.step', pair: 1 });
  } else {
    events.push({ type: 'pair.create', original: 0, copy: 1 }, { type: 'pair.create', original: 0, copy: 2 }, { type: 'pair.create', original: 0, copy: 0 });
    events.push({ type: 'pair.split', pairs: [0] });
  }
  events.push(
    { type: 'pair.split', pairs: [preset.pairCount] },
    { type: 'pair.delete', pair: 0 },
    { type: 'pair.query', pair: 0 },
    { type: 'copy.step', pair: 0 },
    { type: 'copy.fault', pair: 0, volume: 0 },
    { type: 'copy.fault', pair: 0, volume: 1 },
  );
  if (e === 1) {
    events.push({ type: 'copy.step', pair: 0, extent: 0 }, { type: 'copy.step', pair: 0, extent: 1 }, { type: 'copy.fault', pair: 0, extent: 0, volume: 0 });
    events.push({ type: 'copy.step', pair: 0, extent: preset.extentSlots });
  }
  if (e !== 2) {
    const type = e === 1 ? 'extent.update' : 'extent.split';
    for (const extents of [[a], [b], [a, b], [a, a], [backwards], [outside]]) events.push({ type, pair: 0, extents });
  }
  if (e === 3) events.push({ type: 'extent.join', pair: 0 });
  return events;
}

/** A write to the copy volume: tried only while volume 1 is a copy, where it is refused (A6). */
const COPY_WRITE: ExtentEvent = { type: 'host.write', volume: 1, address: 0, data: '0101' };

/**
 * The exhaustive alphabet of a world. It is the same list in every world but one command: the write to the
 * copy volume is tried only while the volume is a copy, where A6 refuses it. Before it is paired, writing it
 * would only multiply the worlds by its contents, which the create copy overwrites (E1, E3) or never reads (E2).
 */
function alphabet(world: ExtentWorld): readonly ExtentEvent[] {
  const preset = world.controller.geometry as ExtentPreset;
  const control = world.controller.variant.control;
  let byEmbodiment = alphabets.get(preset);
  if (byEmbodiment === undefined) {
    byEmbodiment = new Map();
    alphabets.set(preset, byEmbodiment);
  }
  const paired = world.controller.pairs.some((record) => record.state !== 'free' && record.copy === 1);
  const id = control.embodiment * 2 + (paired ? 1 : 0);
  let events = byEmbodiment.get(id);
  if (events === undefined) {
    events = [...hostCommands(preset), ...(paired ? [COPY_WRITE] : []), ...pairCommands(preset, control)];
    byEmbodiment.set(id, events);
  }
  return events;
}

// ---------------------------------------------------------------- model-based commands

/**
 * The model-based commands. Pair 0 and its volumes 0 (original) and 1 (copy) are chosen most often, so that
 * runs of 200 commands take a pair through create, split and its extent copies with writes, faults and
 * reads in between; the other pairs and volumes, and arguments out of range, come often enough to interleave
 * and to be refused.
 */
function eventArbitrary(preset: ExtentPreset, control: ExtentControlInput): fc.Arbitrary<ExtentEvent> {
  const size = preset.trackSize;
  const volumeCount = preset.volumeTracks.length;
  const volume = fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 8 }, { arbitrary: fc.integer({ min: 0, max: volumeCount - 1 }), weight: 4 }, { arbitrary: fc.constant(volumeCount), weight: 1 });
  const original = fc.oneof({ arbitrary: fc.constant(0), weight: 8 }, { arbitrary: fc.constantFrom(2, 4), weight: 3 }, { arbitrary: volume, weight: 1 });
  const pair = fc.oneof(
    { arbitrary: fc.constant(0), weight: 10 },
    { arbitrary: fc.integer({ min: 1, max: preset.pairCount - 1 }), weight: 4 },
    { arbitrary: fc.constant(preset.pairCount), weight: 1 },
  );
  const slot = fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: preset.extentSlots }), weight: 2 });
  const capacity = preset.volumeTracks[0]! * size;
  // A few fixed extents as well as random ones, so that a reissued request names the failed one again (A12).
  const usual = [{ start: 1, end: size + 2 }, { start: 3 * size, end: 4 * size - 1 }, { start: 5 * size + 1, end: 7 * size }];
  const extent = fc.oneof(
    { arbitrary: fc.constantFrom(...usual), weight: 15 },
    { arbitrary: fc.integer({ min: 0, max: capacity - 1 }).chain((start) => fc.integer({ min: start, max: Math.min(capacity - 1, start + 3 * size) }).map((end) => ({ start, end }))), weight: 20 },
    { arbitrary: fc.record({ start: fc.integer({ min: 0, max: capacity + 2 }), end: fc.integer({ min: 0, max: capacity + 2 }) }), weight: 1 },
  );
  const extents = fc.oneof({ arbitrary: fc.array(extent, { minLength: 1, maxLength: 1 }), weight: 4 }, { arbitrary: fc.array(extent, { minLength: 0, maxLength: preset.extentsMax + 1 }), weight: 1 });
  const address = (v: number) => fc.integer({ min: 0, max: Math.max(0, (preset.volumeTracks[v] ?? 1) * size - 1) });
  const write = volume.chain((v) => address(v).chain((at) => fc.uint8Array({ minLength: 1, maxLength: size - (at % size) })
    .map((data): ExtentEvent => ({ type: 'host.write', volume: v === 1 ? 0 : v, address: at, data: toHex(data) }))));
  const copyWrite = address(1).map((at): ExtentEvent => ({ type: 'host.write', volume: 1, address: at, data: '07' }));
  const read = volume.chain((v) => address(v).chain((at) => fc.integer({ min: 1, max: size - (at % size) }).map((length): ExtentEvent => ({ type: 'host.read', volume: v, address: at, length }))));
  const create = fc.tuple(original, fc.oneof({ arbitrary: fc.constant(-1), weight: 10 }, { arbitrary: fc.integer({ min: 0, max: volumeCount }), weight: 1 }), extents)
    .map(([o, copy, list]): ExtentEvent => {
      const target = copy === -1 ? o + 1 : copy;
      return control.embodiment === 2 ? { type: 'pair.create', original: o, copy: target, extents: list } : { type: 'pair.create', original: o, copy: target };
    });
  const pairStep = pair.map((p): ExtentEvent => ({ type: 'copy.step', pair: p }));
  const slotStep = fc.tuple(pair, slot).map(([p, x]): ExtentEvent => ({ type: 'copy.step', pair: p, extent: x }));
  const fault = fc.tuple(pair, volume, fc.option(slot, { nil: undefined })).map(([p, v, x]): ExtentEvent => (
    control.embodiment === 1 && x !== undefined ? { type: 'copy.fault', pair: p, extent: x, volume: v } : { type: 'copy.fault', pair: p, volume: v }));
  const e = control.embodiment;
  return fc.oneof(
    { arbitrary: write, weight: 12 },
    { arbitrary: copyWrite, weight: 1 },
    { arbitrary: read, weight: 4 },
    { arbitrary: pairStep, weight: e === 1 ? 18 : 28 },
    { arbitrary: slotStep, weight: e === 1 ? 12 : 0 },
    { arbitrary: create, weight: 3 },
    { arbitrary: fc.oneof({ arbitrary: pair.map((p) => [p]), weight: 4 }, { arbitrary: fc.uniqueArray(pair, { minLength: 0, maxLength: 3 }), weight: 1 })
      .map((pairs): ExtentEvent => ({ type: 'pair.split', pairs })), weight: 3 },
    { arbitrary: fc.tuple(pair, extents).map(([p, list]): ExtentEvent => ({ type: 'extent.update', pair: p, extents: list })), weight: e === 1 ? 4 : 0 },
    { arbitrary: fc.tuple(pair, extents).map(([p, list]): ExtentEvent => ({ type: 'extent.split', pair: p, extents: list })), weight: e === 3 ? 3 : 0 },
    { arbitrary: pair.map((p): ExtentEvent => ({ type: 'extent.join', pair: p })), weight: e === 3 ? 2 : 0 },
    { arbitrary: pair.map((p): ExtentEvent => ({ type: 'pair.delete', pair: p })), weight: 1 },
    { arbitrary: pair.map((p): ExtentEvent => ({ type: 'pair.query', pair: p })), weight: 2 },
    { arbitrary: fault, weight: 1 },
  );
}

// ---------------------------------------------------------------- control paths: commands for pair 0 and its slot 0

function remainingSteps(record: PairRecord, extent: number | null): number {
  const job = extent === null ? record.jobs.find((j) => j.status === 'running') : record.slots[extent]?.job;
  if (job === undefined || job === null) return 0;
  const tracks = job.ranges.reduce((sum, r) => sum + Math.max(0, r.last - r.first + 1), 0);
  return Math.max(0, tracks - job.stepsTaken);
}

function firstTrackOf(extent: Extent | undefined | null, size: number, otherwise: number): number {
  return extent === undefined || extent === null ? otherwise : Math.floor(extent.start / size);
}

/** Pair 0's commands for a machine event of its own machine. */
function pairEventCommands(eventType: string, world: ExtentWorld, preset: ExtentPreset): readonly ExtentEvent[] | undefined {
  const record = world.controller.pairs[0]!;
  const { embodiment } = world.controller.variant.control;
  const size = preset.trackSize;
  const [a] = preset.extents as [Extent, Extent];
  const outsideTrack = 2; // outside the first extent of the minimal preset, which every control path uses
  const ownTrack = embodiment === 2 ? firstTrackOf(record.extents[0], size, 0) : outsideTrack;
  switch (eventType) {
    case 'pair.create':
      return [embodiment === 2 ? { type: 'pair.create', original: 0, copy: 1, extents: record.state === 'free' ? [a] : record.extents } : { type: 'pair.create', original: 0, copy: 1 }];
    case 'pair.split':
      return [{ type: 'pair.split', pairs: [0] }];
    case 'extent.split':
      return [{ type: 'extent.split', pair: 0, extents: record.state === 'formed' ? [a] : record.extents }];
    case 'extent.update':
      return [{ type: 'extent.update', pair: 0, extents: [a] }];
    case 'create.complete':
    case 'split.complete':
    case 'xsplit.complete':
    case 'join.complete':
      return new Array<ExtentEvent>(remainingSteps(record, null)).fill({ type: 'copy.step', pair: 0 });
    case 'copy.fault':
      return [{ type: 'copy.fault', pair: 0, volume: 0 }];
    case 'host.write':
      return [{ type: 'host.write', volume: 0, address: ownTrack * size, data: trackData(1, size) }];
    case 'extent.write':
      return [{ type: 'host.write', volume: 0, address: firstTrackOf(record.extents[0], size, 0) * size, data: trackData(1, size) }];
    case 'host.read':
      return [{ type: 'host.read', volume: 1, address: ownTrack * size, length: size }];
    case 'extent.read':
      return [{ type: 'host.read', volume: 1, address: firstTrackOf(record.extents[0], size, 0) * size, length: size }];
    default:
      return [{ type: eventType, pair: 0 } as ExtentEvent];
  }
}

/** Pair 0 extent slot 0's commands for a machine event of the extent machine (E1). */
function slotEventCommands(eventType: string, world: ExtentWorld, preset: ExtentPreset): readonly ExtentEvent[] | undefined {
  const record = world.controller.pairs[0]!;
  const slot = record.slots[0];
  const size = preset.trackSize;
  const [a] = preset.extents as [Extent, Extent];
  const track = firstTrackOf(slot?.extent, size, 0);
  switch (eventType) {
    case 'extent.update': {
      if (slot?.state === 'active.failed') return [{ type: 'extent.update', pair: 0, extents: [slot.extent!] }];
      const tracks = preset.volumeTracks[0]!;
      return [
        { type: 'pair.create', original: 0, copy: 1 },
        ...new Array<ExtentEvent>(tracks).fill({ type: 'copy.step', pair: 0 }),
        { type: 'pair.split', pairs: [0] },
        ...new Array<ExtentEvent>(tracks).fill({ type: 'copy.step', pair: 0 }),
        { type: 'extent.update', pair: 0, extents: [a] },
      ];
    }
    case 'copy.step':
      return [{ type: 'copy.step', pair: 0, extent: 0 }];
    case 'update.complete':
      return new Array<ExtentEvent>(remainingSteps(record, 0)).fill({ type: 'copy.step', pair: 0, extent: 0 });
    case 'copy.fault':
      return [{ type: 'copy.fault', pair: 0, extent: 0, volume: 1 }];
    case 'host.write':
      return [{ type: 'host.write', volume: 0, address: track * size, data: trackData(1, size) }];
    case 'host.read':
      return [{ type: 'host.read', volume: 1, address: track * size, length: size }];
    case 'pair.delete':
      return [{ type: 'pair.delete', pair: 0 }];
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- observation and traces

function bytesByTrack(bytes: ArrayLike<number | null>, size: number): string {
  const tracks: string[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    let track = '';
    for (let i = start; i < start + size; i += 1) track += bytes[i] === null ? '??' : toHex([bytes[i]!]);
    tracks.push(track);
  }
  return tracks.join('.');
}

function observeRecord(record: PairRecord, embodiment: number): Record<string, unknown> {
  if (record.state === 'free') return { state: 'free' };
  const bitmaps = embodiment === 2 ? { bitmap: record.cb.toString() } : embodiment === 3
    ? { cb: record.cb.toString(), sb: record.sb.toString() } : { cb: record.cb.toString(), sb: record.sb.toString(), ub: record.ub.toString() };
  const job = (j: PairRecord['jobs'][number]) => ({ kind: j.kind, range: j.rangeIndex, cursor: j.cursor, status: j.status, error: j.error });
  return {
    state: record.state,
    original: record.original,
    copy: record.copy,
    ...bitmaps,
    extents: record.extents,
    ...(embodiment === 1 ? { slots: record.slots.map((s) => ({ state: s.state, extent: s.extent, job: s.job === null ? null : job(s.job) })) } : {}),
    jobs: record.jobs.map(job),
  };
}

function formatRecord(record: PairRecord, pair: number, embodiment: number): string {
  if (record.state === 'free') return '';
  const jobs = record.jobs.map((j) => `${j.kind}@${j.cursor}${j.status === 'failed' ? '!' : ''}`).join(',');
  const bits = embodiment === 2 ? `bm=${record.cb}` : `cb=${record.cb} sb=${record.sb}${embodiment === 1 ? ` ub=${record.ub}` : ''}`;
  const extents = record.extents.length > 0 ? ` [${record.extents.map((x) => `${x.start}-${x.end}`).join(',')}]` : '';
  const slots = record.slots.flatMap((s, i) => (s.state === 'inactive' ? [] : [` x${i}:${s.state}[${s.extent!.start}-${s.extent!.end}]${s.job === null ? '' : `@${s.job.cursor}`}`])).join('');
  return `p${pair} ${record.state}${extents} ${bits}${jobs === '' ? '' : ` job=${jobs}`}${slots}`;
}

function formatWorld({ controller: c, model: m }: ExtentWorld): string {
  const size = c.geometry.trackSize;
  const records = c.pairs.map((r, i) => formatRecord(r, i, c.variant.control.embodiment)).filter((s) => s !== '').join('; ') || 'no pair';
  const volumes = c.volumes.map((v, i) => `v${i}=${bytesByTrack(v.contents(), size)}`).join(' ');
  const images = m.records.flatMap((r, i) => [
    ...(r.image === null ? [] : [`p${i} image ${bytesByTrack(r.image, size)}`]),
    ...r.slots.flatMap((s, j) => (s.image === null ? [] : [`p${i} x${j} image ${bytesByTrack(s.image, size)}`])),
  ]);
  const copies = m.records.flatMap((r, i) => (r.state === 'free' ? [] : [`p${i} copy ${bytesByTrack(m.volumes[r.copy]!, size)}`]));
  return `${records} | ${volumes} | model ${[...copies, ...images].join(' ') || '-'}`;
}

function describeOutcome(outcome: ExtentOutcome): Record<string, unknown> {
  if (!outcome.accepted) return { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code };
  const transitions = outcome.transitions.map((t) => `p${t.pair}${t.extent === null ? '' : ` x${t.extent}`}: ${t.step.edge}`);
  return { accepted: true, transitions, ...(outcome.result.kind === 'none' ? {} : { result: outcome.result }) };
}

function formatOutcome({ controller: outcome }: ExtentStepOutcome): string {
  if (!outcome.accepted) return `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const raised = outcome.transitions.filter((t) => COMPLETIONS.has(t.step.eventType)).map((t) => t.step.eventType);
  const result = outcome.result.kind === 'none' ? '' : ` ${JSON.stringify(outcome.result)}`;
  return `accepted${raised.length > 0 ? `, raised ${raised.join(',')}` : ''}${result}`;
}

export const extentCopyLifecycle = defineLifecycle<ExtentWorld, ExtentEvent, ExtentStepOutcome, ExtentPreset>({
  id: 'extent-copy',
  seed: '002',
  title: 'Extent copy: a data set\'s extent copied within the storage, with copy-before-write point-in-time images',
  variants: EXTENT_VARIANTS,
  machines: [
    { name: 'extent-copy-pair', title: 'extent-copy (seed 002): one pair record', machine: pairMachine },
    { name: 'extent-copy-extent', title: 'extent-copy (seed 002): one E1 extent slot', machine: extentMachine },
  ],
  presets: EXTENT_PRESETS,
  eventSchema: extentEventSchema,
  properties: EXTENT_PROPERTIES,
  reasons: ['malformed-command', 'unknown-pair', 'unknown-volume', 'track-out-of-range', 'length-out-of-range', 'wrong-state', 'busy'],
  pinned: EXTENT_PINNED,
  initial(variantName, preset) {
    const variant = variantNamed(variantName);
    const volumes = preset.volumeTracks.map((tracks) => new Volume(tracks, preset.trackSize));
    return { controller: ExtentCopyController.initial(variant, preset, volumes), model: initialModel(preset, variant.control) };
  },
  step,
  key: worldKey,
  alphabet,
  arbitrary: (variant, preset) => eventArbitrary(preset, variantNamed(variant).control),
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.transitions.map((t) => ({ machine: t.machine, source: t.step.source, eventType: t.step.eventType, target: t.step.target }))
    : []),
  controlStates: ({ controller }) => ({ [PAIR_MACHINE]: controller.pairs[0]!.state, [EXTENT_MACHINE]: controller.pairs[0]!.slots[0]?.state ?? 'inactive' }),
  commandsFor: (machine, eventType, world) => (machine === PAIR_MACHINE
    ? pairEventCommands(eventType, world, world.controller.geometry as ExtentPreset)
    : slotEventCommands(eventType, world, world.controller.geometry as ExtentPreset)),
  formatEvent: formatExtentEvent,
  formatWorld,
  formatOutcome,
  observe: ({ controller: c }) => ({
    volumes: c.volumes.map((v) => toHex(v.contents())),
    records: c.pairs.map((r) => observeRecord(r, c.variant.control.embodiment)),
  }),
  observeOutcome: ({ controller: outcome }) => describeOutcome(outcome) as ReturnType<typeof describeOutcome> & { accepted: true },
  vectorNotes: [
    'extent-copy: a pair record is named by its index `pair`; `pair.create` takes the lowest free record (or resumes a failed create of the same volumes) and reports it in `result.pairs`. Bitmaps are one bit per track of the original, `0`/`1`, track 0 first (E2 reports its one bitmap as `bitmap`). A job is `{kind, range, cursor, status, error}`: it scans its ranges in order, one track per `copy.step`, and its completion is raised in the same step as `<kind>.complete`.',
    'extent-copy: a host I/O stays within the track of its address. A read of a copy-volume track that is not final answers `{"kind": "not-ready"}` (spec/002 A5) unless the variant copies on read; `transitions` name the instance (`p0`, `p0 x1` for extent slot 1) before each edge.',
  ],
  workload: extentCopyWorkload,
  layout: extentCopyLayout,
  presetSchema,
});
