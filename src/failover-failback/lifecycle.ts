/**
 * failover-failback (seed 003) as the verifier sees it: presets, the world (two controllers, cable 600, the
 * model and the history's counters), the exhaustive alphabet with its bounds, the key, the observations
 * vectors carry, the commands that drive each machine event, and readable traces.
 *
 * The minimal preset's bounds, and why (measured with the exhaustive search of E1): 3 tracks of one byte, 2
 * messages on cable 600, and a budget per history:
 *   - host writes and faults (master failure, backup failure, link loss, link down) together at most 2: the
 *     race of A1 takes two writes, A10 a write and a failure (or the fence of a false report); a budget of 3
 *     gave E1 212 000 worlds and separate budgets of 2 each over a million;
 *   - at most one return to SWAP from COPY (A10), since each is a whole new copy-back: counting it in the
 *     budget above left `swap --failback.timeout-->` out of E2 and E3, which needs a write, a return and a loss;
 *   - a second takeover, from a deleted pair, only once the budget is spent: it is the only way through
 *     `deleted --host.swap-->` and the fence of a handed-over master, and a second failover with writes left
 *     made two thirds of the space.
 * Every fault is offered at every step while the budget lasts. The standard preset has no bounds; the
 * model-based runs and test/failover-failback/cycles.test.ts explore deeper histories there.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { backupMachine, masterMachine, phaseOf, type BackupStateKey, type MasterStateKey } from '../../machines/failover-failback.js';
import { applyModel, delpairReported, expectedBackup, expectedMaster, initialModel, takeOver, type FailoverModel } from '../../model/failover-failback.js';
import { FAILOVER_PROPERTIES } from '../../properties/failover-failback.js';
import { assert } from '../assert.js';
import type { Bitmap } from '../bitmap.js';
import { defineLifecycle } from '../harness/define.js';
import { toHex } from '../hex.js';
import type { Differences, Pin, Presets } from '../lifecycle.js';
import type { Counters, FailoverStepOutcome, FailoverWorld } from './abstraction.js';
import { driveTo } from './drive.js';
import { failoverFailbackLayout } from './layout.js';
import { initialSystem, isDead, stepSystem, type FailoverOutcome, type FailoverSystem } from './controller.js';
import {
  BACKUP_SITE,
  BARE_COMMANDS,
  failoverEventSchema,
  formatFailoverEvent,
  formatTracks,
  MASTER_SITE,
  type BareCommand,
  type FailoverEvent,
  type FailoverGeometry,
} from './events.js';
import { FAILOVER_VARIANTS, failoverVariant, type FailoverVariant } from './variants.js';
import { failoverFailbackWorkload } from './workload.js';
import { formatMessage, MESSAGE_KINDS, trackBytes, trackHex, type Message } from './wire.js';

export interface FailoverPreset extends FailoverGeometry {
  /** The byte values of the exhaustive alphabet's writes: the k-th write of a history writes the k-th. */
  readonly values: readonly number[];
  /** Each kind of event's own bound in one history; `maxWritesAndFaults` bounds them together. */
  readonly maxWrites: number;
  readonly maxMasterFailures: number;
  /** Takeovers from a passive backup; the second only once writes and faults are spent. */
  readonly maxTakeovers: number;
  readonly maxBackupFailures: number;
  /** `link.down` and `link.lose` together. */
  readonly maxLinkFaults: number;
  /** Returns to SWAP from COPY (A10) in one history. */
  readonly maxSwapBacks: number;
  /** Host writes and faults (master and backup failures, link faults) together in one history. */
  readonly maxWritesAndFaults: number;
}

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** Every bound in one place (STYLE.md "Limits and presets"). */
export const FAILOVER_PRESETS: Presets<FailoverPreset> = {
  /** Exhaustive search: 3 one-byte tracks, 2 messages in flight, two writes and faults per history (header). */
  minimal: { trackCount: 3, trackSize: 1, linkCapacity: 2, values: [1, 2], maxWrites: 2, maxMasterFailures: 2, maxTakeovers: 2, maxBackupFailures: 1, maxLinkFaults: 1, maxSwapBacks: 1, maxWritesAndFaults: 2 },
  /**
   * The nightly exhaustive search (issue 12 item 3): the minimal preset with a third write or fault in each
   * history (and a third value to write), which takes the A1 race and the A10 return together.
   */
  deep: { trackCount: 3, trackSize: 1, linkCapacity: 2, values: [1, 2, 3], maxWrites: 3, maxMasterFailures: 2, maxTakeovers: 2, maxBackupFailures: 1, maxLinkFaults: 1, maxSwapBacks: 1, maxWritesAndFaults: 3 },
  /** Model-based runs: 8 two-byte tracks, 6 messages in flight, any bytes, no bound on any history. */
  standard: {
    trackCount: 8, trackSize: 2, linkCapacity: 6, values: [],
    maxWrites: UNBOUNDED, maxMasterFailures: UNBOUNDED, maxTakeovers: UNBOUNDED, maxBackupFailures: UNBOUNDED, maxLinkFaults: UNBOUNDED, maxSwapBacks: UNBOUNDED, maxWritesAndFaults: UNBOUNDED,
  },
};

