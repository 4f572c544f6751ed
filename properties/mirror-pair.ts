/**
 * The invariants of seed 000 (spec/000 §5), each a named, pure predicate over the controller and the model.
 * The exhaustive checker and the model-based runs check every one after every step; a violation reports
 * the name. Invariants 5.7 (no update lost across a dump), 5.9 (coverage) and 5.10 (consistency at a
 * release) follow from the ones below taken together; 5.8 (restore) is checked on whole dump chains in
 * test/mirror-pair-dump.test.ts, because it speaks of a host's tape, not of a controller state.
 *
 * A consistency group (issue 15 item 3) is several pairs: every property of a pair holds of each pair of the
 * group (`eachPair`), each step property over the step as that pair took it; `acceptance-agrees-with-model`
 * compares the whole command's answers, and `group-split-one-instant` speaks of the group as a whole.
 */
import type { MirrorEvent } from '../machines/mirror-pair.js';
import { abstractOf, pairsOf, type MirrorAbstract, type MirrorPairWorld, type MirrorStepOutcome, type MirrorWorld } from '../src/mirror-pair/abstraction.js';
import { fromHex } from '../src/hex.js';
import type { Property } from '../src/lifecycle.js';

type MirrorProperty = Property<MirrorWorld, MirrorEvent, MirrorStepOutcome>;

