/**
 * freeze-remote-copy (seed 001) as the verifier sees it: presets, the world (two controllers, the link and
 * the model), the event alphabets, the key that identifies equivalent worlds, and readable traces.
 *
 * Sequence numbers grow without bound, but the controllers only ever compare them (newer or not) and test
 * them for equality, and a new one is always larger than every one in the world. The key therefore replaces
 * each by its rank among those present (src/freeze-remote-copy/ranks.ts, which the layout reads too).
 *
 * The minimal preset's bounds, and why: a history ends at the completion of the second freeze (the issue's
 * "2 freezes") or at recovery; it has at most 2 host writes (D20 needs two writes of different values to one
 * block; a third multiplied the space by about 8); the link holds 2 messages and every delivery order is
 * explored, with loss by link failure and retransmission; the primary may leave 2 DATA unacknowledged (window
 * 2), the least that lets two DATA of one image, or of one block, be in flight together: with window 1 a
 * secondary that drops its sequence-number check and a primary that matches an ACK by generation alone both
 * pass the search (the broken variants sequence-number-unchecked and ack-matched-by-generation). DATA
 * duplication is explored by the model-based runs on the standard preset (with loss of single messages), not
 * exhaustively: with one duplicate per history the E1 space grew from 168 000 to 390 000 worlds (window 1),
 * past the time a check should take. Online verify (issue 15) is offered between any two freezes; a silent
 * corruption only before the first, to one block, and a corrupted history ends before its next freeze: with a
 * corruption offered after the first freeze too, and carried through the freezes after it, E1 grew to 392 000
 * worlds (1.8 times); so bounded, 241 206 (1.13 times).
 *
 * A preset file (README "Presets") may set any of these bounds within `presetSchema`'s limits: 1-4 volumes
 * of 1-4 blocks of 1-4 bytes, 1-15 messages in flight, a window of 1-4, 1-4 distinct written values, 1-3
 * freezes, up to 4 writes and 2 duplications a history, and the two corruption bounds. The exhaustive search
 * reads the bounds of the world's own preset (`presetOfWorld`), and the world layout
 * (src/freeze-remote-copy/layout.ts) is written for any geometry within those limits.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { primaryMachine, secondaryMachine } from '../../machines/freeze-remote-copy.js';
import { applyModel, corruptedBlocks, freezeReported, heldImageOf, imageOf, initialModel, verifyReported, type FreezeModel } from '../../model/freeze-remote-copy.js';
import { FREEZE_PROPERTIES } from '../../properties/freeze-remote-copy.js';
import { assert } from '../assert.js';
import { defineLifecycle } from '../harness/define.js';
import { toHex } from '../hex.js';
import type { Differences, ObservedKind, Pin, Presets } from '../lifecycle.js';
import { committedVolume, hostView, recoveryImage, type FreezeStepOutcome, type FreezeWorld } from './abstraction.js';
import { initialSystem, stepSystem } from './controller.js';
import { open } from './crypto.js';
import {
  blockName,
  formatFreezeEvent,
  formatMessage,
  freezeEventSchema,
  type FreezeEvent,
  type FreezeGeometry,
  type Message,
} from './events.js';
import type { FreezeSystem, LogPrimary, LogRecord, LogSecondary, SplitPrimary, SplitSecondary } from './system.js';
import { freezeRemoteCopyLayout } from './layout.js';
import { observe, observeOutcome } from './observe.js';
import { seqOrder } from './ranks.js';
import { FREEZE_VARIANTS, freezeVariant, type FreezeVariant } from './variants.js';
import { freezeRemoteCopyWorkload } from './workload.js';

export interface FreezePreset extends FreezeGeometry {
  /** Byte values host writes use in the exhaustive alphabet. */
  readonly values: readonly number[];
  /** Freezes the exhaustive alphabet offers in one history. */
  readonly maxFreezes: number;
  /** Host writes the exhaustive alphabet offers in one history. */
  readonly maxWrites: number;
  /** DATA duplications the exhaustive alphabet offers in one history. */
  readonly maxDuplicates: number;
  /**
   * Whether the exhaustive alphabet offers a freeze once the secondary's image is silently corrupted. Without
   * it a corrupted history ends before its next freeze: a corruption carried into the next image multiplied
   * every world of the freezes after it; the model-based runs carry corruptions across freezes.
   */
  readonly freezeAfterCorruption: boolean;
  /**
   * The exhaustive alphabet offers a silent corruption only while at most this many freezes have been
   * accepted (0: before the first freeze), and only while no block is corrupted. A verify is offered between
   * any two freezes, so after a freeze it shows that no block written during that freeze is reported.
   */
  readonly corruptUntilFreeze: number;
}

