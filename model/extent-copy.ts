/**
 * The obviously correct model of seed 002's extent copy: what a host may observe, with no bitmaps, no jobs
 * and no cursors. Volumes are plain byte arrays; a copy volume's byte is null where the model does not know
 * it (while a copy runs, and in the lazy `formed` state, spec/002 A14). At each acceptance instant the model
 * records the original's image (spec/002 §5 "Snap"): at a split (E1, E2), at an Extent Update (E1, per
 * extent) and at an Extent Split (E3). When the controller reports that a copy has finished, the model takes
 * its word and the copy's bytes become the image; whether that word is true is what the properties check.
 *
 * Commands are accepted by the model's own rules: its argument check (`refusal`, the README's rejection
 * table row by row), then a table of the commands each state accepts (spec/002 A3, A4, A13), then what is
 * held elsewhere (A6, A9, A13: busy). None of it is shared with the controller. The model also keeps one ghost
 * field for E1, `written`: the tracks of the original written since their image was taken, which SB and UB
 * must name exactly (spec/002 E1.4, E1.6 with the A7 fix).
 */
import type { ExtentControlInput, ExtentStateKey, PairStateKey } from '../machines/extent-copy.js';
import { capacityOf, trackOf, type Extent, type ExtentEvent, type ExtentGeometry } from '../src/extent-copy/events.js';
import { fromHex, isHex } from '../src/hex.js';
import { reject, type Rejection } from '../src/rejection.js';

export type ModelError = 'original-error' | 'copy-error';
type Bytes = readonly (number | null)[];

export interface ModelSlot {
  readonly state: ExtentStateKey;
  readonly extent: Extent | null;
  /** U: the original's bytes at the Extent Update instant, while the update runs; null bytes off the extent. */
  readonly image: Bytes | null;
  readonly error: ModelError | null;
}

export interface ModelRecord {
  readonly state: PairStateKey;
  readonly original: number;
  readonly copy: number;
  /** E2: the record's extent; E3: the Extent Split's extents; E1: none. */
  readonly extents: readonly Extent[];
  /** S: the original's bytes at the split instant, while the copy of them runs; null bytes off the extents. */
  readonly image: Bytes | null;
  readonly slots: readonly ModelSlot[];
  /** Ghost (E1 only): original tracks written since their image instant, ascending. */
  readonly written: readonly number[];
  readonly error: ModelError | null;
}

export interface ExtentModel {
  readonly volumes: readonly Bytes[];
  readonly records: readonly ModelRecord[];
}

export interface ModelReport {
  readonly state: string;
  readonly extents: readonly (Extent & { readonly slot: number | null; readonly state: string })[];
  readonly jobs: readonly { readonly kind: string; readonly extent: number | null; readonly status: 'running' | 'failed'; readonly error: ModelError | null }[];
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly read?: Bytes | 'not-ready'; readonly report?: ModelReport };

/** A copy job's completion as the controller reported it: which record (and E1 slot) finished which copy. */
export interface Completion {
  readonly eventType: string;
  readonly pair: number;
  readonly extent: number | null;
}

const INACTIVE: ModelSlot = { state: 'inactive', extent: null, image: null, error: null };

function freeRecord(slots: number): ModelRecord {
  return { state: 'free', original: -1, copy: -1, extents: [], image: null, slots: new Array<ModelSlot>(slots).fill(INACTIVE), written: [], error: null };
}

export function initialModel(geometry: ExtentGeometry, control: ExtentControlInput): ExtentModel {
  const slots = control.embodiment === 1 ? geometry.extentSlots : 0;
  return {
    volumes: geometry.volumeTracks.map((tracks) => new Array<number>(tracks * geometry.trackSize).fill(0)),
    records: new Array<ModelRecord>(geometry.pairCount).fill(freeRecord(slots)),
  };
}

// ---------------------------------------------------------------- tracks and bytes

/** The tracks T(start)..T(end) of an extent; none when start is after end (the literal A11 flow). */
export function tracksOf(extent: Extent, geometry: ExtentGeometry): number[] {
  const tracks: number[] = [];
  for (let t = trackOf(extent.start, geometry); t <= trackOf(extent.end, geometry); t += 1) tracks.push(t);
  return tracks;
}

