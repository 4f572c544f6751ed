/**
 * The reference bitmap: one bit per track. It is the dump update-track information of seed 000 (Fig.2,
 * 【0011】: Pbm 230 and Sbm 240) and the copy list of its mirroring means, and the difference bitmaps of
 * seeds 001 and 003.
 *
 * This file is the meaning of a bitmap, to be read in one sitting and ported line by line. Bit i is bit
 * (i mod 32) of word floor(i / 32) of one flat array of 32-bit words. The bits of the last word at and past
 * `bitCount` are always 0, so a loop over whole words (count, merge, equals) needs no mask. Each operation
 * is one plain loop over bits or words; nothing is cached, and `count` counts the words on every call. The
 * controllers and the verifier use this bitmap; the verifier's maps have at most 8 words.
 *
 * src/fast-bitmap/bitmap.ts is the same bitmap for volumes of 2^28 tracks: summary levels, a word pool and a
 * WebAssembly kernel, and the measurements behind each. Both implement `TrackBitmap` (src/track-bitmap.ts),
 * and test/bitmap-differential.test.ts runs random operation sequences on the two side by side.
 *
 * Serialized form (conformance vectors, traces): a string of '0' and '1', track 0 first (docs/vectors.md).
 */
import { assert } from './assert.js';
import type { TrackBitmap } from './track-bitmap.js';

const WORD_BITS = 32;
/** Largest map: `bit >>> 5` and `1 << (bit & 31)` find a bit's word and mask only below 2^32. */
export const MAX_BIT_COUNT = 2 ** 32;

/** Set bits in a 32-bit word: counted in pairs of bits, then nibbles, then summed by bytes. */
function popcount32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** The position (0-31) of the lowest set bit of a nonzero word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

export class Bitmap implements TrackBitmap {
  // The fields are `declare`d and set only in the constructor, as in src/volume.ts: the exhaustive checker
  // makes bitmaps for many of the steps it tries, and V8 then gives every one the same fixed shape.
  declare readonly bitCount: number;
  /** Bit i is bit (i & 31) of words[i >>> 5]. */
  private declare readonly words: Uint32Array;

  constructor(bitCount: number) {
    assert(Number.isSafeInteger(bitCount) && bitCount >= 0 && bitCount <= MAX_BIT_COUNT,
      () => `bitCount must be a whole number in 0..2^32, got ${bitCount}`);
    this.bitCount = bitCount;
    this.words = new Uint32Array(Math.ceil(bitCount / WORD_BITS));
  }

  /** A bitmap with exactly the given bits set. */
  static of(bitCount: number, bits: Iterable<number>): Bitmap {
    const bitmap = new Bitmap(bitCount);
    for (const bit of bits) bitmap.set(bit);
    return bitmap;
  }

  /** Parses the serialized form: '0' and '1', bit 0 first. */
  static parse(text: string): Bitmap {
    const bitmap = new Bitmap(text.length);
    for (let bit = 0; bit < text.length; bit += 1) {
      assert(text[bit] === '0' || text[bit] === '1', 'a serialized bitmap holds only 0 and 1');
      if (text[bit] === '1') bitmap.set(bit);
    }
    return bitmap;
  }

  /** The number of set bits, counted word by word. */
  get count(): number {
    let total = 0;
    for (let index = 0; index < this.words.length; index += 1) total += popcount32(this.words[index]!);
    return total;
  }

  test(bit: number): boolean {
    assert(Number.isInteger(bit) && bit >= 0 && bit < this.bitCount, () => `bit ${bit} outside 0..${this.bitCount - 1}`);
    return (this.words[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  /** Sets one bit; returns whether it changed. */
  set(bit: number): boolean {
    const changed = !this.test(bit);
    this.words[bit >>> 5] = this.words[bit >>> 5]! | (1 << (bit & 31));
    return changed;
  }

  /** Clears one bit; returns whether it changed. */
  clear(bit: number): boolean {
    const changed = this.test(bit);
    this.words[bit >>> 5] = this.words[bit >>> 5]! & ~(1 << (bit & 31));
    return changed;
  }

  /** Sets every bit in [start, end); returns how many were newly set. */
  setRange(start: number, end: number): number {
    assert(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= this.bitCount,
      () => `range [${start}, ${end}) outside 0..${this.bitCount}`);
    let added = 0;
    for (let bit = start; bit < end; bit += 1) if (this.set(bit)) added += 1;
    return added;
  }

  clearAll(): void {
    this.words.fill(0);
  }

  /** The first set bit at or after `from` (before 0 counts as 0), or -1: the first word with a set bit there. */
  nextSet(from: number): number {
    const start = Math.max(0, from);
    if (start >= this.bitCount) return -1;
    let index = start >>> 5;
    let word = this.words[index]! & (-1 << (start & 31)); // the first word without its bits below `start`
    while (word === 0) {
      index += 1;
      if (index >= this.words.length) return -1;
      word = this.words[index]!;
    }
    return index * WORD_BITS + lowestBit(word);
  }

  /** The first clear bit at or after `from` (before 0 counts as 0), or -1: `nextSet` of the inverted words. */
  nextClear(from: number): number {
    const start = Math.max(0, from);
    if (start >= this.bitCount) return -1;
    let index = start >>> 5;
    let word = ~this.words[index]! & (-1 << (start & 31));
    while (word === 0) {
      index += 1;
      if (index >= this.words.length) return -1;
      word = ~this.words[index]!;
    }
    const bit = index * WORD_BITS + lowestBit(word);
    return bit < this.bitCount ? bit : -1; // the last word's clear bits past the end are not in the map
  }

  /** ORs `other` (same size) into this bitmap. */
  merge(other: Bitmap): void {
    this.assertSameKind(other, 'merge');
    for (let index = 0; index < this.words.length; index += 1) this.words[index] = this.words[index]! | other.words[index]!;
  }

  /** Makes this bitmap equal to `other` (same size). */
  copyFrom(other: Bitmap): void {
    this.assertSameKind(other, 'copyFrom');
    this.words.set(other.words);
  }

  clone(): Bitmap {
    const copy = new Bitmap(this.bitCount);
    copy.words.set(this.words);
    return copy;
  }

  equals(other: Bitmap): boolean {
    assert(other instanceof Bitmap, 'equals compares two reference bitmaps');
    if (other.bitCount !== this.bitCount) return false;
    for (let index = 0; index < this.words.length; index += 1) if (this.words[index] !== other.words[index]) return false;
    return true;
  }

  *[Symbol.iterator](): Iterator<number> {
    for (let bit = this.nextSet(0); bit !== -1; bit = this.nextSet(bit + 1)) yield bit;
  }

  toArray(): number[] {
    const bits: number[] = [];
    for (let bit = this.nextSet(0); bit !== -1; bit = this.nextSet(bit + 1)) bits.push(bit);
    return bits;
  }

  /** The serialized form: '0' and '1', bit 0 first. */
  toString(): string {
    let text = '';
    for (let bit = 0; bit < this.bitCount; bit += 1) text += this.test(bit) ? '1' : '0';
    return text;
  }

  private assertSameKind(other: Bitmap, operation: string): void {
    assert(other instanceof Bitmap && other.bitCount === this.bitCount, () => `${operation} needs a reference bitmap of the same size`);
  }
}