/** Every bound in one place (STYLE.md "Limits and presets"). */
export const FREEZE_PRESETS: Presets<FreezePreset> = {
  /** Exhaustive search: a group of 2 volumes of 1 one-byte block, values 1 and 2, 2 freezes, 2 messages in flight, 2 DATA unacknowledged. */
  minimal: { volumeCount: 2, blocksPerVolume: 1, blockSize: 1, linkCapacity: 2, window: 2, values: [1, 2], maxFreezes: 2, maxWrites: 2, maxDuplicates: 0, freezeAfterCorruption: false, corruptUntilFreeze: 0 },
  /** Model-based runs: 3 volumes of 4 two-byte blocks, any values, 8 messages in flight, 3 DATA unacknowledged. */
  standard: { volumeCount: 3, blocksPerVolume: 4, blockSize: 2, linkCapacity: 8, window: 3, values: [], maxFreezes: Number.MAX_SAFE_INTEGER, maxWrites: Number.MAX_SAFE_INTEGER, maxDuplicates: Number.MAX_SAFE_INTEGER, freezeAfterCorruption: true, corruptUntilFreeze: Number.MAX_SAFE_INTEGER },
  /**
   * The nightly exhaustive search (issue 12): minimal with one more block per volume, 1 113 080 worlds for e1
   * (105 CPU s and 114 bytes a state packed, 68 CPU s and 387 bytes by key). Before, the search read minimal's alphabet and bounds whatever the
   * preset, so it wrote and corrupted only each volume's first block: 478 097 worlds before online verify.
   * One more freeze alone adds none (213 208, as minimal, before online verify): the two host writes of a
   * history are spent by then.
   */
  deep: { volumeCount: 2, blocksPerVolume: 2, blockSize: 1, linkCapacity: 2, window: 2, values: [1, 2], maxFreezes: 2, maxWrites: 2, maxDuplicates: 0, freezeAfterCorruption: false, corruptUntilFreeze: 0 },
};

const bound = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * What a preset file may set (README "Presets"): a group of 1 to 4 volumes of 1 to 4 blocks of 1 to 4 bytes,
 * 1 to 15 messages in flight (the alphabet names deliveries by index below 16, and one past the capacity is
 * its refused delivery), 1 to 4 DATA unacknowledged, 1 to 4 distinct written values of 1-255, and each
 * history's bounds: 1 to 3 freezes, up to 4 host writes, up to 2 DATA duplications, whether a freeze is
 * offered once a block is corrupted, and up to which freeze a corruption is offered (no later than the last).
 * Every bound is finite, as an exhaustive search needs; the world layout (src/freeze-remote-copy/layout.ts)
 * holds each of them.
 */
const presetSchema: z.ZodType<FreezePreset> = z.object({
  volumeCount: bound(1, 4),
  blocksPerVolume: bound(1, 4),
  blockSize: bound(1, 4),
  linkCapacity: bound(1, 15),
  window: bound(1, 4),
  values: z.array(bound(1, 255)).min(1).max(4)
    .refine((values) => new Set(values).size === values.length, 'written values must be distinct'),
  maxFreezes: bound(1, 3),
  maxWrites: bound(0, 4),
  maxDuplicates: bound(0, 2),
  freezeAfterCorruption: z.boolean(),
  corruptUntilFreeze: bound(0, 3),
}).strict().refine((preset) => preset.corruptUntilFreeze <= preset.maxFreezes, { path: ['corruptUntilFreeze'], message: 'a corruption is offered no later than the last freeze of a history' });

/**
 * Reachable worlds and machine transitions (primary and secondary machines together) of every embodiment
 * over the minimal preset. Pinned so that a change to the spec shows in review: if one of these moves, say
 * why in the commit.
 */
