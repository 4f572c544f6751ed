/**
 * The obviously correct model of seed 001's freeze: what the host may observe and what the secondary may
 * ever recover, with no bitmaps, logs, messages or links. The group's content is one array of blocks; each
 * accepted freeze records the content at that instant as image F(N) (spec/001 §5: F(N) is the host-visible
 * primary content when the primary accepts FREEZE N, serialized with writes; F(0) is the initial image).
 * Only the last two images are kept: the secondary is never more than one freeze behind (I2), so no older
 * image can ever be the right answer.
 *
 * A command is refused by the model's own rules, in the order of src/rejection.ts: its arguments first
 * (`argumentRejection`: malformed, unknown volume, block out of range, length out of range), then its state
 * by a plain table: nothing reaches a failed primary, a freeze while one is in progress is busy (D9), and a
 * recovered secondary cannot recover again. The model shares no code with the controllers' check
 * (src/freeze-remote-copy/arguments.ts), so `acceptance-agrees-with-model` compares two independent answers.
 * Online verify and silent corruption (issue 15 item 4): the model knows a corruption exactly, as the
 * secondary's copy of each image (`held`), and bounds what a verify must and may report (`verify`), with no
 * cursor. A verify, a verify step and a corruption are accepted only between freezes, with both controllers
 * alive; a freeze waits for a running verify (busy).
 * Background steps and link events are
 * scheduling: whether there is work for them depends on the controllers' data, so the model leaves their
 * acceptance open. The model learns that a freeze has completed from the controller's completion report;
 * whether that report is true is what the property `freeze-done-means-recoverable` checks.
 */
import { blockCount, CORRUPT_BYTE, groupBlock, type FreezeEvent, type FreezeGeometry } from '../src/freeze-remote-copy/events.js';
import { isHex } from '../src/hex.js';
import { reject, type Rejection } from '../src/rejection.js';

export interface FrozenImage {
  readonly gen: number;
  readonly image: readonly string[];
}

export interface FreezeModel {
  /** The group's host-visible content: every acknowledged write, in order. */
  readonly current: readonly string[];
  /** Freezes accepted: k_P. */
  readonly freezeCount: number;
  /** F(k_P - 1) and F(k_P), oldest first (just F(0) at the start). */
  readonly images: readonly FrozenImage[];
  /** A freeze has been accepted and its completion not yet reported. */
  readonly freezing: boolean;
  readonly primaryFailed: boolean;
  readonly secondaryRecovered: boolean;
  /** The group blocks written since the last freeze instant, ascending (all of them, whatever the value). */
  readonly written: readonly number[];
  /**
   * The secondary's copy of each image in `images`, as it holds it: F(N), but where a silent corruption
   * changed a block. A block not written between two freezes is not sent again, so the copy of F(N+1) keeps
   * the copy of F(N)'s block there, corrupted or not.
   */
  readonly held: readonly FrozenImage[];
  /** While an online verify runs: the blocks it must report and those it may (see `startVerify`). */
  readonly verify: VerifyBounds | null;
}

/**
 * What an online verify of the last freeze's image may find. It must report every block corrupted when it
 * started and neither written since the freeze nor since (E1 skips the written blocks: the primary no longer
 * holds their frozen value), and may report only blocks corrupted at some time during it; no cursor is needed.
 */
export interface VerifyBounds {
  readonly must: readonly number[];
  readonly may: readonly number[];
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly read?: string }
  /** Scheduling and link events: the model does not know whether there is work for them. */
  | { readonly accepted: 'either' };

/**
 * Every model is built here, its fields always in this order, so that all models share one object shape in
 * the engine: spread copies (`{ ...model, current }`) gave the same six fields a score of shapes, and each
 * function reading a model slowed down to a generic property lookup.
 */
function modelOf(fields: FreezeModel): FreezeModel {
  return {
    current: fields.current,
    freezeCount: fields.freezeCount,
    images: fields.images,
    freezing: fields.freezing,
    primaryFailed: fields.primaryFailed,
    secondaryRecovered: fields.secondaryRecovered,
    written: fields.written,
    held: fields.held,
    verify: fields.verify,
  };
}