function allTracks(volume: number, geometry: ExtentGeometry): number[] {
  return Array.from({ length: geometry.volumeTracks[volume]! }, (_, t) => t);
}

/** `bytes` with the bytes of `tracks` taken from `from` (or made unknown when `from` is null). */
function withTracks(bytes: Bytes, tracks: readonly number[], from: Bytes | null, geometry: ExtentGeometry): Bytes {
  const next = bytes.slice();
  for (const t of tracks) for (let i = t * geometry.trackSize; i < (t + 1) * geometry.trackSize; i += 1) next[i] = from === null ? null : from[i]!;
  return next;
}

/** The original's bytes over `tracks`, null elsewhere: an image. */
function imageOf(original: Bytes, tracks: readonly number[], geometry: ExtentGeometry): Bytes {
  return withTracks(original.map(() => null), tracks, original, geometry);
}

function unionTracks(extents: readonly Extent[], geometry: ExtentGeometry): number[] {
  return [...new Set(extents.flatMap((extent) => tracksOf(extent, geometry)))].sort((a, b) => a - b);
}

function shareTrack(a: Extent, b: Extent, geometry: ExtentGeometry): boolean {
  const tracks = tracksOf(b, geometry);
  return tracksOf(a, geometry).some((t) => tracks.includes(t));
}

// ---------------------------------------------------------------- arguments (README rejection table order)

const whole = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const wholeExtents = (extents: unknown): boolean => Array.isArray(extents) && extents.every((e: Extent) => whole(e.start) && whole(e.end));

function isMalformed(event: ExtentEvent): boolean {
  switch (event.type) {
    case 'host.write':
      return !whole(event.volume) || !whole(event.address) || !isHex(event.data);
    case 'host.read':
      return !whole(event.volume) || !whole(event.address) || !whole(event.length);
    case 'pair.create':
      return !whole(event.original) || !whole(event.copy) || (event.extents !== undefined && !wholeExtents(event.extents));
    case 'pair.split':
      return !Array.isArray(event.pairs) || !event.pairs.every(whole) || new Set(event.pairs).size !== event.pairs.length;
    case 'extent.update':
    case 'extent.split':
      return !whole(event.pair) || !wholeExtents(event.extents);
    case 'copy.fault':
      return !whole(event.pair) || !whole(event.volume) || (event.extent !== undefined && !whole(event.extent));
    case 'copy.step':
      return !whole(event.pair) || (event.extent !== undefined && !whole(event.extent));
    default:
      return !whole(event.pair);
  }
}

/** A host I/O lies in one track of an existing volume, with at least one byte. */
function ioRefusal(volume: number, address: number, length: number, geometry: ExtentGeometry): Rejection | null {
  if (volume >= geometry.volumeTracks.length) return reject('unknown-volume', `no volume ${volume}`);
  if (address >= capacityOf(volume, geometry)) return reject('track-out-of-range', `address ${address} is past the volume`);
  if (length < 1 || trackOf(address, geometry) !== trackOf(address + length - 1, geometry)) return reject('length-out-of-range', 'a host I/O stays in one track');
  return null;
}

/** A11: extents start inside the original; then the list's size, then each end and its order. */
function extentsRefusal(extents: readonly Extent[], original: number, model: ExtentModel, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  const capacity = model.volumes[original]!.length;
  if (extents.some((e) => e.start >= capacity)) return reject('track-out-of-range', 'an extent starts past the original');
  if (extents.length < 1 || extents.length > geometry.extentsMax) return reject('length-out-of-range', 'too few or too many extents');
  if (extents.some((e) => e.end >= capacity)) return reject('length-out-of-range', 'an extent ends past the original');
  if (control.validation === 'full' && extents.some((e) => e.start > e.end)) return reject('length-out-of-range', 'an extent starts after its end');
  return null;
}

