/**
 * A point-in-time copy of some tracks of one volume into another, made by a background copy and by
 * copy-before-write: the mechanism of seed 002's split of an extent (a host write to a track not yet copied
 * first copies the old track, 【0030】-【0034】) and of seed 004's point-in-time backup variant. Shared here so
 * that no lifecycle writes it again (issue 11).
 *
 * Copies are address-identical (spec/002 G3): track t of the source goes to track t of the target. `pending`
 * holds the tracks of the image that are still only in the source. The image of track t is the target's
 * track once t is no longer pending, and the source's track while it is: the source has not been written
 * there since the instant, because a write first copies the old track (`beforeWrite`).
 *
 * The object is the job's bookkeeping only; volumes are passed in, so a controller decides which of its
 * volumes (or clones of them) a step uses. It is plain data apart from its bitmap, which serializes as the
 * documented `0`/`1` string.
 *
 * Two ways to drive the background copy: `step` takes the lowest pending track, and `copyTrack` copies the
 * one track a caller's cursor names, for a copy that scans its range in order one track per step, as seed
 * 002's copy processes do (800-806, 1000-1006). A copy made `over` a caller's bitmap keeps its pending
 * tracks in that bitmap itself, for a controller whose difference bitmap is the image's pending set (seed
 * 002's CB during a split, SB over an extent during an Extent Update).
 */
import { assert } from './assert.js';
import { Bitmap } from './bitmap.js';
import type { Volume } from './volume.js';

export class PointInTimeCopy {
  /** Tracks whose image is still only in the source, lowest first. */
  readonly pending: Bitmap;

  private constructor(pending: Bitmap) {
    this.pending = pending;
  }

  /** The instant of the image: every track of `tracks` (a bitmap over the volume's tracks) is pending. */
  static at(tracks: Bitmap): PointInTimeCopy {
    return new PointInTimeCopy(tracks.clone());
  }

  /**
   * The instant of the image, with `pending` itself as its pending tracks (not a copy): every change the copy
   * makes is made in that bitmap, and a caller may set a track of it again (a write in a forming phase).
   */
  static over(pending: Bitmap): PointInTimeCopy {
    return new PointInTimeCopy(pending);
  }

  /** Whole-volume image. */
  static ofVolume(trackCount: number): PointInTimeCopy {
    const tracks = new Bitmap(trackCount);
    tracks.setRange(0, trackCount);
    return new PointInTimeCopy(tracks);
  }

  get done(): boolean {
    return this.pending.count === 0;
  }

  /** An independent copy of the bookkeeping (for a controller's copy-on-write clone). */
  clone(): PointInTimeCopy {
    return new PointInTimeCopy(this.pending.clone());
  }

  /**
   * Copy-before-write: before a host write to tracks [first, end) of the source, copy each of them that is
   * still pending to the target. Returns the tracks copied, ascending.
   */
  beforeWrite(source: Volume, target: Volume, first: number, end: number): number[] {
    const copied: number[] = [];
    for (let track = this.pending.nextSet(first); track !== -1 && track < end; track = this.pending.nextSet(track + 1)) {
      target.copyTrackFrom(source, track);
      copied.push(track);
    }
    for (const track of copied) this.pending.clear(track);
    return copied;
  }

  /** One step of the background copy: the lowest pending track, copied; -1 when there is none. */
  step(source: Volume, target: Volume): number {
    const track = this.pending.nextSet(0);
    if (track === -1) return -1;
    target.copyTrackFrom(source, track);
    this.pending.clear(track);
    return track;
  }

  /**
   * One step of a background copy that scans in order: copies `track` to the target if it is pending and
   * marks it done. Returns whether it copied (a track already done costs the step and no I/O).
   */
  copyTrack(source: Volume, target: Volume, track: number): boolean {
    assert(track >= 0 && track < source.trackCount, () => `track ${track} is not in the volume`);
    if (!this.pending.test(track)) return false;
    target.copyTrackFrom(source, track);
    this.pending.clear(track);
    return true;
  }

  /**
   * The image's bytes of one track, read counted (the data path of a reader of the image, such as seed 004's
   * staging read of a point-in-time backup): the source's while pending, else the target's. With `into`, a
   * buffer of one track the caller owns, the bytes are read into it (`Volume.readTrackInto`).
   */
  readImageTrack(source: Volume, target: Volume, track: number, into?: Uint8Array): Uint8Array {
    assert(track >= 0 && track < source.trackCount, () => `track ${track} is not in the volume`);
    const volume = this.pending.test(track) ? source : target;
    return into === undefined ? volume.readTrack(track) : volume.readTrackInto(track, into);
  }

  /** The image's bytes of one track, read uncounted (for checks): the source's while pending, else the target's. */
  imageTrack(source: Volume, target: Volume, track: number): Uint8Array {
    assert(track >= 0 && track < source.trackCount, () => `track ${track} is not in the volume`);
    const from = this.pending.test(track) ? source : target;
    return from.contents().subarray(track * from.trackSize, (track + 1) * from.trackSize);
  }

  toJSON(): string {
    return this.pending.toString();
  }
}
