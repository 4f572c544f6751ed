/**
 * One bit per track: the dump update-track information of seed 000 (Fig.2, 【0011】) and the difference
 * bitmaps of seeds 001 and 003.
 *
 * The public API is fixed; the internals follow issue 4 and anchors/bitmap_performance.md §6, and
 * test/bitmap.test.ts checks every operation against a plain set of numbers.
 *
 * Layout (QEMU HBitmap-like). Level 0 is a flat array of 32-bit words, bit i in bit (i & 31) of word
 * i >>> 5; words are 32-bit because JavaScript's bitwise operators are (§6.2), and stored as `Int32Array` so
 * that every read is already an int32 (§5.1). Above it are summary levels: bit j of level l + 1 is set exactly
 * when word j of level l is nonzero. Levels are added until the top has at most 8 words, so a map of up to
 * 256 bits (the controller's exhaustive-search maps) is a single flat word array with no summary at all.
 * The summaries make finding, iterating, merging, copying and clearing cost in proportion to the dirty words,
 * not to the volume.
 *
 * Counts. The number of set bits is exact after every change, so `count` and "is anything dirty?" are O(1).
 * Maps of more than one slice (2^25 bits) also keep an exact count per slice, as md keeps one per page; that
 * is what lets a copy be done one slice at a time and still keep the total exact between steps.
 *
 * Bounded work. A whole-map operation on a 2^28-bit map touches 32 MiB. `mergeInSlices`, `copyFromInSlices`
 * and `clearAllInSlices` split merge, image and reset into steps of one slice (2^20 words, 4 MiB), so that no
 * step blocks host I/O for more than a few milliseconds (§6.4). The unsliced forms run every slice at once.
 * Images are taken into a bitmap the caller keeps and reuses (`copyFrom`), never into a fresh 32 MiB array
 * (§5.7).
 *
 * Serialized form (conformance vectors, traces): a string of '0' and '1', track 0 first
 * (see docs/vectors.md). Nothing else about the in-memory layout is part of the contract.
 */
import { assert } from './assert.js';

const WORD_BITS = 32;
/** A level with more words than this gets a summary level above it. */
const TOP_LEVEL_MAX_WORDS = 8;
/** One slice is 2^20 words (4 MiB, 2^25 bits): a slice of the slowest whole-map work (dense merge) takes about 2 ms. */
const SLICE_WORD_SHIFT = 20;
const SLICE_WORDS = 2 ** SLICE_WORD_SHIFT;
const SLICE_BIT_SHIFT = SLICE_WORD_SHIFT + 5;
/** Bits in one slice of the sliced whole-map operations. */
export const SLICE_BITS = 2 ** SLICE_BIT_SHIFT;
/** Largest map: `bit >>> 5` and `1 << (bit & 31)` index correctly only below 2^32 (anchors §1). */
export const MAX_BIT_COUNT = 2 ** 32;
/**
 * A slice is copied or cleared through the summary when it holds fewer set bits than 1/64 of its words:
 * a random word access costs roughly 64 times a word of a sequential `TypedArray.set` (anchors §4, §6.1).
 */
const SPARSE_RATIO = 64;
/** A 32-word block of a merge source is ORed in with a straight loop once more than this many of its words are nonzero. */
const DENSE_BLOCK_WORDS = 20;
/** Maps up to this size serialize through a table of 8-bit strings; larger ones through a byte buffer. */
const SMALL_TEXT_BITS = 1024;

function popcount32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Index of the lowest set bit of a nonzero 32-bit word. */
function lowestBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** The bits [low, high) of a word, 0 <= low < high <= 32. */
function rangeMask(low: number, high: number): number {
  return (high === WORD_BITS ? -1 : (1 << high) - 1) & (-1 << low);
}

/** '0'/'1' text of every byte value, bit 0 first. */
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, value) => {
  let text = '';
  for (let bit = 0; bit < 8; bit += 1) text += (value >>> bit) & 1 ? '1' : '0';
  return text;
});

/**
 * Builds the index-range message only when the check fails: a template string in the hot path of `set`
 * would be built on every call.
 */
function indexOutOfRange(bit: number, bitCount: number): never {
  assert(false, `bit ${bit} outside 0..${bitCount - 1}`);
}

