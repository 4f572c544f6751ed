/**
 * mirror-pair (seed 000) as the verifier sees it: presets, the world (controller plus model), the event
 * alphabets, and the mapping from machine paths to concrete commands.
 */
import { getSimplePaths } from '@xstate/graph';
import fc from 'fast-check';
import { mirrorPairMachine, type MirrorEvent, type MirrorEventType } from '../../machines/mirror-pair.js';
import { applyModel, initialModel } from '../../model/mirror-pair.js';
import { MIRROR_PROPERTIES, type MirrorStepOutcome, type MirrorWorld } from '../../properties/mirror-pair.js';
import { assert } from '../assert.js';
import type { TrackBitmap } from '../track-bitmap.js';
import { ControlTable, stateKey, type ControlStep } from '../control.js';
import { toHex } from '../hex.js';
import type { ControlPath, Lifecycle, PresetName, Step } from '../lifecycle.js';
import { formatMirrorEvent, mirrorEventSchema, PAIR_ID, PRIMARY_VOLUME, SECONDARY_VOLUME, type MirrorGeometry } from './commands.js';
import { MirrorPairController, type MirrorStateKey } from './controller.js';
import { MIRROR_VARIANTS, mirrorVariant, type MirrorVariant } from './variants.js';

/** Every bound in one place (STYLE.md "Limits and presets"). */
export const MIRROR_PRESETS: Record<PresetName, MirrorGeometry & { readonly values: readonly number[] }> = {
  /** Small enough for exhaustive search: 3 tracks of 1 byte, written with the values 1 and 2. */
  minimal: { trackCount: 3, trackSize: 1, values: [1, 2] },
  /** Model-based runs: 8 tracks of 4 bytes, any byte values, writes across track boundaries. */
  standard: { trackCount: 8, trackSize: 4, values: [] },
};

const EVENT_TYPES: readonly MirrorEventType[] = [
  'host.write', 'host.read', 'pair.establish', 'pair.suspend', 'pair.resync', 'pair.separate',
  'copy.step', 'copy.complete', 'dump.update-info', 'dump.read', 'power.cycle',
];

type MirrorStepView = Step<MirrorWorld, MirrorEvent, MirrorStepOutcome>;

function variantNamed(name: string): MirrorVariant {
  const variant = mirrorVariant(name);
  assert(variant !== undefined, () => `no mirror-pair variant ${name}`);
  return variant;
}

function pairCommand(type: Exclude<MirrorEventType, 'host.write' | 'host.read' | 'dump.read' | 'power.cycle'>, pair = PAIR_ID): MirrorEvent {
  return { type, pair };
}

/** Alphabets by geometry object: the checker asks for one per world, always with the same geometry. */
const alphabets = new WeakMap<MirrorGeometry, readonly MirrorEvent[]>();

/**
 * The exhaustive alphabet: every command on every track and the minimal preset's values, and one of each
 * rejection reason.
 */
