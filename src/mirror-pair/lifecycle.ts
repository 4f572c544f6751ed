/**
 * mirror-pair (seed 000) as the verifier sees it: presets, the world (controller plus model), the event
 * alphabets, the key, the observations vectors carry, and the commands that drive each machine event.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { MIRROR_STATE_KEYS, mirrorPairMachine, type MirrorEvent, type MirrorEventType, type MirrorStateKey } from '../../machines/mirror-pair.js';
import { applyGroupModel, applyModel, initialModel, type GroupSplit, type MirrorModel } from '../../model/mirror-pair.js';
import { MIRROR_PROPERTIES } from '../../properties/mirror-pair.js';
import { assert } from '../assert.js';
import type { TrackBitmap } from '../track-bitmap.js';
import type { ControlStep } from '../control.js';
import { defineLifecycle } from '../harness/define.js';
import { toHex } from '../hex.js';
import type { Differences, Pin, Presets } from '../lifecycle.js';
import { abstractOf, pairsOf, type MirrorPairStep, type MirrorStepOutcome, type MirrorWorld } from './abstraction.js';
import { MirrorPairController } from './controller.js';
import { handleGroup } from './group.js';
import { groupAlphabet, groupEventArbitrary, groupGeometry, groupTransitions, initialGroupWorld, observePair } from './group-world.js';
import { mirrorPairLayout } from './layout.js';
import { formatMirrorEvent, GROUP_ID, mirrorEventSchema, PAIR_ID, PRIMARY_VOLUME, SECONDARY_VOLUME, type MirrorGeometry } from './events.js';
import { MIRROR_VARIANTS, mirrorVariant, type MirrorVariant } from './variants.js';
import { mirrorPairWorkload } from './workload.js';

export interface MirrorPreset extends MirrorGeometry {
  /** Byte values the exhaustive alphabet writes; empty for presets only the model-based runs use. */
  readonly values: readonly number[];
}

/** Every bound in one place (STYLE.md "Limits and presets"). */
export const MIRROR_PRESETS: Presets<MirrorPreset> = {
  /**
   * Small enough for exhaustive search: 2 tracks of 2 bytes, written with the values 1 and 2, whole tracks
   * and a write that spans the two. Tracks of one byte cannot hold an unaligned write; 3 tracks of 2 bytes
   * with spanning writes reached 329 471 to 1 249 802 worlds per embodiment before issue 15 (12 times 3
   * tracks of 1 byte), this 49 042 to 109 032 (10 363 to 23 106 before online verify and silent corruption,
   * 5 634 to 12 503 before the track errors and restores), and every defective variant is still caught.
   */
  minimal: { trackCount: 2, trackSize: 2, values: [1, 2] },
  /**
   * The exhaustive check of a port in the test suite (test/conform/): 2 one-byte tracks, values 1 and 2, 9 988
   * worlds for e1; no write spans two tracks, which the minimal preset's check of a port covers in CI.
   */
  small: { trackCount: 2, trackSize: 1, values: [1, 2] },
  /** Model-based runs: 8 tracks of 4 bytes, any byte values, writes across track boundaries. */
  standard: { trackCount: 8, trackSize: 4, values: [] },
  /**
   * The nightly exhaustive search (issue 12): 4 one-byte tracks written with 1, 2 and 3, 17 291 088 worlds
   * for e1 before online verify (1 421 CPU s, 901 MB resident), the count Spin stores for the bench's Promela
   * model; not measured since (at 3x2 online verify multiplied the worlds by 6.5). One-byte
   * tracks hold no write spanning two tracks, which the minimal preset's two-byte tracks do; a preset file
   * can ask for both (`{"trackCount": 3, "trackSize": 2, "values": [1, 2]}`).
   */
  deep: { trackCount: 4, trackSize: 1, values: [1, 2, 3] },
};

/**
 * What a preset file may set (README "Presets"): up to 16 tracks of up to 8 bytes and up to 4 distinct
 * written values. The key holds a volume's length in one UTF-16 code unit, and the alphabet (two volumes,
 * every track, every value, plus 20 boundary and pair commands) stays far below the 65 535 commands the
 * search numbers; beyond these bounds no search finishes anyway.
 */
const presetSchema: z.ZodType<MirrorPreset> = z.object({
  trackCount: z.number().int().min(1).max(16),
  trackSize: z.number().int().min(1).max(8),
  values: z.array(z.number().int().min(1).max(255)).min(1).max(4)
    .refine((values) => new Set(values).size === values.length, 'written values must be distinct'),
}).strict();

/**
 * Reachable worlds and machine transitions of every embodiment over the minimal preset. Pinned so that a
 * change to the spec shows in review: if one of these moves, say why in the commit.
 */
export const MIRROR_PINNED: Readonly<Record<string, Pin>> = {
  e1: { states: 49042, transitions: 43 },
  'e1-differential': { states: 58767, transitions: 43 },
  e2: { states: 82010, transitions: 43 },
  'e2-differential': { states: 97837, transitions: 43 },
  'e2-fig14': { states: 92722, transitions: 43 },
  'e2-fig14-differential': { states: 109032, transitions: 43 },
  // A group of 2 pairs of 1 track of 2 bytes, written with 1 (src/mirror-pair/group-world.ts groupGeometry).
  'e1-group': { states: 20449, transitions: 43 },
};