const bound = (max: number) => z.number().int().min(0).max(max);

/**
 * What a preset file may set (README "Presets"): 1 to 8 tracks of 1 to 4 bytes, 1 to 15 messages in flight
 * (the alphabet names deliveries by index below 16, and one past the capacity is its refused delivery), 1 to
 * 4 distinct written values of 1-255, and each history's bounds: up to 4 writes (no more than the values),
 * 3 master failures, takeovers, backup failures, link faults and returns to SWAP each, and 6 writes and
 * faults together. Every bound is finite: an exhaustive search of an unbounded history never ends.
 */
const presetSchema: z.ZodType<FailoverPreset> = z.object({
  trackCount: z.number().int().min(1).max(8),
  trackSize: z.number().int().min(1).max(4),
  linkCapacity: z.number().int().min(1).max(15),
  values: z.array(z.number().int().min(1).max(255)).min(1).max(4)
    .refine((values) => new Set(values).size === values.length, 'written values must be distinct'),
  maxWrites: bound(4),
  maxMasterFailures: bound(3),
  maxTakeovers: bound(3),
  maxBackupFailures: bound(3),
  maxLinkFaults: bound(3),
  maxSwapBacks: bound(3),
  maxWritesAndFaults: bound(6),
}).strict().refine((preset) => preset.maxWrites <= preset.values.length, { path: ['maxWrites'], message: 'the k-th write of a history writes the k-th value: at most as many writes as values' });

/**
 * Reachable worlds and machine transitions (both machines together) of every embodiment over the minimal
 * preset. Pinned so that a change to the spec shows in review: if one of these moves, say why in the commit.
 */
export const FAILOVER_PINNED: Readonly<Record<string, Pin>> = {
  e1: { states: 101358, transitions: 41 },
  e2: { states: 31065, transitions: 40 },
  e3: { states: 9051, transitions: 37 },
};

const NO_COUNTS: Counters = { writes: 0, masterFailures: 0, takeovers: 0, swapBacks: 0, backupFailures: 0, linkFaults: 0 };

function variantNamed(name: string): FailoverVariant {
  const variant = failoverVariant(name);
  assert(variant !== undefined, () => `no failover-failback variant ${name}`);
  return variant;
}

function initial(variantName: string, preset: FailoverPreset): FailoverWorld {
  return { system: initialSystem(preset), model: initialModel(preset), variant: variantNamed(variantName), geometry: preset, counters: NO_COUNTS };
}

