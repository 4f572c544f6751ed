/**
 * The mirror-pair controller of seed 000 (disk controller 200 with one pair): two volumes, the dump
 * update-track bitmaps Pbm 230 and Sbm 240, the volume state 250, and the copy list of the mirroring means;
 * beyond the seed (issue 15), the record of the primary's failed tracks of a pair suspended by error and the
 * record of the tracks an online verify found to differ.
 *
 * `handle` is the only entry point. It checks the command's arguments, asks the machine
 * (machines/mirror-pair.ts) for the transition, runs the transition's operations in order, and, when the
 * copy list empties in `mirror.syncing`, `restoring` or `mirror.verifying`, raises the internal
 * `copy.complete`, `restore.complete` or `verify.complete`. A rejected command returns a typed rejection and
 * changes nothing.
 *
 * The copy list serves four states: in `mirror.syncing` it is the tracks the copy has still to copy primary
 * to secondary; in `suspended-error` the tracks whose secondary copy is not current (what a differential
 * resync copies); in `restoring` the tracks still to copy back from the secondary; in `mirror.verifying` the
 * tracks the online verify has still to compare.
 *
 * Abstracted away: directors 210, the physical disk mapping (【0038】), write holding as a mechanism (each held
 * section is one atomic `handle` call, spec/000 §8.11), and the tape unit (src/mirror-pair/dump.ts is the
 * host side).
 */
import {
  mirrorPairMachine,
  type InternalEventType,
  type MirrorEvent,
  type MirrorStateKey,
  type ReadSource,
  type WriteRoute,
} from '../../machines/mirror-pair.js';
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import { ControlTable, type ControlStep, type Operation } from '../control.js';
import { fromHex, toHex } from '../hex.js';
import { reject, type Rejection } from '../rejection.js';
import type { TrackBitmap, TrackBitmapConstructor } from '../track-bitmap.js';
import { Volume } from '../volume.js';
import { CORRUPT_BYTE, FAILED_BYTE, PAIR_ID, PRIMARY_VOLUME, type MirrorGeometry } from './events.js';
import { validateArguments } from './validate.js';
import type { MirrorVariant } from './variants.js';

export type MirrorResult =
  | { readonly kind: 'none' }
  | { readonly kind: 'read'; readonly data: string }
  | { readonly kind: 'update-info'; readonly bitmap: string }
  | { readonly kind: 'verify'; readonly bitmap: string }
  | { readonly kind: 'dump'; readonly records: readonly { readonly track: number; readonly data: string }[] };

export type MirrorOutcome =
  | {
      readonly accepted: true;
      readonly transitions: readonly ControlStep[];
      readonly result: MirrorResult;
      readonly physicalWrites: number;
      readonly physicalReads: number;
    }
  | { readonly accepted: false; readonly rejection: Rejection };

const NO_RESULT: MirrorResult = { kind: 'none' };

/** A dump read's record with the track's bytes as they are, for `dumpRead`. */
export interface BinaryDumpRecord {
  readonly track: number;
  readonly bytes: Uint8Array;
}

/** The internal event the controller raises when the copy list empties in a state that copies. */
const COMPLETES: Partial<Record<MirrorStateKey, InternalEventType>> = {
  'mirror.syncing': 'copy.complete',
  restoring: 'restore.complete',
  'mirror.verifying': 'verify.complete',
};

const INTERNAL_EVENTS: readonly string[] = Object.values(COMPLETES);

/** One control table per variant: the memo is shared by every clone of a controller. */
const tables = new WeakMap<MirrorVariant, ControlTable>();

function controlTableFor(variant: MirrorVariant): ControlTable {
  let table = tables.get(variant);
  if (table === undefined) {
    table = new ControlTable(mirrorPairMachine, variant.control);
    tables.set(variant, table);
  }
  return table;
}

/** The parts a clone shares, one bit each in `MirrorPairController.owned`: the control-memory bitmaps and the volumes. */
const PRIMARY_BITMAP = 1;
const SECONDARY_BITMAP = 2;
const COPY_PENDING = 4;
const PRIMARY_VOLUME_PART = 8;
const SECONDARY_VOLUME_PART = 16;
const PRIMARY_FAILED = 32;
const VERIFY_FOUND = 64;
const ALL_PARTS = PRIMARY_BITMAP | SECONDARY_BITMAP | COPY_PENDING | PRIMARY_VOLUME_PART | SECONDARY_VOLUME_PART | PRIMARY_FAILED | VERIFY_FOUND;
type BitmapSlot = typeof PRIMARY_BITMAP | typeof SECONDARY_BITMAP | typeof COPY_PENDING | typeof PRIMARY_FAILED | typeof VERIFY_FOUND;
type VolumePart = typeof PRIMARY_VOLUME_PART | typeof SECONDARY_VOLUME_PART;