function buildLevels(words: Int32Array): Int32Array[] {
  const levels = [words];
  let top = words;
  while (top.length > TOP_LEVEL_MAX_WORDS) {
    top = new Int32Array(Math.ceil(top.length / WORD_BITS));
    levels.push(top);
  }
  return levels;
}

/**
 * A whole-map operation done one slice at a time. Between steps the bitmap is valid and its count exact; other
 * operations may run. Each step works on the words of its slice as they are when it runs: a merge step ORs in
 * the source's bits of that slice at that moment, a copy step makes that slice equal to the source's, a clear
 * step clears it (a bit set afterwards in a slice already cleared stays set).
 */
export class SlicedOperation {
  private nextSlice = 0;

  constructor(
    readonly sliceTotal: number,
    private readonly runSlice: (slice: number) => void,
  ) {}

  get done(): boolean {
    return this.nextSlice >= this.sliceTotal;
  }

  /** Runs the next slice; returns whether the whole operation is now complete. */
  step(): boolean {
    if (this.nextSlice < this.sliceTotal) {
      this.runSlice(this.nextSlice);
      this.nextSlice += 1;
    }
    return this.done;
  }

  /** Runs every remaining slice now. */
  finish(): void {
    while (this.nextSlice < this.sliceTotal) this.step();
  }
}

export class Bitmap implements Iterable<number> {
  readonly bitCount: number;
  /** Level 0. Bits at or after `bitCount` are always 0. */
  private readonly words: Int32Array;
  /** `levels[0]` is `words`; bit j of `levels[l + 1]` is set exactly when `levels[l][j] !== 0`. */
  private readonly levels: readonly Int32Array[];
  private setCount = 0;
  /** Set bits in each slice, for maps of more than one slice; null when `setCount` is the only slice. */
  private readonly sliceCounts: Int32Array | null;

  constructor(bitCount: number) {
    assert(Number.isSafeInteger(bitCount) && bitCount >= 0 && bitCount <= MAX_BIT_COUNT,
      `bitCount must be a whole number in 0..2^32, got ${bitCount}`);
    this.bitCount = bitCount;
    this.words = new Int32Array(Math.ceil(bitCount / WORD_BITS));
    this.levels = this.words.length > TOP_LEVEL_MAX_WORDS ? buildLevels(this.words) : [this.words];
    this.sliceCounts = bitCount > SLICE_BITS ? new Int32Array(Math.ceil(bitCount / SLICE_BITS)) : null;
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
    const words = bitmap.words;
    for (let bit = 0; bit < text.length; bit += 1) {
      const code = text.charCodeAt(bit);
      if (code === 49) words[bit >>> 5] = words[bit >>> 5]! | (1 << (bit & 31));
      else assert(code === 48, 'a serialized bitmap holds only 0 and 1');
    }
    bitmap.rebuildIndex();
    return bitmap;
  }

  /**
   * A bitmap holding a raw image: bit i is bit (i & 31) of `words[i >>> 5]`, the layout `copyWordsInto` writes
   * (for persistence or transfer; O(size)). Bits past `bitCount` must be 0.
   */
  static fromWords(bitCount: number, words: Uint32Array | Int32Array): Bitmap {
    const bitmap = new Bitmap(bitCount);
    assert(words.length === bitmap.words.length, `an image of ${bitCount} bits has ${bitmap.words.length} words, got ${words.length}`);
    bitmap.words.set(words instanceof Int32Array ? words : new Int32Array(words.buffer, words.byteOffset, words.length));
    const tailBits = bitCount & 31;
    assert(tailBits === 0 || (bitmap.words[bitmap.words.length - 1]! & (-1 << tailBits)) === 0, 'an image has bits set past bitCount');
    bitmap.rebuildIndex();
    return bitmap;
  }

  /** Writes the raw image (the layout `fromWords` reads) into a caller's buffer of `ceil(bitCount / 32)` words. */
  copyWordsInto(out: Uint32Array | Int32Array): void {
    assert(out.length === this.words.length, `an image of ${this.bitCount} bits has ${this.words.length} words, got ${out.length}`);
    if (out instanceof Int32Array) out.set(this.words);
    else out.set(new Uint32Array(this.words.buffer, this.words.byteOffset, this.words.length));
  }

  /** Number of set bits, maintained on every change. */
  get count(): number {
    return this.setCount;
  }

