/**
 * The obviously correct model of seed 000's mirror pair: what a host may observe, with no bitmaps, copy
 * lists or cursors. Volumes are plain byte arrays; the secondary's bytes are null where the model does not
 * know them (during and after an unfinished copy). At each temporary release the model records the
 * primary's image and the tracks written since the previous release: those are what seed 000 promises the
 * dump will return (【0015】【0034】, spec/000 §5.5-5.7).
 *
 * Commands are accepted by the model's own rules: first its argument check (`refusal` below, in the order
 * of the README's rejection table), then a plain table of the commands each state accepts per guard policy
 * (spec/000 §8.3-8.5). Neither is shared with the controller, so `acceptance-agrees-with-model` compares two
 * independent answers. The model learns that the background copy has finished from the controller's
 * `copy.complete`; whether that claim is true is what the property `synced-secondary-equals-primary` checks.
 *
 * Beyond the seed (issue 15): a track error suspends the pair (`suspended-error`), and the model then knows
 * nothing of the secondary (every byte null) while `primary` stays what the host must read, wherever the
 * controller serves it from; a reverse resync (`pair.restore`) makes `primary` the release image at once, as a
 * host sees it, however long the controller takes to copy it back (it learns the end from `restore.complete`).
 *
 * A silent corruption (`track.corrupt`, issue 15) is a fault the model knows exactly: the secondary's track
 * holds CORRUPT_BYTE, and `corrupted` lists the tracks whose secondary copy so differs from what the pair
 * state promises (the primary while mirrored, the release image while split) until something rewrites them:
 * a write that leaves both copies equal, or a copy that takes the track (establish and a full resync take
 * every track, a differential one Pbm's or the error's list, which never holds a corrupted track). An online
 * verify (`pair.verify`) must then report every track corrupted throughout it (`verifyMust`: corrupted at
 * its start and not rewritten since) and no track that was never corrupted during it (`verifyMay`, which
 * adds the tracks corrupted while it ran, which the walk may have passed already). No cursor is needed for
 * that: the two sets bound the answer however the walk and the host's I/O interleave, and they are equal
 * when nothing happens to the pair during the verify.
 */
import type { MirrorControlInput, MirrorEvent, MirrorEventType, MirrorStateKey } from '../machines/mirror-pair.js';
import { addressedPair, asPairCommand, CORRUPT_BYTE, PAIR_ID, PRIMARY_VOLUME, SECONDARY_VOLUME, type MirrorGeometry } from '../src/mirror-pair/events.js';
import { fromHex, isHex } from '../src/hex.js';
import { reject, type Rejection } from '../src/rejection.js';

export interface MirrorModel {
  readonly state: MirrorStateKey;
  readonly primary: readonly number[];
  readonly secondary: readonly (number | null)[];
  /** While suspended, the primary's image at the temporary release (snap_k); otherwise null. */
  readonly releaseImage: readonly number[] | null;
  /** Tracks of the primary written since the last release, ascending: W(R_k, now]. */
  readonly writtenSinceRelease: readonly number[];
  /** While suspended, the tracks written between the previous release and this one: W(R_k-1, R_k]. */
  readonly lastInterval: readonly number[] | null;
  /** Tracks whose secondary copy a silent corruption changed and nothing has rewritten since, ascending. */
  readonly corrupted: readonly number[];
  /** While verifying, the tracks the verify must report: corrupted throughout it so far. */
  readonly verifyMust: readonly number[] | null;
  /** While verifying, the tracks the verify may report: corrupted at some time during it. */
  readonly verifyMay: readonly number[] | null;
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly read?: readonly number[] };

const ALWAYS: readonly MirrorEventType[] = ['host.write', 'host.read', 'power.cycle'];

/**
 * Commands each state accepts with the recommended guards (spec/000 §8.1, §8.3-8.5; issue 15). A track error
 * is injected only while mirrored, and on the primary not while syncing (`acceptsTrackError`); a restore refuses
 * host writes as busy, not as the wrong state (`stateRefusal`).
 */