/** The history's counters after an accepted command (the exhaustive bounds read them). */
function counted(counters: Counters, event: FailoverEvent, outcome: FailoverOutcome): Counters {
  if (!outcome.accepted) return counters;
  const swap = outcome.transitions.find((t) => t.eventType === 'host.swap');
  const takeover = swap !== undefined && (swap.source === 'secondary' || swap.source === 'deleted');
  const linkFault = event.type === 'link.down' || event.type === 'link.lose';
  if (event.type !== 'host.write' && event.type !== 'master.fail' && event.type !== 'backup.fail' && swap === undefined && !linkFault) return counters;
  return {
    writes: counters.writes + (event.type === 'host.write' ? 1 : 0),
    masterFailures: counters.masterFailures + (event.type === 'master.fail' ? 1 : 0),
    takeovers: counters.takeovers + (takeover ? 1 : 0),
    swapBacks: counters.swapBacks + (swap !== undefined && !takeover ? 1 : 0),
    backupFailures: counters.backupFailures + (event.type === 'backup.fail' ? 1 : 0),
    linkFaults: counters.linkFaults + (linkFault ? 1 : 0),
  };
}

function step(world: FailoverWorld, event: FailoverEvent): { after: FailoverWorld; outcome: FailoverStepOutcome } {
  const { system, outcome: controller } = stepSystem(world.system, event, world.variant, world.geometry);
  const control = world.variant.control;
  const applied = applyModel(world.model, event, control, world.geometry);
  let model = applied.model;
  // The model cannot know which writes cable 600 had carried before a takeover; it takes the backup's image
  // (replicated-unless-flagged checks it), and it learns of DELPAIR's completion from the controller's report.
  if (applied.takeover) model = takeOver(model, control, Array.from(system.backup.volume.contents()));
  if (controller.accepted && controller.results.some((r) => r.kind === 'delpair-complete')) model = delpairReported(model);
  const outcome = { controller, model: applied.answer };
  if (system === world.system && model === world.model) return { after: world, outcome };
  const counters = counted(world.counters, event, controller);
  return { after: { system, model, variant: world.variant, geometry: world.geometry, counters }, outcome };
}

// ---------------------------------------------------------------- the key

const bits = (bitmap: Bitmap): string => bitmap.toString();

const MASTER_STATES: readonly MasterStateKey[] = ['primary', 'failed', 'fenced.target', 'fenced.handed-over'];
const BACKUP_STATES: readonly BackupStateKey[] = ['secondary', 'deleted', 'swap', 'copy.failback', 'copy.draining', 'copy.confirming', 'down'];
const MODEL_ROLES: readonly string[] = ['primary', 'down', 'target', 'handed-over', 'secondary', 'deleted', 'swap', 'copy', 'draining'];
const COPY_BACKS: readonly string[] = ['written', 'written-and-dt1', 'every-track'];
/** Stands for null, and for a message that can never be taken again; above every byte, track and generation. */
const NONE = 0xffff;
const DEAD = 0xfffe;

function pushBytes(codes: number[], bytes: ArrayLike<number>): void {
  codes.push(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) codes.push(bytes[i]!);
}

function pushBitmap(codes: number[], bitmap: Bitmap): void {
  codes.push(bitmap.count);
  for (let t = bitmap.nextSet(0); t !== -1; t = bitmap.nextSet(t + 1)) codes.push(t);
}

function pushTracks(codes: number[], tracks: readonly number[]): void {
  codes.push(tracks.length);
  for (const t of tracks) codes.push(t);
}

/** One message as a short string of codes; a dead one (controller.ts `isDead`) as DEAD alone. */
function messageCode(system: FailoverSystem, m: Message): string {
  if (isDead(system, m)) return String.fromCharCode(DEAD);
  const codes = [MESSAGE_KINDS.indexOf(m.kind), m.track ?? NONE, m.gen];
  if (m.data !== null) pushBytes(codes, trackBytes(m.data));
  return String.fromCharCode.apply(null, codes);
}

/**
 * Every field of controllers, link, model and counters as UTF-16 code units, each list prefixed by its
 * length, so two keys are equal exactly when every field is. The messages in flight are written as a sorted
 * list: the link is a multiset. A message that can never be taken again is written without its content: it
 * only takes room on the link, so two worlds that differ only in such a message's content behave the same.
 */