export const FREEZE_PINNED: Readonly<Record<string, Pin>> = {
  // Before online verify (issue 15): 213 208 / 59, 37 809 / 46, 138 917 / 50, 38 789 / 46.
  e1: { states: 241206, transitions: 70 },
  e2: { states: 40135, transitions: 56 },
  e3: { states: 164527, transitions: 61 },
  e4: { states: 41115, transitions: 56 },
};

function variantNamed(name: string): FreezeVariant {
  const variant = freezeVariant(name);
  assert(variant !== undefined, () => `no freeze-remote-copy variant ${name}`);
  return variant;
}

function initial(variantName: string, geometry: FreezePreset): FreezeWorld {
  const variant = variantNamed(variantName);
  return { system: initialSystem(variant, geometry), model: initialModel(geometry), variant, geometry, hostWrites: 0, duplicates: 0 };
}

function step(world: FreezeWorld, event: FreezeEvent): { after: FreezeWorld; outcome: FreezeStepOutcome } {
  const { system, outcome: controller } = stepSystem(world.system, event, world.variant, world.geometry);
  const applied = applyModel(world.model, event, world.geometry);
  let model = applied.model;
  // The model cannot know when a freeze completes; it takes the controller's report, and the property
  // freeze-done-means-recoverable checks that report.
  if (controller.accepted && controller.results.some((r) => r.kind === 'freeze-done')) model = freezeReported(model);
  // Nor when a verify's walk ends: verify-reports-differing-blocks checks the report it takes.
  if (controller.accepted && controller.results.some((r) => r.kind === 'verify')) model = verifyReported(model);
  const outcome = { controller, model: applied.answer };
  // A read and a refusal change nothing: returning the world itself spares the checker a key.
  if (model === world.model && (system === world.system || event.type === 'host.read')) return { after: world, outcome };
  const hostWrites = world.hostWrites + (event.type === 'host.write' && controller.accepted ? 1 : 0);
  const duplicates = world.duplicates + (event.type === 'link.duplicate' && controller.accepted ? 1 : 0);
  // Every field named, in initial's order: a spread copy gave worlds several engine shapes.
  return { after: { system, model, variant: world.variant, geometry: world.geometry, hostWrites, duplicates }, outcome };
}

// A hand-written key of short tokens joined into flat strings (hex data never contains the separators). The
// exhaustive search keys nearly every step; a key built by `+` is a rope that the search's Map flattens, which
// measured three times slower than join.

const PRIMARY_CODE: Readonly<Record<string, string>> = {
  normal: 'n', verifying: 'v', 'freezing.draining': 'd', 'freezing.merging': 'm', 'freezing.splitting': 's', 'freezing.transferring': 't', 'freezing.awaiting': 'a', failed: 'x',
};
const SECONDARY_CODE: Readonly<Record<string, string>> = { receiving: 'r', noted: 'o', applying: 'a', recovered: 'R' };
/** One letter for a message's kind, with the kind it acknowledges for an ACK; `to` follows from it. */
const MESSAGE_CODE: Readonly<Record<string, string>> = {
  data: 'D', freeze: 'F', 'all-sent': 'A', 'secondary-done': 'S', 'ack:data': 'a', 'ack:freeze': 'f', 'ack:all-sent': 'l', 'ack:secondary-done': 'k',
};

const bitsKey = (list: readonly boolean[]): string => list.map((bit) => (bit ? '1' : '0')).join('');
const blocksKey = (list: readonly (string | null)[]): string => list.map((block) => block ?? '-').join(',');

function messagesKey(list: readonly Message[], seqs: readonly number[]): string {
  return list.map((m) => {
    const code = MESSAGE_CODE[m.kind === 'ack' ? `ack:${m.of}` : m.kind]!;
    return m.kind === 'data' ? `${code}${m.gen}.${seqs.indexOf(m.seq)}.${m.block}.${m.data}` : `${code}${m.gen}.${seqs.indexOf(m.seq)}`;
  }).join(',');
}

