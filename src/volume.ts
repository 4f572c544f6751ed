/**
 * A logical volume: a fixed number of tracks of real bytes, held in memory (seed 000 【0038】: the invention
 * works on logical volumes whatever the physical mapping). Physical reads and writes are counted so that the
 * cost invariant of spec 000 §5.11 (a host write costs 1 physical write, or 2 when mirrored, and no read of
 * old data) can be checked.
 */
import { assert } from './assert.js';

export class Volume {
  // The fields are `declare`d and set only in the constructor, as in Bitmap: a plain declaration compiles
  // (ES2022) to a field defined as undefined first, and the checker makes a Volume for most steps it tries.
  declare readonly trackCount: number;
  declare readonly trackSize: number;
  /**
   * The content. A clone shares it until either side writes: the exhaustive checker clones a controller for
   * every command it tries, and most commands (reads, refusals, bitmap-only changes) never write a volume.
   */
  private declare bytes: Uint8Array;
  /** Whether `bytes` may be shared with a clone, so that the next write must copy them first. */
  private declare bytesShared: boolean;
  /** Physical track writes and reads since creation; not part of the volume's content. */
  declare physicalWriteCount: number;
  declare physicalReadCount: number;

  constructor(trackCount: number, trackSize: number, bytes?: Uint8Array) {
    // A volume of no tracks is allowed (seed 004 A15 backs up a zero-length volume); every read and write of
    // it is outside the volume.
    assert(Number.isSafeInteger(trackCount) && trackCount >= 0, () => `trackCount must be whole, got ${trackCount}`);
    assert(Number.isSafeInteger(trackSize) && trackSize > 0, () => `trackSize must be positive, got ${trackSize}`);
    this.trackCount = trackCount;
    this.trackSize = trackSize;
    this.bytes = bytes ?? new Uint8Array(trackCount * trackSize);
    this.bytesShared = false;
    this.physicalWriteCount = 0;
    this.physicalReadCount = 0;
    assert(this.bytes.length === trackCount * trackSize, 'volume bytes do not match its geometry');
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** The tracks overlapping [offset, offset + length), as [first, end). A partial track counts whole (spec 000 §8.12). */
  tracksOf(offset: number, length: number): [number, number] {
    return [Math.floor(offset / this.trackSize), Math.ceil((offset + length) / this.trackSize)];
  }

  /** Writes bytes at a byte offset: one physical write of every track touched. */
  write(offset: number, data: Uint8Array): void {
    assert(offset >= 0 && offset + data.length <= this.bytes.length && data.length > 0, 'write outside the volume');
    // Writing the bytes already there changes nothing, and leaves shared bytes shared.
    if (!this.bytesShared || !this.holds(offset, data)) this.ownedBytes().set(data, offset);
    const [first, end] = this.tracksOf(offset, data.length);
    this.physicalWriteCount += end - first;
  }

  /** The bytes, first copied if a clone may share them. */
  private ownedBytes(): Uint8Array {
    if (this.bytesShared) {
      this.bytes = this.bytes.slice();
      this.bytesShared = false;
    }
    return this.bytes;
  }

  /** Whether the bytes at `offset` are already `data`. */
  private holds(offset: number, data: Uint8Array): boolean {
    for (let i = 0; i < data.length; i += 1) if (this.bytes[offset + i] !== data[i]) return false;
    return true;
  }

  read(offset: number, length: number): Uint8Array {
    assert(offset >= 0 && length > 0 && offset + length <= this.bytes.length, 'read outside the volume');
    const [first, end] = this.tracksOf(offset, length);
    this.physicalReadCount += end - first;
    return this.bytes.slice(offset, offset + length);
  }

  readTrack(track: number): Uint8Array {
    return this.read(track * this.trackSize, this.trackSize);
  }

  /**
   * Reads one track into `into`, a buffer of one track the caller owns (one physical read, as `readTrack`),
   * and returns it: for a data path that stages track after track, where a fresh 64 KiB buffer a read cost
   * more than its copy, and most of the run's garbage (scheduled-backup's staging: 23 µs a read).
   */
  readTrackInto(track: number, into: Uint8Array): Uint8Array {
    assert(into.length === this.trackSize, 'a track read needs a buffer of exactly one track');
    into.set(this.readTrackView(track));
    return into;
  }

  /**
   * One track's bytes as a view, its physical read counted: for a caller that copies them at once
   * (`readTrackInto`, `copyTrackFrom`), never one that keeps them, since a later write changes them.
   */
  private readTrackView(track: number): Uint8Array {
    const offset = track * this.trackSize;
    assert(offset >= 0 && offset + this.trackSize <= this.bytes.length, 'read outside the volume'); // as `read`
    this.physicalReadCount += 1;
    return this.bytes.subarray(offset, offset + this.trackSize);
  }

  writeTrack(track: number, data: Uint8Array): void {
    assert(data.length === this.trackSize, 'a track write needs exactly one track of bytes');
    this.write(track * this.trackSize, data);
  }

  /**
  /**
   * Copies one track from another volume of the same geometry (one physical read, one write), straight from
   * the source's bytes: no buffer in between, as a resync copies every track and a workload thousands of
   * 64 KiB tracks, whose allocations made most of its garbage.
   */
  copyTrackFrom(source: Volume, track: number): void {
    const bytes = source.readTrackView(track);
    assert(source.trackSize === this.trackSize, 'a track write needs exactly one track of bytes'); // as `writeTrack`
    // A view of the source's bytes: if this volume's bytes are shared and copied first, the view still holds the source's.
    this.write(track * this.trackSize, bytes);
  }

  /**
   * The whole content, uncounted: for checks and abstraction functions, never for the data path. It may be
   * shared with clones, so it must never be changed through this reference.
   */
  contents(): Uint8Array {
    return this.bytes;
  }

  /** An independent copy; the bytes are copied only when one of the two is written (see `bytes`). */
  clone(): Volume {
    this.bytesShared = true;
    const copy = new Volume(this.trackCount, this.trackSize, this.bytes);
    copy.bytesShared = true;
    copy.physicalWriteCount = this.physicalWriteCount;
    copy.physicalReadCount = this.physicalReadCount;
    return copy;
  }
}
