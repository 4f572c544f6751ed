/**
 * freeze-remote-copy's world layout (src/harness/layout.ts): every field of the two controllers, the link,
 * the model and the history's counters that the key (src/freeze-remote-copy/lifecycle.ts `key`)
 * distinguishes, in the harness's terms, for the log algorithm (E1) and the split algorithm (E2-E4), so
 * that the exhaustive checker stores a world in a few words instead of a key string.
 *
 * The compared words are the key, field for field. Sequence numbers appear by rank among the key's
 * (src/freeze-remote-copy/ranks.ts); a failed primary's volumes, bitmaps, outstanding list and walk, and
 * the host's content, are left out, as the key leaves them out; a recovered secondary's world is only its
 * committed volume, the two generations and the model's copies of the committed image (the key's `R...`
 * form); the blocks written since the last freeze are left out once the preset's last freeze is accepted.
 * Where the key writes `-` for an absent value and a list for a present one, the layout has an optional
 * value, so an empty list and an absent one stay apart as they do in the key.
 *
 * What the key drops, the replay still needs: a recovered world still delivers its messages in flight to a
 * primary that may be alive, and a world rebuilt from ranks must put its numbers in the same order as the
 * world that was stored, with 0 where that world had 0 (a FREEZE, ALL_SENT and S_DONE are numbered 0, and
 * an E2-E4 SP block not written since the start has 0 too, which the key cannot tell from the smallest
 * number of another world: an SP rank 0 shares its rank with a later FREEZE exactly when it was 0). So the
 * whole world is carried (src/harness/layout.ts `carried`): its fields unmasked, its numbers ranked among
 * all of them, and whether 0 is one of them. A state keeps what the first world that reached it carried,
 * as the search by key keeps that world itself. Rebuilt numbers are `rank` when 0 is among them and
 * `rank + 1` when it is not, and the next DATA's number is one past the largest, so every comparison of
 * two numbers, and every comparison with 0 (E1's `storedSeq` of a block with no record is 0), comes out as
 * in the world that was stored.
 *
 * A block is `blockSize` bytes, each 0, 1 (the refused writes of the alphabet write `01`s, and a broken
 * variant keeps one), one of the preset's written values or the corruption byte, held as its number among
 * all such blocks (`blockTable`); in E4 a block kept in PS
 * or SP or sent from them is an AES-256-GCM ciphertext, held as its plaintext and the generation and block
 * of its IV, and sealed again on rebuilding (sealing is deterministic, src/freeze-remote-copy/crypto.ts).
 * test/harness/conformance.ts checks over every embodiment's search that two worlds pack alike exactly
 * when their keys are equal and that a rebuilt world has its key.
 */
import type { FreezeModel } from '../../model/freeze-remote-copy.js';
import { heldImageOf, imageOf } from '../../model/freeze-remote-copy.js';
import { assert } from '../assert.js';
import { defineLayout, field, type Unpacked } from '../harness/layout.js';
import { toHex } from '../hex.js';
import { committedVolume, type FreezeWorld } from './abstraction.js';
import { open, seal } from './crypto.js';
import { blockCount, CORRUPT_BYTE, type Message } from './events.js';
import type { FreezePreset } from './lifecycle.js';
import { seqOrder } from './ranks.js';
import type { FreezeSystem, LogPrimary, LogRecord, LogSecondary, PrimaryStateKey, SecondaryStateKey, SplitPrimary, SplitSecondary } from './system.js';
import { freezeVariant, type FreezeVariant } from './variants.js';