const logPrimaryKey = (p: LogPrimary): string => [blocksKey(p.pvol), blocksKey(p.pdiff), bitsKey(p.pbm), bitsKey(p.pdbm), bitsKey(p.next), p.staged === null ? '-' : `${p.staged.block}/${p.staged.data}`].join('|');
const splitPrimaryKey = (p: SplitPrimary): string => [blocksKey(p.pp), blocksKey(p.ps), bitsKey(p.bitmapA), bitsKey(p.bitmapB), bitsKey(p.bitmapC), bitsKey(p.bitmapD)].join('|');
const logSecondaryKey = (s: LogSecondary): string => blocksKey(s.svol);
const splitSecondaryKey = (s: SplitSecondary): string => [blocksKey(s.sp), blocksKey(s.ss), bitsKey(s.sa), bitsKey(s.sb)].join('|');
const imagesKey = (images: FreezeModel['images']): string => images.map((frozen) => `${frozen.gen}:${frozen.image.join(',')}`).join(';');
/**
 * The preset a world was made over: `initial` keeps the preset itself as the world's geometry, so the bounds
 * of the search that made the world (a preset file's or `deep`'s, not only minimal's) are at hand.
 */
export const presetOfWorld = (world: FreezeWorld): FreezePreset => world.geometry as FreezePreset;

/**
 * The blocks written since the last freeze matter to what a later verify must find and to what the next
 * freeze carries of a corruption; after the last freeze of the preset's histories neither can happen, so
 * there they are left out.
 */
const modelKey = (model: FreezeModel, preset: FreezePreset): string => [
  imagesKey(model.images), model.freezing ? 1 : 0, model.primaryFailed ? 1 : 0, model.secondaryRecovered ? 1 : 0,
  model.freezeCount < preset.maxFreezes ? model.written.join(',') : '-', imagesKey(model.held),
  model.verify === null ? '-' : `${model.verify.must.join(',')}/${model.verify.may.join(',')}`,
].join('|');
/** The online verify's walk: only in `verifying` does it hold anything. */
const verifyKey = (p: FreezeSystem['primary']): string => (p.state === 'verifying' ? `${p.verifyCursor}/${bitsKey(p.verifyFound)}` : '-');
const currentKey = (current: readonly string[]): string => current.join(',');

/** The algorithm's own volumes and bitmaps, primary then secondary, with sequence numbers by rank. */
function algorithmKey(system: FreezeSystem, seqs: readonly number[]): string {
  const failed = system.primary.state === 'failed';
  if (system.algorithm === 'log') {
    const { primary: p, secondary: s } = system;
    const records = (list: readonly (LogRecord | null)[]): string => list.map((r) => (r === null ? '-' : `${r.data}/${seqs.indexOf(r.seq)}`)).join(',');
    return [failed ? '-' : logPrimaryKey(p), logSecondaryKey(s), records(s.logA), records(s.logB)].join('|');
  }
  const { primary: p, secondary: s } = system;
  return [failed ? '-' : splitPrimaryKey(p), splitSecondaryKey(s), s.spSeq.map((seq) => seqs.indexOf(seq)).join(',')].join('|');
}

/**
 * A failed primary never acts again and no property reads more of it than its generation, so its data is
 * left out of the key, as is the host-visible content nobody can reach any more. A recovered secondary ends
 * the history (no event is offered after it), so only the secondary and the committed image are kept.
 * Sequence numbers appear by rank (see the file's header).
 */
function key(world: FreezeWorld): string {
  const { model, system } = world;
  const p = system.primary;
  const s = system.secondary;
  if (s.state === 'recovered') return `R${JSON.stringify([committedVolume(system), s.gen, p.gen, imageOf(model, s.gen), heldImageOf(model, s.gen)])}`;
  const seqs = seqOrder(system);
  const failed = p.state === 'failed';
  return [
    world.hostWrites, world.duplicates, system.link.up ? 'u' : 'd', messagesKey(system.link.inFlight, seqs),
    PRIMARY_CODE[p.state], p.gen, failed ? '' : messagesKey(p.outstanding, seqs), failed ? '' : verifyKey(p), SECONDARY_CODE[s.state], s.gen, algorithmKey(system, seqs),
    messagesKey(s.outstanding, seqs), failed ? '-' : currentKey(model.current), modelKey(model, presetOfWorld(world)),
  ].join('|');
}