function alphabet(geometry: MirrorGeometry): readonly MirrorEvent[] {
  const known = alphabets.get(geometry);
  if (known !== undefined) return known;
  const values = MIRROR_PRESETS.minimal.values;
  const bytes = geometry.trackCount * geometry.trackSize;
  const events: MirrorEvent[] = [];
  for (const volume of [PRIMARY_VOLUME, SECONDARY_VOLUME]) {
    for (let track = 0; track < geometry.trackCount; track += 1) {
      for (const value of values) {
        events.push({ type: 'host.write', volume, offset: track * geometry.trackSize, data: toHex(new Array<number>(geometry.trackSize).fill(value)) });
      }
    }
    events.push({ type: 'host.read', volume, offset: 0, length: bytes });
  }
  const allTracks = Array.from({ length: geometry.trackCount }, (_, track) => track);
  events.push(
    pairCommand('pair.establish'), pairCommand('pair.suspend'), pairCommand('pair.resync'), pairCommand('pair.separate'),
    pairCommand('copy.step'), pairCommand('dump.update-info'), { type: 'dump.read', pair: PAIR_ID, tracks: allTracks },
    { type: 'power.cycle' },
    // One command for each argument rejection, so that "a rejected command changes nothing" is explored everywhere.
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '0g' },
    { type: 'host.write', volume: 2, offset: 0, data: '01' },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: bytes, data: '01' },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: bytes - 1, data: '0101' },
    { type: 'dump.read', pair: PAIR_ID, tracks: [geometry.trackCount] },
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
  return fc.oneof(
    { arbitrary: write, weight: 12 },
    { arbitrary: read, weight: 3 },
    { arbitrary: command('copy.step'), weight: 8 },
    { arbitrary: command('pair.establish'), weight: 2 },
    { arbitrary: command('pair.suspend'), weight: 2 },
    { arbitrary: command('pair.resync'), weight: 2 },
    { arbitrary: command('pair.separate'), weight: 1 },
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

const COPY_COMPLETE: MirrorEvent = { type: 'copy.complete', pair: PAIR_ID };

function isCopyComplete(transition: ControlStep): boolean {
  return transition.eventType === 'copy.complete';
}

function step(world: MirrorWorld, event: MirrorEvent): { after: MirrorWorld; outcome: MirrorStepOutcome } {
  const controller = world.controller.clone();
  const controllerOutcome = controller.handle(event);
  const { variant, geometry } = controller;
  const applied = applyModel(world.model, event, variant.control, geometry);
  const answer = applied.answer;
  let model = applied.model;
  // The model cannot know when the background copy ends; it takes the controller's word, and the property
  // synced-secondary-equals-primary checks that word.
  if (controllerOutcome.accepted && controllerOutcome.transitions.some(isCopyComplete)) {
    model = applyModel(model, COPY_COMPLETE, variant.control, geometry).model;
  }
  const outcome = { controller: controllerOutcome, model: answer };
  // A step that changed nothing returns the world itself, which spares the checker a key (reads, rejections).
  if (model === world.model && sameData(controller, world.controller)) return { after: world, outcome };
  return { after: { controller, model }, outcome };
}

/** Stands for a null array in a key; above every byte (0-255), unknown byte (256), length and track number. */
const NO_ARRAY = 0xffff;
const CONTROL_STATES: readonly MirrorStateKey[] = ['separated', 'mirror.syncing', 'mirror.synced', 'suspended'];

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
  const { controller: c, model: m } = world;
  assert(c.primary.byteLength < NO_ARRAY && c.geometry.trackCount < NO_ARRAY, 'a world too large for the exhaustive key');
  const codes: number[] = [];
  codes.push(CONTROL_STATES.indexOf(c.state));
  pushBytes(codes, c.primary.contents());
  pushBytes(codes, c.secondary.contents());
  pushBitmap(codes, c.primaryBitmap);
  pushBitmap(codes, c.secondaryBitmap);
  pushBitmap(codes, c.copyPending);
  codes.push(CONTROL_STATES.indexOf(m.state));
  pushValues(codes, m.primary);
  pushValues(codes, m.secondary);
  pushValues(codes, m.releaseImage);
  pushValues(codes, m.writtenSinceRelease);
  pushValues(codes, m.lastInterval);
  return String.fromCharCode.apply(null, codes);
}

function takenEdges(view: MirrorStepView): readonly string[] {
  const outcome = view.outcome.controller;
  return outcome.accepted ? outcome.transitions.map((t) => t.edge) : [];
}

const machineEdgeCache = new Map<string, readonly string[]>();

/** Control states reachable in the machine (found by @xstate/graph) times the events each accepts. */
function machineEdges(variantName: string): readonly string[] {
  const cached = machineEdgeCache.get(variantName);
  if (cached !== undefined) return cached;
  const variant = variantNamed(variantName);
  const table = new ControlTable(mirrorPairMachine, variant.control);
  const states = new Set(controlPathsOf(variant).flatMap((path) => path.steps.map((s) => s.state)));
  states.add('separated');
  const edges: string[] = [];
  for (const source of [...states].sort()) {
    for (const eventType of EVENT_TYPES) {
      const taken = table.evaluate(source, eventType);
      if (taken !== null) edges.push(taken.edge);
    }
  }
  machineEdgeCache.set(variantName, edges);
  return edges;
}

/** The concrete commands that make the controller take a machine event (minimal preset). */
function concreteEvents(eventType: MirrorEventType): readonly MirrorEvent[] {
  const { trackCount } = MIRROR_PRESETS.minimal;
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
      return new Array<MirrorEvent>(trackCount).fill(pairCommand('copy.step'));
    // Dirty a track first, so a differential resync has a track to copy and stays in mirror.syncing.
    case 'pair.resync':
      return [{ type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '02' }, pairCommand('pair.resync')];
    default:
      return [pairCommand(eventType)];
  }
}

const controlPathCache = new Map<string, readonly ControlPath<MirrorEvent>[]>();

