/**
 * The invariants of seed 002 (spec/002 §5: G1-G5, E1.1-E1.6, E2.1-E2.4, E3.1-E3.5, and A5 for reads), each a
 * named, pure predicate over the controller (through its abstraction) and the model. The exhaustive checker
 * and the model-based runs check every one after every step; a violation reports the name.
 *
 * "image(t)" below is the point-in-time copy's view of track t: the copy's track once its pending bit is
 * clear, the original's while it is set (spec/002 E1.2, E1.5, E2.2, E3.2 stated as one predicate: the two
 * clauses "bit 0 ⇒ C = S" and "bit 1 ⇒ O = S" together say image(t) = S(t)). Properties of one embodiment hold
 * trivially in the others.
 */
import type { ExtentEvent } from '../src/extent-copy/events.js';
import { abstractOf, type AbstractRecord, type ExtentAbstract, type ExtentStepOutcome, type ExtentWorld } from '../src/extent-copy/abstraction.js';
import { fromHex } from '../src/hex.js';
import type { Property } from '../src/lifecycle.js';
import { tracksOf, type ExtentModel, type ModelRecord } from '../model/extent-copy.js';

type ExtentProperty = Property<ExtentWorld, ExtentEvent, ExtentStepOutcome>;
type Bytes = ArrayLike<number | null>;

// ---------------------------------------------------------------- helpers

/** Whether track t of `a` equals track t of `b`; a null byte (unknown to the model) in `b` matches anything. */
function trackEquals(a: ArrayLike<number>, b: Bytes, t: number, size: number): boolean {
  for (let i = t * size; i < (t + 1) * size; i += 1) if (b[i] !== null && a[i] !== b[i]) return false;
  return true;
}

function bit(bits: string, t: number): boolean {
  return bits.charCodeAt(t) === 49;
}

interface Pair {
  readonly c: ExtentAbstract;
  readonly record: AbstractRecord;
  readonly model: ModelRecord;
  readonly original: Uint8Array;
  readonly copy: Uint8Array;
  readonly size: number;
  readonly trackCount: number;
}

/** The last world `usedPairs` was asked about: the checker evaluates every property of a world in a row. */
let lastWorld: ExtentWorld | null = null;
let lastPairs: Pair[] = [];

/** Every record in use in both the controller and the model, with its volumes. */
function usedPairs(world: ExtentWorld): Pair[] {
  if (world === lastWorld) return lastPairs;
  const c = abstractOf(world.controller);
  const pairs: Pair[] = [];
  c.records.forEach((record, i) => {
    const model = world.model.records[i]!;
    if (record.state === 'free' || model.state === 'free' || record.original !== model.original || record.copy !== model.copy) return;
    const original = c.volumes[record.original]!;
    pairs.push({ c, record, model, original, copy: c.volumes[record.copy]!, size: c.geometry.trackSize, trackCount: original.length / c.geometry.trackSize });
  });
  lastWorld = world;
  lastPairs = pairs;
  return pairs;
}

/** Whether every used record of the embodiment in one of `states` satisfies `holds`. */
function forRecords(world: ExtentWorld, embodiment: 1 | 2 | 3, states: (state: string) => boolean, holds: (pair: Pair) => boolean): boolean {
  if (abstractOf(world.controller).control.embodiment !== embodiment) return true;
  return usedPairs(world).every((pair) => !states(pair.record.state) || holds(pair));
}

function everyTrack(tracks: Iterable<number>, holds: (t: number) => boolean): boolean {
  for (const t of tracks) if (!holds(t)) return false;
  return true;
}

const ranges: number[][] = [];

/** The tracks 0..count-1 (one shared array per count: properties run on every step). */
function range(count: number): readonly number[] {
  ranges[count] ??= Array.from({ length: count }, (_, t) => t);
  return ranges[count]!;
}