/** Alphabets by preset object: the checker asks for one per world, always with the same preset. */
const alphabets = new WeakMap<FreezePreset, readonly FreezeEvent[]>();

/**
 * Host commands on every block and value (so the last valid volume and block too), the operators' and
 * schedulers' commands, and every argument boundary: the first volume and the first block past the group and
 * past each volume's end (on the first and on the last volume), reads there as well, a write one byte short
 * and one byte long, and malformed data.
 */
function fixedAlphabet(preset: FreezePreset): readonly FreezeEvent[] {
  const known = alphabets.get(preset);
  if (known !== undefined) return known;
  const events: FreezeEvent[] = [];
  for (let volume = 0; volume < preset.volumeCount; volume += 1) {
    for (let block = 0; block < preset.blocksPerVolume; block += 1) {
      for (const value of preset.values) events.push({ type: 'host.write', volume, block, data: toHex(new Array<number>(preset.blockSize).fill(value)) });
      events.push({ type: 'host.read', volume, block });
    }
  }
  events.push(
    { type: 'primary.copy' }, { type: 'primary.step' }, { type: 'primary.timeout' }, { type: 'primary.fail' },
    { type: 'secondary.apply' }, { type: 'secondary.timeout' }, { type: 'secondary.restart' }, { type: 'secondary.recover' },
    { type: 'link.down' }, { type: 'link.up' }, { type: 'verify.step' },
    { type: 'block.corrupt', volume: preset.volumeCount, block: 0 },
    { type: 'block.corrupt', volume: preset.volumeCount - 1, block: preset.blocksPerVolume },
    { type: 'host.write', volume: preset.volumeCount, block: 0, data: '01'.repeat(preset.blockSize) },
    { type: 'host.write', volume: 0, block: preset.blocksPerVolume, data: '01'.repeat(preset.blockSize) },
    { type: 'host.write', volume: preset.volumeCount - 1, block: preset.blocksPerVolume, data: '01'.repeat(preset.blockSize) },
    { type: 'host.read', volume: preset.volumeCount, block: 0 },
    { type: 'host.read', volume: preset.volumeCount - 1, block: preset.blocksPerVolume },
    { type: 'host.write', volume: 0, block: 0, data: '01'.repeat(preset.blockSize - 1) },
    { type: 'host.write', volume: 0, block: 0, data: '01'.repeat(preset.blockSize + 1) },
    { type: 'host.write', volume: 0, block: 0, data: 'zz' },
  );
  alphabets.set(preset, events);
  return events;
}

const FREEZE: FreezeEvent = { type: 'host.freeze' };
const VERIFY: FreezeEvent = { type: 'pair.verify' };
/** A silent corruption of every block of the group, by preset object. */
const corruptions = new WeakMap<FreezePreset, readonly FreezeEvent[]>();

function corruptionEvents(preset: FreezePreset): readonly FreezeEvent[] {
  let events = corruptions.get(preset);
  if (events === undefined) {
    events = Array.from({ length: preset.volumeCount * preset.blocksPerVolume }, (_, b): FreezeEvent => (
      { type: 'block.corrupt', volume: Math.floor(b / preset.blocksPerVolume), block: b % preset.blocksPerVolume }));
    corruptions.set(preset, events);
  }
  return events;
}
const linkEvents = Array.from({ length: 16 }, (_, index) => [
  { type: 'link.deliver', index }, { type: 'link.duplicate', index },
] as FreezeEvent[]);

/**
 * A history ends when the host is told the last freeze of the preset is done, or when the secondary is
 * recovered: what recovery produced is checked on that step, and nothing after it can change the secondary
 * (messages still in flight are delivered to it, and dropped).
 * After a primary failure only the link and the secondary still act.
 */