/** Everything a controller holds, as `MirrorPairController.restore` takes it: the bitmaps as their set tracks. */
export interface MirrorControllerParts {
  readonly state: MirrorStateKey;
  readonly primary: Uint8Array;
  readonly secondary: Uint8Array;
  readonly primaryBitmap: readonly number[];
  readonly secondaryBitmap: readonly number[];
  readonly copyPending: readonly number[];
  readonly primaryFailed: readonly number[];
  readonly verifyFound: readonly number[];
}

/** What control memory 220 holds, in the serialized form a power cycle reloads (claim 10). */
interface ControlMemoryImage {
  readonly state: MirrorStateKey;
  readonly primaryBitmap: string;
  readonly secondaryBitmap: string;
  readonly copyPending: string;
  readonly primaryFailed: string;
  readonly verifyFound: string;
}

export class MirrorPairController {
  // The fields are `declare`d and set only in the constructor, as in Bitmap: a plain declaration compiles
  // (ES2022) to a field defined as undefined first, and the checker clones a controller for every step.
  declare state: MirrorStateKey;
  private declare primaryVolume: Volume;
  private declare secondaryVolume: Volume;
  private declare pbm: TrackBitmap;
  private declare sbm: TrackBitmap;
  private declare pending: TrackBitmap;
  private declare failed: TrackBitmap;
  private declare found: TrackBitmap;
  /**
   * The parts (bits above) that no clone shares. `clone` shares all seven and clears every bit on both sides;
   * an operation that would change a shared bitmap copies it first, and one that reads or writes a shared
   * volume (which counts physical I/O) takes its own Volume first, itself sharing the bytes until written
   * (copy-on-write). The exhaustive checker clones the controller for every command it tries, and most
   * commands change no bitmap and touch no volume.
   */
  private declare owned: number;
  private declare readonly table: ControlTable;
  private declare readonly bitmaps: TrackBitmapConstructor;

  constructor(
    readonly variant: MirrorVariant,
    readonly geometry: MirrorGeometry,
    from?: MirrorPairController,
    // Issue 8: the bitmap implementation is a constructor parameter, so that nothing else here changes. The
    // reference bitmap unless a caller names another (the benchmarks pass FastBitmap); a clone keeps its
    // original's.
    bitmaps: TrackBitmapConstructor = from?.bitmaps ?? Bitmap,
  ) {
    this.table = from?.table ?? controlTableFor(variant);
    this.bitmaps = bitmaps;
    this.primaryVolume = from?.primaryVolume ?? new Volume(geometry.trackCount, geometry.trackSize);
    this.secondaryVolume = from?.secondaryVolume ?? new Volume(geometry.trackCount, geometry.trackSize);
    this.pbm = from?.pbm ?? new bitmaps(geometry.trackCount);
    this.sbm = from?.sbm ?? new bitmaps(geometry.trackCount);
    this.pending = from?.pending ?? new bitmaps(geometry.trackCount);
    this.failed = from?.failed ?? new bitmaps(geometry.trackCount);
    this.found = from?.found ?? new bitmaps(geometry.trackCount);
    this.owned = from === undefined ? ALL_PARTS : 0;
    this.state = from?.state ?? 'separated';
  }

  /**
   * A controller holding exactly these parts and sharing them with no other: how the exhaustive checker
   * rebuilds a controller from a packed world (src/mirror-pair/layout.ts). The volumes take `parts`' byte
   * arrays as their own, with no physical I/O counted.
   */
  static restore(variant: MirrorVariant, geometry: MirrorGeometry, parts: MirrorControllerParts, bitmaps: TrackBitmapConstructor = Bitmap): MirrorPairController {
    const controller = new MirrorPairController(variant, geometry, undefined, bitmaps);
    controller.state = parts.state;
    controller.primaryVolume = new Volume(geometry.trackCount, geometry.trackSize, parts.primary);
    controller.secondaryVolume = new Volume(geometry.trackCount, geometry.trackSize, parts.secondary);
    for (const track of parts.primaryBitmap) controller.pbm.set(track);
    for (const track of parts.secondaryBitmap) controller.sbm.set(track);
    for (const track of parts.copyPending) controller.pending.set(track);
    for (const track of parts.primaryFailed) controller.failed.set(track);
    for (const track of parts.verifyFound) controller.found.set(track);
    return controller;
  }

