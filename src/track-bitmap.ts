/**
 * The bitmap a controller programs against (issue 8): one bit per track, with the operations that both
 * implementations provide, with the same results:
 *   - the reference bitmap, src/bitmap.ts: a flat array of words, the meaning of a bitmap, used by the
 *     controllers and the verifier;
 *   - the fast hierarchical bitmap, src/fast-bitmap/bitmap.ts: summary levels, a word pool and a WebAssembly
 *     kernel, for volumes of 2^28 tracks (the benchmarks use it).
 * test/bitmap-differential.test.ts runs the two side by side on random operation sequences.
 *
 * Bits are numbered 0 to bitCount - 1. A bit outside that range, a bad range, and a bitmap of another size
 * where one of the same size is needed are asserts (src/assert.ts): bugs in the caller, never a user's error.
 * An operation on two bitmaps (`merge`, `copyFrom`, `equals`) reads the other's words directly, so the other
 * must be of the same implementation (an assert too); a controller makes all of its bitmaps with one
 * `TrackBitmapConstructor`.
 */
export interface TrackBitmap extends Iterable<number> {
  /** Bits in the map, fixed when it is made. */
  readonly bitCount: number;
  /** The number of set bits. */
  readonly count: number;
  /** Whether `bit` is set. */
  test(bit: number): boolean;
  /** Sets `bit`; returns whether it changed. */
  set(bit: number): boolean;
  /** Clears `bit`; returns whether it changed. */
  clear(bit: number): boolean;
  /** Sets every bit in [start, end), 0 <= start <= end <= bitCount; returns how many were newly set. */
  setRange(start: number, end: number): number;
  clearAll(): void;
  /** The first set bit at or after `from` (a start before 0 counts as 0), or -1 if there is none. */
  nextSet(from: number): number;
  /** The first clear bit at or after `from` (a start before 0 counts as 0), or -1 if there is none. */
  nextClear(from: number): number;
  /** ORs `other`, of the same size, into this bitmap. */
  merge(other: TrackBitmap): void;
  /** Makes this bitmap equal to `other`, of the same size (an image taken into this bitmap's memory). */
  copyFrom(other: TrackBitmap): void;
  /** A bitmap of the same implementation with the same bits, which changes independently of this one. */
  clone(): TrackBitmap;
  /** Whether `other` has the same size and the same bits set. */
  equals(other: TrackBitmap): boolean;
  /** The set bits, ascending (the iterator lists the same). */
  toArray(): number[];
  /** The serialized form of vectors and traces: '0' and '1', bit 0 first (docs/vectors.md). */
  toString(): string;
}

/** How a controller makes its bitmaps: the class of either implementation. */
export interface TrackBitmapConstructor {
  /** An empty bitmap of `bitCount` bits, 0 <= bitCount <= 2^32. */
  new (bitCount: number): TrackBitmap;
  /** A bitmap from its serialized form (`toString`); any character but '0' and '1' is an assert. */
  parse(text: string): TrackBitmap;
}