function exhaustiveEvents(world: FreezeWorld): readonly FreezeEvent[] {
  // The bounds of the preset the world was made over: minimal's alone searched `deep` with minimal's alphabet.
  const preset = presetOfWorld(world);
  if (world.system.secondary.state === 'recovered') return world.system.link.inFlight.map((_, index) => linkEvents[index]![0]!);
  if (world.model.freezeCount === preset.maxFreezes && !world.model.freezing) return [];
  const failed = world.system.primary.state === 'failed';
  const writes = world.hostWrites < preset.maxWrites;
  const events = fixedAlphabet(preset).filter((event) => !(failed && event.type.startsWith('host.')) && (writes || event.type !== 'host.write'));
  const corrupted = corruptedBlocks(world.model, world.model.freezeCount).length > 0;
  if (world.model.freezeCount < preset.maxFreezes && (preset.freezeAfterCorruption || !corrupted)) events.push(FREEZE);
  // Online verify and the corruption it finds, between freezes, where both are taken. A verify needs no bound
  // of its own: it ends where it began, so a second one reaches no new world.
  if (!failed && !world.model.freezing) {
    events.push(VERIFY);
    if (!corrupted && world.model.freezeCount <= preset.corruptUntilFreeze) events.push(...corruptionEvents(preset));
  }
  world.system.link.inFlight.forEach((message, index) => {
    events.push(linkEvents[index]![0]!);
    if (message.kind === 'data' && world.duplicates < preset.maxDuplicates) events.push(linkEvents[index]![1]!);
  });
  return events;
}

function eventArbitrary(preset: FreezePreset): fc.Arbitrary<FreezeEvent> {
  const volume = fc.oneof({ arbitrary: fc.integer({ min: 0, max: preset.volumeCount - 1 }), weight: 30 }, { arbitrary: fc.constant(preset.volumeCount), weight: 1 });
  const block = fc.oneof({ arbitrary: fc.integer({ min: 0, max: preset.blocksPerVolume - 1 }), weight: 30 }, { arbitrary: fc.constant(preset.blocksPerVolume), weight: 1 });
  const data = fc.oneof(
    { arbitrary: fc.uint8Array({ minLength: preset.blockSize, maxLength: preset.blockSize }), weight: 30 },
    { arbitrary: fc.uint8Array({ minLength: 1, maxLength: 2 * preset.blockSize }), weight: 1 },
  ).map(toHex);
  const write = fc.record({ volume, block, data }).map((f): FreezeEvent => ({ type: 'host.write', ...f }));
  const read = fc.record({ volume, block }).map((f): FreezeEvent => ({ type: 'host.read', ...f }));
  const corrupt = fc.record({ volume, block }).map((f): FreezeEvent => ({ type: 'block.corrupt', ...f }));
  // The link usually holds a few messages: small indices are the useful ones, larger ones test refusals.
  const index = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 2 }), weight: 12 }, { arbitrary: fc.integer({ min: 0, max: preset.linkCapacity }), weight: 1 });
  const at = (type: 'link.deliver' | 'link.duplicate' | 'link.lose') => index.map((i): FreezeEvent => ({ type, index: i }));
  const bare = (type: Exclude<FreezeEvent['type'], 'host.write' | 'host.read' | 'block.corrupt' | 'link.deliver' | 'link.duplicate' | 'link.lose'>) => fc.constant<FreezeEvent>({ type });
  return fc.oneof(
    { arbitrary: write, weight: 140 },
    { arbitrary: read, weight: 30 },
    { arbitrary: bare('host.freeze'), weight: 30 },
    { arbitrary: at('link.deliver'), weight: 260 },
    { arbitrary: bare('primary.copy'), weight: 100 },
    { arbitrary: bare('primary.step'), weight: 80 },
    { arbitrary: bare('secondary.apply'), weight: 80 },
    { arbitrary: bare('primary.timeout'), weight: 20 },
    { arbitrary: bare('secondary.timeout'), weight: 20 },
    { arbitrary: at('link.duplicate'), weight: 10 },
    { arbitrary: at('link.lose'), weight: 10 },
    { arbitrary: bare('link.down'), weight: 5 },
    { arbitrary: bare('link.up'), weight: 15 },
    { arbitrary: bare('secondary.restart'), weight: 5 },
    // Online verify: a walk of the standard preset's 12 blocks needs 12 steps, so verify.step is common enough
    // for about one run in ten to complete a verify (at 40 none of 300 runs of e1 did); freezes wait for it,
    // and pair.verify is rare enough that a run still completes most of the freezes it did without verify.
    { arbitrary: bare('pair.verify'), weight: 8 },
    { arbitrary: bare('verify.step'), weight: 160 },
    { arbitrary: corrupt, weight: 8 },
    // A failure or a recovery ends replication for the rest of a run: rare (about one run in four of 200
    // commands sees one), so that most runs complete several freezes under faults.
    { arbitrary: fc.constantFrom<FreezeEvent>({ type: 'primary.fail' }, { type: 'secondary.recover' }), weight: 1 },
  );
}