const PRIMARY_STATES: readonly PrimaryStateKey[] = [
  'normal', 'verifying', 'freezing.draining', 'freezing.merging', 'freezing.splitting', 'freezing.transferring', 'freezing.awaiting', 'failed',
];
const SECONDARY_STATES: readonly SecondaryStateKey[] = ['receiving', 'noted', 'applying', 'recovered'];
/** A message's kind, with the kind it acknowledges for an ACK; `to` follows from it (as in the key). */
const MESSAGE_CODES = ['data', 'freeze', 'all-sent', 'secondary-done', 'ack:data', 'ack:freeze', 'ack:all-sent', 'ack:secondary-done'] as const;
type MessageCode = (typeof MESSAGE_CODES)[number];
/** A count or a generation no search can reach: an unbounded preset's counters are held up to it. */
const MAX_COUNT = 0xffff;
/**
 * Unacknowledged messages a controller keeps at most: the primary its window of DATA and one FREEZE and one
 * ALL_SENT, the secondary an S_DONE, with room for one more each (a literal defect's ALL_SENT of one freeze
 * with the FREEZE of the next); a list past these is a LayoutError, which the conformance tests would show.
 */
const extraOutstanding = 3;

const counter = (bound: number) => field.uint(Math.min(bound, MAX_COUNT));
/**
 * A generation: up to the preset's freezes, and one more, since E1 numbers the DATA written while the last
 * freeze drains with the image after it (NEXT, D1).
 */
const generation = (preset: FreezePreset) => counter(preset.maxFreezes + 1);
const isLog = (variant: FreezeVariant): boolean => variant.control.embodiment === 1;
const isSealed = (variant: FreezeVariant): boolean => variant.control.embodiment === 4;

function variantNamed(name: string): FreezeVariant {
  const variant = freezeVariant(name);
  assert(variant !== undefined, () => `no freeze-remote-copy variant ${name}`);
  return variant;
}

/** The geometry's bounds every field of a search is written with. */
function boundsOf(variantName: string, preset: FreezePreset) {
  const variant = variantNamed(variantName);
  const n = blockCount(preset);
  const primaryOutstanding = preset.window + extraOutstanding;
  const secondaryOutstanding = extraOutstanding;
  // Every number a world holds: the link's, both outstanding lists', and E1's two logs' or E2-E4's SP's.
  const maxSeqs = preset.linkCapacity + primaryOutstanding + secondaryOutstanding + (isLog(variant) ? 2 * n : n);
  return { variant, n, primaryOutstanding, secondaryOutstanding, maxRank: maxSeqs };
}

// ---------------------------------------------------------------- shapes

function fields(variantName: string, preset: FreezePreset) {
  const { variant, n, primaryOutstanding, secondaryOutstanding, maxRank } = boundsOf(variantName, preset);
  const plain = field.uint(blockTable(preset).texts.length - 1);
  const gen = generation(preset);
  // A non-E4 block is never sealed: a choice of null alone takes no bits, so only E4 pays for the IV fields.
  const iv = field.optional(field.struct({ gen, block: field.uint(n - 1) }));
  const sealable = field.struct({ iv: isSealed(variant) ? iv : field.choice([null]) as unknown as typeof iv, plain });
  const rank = field.uint(maxRank);
  const message = field.struct({
    code: field.choice(MESSAGE_CODES),
    gen,
    rank,
    data: field.optional(field.struct({ block: field.uint(n - 1), data: sealable })),
  });
  const volume = field.array(n, plain);
  const flags = field.flags(n);
  const record = field.optional(field.struct({ data: plain, rank }));
  const image = field.struct({ gen, image: volume });
  return { variant, n, plain, gen, sealable, rank, message, volume, flags, record, image, primaryOutstanding, secondaryOutstanding };
}

type Fields = ReturnType<typeof fields>;

function logShape(f: Fields) {
  return {
    primary: field.struct({ pvol: f.volume, pdiff: field.array(f.n, field.optional(f.plain)), pbm: f.flags, pdbm: f.flags, next: f.flags, staged: field.optional(field.struct({ block: field.uint(f.n - 1), data: f.plain })) }),
    secondary: field.struct({ svol: f.volume, logA: field.array(f.n, f.record), logB: field.array(f.n, f.record) }),
  };
}