const RECOMMENDED: Record<MirrorStateKey, readonly MirrorEventType[]> = {
  separated: [...ALWAYS, 'pair.establish'],
  'mirror.syncing': [...ALWAYS, 'pair.separate', 'copy.step', 'track.fail'],
  'mirror.synced': [...ALWAYS, 'pair.separate', 'pair.suspend', 'track.fail', 'pair.verify', 'track.corrupt'],
  'mirror.verifying': [...ALWAYS, 'pair.separate', 'verify.step', 'track.fail', 'track.corrupt'],
  suspended: [...ALWAYS, 'pair.separate', 'pair.resync', 'pair.restore', 'dump.update-info', 'dump.read'],
  restoring: ['host.read', 'power.cycle', 'copy.step'],
  'suspended-error': [...ALWAYS, 'pair.resync'],
};

/** The text's flows check no state for release, update-info and dump read. */
const LITERAL: Record<MirrorStateKey, readonly MirrorEventType[]> = {
  ...RECOMMENDED,
  'mirror.syncing': [...RECOMMENDED['mirror.syncing'], 'pair.suspend', 'dump.update-info', 'dump.read'],
  'mirror.synced': [...RECOMMENDED['mirror.synced'], 'dump.update-info', 'dump.read'],
  'mirror.verifying': [...RECOMMENDED['mirror.verifying'], 'dump.update-info', 'dump.read'],
  suspended: [...RECOMMENDED.suspended, 'pair.suspend'],
};

/** The internal events, and the state in which each is raised. */
const INTERNAL: Partial<Record<MirrorEventType, MirrorStateKey>> = {
  'copy.complete': 'mirror.syncing',
  'restore.complete': 'restoring',
  'verify.complete': 'mirror.verifying',
};

/**
 * Every model is built here, its fields always in this order, so that all models share one object shape in
 * the engine: spread copies (`{ ...model, state }`) gave the same six fields 22 shapes, and each function that
 * reads a model slowed down to a generic property lookup.
 */
function modelOf(fields: MirrorModel): MirrorModel {
  return {
    state: fields.state,
    primary: fields.primary,
    secondary: fields.secondary,
    releaseImage: fields.releaseImage,
    writtenSinceRelease: fields.writtenSinceRelease,
    lastInterval: fields.lastInterval,
    corrupted: fields.corrupted,
    verifyMust: fields.verifyMust,
    verifyMay: fields.verifyMay,
  };
}

export function initialModel(geometry: MirrorGeometry): MirrorModel {
  const bytes = geometry.trackCount * geometry.trackSize;
  return modelOf({
    state: 'separated',
    primary: new Array<number>(bytes).fill(0),
    secondary: new Array<number>(bytes).fill(0),
    releaseImage: null,
    writtenSinceRelease: [],
    lastInterval: null,
    corrupted: [],
    verifyMust: null,
    verifyMay: null,
  });
}

function tracksOf(offset: number, length: number, geometry: MirrorGeometry): number[] {
  const tracks: number[] = [];
  for (let track = Math.floor(offset / geometry.trackSize); track * geometry.trackSize < offset + length; track += 1) tracks.push(track);
  return tracks;
}

/** The tracks in `a` or `b`, ascending; `a` itself when `b` adds none. */
function union(a: readonly number[], b: readonly number[], geometry: MirrorGeometry): readonly number[] {
  if (b.every((track) => a.includes(track))) return a;
  const tracks: number[] = [];
  for (let track = 0; track < geometry.trackCount; track += 1) if (a.includes(track) || b.includes(track)) tracks.push(track);
  return tracks;
}

/** The volume with `data` written at `offset`; the volume itself when that changes no byte. */
function overwrite<T>(volume: readonly T[], offset: number, data: ArrayLike<number>): readonly T[] {
  let same = true;
  for (let i = 0; i < data.length && same; i += 1) same = volume[offset + i] === data[i];
  if (same) return volume;
  const next = volume.slice() as (T | number)[];
  for (let i = 0; i < data.length; i += 1) next[offset + i] = data[i]!;
  return next as readonly T[];
}