  /**
   * A controller in the same state that changes independently of this one. The two share volumes and bitmaps
   * until either changes them through `handle`, so a volume or bitmap read through a getter below must not be
   * changed directly once the controller has been cloned (test and benchmark setups change a bitmap only on a
   * controller that never was).
   */
  clone(): MirrorPairController {
    this.owned = 0;
    return new MirrorPairController(this.variant, this.geometry, this);
  }

  get primary(): Volume {
    return this.primaryVolume;
  }

  get secondary(): Volume {
    return this.secondaryVolume;
  }

  /** Dump update-track bitmap Pbm 230: primary tracks written since the last temporary release. */
  get primaryBitmap(): TrackBitmap {
    return this.pbm;
  }

  /** Dump update-track bitmap Sbm 240. */
  get secondaryBitmap(): TrackBitmap {
    return this.sbm;
  }

  /**
   * Tracks the mirroring means has still to copy (5060, 5550); in suspended-error, the tracks whose secondary
   * copy is not current; while restoring, the tracks still to copy back.
   */
  get copyPending(): TrackBitmap {
    return this.pending;
  }

  /** Tracks whose primary copy failed, served from the secondary until a resync rewrites them (suspended-error). */
  get primaryFailed(): TrackBitmap {
    return this.failed;
  }

  /** Tracks the running online verify has found to differ on the two volumes (mirror.verifying). */
  get verifyFound(): TrackBitmap {
    return this.found;
  }

  handle(event: MirrorEvent): MirrorOutcome {
    return this.process(event, null);
  }

  /**
   * A host write of binary data: the same path as `handle` with a `host.write` command, without the hex
   * encoding that JSON commands need. This is the path a port's I/O takes, and the one the benchmark times.
   */
  hostWrite(volume: number, offset: number, bytes: Uint8Array): MirrorOutcome {
    return this.process({ type: 'host.write', volume, offset, data: '' }, bytes);
  }

  /**
   * A dump read whose records keep the tracks' bytes (copies) instead of hex: the same path as `handle` with
   * a `dump.read` command, as `hostWrite` is for writes. The outcome's result holds no records; they are
   * returned beside it. A host moving whole tracks to tape takes this path (src/mirror-pair/workload.ts).
   */
  dumpRead(tracks: readonly number[]): { readonly outcome: MirrorOutcome; readonly records: readonly BinaryDumpRecord[] } {
    const records: BinaryDumpRecord[] = [];
    const outcome = this.process({ type: 'dump.read', pair: PAIR_ID, tracks }, null, records);
    return { outcome, records };
  }

  /**
   * `bytes` is a host write's data when it came in binary; null when it is the command's hex. `records`, when
   * given, receives a dump read's tracks in binary (`dumpRead`).
   */
  private process(event: MirrorEvent, bytes: Uint8Array | null, records: BinaryDumpRecord[] | null = null): MirrorOutcome {
    const transition = this.admit(event, bytes);
    if ('reason' in transition) {
      if (this.variant.defect === 'partial-write-on-range-error') this.writeWhatFits(event, bytes, transition);
      return { accepted: false, rejection: transition };
    }
    const writesBefore = this.primary.physicalWriteCount + this.secondary.physicalWriteCount;
    const readsBefore = this.primary.physicalReadCount + this.secondary.physicalReadCount;
    let result = this.take(transition, event, bytes, records);
    const transitions = [transition];
    const raised = this.copyPending.count > 0 ? null : COMPLETES[this.state];
    if (raised !== undefined && raised !== null) {
      const complete = this.table.step(this.state, raised);
      assert(complete !== null, () => `${this.state} must accept ${raised}`);
      const report = this.take(complete, event, bytes, null);
      if (report !== NO_RESULT) result = report;
      transitions.push(complete);
    }
    return {
      accepted: true,
      transitions,
      result,
      physicalWrites: this.primary.physicalWriteCount + this.secondary.physicalWriteCount - writesBefore,
      physicalReads: this.primary.physicalReadCount + this.secondary.physicalReadCount - readsBefore,
    };
  }