  test(bit: number): boolean {
    if (!((bit >>> 0) === bit && bit < this.bitCount)) indexOutOfRange(bit, this.bitCount);
    return (this.words[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  /** Sets one bit; returns whether it changed. */
  set(bit: number): boolean {
    if (!((bit >>> 0) === bit && bit < this.bitCount)) indexOutOfRange(bit, this.bitCount);
    const words = this.words;
    const index = bit >>> 5;
    const word = words[index]!;
    const next = word | (1 << (bit & 31));
    if (next === word) return false;
    words[index] = next;
    this.setCount += 1;
    const sliceCounts = this.sliceCounts;
    if (sliceCounts !== null) sliceCounts[bit >>> SLICE_BIT_SHIFT] = sliceCounts[bit >>> SLICE_BIT_SHIFT]! + 1;
    if (word === 0) this.markNonzero(1, index);
    return true;
  }

  /** Clears one bit; returns whether it changed. */
  clear(bit: number): boolean {
    if (!((bit >>> 0) === bit && bit < this.bitCount)) indexOutOfRange(bit, this.bitCount);
    const words = this.words;
    const index = bit >>> 5;
    const word = words[index]!;
    const next = word & ~(1 << (bit & 31));
    if (next === word) return false;
    words[index] = next;
    this.setCount -= 1;
    const sliceCounts = this.sliceCounts;
    if (sliceCounts !== null) sliceCounts[bit >>> SLICE_BIT_SHIFT] = sliceCounts[bit >>> SLICE_BIT_SHIFT]! - 1;
    if (next === 0) this.markZero(1, index);
    return true;
  }

  /** Sets every bit in [start, end); returns how many were newly set. */
  setRange(start: number, end: number): number {
    assert(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= this.bitCount,
      `range [${start}, ${end}) outside 0..${this.bitCount}`);
    if (this.levels.length === 1) {
      const added = start < end ? setBitsOfSmallMap(this.words, start, end) : 0;
      this.setCount += added;
      return added;
    }
    let added = 0;
    for (let from = start; from < end;) {
      const slice = Math.floor(from / SLICE_BITS);
      const to = Math.min(end, (slice + 1) * SLICE_BITS);
      const wholeSlice = from === slice * SLICE_BITS && to === Math.min(this.bitCount, (slice + 1) * SLICE_BITS);
      const sliceAdded = wholeSlice ? this.fillSlice(slice) : this.setBitsWithinSlice(from, to);
      this.addToSlice(slice, sliceAdded);
      added += sliceAdded;
      from = to;
    }
    return added;
  }

  clearAll(): void {
    if (this.setCount === 0) return;
    if (this.levels.length === 1) {
      const words = this.words;
      for (let index = 0; index < words.length; index += 1) words[index] = 0;
      this.setCount = 0;
      return;
    }
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) this.clearSlice(slice);
  }

  /** `clearAll`, one slice per step. */
  clearAllInSlices(): SlicedOperation {
    return new SlicedOperation(this.sliceTotal(), (slice) => this.clearSlice(slice));
  }

  /** The first set bit at or after `from`, or -1. */
  nextSet(from: number): number {
    if (from >= this.bitCount) return -1;
    const start = from < 0 ? 0 : from;
    const words = this.words;
    const index = start >>> 5;
    const word = words[index]! & (-1 << (start & 31));
    if (word !== 0) return index * WORD_BITS + lowestBit(word);
    const next = this.nextNonzeroWord(0, index + 1);
    return next === -1 ? -1 : next * WORD_BITS + lowestBit(words[next]!);
  }

  /** The first clear bit at or after `from`, or -1. Linear in the run of set bits it skips. */
  nextClear(from: number): number {
    if (from >= this.bitCount) return -1;
    const start = from < 0 ? 0 : from;
    const words = this.words;
    let index = start >>> 5;
    let word = ~words[index]! & (-1 << (start & 31));
    while (word === 0) {
      index += 1;
      if (index >= words.length) return -1;
      word = ~words[index]!;
    }
    const bit = index * WORD_BITS + lowestBit(word);
    return bit < this.bitCount ? bit : -1;
  }

  /**
   * Writes the set bits at or after `from`, ascending, into `out` until it is full; returns how many it wrote.
   * Resume with `from = out[n - 1] + 1`. This is the batch form for a copier that takes dirty tracks a buffer
   * at a time (anchors §6.3).
   */
  collect(from: number, out: Uint32Array): number {
    if (from >= this.bitCount || out.length === 0) return 0;
    const start = from < 0 ? 0 : from;
    const words = this.words;
    const capacity = out.length;
    let written = 0;
    let index = start >>> 5;
    let word = words[index]! & (-1 << (start & 31));
    for (;;) {
      while (word !== 0) {
        if (written === capacity) return written;
        const lowest = word & -word;
        out[written] = index * WORD_BITS + 31 - Math.clz32(lowest);
        written += 1;
        word ^= lowest;
      }
      index = this.nextNonzeroWord(0, index + 1);
      if (index === -1) return written;
      word = words[index]!;
    }
  }

  /** ORs `other` into this bitmap (same size). */
  merge(other: Bitmap): void {
    assert(other.bitCount === this.bitCount, 'merge needs bitmaps of the same size');
    if (other.setCount === 0 || other === this) return;
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) this.mergeSlice(other, slice);
  }

  /** `merge`, one slice per step. */
  mergeInSlices(other: Bitmap): SlicedOperation {
    assert(other.bitCount === this.bitCount, 'merge needs bitmaps of the same size');
    return new SlicedOperation(this.sliceTotal(), (slice) => this.mergeSlice(other, slice));
  }

  /** Makes this bitmap equal to `other` (same size): the image of `other`, taken into this bitmap's buffers. */
  copyFrom(other: Bitmap): void {
    assert(other.bitCount === this.bitCount, 'copyFrom needs bitmaps of the same size');
    if (other === this) return;
    if (this.levels.length === 1) {
      const words = this.words;
      const source = other.words;
      for (let index = 0; index < words.length; index += 1) words[index] = source[index]!;
      this.setCount = other.setCount;
      return;
    }
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) this.copySlice(other, slice);
  }