/** The tracks of E1 extents the model holds active. */
function activeTracks(pair: Pair, world: ExtentWorld): Set<number> {
  const geometry = abstractOf(world.controller).geometry;
  const tracks = new Set<number>();
  for (const slot of pair.model.slots) if (slot.extent !== null) for (const t of tracksOf(slot.extent, geometry)) tracks.add(t);
  return tracks;
}

/** The tracks of a record's extents (E2: its one extent; E3: the Extent Split's). */
function extentTracks(model: ModelRecord, world: ExtentWorld): Set<number> {
  const geometry = abstractOf(world.controller).geometry;
  const tracks = new Set<number>();
  for (const extent of model.extents) for (const t of tracksOf(extent, geometry)) tracks.add(t);
  return tracks;
}

/** image(t) = S(t): the copy where the bit is clear, the original where it is set. */
function imageHolds(pair: Pair, bits: string, image: Bytes | null, t: number): boolean {
  if (image === null) return false;
  return trackEquals(bit(bits, t) ? pair.original : pair.copy, image, t, pair.size);
}

const forming = (s: string) => s.startsWith('forming') || s === 'formed';

// ---------------------------------------------------------------- G1-G5

/** The volumes the model says are no used record's copy. */
function notCopies(model: ExtentModel): number[] {
  const copies = new Set(model.records.filter((r) => r.state !== 'free').map((r) => r.copy));
  return model.volumes.flatMap((_, v) => (copies.has(v) ? [] : [v]));
}

export const originalHoldsEveryWrite: ExtentProperty = {
  name: 'original-holds-every-write',
  ref: '002 G1',
  description: 'Every volume that is no pair\'s copy holds exactly the accepted host writes: copies never modify the original.',
  state: (world) => {
    const c = abstractOf(world.controller);
    return notCopies(world.model).every((v) => everyTrack(range(c.volumes[v]!.length / c.geometry.trackSize), (t) => trackEquals(c.volumes[v]!, world.model.volumes[v]!, t, c.geometry.trackSize)));
  },
};

export const bitClearedOnlyByCopy: ExtentProperty = {
  name: 'bit-cleared-only-by-copy',
  ref: '002 G2',
  description: 'A CB or SB bit goes from 1 to 0 only with a copy of its track: after the step the copy holds what the original held before it.',
  step: ({ before, after }) => {
    if (before.controller === after.controller) return true;
    const a = abstractOf(before.controller);
    const b = abstractOf(after.controller);
    const size = a.geometry.trackSize;
    return a.records.every((ra, i) => {
      const rb = b.records[i]!;
      if (ra === rb || ra.state === 'free' || rb.state === 'free' || ra.original !== rb.original) return true;
      return (['cb', 'sb'] as const).every((name) => everyTrack(range(ra[name].length), (t) => !bit(ra[name], t) || bit(rb[name], t)
        || trackEquals(b.volumes[rb.copy]!, a.volumes[ra.original]!, t, size)));
    });
  },
};

/** Whether a changed copy-volume track holds what the original of a pair that copies to it held before. */
function copiedFromItsOriginal(a: ExtentAbstract, b: ExtentAbstract, copy: number, t: number): boolean {
  const size = a.geometry.trackSize;
  return a.records.some((r) => r.state !== 'free' && r.copy === copy && t < a.volumes[r.original]!.length / size
    && (a.control.embodiment !== 2 || r.extents.some((x) => Math.floor(x.start / size) <= t && t <= Math.floor(x.end / size)))
    && trackEquals(b.volumes[copy]!, a.volumes[r.original]!, t, size));
}