  /** Arguments first, then the state (src/rejection.ts order); the transition to take when both pass. */
  private admit(event: MirrorEvent, bytes: Uint8Array | null): ControlStep | Rejection {
    const stateFirst = this.variant.defect === 'state-checked-before-range';
    if (!stateFirst) {
      const invalid = validateArguments(event, this.geometry, bytes);
      if (invalid !== null) return invalid;
    }
    const transition = INTERNAL_EVENTS.includes(event.type) ? null : this.table.step(this.state, event.type);
    const refusal = transition === null ? this.stateRefusal(event) : this.volumeRefusal(event);
    if (refusal !== null) return refusal;
    assert(transition !== null, 'a command the machine refuses has a refusal');
    if (stateFirst) return validateArguments(event, this.geometry, bytes) ?? transition;
    return transition;
  }

  /** Why the state refuses a command: busy for a host write during a restore (RCPY), else wrong-state. */
  private stateRefusal(event: MirrorEvent): Rejection {
    if (this.state === 'restoring' && event.type === 'host.write') return reject('busy', 'the primary is being restored: host writes wait until it is done');
    return reject('wrong-state', `${event.type} is not allowed in ${this.state}`);
  }

  /**
   * The one state check the machine cannot make, as no guard reads an event's payload (src/control.ts): during
   * the copy the primary holds the only current copy of the tracks still to copy, so an error there is not
   * injected (machines/mirror-pair.ts).
   */
  private volumeRefusal(event: MirrorEvent): Rejection | null {
    if (event.type !== 'track.fail' || event.volume !== PRIMARY_VOLUME || this.state !== 'mirror.syncing') return null;
    return reject('wrong-state', 'track.fail on the primary is not allowed in mirror.syncing: it holds the only current copy');
  }

  /** BROKEN partial-write-on-range-error: stores what fits of an over-long write before refusing it. */
  private writeWhatFits(event: MirrorEvent, bytes: Uint8Array | null, rejection: Rejection): void {
    if (event.type !== 'host.write' || rejection.reason !== 'length-out-of-range') return;
    const fits = this.primary.byteLength - event.offset;
    if (fits > 0) this.usable(PRIMARY_VOLUME_PART).write(event.offset, (bytes ?? fromHex(event.data)).subarray(0, fits));
  }

  private take(transition: ControlStep, event: MirrorEvent, bytes: Uint8Array | null, records: BinaryDumpRecord[] | null): MirrorResult {
    this.state = transition.target as MirrorStateKey;
    let result = NO_RESULT;
    for (const operation of transition.operations) {
      const answer = this.run(operation, event, bytes, records);
      if (answer !== NO_RESULT) result = answer;
    }
    return result;
  }

  private run(operation: Operation, event: MirrorEvent, bytes: Uint8Array | null, records: BinaryDumpRecord[] | null): MirrorResult {
    switch (operation.type) {
      case 'writeHost':
        assert(event.type === 'host.write', 'writeHost runs on host.write');
        this.write(operation.params?.['route'] as WriteRoute, event, bytes ?? fromHex(event.data));
        return NO_RESULT;
      case 'readHost':
        assert(event.type === 'host.read', 'readHost runs on host.read');
        return this.read(operation.params?.['source'] as ReadSource, event);
      case 'clearPrimaryBitmap':
        // (4040, 4550) Pbm := ∅. BROKEN suspend-keeps-primary-bitmap skips it.
        if (this.variant.defect !== 'suspend-keeps-primary-bitmap') this.clearBitmap(PRIMARY_BITMAP);
        return NO_RESULT;
      case 'clearSecondaryBitmap':
        this.clearBitmap(SECONDARY_BITMAP); // (5030)
        return NO_RESULT;
      case 'matchSecondaryBitmapToPrimary':
        this.matchSecondaryBitmap();
        return NO_RESULT;
      case 'startFullCopy':
        this.setTracks(COPY_PENDING, 0, this.geometry.trackCount); // (5060, 5550)
        return NO_RESULT;
      case 'startDifferentialCopy':
        this.startDifferentialCopy();
        return NO_RESULT;
      case 'copyNextTrack':
        this.copyNextTrack();
        return NO_RESULT;
      case 'stopCopy':
        this.clearBitmap(COPY_PENDING);
        return NO_RESULT;
      case 'reportSecondaryBitmap':
        return { kind: 'update-info', bitmap: this.secondaryBitmap.toString() }; // (6020)
      case 'readSecondaryTracks':
        assert(event.type === 'dump.read', 'readSecondaryTracks runs on dump.read');
        return this.dump(event.tracks, records); // (7020)
      case 'reloadControlMemory':
        this.reload(this.image());
        return NO_RESULT;
      case 'loseControlMemory':
        this.clearBitmap(PRIMARY_BITMAP);
        this.clearBitmap(SECONDARY_BITMAP);
        this.clearBitmap(COPY_PENDING);
        this.clearBitmap(PRIMARY_FAILED);
        this.clearBitmap(VERIFY_FOUND);
        return NO_RESULT;
      default:
        return this.runExtension(operation, event);
    }
  }