function splitShape(f: Fields) {
  const sealed = field.array(f.n, f.sealable);
  return {
    primary: field.struct({ pp: f.volume, ps: sealed, bitmapA: f.flags, bitmapB: f.flags, bitmapC: f.flags, bitmapD: f.flags }),
    secondary: field.struct({ sp: sealed, spSeq: field.array(f.n, f.rank), ss: f.volume, sa: f.flags, sb: f.flags }),
  };
}

/**
 * A world that has not ended at recovery, as the key writes it; the primary's own fields are null when it
 * has failed, and so is `verify` outside `verifying`. `A` is the algorithm's half (log or split).
 */
function liveShape<A extends ReturnType<typeof logShape> | ReturnType<typeof splitShape>>(f: Fields, preset: FreezePreset, algorithm: A) {
  const n = f.n;
  return field.struct({
    hostWrites: counter(preset.maxWrites),
    duplicates: counter(preset.maxDuplicates),
    up: field.bool(),
    inFlight: field.list(preset.linkCapacity, f.message),
    primaryState: field.choice(PRIMARY_STATES),
    primaryGen: f.gen,
    primaryOutstanding: field.list(f.primaryOutstanding, f.message),
    walk: field.optional(field.struct({ cursor: field.uint(n), found: f.flags })),
    primary: field.optional(algorithm.primary as A['primary']),
    secondaryState: field.choice(SECONDARY_STATES),
    secondaryGen: f.gen,
    secondary: algorithm.secondary as A['secondary'],
    secondaryOutstanding: field.list(f.secondaryOutstanding, f.message),
    model: field.struct({
      current: field.optional(f.volume),
      freezeCount: counter(preset.maxFreezes),
      images: field.list(2, f.image),
      freezing: field.bool(),
      primaryFailed: field.bool(),
      secondaryRecovered: field.bool(),
      written: field.optional(field.set(n)),
      held: field.list(2, f.image),
      verify: field.optional(field.struct({ must: field.set(n), may: field.set(n) })),
    }),
  });
}

/** The key of a world that ended at recovery: its `R...` form. */
function recoveredShape(f: Fields) {
  return field.struct({ committed: f.volume, secondaryGen: f.gen, primaryGen: f.gen, image: field.optional(f.volume), held: field.optional(f.volume) });
}

function shapesOf<A extends ReturnType<typeof logShape> | ReturnType<typeof splitShape>>(variantName: string, preset: FreezePreset, algorithmOf: (f: Fields) => A) {
  const f = fields(variantName, preset);
  const live = liveShape(f, preset, algorithmOf(f));
  return {
    // The compared words: exactly one of the two is present.
    key: field.struct({ recovered: field.optional(recoveredShape(f)), live: field.optional(live) }),
    // The carried words: the whole world, and whether 0 is among its sequence numbers.
    carried: field.struct({ zero: field.bool(), world: live }),
  };
}

const logShapes = (variantName: string, preset: FreezePreset) => shapesOf(variantName, preset, logShape);
const splitShapes = (variantName: string, preset: FreezePreset) => shapesOf(variantName, preset, splitShape);
type LogShapes = ReturnType<typeof logShapes>;
type SplitShapes = ReturnType<typeof splitShapes>;
type LiveValue<S extends LogShapes | SplitShapes> = Unpacked<S['carried']>['world'];

// ---------------------------------------------------------------- blocks

/**
 * Every plaintext block a search can hold, numbered: each byte is 0, 1, a written value or the corruption
 * byte, so a block is one number below (that many)^blockSize (at most 7^4 = 2 401 within the preset
 * schema's limits). One whole number a block, looked up both ways, packs and rebuilds faster than a block's
 * bytes one by one (e1 packed: about 24 s of CPU with bytes, a third of it in packing and rebuilding).
 */