/** A host write (Fig.6): to the volume addressed when separated, else to the pair (spec/000 §8.6). */
function write(model: MirrorModel, event: Extract<MirrorEvent, { type: 'host.write' }>, geometry: MirrorGeometry): MirrorModel {
  const data = fromHex(event.data);
  const toPrimary = model.state !== 'separated' || event.volume === PRIMARY_VOLUME;
  const toSecondary = model.state.startsWith('mirror') || (model.state === 'separated' && event.volume !== PRIMARY_VOLUME);
  const primary = toPrimary ? overwrite(model.primary, event.offset, data) : model.primary;
  const secondary = toSecondary ? overwrite(model.secondary, event.offset, data) : model.secondary;
  const touched = tracksOf(event.offset, data.length, geometry);
  const writtenSinceRelease = toPrimary ? union(model.writtenSinceRelease, touched, geometry) : model.writtenSinceRelease;
  // Mirrored, a corrupted track is rewritten when the write leaves both copies equal; suspended by error, a
  // write to the primary puts the track on the resync list (the one failed primary track is not corrupted).
  const rewritten = model.state === 'suspended-error'
    ? model.corrupted.filter((track) => touched.includes(track))
    : toSecondary ? model.corrupted.filter((track) => sameTrack(primary, secondary, track, geometry)) : [];
  // A write that changes nothing the model holds leaves the model itself, so the checker sees an unchanged world.
  if (primary === model.primary && secondary === model.secondary && writtenSinceRelease === model.writtenSinceRelease && rewritten.length === 0) return model;
  return modelOf({ ...model, primary, secondary, writtenSinceRelease, ...withoutCorrupted(model, rewritten) });
}

/** Whether a track's bytes are known and equal in both arrays. */
function sameTrack(a: readonly (number | null)[], b: readonly (number | null)[], track: number, geometry: MirrorGeometry): boolean {
  for (let i = track * geometry.trackSize; i < (track + 1) * geometry.trackSize; i += 1) if (a[i] === null || a[i] !== b[i]) return false;
  return true;
}

/** The corrupted tracks, and what a running verify must report, less the tracks rewritten. */
function withoutCorrupted(model: MirrorModel, rewritten: readonly number[]): Pick<MirrorModel, 'corrupted' | 'verifyMust'> {
  if (rewritten.length === 0) return { corrupted: model.corrupted, verifyMust: model.verifyMust };
  return {
    corrupted: model.corrupted.filter((track) => !rewritten.includes(track)),
    verifyMust: model.verifyMust === null ? null : model.verifyMust.filter((track) => !rewritten.includes(track)),
  };
}

/** A silent corruption: the secondary's track holds CORRUPT_BYTE, and is corrupted unless that is its right data. */
function corrupt(model: MirrorModel, track: number, geometry: MirrorGeometry): MirrorModel {
  const secondary = overwrite(model.secondary, track * geometry.trackSize, new Array<number>(geometry.trackSize).fill(CORRUPT_BYTE));
  if (sameTrack(model.primary, secondary, track, geometry) || model.corrupted.includes(track)) return modelOf({ ...model, secondary });
  return modelOf({
    ...model,
    secondary,
    corrupted: union(model.corrupted, [track], geometry),
    verifyMay: model.verifyMay === null ? null : union(model.verifyMay, [track], geometry),
  });
}

/**
 * The secondary as a copy starts: unknown, except the corrupted tracks the copy does not take, which keep
 * their known bytes and stay corrupted while they differ from the primary (after a restore a corrupted track
 * may be the host's data too).
 */
function startCopy(model: MirrorModel, copied: readonly number[] | 'every-track', geometry: MirrorGeometry): Pick<MirrorModel, 'secondary' | 'corrupted'> {
  const kept = copied === 'every-track' ? [] : model.corrupted.filter((track) => !copied.includes(track) && !sameTrack(model.primary, model.secondary, track, geometry));
  const secondary = model.secondary.map((byte, i) => (kept.includes(Math.floor(i / geometry.trackSize)) ? byte : null));
  return { secondary, corrupted: kept };
}

/** The tracks a resync copies: every track, or (differential) Pbm's from suspended and the error's list from suspended-error. */
function resyncCopies(model: MirrorModel, control: MirrorControlInput): readonly number[] | 'every-track' {
  if (control.resyncCopy === 'full') return 'every-track';
  return model.state === 'suspended' ? model.writtenSinceRelease : [];
}

/**
 * What a host sees at once when a restore starts: the tracks it copies back (Pbm OR Sbm) hold the split image,
 * the others are as they were (not written since the release, so the split image already, unless an earlier
 * restore brought a corrupted track's bytes there). A corrupted track copied back brings the corruption to the
 * host; the release image is what the other tracks of the secondary hold.
 */
function restored(model: MirrorModel, geometry: MirrorGeometry): readonly number[] {
  const image = model.releaseImage!;
  const primary = model.primary.slice();
  for (let track = 0; track < geometry.trackCount; track += 1) {
    if (!model.writtenSinceRelease.includes(track) && !model.lastInterval!.includes(track)) continue;
    const from = model.corrupted.includes(track) ? model.secondary : image;
    for (let i = track * geometry.trackSize; i < (track + 1) * geometry.trackSize; i += 1) primary[i] = from[i]!;
  }
  return primary;
}