  /** `copyFrom`, one slice per step. */
  copyFromInSlices(other: Bitmap): SlicedOperation {
    assert(other.bitCount === this.bitCount, 'copyFrom needs bitmaps of the same size');
    return new SlicedOperation(this.sliceTotal(), (slice) => this.copySlice(other, slice));
  }

  clone(): Bitmap {
    const copy = new Bitmap(this.bitCount);
    copy.copyFrom(this);
    return copy;
  }

  equals(other: Bitmap): boolean {
    if (other.bitCount !== this.bitCount || other.setCount !== this.setCount) return false;
    if (this.levels.length === 1) return sameWords(this.words, other.words, 0, this.words.length);
    const summary = this.levels[1]!;
    const otherSummary = other.levels[1]!;
    for (let block = 0; block < summary.length; block += 1) {
      let bits = summary[block]!;
      if (bits !== otherSummary[block]) return false;
      if (bits === -1) {
        if (!sameWords(this.words, other.words, block * WORD_BITS, block * WORD_BITS + WORD_BITS)) return false;
        continue;
      }
      while (bits !== 0) {
        const index = block * WORD_BITS + lowestBit(bits);
        if (this.words[index] !== other.words[index]) return false;
        bits &= bits - 1;
      }
    }
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
    const bitCount = this.bitCount;
    const words = this.words;
    if (bitCount > SMALL_TEXT_BITS) return this.toLargeString();
    let text = '';
    const byteCount = (bitCount + 7) >>> 3;
    for (let byte = 0; byte < byteCount; byte += 1) {
      text += BYTE_TEXT[(words[byte >>> 2]! >>> ((byte & 3) * 8)) & 255]!;
    }
    return text.length === bitCount ? text : text.slice(0, bitCount);
  }

  /** Counts the set bits word by word, ignoring the maintained count. O(size): for verification only. */
  recount(): number {
    let total = 0;
    for (const word of this.words) if (word !== 0) total += popcount32(word);
    return total;
  }