  /** The operations of the extensions beyond the seed (issue 15): suspension by error, reverse resync, online verify. */
  private runExtension(operation: Operation, event: MirrorEvent): MirrorResult {
    switch (operation.type) {
      case 'failTrack':
        assert(event.type === 'track.fail', 'failTrack runs on track.fail');
        this.failTrack(event.volume, event.track);
        return NO_RESULT;
      case 'repairFailedPrimaryTracks':
        this.repairFailedPrimaryTracks();
        return NO_RESULT;
      case 'startRestore':
        this.startRestore();
        return NO_RESULT;
      case 'restoreNextTrack':
        this.restoreNextTrack();
        return NO_RESULT;
      case 'startVerify':
        this.startVerify();
        return NO_RESULT;
      case 'verifyNextTrack':
        this.verifyNextTrack();
        return NO_RESULT;
      case 'reportVerify': {
        const bitmap = this.found.toString();
        this.clearBitmap(VERIFY_FOUND);
        return { kind: 'verify', bitmap };
      }
      case 'stopVerify':
        this.clearBitmap(COPY_PENDING);
        this.clearBitmap(VERIFY_FOUND);
        return NO_RESULT;
      case 'corruptSecondaryTrack':
        assert(event.type === 'track.corrupt', 'corruptSecondaryTrack runs on track.corrupt');
        this.usable(SECONDARY_VOLUME_PART).writeTrack(event.track, new Uint8Array(this.geometry.trackSize).fill(CORRUPT_BYTE));
        return NO_RESULT;
      default:
        throw new Error(`mirror-pair machine names an unknown operation ${operation.type}`);
    }
  }

  /** Routes a host write by pair state (Fig.6 3030-3060) and records it (3070; Fig.14 3570/3580). */
  private write(route: WriteRoute, event: Extract<MirrorEvent, { type: 'host.write' }>, data: Uint8Array): void {
    const [first, touchedEnd] = this.primary.tracksOf(event.offset, data.length);
    // BROKEN write-span-rounds-down: the last track of the range rounded down, so a write that ends inside a
    // track does not record that track. Whole aligned writes never show it; a write spanning two tracks does.
    const end = this.variant.defect === 'write-span-rounds-down' ? Math.floor((event.offset + data.length) / this.geometry.trackSize) : touchedEnd;
    if (route === 'serving-side') {
      this.writeServingSide(event.offset, data, first, touchedEnd);
      this.setTracks(PRIMARY_BITMAP, first, end);
      return;
    }
    const toPrimary = route !== 'addressed-volume' || event.volume === PRIMARY_VOLUME;
    const toSecondary = route === 'both-volumes' || (route === 'addressed-volume' && event.volume !== PRIMARY_VOLUME)
      || (route === 'primary-only' && this.variant.defect === 'suspended-write-reaches-secondary');
    if (toPrimary && route === 'primary-only' && this.variant.defect === 'copy-on-write') {
      for (let track = first; track < end; track += 1) this.usable(PRIMARY_VOLUME_PART).readTrack(track);
    }
    if (toPrimary) {
      this.usable(PRIMARY_VOLUME_PART).write(event.offset, data);
      this.setTracks(PRIMARY_BITMAP, first, end);
    }
    if (toSecondary) {
      if (!this.writeLost(route, end)) this.usable(SECONDARY_VOLUME_PART).write(event.offset, data);
      if (this.variant.control.writeRecording === 'each-volume') this.setTracks(SECONDARY_BITMAP, first, end);
    }
  }