export const copyAddressIdentical: ExtentProperty = {
  name: 'copy-address-identical',
  ref: '002 G3',
  description: 'The controller writes a copy-volume track only with the same track of the original of the pair that covers it.',
  step: ({ before, after }) => {
    if (before.controller === after.controller) return true;
    const a = abstractOf(before.controller);
    const b = abstractOf(after.controller);
    const size = a.geometry.trackSize;
    return a.records.every((record) => record.state === 'free' || a.volumes[record.copy] === b.volumes[record.copy]
      || everyTrack(range(a.volumes[record.copy]!.length / size), (t) => trackEquals(b.volumes[record.copy]!, a.volumes[record.copy]!, t, size)
        || copiedFromItsOriginal(a, b, record.copy, t)));
  },
};

/** spec/002 G4's active copy set of one record, by its state before the step. */
function activeSet(model: ModelRecord, world: ExtentWorld): Set<number> | 'all' {
  const c = abstractOf(world.controller);
  const s = model.state;
  if (c.control.embodiment === 2) return extentTracks(model, world);
  if (s.startsWith('forming') || (c.control.embodiment === 1 && s.startsWith('splitting'))) return 'all';
  if (c.control.embodiment === 1 && s === 'split') {
    return new Set(model.slots.flatMap((slot) => (slot.extent === null ? [] : tracksOf(slot.extent, c.geometry))));
  }
  if (s.startsWith('xsplitting') || s.startsWith('xjoining')) return extentTracks(model, world);
  return new Set();
}

export const copyOutsideActiveSetUntouched: ExtentProperty = {
  name: 'copy-outside-active-set-untouched',
  ref: '002 G4',
  description: 'A copy-volume track outside the active copy set of its pair (by embodiment and state) is never modified.',
  step: ({ before, after }) => {
    if (before.controller === after.controller) return true;
    const a = abstractOf(before.controller);
    const b = abstractOf(after.controller);
    const size = a.geometry.trackSize;
    return before.model.records.every((record) => {
      if (record.state === 'free' || a.volumes[record.copy] === b.volumes[record.copy]) return true;
      const sets = before.model.records.filter((r) => r.state !== 'free' && r.copy === record.copy).map((r) => activeSet(r, before));
      if (sets.includes('all')) return true;
      return everyTrack(range(a.volumes[record.copy]!.length / size), (t) => sets.some((set) => (set as Set<number>).has(t))
        || trackEquals(b.volumes[record.copy]!, a.volumes[record.copy]!, t, size));
    });
  },
};

export const copyJobBounded: ExtentProperty = {
  name: 'copy-job-bounded',
  ref: '002 G5, A11',
  description: 'A copy job finishes within its ranges\' track count of steps: a job still alive has taken fewer steps than it has tracks.',
  state: ({ controller }) => abstractOf(controller).records.every((record) => [...record.jobs, ...record.slots.flatMap((s) => (s.job === null ? [] : [s.job]))]
    .every((job) => job.stepsTaken < job.trackCount)),
};

// ---------------------------------------------------------------- E1

export const e1FormingCopyTracksEqual: ExtentProperty = {
  name: 'e1-forming-copy-tracks-equal',
  ref: '002 E1.1',
  description: 'E1 forming or formed: a track whose CB bit is clear is equal on the copy and the original.',
  state: (world) => forRecords(world, 1, forming, (p) => everyTrack(range(p.trackCount), (t) => bit(p.record.cb, t) || trackEquals(p.copy, p.original, t, p.size))),
};

export const e1SplitImageIntact: ExtentProperty = {
  name: 'e1-split-image-intact',
  ref: '002 E1.2',
  description: 'E1 splitting: every track\'s image (the copy where CB is clear, the original where set) is the original at the split instant.',
  state: (world) => forRecords(world, 1, (s) => s.startsWith('splitting'), (p) => everyTrack(range(p.trackCount), (t) => imageHolds(p, p.record.cb, p.model.image, t))),
};