interface BlockTable {
  readonly texts: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

const tables = new WeakMap<FreezePreset, BlockTable>();

function blockTable(preset: FreezePreset): BlockTable {
  let table = tables.get(preset);
  if (table === undefined) {
    const bytes = [...new Set([0, 1, ...preset.values, CORRUPT_BYTE])];
    const count = bytes.length ** preset.blockSize;
    const texts = Array.from({ length: count }, (_, number) => {
      const block: number[] = [];
      for (let i = 0, rest = number; i < preset.blockSize; i += 1, rest = Math.floor(rest / bytes.length)) block.push(bytes[rest % bytes.length]!);
      return toHex(block);
    });
    table = { texts, index: new Map(texts.map((text, number) => [text, number])) };
    tables.set(preset, table);
  }
  return table;
}

/**
 * The table of the preset being packed or rebuilt: set on entry to every pack and unpack (they run one at a
 * time, start to end), so that the block helpers need no table argument threaded through every field.
 */
let table: BlockTable = { texts: [], index: new Map() };

function useTable(preset: FreezePreset): void {
  table = blockTable(preset);
}

/** A plaintext block's number in the preset's table. */
function bytesOf(block: string): number {
  const number = table.index.get(block);
  assert(number !== undefined, () => `the block ${block} is not one of the preset's (bytes 0, 1, the written values, the corruption byte)`);
  return number;
}

const plainText = (number: number): string => table.texts[number]!;

/** A block that may be sealed: an authentic ciphertext as its IV's generation and block and its plaintext. */
function sealableOf(block: string): { iv: { gen: number; block: number } | null; plain: number } {
  // open is memoized both ways, and refuses a plaintext block (shorter than an IV and a tag) at once.
  const plaintext = open(block);
  if (plaintext === null) return { iv: null, plain: bytesOf(block) };
  return { iv: { gen: parseInt(block.slice(0, 8), 16), block: parseInt(block.slice(8, 16), 16) }, plain: bytesOf(plaintext) };
}

function sealableText(value: { readonly iv: { readonly gen: number; readonly block: number } | null; readonly plain: number }): string {
  const plaintext = plainText(value.plain);
  return value.iv === null ? plaintext : seal(plaintext, value.iv.gen, value.iv.block);
}

// ---------------------------------------------------------------- ranks

/** Every sequence number of the world, a failed primary's outstanding list's too, smallest first. */
function fullOrder(system: FreezeSystem): number[] {
  const seqs = seqOrder(system);
  if (system.primary.state !== 'failed') return seqs;
  for (const m of system.primary.outstanding) if (seqs.indexOf(m.seq) === -1) seqs.push(m.seq);
  return seqs.sort((a, b) => a - b);
}

function codeOf(m: Message): MessageCode {
  return m.kind === 'ack' ? `ack:${m.of}` : m.kind;
}

function packMessage(m: Message, seqs: readonly number[]) {
  return {
    code: codeOf(m),
    gen: m.gen,
    rank: seqs.indexOf(m.seq),
    data: m.kind === 'data' ? { block: m.block, data: sealableOf(m.data) } : null,
  };
}

const packMessages = (list: readonly Message[], seqs: readonly number[]) => list.map((m) => packMessage(m, seqs));

/** A message rebuilt, its fields in the order of its builder (wire.ts, controller.ts). */
function messageOf(packed: MessageValue, seqOf: (rank: number) => number): Message {
  const { gen } = packed;
  switch (packed.code) {
    case 'data': {
      assert(packed.data !== null, 'a packed DATA has its block');
      return { to: 'secondary', kind: 'data', gen, seq: seqOf(packed.rank), block: packed.data.block, data: sealableText(packed.data.data) };
    }
    case 'freeze': return { to: 'secondary', kind: 'freeze', gen, seq: 0 };
    case 'all-sent': return { to: 'secondary', kind: 'all-sent', gen, seq: 0 };
    case 'secondary-done': return { to: 'primary', kind: 'secondary-done', gen, seq: 0 };
    case 'ack:secondary-done': return { to: 'secondary', kind: 'ack', of: 'secondary-done', gen, seq: 0 };
    default: return { to: 'primary', kind: 'ack', of: packed.code.slice(4) as 'data' | 'freeze' | 'all-sent', gen, seq: seqOf(packed.rank) };
  }
}

// ---------------------------------------------------------------- packing

const volumeOf = (blocks: readonly string[]) => blocks.map(bytesOf);
const imagesOf = (images: FreezeModel['images']) => images.map((frozen) => ({ gen: frozen.gen, image: volumeOf(frozen.image) }));

function packLogAlgorithm(system: FreezeSystem, seqs: readonly number[], withPrimary: boolean) {
  assert(system.algorithm === 'log', 'a log layout packs an E1 system');
  const { primary: p, secondary: s } = system;
  const records = (list: readonly (LogRecord | null)[]) => list.map((r) => (r === null ? null : { data: bytesOf(r.data), rank: seqs.indexOf(r.seq) }));
  return {
    primary: withPrimary
      ? { pvol: volumeOf(p.pvol), pdiff: p.pdiff.map((d) => (d === null ? null : bytesOf(d))), pbm: p.pbm, pdbm: p.pdbm, next: p.next, staged: p.staged === null ? null : { block: p.staged.block, data: bytesOf(p.staged.data) } }
      : null,
    secondary: { svol: volumeOf(s.svol), logA: records(s.logA), logB: records(s.logB) },
  };
}

function packSplitAlgorithm(system: FreezeSystem, seqs: readonly number[], withPrimary: boolean) {
  assert(system.algorithm === 'split', 'a split layout packs an E2-E4 system');
  const { primary: p, secondary: s } = system;
  return {
    primary: withPrimary
      ? { pp: volumeOf(p.pp), ps: p.ps.map(sealableOf), bitmapA: p.bitmapA, bitmapB: p.bitmapB, bitmapC: p.bitmapC, bitmapD: p.bitmapD }
      : null,
    secondary: { sp: s.sp.map(sealableOf), spSeq: s.spSeq.map((seq) => seqs.indexOf(seq)), ss: volumeOf(s.ss), sa: s.sa, sb: s.sb },
  };
}

/** One algorithm's half of a world, packed: its primary's fields (null when left out) and its secondary's. */
type AlgorithmPacker<R> = (system: FreezeSystem, seqs: readonly number[], withPrimary: boolean) => R;

/**
 * The world not ended at recovery, with the key's omissions when `asKey` (ranks among the key's numbers)
 * and whole otherwise (ranks among all of them).
 */
function packLive<R extends { primary: unknown; secondary: unknown }>(world: FreezeWorld, preset: FreezePreset, seqs: readonly number[], asKey: boolean, packAlgorithm: AlgorithmPacker<R>) {
  const { system, model } = world;
  const p = system.primary;
  const s = system.secondary;
  const hidden = asKey && p.state === 'failed';
  const algorithm = packAlgorithm(system, seqs, !hidden);
  return {
    hostWrites: world.hostWrites,
    duplicates: world.duplicates,
    up: system.link.up,
    inFlight: packMessages(system.link.inFlight, seqs),
    primaryState: p.state,
    primaryGen: p.gen,
    primaryOutstanding: hidden ? [] : packMessages(p.outstanding, seqs),
    walk: hidden || (asKey && p.state !== 'verifying') ? null : { cursor: p.verifyCursor, found: p.verifyFound },
    primary: algorithm.primary as R['primary'],
    secondaryState: s.state,
    secondaryGen: s.gen,
    secondary: algorithm.secondary as R['secondary'],
    secondaryOutstanding: packMessages(s.outstanding, seqs),
    model: {
      current: hidden ? null : volumeOf(model.current),
      // Not in the key: the last image's generation is the count (model/freeze-remote-copy.ts `images`).
      freezeCount: asKey ? 0 : model.freezeCount,
      images: imagesOf(model.images),
      freezing: model.freezing,
      primaryFailed: model.primaryFailed,
      secondaryRecovered: model.secondaryRecovered,
      written: asKey && model.freezeCount >= preset.maxFreezes ? null : model.written,
      held: imagesOf(model.held),
      verify: model.verify,
    },
  };
}

function packCarriedFresh<R extends { primary: unknown; secondary: unknown }>(world: FreezeWorld, packAlgorithm: AlgorithmPacker<R>) {
  useTable(world.geometry as FreezePreset);
  const seqs = fullOrder(world.system);
  return { zero: seqs[0] === 0, world: packLive(world, world.geometry as FreezePreset, seqs, false, packAlgorithm) };
}

/**
 * The packer asks for a world's compared value and then for its carried value, on every step: the world
 * whose carried value was made last, and that value, so that the second call is a lookup.
 */
const lastCarried: { world: FreezeWorld | null; value: unknown } = { world: null, value: null };

function packCarried<R extends { primary: unknown; secondary: unknown }>(world: FreezeWorld, packAlgorithm: AlgorithmPacker<R>) {
  if (lastCarried.world === world) return lastCarried.value as ReturnType<typeof packCarriedFresh<R>>;
  const value = packCarriedFresh(world, packAlgorithm);
  lastCarried.world = world;
  lastCarried.value = value;
  return value;
}

function packKey<R extends { primary: unknown; secondary: unknown }>(world: FreezeWorld, packAlgorithm: AlgorithmPacker<R>) {
  const { system, model } = world;
  const preset = world.geometry as FreezePreset;
  useTable(preset);
  if (system.secondary.state === 'recovered') {
    const { gen } = system.secondary;
    const image = imageOf(model, gen);
    const held = heldImageOf(model, gen);
    return {
      recovered: { committed: volumeOf(committedVolume(system)), secondaryGen: gen, primaryGen: system.primary.gen, image: image === null ? null : volumeOf(image), held: held === null ? null : volumeOf(held) },
      live: null,
    };
  }
  if (system.primary.state === 'failed') return { recovered: null, live: packLive(world, preset, seqOrder(system), true, packAlgorithm) };
  // A live primary's numbers are all the key's (ranks.ts), and the key leaves out only the walk outside
  // `verifying`, the count of freezes and the written blocks after the last freeze: the carried value with
  // those three masked, its volumes and messages shared.
  // Fields listed, not spread, as in unpackLog: the packer reads them by name.
  const whole = packCarried(world, packAlgorithm).world;
  const m = whole.model;
  return {
    recovered: null,
    live: {
      hostWrites: whole.hostWrites, duplicates: whole.duplicates, up: whole.up, inFlight: whole.inFlight,
      primaryState: whole.primaryState, primaryGen: whole.primaryGen, primaryOutstanding: whole.primaryOutstanding,
      walk: system.primary.state === 'verifying' ? whole.walk : null,
      primary: whole.primary, secondaryState: whole.secondaryState, secondaryGen: whole.secondaryGen, secondary: whole.secondary,
      secondaryOutstanding: whole.secondaryOutstanding,
      model: {
        current: m.current, freezeCount: 0, images: m.images, freezing: m.freezing, primaryFailed: m.primaryFailed,
        secondaryRecovered: m.secondaryRecovered, written: model.freezeCount >= preset.maxFreezes ? null : m.written, held: m.held, verify: m.verify,
      },
    },
  };
}

// ---------------------------------------------------------------- rebuilding

const textsOf = (volume: readonly number[]): string[] => volume.map(plainText);

type MessageValue = Unpacked<Fields['message']>;
type LiveControls = Pick<LiveValue<LogShapes>, 'primaryState' | 'primaryGen' | 'primaryOutstanding' | 'walk' | 'secondaryState' | 'secondaryGen' | 'secondaryOutstanding' | 'inFlight'>;
type ModelValue = LiveValue<LogShapes>['model'];

/** The control fields both algorithms' primaries and secondaries hold, and the link's messages, rebuilt. */
function controlsOf(live: LiveControls, seqOf: (rank: number) => number, nextSeq: number) {
  const messages = (list: readonly MessageValue[]) => list.map((m) => messageOf(m, seqOf));
  const walk = live.walk;
  assert(walk !== null, 'a carried world has its walk');
  return {
    primary: { state: live.primaryState, gen: live.primaryGen, seq: nextSeq, outstanding: messages(live.primaryOutstanding), verifyCursor: walk.cursor, verifyFound: walk.found },
    secondary: { state: live.secondaryState, gen: live.secondaryGen, outstanding: messages(live.secondaryOutstanding) },
    inFlight: messages(live.inFlight),
  };
}

/** The model rebuilt, its fields in model/freeze-remote-copy.ts's order. */
function modelOf(packed: ModelValue): FreezeModel {
  assert(packed.current !== null && packed.written !== null, 'a carried world has its content and its written blocks');
  const images = (list: ModelValue['images']) => list.map((frozen) => ({ gen: frozen.gen, image: textsOf(frozen.image) }));
  return {
    current: textsOf(packed.current),
    freezeCount: packed.freezeCount,
    images: images(packed.images),
    freezing: packed.freezing,
    primaryFailed: packed.primaryFailed,
    secondaryRecovered: packed.secondaryRecovered,
    written: packed.written,
    held: images(packed.held),
    verify: packed.verify === null ? null : { must: packed.verify.must, may: packed.verify.may },
  };
}

/**
 * The numbers of a carried world, given the ranks its secondary's volumes hold: rank r is r when 0 is among
 * them and r + 1 otherwise, and the next DATA's number is one past the largest.
 */
function numbering(zero: boolean, live: LiveControls, stored: readonly number[]): { seqOf: (rank: number) => number; nextSeq: number } {
  const offset = zero ? 0 : 1;
  let top = -1;
  for (const list of [live.inFlight, live.primaryOutstanding, live.secondaryOutstanding]) for (const m of list) top = Math.max(top, m.rank);
  for (const rank of stored) top = Math.max(top, rank);
  // Sequence numbers start at 1 (log.ts, split.ts initial): a world with none sends 1 next.
  return { seqOf: (rank) => rank + offset, nextSeq: Math.max(1, top + 1 + offset) };
}

function worldOf(system: FreezeSystem, model: FreezeModel, variantName: string, preset: FreezePreset, live: { readonly hostWrites: number; readonly duplicates: number }): FreezeWorld {
  // Fields in initial's order (src/freeze-remote-copy/lifecycle.ts), so that every world has one engine shape.
  return { system, model, variant: variantNamed(variantName), geometry: preset, hostWrites: live.hostWrites, duplicates: live.duplicates };
}

function unpackLog(carried: Unpacked<LogShapes['carried']>, variantName: string, preset: FreezePreset): FreezeWorld {
  useTable(preset);
  const live = carried.world;
  const s = live.secondary;
  const ranks = [...s.logA, ...s.logB].flatMap((r) => (r === null ? [] : [r.rank]));
  const { seqOf, nextSeq } = numbering(carried.zero, live, ranks);
  const c = controlsOf(live, seqOf, nextSeq);
  const p = live.primary;
  assert(p !== null, 'a carried world has its primary');
  const records = (list: typeof s.logA): (LogRecord | null)[] => list.map((r) => (r === null ? null : { data: plainText(r.data), seq: seqOf(r.rank) }));
  const { primary: cp, secondary: cs } = c;
  // Fields listed, not spread: an object spread followed by more fields took about 9 of the 10 µs of a
  // rebuild (V8 copies it by a slow path), and the fields stay in the builders' order (log.ts, split.ts).
  const primary: LogPrimary = {
    state: cp.state, gen: cp.gen, seq: cp.seq, outstanding: cp.outstanding, verifyCursor: cp.verifyCursor, verifyFound: cp.verifyFound,
    pvol: textsOf(p.pvol), pdiff: p.pdiff.map((d) => (d === null ? null : plainText(d))), pbm: p.pbm, pdbm: p.pdbm, next: p.next,
    staged: p.staged === null ? null : { block: p.staged.block, data: plainText(p.staged.data) },
  };
  const secondary: LogSecondary = { state: cs.state, gen: cs.gen, outstanding: cs.outstanding, svol: textsOf(s.svol), logA: records(s.logA), logB: records(s.logB) };
  const system: FreezeSystem = { algorithm: 'log', primary, secondary, link: { up: live.up, capacity: preset.linkCapacity, inFlight: c.inFlight } };
  return worldOf(system, modelOf(live.model), variantName, preset, live);
}

function unpackSplit(carried: Unpacked<SplitShapes['carried']>, variantName: string, preset: FreezePreset): FreezeWorld {
  useTable(preset);
  const live = carried.world;
  const s = live.secondary;
  const { seqOf, nextSeq } = numbering(carried.zero, live, s.spSeq);
  const c = controlsOf(live, seqOf, nextSeq);
  const p = live.primary;
  assert(p !== null, 'a carried world has its primary');
  const { primary: cp, secondary: cs } = c;
  // Fields listed, not spread (unpackLog).
  const primary: SplitPrimary = {
    state: cp.state, gen: cp.gen, seq: cp.seq, outstanding: cp.outstanding, verifyCursor: cp.verifyCursor, verifyFound: cp.verifyFound,
    pp: textsOf(p.pp), ps: p.ps.map(sealableText), bitmapA: p.bitmapA, bitmapB: p.bitmapB, bitmapC: p.bitmapC, bitmapD: p.bitmapD,
  };
  const secondary: SplitSecondary = { state: cs.state, gen: cs.gen, outstanding: cs.outstanding, sp: s.sp.map(sealableText), spSeq: s.spSeq.map(seqOf), ss: textsOf(s.ss), sa: s.sa, sb: s.sb };
  const system: FreezeSystem = { algorithm: 'split', primary, secondary, link: { up: live.up, capacity: preset.linkCapacity, inFlight: c.inFlight } };
  return worldOf(system, modelOf(live.model), variantName, preset, live);
}

const logLayout = defineLayout<FreezeWorld, FreezePreset, LogShapes['key'], LogShapes['carried']>({
  shape: (variantName, preset) => logShapes(variantName, preset).key,
  pack: (world) => packKey(world, packLogAlgorithm),
  carried: { shape: (variantName, preset) => logShapes(variantName, preset).carried, pack: (world) => packCarried(world, packLogAlgorithm), whole: true },
  unpack: (_value, variantName, preset, carried) => unpackLog(carried, variantName, preset),
});

const splitLayout = defineLayout<FreezeWorld, FreezePreset, SplitShapes['key'], SplitShapes['carried']>({
  shape: (variantName, preset) => splitShapes(variantName, preset).key,
  pack: (world) => packKey(world, packSplitAlgorithm),
  carried: { shape: (variantName, preset) => splitShapes(variantName, preset).carried, pack: (world) => packCarried(world, packSplitAlgorithm), whole: true },
  unpack: (_value, variantName, preset, carried) => unpackSplit(carried, variantName, preset),
});

const layoutOf = (variantName: string) => (isLog(variantNamed(variantName)) ? logLayout : splitLayout);

/** The layout of a variant's worlds: E1's log algorithm's or E2-E4's split algorithm's. */
export const freezeRemoteCopyLayout: typeof logLayout = {
  shape: (variantName, preset) => layoutOf(variantName).shape(variantName, preset),
  pack: (world) => (world.system.algorithm === 'log' ? logLayout : splitLayout).pack(world),
  carried: {
    shape: (variantName, preset) => layoutOf(variantName).carried!.shape(variantName, preset),
    pack: (world) => (world.system.algorithm === 'log' ? logLayout : splitLayout).carried!.pack(world),
    whole: true,
  },
  unpack: (value, variantName, preset, carried) => layoutOf(variantName).unpack(value, variantName, preset, carried),
};