  /**
   * Checks every internal invariant: no bit past `bitCount`, each summary bit exactly "the word below is
   * nonzero", and the total and per-slice counts equal to a recount. O(size): for tests only.
   */
  assertConsistent(): void {
    const tailBits = this.bitCount & 31;
    if (tailBits !== 0) {
      const last = this.words[this.words.length - 1]!;
      assert((last & (-1 << tailBits)) === 0, 'bits past bitCount are set');
    }
    for (let level = 1; level < this.levels.length; level += 1) {
      const below = this.levels[level - 1]!;
      const summary = this.levels[level]!;
      assert(summary.length === Math.ceil(below.length / WORD_BITS), `level ${level} has the wrong length`);
      for (let index = 0; index < summary.length * WORD_BITS; index += 1) {
        const marked = (summary[index >>> 5]! & (1 << (index & 31))) !== 0;
        const nonzero = index < below.length && below[index] !== 0;
        assert(marked === nonzero, `summary level ${level} bit ${index} is ${marked}, word is ${nonzero ? 'nonzero' : 'zero'}`);
      }
    }
    assert(this.setCount === this.recount(), `count ${this.setCount} but ${this.recount()} bits are set`);
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) {
      const [first, end] = this.sliceWordRange(slice);
      let total = 0;
      for (let index = first; index < end; index += 1) total += popcount32(this.words[index]!);
      assert(this.sliceCount(slice) === total, `slice ${slice} count ${this.sliceCount(slice)} but ${total} bits are set`);
    }
  }

  // ---- summary maintenance ----

  /** Word `index` of level `level - 1` became nonzero: set its summary bit, and so on upward while words were zero. */
  private markNonzero(level: number, index: number): void {
    const levels = this.levels;
    let below = index;
    for (let at = level; at < levels.length; at += 1) {
      const summary = levels[at]!;
      const slot = below >>> 5;
      const word = summary[slot]!;
      summary[slot] = word | (1 << (below & 31));
      if (word !== 0) return;
      below = slot;
    }
  }

  /** Word `index` of level `level - 1` became zero: clear its summary bit, and so on upward while words become zero. */
  private markZero(level: number, index: number): void {
    const levels = this.levels;
    let below = index;
    for (let at = level; at < levels.length; at += 1) {
      const summary = levels[at]!;
      const slot = below >>> 5;
      const word = summary[slot]! & ~(1 << (below & 31));
      summary[slot] = word;
      if (word !== 0) return;
      below = slot;
    }
  }

  /** Bits [from, to) of level `level` became set (their words below are all nonzero): set them, and propagate. */
  private markRangeNonzero(level: number, from: number, to: number): void {
    let first = from;
    let end = to;
    for (let at = level; at < this.levels.length && first < end; at += 1) {
      setBitsOfWords(this.levels[at]!, first, end);
      first >>>= 5;
      end = ((end - 1) >>> 5) + 1;
    }
  }

  /** The first nonzero word at or after `start` in level `level`, or -1: climbs the summaries, then descends. */
  private nextNonzeroWord(level: number, start: number): number {
    const levels = this.levels;
    const top = levels.length - 1;
    let at = level;
    let index = start;
    let found = false;
    while (at < top) {
      if (index >= levels[at]!.length) return -1;
      const bits = levels[at + 1]![index >>> 5]! & (-1 << (index & 31));
      if (bits !== 0) {
        index = (index >>> 5) * WORD_BITS + lowestBit(bits);
        found = true;
        break;
      }
      index = (index >>> 5) + 1;
      at += 1;
    }
    if (!found) {
      const words = levels[top]!;
      while (index < words.length && words[index] === 0) index += 1;
      if (index >= words.length) return -1;
    }
    for (; at > level; at -= 1) index = index * WORD_BITS + lowestBit(levels[at]![index]!);
    return index;
  }

  /** Recomputes the summaries and counts from level 0 (after `parse` wrote the words directly). */
  private rebuildIndex(): void {
    for (let level = 1; level < this.levels.length; level += 1) {
      const below = this.levels[level - 1]!;
      for (let index = 0; index < below.length; index += 1) {
        if (below[index] !== 0) this.levels[level]![index >>> 5] = this.levels[level]![index >>> 5]! | (1 << (index & 31));
      }
    }
    this.setCount = 0;
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) {
      const [first, end] = this.sliceWordRange(slice);
      let total = 0;
      for (let index = first; index < end; index += 1) total += popcount32(this.words[index]!);
      this.addToSlice(slice, total);
    }
  }

  // ---- slices ----

  private sliceTotal(): number {
    return Math.max(1, Math.ceil(this.words.length / SLICE_WORDS));
  }

  /** Level-0 words [first, end) of a slice. */
  private sliceWordRange(slice: number): [number, number] {
    const first = slice * SLICE_WORDS;
    return [first, Math.min(this.words.length, first + SLICE_WORDS)];
  }

  private sliceCount(slice: number): number {
    return this.sliceCounts === null ? this.setCount : this.sliceCounts[slice]!;
  }

  private addToSlice(slice: number, delta: number): void {
    this.setCount += delta;
    if (this.sliceCounts !== null) this.sliceCounts[slice] = this.sliceCounts[slice]! + delta;
  }

  /** Whether a slice holding `setBits` is worth walking through the summary rather than word by word. */
  private static isSparse(setBits: number, wordCount: number): boolean {
    return setBits * SPARSE_RATIO < wordCount;
  }

  /** Sets every bit of one whole slice (or of the whole map); returns how many were newly set. */
  private fillSlice(slice: number): number {
    const [first, end] = this.sliceWordRange(slice);
    const tailBits = this.bitCount & 31;
    const full = end === this.words.length && tailBits !== 0 ? end - 1 : end;
    this.words.fill(-1, first, full);
    if (full !== end) this.words[full] = rangeMask(0, tailBits);
    const bitsInSlice = Math.min(this.bitCount, (slice + 1) * SLICE_BITS) - slice * SLICE_BITS;
    const added = bitsInSlice - this.sliceCount(slice);
    this.markRangeNonzero(1, first, end);
    return added;
  }

  /** Sets the bits [from, to) of one slice; returns how many were newly set. */
  private setBitsWithinSlice(from: number, to: number): number {
    if (from >= to) return 0;
    const words = this.words;
    const first = from >>> 5;
    const last = (to - 1) >>> 5;
    let added = 0;
    for (let index = first; index <= last; index += 1) {
      const low = index === first ? from & 31 : 0;
      const high = index === last ? ((to - 1) & 31) + 1 : WORD_BITS;
      const mask = rangeMask(low, high);
      const word = words[index]!;
      added += popcount32(mask & ~word);
      words[index] = word | mask;
    }
    this.markRangeNonzero(1, first, last + 1);
    return added;
  }

  private mergeSlice(other: Bitmap, slice: number): void {
    const [first, end] = this.sliceWordRange(slice);
    if (other.sliceCount(slice) === 0) return;
    const added = this.levels.length === 1
      ? mergeWords(this.words, other.words, first, end)
      : this.mergeThroughSummary(other, first, end);
    this.addToSlice(slice, added);
  }

  /**
   * ORs the source's words [first, end) in, visiting only the 32-word blocks its summary marks; a block with
   * most words nonzero takes a straight loop (the dense case), otherwise only its nonzero words are visited.
   * Returns the number of newly set bits.
   */
  private mergeThroughSummary(other: Bitmap, first: number, end: number): number {
    const words = this.words;
    const source = other.words;
    const summary = this.levels[1]!;
    const sourceSummary = other.levels[1]!;
    let added = 0;
    for (let block = first >>> 5, blockEnd = (end + 31) >>> 5; block < blockEnd; block += 1) {
      const sourceBits = sourceSummary[block]!;
      if (sourceBits === 0) continue;
      const base = block * WORD_BITS;
      if (base + WORD_BITS <= words.length && (sourceBits === -1 || popcount32(sourceBits) > DENSE_BLOCK_WORDS)) {
        added += mergeWords(words, source, base, base + WORD_BITS);
      } else {
        for (let bits = sourceBits; bits !== 0; bits &= bits - 1) {
          const index = base + lowestBit(bits);
          const word = words[index]!;
          const fresh = source[index]! & ~word;
          if (fresh !== 0) {
            words[index] = word | fresh;
            added += popcount32(fresh);
          }
        }
      }
      const marked = summary[block]!;
      if ((marked | sourceBits) !== marked) {
        summary[block] = marked | sourceBits;
        if (marked === 0) this.markNonzero(2, block);
      }
    }
    return added;
  }

  private copySlice(other: Bitmap, slice: number): void {
    const [first, end] = this.sliceWordRange(slice);
    const before = this.sliceCount(slice);
    const after = other.sliceCount(slice);
    if (before === 0 && after === 0) return;
    if (this.levels.length === 1) {
      this.words.set(other.words);
      this.setCount = after;
      return;
    }
    if (Bitmap.isSparse(before + after, end - first)) this.copyWordsThroughSummary(other, first, end);
    else this.words.set(other.words.subarray(first, end), first);
    this.replaceSummaryWords(other.levels[1]!, first, end);
    this.addToSlice(slice, after - before);
  }

  /** Copies the source's words [first, end), visiting only words nonzero in either map. */
  private copyWordsThroughSummary(other: Bitmap, first: number, end: number): void {
    const words = this.words;
    const source = other.words;
    const summary = this.levels[1]!;
    const sourceSummary = other.levels[1]!;
    for (let block = first >>> 5, blockEnd = (end + 31) >>> 5; block < blockEnd; block += 1) {
      const stale = summary[block]! & ~sourceSummary[block]!;
      const base = block * WORD_BITS;
      for (let bits = stale; bits !== 0; bits &= bits - 1) words[base + lowestBit(bits)] = 0;
      for (let bits = sourceSummary[block]!; bits !== 0; bits &= bits - 1) {
        const index = base + lowestBit(bits);
        words[index] = source[index]!;
      }
    }
  }

  private clearSlice(slice: number): void {
    const [first, end] = this.sliceWordRange(slice);
    const before = this.sliceCount(slice);
    if (before === 0) return;
    if (this.levels.length === 1 || !Bitmap.isSparse(before, end - first)) {
      this.words.fill(0, first, end);
    } else {
      const summary = this.levels[1]!;
      for (let block = first >>> 5, blockEnd = (end + 31) >>> 5; block < blockEnd; block += 1) {
        for (let bits = summary[block]!; bits !== 0; bits &= bits - 1) this.words[block * WORD_BITS + lowestBit(bits)] = 0;
      }
    }
    if (this.levels.length > 1) this.replaceSummaryWords(null, first, end);
    this.addToSlice(slice, -before);
  }

  /**
   * Level-0 words [first, end) (a whole slice) have just been rewritten: sets the level-1 summary words over
   * them to `source`'s (or to zero), and propagates each word that became zero or nonzero upward.
   */
  private replaceSummaryWords(source: Int32Array | null, first: number, end: number): void {
    const summary = this.levels[1]!;
    for (let block = first >>> 5, blockEnd = (end + 31) >>> 5; block < blockEnd; block += 1) {
      const old = summary[block]!;
      const next = source === null ? 0 : source[block]!;
      if (old === next) continue;
      summary[block] = next;
      if (old === 0) this.markNonzero(2, block);
      else if (next === 0) this.markZero(2, block);
    }
  }

  private toLargeString(): string {
    const text = new Uint8Array(this.bitCount).fill(48);
    const batch = new Uint32Array(4096);
    for (let from = 0; ;) {
      const found = this.collect(from, batch);
      for (let position = 0; position < found; position += 1) text[batch[position]!] = 49;
      if (found < batch.length) break;
      from = batch[found - 1]! + 1;
    }
    return new TextDecoder().decode(text);
  }
}