export const e1SplitCopyIsImage: ExtentProperty = {
  name: 'e1-split-copy-is-image',
  ref: '002 E1.3, E1.6',
  description: 'E1 split: outside the active extents, the copy is the image of its track: the split instant, or the last Extent Update over it.',
  state: (world) => forRecords(world, 1, (s) => s === 'split', (p) => {
    const active = activeTracks(p, world);
    return everyTrack(range(p.trackCount), (t) => active.has(t) || trackEquals(p.copy, world.model.volumes[p.record.copy]!, t, p.size));
  }),
};

export const e1SplitCleanTracksEqual: ExtentProperty = {
  name: 'e1-split-clean-tracks-equal',
  ref: '002 E1.4',
  description: 'E1 split, outside the active extents: a track whose SB bit is clear is equal on the copy and the original.',
  state: (world) => forRecords(world, 1, (s) => s === 'split', (p) => {
    const active = activeTracks(p, world);
    return everyTrack(range(p.trackCount), (t) => active.has(t) || bit(p.record.sb, t) || trackEquals(p.copy, p.original, t, p.size));
  }),
};

export const e1DifferencesExact: ExtentProperty = {
  name: 'e1-differences-exact',
  ref: '002 E1.1, E1.4, E1.6 with A7',
  description: 'E1: SB (outside active extents) and UB (inside them) are exactly the tracks written since their image; both are empty before the split.',
  state: (world) => forRecords(world, 1, () => true, (p) => {
    if (forming(p.record.state)) return !p.record.sb.includes('1') && !p.record.ub.includes('1');
    const active = activeTracks(p, world);
    return everyTrack(range(p.trackCount), (t) => {
      const written = p.model.written.includes(t);
      return active.has(t) ? bit(p.record.ub, t) === written : bit(p.record.sb, t) === written && !bit(p.record.ub, t);
    });
  }),
};

export const e1UpdateImageIntact: ExtentProperty = {
  name: 'e1-update-image-intact',
  ref: '002 E1.5',
  description: 'E1 extent active: every track of the extent\'s image (the copy where SB is clear, the original where set) is the original at the Extent Update instant.',
  state: (world) => forRecords(world, 1, (s) => s === 'split', (p) => p.model.slots.every((slot) => slot.extent === null
    || tracksOf(slot.extent, abstractOf(world.controller).geometry).every((t) => imageHolds(p, p.record.sb, slot.image, t)))),
};

// ---------------------------------------------------------------- E2

export const e2FormingCopyTracksEqual: ExtentProperty = {
  name: 'e2-forming-copy-tracks-equal',
  ref: '002 E2.1',
  description: 'E2 forming or formed: a track of the record\'s extent whose bit is clear is equal on the copy and the original.',
  state: (world) => forRecords(world, 2, forming, (p) => everyTrack(extentTracks(p.model, world), (t) => bit(p.record.cb, t) || trackEquals(p.copy, p.original, t, p.size))),
};

export const e2SplitImageIntact: ExtentProperty = {
  name: 'e2-split-image-intact',
  ref: '002 E2.2',
  description: 'E2 splitting: every track of the extent\'s image is the original at the split instant of its list.',
  state: (world) => forRecords(world, 2, (s) => s.startsWith('splitting'), (p) => everyTrack(extentTracks(p.model, world), (t) => imageHolds(p, p.record.cb, p.model.image, t))),
};

export const e2SplitCopyIsImage: ExtentProperty = {
  name: 'e2-split-copy-is-image',
  ref: '002 E2.3',
  description: 'E2 split: the copy\'s tracks of the extent are the original at the split instant, and stay so.',
  state: (world) => forRecords(world, 2, (s) => s === 'split', (p) => everyTrack(extentTracks(p.model, world), (t) => trackEquals(p.copy, world.model.volumes[p.record.copy]!, t, p.size))),
};