  /**
   * BROKEN duplex-write-lost-on-secondary: a duplexed write of a synced pair that touches the last track is
   * acknowledged but never stored on the secondary, a lost write that only an online verify can see.
   */
  private writeLost(route: WriteRoute, end: number): boolean {
    return this.variant.defect === 'duplex-write-lost-on-secondary' && route === 'both-volumes' && this.state === 'mirror.synced'
      && end === this.geometry.trackCount;
  }

  /**
   * A host write in suspended-error, track by track: a track whose primary copy failed is written on the
   * secondary, which serves it; any other on the primary, and then its secondary copy is no longer current, so
   * the track joins the list a resync copies. BROKEN error-write-not-recorded forgets that last step.
   */
  private writeServingSide(offset: number, data: Uint8Array, first: number, end: number): void {
    const size = this.geometry.trackSize;
    for (let track = first; track < end; track += 1) {
      const from = Math.max(offset, track * size);
      const to = Math.min(offset + data.length, (track + 1) * size);
      const failed = this.failed.test(track);
      this.usable(failed ? SECONDARY_VOLUME_PART : PRIMARY_VOLUME_PART).write(from, data.subarray(from - offset, to - offset));
      if (!failed && this.variant.defect !== 'error-write-not-recorded') this.setTracks(COPY_PENDING, track, track + 1);
    }
  }

  /**
   * A host read served track by track, from the secondary for the tracks `fromSecondary` names and from the
   * primary for the others: in suspended-error and while restoring.
   */
  private readPerTrack(offset: number, length: number, fromSecondary: (track: number) => boolean): MirrorResult {
    const size = this.geometry.trackSize;
    const [first, end] = this.primary.tracksOf(offset, length);
    let data = '';
    for (let track = first; track < end; track += 1) {
      const from = Math.max(offset, track * size);
      const to = Math.min(offset + length, (track + 1) * size);
      data += toHex(this.usable(fromSecondary(track) ? SECONDARY_VOLUME_PART : PRIMARY_VOLUME_PART).read(from, to - from));
    }
    return { kind: 'read', data };
  }

  private read(source: ReadSource, event: Extract<MirrorEvent, { type: 'host.read' }>): MirrorResult {
    // Suspended by error, from the side whose copy is current (BROKEN error-read-from-failed-primary reads the
    // primary whatever failed); while restoring, a track still to copy back from the secondary, which holds the
    // split image, and any other from the primary, which holds it already.
    if (source === 'serving-side') {
      const broken = this.variant.defect === 'error-read-from-failed-primary';
      return this.readPerTrack(event.offset, event.length, (track) => this.failed.test(track) && !broken);
    }
    if (source === 'restore-side') return this.readPerTrack(event.offset, event.length, (track) => this.pending.test(track));
    const fromSecondary = source === 'addressed-volume'
      ? event.volume !== PRIMARY_VOLUME
      : this.variant.defect === 'read-from-secondary' && this.state !== 'suspended';
    const volume = this.usable(fromSecondary ? SECONDARY_VOLUME_PART : PRIMARY_VOLUME_PART);
    return { kind: 'read', data: toHex(volume.read(event.offset, event.length)) };
  }

  /** Sbm := Pbm (5070 in embodiment 1, 4540 in embodiment 2), unless a broken variant forgets it. */
  private matchSecondaryBitmap(): void {
    const skip = (this.variant.defect === 'mirror-complete-skips-bitmap-match' && this.state === 'mirror.synced')
      || (this.variant.defect === 'release-skips-bitmap-match' && this.state === 'suspended');
    if (!skip) this.copyBitmap(SECONDARY_BITMAP, this.pbm);
  }

  /**
   * Copies only the tracks written since the release (spec/000 §8.8): the secondary is the image at the
   * release and the primary differs from it only in Pbm's tracks.
   */
  private startDifferentialCopy(): void {
    this.copyBitmap(COPY_PENDING, this.pbm);
    if (this.variant.defect === 'resync-skips-track') {
      let last = -1;
      for (const track of this.pending) last = track;
      if (last !== -1) this.writable(COPY_PENDING).clear(last);
    }
  }

  /**
   * One track of the mirroring means' copy (spec/000 §8.9): take the track off the list, then copy the
   * primary's current data, so a duplexed write never loses to older data.
   */
  private copyNextTrack(): void {
    const track = this.pending.nextSet(0);
    assert(track !== -1, 'copy.step in mirror.syncing with nothing to copy');
    this.writable(COPY_PENDING).clear(track);
    const primary = this.usable(PRIMARY_VOLUME_PART);
    const secondary = this.usable(SECONDARY_VOLUME_PART);
    if (this.variant.defect === 'resync-copies-backwards') primary.copyTrackFrom(secondary, track);
    else secondary.copyTrackFrom(primary, track);
  }