function variantNamed(name: string): MirrorVariant {
  const variant = mirrorVariant(name);
  assert(variant !== undefined, () => `no mirror-pair variant ${name}`);
  return variant;
}

function pairCommand(type: Exclude<MirrorEventType, 'host.write' | 'host.read' | 'dump.read' | 'power.cycle' | 'track.fail' | 'track.corrupt' | 'group.suspend'>, pair = PAIR_ID): MirrorEvent {
  return { type, pair };
}

/** Alphabets by geometry object: the checker asks for one per world, always with the same geometry. */
const alphabets = new WeakMap<MirrorPreset, readonly MirrorEvent[]>();

/**
 * The exhaustive alphabet: every command on every track with the preset's values; writes that span two
 * tracks without covering either (when tracks have more than one byte), so a track-span rounding bug is
 * found by the search and not by the random runs alone; and every argument boundary, the last valid and the
 * first invalid offset, length and track, so that each rejection reason and "a rejected command changes
 * nothing" are explored in every world. A track error on every track of either volume is in it too (issue
 * 15), so the search injects one at every step where the state takes it, and so is a silent corruption of
 * every secondary track, with the online verify's start and step.
 */
function alphabet(geometry: MirrorPreset): readonly MirrorEvent[] {
  const known = alphabets.get(geometry);
  if (known !== undefined) return known;
  const { trackCount, trackSize, values } = geometry;
  const bytes = trackCount * trackSize;
  const fill = (value: number, length: number): string => toHex(new Array<number>(length).fill(value));
  const events: MirrorEvent[] = [];
  for (const volume of [PRIMARY_VOLUME, SECONDARY_VOLUME]) {
    for (let track = 0; track < trackCount; track += 1) {
      for (const value of values) events.push({ type: 'host.write', volume, offset: track * trackSize, data: fill(value, trackSize) });
    }
    events.push({ type: 'host.read', volume, offset: 0, length: bytes });
    for (let track = 0; track < trackCount; track += 1) events.push({ type: 'track.fail', volume, track });
  }
  for (let track = 0; track < trackCount; track += 1) events.push({ type: 'track.corrupt', track });
  // The last byte of each track and the first of the next: a write that touches two tracks, covering neither.
  if (trackSize > 1 && values.length > 0) {
    for (let track = 0; track + 1 < trackCount; track += 1) {
      events.push({ type: 'host.write', volume: PRIMARY_VOLUME, offset: (track + 1) * trackSize - 1, data: fill(values[0]!, 2) });
    }
  }
  const allTracks = Array.from({ length: trackCount }, (_, track) => track);
  events.push(
    pairCommand('pair.establish'), pairCommand('pair.suspend'), pairCommand('pair.resync'), pairCommand('pair.restore'), pairCommand('pair.separate'),
    pairCommand('copy.step'), pairCommand('dump.update-info'), { type: 'dump.read', pair: PAIR_ID, tracks: allTracks },
    pairCommand('pair.verify'), pairCommand('verify.step'),
    { type: 'power.cycle' },
    // Every argument rejection, at its boundary: malformed data, an unknown volume and pair, the first offset
    // past the end, a length of zero and one that runs one byte past the end, the first track past the end,
    // and a dump read that names no track.
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '0g' },
    { type: 'host.write', volume: 2, offset: 0, data: '01' },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: bytes, data: '01' },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: bytes - 1, data: '0101' },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '' },
    { type: 'host.read', volume: PRIMARY_VOLUME, offset: bytes, length: 1 },
    { type: 'host.read', volume: PRIMARY_VOLUME, offset: bytes - 1, length: 2 },
    { type: 'host.read', volume: PRIMARY_VOLUME, offset: 0, length: 0 },
    { type: 'dump.read', pair: PAIR_ID, tracks: [trackCount] },
    { type: 'dump.read', pair: PAIR_ID, tracks: [] },
    { type: 'track.fail', volume: 2, track: 0 },
    { type: 'track.fail', volume: SECONDARY_VOLUME, track: trackCount },
    { type: 'track.corrupt', track: trackCount },
    { type: 'dump.read', pair: PAIR_ID + 1, tracks: [0] },
    pairCommand('pair.suspend', PAIR_ID + 1),
  );
  alphabets.set(geometry, events);
  return events;
}