/** Every simple path of the machine (no state repeated), from @xstate/graph. */
function controlPathsOf(variant: MirrorVariant): readonly ControlPath<MirrorEvent>[] {
  const cached = controlPathCache.get(variant.name);
  if (cached !== undefined) return cached;
  const paths = getSimplePaths(mirrorPairMachine, {
    input: variant.control,
    events: EVENT_TYPES.map((type) => ({ type }) as MirrorEvent),
  }).map((path) => ({
    description: path.steps.slice(1).map((s) => s.event.type).join(' → ') || '(initial)',
    steps: path.steps.slice(1).map((s) => ({
      eventType: s.event.type,
      events: concreteEvents(s.event.type as MirrorEventType),
      state: stateKey(s.state.value),
    })),
  }));
  controlPathCache.set(variant.name, paths);
  return paths;
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

function formatWorld({ controller: c, model: m }: MirrorWorld): string {
  const size = c.geometry.trackSize;
  const primary = c.primary.contents();
  const secondary = c.secondary.contents();
  const notes = [`P≠S [${differingTracks(secondary, [...primary], size).join(',')}]`];
  const primaryOff = differingTracks(primary, m.primary, size);
  const secondaryOff = differingTracks(secondary, m.secondary, size);
  if (primaryOff.length > 0) notes.push(`P≠model [${primaryOff.join(',')}]`);
  if (secondaryOff.length > 0) notes.push(`S≠model [${secondaryOff.join(',')}]`);
  if (m.releaseImage !== null) notes.push(`release image ${byTrack(m.releaseImage, size)}`);
  return `${c.state} P=${byTrack(primary, size)} S=${byTrack(secondary, size)} `
    + `Pbm=${c.primaryBitmap} Sbm=${c.secondaryBitmap} copy=${c.copyPending} | ${notes.join(' ')}`;
}

function formatStep(view: MirrorStepView): string {
  const outcome = view.outcome.controller;
  const verdict = outcome.accepted
    ? outcome.transitions.length > 1 ? `accepted, raised ${outcome.transitions.slice(1).map((t) => t.eventType).join(',')}` : 'accepted'
    : `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const result = outcome.accepted && outcome.result.kind !== 'none' ? ` result=${JSON.stringify(outcome.result)}` : '';
  return `${formatMirrorEvent(view.event)} → ${verdict}${result} → ${formatWorld(view.after)}`;
}

export const mirrorPairLifecycle: Lifecycle<MirrorWorld, MirrorEvent, MirrorStepOutcome> = {
  id: 'mirror-pair',
  seed: '000',
  title: 'Mirror pair with per-track update bitmaps, temporary release, resync and differential dump',
  variants: MIRROR_VARIANTS,
  machines: [{ name: 'mirror-pair', title: 'mirror-pair (seed 000): one primary/secondary pair', machine: mirrorPairMachine }],
  properties: MIRROR_PROPERTIES,
  initial(variantName, preset) {
    const variant = variantNamed(variantName);
    const geometry = MIRROR_PRESETS[preset];
    return { controller: new MirrorPairController(variant, geometry), model: initialModel(geometry) };
  },
  step,
  key,
  exhaustiveEvents: (world) => alphabet(world.controller.geometry),
  eventArbitrary: (_variant, preset) => eventArbitrary(MIRROR_PRESETS[preset]),
  takenEdges,
  machineEdges,
  controlState: (world) => world.controller.state,
  controlPaths: (variantName) => controlPathsOf(variantNamed(variantName)),
  parseEvent(json) {
    const parsed = mirrorEventSchema.safeParse(json);
    return parsed.success ? parsed.data : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'event'}: ${issue.message}`).join('; ');
  },
  formatEvent: formatMirrorEvent,
  formatStep,
  formatWorld,
  observe: ({ controller: c }) => ({
    state: c.state,
    primary: toHex(c.primary.contents()),
    secondary: toHex(c.secondary.contents()),
    primaryBitmap: c.primaryBitmap.toString(),
    secondaryBitmap: c.secondaryBitmap.toString(),
    copyPending: c.copyPending.toString(),
  }),
  observeOutcome: ({ controller: outcome }) => (outcome.accepted
    ? { accepted: true, transitions: outcome.transitions.map((t) => t.edge), ...(outcome.result.kind === 'none' ? {} : { result: outcome.result }) }
    : { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code }),
  variantParameters: (name) => variantNamed(name).control,
};