function createRefusal(event: Extract<ExtentEvent, { type: 'pair.create' }>, model: ExtentModel, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  if (event.original >= model.volumes.length || event.copy >= model.volumes.length) return reject('unknown-volume', 'no such volume');
  const copyBytes = model.volumes[event.copy]!.length;
  if (control.embodiment !== 2) {
    if (event.extents !== undefined) return reject('malformed-command', 'E1 and E3 pairs have no extents');
    return copyBytes >= model.volumes[event.original]!.length ? null : reject('length-out-of-range', 'the copy is smaller than the original');
  }
  const extents = event.extents ?? [];
  const refused = extentsRefusal(extents, event.original, model, geometry, control);
  if (refused !== null) return refused;
  const copyTracks = copyBytes / geometry.trackSize;
  return extents.every((e) => trackOf(Math.max(e.start, e.end), geometry) < copyTracks) ? null : reject('length-out-of-range', 'the copy is too small for an extent');
}

function refusal(event: ExtentEvent, model: ExtentModel, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  if (isMalformed(event)) return reject('malformed-command', 'bad numbers, data or pair list');
  const used = (pair: number): boolean => model.records[pair] !== undefined && model.records[pair]!.state !== 'free';
  const unknownPair = (pair: number): Rejection | null => (used(pair) ? null : reject('unknown-pair', `no pair ${pair} in use`));
  const slots = control.embodiment === 1 ? geometry.extentSlots : 0;
  switch (event.type) {
    case 'host.write':
      return ioRefusal(event.volume, event.address, event.data.length / 2, geometry);
    case 'host.read':
      return ioRefusal(event.volume, event.address, event.length, geometry);
    case 'pair.create':
      return createRefusal(event, model, geometry, control);
    case 'pair.split':
      return event.pairs.map(unknownPair).find((r) => r !== null) ?? (event.pairs.length === 0 ? reject('length-out-of-range', 'no pairs') : null);
    case 'extent.update':
    case 'extent.split':
      return unknownPair(event.pair) ?? extentsRefusal(event.extents, model.records[event.pair]!.original, model, geometry, control);
    case 'copy.step':
    case 'copy.fault': {
      const noSlot = event.extent !== undefined && event.extent >= slots ? reject('unknown-pair', 'no such extent slot') : null;
      const refused = unknownPair(event.pair) ?? noSlot;
      if (refused !== null || event.type === 'copy.step') return refused;
      const record = model.records[event.pair]!;
      return event.volume === record.original || event.volume === record.copy ? null : reject('unknown-volume', 'not a volume of the pair');
    }
    default:
      return unknownPair(event.pair);
  }
}

// ---------------------------------------------------------------- which commands each state accepts (A3, A4, A13)

const COPYING: readonly PairStateKey[] = ['forming.copying', 'splitting.copying', 'xsplitting.copying', 'xjoining.copying'];
const DELETABLE: readonly PairStateKey[] = ['formed', 'split', 'xsplit', 'forming.failed', 'splitting.failed', 'xsplitting.failed', 'xjoining.failed'];

/** Whether the record's state accepts a command naming it (the slot's state for an E1 extent job). */
function stateAccepts(event: ExtentEvent, record: ModelRecord, control: ExtentControlInput): boolean {
  const e = control.embodiment;
  switch (event.type) {
    case 'pair.query':
      return true;
    case 'pair.delete':
      return DELETABLE.includes(record.state);
    case 'pair.split':
      return (e !== 3 && (record.state === 'formed' || record.state === 'splitting.failed'))
        || (e === 1 && control.splitGuard === 'literal' && record.state === 'forming.copying');
    case 'extent.update':
      return e === 1 && record.state === 'split';
    case 'extent.split':
      return e === 3 && (record.state === 'formed' || record.state === 'xsplitting.failed');
    case 'extent.join':
      return e === 3 && (record.state === 'xsplit' || record.state === 'xjoining.failed');
    case 'copy.step':
    case 'copy.fault':
      return event.extent === undefined ? COPYING.includes(record.state) : record.slots[event.extent]!.state === 'active.copying';
    default:
      return true;
  }
}

// ---------------------------------------------------------------- what is held elsewhere (A6, A9, A13)

/** The records in use, ascending. */
function usedRecords(model: ExtentModel): number[] {
  const used: number[] = [];
  for (let pair = 0; pair < model.records.length; pair += 1) if (model.records[pair]!.state !== 'free') used.push(pair);
  return used;
}