export function initialModel(geometry: FreezeGeometry): FreezeModel {
  const image = new Array<string>(blockCount(geometry)).fill('00'.repeat(geometry.blockSize));
  return modelOf({
    current: image, freezeCount: 0, images: [{ gen: 0, image }], freezing: false, primaryFailed: false, secondaryRecovered: false, written: [], held: [{ gen: 0, image }], verify: null,
  });
}

/** F(gen), or null when the model no longer (or never) holds it. */
export function imageOf(model: FreezeModel, gen: number): readonly string[] | null {
  return model.images.find((frozen) => frozen.gen === gen)?.image ?? null;
}

/** F(gen) as the secondary holds it, silent corruptions included; null when the model no longer holds it. */
export function heldImageOf(model: FreezeModel, gen: number): readonly string[] | null {
  return model.held.find((frozen) => frozen.gen === gen)?.image ?? null;
}

/** The blocks where the secondary's copy of F(gen) differs from F(gen): silently corrupted. */
export function corruptedBlocks(model: FreezeModel, gen: number): readonly number[] {
  const image = imageOf(model, gen);
  const held = heldImageOf(model, gen);
  if (image === null || held === null) return [];
  return held.flatMap((block, b) => (block === image[b] ? [] : [b]));
}

/** A count or an index: a whole number that JSON and every port's integers carry exactly. */
const isIndex = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The arguments of a command, by the rules of src/rejection.ts in their order: whole numbers and lowercase
 * hex (malformed-command), a volume of the group (unknown-volume), a block of the volume (track-out-of-range),
 * a write of exactly one block (length-out-of-range). Commands without arguments are never refused here.
 */
export function argumentRejection(event: FreezeEvent, geometry: FreezeGeometry): Rejection | null {
  if (event.type === 'link.deliver' || event.type === 'link.duplicate' || event.type === 'link.lose') {
    return isIndex(event.index) ? null : reject('malformed-command', 'a message index is a whole number');
  }
  if (event.type !== 'host.write' && event.type !== 'host.read' && event.type !== 'block.corrupt') return null;
  const write = event.type === 'host.write';
  if (!isIndex(event.volume) || !isIndex(event.block) || (write && !(typeof event.data === 'string' && isHex(event.data)))) {
    return reject('malformed-command', 'a host command names its volume and block by whole numbers, and writes lowercase hex');
  }
  if (!(event.volume < geometry.volumeCount)) return reject('unknown-volume', `the group has volumes 0 to ${geometry.volumeCount - 1}`);
  if (!(event.block < geometry.blocksPerVolume)) return reject('track-out-of-range', `a volume has blocks 0 to ${geometry.blocksPerVolume - 1}`);
  if (write && event.data.length !== 2 * geometry.blockSize) return reject('length-out-of-range', `a write is ${geometry.blockSize} bytes`);
  return null;
}

function refusal(event: FreezeEvent, model: FreezeModel): Rejection | null {
  switch (event.type) {
    case 'host.write':
    case 'host.read':
    case 'primary.fail':
      return model.primaryFailed ? reject('wrong-state', 'the primary has failed') : null;
    case 'host.freeze':
      if (model.primaryFailed) return reject('wrong-state', 'the primary has failed');
      if (model.freezing) return reject('busy', 'a freeze is in progress');
      return model.verify !== null ? reject('busy', 'an online verify is in progress') : null;
    case 'pair.verify':
      // Only between freezes, with both controllers alive, and one verify at a time.
      return model.primaryFailed || model.freezing || model.secondaryRecovered || model.verify !== null ? reject('wrong-state', 'no verify can start now') : null;
    case 'verify.step':
      return model.verify === null || model.secondaryRecovered ? reject('wrong-state', 'no verify is running, or the secondary no longer answers') : null;
    case 'block.corrupt':
      // Injected only between freezes, where the secondary's committed image is the last freeze's.
      return model.primaryFailed || model.freezing || model.secondaryRecovered ? reject('wrong-state', 'a corruption is injected only between freezes') : null;
    case 'secondary.recover':
    case 'secondary.restart':
      return model.secondaryRecovered ? reject('wrong-state', 'the secondary has been recovered') : null;
    default:
      return null;
  }
}