export const e2OutsideWriteUntracked: ExtentProperty = {
  name: 'e2-outside-write-untracked',
  ref: '002 E2.4',
  description: 'E2: a write to a source volume outside every record\'s extent changes no bitmap and no copy volume.',
  step: ({ before, event, outcome, after }) => {
    const a = abstractOf(before.controller);
    if (a.control.embodiment !== 2 || event.type !== 'host.write' || !outcome.controller.accepted) return true;
    const track = Math.floor(event.address / a.geometry.trackSize);
    const inside = before.model.records.some((r) => r.state !== 'free' && r.original === event.volume && extentTracks(r, before).has(track));
    if (inside) return true;
    const b = abstractOf(after.controller);
    return a.records.every((r, i) => r.state === 'free' || (r.cb === b.records[i]!.cb && a.volumes[r.copy]!.every((byte, j) => b.volumes[r.copy]![j] === byte)));
  },
};

// ---------------------------------------------------------------- E3

export const e3JoinedCleanTracksEqual: ExtentProperty = {
  name: 'e3-joined-clean-tracks-equal',
  ref: '002 E3.1',
  description: 'E3 forming, formed or joining: a track with neither CB nor SB set is equal on the copy and the original.',
  state: (world) => forRecords(world, 3, (s) => forming(s) || s.startsWith('xjoining'),
    (p) => everyTrack(range(p.trackCount), (t) => bit(p.record.cb, t) || bit(p.record.sb, t) || trackEquals(p.copy, p.original, t, p.size))),
};

export const e3SplitImageIntact: ExtentProperty = {
  name: 'e3-split-image-intact',
  ref: '002 E3.2',
  description: 'E3 extent splitting: every track of the extents\' image (the copy where CB is clear, the original where set) is the original at the Extent Split instant.',
  state: (world) => forRecords(world, 3, (s) => s.startsWith('xsplitting'), (p) => everyTrack(extentTracks(p.model, world), (t) => imageHolds(p, p.record.cb, p.model.image, t))),
};

export const e3SplitCopyIsImage: ExtentProperty = {
  name: 'e3-split-copy-is-image',
  ref: '002 E3.3, 【0137】',
  description: 'E3 extent split: the copy\'s tracks of the extents are the original at the Extent Split instant.',
  state: (world) => forRecords(world, 3, (s) => s === 'xsplit', (p) => everyTrack(extentTracks(p.model, world), (t) => trackEquals(p.copy, world.model.volumes[p.record.copy]!, t, p.size))),
};

export const e3SplitDifferencesTracked: ExtentProperty = {
  name: 'e3-split-differences-tracked',
  ref: '002 E3.3',
  description: 'E3 extent split: a track of the extents whose SB bit is clear is equal on the copy and the original.',
  state: (world) => forRecords(world, 3, (s) => s === 'xsplit', (p) => everyTrack(extentTracks(p.model, world), (t) => bit(p.record.sb, t) || trackEquals(p.copy, p.original, t, p.size))),
};

export const e3JoinClearsSplitBits: ExtentProperty = {
  name: 'e3-join-clears-split-bits',
  ref: '002 E3.4, A8',
  description: 'E3 formed (after a join or before any split): SB is empty.',
  state: (world) => forRecords(world, 3, (s) => s === 'formed', (p) => !p.record.sb.includes('1')),
};

export const e3OutsideDifferencesTracked: ExtentProperty = {
  name: 'e3-outside-differences-tracked',
  ref: '002 E3.5, A8',
  description: 'E3 extent splitting or split: a track outside the extents whose CB bit is clear is equal on the copy and the original.',
  state: (world) => forRecords(world, 3, (s) => s.startsWith('xsplit'), (p) => {
    const inside = extentTracks(p.model, world);
    return everyTrack(range(p.trackCount), (t) => inside.has(t) || bit(p.record.cb, t) || trackEquals(p.copy, p.original, t, p.size));
  }),
};

// ---------------------------------------------------------------- control, acceptance, answers