  /**
   * A media or copy error on a track (issue 15): its bytes on that volume are lost (they read FAILED_BYTE),
   * and the loss is recorded: a secondary track joins the list a resync copies, a primary track the record of
   * tracks the secondary serves.
   */
  private failTrack(volume: number, track: number): void {
    const primary = volume === PRIMARY_VOLUME;
    this.usable(primary ? PRIMARY_VOLUME_PART : SECONDARY_VOLUME_PART).writeTrack(track, new Uint8Array(this.geometry.trackSize).fill(FAILED_BYTE));
    this.setTracks(primary ? PRIMARY_FAILED : COPY_PENDING, track, track + 1);
  }

  /** The first step of a resync from suspended-error: every failed primary track rewritten from the secondary. */
  private repairFailedPrimaryTracks(): void {
    if (this.failed.count === 0) return;
    const primary = this.usable(PRIMARY_VOLUME_PART);
    const secondary = this.usable(SECONDARY_VOLUME_PART);
    for (let track = this.failed.nextSet(0); track !== -1; track = this.failed.nextSet(track + 1)) primary.copyTrackFrom(secondary, track);
    this.clearBitmap(PRIMARY_FAILED);
  }

  /**
   * The start of a reverse resync: the tracks to copy back are Pbm OR Sbm (the union the vendors copy), and
   * Pbm is cleared, as the primary returns to the release image. BROKEN restore-skips-primary-bitmap copies
   * Sbm's tracks only, so a track written since the release keeps its new data.
   */
  private startRestore(): void {
    this.copyBitmap(COPY_PENDING, this.sbm);
    if (this.variant.defect !== 'restore-skips-primary-bitmap') this.writable(COPY_PENDING).merge(this.pbm);
    this.clearBitmap(PRIMARY_BITMAP);
  }

  /** One track of a reverse resync: off the list, then copied secondary to primary. */
  private restoreNextTrack(): void {
    const track = this.pending.nextSet(0);
    assert(track !== -1, 'copy.step in restoring with nothing to copy');
    this.writable(COPY_PENDING).clear(track);
    this.usable(PRIMARY_VOLUME_PART).copyTrackFrom(this.usable(SECONDARY_VOLUME_PART), track);
  }

  /**
   * The start of an online verify: every track is to compare. BROKEN verify-skips-last-track leaves the last
   * track off the list, so a difference there is never reported.
   */
  private startVerify(): void {
    const end = this.variant.defect === 'verify-skips-last-track' ? this.geometry.trackCount - 1 : this.geometry.trackCount;
    this.setTracks(COPY_PENDING, 0, Math.max(end, 1));
  }

  /** One track of an online verify: off the list, then both copies read and compared; a difference is recorded. */
  private verifyNextTrack(): void {
    const track = this.pending.nextSet(0);
    assert(track !== -1, 'verify.step in mirror.verifying with nothing to compare');
    this.writable(COPY_PENDING).clear(track);
    const primary = this.usable(PRIMARY_VOLUME_PART).readTrack(track);
    const secondary = this.usable(SECONDARY_VOLUME_PART).readTrack(track);
    let same = true;
    for (let i = 0; i < primary.length && same; i += 1) same = primary[i] === secondary[i];
    if (!same) this.setTracks(VERIFY_FOUND, track, track + 1);
  }

  /** Control memory 220 as it would be written to non-volatile storage. */
  image(): ControlMemoryImage {
    return {
      state: this.state,
      primaryBitmap: this.primaryBitmap.toString(),
      secondaryBitmap: this.secondaryBitmap.toString(),
      copyPending: this.copyPending.toString(),
      primaryFailed: this.primaryFailed.toString(),
      verifyFound: this.verifyFound.toString(),
    };
  }

  /** Whether control memory (state, bitmaps, copy list, failed tracks) is the same as another controller's. */
  sameControlMemory(other: MirrorPairController): boolean {
    return this.state === other.state && this.primaryBitmap.equals(other.primaryBitmap)
      && this.secondaryBitmap.equals(other.secondaryBitmap) && this.copyPending.equals(other.copyPending)
      && this.primaryFailed.equals(other.primaryFailed) && this.verifyFound.equals(other.verifyFound);
  }