function transition(model: FreezeModel, event: FreezeEvent, geometry: FreezeGeometry): FreezeModel {
  switch (event.type) {
    case 'host.write': {
      const b = groupBlock(geometry, event.volume, event.block);
      const current = model.current.slice();
      current[b] = event.data;
      const verify = model.verify === null ? null : { must: model.verify.must.filter((x) => x !== b), may: model.verify.may };
      return modelOf({ ...model, current, written: withBlock(model.written, b), verify });
    }
    case 'host.freeze':
      return freeze(model);
    case 'primary.fail':
      return modelOf({ ...model, primaryFailed: true, verify: null });
    case 'pair.verify':
      return startVerify(model);
    case 'block.corrupt':
      return corrupt(model, groupBlock(geometry, event.volume, event.block), geometry);
    case 'secondary.recover':
      return modelOf({ ...model, secondaryRecovered: true });
    default:
      return model;
  }
}

/** A sorted list of blocks with one more. */
const withBlock = (blocks: readonly number[], b: number): readonly number[] => (blocks.includes(b) ? blocks : [...blocks, b].sort((x, y) => x - y));

/**
 * Freeze N+1 is accepted: F(N+1) is the content now, and the secondary's copy of it will be F(N+1) on every
 * block written since freeze N and its copy of F(N) on every other block, which is not sent again.
 */
function freeze(model: FreezeModel): FreezeModel {
  const freezeCount = model.freezeCount + 1;
  const before = model.held.at(-1)!.image;
  const held = model.current.map((block, b) => (model.written.includes(b) ? block : before[b]!));
  return modelOf({
    ...model, freezeCount, freezing: true, images: [...model.images.slice(-1), { gen: freezeCount, image: model.current }],
    written: [], held: [...model.held.slice(-1), { gen: freezeCount, image: held }],
  });
}

/** A verify starts between freezes: the secondary holds its copy of F(k_P), the last of `held`. */
function startVerify(model: FreezeModel): FreezeModel {
  const corrupted = corruptedBlocks(model, model.freezeCount);
  return modelOf({ ...model, verify: { must: corrupted.filter((b) => !model.written.includes(b)), may: corrupted } });
}

/** A silent corruption of block b of the secondary's copy of F(k_P); a running verify may now find it. */
function corrupt(model: FreezeModel, b: number, geometry: FreezeGeometry): FreezeModel {
  const last = model.held.at(-1)!;
  const image = last.image.slice();
  image[b] = CORRUPT_BYTE.toString(16).repeat(geometry.blockSize);
  const corrupted = image[b] !== imageOf(model, last.gen)![b];
  const verify = model.verify === null || !corrupted ? model.verify : { must: model.verify.must, may: withBlock(model.verify.may, b) };
  return modelOf({ ...model, held: [...model.held.slice(0, -1), { gen: last.gen, image }], verify });
}

const OPERATOR = new Set<FreezeEvent['type']>([
  'host.write', 'host.read', 'host.freeze', 'primary.fail', 'secondary.recover', 'secondary.restart', 'pair.verify', 'verify.step', 'block.corrupt',
]);

/** Applies one command: the answer a correct system gives and the model after it. */
export function applyModel(model: FreezeModel, event: FreezeEvent, geometry: FreezeGeometry): { readonly model: FreezeModel; readonly answer: ModelAnswer } {
  const invalid = argumentRejection(event, geometry);
  if (invalid !== null) return { model, answer: { accepted: false, rejection: invalid } };
  if (!OPERATOR.has(event.type)) return { model, answer: { accepted: 'either' } };
  const refused = refusal(event, model);
  if (refused !== null) return { model, answer: { accepted: false, rejection: refused } };
  if (event.type === 'host.read') return { model, answer: { accepted: true, read: model.current[groupBlock(geometry, event.volume, event.block)]! } };
  return { model: transition(model, event, geometry), answer: { accepted: true } };
}

/** The controller reported freeze completion to the host: the model's freeze is over. */
export function freezeReported(model: FreezeModel): FreezeModel {
  return model.freezing ? modelOf({ ...model, freezing: false }) : model;
}

/**
 * The controller reported a completed online verify: the model's verify is over. The model cannot know when
 * the walk ends (it has no cursor); whether the report is right is what `verify-reports-differing-blocks` checks.
 */
export function verifyReported(model: FreezeModel): FreezeModel {
  return model.verify === null ? model : modelOf({ ...model, verify: null });
}