/** E1/E3 Pair Create: a failed create of the same volumes resumes; otherwise both volumes must be unused. */
function volumeCreateBusy(model: ExtentModel, original: number, copy: number): Rejection | null {
  const used = usedRecords(model).map((pair) => model.records[pair]!);
  if (used.some((r) => r.original === original && r.copy === copy && r.state === 'forming.failed')) return null;
  if (original === copy) return reject('busy', 'a volume cannot be its own copy');
  if (used.some((r) => [r.original, r.copy].includes(original) || [r.original, r.copy].includes(copy))) return reject('busy', 'a volume is in a pair');
  return model.records.some((r) => r.state === 'free') ? null : reject('busy', 'no free record');
}

function sameExtent(a: Extent, b: Extent): boolean {
  return a.start === b.start && a.end === b.end;
}

/** E2 Pair Create: each extent resumes a failed record of the same four fields, or needs a free record and no overlap. */
function extentCreateBusy(model: ExtentModel, event: Extract<ExtentEvent, { type: 'pair.create' }>, geometry: ExtentGeometry): Rejection | null {
  const used = usedRecords(model).map((pair) => model.records[pair]!);
  const fresh = (event.extents ?? []).filter((extent) => !used.some((r) => r.state === 'forming.failed'
    && r.original === event.original && r.copy === event.copy && sameExtent(r.extents[0]!, extent)));
  if (fresh.length === 0) return null;
  if (event.original === event.copy) return reject('busy', 'a volume cannot be its own copy');
  if (used.some((r) => r.copy === event.original || r.original === event.copy)) return reject('busy', 'a volume cannot be both original and copy');
  for (const [i, extent] of fresh.entries()) {
    const sharing = used.filter((r) => r.original === event.original || r.copy === event.copy);
    if (sharing.some((r) => shareTrack(r.extents[0]!, extent, geometry))) return reject('busy', 'an extent overlaps a record');
    if (fresh.slice(0, i).some((other) => shareTrack(other, extent, geometry))) return reject('busy', 'the extents overlap');
  }
  return model.records.filter((r) => r.state === 'free').length >= fresh.length ? null : reject('busy', 'not enough free records');
}

/** The new extents of an Extent Update (those that do not resume a failed slot of the same extent). */
function freshUpdates(record: ModelRecord, extents: readonly Extent[]): { fresh: Extent[]; resumed: number[] } {
  const resumed: number[] = [];
  const fresh: Extent[] = [];
  for (const extent of extents) {
    const slot = record.slots.findIndex((s, i) => s.state === 'active.failed' && !resumed.includes(i) && sameExtent(s.extent!, extent));
    if (slot === -1) fresh.push(extent);
    else resumed.push(slot);
  }
  return { fresh, resumed };
}

function updateBusy(record: ModelRecord, extents: readonly Extent[], geometry: ExtentGeometry): Rejection | null {
  const { fresh, resumed } = freshUpdates(record, extents);
  const held = record.slots.filter((s) => s.state !== 'inactive').map((s) => s.extent!);
  for (const [i, extent] of fresh.entries()) {
    if ([...held, ...fresh.slice(0, i)].some((other) => shareTrack(other, extent, geometry))) return reject('busy', 'an extent overlaps an active one');
  }
  const free = record.slots.filter((s, i) => s.state === 'inactive' && !resumed.includes(i)).length;
  return free >= fresh.length ? null : reject('busy', 'no free extent slot');
}