/** The primary's bytes of the given tracks taken from the secondary: what the host reads once they are copied back or served from there. */
function withSecondaryTracks(primary: readonly number[], model: MirrorModel, tracks: readonly number[], geometry: MirrorGeometry): readonly number[] {
  if (tracks.length === 0) return primary;
  const next = primary.slice();
  for (const track of tracks) for (let i = track * geometry.trackSize; i < (track + 1) * geometry.trackSize; i += 1) next[i] = model.secondary[i]!;
  return next;
}

function transition(model: MirrorModel, event: MirrorEvent, control: MirrorControlInput, geometry: MirrorGeometry): MirrorModel {
  switch (event.type) {
    case 'host.write':
      return write(model, event, geometry);
    // Leaving suspended ends the dump window: the release image and its interval mean nothing until the
    // next release replaces them, so the model forgets them (and the checker does not tell worlds apart by them).
    case 'pair.establish':
      return modelOf({ ...model, state: 'mirror.syncing', ...startCopy(model, 'every-track', geometry), releaseImage: null, lastInterval: null });
    case 'pair.resync':
      return modelOf({ ...model, state: 'mirror.syncing', ...startCopy(model, resyncCopies(model, control), geometry), releaseImage: null, lastInterval: null });
    case 'copy.complete':
      return modelOf({ ...model, state: 'mirror.synced', secondary: model.primary.map((byte, i) => (model.corrupted.includes(Math.floor(i / geometry.trackSize)) ? model.secondary[i]! : byte)) });
    case 'track.corrupt':
      return corrupt(model, event.track, geometry);
    case 'pair.verify':
      return modelOf({ ...model, state: 'mirror.verifying', verifyMust: model.corrupted, verifyMay: model.corrupted });
    case 'verify.complete':
      return modelOf({ ...model, state: 'mirror.synced', verifyMust: null, verifyMay: null });
    case 'pair.suspend':
      return modelOf({
        ...model,
        state: 'suspended',
        releaseImage: model.primary.slice(),
        lastInterval: model.writtenSinceRelease,
        writtenSinceRelease: [],
      });
    // Separated, the volumes are unrelated: no copy of the secondary is promised, so none is corrupted.
    case 'pair.separate':
      return modelOf({ ...model, state: 'separated', releaseImage: null, lastInterval: null, corrupted: [], verifyMust: null, verifyMay: null });
    case 'track.fail':
      return fail(model, event, geometry);
    case 'pair.restore':
      return modelOf({ ...model, state: 'restoring', primary: restored(model, geometry), writtenSinceRelease: [] });
    case 'restore.complete':
      return modelOf({ ...model, state: 'suspended' });
    default:
      return model;
  }
}

/**
 * A track error. The secondary is no longer known, except its corrupted tracks: the error destroyed a track of
 * it, or of the primary, and the host writes that follow reach only one side of each track. An error on the
 * primary of a corrupted track loses the host's data there: the secondary's corrupted copy is served (the
 * double fault an online verify exists to prevent); the track is then no longer corrupted, as the secondary
 * holds the host's data by definition.
 */
function fail(model: MirrorModel, event: Extract<MirrorEvent, { type: 'track.fail' }>, geometry: MirrorGeometry): MirrorModel {
  const lost = event.volume === PRIMARY_VOLUME && model.corrupted.includes(event.track) ? [event.track] : [];
  const corrupted = model.corrupted.filter((track) => track !== event.track);
  const secondary = model.secondary.map((byte, i) => (corrupted.includes(Math.floor(i / geometry.trackSize)) ? byte : null));
  return modelOf({ ...model, state: 'suspended-error', primary: withSecondaryTracks(model.primary, model, lost, geometry), secondary, corrupted, verifyMust: null, verifyMay: null });
}

/** A count the command carries: a whole number, as JSON can send any number. */
const whole = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Why a command's arguments are refused, or null: the rejection table of the README, row by row, in its
 * order. A byte range must start inside the volume (else track-out-of-range) and fit in it with at least one
 * byte (else length-out-of-range).
 */