// ---------------------------------------------------------------- traces

const shown = (block: string | null): string => (block === null ? '??' : block.length > 8 ? `[${open(block) ?? '!'}]` : block);
const bits = (values: readonly boolean[]): string => values.map((bit) => (bit ? '1' : '0')).join('');
const blocks = (values: readonly (string | null)[]): string => values.map(shown).join('.');

/** The algorithm's own volumes and bitmaps, in the seed's names. */
function formatVolumes(system: FreezeSystem): { readonly primary: string; readonly secondary: string } {
  if (system.algorithm === 'log') {
    const { primary: p, secondary: s } = system;
    return {
      primary: `PVOL=${blocks(p.pvol)} PDIFF=${blocks(p.pdiff.map((d) => d ?? '--'))} PBM=${bits(p.pbm)} PDBM=${bits(p.pdbm)} NEXT=${bits(p.next)}${p.staged === null ? '' : ` RAM=${p.staged.block}:${p.staged.data}`}`,
      secondary: `SVOL=${blocks(s.svol)} SDIFFA=${blocks(s.logA.map((r) => r?.data ?? '--'))} SDIFFB=${blocks(s.logB.map((r) => r?.data ?? '--'))}`,
    };
  }
  const { primary: p, secondary: s } = system;
  return {
    primary: `PP=${blocks(p.pp)} PS=${blocks(p.ps)} A=${bits(p.bitmapA)} B=${bits(p.bitmapB)} C=${bits(p.bitmapC)} D=${bits(p.bitmapD)}`,
    secondary: `SP=${blocks(s.sp)} SS=${blocks(s.ss)} SA=${bits(s.sa)} SB=${bits(s.sb)}`,
  };
}

function formatSystem(system: FreezeSystem, geometry: FreezeGeometry): string {
  const { primary: p, secondary: s } = system;
  const out = (messages: readonly Message[]) => (messages.length === 0 ? '' : ` unacked{${messages.map((m) => formatMessage(m, geometry)).join(' ')}}`);
  const volumes = formatVolumes(system);
  const flight = system.link.inFlight.map((m, i) => `#${i} ${formatMessage(m, geometry)}`).join(', ');
  const walk = p.state === 'verifying' ? ` verify@${p.verifyCursor} found=${bits(p.verifyFound)}` : '';
  return `P ${p.state} g${p.gen} ${volumes.primary}${walk}${out(p.outstanding)} | S ${s.state} g${s.gen} ${volumes.secondary}${out(s.outstanding)}`
    + ` | link ${system.link.up ? 'up' : 'DOWN'} [${flight}]`;
}

function formatWorld(world: FreezeWorld): string {
  const { system, model, variant, geometry } = world;
  const images = model.images.map((frozen) => `F(${frozen.gen})=${blocks(frozen.image)}`).join(' ');
  const committed = heldImageOf(model, system.secondary.gen);
  const rec = recoveryImage(system, variant);
  const mixture = committed !== null && rec.some((block, b) => block !== committed[b]) ? ' ≠F(k_S)' : '';
  const corrupted = corruptedBlocks(model, system.secondary.gen).map((b) => blockName(geometry, b));
  return `${formatSystem(system, geometry)} | ${images}${corrupted.length === 0 ? '' : ` corrupted{${corrupted.join(',')}}`} Rec=${blocks(rec)}${mixture}`;
}