/** ORs `source` into `words` over [first, end) with a straight loop; returns the number of newly set bits. */
function mergeWords(words: Int32Array, source: Int32Array, first: number, end: number): number {
  let added = 0;
  for (let index = first; index < end; index += 1) {
    const word = words[index]!;
    const incoming = source[index]!;
    words[index] = word | incoming;
    added += popcount32(incoming & ~word);
  }
  return added;
}

/** Sets bits [from, to) of a map with no summary (at most 8 words); returns how many were newly set. */
function setBitsOfSmallMap(words: Int32Array, from: number, to: number): number {
  const last = (to - 1) >>> 5;
  let added = 0;
  for (let index = from >>> 5; index <= last; index += 1) {
    const low = index === from >>> 5 ? from & 31 : 0;
    const high = index === last ? ((to - 1) & 31) + 1 : WORD_BITS;
    const word = words[index]!;
    const mask = rangeMask(low, high);
    added += popcount32(mask & ~word);
    words[index] = word | mask;
  }
  return added;
}

function sameWords(words: Int32Array, other: Int32Array, first: number, end: number): boolean {
  for (let index = first; index < end; index += 1) if (words[index] !== other[index]) return false;
  return true;
}

/** Sets bits [from, to) of a word array. */
function setBitsOfWords(words: Int32Array, from: number, to: number): void {
  const first = from >>> 5;
  const last = (to - 1) >>> 5;
  if (first === last) {
    words[first] = words[first]! | rangeMask(from & 31, ((to - 1) & 31) + 1);
    return;
  }
  words[first] = words[first]! | rangeMask(from & 31, WORD_BITS);
  if (last > first + 1) words.fill(-1, first + 1, last);
  words[last] = words[last]! | rangeMask(0, ((to - 1) & 31) + 1);
}