function refusal(event: MirrorEvent, geometry: MirrorGeometry): Rejection | null {
  const bytes = geometry.trackCount * geometry.trackSize;
  const range = (offset: number, length: number): Rejection | null => {
    if (offset >= bytes) return reject('track-out-of-range', `offset ${offset} is not in the volume`);
    if (length < 1 || offset + length > bytes) return reject('length-out-of-range', `${length} bytes at ${offset} do not fit`);
    return null;
  };
  const volume = (id: number): Rejection | null => (id === PRIMARY_VOLUME || id === SECONDARY_VOLUME ? null : reject('unknown-volume', `no volume ${id}`));
  const pair = (id: number): Rejection | null => (id === PAIR_ID ? null : reject('unknown-pair', `no pair ${id}`));
  // A volume or track command names its pair by `pair`, absent for pair 0.
  const named = (id: number | undefined): Rejection | null => (id === undefined ? null : pair(id));
  const namedWhole = (id: number | undefined): boolean => id === undefined || whole(id);
  switch (event.type) {
    case 'host.write':
      if (!whole(event.volume) || !whole(event.offset) || !isHex(event.data) || !namedWhole(event.pair)) return reject('malformed-command', 'a write needs whole numbers and hex data');
      return named(event.pair) ?? volume(event.volume) ?? range(event.offset, event.data.length / 2);
    case 'host.read':
      if (!whole(event.volume) || !whole(event.offset) || !whole(event.length) || !namedWhole(event.pair)) return reject('malformed-command', 'a read needs whole numbers');
      return named(event.pair) ?? volume(event.volume) ?? range(event.offset, event.length);
    // One pair is in no consistency group, so every group is unknown to it.
    case 'group.suspend':
      return whole(event.group) ? reject('unknown-pair', `no group ${event.group}`) : reject('malformed-command', 'a group command needs a whole group id');
    case 'dump.read':
      if (!whole(event.pair) || !Array.isArray(event.tracks) || !event.tracks.every(whole)) return reject('malformed-command', 'a dump read needs whole numbers');
      if (pair(event.pair) !== null) return pair(event.pair);
      if (event.tracks.some((track) => track >= geometry.trackCount)) return reject('track-out-of-range', 'a track is not in the volume');
      return event.tracks.length === 0 ? reject('length-out-of-range', 'a dump read names no track') : null;
    case 'power.cycle':
      return null;
    case 'track.fail':
      if (!whole(event.volume) || !whole(event.track) || !namedWhole(event.pair)) return reject('malformed-command', 'a track error needs whole numbers');
      return named(event.pair) ?? volume(event.volume) ?? (event.track < geometry.trackCount ? null : reject('track-out-of-range', 'the track is not in the volume'));
    case 'track.corrupt':
      if (!whole(event.track) || !namedWhole(event.pair)) return reject('malformed-command', 'a corruption needs a whole track number');
      return named(event.pair) ?? (event.track < geometry.trackCount ? null : reject('track-out-of-range', 'the track is not in the volume'));
    default:
      return whole(event.pair) ? pair(event.pair) : reject('malformed-command', 'a pair command needs a whole pair id');
  }
}

/**
 * During the copy the primary holds the only current data of the tracks still to copy, and the model does
 * not know which those are: an error on the primary is injected only when synced or verifying.
 */
function acceptsTrackError(model: MirrorModel, event: MirrorEvent): boolean {
  return event.type !== 'track.fail' || event.volume !== PRIMARY_VOLUME || model.state !== 'mirror.syncing';
}

/** A host write during a restore waits (busy); any other command the state does not take is in the wrong state. */
function stateRefusal(model: MirrorModel, event: MirrorEvent): Rejection {
  if (model.state === 'restoring' && event.type === 'host.write') return reject('busy', 'the primary is being restored');
  return reject('wrong-state', `${event.type} is not allowed in ${model.state}`);
}

/** Applies one command: the answer a correct controller gives and the model after it. */
export function applyModel(
  model: MirrorModel,
  event: MirrorEvent,
  control: MirrorControlInput,
  geometry: MirrorGeometry,
): { readonly model: MirrorModel; readonly answer: ModelAnswer } {
  const internal = INTERNAL[event.type];
  const invalid = internal !== undefined ? null : refusal(event, geometry);
  if (invalid !== null) return { model, answer: { accepted: false, rejection: invalid } };
  const table = control.guards === 'literal' ? LITERAL : RECOMMENDED;
  const accepted = internal !== undefined ? internal === model.state : table[model.state].includes(event.type) && acceptsTrackError(model, event);
  if (!accepted) return { model, answer: { accepted: false, rejection: stateRefusal(model, event) } };
  if (event.type === 'host.read') {
    const volume = model.state === 'separated' && event.volume !== PRIMARY_VOLUME ? model.secondary : model.primary;
    return { model, answer: { accepted: true, read: volume.slice(event.offset, event.offset + event.length) as number[] } };
  }
  return { model: transition(model, event, control, geometry), answer: { accepted: true } };
}