function key(world: FailoverWorld): string {
  const { master: m, backup: b, wire } = world.system;
  const model: FailoverModel = world.model;
  const c = world.counters;
  assert(m.gen < DEAD && b.gen < DEAD && model.current.length < DEAD, 'a world too large for the exhaustive key');
  const codes: number[] = [MASTER_STATES.indexOf(m.state), m.gen, BACKUP_STATES.indexOf(b.state), b.gen, wire.up ? 1 : 0];
  pushBytes(codes, m.volume.contents());
  pushBitmap(codes, m.dt1);
  pushBitmap(codes, m.inflight);
  pushBytes(codes, b.volume.contents());
  pushBitmap(codes, b.dt2);
  pushBitmap(codes, b.inflight);
  codes.push(MODEL_ROLES.indexOf(model.master), MODEL_ROLES.indexOf(model.backup), model.linkUp ? 1 : 0, model.resynced ? 1 : 0, COPY_BACKS.indexOf(model.copyBack));
  pushBytes(codes, model.current);
  if (model.masterImage === null) codes.push(NONE);
  else pushBytes(codes, model.masterImage);
  pushTracks(codes, model.writtenByMaster);
  pushTracks(codes, model.writtenByBackup);
  pushTracks(codes, model.divergent);
  codes.push(c.writes, c.masterFailures, c.takeovers, c.swapBacks, c.backupFailures, c.linkFaults, wire.inFlight.length);
  const messages = wire.inFlight.map((message) => messageCode(world.system, message)).sort();
  return String.fromCharCode.apply(null, codes) + messages.join('\u0000');
}

// ---------------------------------------------------------------- alphabets

const bare = Object.fromEntries(BARE_COMMANDS.map((type) => [type, { type }])) as Record<BareCommand, FailoverEvent>;
const deliveries = Array.from({ length: 16 }, (_, index): FailoverEvent => ({ type: 'link.deliver', index }));
const losses = Array.from({ length: 16 }, (_, index): FailoverEvent => ({ type: 'link.lose', index }));

interface Alphabet {
  /** By the number of writes so far: a write to every track from each site, of the next value. */
  readonly writes: readonly (readonly FailoverEvent[])[];
  /** The argument rejections and a delivery of no message: refused in every world. */
  readonly refused: readonly FailoverEvent[];
}

const alphabets = new WeakMap<FailoverPreset, Alphabet>();

function alphabetOf(preset: FailoverPreset): Alphabet {
  let found = alphabets.get(preset);
  if (found === undefined) {
    const data = (value: number): string => toHex(new Array<number>(preset.trackSize).fill(value));
    const writes = preset.values.map((value) => {
      const events: FailoverEvent[] = [];
      for (const site of [MASTER_SITE, BACKUP_SITE]) for (let track = 0; track < preset.trackCount; track += 1) events.push({ type: 'host.write', site, track, data: data(value) });
      return events;
    });
    const refused: FailoverEvent[] = [
      { type: 'host.write', site: BACKUP_SITE, track: 0, data: 'zz'.repeat(preset.trackSize) },
      { type: 'host.write', site: 3, track: 0, data: data(1) },
      { type: 'host.write', site: MASTER_SITE, track: preset.trackCount, data: data(1) },
      { type: 'host.write', site: BACKUP_SITE, track: 0, data: data(1).repeat(2) },
      deliveries[preset.linkCapacity]!,
    ];
    found = { writes, refused };
    alphabets.set(preset, found);
  }
  return found;
}

/**
 * Every command of the minimal preset's alphabet in this world, each fault while its budget lasts. The k-th
 * write of a history writes the k-th value: writes are told apart only by being equal or not, and a fresh
 * value makes every write visible, so the search loses no behaviour and does not repeat each history once
 * per choice of values.
 */