function formatOutcome({ controller: outcome }: FreezeStepOutcome): string {
  if (!outcome.accepted) return `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const taken = outcome.transitions.map((t) => `${t.machine === 'primary' ? 'P' : 'S'}:${t.eventType}`).join(',');
  const results = outcome.results.map((r) => {
    switch (r.kind) {
      case 'read': return `read=${r.data}`;
      case 'freeze-done': return `FREEZE_DONE(g${r.gen})`;
      case 'recovered': return `recovered g${r.gen} ${blocks(r.image)}`;
      case 'verify': return `verify found ${bits(r.found)}`;
    }
  });
  return `accepted${taken === '' ? '' : ` ${taken}`}${results.length === 0 ? '' : ` → host: ${results.join(' ')}`}`;
}

const BITS: readonly string[] = ['pbm', 'pdbm', 'next', 'bitmapA', 'bitmapB', 'bitmapC', 'bitmapD', 'sbm', 'sdbm', 'sa', 'sb'];
const BLOCKS: readonly string[] = ['pvol', 'pdiff', 'pp', 'ps', 'svol', 'sdiffA', 'sdiffB', 'sp', 'ss'];
const OBSERVED_KINDS: Readonly<Record<string, ObservedKind>> = Object.fromEntries([
  ...BITS.map((field) => [field, 'bits' as const]), ...BLOCKS.map((field) => [field, 'blocks' as const]),
]);

/**
 * The blocks the report marks, read as the two central properties read them, each on the field that holds
 * the block: the host view against every acknowledged write (host-view-is-every-acknowledged-write; E1 reads
 * PDIFF where PDBM is set, else PVOL; E2-E4 read PP), and the image recovery would produce against the
 * committed freeze image F(k_S) (recovery-image-is-committed-freeze; E1 SDIFFA where it overlays SVOL while
 * applying, else SVOL; E2-E4 SP where it overlays SS, else SS).
 */
function differences({ system, model, variant }: FreezeWorld): Differences {
  const marks: Record<string, number[]> = {};
  const mark = (field: string, block: number): void => { (marks[field] ??= []).push(block); };
  if (system.primary.state !== 'failed') {
    hostView(system).forEach((block, b) => {
      if (block === model.current[b]) return;
      mark(system.algorithm === 'log' ? (system.primary.pdbm[b] ? 'pdiff' : 'pvol') : 'pp', b);
    });
  }
  const committed = heldImageOf(model, system.secondary.gen); // silent corruptions are the model's too
  const applying = system.secondary.state === 'applying';
  if (committed !== null) {
    recoveryImage(system, variant).forEach((block, b) => {
      if (block === committed[b]) return;
      if (system.algorithm === 'log') mark(applying && system.secondary.logA[b] ? 'sdiffA' : 'svol', b);
      else mark(applying && system.secondary.sa[b] ? 'sp' : 'ss', b);
    });
  }
  return marks;
}

export const freezeRemoteCopyLifecycle = defineLifecycle<FreezeWorld, FreezeEvent, FreezeStepOutcome, FreezePreset>({
  id: 'freeze-remote-copy',
  seed: '001',
  title: 'Unordered remote copy with freeze points: the secondary always holds a consistent frozen image',
  variants: FREEZE_VARIANTS,
  machines: [
    { name: 'freeze-remote-copy-primary', title: 'freeze-remote-copy (seed 001): primary controller', machine: primaryMachine },
    { name: 'freeze-remote-copy-secondary', title: 'freeze-remote-copy (seed 001): secondary controller', machine: secondaryMachine },
  ],
  presets: FREEZE_PRESETS,
  eventSchema: freezeEventSchema,
  properties: FREEZE_PROPERTIES,
  reasons: ['malformed-command', 'unknown-volume', 'track-out-of-range', 'length-out-of-range', 'wrong-state', 'busy'],
  pinned: FREEZE_PINNED,
  initial,
  step,
  key,
  alphabet: exhaustiveEvents,
  arbitrary: (_variant, preset) => eventArbitrary(preset),
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.transitions.map((t) => ({ machine: t.machine, source: t.source, eventType: t.eventType, target: t.target }))
    : []),
  controlStates: ({ system }) => ({ primary: system.primary.state, secondary: system.secondary.state }),
  formatEvent: formatFreezeEvent,
  formatWorld,
  formatOutcome,
  observe,
  observeOutcome,
  observedKinds: OBSERVED_KINDS,
  differences,
  workload: freezeRemoteCopyWorkload,
  layout: freezeRemoteCopyLayout,
  presetSchema,
});