/**
 * A consistency group's record (issue 15 item 3), by pair: the primary's image at the group split, kept while
 * that pair stays split (suspended, or restoring from that split), else null. All null until a group split.
 * This is the "one instant" the group promises: `group-split-one-instant` checks each secondary against it.
 */
export type GroupSplit = readonly (readonly number[] | null)[];

export function initialGroupSplit(pairCount: number): GroupSplit {
  return new Array<null>(pairCount).fill(null);
}

/** One pair's part in a command to the group: the command as that pair takes it and the model's answer. */
export interface ModelPairAnswer {
  readonly pair: number;
  readonly answer: ModelAnswer;
}

export interface GroupModelStep {
  readonly models: readonly MirrorModel[];
  readonly split: GroupSplit;
  readonly answer: ModelAnswer;
  readonly pairs: readonly ModelPairAnswer[];
}

const SPLIT: readonly MirrorStateKey[] = ['suspended', 'restoring'];

/** The record kept only for the pairs still split; the record itself when that changes nothing. */
function keptSplit(split: GroupSplit, models: readonly MirrorModel[]): GroupSplit {
  if (split.every((image, pair) => image === null || SPLIT.includes(models[pair]!.state))) return split;
  return split.map((image, pair) => (image !== null && SPLIT.includes(models[pair]!.state) ? image : null));
}

/**
 * The group split by the model's own rule: every pair synced, or refused wrong-state with no pair changed;
 * then every pair's own temporary release at this one instant, and the images of that instant recorded.
 */
function suspendGroup(models: readonly MirrorModel[], event: Extract<MirrorEvent, { type: 'group.suspend' }>, control: MirrorControlInput, geometry: MirrorGeometry): GroupModelStep | Rejection {
  if (!whole(event.group)) return reject('malformed-command', 'a group command needs a whole group id');
  if (event.group !== 0) return reject('unknown-pair', `no group ${event.group}`);
  if (!models.every((model) => model.state === 'mirror.synced')) return reject('wrong-state', 'a group splits only when every pair is synced');
  const command: MirrorEvent = { type: 'pair.suspend', pair: PAIR_ID };
  const split = models.map((model) => model.primary.slice());
  const pairs = models.map((_, pair) => ({ pair, answer: { accepted: true } as ModelAnswer }));
  return { models: models.map((model) => applyModel(model, command, control, geometry).model), split, answer: { accepted: true }, pairs };
}

/** Applies one command to a group of pairs: the answer a correct controller gives, and the pairs after it. */
export function applyGroupModel(models: readonly MirrorModel[], split: GroupSplit, event: MirrorEvent, control: MirrorControlInput, geometry: MirrorGeometry): GroupModelStep {
  const refused = (rejection: Rejection): GroupModelStep => ({ models, split, answer: { accepted: false, rejection }, pairs: [] });
  if (event.type === 'group.suspend') {
    const done = suspendGroup(models, event, control, geometry);
    return 'reason' in done ? refused(done) : done;
  }
  if (event.type === 'power.cycle') {
    const next = models.map((model) => applyModel(model, event, control, geometry).model);
    return { models: next, split: keptSplit(split, next), answer: { accepted: true }, pairs: next.map((_, pair) => ({ pair, answer: { accepted: true } })) };
  }
  const command = asPairCommand(event);
  const pair = addressedPair(event)!;
  const invalid = refusal(command, geometry);
  if (invalid !== null && invalid.reason === 'malformed-command') return refused(invalid);
  if (!whole(pair)) return refused(reject('malformed-command', 'a command needs a whole pair id'));
  if (pair >= models.length) return refused(reject('unknown-pair', `no pair ${pair} in the group`));
  const applied = applyModel(models[pair]!, command, control, geometry);
  if (!applied.answer.accepted) return refused(applied.answer.rejection);
  const next = models.map((model, k) => (k === pair ? applied.model : model));
  return { models: next, split: keptSplit(split, next), answer: applied.answer, pairs: [{ pair, answer: applied.answer }] };
}