function exhaustiveEvents(world: FailoverWorld): readonly FailoverEvent[] {
  const preset = world.geometry as FailoverPreset;
  const { writes, refused } = alphabetOf(preset);
  const c = world.counters;
  const spent = c.writes + c.masterFailures + c.backupFailures + c.linkFaults >= preset.maxWritesAndFaults;
  const events: FailoverEvent[] = !spent && c.writes < Math.min(preset.maxWrites, writes.length) ? [...writes[c.writes]!] : [];
  const passiveBackup = world.system.backup.state === 'secondary' || world.system.backup.state === 'deleted';
  for (const type of BARE_COMMANDS) {
    if (type === 'master.fail' && (spent || c.masterFailures >= preset.maxMasterFailures)) continue;
    if (type === 'backup.fail' && (spent || c.backupFailures >= preset.maxBackupFailures)) continue;
    if (type === 'link.down' && (spent || c.linkFaults >= preset.maxLinkFaults)) continue;
    // A takeover after the first (from a deleted pair) only once writes and faults are spent: it adds the
    // transitions out of `deleted` and `fenced.handed-over`, and a whole second failover per history
    // otherwise (two thirds of the space, measured).
    if (type === 'host.swap' && (passiveBackup ? c.takeovers >= preset.maxTakeovers || (c.takeovers > 0 && !spent) : c.swapBacks >= preset.maxSwapBacks)) continue;
    events.push(bare[type]);
  }
  world.system.wire.inFlight.forEach((_, index) => {
    events.push(deliveries[index]!);
    if (!spent && c.linkFaults < preset.maxLinkFaults) events.push(losses[index]!);
  });
  events.push(...refused);
  return events;
}

function eventArbitrary(preset: FailoverPreset): fc.Arbitrary<FailoverEvent> {
  const site = fc.oneof({ arbitrary: fc.constantFrom(MASTER_SITE, BACKUP_SITE), weight: 40 }, { arbitrary: fc.constant(3), weight: 1 });
  const track = fc.oneof({ arbitrary: fc.integer({ min: 0, max: preset.trackCount - 1 }), weight: 40 }, { arbitrary: fc.constant(preset.trackCount), weight: 1 });
  const data = fc.oneof(
    { arbitrary: fc.uint8Array({ minLength: preset.trackSize, maxLength: preset.trackSize }).map(toHex), weight: 40 },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2 * preset.trackSize }).map(toHex), weight: 1 },
    { arbitrary: fc.constant('zz'), weight: 1 },
  );
  const write = fc.record({ site, track, data }).map((f): FailoverEvent => ({ type: 'host.write', ...f }));
  const index = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 2 }), weight: 12 }, { arbitrary: fc.integer({ min: 0, max: preset.linkCapacity }), weight: 1 });
  const weighted = (type: BareCommand, weight: number) => ({ arbitrary: fc.constant(bare[type]), weight });
  // Weighted so that most runs of 200 commands get through a failover, a failback and a pair recovery under
  // faults: the jobs and deliveries that make progress are common, and the faults and takeovers that
  // interrupt a failback rare enough that it usually completes.
  return fc.oneof(
    { arbitrary: write, weight: 60 },
    { arbitrary: index.map((i): FailoverEvent => ({ type: 'link.deliver', index: i })), weight: 200 },
    { arbitrary: index.map((i): FailoverEvent => ({ type: 'link.lose', index: i })), weight: 3 },
    weighted('master.copy', 40), weighted('backup.copy', 100), weighted('master.timeout', 8), weighted('backup.timeout', 12),
    weighted('host.swap', 8), weighted('host.resync', 20), weighted('host.delpair', 16), weighted('host.hand-over', 20), weighted('host.pair-recover', 20),
    weighted('master.fail', 2), weighted('master.recover', 20), weighted('backup.fail', 1), weighted('backup.restart', 8),
    weighted('link.down', 1), weighted('link.up', 10),
  );
}

// ---------------------------------------------------------------- traces and observations