function sameBytes(actual: ArrayLike<number>, expected: readonly (number | null)[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (expected[i] !== null && actual[i] !== expected[i]) return false;
  return true;
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function sameTracks(actual: readonly number[], expected: readonly number[] | null): boolean {
  return expected !== null && actual.length === expected.length && actual.every((track, i) => track === expected[i]);
}

function trackEqual(c: MirrorAbstract, track: number): boolean {
  const size = c.geometry.trackSize;
  for (let i = track * size; i < (track + 1) * size; i += 1) if (c.primary[i] !== c.secondary[i]) return false;
  return true;
}

/** The tracks [first, end) a byte range touches; a partial track counts whole (spec/000 §8.12). */
function tracksTouched(offset: number, length: number, trackSize: number): [number, number] {
  return [Math.floor(offset / trackSize), Math.ceil((offset + length) / trackSize)];
}

/** Pbm, Sbm, the copy list, the failed tracks, the verify's findings and the pair state: control memory 220, which claim 10 keeps. */
function sameControlMemory(a: MirrorAbstract, b: MirrorAbstract): boolean {
  return a.state === b.state && sameArray(a.primaryBitmap, b.primaryBitmap) && sameArray(a.secondaryBitmap, b.secondaryBitmap)
    && sameArray(a.copyPending, b.copyPending) && sameArray(a.primaryFailed, b.primaryFailed) && sameArray(a.verifyFound, b.verifyFound);
}

/**
 * Whether the secondary's copy of every track not silently corrupted (issue 15) equals `expected`'s: a
 * corruption breaks what the pair state promises of the secondary, and only an online verify can find it
 * (`verify-reports-differing-tracks`); `secondary-refines-model` checks the corrupted tracks' bytes.
 */
function equalExceptCorrupted(c: MirrorAbstract, expected: ArrayLike<number>, corrupted: readonly number[]): boolean {
  for (let track = 0; track < c.geometry.trackCount; track += 1) {
    if (corrupted.includes(track)) continue;
    for (let i = track * c.geometry.trackSize; i < (track + 1) * c.geometry.trackSize; i += 1) if (c.secondary[i] !== expected[i]) return false;
  }
  return true;
}

/** Mirrored and not copying: synced, or verifying online. */
function inSync(c: MirrorAbstract): boolean {
  return c.state === 'mirror.synced' || c.state === 'mirror.verifying';
}

export const primaryCurrent: MirrorProperty = {
  name: 'primary-current',
  ref: '000 §5.1, 【0014】; issue 15',
  description: 'The primary holds every accepted write, in order (no write is ever lost); where its copy failed or is still to be restored, the secondary serving the track holds it.',
  state: ({ controller, model }) => sameBytes(abstractOf(controller).current, model.primary),
};

export const secondaryRefinesModel: MirrorProperty = {
  name: 'secondary-refines-model',
  ref: '000 §5.3-5.5',
  description: 'Wherever the model knows the secondary\'s bytes, the controller\'s secondary holds them.',
  state: ({ controller, model }) => sameBytes(abstractOf(controller).secondary, model.secondary),
};

export const primaryBitmapExact: MirrorProperty = {
  name: 'primary-bitmap-exact',
  ref: '000 §5.2, (3070), (4040)',
  description: 'Pbm is exactly the set of primary tracks written since the last temporary release.',
  state: ({ controller, model }) => sameTracks(abstractOf(controller).primaryBitmap, model.writtenSinceRelease),
};

export const syncedSecondaryEqualsPrimary: MirrorProperty = {
  name: 'synced-secondary-equals-primary',
  ref: '000 §5.3, §5.13; issue 15 (verifying, silent corruption)',
  description: 'In mirror.synced and mirror.verifying the secondary equals the primary, on every track not silently corrupted.',
  state: ({ controller, model }) => {
    const c = abstractOf(controller);
    return !inSync(c) || equalExceptCorrupted(c, c.primary, model.corrupted);
  },
};

export const syncedBitmapsMatch: MirrorProperty = {
  name: 'synced-bitmaps-match',
  ref: '000 §5.3, (5070), claim 1; issue 15 (verifying)',
  description: 'Embodiment 1: in mirror.synced and mirror.verifying, Sbm equals Pbm.',
  state: ({ controller }) => {
    const c = abstractOf(controller);
    return c.control.embodiment !== 1 || !inSync(c) || sameArray(c.secondaryBitmap, c.primaryBitmap);
  },
};

export const syncingCopiedTracksEqual: MirrorProperty = {
  name: 'syncing-copied-tracks-equal',
  ref: '000 §5.4, §8.9',
  description: 'In mirror.syncing every track not left to copy, and not silently corrupted, is equal on both volumes.',
  state: ({ controller, model }) => {
    const c = abstractOf(controller);
    if (c.state !== 'mirror.syncing') return true;
    for (let track = 0; track < c.geometry.trackCount; track += 1) {
      if (!c.copyPending.includes(track) && !model.corrupted.includes(track) && !trackEqual(c, track)) return false;
    }
    return true;
  },
};

/** Suspended, or restoring from the split image (which leaves the secondary and Sbm as they were). */
function split(c: MirrorAbstract): boolean {
  return c.state === 'suspended' || c.state === 'restoring';
}

export const frozenSecondary: MirrorProperty = {
  name: 'frozen-secondary',
  ref: '000 §5.5, 【0034】【0047】; issue 15 (restoring)',
  description: 'While suspended or restoring, the secondary is the primary\'s image at the temporary release, on every track not silently corrupted.',
  state: ({ controller, model }) => {
    const c = abstractOf(controller);
    return !split(c) || (model.releaseImage !== null && equalExceptCorrupted(c, model.releaseImage, model.corrupted));
  },
};

export const frozenBitmapIsInterval: MirrorProperty = {
  name: 'frozen-bitmap-is-interval',
  ref: '000 §5.5, (4540), (5070); issue 15 (restoring)',
  description: 'While suspended or restoring, Sbm is exactly the tracks written between the previous release and this one.',
  state: ({ controller, model }) => {
    const c = abstractOf(controller);
    return !split(c) || sameTracks(c.secondaryBitmap, model.lastInterval);
  },
};

export const errorUncertainTracksRecorded: MirrorProperty = {
  name: 'error-uncertain-tracks-recorded',
  ref: 'issue 15; anchors §1.1 (PSUE), §1.2 (TrueCopy tracks updates in PSUE)',
  description: 'Suspended by error, every track whose secondary copy is not the current data, and not silently corrupted, is on the list a resync copies.',
  state: ({ controller, model }) => {
    const c = abstractOf(controller);
    if (c.state !== 'suspended-error') return true;
    const size = c.geometry.trackSize;
    for (let track = 0; track < c.geometry.trackCount; track += 1) {
      if (c.copyPending.includes(track) || model.corrupted.includes(track)) continue;
      for (let i = track * size; i < (track + 1) * size; i += 1) if (c.secondary[i] !== c.current[i]) return false;
    }
    return true;
  },
};

export const controlStateRefinesModel: MirrorProperty = {
  name: 'control-state-refines-model',
  ref: '000 §3, Fig.3',
  description: 'The controller\'s pair state is the model\'s.',
  state: ({ controller, model }) => abstractOf(controller).state === model.state,
};

export const dumpReturnsReleaseImage: MirrorProperty = {
  name: 'dump-returns-release-image',
  ref: '000 §5.6, (7020), 【0034】',
  description: 'A dump read returns, for each track asked and not silently corrupted, the primary\'s data at the last temporary release.',
  step: (step) => {
    const result = step.outcome.controller.accepted ? step.outcome.controller.result : null;
    if (result?.kind !== 'dump') return true;
    const { releaseImage: image, corrupted } = step.before.model;
    const size = abstractOf(step.before.controller).geometry.trackSize;
    return image !== null && result.records.every(({ track, data }) => corrupted.includes(track) || sameBytes(fromHex(data), image.slice(track * size, (track + 1) * size)));
  },
};

export const verifyReportsDifferingTracks: MirrorProperty = {
  name: 'verify-reports-differing-tracks',
  ref: 'issue 15 item 4; DRBD online verify (drbdadm verify)',
  description: 'A completed online verify reports every track silently corrupted throughout it, and no track that was not corrupted at some time during it.',
  step: ({ before, outcome }) => {
    const result = outcome.controller.accepted ? outcome.controller.result : null;
    if (result?.kind !== 'verify') return true;
    const { verifyMust, verifyMay } = before.model;
    if (verifyMust === null || verifyMay === null) return false;
    const reported = [...result.bitmap].flatMap((bit, track) => (bit === '1' ? [track] : []));
    return verifyMust.every((track) => reported.includes(track)) && reported.every((track) => verifyMay.includes(track));
  },
};

export const updateInfoIsInterval: MirrorProperty = {
  name: 'update-info-is-interval',
  ref: '000 §5.6, (6020), 【0028】',
  description: 'Update-info returns exactly the tracks written between the previous release and the last.',
  step: (step) => {
    const result = step.outcome.controller.accepted ? step.outcome.controller.result : null;
    if (result?.kind !== 'update-info') return true;
    const tracks = [...result.bitmap].flatMap((bit, track) => (bit === '1' ? [track] : []));
    return sameTracks(tracks, step.before.model.lastInterval);
  },
};

export const readReturnsCurrent: MirrorProperty = {
  name: 'read-returns-current',
  ref: '000 §8.7, 【0014】',
  description: 'A host read returns the newest data: the primary\'s, or the addressed volume\'s when separated.',
  step: ({ outcome }) => {
    if (!outcome.controller.accepted || outcome.controller.result.kind !== 'read') return true;
    return outcome.model.accepted && outcome.model.read !== undefined && sameBytes(fromHex(outcome.controller.result.data), outcome.model.read);
  },
};

export const writeCost: MirrorProperty = {
  name: 'write-cost',
  ref: '000 §5.11, 【0035】【0048】',
  description: 'A host write reads no old data and writes each track once, or twice when mirrored.',
  step: ({ before, event, outcome }) => {
    if (event.type !== 'host.write' || !outcome.controller.accepted) return true;
    const c = abstractOf(before.controller);
    const [first, end] = tracksTouched(event.offset, event.data.length / 2, c.geometry.trackSize);
    const copies = c.state.startsWith('mirror') ? 2 : 1;
    return outcome.controller.physicalReads === 0 && outcome.controller.physicalWrites === (end - first) * copies;
  },
};

export const controlMemorySurvivesPowerCycle: MirrorProperty = {
  name: 'control-memory-survives-power-cycle',
  ref: '000 §5.12, claims 10-11, 【0039】',
  description: 'A power cycle leaves pair state, both bitmaps and the copy list unchanged.',
  step: ({ before, event, after }) => event.type !== 'power.cycle' || sameControlMemory(abstractOf(before.controller), abstractOf(after.controller)),
};

export const acceptanceAgreesWithModel: MirrorProperty = {
  name: 'acceptance-agrees-with-model',
  ref: '000 §8.3-8.5; src/rejection.ts order',
  description: 'The controller accepts exactly the commands the model accepts, and refuses the others for the same reason.',
  step: ({ outcome }) => {
    const { controller, model } = outcome;
    if (controller.accepted || model.accepted) return controller.accepted === model.accepted;
    return controller.rejection.code === model.rejection.code;
  },
};

export const rejectedCommandChangesNothing: MirrorProperty = {
  name: 'rejected-command-changes-nothing',
  ref: 'STYLE.md "Two kinds of error"',
  description: 'A refused command leaves volumes, bitmaps, copy list and state exactly as they were.',
  step: ({ before, outcome, after }) => {
    if (outcome.controller.accepted) return true;
    const a = abstractOf(before.controller);
    const b = abstractOf(after.controller);
    return sameControlMemory(a, b) && sameArray(a.primary, b.primary) && sameArray(a.secondary, b.secondary);
  },
};

/** Suspended, or restoring from that split: the secondary holds the split image. */
function isSplit(state: string): boolean {
  return state === 'suspended' || state === 'restoring';
}

export const groupSplitOneInstant: MirrorProperty = {
  name: 'group-split-one-instant',
  ref: 'issue 15 item 3; ShadowImage pairsplit -g (CTG), FlashCopy consistency groups (anchors §1.2, §2.5)',
  description: 'After a group split, every pair of the group is split and its secondary holds its primary\'s image at the instant of the group split, on every track not silently corrupted: the secondaries together hold the images of one instant.',
  state: (world) => {
    if (world.group === undefined) return true;
    const pairs = pairsOf(world);
    return world.group.split.every((image, pair) => {
      if (image === null) return true;
      const { controller, model } = pairs[pair]!;
      const c = abstractOf(controller);
      return isSplit(c.state) && equalExceptCorrupted(c, image, model.corrupted);
    });
  },
};

type MirrorStep = Parameters<NonNullable<MirrorProperty['step']>>[0];

/**
 * The step as one pair took it: the pair before and after, the command as it reached that pair, and the answers
 * to it. A refused command reached no pair, and every pair is judged by the whole refusal (each must be unchanged).
 */
function pairSteps(step: MirrorStep): readonly MirrorStep[] {
  // Every step property of a group asks for the same step's pair steps: they are made once per step.
  const known = pairStepsOf.get(step);
  if (known !== undefined) return known;
  const made = makePairSteps(step);
  pairStepsOf.set(step, made);
  return made;
}

const pairStepsOf = new WeakMap<MirrorStep, readonly MirrorStep[]>();

function makePairSteps(step: MirrorStep): readonly MirrorStep[] {
  const before = pairsOf(step.before);
  const after = pairsOf(step.after);
  const asWorld = (pair: MirrorPairWorld): MirrorWorld => ({ controller: pair.controller, model: pair.model });
  if (!step.outcome.controller.accepted || step.outcome.pairs === undefined) {
    return before.map((pair, k) => ({ ...step, before: asWorld(pair), after: asWorld(after[k]!), outcome: { controller: step.outcome.controller, model: step.outcome.model } }));
  }
  return step.outcome.pairs.map((p) => ({
    before: asWorld(before[p.pair]!), event: p.event, after: asWorld(after[p.pair]!), outcome: { controller: p.controller, model: p.model },
  }));
}

/** The property of a pair, held by each pair of a group; in a single pair's world, the property itself. */
function eachPair(property: MirrorProperty): MirrorProperty {
  const { state, step } = property;
  return {
    ...property,
    ...(state === undefined ? {} : { state: (world: MirrorWorld) => (world.group === undefined ? state(world) : pairsOf(world).every((pair) => state(pair))) }),
    ...(step === undefined ? {} : { step: (s: MirrorStep) => (s.before.group === undefined ? step(s) : pairSteps(s).every(step)) }),
  };
}

export const MIRROR_PROPERTIES: readonly MirrorProperty[] = [
  primaryCurrent,
  secondaryRefinesModel,
  primaryBitmapExact,
  syncedSecondaryEqualsPrimary,
  syncedBitmapsMatch,
  syncingCopiedTracksEqual,
  frozenSecondary,
  frozenBitmapIsInterval,
  errorUncertainTracksRecorded,
  controlStateRefinesModel,
  dumpReturnsReleaseImage,
  updateInfoIsInterval,
  verifyReportsDifferingTracks,
  readReturnsCurrent,
  writeCost,
  controlMemorySurvivesPowerCycle,
  acceptanceAgreesWithModel,
  rejectedCommandChangesNothing,
].map((property) => (property === acceptanceAgreesWithModel ? property : eachPair(property))).concat([groupSplitOneInstant]);