  /** Restarts from a control-memory image: what a power cycle does with claim 10's non-volatile memory. */
  private reload(image: ControlMemoryImage): void {
    this.state = image.state;
    this.copyBitmap(PRIMARY_BITMAP, this.bitmaps.parse(image.primaryBitmap));
    this.copyBitmap(SECONDARY_BITMAP, this.bitmaps.parse(image.secondaryBitmap));
    this.copyBitmap(COPY_PENDING, this.bitmaps.parse(image.copyPending));
    this.copyBitmap(PRIMARY_FAILED, this.bitmaps.parse(image.primaryFailed));
    this.copyBitmap(VERIFY_FOUND, this.bitmaps.parse(image.verifyFound));
  }

  /** A dump read's records: each track asked, read from the frozen secondary; into `binary` when given. */
  private dump(tracks: readonly number[], binary: BinaryDumpRecord[] | null): MirrorResult {
    const secondary = this.usable(SECONDARY_VOLUME_PART);
    if (binary !== null) {
      for (const track of tracks) binary.push({ track, bytes: secondary.readTrack(track) });
      return { kind: 'dump', records: [] };
    }
    return { kind: 'dump', records: tracks.map((track) => ({ track, data: toHex(secondary.readTrack(track)) })) };
  }

  /**
   * The volume in `part`, first replaced by a clone of it if another controller may share it: reading or
   * writing counts physical I/O on the Volume, and a write changes its bytes.
   */
  private usable(part: VolumePart): Volume {
    if ((this.owned & part) === 0) {
      this.owned |= part;
      if (part === PRIMARY_VOLUME_PART) this.primaryVolume = this.primaryVolume.clone();
      else this.secondaryVolume = this.secondaryVolume.clone();
    }
    return part === PRIMARY_VOLUME_PART ? this.primaryVolume : this.secondaryVolume;
  }

  private bitmap(slot: BitmapSlot): TrackBitmap {
    switch (slot) {
      case PRIMARY_BITMAP:
        return this.pbm;
      case SECONDARY_BITMAP:
        return this.sbm;
      case COPY_PENDING:
        return this.pending;
      case PRIMARY_FAILED:
        return this.failed;
      default:
        return this.found;
    }
  }

  /** Puts `bitmap` in `slot` as one that no clone shares. */
  private own(slot: BitmapSlot, bitmap: TrackBitmap): TrackBitmap {
    this.owned |= slot;
    if (slot === PRIMARY_BITMAP) this.pbm = bitmap;
    else if (slot === SECONDARY_BITMAP) this.sbm = bitmap;
    else if (slot === COPY_PENDING) this.pending = bitmap;
    else if (slot === PRIMARY_FAILED) this.failed = bitmap;
    else this.found = bitmap;
    return bitmap;
  }

  /** The bitmap in `slot`, first copied if a clone may share it, so that changing it changes only this controller. */
  private writable(slot: BitmapSlot): TrackBitmap {
    return (this.owned & slot) !== 0 ? this.bitmap(slot) : this.own(slot, this.bitmap(slot).clone());
  }

  /** Sets tracks [first, end) in a bitmap. A shared one that has them all set already is left as it is. */
  private setTracks(slot: BitmapSlot, first: number, end: number): void {
    if ((this.owned & slot) === 0) {
      const clear = this.bitmap(slot).nextClear(first);
      if (clear === -1 || clear >= end) return;
    }
    this.writable(slot).setRange(first, end);
  }

  /**
   * Clears a bitmap with its own `clearAll`, the path a long-lived controller takes. A shared one already
   * empty is left as it is; otherwise it is copied first. Replacing a shared bitmap by a new empty one would
   * be cheaper, but it would hide a broken `clearAll` from every check (issue 8).
   */
  private clearBitmap(slot: BitmapSlot): void {
    if ((this.owned & slot) === 0 && this.bitmap(slot).count === 0) return;
    this.writable(slot).clearAll();
  }

  /** Makes a bitmap equal to `source` with its own `copyFrom`; a shared one already equal is left as it is. */
  private copyBitmap(slot: BitmapSlot, source: TrackBitmap): void {
    if ((this.owned & slot) === 0 && this.bitmap(slot).equals(source)) return;
    this.writable(slot).copyFrom(source);
  }
}