function busy(event: ExtentEvent, model: ExtentModel, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  switch (event.type) {
    case 'host.write':
      return usedRecords(model).some((pair) => model.records[pair]!.copy === event.volume) ? reject('busy', 'the copy is read-only while paired') : null;
    case 'pair.create':
      return control.embodiment === 2 ? extentCreateBusy(model, event, geometry) : volumeCreateBusy(model, event.original, event.copy);
    case 'extent.update':
      return updateBusy(model.records[event.pair]!, event.extents, geometry);
    case 'extent.split': {
      const record = model.records[event.pair]!;
      if (record.state === 'xsplitting.failed') {
        const same = record.extents.length === event.extents.length && record.extents.every((x, i) => sameExtent(x, event.extents[i]!));
        return same ? null : reject('busy', 'a failed Extent Split of other extents');
      }
      return event.extents.some((x, i) => event.extents.slice(0, i).some((y) => shareTrack(x, y, geometry))) ? reject('busy', 'the extents overlap') : null;
    }
    case 'pair.delete':
      return model.records[event.pair]!.slots.some((s) => s.state === 'active.copying') ? reject('busy', 'an Extent Update runs') : null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------- transitions

function setRecord(model: ExtentModel, pair: number, record: ModelRecord): ExtentModel {
  const records = model.records.slice();
  records[pair] = record;
  return { ...model, records };
}

function setVolume(model: ExtentModel, volume: number, bytes: Bytes): ExtentModel {
  const volumes = model.volumes.slice();
  volumes[volume] = bytes;
  return { ...model, volumes };
}

/** The state a failed job resumes to, or a job fails to (A12). */
function withSubstate(state: PairStateKey, substate: 'copying' | 'failed'): PairStateKey {
  return `${state.split('.')[0]}.${substate}` as PairStateKey;
}

function create(model: ExtentModel, event: Extract<ExtentEvent, { type: 'pair.create' }>, geometry: ExtentGeometry, control: ExtentControlInput): ExtentModel {
  let next = model;
  const resumable = (r: ModelRecord) => r.state === 'forming.failed' && r.original === event.original && r.copy === event.copy;
  const extents: readonly (Extent | null)[] = control.embodiment === 2 ? event.extents! : [null];
  for (const extent of extents) {
    const same = next.records.findIndex((r) => resumable(r) && (extent === null || sameExtent(r.extents[0]!, extent)));
    if (same !== -1) {
      next = setRecord(next, same, { ...next.records[same]!, state: 'forming.copying', error: null });
      continue;
    }
    const pair = next.records.findIndex((r) => r.state === 'free');
    const tracks = extent === null ? allTracks(event.original, geometry) : tracksOf(extent, geometry);
    next = setRecord(next, pair, {
      ...freeRecord(control.embodiment === 1 ? geometry.extentSlots : 0),
      state: 'forming.copying', original: event.original, copy: event.copy, extents: extent === null ? [] : [extent],
    });
    next = setVolume(next, event.copy, withTracks(next.volumes[event.copy]!, tracks, null, geometry));
  }
  return next;
}

/** The split instant: S is the original now, over the tracks the split covers (E1 all, E2 the extent). */
function split(model: ExtentModel, pair: number, geometry: ExtentGeometry): ExtentModel {
  const record = model.records[pair]!;
  if (record.state === 'splitting.failed') return setRecord(model, pair, { ...record, state: 'splitting.copying', error: null });
  const tracks = record.extents.length === 0 ? allTracks(record.original, geometry) : tracksOf(record.extents[0]!, geometry);
  return setRecord(model, pair, { ...record, state: 'splitting.copying', image: imageOf(model.volumes[record.original]!, tracks, geometry), written: [] });
}

/** E1 Extent Update: each new extent takes the lowest free slot and its image U is the original now (600). */
function update(model: ExtentModel, pair: number, extents: readonly Extent[], geometry: ExtentGeometry): ExtentModel {
  const record = model.records[pair]!;
  const { fresh, resumed } = freshUpdates(record, extents);
  const slots = record.slots.slice();
  for (const slot of resumed) slots[slot] = { ...slots[slot]!, state: 'active.copying', error: null };
  let copy = model.volumes[record.copy]!;
  let written = record.written;
  for (const extent of fresh) {
    const slot = slots.findIndex((s, i) => s.state === 'inactive' && !resumed.includes(i));
    const tracks = tracksOf(extent, geometry);
    slots[slot] = { state: 'active.copying', extent, image: imageOf(model.volumes[record.original]!, tracks, geometry), error: null };
    copy = withTracks(copy, tracks, null, geometry);
    written = written.filter((t) => !tracks.includes(t));
  }
  return setVolume(setRecord(model, pair, { ...record, slots, written }), record.copy, copy);
}

function extentSplit(model: ExtentModel, pair: number, extents: readonly Extent[], geometry: ExtentGeometry): ExtentModel {
  const record = model.records[pair]!;
  if (record.state === 'xsplitting.failed') return setRecord(model, pair, { ...record, state: 'xsplitting.copying', error: null });
  const image = imageOf(model.volumes[record.original]!, unionTracks(extents, geometry), geometry);
  return setRecord(model, pair, { ...record, state: 'xsplitting.copying', extents, image });
}

function join(model: ExtentModel, pair: number, geometry: ExtentGeometry): ExtentModel {
  const record = model.records[pair]!;
  if (record.state === 'xjoining.failed') return setRecord(model, pair, { ...record, state: 'xjoining.copying', error: null });
  const copy = withTracks(model.volumes[record.copy]!, unionTracks(record.extents, geometry), null, geometry);
  return setVolume(setRecord(model, pair, { ...record, state: 'xjoining.copying' }), record.copy, copy);
}

function fault(model: ExtentModel, event: Extract<ExtentEvent, { type: 'copy.fault' }>): ExtentModel {
  const record = model.records[event.pair]!;
  const error: ModelError = event.volume === record.original ? 'original-error' : 'copy-error';
  if (event.extent === undefined) return setRecord(model, event.pair, { ...record, state: withSubstate(record.state, 'failed'), error });
  const slots = record.slots.slice();
  slots[event.extent] = { ...slots[event.extent]!, state: 'active.failed', error };
  return setRecord(model, event.pair, { ...record, slots });
}

/** A host write: the volume holds the data; E1 remembers the track as written since its image (the ghost). */
function write(model: ExtentModel, event: Extract<ExtentEvent, { type: 'host.write' }>, geometry: ExtentGeometry, control: ExtentControlInput): ExtentModel {
  const bytes = model.volumes[event.volume]!.slice();
  fromHex(event.data).forEach((byte, i) => { bytes[event.address + i] = byte; });
  let next = setVolume(model, event.volume, bytes);
  if (control.embodiment !== 1) return next;
  const track = trackOf(event.address, geometry);
  for (const pair of usedRecords(next)) {
    const r = next.records[pair]!;
    const since = r.state.startsWith('splitting') || r.state === 'split';
    if (r.original === event.volume && since && !r.written.includes(track)) {
      next = setRecord(next, pair, { ...r, written: [...r.written, track].sort((a, b) => a - b) });
    }
  }
  return next;
}

function transition(model: ExtentModel, event: ExtentEvent, geometry: ExtentGeometry, control: ExtentControlInput): ExtentModel {
  switch (event.type) {
    case 'host.write':
      return write(model, event, geometry, control);
    case 'pair.create':
      return create(model, event, geometry, control);
    case 'pair.split':
      return event.pairs.reduce((m, pair) => split(m, pair, geometry), model);
    case 'extent.update':
      return update(model, event.pair, event.extents, geometry);
    case 'extent.split':
      return extentSplit(model, event.pair, event.extents, geometry);
    case 'extent.join':
      return join(model, event.pair, geometry);
    case 'copy.fault':
      return fault(model, event);
    case 'pair.delete':
      return setRecord(model, event.pair, freeRecord(model.records[event.pair]!.slots.length));
    default:
      return model;
  }
}

// ---------------------------------------------------------------- completions the controller reports

/** A finished copy: the copy's bytes over what it covered become the image. A completion that fits no state is ignored. */
export function applyCompletion(model: ExtentModel, completion: Completion, geometry: ExtentGeometry): ExtentModel {
  const record = model.records[completion.pair]!;
  const { eventType } = completion;
  if (eventType === 'create.complete' && record.state === 'forming.copying') return setRecord(model, completion.pair, { ...record, state: 'formed' });
  if ((eventType === 'split.complete' && record.state === 'splitting.copying') || (eventType === 'xsplit.complete' && record.state === 'xsplitting.copying')) {
    const tracks = record.extents.length === 0 ? allTracks(record.original, geometry) : unionTracks(record.extents, geometry);
    const done = setRecord(model, completion.pair, { ...record, state: eventType === 'split.complete' ? 'split' : 'xsplit', image: null });
    return setVolume(done, record.copy, withTracks(model.volumes[record.copy]!, tracks, record.image, geometry));
  }
  if (eventType === 'join.complete' && record.state === 'xjoining.copying') return setRecord(model, completion.pair, { ...record, state: 'formed', extents: [] });
  const slot = completion.extent === null ? undefined : record.slots[completion.extent];
  if (eventType === 'update.complete' && slot?.state === 'active.copying') {
    const slots = record.slots.slice();
    slots[completion.extent!] = INACTIVE;
    const copy = withTracks(model.volumes[record.copy]!, tracksOf(slot.extent!, geometry), slot.image, geometry);
    return setVolume(setRecord(model, completion.pair, { ...record, slots }), record.copy, copy);
  }
  return model;
}

// ---------------------------------------------------------------- answers

const JOB_KIND: Record<string, string> = { forming: 'create', splitting: 'split', xsplitting: 'xsplit', xjoining: 'xjoin' };

function report(record: ModelRecord, control: ExtentControlInput): ModelReport {
  const [phase, substate] = record.state.split('.');
  const status = (s: string | undefined) => (s === 'failed' ? 'failed' as const : 'running' as const);
  const own = substate === undefined ? [] : [{ kind: JOB_KIND[phase!]!, extent: null, status: status(substate), error: record.error }];
  const slotJobs = record.slots.flatMap((s, i) => (s.state === 'inactive' ? [] : [{ kind: 'update', extent: i, status: status(s.state.split('.')[1]), error: s.error }]));
  const extents = control.embodiment === 1
    ? record.slots.flatMap((s, i) => (s.extent === null ? [] : [{ ...s.extent, slot: i, state: s.state }]))
    : record.extents.map((x) => ({ ...x, slot: null, state: record.state }));
  return { state: record.state, extents, jobs: [...own, ...slotJobs] };
}

/**
 * A host read (spec/002 A5): the original and any volume no copy covers are served as they are; a copy track
 * that is final is served (its image); a copy track of an image still being made answers NotReady, or its
 * image value with copy-on-read; a track of a lazy phase answers NotReady.
 */
function read(model: ExtentModel, event: Extract<ExtentEvent, { type: 'host.read' }>, geometry: ExtentGeometry, control: ExtentControlInput): Bytes | 'not-ready' {
  const track = trackOf(event.address, geometry);
  const span = (bytes: Bytes) => bytes.slice(event.address, event.address + event.length);
  const covering = usedRecords(model).map((pair) => model.records[pair]!).find((r) => r.copy === event.volume
    && (control.embodiment !== 2 || tracksOf(r.extents[0]!, geometry).includes(track)));
  if (covering === undefined) return span(model.volumes[event.volume]!);
  const inImage = (extents: readonly Extent[]) => unionTracks(extents, geometry).includes(track);
  const pending = (image: Bytes | null) => (control.copyRead === 'copy-on-read' ? span(image!) : 'not-ready' as const);
  const state = covering.state;
  if (control.embodiment === 1 && state === 'split') {
    const slot = covering.slots.find((s) => s.extent !== null && tracksOf(s.extent, geometry).includes(track));
    return slot === undefined ? span(model.volumes[event.volume]!) : pending(slot.image);
  }
  if (state === 'split' || (state === 'xsplit' && inImage(covering.extents))) return span(model.volumes[event.volume]!);
  if (state.startsWith('splitting') || (state.startsWith('xsplitting') && inImage(covering.extents))) return pending(covering.image);
  return 'not-ready';
}

/** Applies one command: the answer a correct controller gives, and the model after it. */
export function applyModel(
  model: ExtentModel,
  event: ExtentEvent,
  geometry: ExtentGeometry,
  control: ExtentControlInput,
): { readonly model: ExtentModel; readonly answer: ModelAnswer } {
  const refused = refusal(event, model, geometry, control);
  if (refused !== null) return { model, answer: { accepted: false, rejection: refused } };
  const named = 'pair' in event ? [event.pair] : event.type === 'pair.split' ? event.pairs : [];
  const wrong = named.find((pair) => !stateAccepts(event, model.records[pair]!, control));
  if (wrong !== undefined) return { model, answer: { accepted: false, rejection: reject('wrong-state', `${event.type} in ${model.records[wrong]!.state}`) } };
  const held = busy(event, model, geometry, control);
  if (held !== null) return { model, answer: { accepted: false, rejection: held } };
  if (event.type === 'host.read') return { model, answer: { accepted: true, read: read(model, event, geometry, control) } };
  if (event.type === 'pair.query') return { model, answer: { accepted: true, report: report(model.records[event.pair]!, control) } };
  return { model: transition(model, event, geometry, control), answer: { accepted: true } };
}