function formatSystem(system: FailoverSystem, trackSize: number): string {
  const { master: m, backup: b, wire } = system;
  const flight = wire.inFlight.map((msg, i) => `#${i} ${formatMessage(msg)}`).join(', ');
  return `M ${m.state} g${m.gen} ${formatTracks(m.volume.contents(), trackSize)} DT1=${m.dt1} fly=${m.inflight}`
    + ` | B ${b.state} g${b.gen} ${formatTracks(b.volume.contents(), trackSize)} DT2=${b.dt2} fly=${b.inflight}`
    + ` | link ${wire.up ? 'up' : 'DOWN'} [${flight}]`;
}

function formatWorld(world: FailoverWorld): string {
  const { system, model, geometry } = world;
  const phase = phaseOf(system.master.state, system.backup.state);
  const divergent = model.divergent.length > 0 ? ` divergent [${model.divergent.join(',')}]` : '';
  return `${phase} ${formatSystem(system, geometry.trackSize)} | model ${model.master}/${model.backup} current=${formatTracks(model.current, geometry.trackSize)}`
    + ` W_B [${model.writtenByBackup.join(',')}]${divergent}`;
}

function formatOutcome({ controller: outcome }: FailoverStepOutcome): string {
  if (!outcome.accepted) return `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const taken = outcome.transitions.map((t) => `${t.machine === 'master' ? 'M' : 'B'}:${t.eventType}`).join(',');
  const dropped = outcome.delivered !== null && outcome.transitions.length === 0 ? ` dropped ${formatMessage(outcome.delivered)}` : '';
  const results = outcome.results.map((r) => r.kind).join(' ');
  return `accepted${taken === '' ? '' : ` ${taken}`}${dropped}${results === '' ? '' : ` → host 410: ${results}`}`;
}

/** Messages as ports read them: every field named, in the documented order (src/failover-failback/wire.ts). */
function observedMessage(m: Message): Readonly<Record<string, unknown>> {
  return { kind: m.kind, track: m.track, gen: m.gen, data: m.data === null ? null : trackHex(m.data) };
}

function observe({ system: { master: m, backup: b, wire } }: FailoverWorld): Readonly<Record<string, unknown>> {
  return {
    master: m.state, masterGeneration: m.gen, masterVolume: toHex(m.volume.contents()), dt1: bits(m.dt1), masterInflight: bits(m.inflight),
    backup: b.state, backupGeneration: b.gen, backupVolume: toHex(b.volume.contents()), dt2: bits(b.dt2), backupInflight: bits(b.inflight),
    linkUp: wire.up, inFlight: wire.inFlight.map(observedMessage),
  };
}

/** The bytes of `actual` that differ from `expected`, by index; none where the model expects nothing (null). */
function differingBytes(actual: Uint8Array, expected: readonly number[] | null): number[] {
  const cells: number[] = [];
  if (expected !== null) for (let i = 0; i < expected.length; i += 1) if (actual[i] !== expected[i]) cells.push(i);
  return cells;
}

/**
 * For the report's trace player: the bytes of each site's volume that differ from what the model says the
 * site must hold, as no-acknowledged-write-lost reads them (none where the seed promises nothing).
 */
function differences({ system, model, variant, geometry }: FailoverWorld): Differences {
  return {
    masterVolume: differingBytes(system.master.volume.contents(), expectedMaster(model, variant.control, geometry.trackSize)),
    backupVolume: differingBytes(system.backup.volume.contents(), expectedBackup(model, variant.control)),
  };
}

/** What a port must know to match these vectors (docs/vectors.md). */
const VECTOR_NOTES: readonly string[] = [
  'Cable 600 is a multiset kept in a canonical order, and `link.deliver {index}` / `link.lose {index}` name a position in it. '
    + 'A message has four fields, in this order: `kind` (`copy`, `copy-ack`, `failback`, `failback-ack`, `delpair`, `delpair-ack`), '
    + '`track` (null for the DELPAIR pair), `gen` and `data` (hex for a transfer, null otherwise); messages sort by kind in that list, '
    + 'then track (null first), then gen, then data (null first), which is src/failover-failback/wire.ts `compareMessages`. '
    + 'A send while the link is down, or into a full link (`linkCapacity`), is lost at once.',
  'Generations: a takeover (`host.swap` from `secondary` or `deleted`) gives the backup the next odd generation; DKC1 adopts the '
    + 'generation of every copy-back and DELPAIR it takes, and pair recovery gives it the next number. A passive backup takes a `copy` of '
    + 'its generation or a later one; DKC1 in `fenced.target` takes a `failback` or `delpair` of its generation or a later one; an '
    + 'acknowledgement is taken only with the sender\'s current generation (and, for a track, with that track in flight). A delivered '
    + 'message its receiver does not take is dropped: the command is accepted with no transition.',
  'Background jobs and timers decide from data: `master.copy` sends the lowest DT1 track not in flight, clearing its bit in the same '
    + 'step; `backup.copy` sends the lowest DT2 track not in flight the same way, and in `copy.draining` with DT2 empty and nothing in '
    + 'flight sends DELPAIR instead; `master.timeout` and `backup.timeout` are accepted only when some transfer\'s data and its '
    + 'acknowledgement are both gone from the link, and set that track\'s bit again (the DELPAIR message is sent again). Each is refused '
    + 'as `wrong-state` when it has nothing to do.',
  'An accepted outcome lists `transitions` as `<machine>: <source> --<event>--> <target>` in the order taken (a takeover takes the '
    + 'backup\'s, then the master\'s fence; E1\'s Resync the backup\'s, then the master\'s `dt1.read`; E3\'s host-110 write the master\'s, '
    + 'then the backup\'s `sync.receive`; pair recovery the master\'s, then the backup\'s), `sent` as the messages put on the link in the '
    + 'step (lost ones included), and `results` (`delpair-complete`, `delpair-failed`).',
];

const DRIVER = { step, key };

export const failoverFailbackLifecycle = defineLifecycle<FailoverWorld, FailoverEvent, FailoverStepOutcome, FailoverPreset>({
  id: 'failover-failback',
  seed: '003',
  title: 'Failover to the backup site and failback copying only the flagged tracks',
  variants: FAILOVER_VARIANTS,
  machines: [
    { name: 'failover-failback-master', title: 'failover-failback (seed 003): master controller DKC1', machine: masterMachine },
    { name: 'failover-failback-backup', title: 'failover-failback (seed 003): backup controller DKC2', machine: backupMachine },
  ],
  presets: FAILOVER_PRESETS,
  eventSchema: failoverEventSchema,
  properties: FAILOVER_PROPERTIES,
  reasons: ['malformed-command', 'unknown-volume', 'track-out-of-range', 'length-out-of-range', 'wrong-state', 'fenced'],
  pinned: FAILOVER_PINNED,
  initial,
  step,
  key,
  alphabet: exhaustiveEvents,
  arbitrary: (_variant, preset) => eventArbitrary(preset),
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.transitions.map((t) => ({ machine: t.machine, source: t.source, eventType: t.eventType, target: t.target }))
    : []),
  controlStates: ({ system }) => ({ master: system.master.state, backup: system.backup.state }),
  commandsFor: (machine, eventType, world) => driveTo(DRIVER, machine, eventType, world),
  formatEvent: formatFailoverEvent,
  formatWorld,
  formatOutcome,
  observe,
  vectorNotes: VECTOR_NOTES,
  observedKinds: { masterVolume: 'bytes', dt1: 'bits', masterInflight: 'bits', backupVolume: 'bytes', dt2: 'bits', backupInflight: 'bits' },
  differences,
  workload: failoverFailbackWorkload,
  observeOutcome: ({ controller: outcome }) => (outcome.accepted
    ? {
        accepted: true,
        transitions: outcome.transitions.map((t) => `${t.machine}: ${t.edge}`),
        sent: outcome.sent.map(observedMessage),
        results: outcome.results.map((r) => r.kind),
      }
    : { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code }),
  layout: failoverFailbackLayout,
  presetSchema,
});