export const pairStateRefinesModel: ExtentProperty = {
  name: 'pair-state-refines-model',
  ref: '002 §3, A2, A3, A4',
  description: 'Every record\'s state, and every E1 extent slot\'s, is the model\'s.',
  state: ({ controller, model }) => abstractOf(controller).records.every((record, i) => {
    const m = model.records[i]!;
    return record.state === m.state && record.slots.every((slot, j) => slot.state === m.slots[j]!.state);
  }),
};

export const acceptanceAgreesWithModel: ExtentProperty = {
  name: 'acceptance-agrees-with-model',
  ref: '002 A3, A4, A6, A9, A11, A13; src/rejection.ts order',
  description: 'The controller accepts exactly the commands the model accepts, and refuses the others for the same reason.',
  step: ({ outcome: { controller, model } }) => {
    if (controller.accepted || model.accepted) return controller.accepted === model.accepted;
    return controller.rejection.code === model.rejection.code;
  },
};

function sameAbstract(a: ExtentAbstract, b: ExtentAbstract): boolean {
  if (a === b) return true;
  const bytesEqual = a.volumes.every((volume, v) => volume.every((byte, i) => b.volumes[v]![i] === byte));
  return bytesEqual && JSON.stringify(a.records) === JSON.stringify(b.records);
}

export const rejectedCommandChangesNothing: ExtentProperty = {
  name: 'rejected-command-changes-nothing',
  ref: 'STYLE.md "Two kinds of error"',
  description: 'A refused command leaves volumes, records, bitmaps, extents and jobs exactly as they were.',
  step: ({ before, outcome, after }) => outcome.controller.accepted || before.controller === after.controller || sameAbstract(abstractOf(before.controller), abstractOf(after.controller)),
};

export const readReturnsImage: ExtentProperty = {
  name: 'read-returns-image',
  ref: '002 A5',
  description: 'A read answers NotReady exactly where the model says the track is not final, and a served read returns the image\'s value.',
  step: ({ event, outcome }) => {
    if (event.type !== 'host.read' || !outcome.controller.accepted || !outcome.model.accepted) return true;
    const result = outcome.controller.result;
    const expected = outcome.model.read;
    if (expected === 'not-ready' || result.kind === 'not-ready') return expected === 'not-ready' && result.kind === 'not-ready';
    if (result.kind !== 'read' || expected === undefined) return false;
    const data = fromHex(result.data);
    return data.length === expected.length && expected.every((byte, i) => byte === null || data[i] === byte);
  },
};

export const queryReportsProgress: ExtentProperty = {
  name: 'query-reports-progress',
  ref: '002 A2, A12',
  description: 'pair.query reports the model\'s state, extents and jobs, a failed job with the volume whose I/O failed.',
  step: ({ event, outcome }) => {
    if (event.type !== 'pair.query' || !outcome.controller.accepted || !outcome.model.accepted) return true;
    const result = outcome.controller.result;
    return result.kind === 'query' && JSON.stringify(result.report) === JSON.stringify(outcome.model.report);
  },
};

export const EXTENT_PROPERTIES: readonly ExtentProperty[] = [
  originalHoldsEveryWrite,
  bitClearedOnlyByCopy,
  copyAddressIdentical,
  copyOutsideActiveSetUntouched,
  copyJobBounded,
  e1FormingCopyTracksEqual,
  e1SplitImageIntact,
  e1SplitCopyIsImage,
  e1SplitCleanTracksEqual,
  e1DifferencesExact,
  e1UpdateImageIntact,
  e2FormingCopyTracksEqual,
  e2SplitImageIntact,
  e2SplitCopyIsImage,
  e2OutsideWriteUntracked,
  e3JoinedCleanTracksEqual,
  e3SplitImageIntact,
  e3SplitCopyIsImage,
  e3SplitDifferencesTracked,
  e3JoinClearsSplitBits,
  e3OutsideDifferencesTracked,
  pairStateRefinesModel,
  acceptanceAgreesWithModel,
  rejectedCommandChangesNothing,
  readReturnsImage,
  queryReportsProgress,
];