function eventArbitrary(geometry: MirrorGeometry): fc.Arbitrary<MirrorEvent> {
  const bytes = geometry.trackCount * geometry.trackSize;
  const volume = fc.oneof({ arbitrary: fc.constantFrom(PRIMARY_VOLUME, SECONDARY_VOLUME), weight: 20 }, { arbitrary: fc.constant(2), weight: 1 });
  const offset = fc.oneof({ arbitrary: fc.integer({ min: 0, max: bytes - 1 }), weight: 20 }, { arbitrary: fc.integer({ min: bytes, max: bytes + 4 }), weight: 1 });
  const pair = fc.oneof({ arbitrary: fc.constant(PAIR_ID), weight: 30 }, { arbitrary: fc.constant(PAIR_ID + 1), weight: 1 });
  const command = (type: Parameters<typeof pairCommand>[0]) => pair.map((id) => pairCommand(type, id));
  const write = fc.record({ volume, offset, data: fc.uint8Array({ minLength: 1, maxLength: 2 * geometry.trackSize }) })
    .map(({ volume: v, offset: o, data }): MirrorEvent => ({ type: 'host.write', volume: v, offset: o, data: toHex(data) }));
  const read = fc.record({ volume, offset, length: fc.integer({ min: 1, max: 2 * geometry.trackSize }) })
    .map((fields): MirrorEvent => ({ type: 'host.read', ...fields }));
  const dumpRead = fc.record({ pair, tracks: fc.uniqueArray(fc.integer({ min: 0, max: geometry.trackCount }), { minLength: 1, maxLength: geometry.trackCount }) })
    .map((fields): MirrorEvent => ({ type: 'dump.read', ...fields }));
  const trackFail = fc.record({ volume, track: fc.integer({ min: 0, max: geometry.trackCount }) })
    .map((fields): MirrorEvent => ({ type: 'track.fail', ...fields }));
  const trackCorrupt = fc.integer({ min: 0, max: geometry.trackCount }).map((track): MirrorEvent => ({ type: 'track.corrupt', track }));
  return fc.oneof(
    { arbitrary: write, weight: 12 },
    { arbitrary: read, weight: 3 },
    { arbitrary: command('copy.step'), weight: 8 },
    { arbitrary: command('pair.establish'), weight: 2 },
    { arbitrary: command('pair.suspend'), weight: 2 },
    { arbitrary: command('pair.resync'), weight: 2 },
    { arbitrary: command('pair.separate'), weight: 1 },
    { arbitrary: command('pair.restore'), weight: 1 },
    { arbitrary: trackFail, weight: 1 },
    { arbitrary: trackCorrupt, weight: 1 },
    { arbitrary: command('pair.verify'), weight: 1 },
    { arbitrary: command('verify.step'), weight: 8 },
    { arbitrary: command('dump.update-info'), weight: 1 },
    { arbitrary: dumpRead, weight: 2 },
    { arbitrary: fc.constant<MirrorEvent>({ type: 'power.cycle' }), weight: 1 },
  );
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function sameData(a: MirrorPairController, b: MirrorPairController): boolean {
  return a.sameControlMemory(b) && sameArray(a.primary.contents(), b.primary.contents()) && sameArray(a.secondary.contents(), b.secondary.contents());
}

/** The internal events the controller raises, as the model is told of them. */
const RAISED: Readonly<Record<string, MirrorEvent>> = {
  'copy.complete': { type: 'copy.complete', pair: PAIR_ID },
  'restore.complete': { type: 'restore.complete', pair: PAIR_ID },
  'verify.complete': { type: 'verify.complete', pair: PAIR_ID },
};

function raisedEvent(transition: ControlStep): MirrorEvent | undefined {
  return RAISED[transition.eventType];
}

function step(world: MirrorWorld, event: MirrorEvent): { after: MirrorWorld; outcome: MirrorStepOutcome } {
  if (world.group !== undefined) return groupStep(world, event);
  const controller = world.controller.clone();
  const controllerOutcome = controller.handle(event);
  const { variant, geometry } = controller;
  const applied = applyModel(world.model, event, variant.control, geometry);
  const answer = applied.answer;
  let model = applied.model;
  // The model cannot know when the background copy or the restore ends; it takes the controller's word, and
  // the properties check that word (synced-secondary-equals-primary; primary-current once restored).
  const raised = controllerOutcome.accepted ? controllerOutcome.transitions.slice(1).map(raisedEvent) : [];
  for (const internal of raised) if (internal !== undefined) model = applyModel(model, internal, variant.control, geometry).model;
  const outcome = { controller: controllerOutcome, model: answer };
  // A step that changed nothing returns the world itself, which spares the checker a key (reads, rejections).
  if (model === world.model && sameData(controller, world.controller)) return { after: world, outcome };
  return { after: { controller, model }, outcome };
}

/** Tells a pair's model of the internal events its controller raised in a step (copy, restore, verify complete). */
function toldRaised(model: MirrorModel, outcome: MirrorPairStep['controller'], controller: MirrorPairController): MirrorModel {
  if (!outcome.accepted) return model;
  let told = model;
  for (const transition of outcome.transitions.slice(1)) {
    const internal = raisedEvent(transition);
    if (internal !== undefined) told = applyModel(told, internal, controller.variant.control, controller.geometry).model;
  }
  return told;
}

/**
 * A step of a consistency group (src/mirror-pair/group.ts; model/mirror-pair.ts applyGroupModel): the
 * controller's group and the model's group each answer the command by their own rules, then each pair's model
 * is told what its controller raised, as in a single pair's step. The world itself when nothing changed.
 */
function groupStep(world: MirrorWorld, event: MirrorEvent): { after: MirrorWorld; outcome: MirrorStepOutcome } {
  const before = pairsOf(world);
  const { variant, geometry } = world.controller;
  const handled = handleGroup(before.map((p) => p.controller), event);
  const applied = applyGroupModel(before.map((p) => p.model), world.group!.split, event, variant.control, geometry);
  const models = [...applied.models];
  const pairs: MirrorPairStep[] = handled.result.pairs.map((p) => {
    models[p.pair] = toldRaised(models[p.pair]!, p.outcome, handled.pairs[p.pair]!);
    const answer = applied.pairs.find((m) => m.pair === p.pair)?.answer ?? applied.answer;
    return { pair: p.pair, event: p.event, controller: p.outcome, model: answer };
  });
  const outcome: MirrorStepOutcome = { controller: handled.result.outcome, model: applied.answer, pairs };
  const unchanged = applied.split === world.group!.split
    && before.every((p, k) => models[k] === p.model && (handled.pairs[k] === p.controller || sameData(handled.pairs[k]!, p.controller)));
  if (unchanged) return { after: world, outcome };
  return { after: groupWorldOf(handled.pairs, models, applied.split), outcome };
}

function groupWorldOf(controllers: readonly MirrorPairController[], models: readonly MirrorModel[], split: GroupSplit): MirrorWorld {
  const others = controllers.slice(1).map((controller, k) => ({ controller, model: models[k + 1]! }));
  return { controller: controllers[0]!, model: models[0]!, group: { others, split } };
}

/** Stands for a null array in a key; above every byte (0-255), unknown byte (256), length and track number. */
const NO_ARRAY = 0xffff;
const CONTROL_STATES: readonly MirrorStateKey[] = MIRROR_STATE_KEYS;

/** A volume's bytes as their count, then one code per byte. */
function pushBytes(codes: number[], bytes: Uint8Array): void {
  codes.push(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) codes.push(bytes[i]!);
}

/**
 * A model array as its length, then one code per element (an unknown byte, null, as 256); a null array as
 * NO_ARRAY. Kept apart from pushBytes so that each loop reads one kind of array.
 */
function pushValues(codes: number[], values: readonly (number | null)[] | null): void {
  if (values === null) {
    codes.push(NO_ARRAY);
    return;
  }
  codes.push(values.length);
  for (let i = 0; i < values.length; i += 1) codes.push(values[i] ?? 256);
}

/** A bitmap as its count of set bits, then each set bit. */
function pushBitmap(codes: number[], bitmap: TrackBitmap): void {
  codes.push(bitmap.count);
  for (let bit = bitmap.nextSet(0); bit !== -1; bit = bitmap.nextSet(bit + 1)) codes.push(bit);
}

/**
 * Every field of controller and model as UTF-16 code units, each array prefixed by its length, so that two
 * keys are equal exactly when every field is. The codes become one flat string in a single call: a template of
 * a dozen parts made a rope, which the checker's seen-map flattened again on every step. Lengths and track
 * numbers must fit one code unit below NO_ARRAY, as they do in any preset the exhaustive checker can search.
 */
function key(world: MirrorWorld): string {
  const codes: number[] = [];
  pushPair(codes, world);
  // A group's other pairs and its split record follow pair 0; a single pair's key is pair 0's alone, as before groups.
  if (world.group !== undefined) {
    for (const pair of world.group.others) pushPair(codes, pair);
    for (const image of world.group.split) pushValues(codes, image);
  }
  return String.fromCharCode.apply(null, codes);
}

function pushPair(codes: number[], { controller: c, model: m }: MirrorWorld): void {
  assert(c.primary.byteLength < NO_ARRAY && c.geometry.trackCount < NO_ARRAY, 'a world too large for the exhaustive key');
  codes.push(CONTROL_STATES.indexOf(c.state));
  pushBytes(codes, c.primary.contents());
  pushBytes(codes, c.secondary.contents());
  pushBitmap(codes, c.primaryBitmap);
  pushBitmap(codes, c.secondaryBitmap);
  pushBitmap(codes, c.copyPending);
  pushBitmap(codes, c.primaryFailed);
  pushBitmap(codes, c.verifyFound);
  codes.push(CONTROL_STATES.indexOf(m.state));
  pushValues(codes, m.primary);
  pushValues(codes, m.secondary);
  pushValues(codes, m.releaseImage);
  pushValues(codes, m.writtenSinceRelease);
  pushValues(codes, m.lastInterval);
  pushValues(codes, m.corrupted);
  pushValues(codes, m.verifyMust);
  pushValues(codes, m.verifyMay);
}

/** The concrete commands that make the controller take a machine event (minimal preset). */
function concreteEvents(eventType: MirrorEventType, geometry: MirrorGeometry): readonly MirrorEvent[] {
  const { trackCount } = geometry;
  switch (eventType) {
    case 'host.write':
      return [{ type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '01' }];
    case 'host.read':
      return [{ type: 'host.read', volume: PRIMARY_VOLUME, offset: 0, length: trackCount }];
    case 'dump.read':
      return [{ type: 'dump.read', pair: PAIR_ID, tracks: [0] }];
    case 'power.cycle':
      return [{ type: 'power.cycle' }];
    // The controller raises copy.complete itself when the copy list empties: enough copy steps get it there.
    case 'copy.complete':
    case 'restore.complete':
      return new Array<MirrorEvent>(trackCount).fill(pairCommand('copy.step'));
    case 'verify.complete':
      return new Array<MirrorEvent>(trackCount).fill(pairCommand('verify.step'));
    case 'track.corrupt':
      return [{ type: 'track.corrupt', track: 0 }];
    // Not a machine event (src/mirror-pair/group.ts): the machine never asks for it.
    case 'group.suspend':
      return [{ type: 'group.suspend', group: GROUP_ID }];
    // An error on the secondary is taken both during the copy and when synced.
    case 'track.fail':
      return [{ type: 'track.fail', volume: SECONDARY_VOLUME, track: 0 }];
    // Dirty a track first, so the restore has a track to copy back and stays in restoring.
    case 'pair.restore':
      return [{ type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '02' }, pairCommand('pair.restore')];
    // Dirty a track first, so a differential resync has a track to copy and stays in mirror.syncing.
    case 'pair.resync':
      return [{ type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '02' }, pairCommand('pair.resync')];
    default:
      return [pairCommand(eventType)];
  }
}

/** Bytes grouped by track: `01.02.00` (tracks joined by '.'). */
function byTrack(bytes: ArrayLike<number | null>, trackSize: number): string {
  const tracks: string[] = [];
  for (let start = 0; start < bytes.length; start += trackSize) {
    let track = '';
    for (let i = start; i < start + trackSize; i += 1) track += bytes[i] === null ? '??' : toHex([bytes[i]!]);
    tracks.push(track);
  }
  return tracks.join('.');
}

/** Tracks where `actual` differs from `expected` (null bytes in `expected` match anything). */
function differingTracks(actual: ArrayLike<number>, expected: ArrayLike<number | null>, trackSize: number): number[] {
  const tracks = new Set<number>();
  for (let i = 0; i < actual.length; i += 1) if (expected[i] !== null && expected[i] !== actual[i]) tracks.add(Math.floor(i / trackSize));
  return [...tracks];
}

/** The trace line of a world: pair 0's; in a group, each other pair's after it and the group split record. */
function formatWorld(world: MirrorWorld): string {
  if (world.group === undefined) return formatPair(world);
  const others = world.group.others.map((pair, k) => ` ‖ pair ${k + 1}: ${formatPair(pair)}`).join('');
  const size = world.controller.geometry.trackSize;
  const split = world.group.split.some((image) => image !== null)
    ? ` ‖ group split [${world.group.split.map((image) => (image === null ? '-' : byTrack(image, size))).join(' ')}]`
    : '';
  return `${formatPair(world)}${others}${split}`;
}

function formatPair({ controller: c, model: m }: MirrorWorld): string {
  const size = c.geometry.trackSize;
  const primary = c.primary.contents();
  const secondary = c.secondary.contents();
  const notes = [`P≠S [${differingTracks(secondary, [...primary], size).join(',')}]`];
  const primaryOff = differingTracks(abstractOf(c).current, m.primary, size);
  const secondaryOff = differingTracks(secondary, m.secondary, size);
  if (primaryOff.length > 0) notes.push(`P≠model [${primaryOff.join(',')}]`);
  if (secondaryOff.length > 0) notes.push(`S≠model [${secondaryOff.join(',')}]`);
  if (m.releaseImage !== null) notes.push(`release image ${byTrack(m.releaseImage, size)}`);
  // The failed-track record is shown only when it holds a track, so traces of the seed's own paths read as before.
  const failed = c.primaryFailed.count > 0 ? ` Pfailed=${c.primaryFailed}` : '';
  const found = c.verifyFound.count > 0 ? ` found=${c.verifyFound}` : '';
  if (m.corrupted.length > 0) notes.push(`corrupted [${m.corrupted.join(',')}]`);
  return `${c.state} P=${byTrack(primary, size)} S=${byTrack(secondary, size)} `
    + `Pbm=${c.primaryBitmap} Sbm=${c.secondaryBitmap} copy=${c.copyPending}${failed}${found} | ${notes.join(' ')}`;
}

/** Indices where `actual` differs from `expected`; a null in `expected` (a byte the model does not know) matches anything. */
function differingCells(actual: ArrayLike<number>, expected: readonly (number | null)[]): number[] {
  const cells: number[] = [];
  for (let i = 0; i < actual.length; i += 1) if (expected[i] !== null && expected[i] !== actual[i]) cells.push(i);
  return cells;
}

/** Tracks whose bit in `bitmap` differs from whether the model lists them in `expected`. */
function differingBits(bitmap: TrackBitmap, expected: readonly number[], trackCount: number): number[] {
  const cells: number[] = [];
  for (let track = 0; track < trackCount; track += 1) if (bitmap.test(track) !== expected.includes(track)) cells.push(track);
  return cells;
}

/**
 * The cells the report marks, read as the properties read them: the host's image of the pair (the primary,
 * with a failed or still-to-restore track taken from the secondary) against the model's primary
 * (primary-current); the secondary against the release image while suspended or restoring
 * (frozen-secondary), else against the bytes the model knows (secondary-refines-model); Pbm against the
 * tracks written since the last release (primary-bitmap-exact); and, while suspended or restoring, Sbm
 * against the tracks of the last interval (frozen-bitmap-is-interval). The copy list and the failed-track
 * record have no model counterpart.
 */
function differences({ controller: c, model: m }: MirrorWorld): Differences {
  const { trackCount } = c.geometry;
  const suspended = c.state === 'suspended' || c.state === 'restoring';
  return {
    primary: differingCells(abstractOf(c).current, m.primary),
    secondary: differingCells(c.secondary.contents(), suspended && m.releaseImage !== null ? m.releaseImage : m.secondary),
    primaryBitmap: differingBits(c.primaryBitmap, m.writtenSinceRelease, trackCount),
    secondaryBitmap: suspended ? differingBits(c.secondaryBitmap, m.lastInterval ?? [], trackCount) : [],
  };
}

function formatOutcome(step: MirrorStepOutcome): string {
  const outcome = step.controller;
  const pairs = step.pairs !== undefined && outcome.accepted ? ` by pair ${step.pairs.map((p) => p.pair).join(',')}` : '';
  const verdict = outcome.accepted
    ? outcome.transitions.length > 1 && pairs === '' ? `accepted, raised ${outcome.transitions.slice(1).map((t) => t.eventType).join(',')}` : `accepted${pairs}`
    : `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const result = outcome.accepted && outcome.result.kind !== 'none' ? ` result=${JSON.stringify(outcome.result)}` : '';
  return `${verdict}${result}`;
}

/**
 * What a port must know to match, beyond the commands and the transitions docs/vectors.md generates: the
 * paragraphs of this lifecycle's section there. They say in words what the controller does, and a port
 * written from them alone passes `copyspec conform` (docs/conform.md, examples/mirror-pair-py/).
 */
const VECTOR_NOTES: readonly string[] = [
  'The pair has id 0 and two volumes of `trackCount × trackSize` bytes, all zero at first: volume 0 is the '
    + 'primary and volume 1 the secondary. `primary` and `secondary` are their bytes in hex; `primaryBitmap` '
    + '(Pbm), `secondaryBitmap` (Sbm), `copyPending` (the tracks the background copy has still to copy) and '
    + '`primaryFailed` (the primary\'s failed tracks, below) and `verifyFound` (the tracks a running online verify '
    + 'found to differ, below) are bitmaps of `trackCount` characters. A byte range `offset`, `length` touches the tracks '
    + '`floor(offset / trackSize)` to `ceil((offset + length) / trackSize) - 1`; a write sets every touched '
    + 'track in a bitmap, even one it covers only in part.',
  'Arguments are checked before the state, in this order: `malformed-command` (1) for write data that is '
    + 'not lowercase hex of an even length; `unknown-pair` (2) for a pair command or dump read whose `pair` is '
    + 'not 0; `unknown-volume` (3) for a host write or read whose `volume` is not 0 or 1; `track-out-of-range` '
    + '(4) for an `offset` at or past the end of the volume, or a dump read of a track at or past `trackCount`; '
    + '`length-out-of-range` (5) for a write of no bytes, a read of length 0, a range that runs past the end, '
    + 'or a dump read of no tracks. A `track.fail` is checked for `unknown-volume` (a `volume` not 0 or 1), then '
    + '`track-out-of-range` (a `track` at or past `trackCount`); a `track.corrupt` for `track-out-of-range` alone. '
    + 'Then `wrong-state` (6) when the state has no '
    + 'transition for the command (table above), and also for a `track.fail` on volume 0 in `mirror.syncing`; '
    + 'and `busy` (7), not `wrong-state`, for a `host.write` in `restoring`. `host.read` and `power.cycle` are '
    + 'accepted in every state, `host.write` in every state but `restoring`. A refused command changes nothing.',
  'Host writes, by state. `separated`: the volume addressed is written, and its tracks set in that volume\'s '
    + 'bitmap (Pbm for volume 0, Sbm for volume 1), except that with `writeRecording: "primary-only"` a write '
    + 'to volume 1 sets no bitmap. `mirror.syncing` and `mirror.synced`: both volumes are written whichever is '
    + 'addressed, and the tracks set in Pbm, and in Sbm too unless `writeRecording` is `"primary-only"`. '
    + '`suspended`: only the primary is written, whichever volume is addressed, and the tracks set in Pbm. '
    + '`suspended-error`: each touched track is written on the secondary if it is in `primaryFailed`, else on the '
    + 'primary, and then set in `copyPending`; every touched track is set in Pbm. `mirror.verifying` writes as '
    + '`mirror.synced` does. A host read returns the bytes of the volume addressed when `separated`; in '
    + '`restoring`, track by track, of the secondary for a track in `copyPending` and of the primary for any '
    + 'other; in `suspended-error`, track by track, of the secondary for a track in `primaryFailed` and of the '
    + 'primary for any other; and of the primary in every other state.',
  'The pair commands. `pair.establish` (`separated`): with `embodiment: 1`, Sbm is cleared; every track is '
    + 'then pending, and the state is `mirror.syncing`. `copy.step` (`mirror.syncing`): the lowest pending '
    + 'track is taken off `copyPending` and the primary\'s bytes of that track copied to the secondary. '
    + '`pair.suspend` (`mirror.synced`): embodiment 1 clears Pbm; embodiment 2 first sets Sbm to Pbm, then clears '
    + 'Pbm; the state is `suspended`. `pair.resync` (`suspended`): embodiment 1 clears Sbm; the pending tracks '
    + 'become every track (`resyncCopy: "full"`) or exactly Pbm\'s tracks (`"differential"`), and the state is '
    + '`mirror.syncing`. `pair.separate`: from `mirror.*` no track is pending any more; from `suspended` only the '
    + 'state changes; the state is `separated`, and volumes and the other bitmaps are kept. `dump.update-info` '
    + '(`suspended`) changes nothing and reports Sbm; `dump.read` (`suspended`) changes nothing and reports, for '
    + 'each track asked and in the order asked (a track asked twice is reported twice), the secondary\'s bytes '
    + 'of that track. `power.cycle` changes nothing with `controlMemory: "non-volatile"` (with `"volatile"`, '
    + 'the state becomes `separated` and the four bitmaps are cleared).',
  'Beyond the seed (issue 15). `track.fail` (`mirror.syncing`, volume 1 only; `mirror.synced`, either volume) '
    + 'sets every byte of that track of that volume to `ee`, sets the track in `copyPending` (volume 1) or in '
    + '`primaryFailed` (volume 0), and the state becomes `suspended-error`; `copyPending` is kept as it was '
    + 'otherwise (the tracks still to copy are uncertain too). `pair.resync` (`suspended-error`): first every '
    + 'track in `primaryFailed` is copied from the secondary to the primary and `primaryFailed` cleared; then, as '
    + 'from `suspended`, embodiment 1 clears Sbm, and the pending tracks become every track (`resyncCopy: '
    + '"full"`) or stay `copyPending` as it is (`"differential"`); the state is `mirror.syncing`. `pair.restore` '
    + '(`suspended`): `copyPending` becomes Pbm OR Sbm, Pbm is cleared, and the state is `restoring`; there '
    + '`copy.step` takes the lowest pending track off `copyPending` and copies the secondary\'s bytes of that '
    + 'track to the primary.',
  'Online verify (issue 15). `track.corrupt` (`mirror.synced` and `mirror.verifying`) sets every byte of that '
    + 'track of the secondary to `cc` and changes nothing else: no bitmap records it. `pair.verify` '
    + '(`mirror.synced`) sets every track in `copyPending` and the state becomes `mirror.verifying`. There '
    + '`verify.step` takes the lowest pending track off `copyPending` and compares that track\'s bytes on the two '
    + 'volumes; if they differ, the track is set in `verifyFound`. `track.fail` in `mirror.verifying` (either '
    + 'volume) first clears `copyPending` and `verifyFound`, then does what it does in `mirror.synced`; '
    + '`pair.separate` clears both and the state becomes `separated`. `pair.suspend` is refused (`wrong-state`) '
    + 'while verifying. A volatile `power.cycle` clears `verifyFound` too.',
  'The end of the copy: after any accepted command, if the state is `mirror.syncing` and no track is '
    + 'pending, the controller raises `copy.complete` in the same step: embodiment 1 sets Sbm to Pbm, and the '
    + 'state becomes `mirror.synced`. So the last `copy.step` completes the copy, and a differential resync '
    + 'with an empty Pbm completes in its own step. Likewise, if the state is `restoring` and no track is '
    + 'pending, the controller raises `restore.complete` (`restoring --restore.complete--> suspended`), '
    + 'changing nothing else. And if the state is `mirror.verifying` and no track is pending, it raises '
    + '`verify.complete` (`mirror.verifying --verify.complete--> mirror.synced`): the step\'s result is '
    + '`{"kind": "verify", "bitmap": verifyFound}` as it was, and then `verifyFound` is cleared.',
  'Outcomes. An accepted command gives `{"accepted": true, "transitions": [...]}`: the transitions it took, '
    + 'named `source --event--> target` (the table\'s names without the `mirror-pair: ` prefix), the command\'s '
    + 'own first and a raised `copy.complete`, `restore.complete` or `verify.complete` after it. A command accepted in every state names the state it '
    + 'was sent in: `suspended --host.read--> suspended`, `mirror.syncing --power.cycle--> mirror.syncing`. A '
    + 'read adds `"result": {"kind": "read", "data": hex}`, an update-info `"result": {"kind": "update-info", '
    + '"bitmap": Sbm}`, a dump read `"result": {"kind": "dump", "records": [{"track": t, "data": hex}, ...]}`, '
    + 'the `verify.step` that completes a verify `"result": {"kind": "verify", "bitmap": ...}`; no other '
    + 'command has a `result` field. A refusal gives `{"accepted": false, "reason": name, "code": n}`.',
  'Consistency groups (issue 15; `e1-group`, whose `parameters` carry `pairCount`). A single pair is in no '
    + 'group: `group.suspend` is refused `unknown-pair` (2), as is a `host.write`, `host.read`, `track.fail` or '
    + '`track.corrupt` whose optional `pair` is not 0 (no `pair` field is pair 0). With `pairCount` n the world '
    + 'is n pairs numbered 0 to n-1, each of `floor(trackCount / n)` tracks (at least 1) of `trackSize` bytes and '
    + 'each as a single pair above; a command goes to the pair it names (`pair`, absent for 0), checked first for '
    + '`malformed-command` as that pair would check it, then `unknown-pair` for a pair at or past n; `power.cycle` '
    + 'goes to every pair. `group.suspend` with `group` 0 (another group is `unknown-pair`) is refused '
    + '`wrong-state` unless every pair is `mirror.synced`, changing no pair; else every pair takes its '
    + '`pair.suspend` in this one step. The observation is pair 0\'s fields with `otherPairs`, the same fields of '
    + 'pairs 1 to n-1; an accepted outcome names each transition with its pair, `pair 1: mirror.synced '
    + '--pair.suspend--> suspended`, in pair order, and carries the addressed pair\'s `result`.',
  'The literal-defect variant (`guards: "literal"`, not among the vector files) also accepts `pair.suspend` '
    + 'in `mirror.syncing` (to `suspended`, clearing Pbm) and in `suspended` (clearing Pbm again), and '
    + '`dump.update-info` and `dump.read` in `mirror.*` (`mirror.verifying` too); `copyspec conform --variant literal-unguarded` checks '
    + 'a port of it.',
];

export const mirrorPairLifecycle = defineLifecycle<MirrorWorld, MirrorEvent, MirrorStepOutcome, MirrorPreset>({
  id: 'mirror-pair',
  seed: '000',
  title: 'Mirror pair with per-track update bitmaps, temporary release, resync and differential dump',
  variants: MIRROR_VARIANTS,
  machines: [{ name: 'mirror-pair', title: 'mirror-pair (seed 000): one primary/secondary pair', machine: mirrorPairMachine }],
  presets: MIRROR_PRESETS,
  eventSchema: mirrorEventSchema,
  properties: MIRROR_PROPERTIES,
  reasons: ['malformed-command', 'unknown-pair', 'unknown-volume', 'track-out-of-range', 'length-out-of-range', 'wrong-state', 'busy'],
  pinned: MIRROR_PINNED,
  initial(variantName, preset) {
    const variant = variantNamed(variantName);
    if (variant.control.pairCount !== undefined) return initialGroupWorld(variant, preset);
    return { controller: new MirrorPairController(variant, preset), model: initialModel(preset) };
  },
  step,
  key,
  alphabet: (world) => (world.group === undefined
    ? alphabet(world.controller.geometry as MirrorPreset)
    : groupAlphabet(alphabet(world.controller.geometry as MirrorPreset), world.group.split.length)),
  arbitrary: (variantName, preset) => {
    const pairCount = variantNamed(variantName).control.pairCount;
    return pairCount === undefined ? eventArbitrary(preset) : groupEventArbitrary(eventArbitrary(groupGeometry(preset, pairCount)), pairCount);
  },
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.transitions.map((t) => ({ machine: mirrorPairMachine.id, source: t.source, eventType: t.eventType, target: t.target }))
    : []),
  controlStates: (world) => ({ [mirrorPairMachine.id]: world.controller.state }),
  commandsFor: (_machine, eventType, world) => concreteEvents(eventType as MirrorEventType, world.controller.geometry),
  formatEvent: formatMirrorEvent,
  formatWorld,
  formatOutcome,
  vectorNotes: VECTOR_NOTES,
  // A group is observed as pair 0 is, with the other pairs' observations in `otherPairs`, pair 1 first.
  observe: (world) => (world.group === undefined ? observePair(world) : { ...observePair(world), otherPairs: world.group.others.map(observePair) }),
  observeOutcome: (step) => {
    const outcome = step.controller;
    if (!outcome.accepted) return { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code };
    const transitions = step.pairs === undefined ? outcome.transitions.map((t) => t.edge) : groupTransitions(step);
    return { accepted: true, transitions, ...(outcome.result.kind === 'none' ? {} : { result: outcome.result }) };
  },
  observedKinds: { primary: 'bytes', secondary: 'bytes', primaryBitmap: 'bits', secondaryBitmap: 'bits', copyPending: 'bits', primaryFailed: 'bits', verifyFound: 'bits' },
  differences,
  layout: mirrorPairLayout,
  presetSchema,
  workload: mirrorPairWorkload,
});
