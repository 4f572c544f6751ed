/**
 * The fast bitmap: one bit per track, as src/bitmap.ts (the reference bitmap, the meaning), for volumes of up
 * to 2^32 tracks. It implements the same `TrackBitmap` (src/track-bitmap.ts) with the same results, and adds
 * the sliced whole-map operations, `collect`, raw images (`fromWords`, `copyWordsInto`) and the checks
 * `recount` and `assertConsistent`. The benchmarks' controllers use it; the verifier uses the reference.
 *
 * The internals follow issue 4 and anchors/bitmap_performance.md §6. test/fast-bitmap/bitmap.test.ts checks
 * every operation against a plain set of numbers, and test/bitmap-differential.test.ts against the reference.
 *
 * Layout. Level 0 is a flat array of 32-bit words, bit i in bit (i & 31) of word i >>> 5; words are 32-bit
 * because JavaScript's bitwise operators are (§6.2), and stored as `Int32Array` so that every read is already
 * an int32 (§5.1). A map of at most 8 words (256 bits) is that array and nothing else. A larger map also
 * keeps summary levels (QEMU's HBitmap, §6.1):
 *   - level 1 marks words: a word with a set bit is always marked. A mark may outlive its bits: `clear`
 *     leaves it, and the next search that reaches the word finds it empty and removes the mark. That keeps
 *     `clear` as cheap as on a flat array and `set` to one extra store, where an exact level 1 costs a
 *     data-dependent branch per level on both (about 15 ns more per random set or clear, measured with
 *     bench/ on the project's machine);
 *   - each level above is exact: bit j is set exactly when word j of the level below is nonzero. Levels are
 *     added until the top has at most 8 words.
 * Finding, iterating, merging, copying and clearing then cost in proportion to the marked words, not to the
 * volume. The whole-map operations list a slice's marked groups in one walk of level 2 (`listMarkedGroups`);
 * `nextSet` keeps a cursor of marked words listed ahead, so a walk by `nextSet(bit + 1)` searches the summary
 * once per batch of words rather than once per word, and reads each batch's words in one loop whose cache
 * misses overlap (in a sparse 32 MiB map each dirty word is a miss, and that, not the summary, is the cost).
 *
 * Dense work. A merge or count over a long range of words goes to the WebAssembly kernel of
 * src/fast-bitmap/merge-kernel.ts (128-bit OR and a hardware popcount; 3-4 times faster than the loops here on a dense
 * map); `mergeWordsPortable` and `countWordsPortable` are the same work in plain TypeScript, used for short
 * ranges and where the kernel is unavailable.
 *
 * Counts. The number of set bits is exact after every change, so `count` and "is anything dirty?" are O(1).
 * A map of more than one slice (2^24 bits) keeps its count per slice, as md keeps one per page (§3): that is
 * what lets a copy proceed one slice at a time and keep the count exact between steps. `count` then adds at
 * most 256 slice counts.
 *
 * Bounded work. A whole-map operation on a 2^28-bit map touches 32 MiB. `mergeInSlices`, `copyFromInSlices`
 * and `clearAllInSlices` split merge, image and reset into steps of one slice (2^19 words, 2 MiB), so that no
 * step blocks host I/O for more than a few milliseconds (§6.4). The unsliced forms do the whole map at once.
 * Images are taken into a bitmap the caller keeps and reuses (`copyFrom`), never into a fresh 32 MiB array
 * (§5.7); `copyWordsInto` and `fromWords` move the raw words for persistence.
 *
 * Serialized form (conformance vectors, traces): a string of '0' and '1', track 0 first
 * (see docs/vectors.md). Nothing else about the in-memory layout is part of the contract.
 */
import { assert } from '../assert.js';
import type { TrackBitmap } from '../track-bitmap.js';
import { loadMergeKernel } from './merge-kernel.js';
import { allocateWords } from './word-pool.js';

const WORD_BITS = 32;
/** Maps of at most this many words have no summary. A summary level with more words than this gets one above it. */
const FLAT_MAX_WORDS = 8;
/** One slice is 2^19 words (2 MiB, 2^24 bits): a slice of the slowest whole-map work (dense merge) takes about 1 ms. */
const SLICE_WORD_SHIFT = 19;
const SLICE_WORDS = 2 ** SLICE_WORD_SHIFT;
const SLICE_BIT_SHIFT = SLICE_WORD_SHIFT + 5;
/** Bits in one slice of the sliced whole-map operations. */
export const SLICE_BITS = 2 ** SLICE_BIT_SHIFT;
/** Largest map: `bit >>> 5` and `1 << (bit & 31)` index correctly only below 2^32 (anchors §1). */
export const MAX_BIT_COUNT = 2 ** 32;
/**
 * A slice is copied or cleared word by word through the marks when its marked words are few, and with one
 * bulk `set`/`fill` otherwise. A scattered word (a cache and often a TLB miss) costs about as much as this many
 * words of a sequential copy: 35 ns against 0.18 ns on the project's machine (2 vCPU AMD EPYC, bench/), about
 * 50 times on the anchors' machine (§4, §6.1). Taking the larger keeps random sparse images at about 1 B.
 */
const SCATTERED_WORD_COST = 192;
/**
 * Word indices listed by a sparse merge before it ORs them in (`mergeListedWords`). One buffer serves every
 * bitmap: a merge runs to completion before another starts.
 */
const MARKED_BATCH = 4096;
const markedBatch = new Int32Array(MARKED_BATCH);
/**
 * A sparse merge ORs in a group with at least this many marked words on the spot, and lists the words of
 * sparser groups (measured: one word per group, 0.01% random, is faster listed; nine, 1% random, on the spot).
 */
const GROUP_INLINE_WORDS = 4;
/**
 * Mark words (groups of 32 words) of one slice: `listMarkedGroups` lists a whole slice's nonzero mark words into
 * `sliceGroups` in one call, so the whole-map operations walk the summary once per slice.
 */
const SLICE_GROUPS = SLICE_WORDS / WORD_BITS;
const sliceGroups = new Int32Array(SLICE_GROUPS);
/**
 * Marked words listed ahead by `nextSet` (the cursor) and by `collect`. Enough to amortize one walk of the
 * summary over many answers; small enough that a search which stops early has not listed much in vain.
 */
const CURSOR_WORDS = 256;
/** Mark words listed per refill of a cursor: at most `CURSOR_WORDS` words come out of them. */
const CURSOR_GROUPS = 64;
const cursorGroups = new Int32Array(CURSOR_GROUPS);
/** Where `fillCursor` leaves what it read, so that the compiler cannot drop the reads. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- written so that the reads it keeps are not dead code
let prefetched = 0;
/** Marked words listed by one step of `collect`. */
const collectBatch = new Int32Array(CURSOR_WORDS);
/**
 * The WebAssembly kernel (src/fast-bitmap/merge-kernel.ts) for dense merges and counts, or null where it is unavailable
 * (the JavaScript loops below then do the same work, 3-4 times slower on a dense map).
 */
const kernel = loadMergeKernel();
/**
 * Word ranges at least this long go to the kernel. Below it the call and the copies into its memory cost more
 * than they save; the dense cases that matter (a slice, a run of fully marked groups) are far longer.
 */
const KERNEL_MIN_WORDS = 2048;
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

/**
 * Level 0 and, for a map of more than 8 words, the levels above it. Level 0 of a large map comes from the word
 * pool (src/fast-bitmap/word-pool.ts), where the kernel merges and counts it in place; the levels above stay ordinary.
 */
function buildLevels(bitCount: number): Int32Array[] {
  const wordCount = Math.ceil(bitCount / WORD_BITS);
  // Small maps skip the pool's call: measured when the exhaustive checker, which makes a map of a few bits for
  // most steps it tries, ran on this bitmap (it runs on src/bitmap.ts now).
  const levels = [wordCount <= FLAT_MAX_WORDS ? new Int32Array(wordCount) : allocateWords(wordCount)];
  for (let top = levels[0]!; top.length > FLAT_MAX_WORDS; levels.push(top)) {
    top = new Int32Array(Math.ceil(top.length / WORD_BITS));
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

export class FastBitmap implements TrackBitmap {
  // The fields are `declare`d and set only in the constructor: a plain declaration compiles (ES2022) to a
  // field defined as undefined first, and V8 then loads every field as a generic value. Random `test` on a
  // 2^28-bit map took 19 ns that way against 16 ns (typedfastbitset: 14.7 ns), measured.
  declare readonly bitCount: number;
  /** Level 0. Bits at or after `bitCount` are always 0. */
  private declare readonly words: Int32Array;
  /** `levels[0]` is `words`; `levels[1]` marks words (a superset); `levels[l + 1]` is exact over `levels[l]`. */
  private declare readonly levels: readonly Int32Array[];
  /** `levels[1]` (the word marks), or null for a map of at most 8 words: `set` reads it with one load. */
  private declare readonly marks: Int32Array | null;
  /** Set bits, for a map of one slice. */
  private declare setCount: number;
  /** Set bits in each slice, for a map of more than one slice; null otherwise. */
  private declare readonly sliceCounts: Int32Array | null;
  /**
   * Bumped whenever a word may have gained a mark: a cursor listed at another version may miss a word. Taking
   * marks away (a clear, a search finding a word empty) does not bump it: a listed word found empty is skipped.
   */
  private declare markVersion: number;
  /**
   * The cursor of `nextSet`, for a map with a summary (null otherwise): the marked words in
   * [cursorFrom, cursorUntil) as they were at `cursorVersion`, ascending, in `cursor[0, cursorLength)`, with
   * `cursorPosition` the first entry not yet passed. Iterating by `nextSet(bit + 1)` then walks the summary
   * once per `CURSOR_WORDS` marked words instead of once per word, and reads words whose addresses are known
   * in advance. Measured on the 0.01% random map of bench/: 0.52-0.60 B per iteration before the cursor.
   */
  private declare readonly cursor: Int32Array | null;
  private declare cursorLength: number;
  private declare cursorPosition: number;
  /** Entries of the cursor before this one were found empty (and unmarked) since it was listed. */
  private declare cursorFirst: number;
  private declare cursorFrom: number;
  private declare cursorUntil: number;
  private declare cursorVersion: number;
  /** Set by `listMarkedWords`: every marked word below it (from where the listing began) was listed. */
  private declare listedUntil: number;

  constructor(bitCount: number) {
    assert(Number.isSafeInteger(bitCount) && bitCount >= 0 && bitCount <= MAX_BIT_COUNT,
      () => `bitCount must be a whole number in 0..2^32, got ${bitCount}`);
    this.bitCount = bitCount;
    const levels = buildLevels(bitCount);
    this.words = levels[0]!;
    this.levels = levels;
    this.marks = levels.length > 1 ? levels[1]! : null;
    this.setCount = 0;
    this.sliceCounts = bitCount > SLICE_BITS ? new Int32Array(Math.ceil(bitCount / SLICE_BITS)) : null;
    this.markVersion = 0;
    // A small map's cursor need not hold more words than the map has (but at least one whole mark word).
    this.cursor = levels.length > 1 ? new Int32Array(Math.max(WORD_BITS, Math.min(CURSOR_WORDS, levels[0]!.length))) : null;
    this.cursorLength = 0;
    this.cursorPosition = 0;
    this.cursorFirst = 0;
    this.cursorFrom = 0;
    this.cursorUntil = 0;
    this.cursorVersion = -1;
    this.listedUntil = 0;
  }

  /** A bitmap with exactly the given bits set. */
  static of(bitCount: number, bits: Iterable<number>): FastBitmap {
    const bitmap = new FastBitmap(bitCount);
    for (const bit of bits) bitmap.set(bit);
    return bitmap;
  }

  /** Parses the serialized form: '0' and '1', bit 0 first. */
  static parse(text: string): FastBitmap {
    const bitmap = new FastBitmap(text.length);
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
  static fromWords(bitCount: number, words: Uint32Array | Int32Array): FastBitmap {
    const bitmap = new FastBitmap(bitCount);
    assert(words.length === bitmap.words.length, () => `an image of ${bitCount} bits has ${bitmap.words.length} words, got ${words.length}`);
    bitmap.words.set(words instanceof Int32Array ? words : new Int32Array(words.buffer, words.byteOffset, words.length));
    const tailBits = bitCount & 31;
    assert(tailBits === 0 || (bitmap.words[words.length - 1]! & (-1 << tailBits)) === 0, 'an image has bits set past bitCount');
    bitmap.rebuildIndex();
    return bitmap;
  }

  /** Writes the raw image (the layout `fromWords` reads) into a caller's buffer of `ceil(bitCount / 32)` words. */
  copyWordsInto(out: Uint32Array | Int32Array): void {
    const words = this.words;
    assert(out.length === words.length, () => `an image of ${this.bitCount} bits has ${words.length} words, got ${out.length}`);
    if (out instanceof Int32Array) out.set(words);
    else out.set(new Uint32Array(words.buffer, words.byteOffset, words.length));
  }

  /** Number of set bits, maintained on every change. */
  get count(): number {
    const sliceCounts = this.sliceCounts;
    if (sliceCounts === null) return this.setCount;
    let total = 0;
    for (let slice = 0; slice < sliceCounts.length; slice += 1) total += sliceCounts[slice]!;
    return total;
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
    const sliceCounts = this.sliceCounts;
    if (sliceCounts === null) this.setCount += 1;
    else sliceCounts[bit >>> SLICE_BIT_SHIFT] = sliceCounts[bit >>> SLICE_BIT_SHIFT]! + 1;
    const marks = this.marks;
    if (word === 0 && marks !== null) {
      const group = index >>> 5;
      const old = marks[group]!;
      marks[group] = old | (1 << (index & 31));
      this.markVersion += 1;
      if (old === 0) this.markNonzero(2, group);
    }
    return true;
  }

  /** Clears one bit; returns whether it changed. The word's mark stays until a search finds the word empty. */
  clear(bit: number): boolean {
    if (!((bit >>> 0) === bit && bit < this.bitCount)) indexOutOfRange(bit, this.bitCount);
    const words = this.words;
    const index = bit >>> 5;
    const word = words[index]!;
    const next = word & ~(1 << (bit & 31));
    if (next === word) return false;
    words[index] = next;
    const sliceCounts = this.sliceCounts;
    if (sliceCounts === null) this.setCount -= 1;
    else sliceCounts[bit >>> SLICE_BIT_SHIFT] = sliceCounts[bit >>> SLICE_BIT_SHIFT]! - 1;
    return true;
  }

  /** Sets every bit in [start, end); returns how many were newly set. */
  setRange(start: number, end: number): number {
    assert(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= this.bitCount,
      () => `range [${start}, ${end}) outside 0..${this.bitCount}`);
    if (this.levels.length === 1) {
      const added = start < end ? setBits(this.words, start, end) : 0;
      this.setCount += added;
      return added;
    }
    let added = 0;
    this.markVersion += 1;
    for (let from = start; from < end;) {
      const slice = Math.floor(from / SLICE_BITS);
      const to = Math.min(end, (slice + 1) * SLICE_BITS);
      const wholeSlice = from === slice * SLICE_BITS && to === Math.min(this.bitCount, (slice + 1) * SLICE_BITS);
      const sliceAdded = wholeSlice ? this.fillSlice(slice) : setBits(this.words, from, to);
      this.markWords(from >>> 5, ((to - 1) >>> 5) + 1);
      this.addToSlice(slice, sliceAdded);
      added += sliceAdded;
      from = to;
    }
    return added;
  }

  clearAll(): void {
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
    let index = start >>> 5;
    const word = (words[index]! | 0) & (-1 << (start & 31));
    if (word !== 0) return index * WORD_BITS + lowestBit(word);
    const cursor = this.cursor;
    if (cursor !== null) {
      // A walk by nextSet(bit + 1) that has used up the word of its last answer: the answer is in the next listed
      // word, unless the cursor is stale or that word was emptied since it was listed.
      const next = this.cursorPosition + 1;
      if (next < this.cursorLength && cursor[next - 1] === index && this.cursorVersion === this.markVersion) {
        const candidate = cursor[next]!;
        const found = words[candidate]! | 0;
        if (found !== 0) {
          this.cursorPosition = next;
          return candidate * WORD_BITS + lowestBit(found);
        }
      }
      return this.firstBitFromWord(index + 1);
    }
    for (index += 1; index < words.length; index += 1) {
      const next = words[index]! | 0;
      if (next !== 0) return index * WORD_BITS + lowestBit(next);
    }
    return -1;
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
    const index = start >>> 5;
    const written = collectWord((words[index]! | 0) & (-1 << (start & 31)), index, out, 0);
    if (written === out.length) return written;
    if (this.levels.length > 1) return this.collectFromWord(index + 1, out, written);
    let filled = written;
    for (let next = index + 1; next < words.length && filled < out.length; next += 1) {
      if (words[next] !== 0) filled = collectWord(words[next]!, next, out, filled);
    }
    return filled;
  }

  /** ORs `other` into this bitmap (same size). */
  merge(other: FastBitmap): void {
    assert(other instanceof FastBitmap && other.bitCount === this.bitCount, 'merge needs fast bitmaps of the same size');
    if (other === this) return;
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) this.mergeSlice(other, slice);
  }

  /** `merge`, one slice per step. */
  mergeInSlices(other: FastBitmap): SlicedOperation {
    assert(other instanceof FastBitmap && other.bitCount === this.bitCount, 'merge needs fast bitmaps of the same size');
    return new SlicedOperation(this.sliceTotal(), (slice) => this.mergeSlice(other, slice));
  }

  /** Makes this bitmap equal to `other` (same size): the image of `other`, taken into this bitmap's buffers. */
  copyFrom(other: FastBitmap): void {
    assert(other instanceof FastBitmap && other.bitCount === this.bitCount, 'copyFrom needs fast bitmaps of the same size');
    if (other === this) return;
    if (this.levels.length === 1) {
      const words = this.words;
      const source = other.words;
      for (let index = 0; index < words.length; index += 1) words[index] = source[index]!;
      this.setCount = other.setCount;
      return;
    }
    if (!this.fewMarked(other, 0, this.words.length)) {
      this.markVersion += 1;
      this.levels.forEach((level, at) => level.set(other.levels[at]!));
      this.setCount = other.setCount;
      if (this.sliceCounts !== null) this.sliceCounts.set(other.sliceCounts!);
      return;
    }
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) this.copySlice(other, slice);
  }

  /** `copyFrom`, one slice per step. */
  copyFromInSlices(other: FastBitmap): SlicedOperation {
    assert(other instanceof FastBitmap && other.bitCount === this.bitCount, 'copyFrom needs fast bitmaps of the same size');
    return new SlicedOperation(this.sliceTotal(), (slice) => this.copySlice(other, slice));
  }

  clone(): FastBitmap {
    const copy = new FastBitmap(this.bitCount);
    copy.copyFrom(this);
    return copy;
  }

  equals(other: FastBitmap): boolean {
    assert(other instanceof FastBitmap, 'equals compares two fast bitmaps');
    if (other.bitCount !== this.bitCount) return false;
    if (this.levels.length === 1) {
      if (other.setCount !== this.setCount) return false;
      const words = this.words;
      const otherWords = other.words;
      for (let index = 0; index < words.length; index += 1) if (words[index] !== otherWords[index]) return false;
      return true;
    }
    return other.count === this.count && this.markedWordsMatch(other) && other.markedWordsMatch(this);
  }

  /** Whether every word marked here equals the same word of `other` (walking this map's summary only). */
  private markedWordsMatch(other: FastBitmap): boolean {
    const words = this.words;
    const otherWords = other.words;
    const marks = this.levels[1]!;
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) {
      const [first, end] = this.sliceWordRange(slice);
      const listed = this.listMarkedGroups(first >>> 5, ((end - 1) >>> 5) + 1, sliceGroups);
      for (let position = 0; position < listed; position += 1) {
        const group = sliceGroups[position]!;
        const bits = marks[group]! | 0;
        if (bits === -1) {
          if (!sameWords(words, otherWords, group * WORD_BITS, group * WORD_BITS + WORD_BITS)) return false;
          continue;
        }
        for (let rest = bits; rest !== 0; rest &= rest - 1) {
          const index = group * WORD_BITS + lowestBit(rest);
          if (words[index] !== otherWords[index]) return false;
        }
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
    return countWords(this.words, 0, this.words.length);
  }

  /**
   * Checks every internal invariant: no bit past `bitCount`, a mark on every nonzero word, each level above
   * exactly "the word below is nonzero", and the counts equal to a recount. O(size): for tests only.
   */
  assertConsistent(): void {
    const tailBits = this.bitCount & 31;
    if (tailBits !== 0) assert((this.words[this.words.length - 1]! & (-1 << tailBits)) === 0, 'bits past bitCount are set');
    for (let level = 1; level < this.levels.length; level += 1) this.assertLevel(level);
    assert(this.count === this.recount(), () => `count ${this.count} but ${this.recount()} bits are set`);
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) {
      const [first, end] = this.sliceWordRange(slice);
      const total = countWords(this.words, first, end);
      assert(this.sliceCount(slice) === total, () => `slice ${slice} count ${this.sliceCount(slice)} but ${total} bits are set`);
    }
  }

  private assertLevel(level: number): void {
    const below = this.levels[level - 1]!;
    const summary = this.levels[level]!;
    for (let index = 0; index < summary.length * WORD_BITS; index += 1) {
      const marked = (summary[index >>> 5]! & (1 << (index & 31))) !== 0;
      const nonzero = index < below.length && below[index] !== 0;
      if (level === 1) assert(marked || !nonzero, () => `word ${index} has bits but no mark`);
      if (level === 1) assert(!marked || index < below.length, () => `mark past the last word: ${index}`);
      else assert(marked === nonzero, () => `summary level ${level} bit ${index} is ${marked}, word is ${nonzero ? 'nonzero' : 'zero'}`);
    }
  }

  // ---- summary maintenance ----

  /** Marks every word of mark words [from, to) (each of those words has a set bit now), and the levels above. */
  private markWholeGroups(from: number, to: number): void {
    const marks = this.levels[1]!;
    for (let group = from; group < to; group += 1) {
      const old = marks[group]!;
      marks[group] = -1;
      if (old === 0) this.markNonzero(2, group);
    }
  }

  /** Word `index` became nonzero: mark it (one store), and the levels above if its mark word was 0. */
  private markWord(index: number): void {
    const marks = this.levels[1]!;
    const group = index >>> 5;
    const old = marks[group]!;
    marks[group] = old | (1 << (index & 31));
    if (old === 0) this.markNonzero(2, group);
  }

  /** Word `index` turned out to be empty: drop its mark. */
  private unmarkWord(index: number): void {
    const marks = this.levels[1]!;
    const group = index >>> 5;
    const next = marks[group]! & ~(1 << (index & 31));
    marks[group] = next;
    if (next === 0) this.markZero(2, group);
  }

  /** Marks words [first, end) (each has a set bit now), and the levels above. */
  private markWords(first: number, end: number): void {
    let from = first;
    let to = end;
    for (let at = 1; at < this.levels.length; at += 1) {
      setBits(this.levels[at]!, from, to);
      from >>>= 5;
      to = ((to - 1) >>> 5) + 1;
    }
  }

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

  /**
   * The first word at or after `start` in level `level` whose bit in the level above is set, or -1: climbs the
   * levels, then descends. `listMarkedGroups` calls it at level 2, where the levels above are exact, to skip a
   * run of empty level-2 words.
   */
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

  /**
   * The first set bit in a word at or after word `index`, or -1, through the cursor. Marked words found empty
   * lose their marks.
   */
  private firstBitFromWord(index: number): number {
    const words = this.words;
    const cursor = this.cursor!;
    if (this.cursorVersion !== this.markVersion || index < this.cursorFrom) this.fillCursor(index);
    for (;;) {
      const length = this.cursorLength;
      // A search that starts behind the last answer (a new walk, or a copier that takes the first dirty track
      // each time) goes back to the first entry not yet found empty.
      let position = this.cursorPosition > this.cursorFirst && cursor[this.cursorPosition - 1]! >= index ? this.cursorFirst : this.cursorPosition;
      while (position < length && cursor[position]! < index) position += 1;
      for (; position < length; position += 1) {
        const candidate = cursor[position]!;
        const word = words[candidate]! | 0;
        if (word !== 0) {
          this.cursorPosition = position;
          return candidate * WORD_BITS + lowestBit(word);
        }
        // An emptied word loses its mark; a bit set in it later marks it again and bumps the version, so the
        // entries found empty at the front of the list need not be read again.
        this.unmarkWord(candidate);
        if (position === this.cursorFirst) this.cursorFirst = position + 1;
      }
      if (this.cursorUntil >= words.length) {
        this.cursorPosition = length;
        return -1;
      }
      this.fillCursor(Math.max(index, this.cursorUntil));
    }
  }

  /** Lists the marked words from word `from` on into the cursor, at the current mark version. */
  private fillCursor(from: number): void {
    const cursor = this.cursor!;
    const length = this.listMarkedWords(from, cursor);
    touchListed(this.words, cursor, length);
    this.cursorLength = length;
    this.cursorPosition = 0;
    this.cursorFirst = 0;
    this.cursorFrom = from;
    this.cursorUntil = this.listedUntil;
    this.cursorVersion = this.markVersion;
  }

  /** `collect` from word `index` on, `written` entries of `out` already filled. */
  private collectFromWord(index: number, out: Uint32Array, written: number): number {
    const words = this.words;
    let filled = written;
    for (let from = index; filled < out.length && from < words.length; from = this.listedUntil) {
      const listed = this.listMarkedWords(from, collectBatch);
      touchListed(words, collectBatch, listed);
      for (let position = 0; position < listed && filled < out.length; position += 1) {
        const candidate = collectBatch[position]!;
        const word = words[candidate]! | 0;
        if (word !== 0) filled = collectWord(word, candidate, out, filled);
        else this.unmarkWord(candidate);
      }
    }
    return filled;
  }

  /**
   * Lists the marked words at or after word `from` into `out`, ascending, a whole mark word at a time while one
   * fits; sets `listedUntil` to the word below which every marked word is listed (the map's length when the
   * list reaches its end). Returns how many it listed.
   */
  private listMarkedWords(from: number, out: Int32Array): number {
    const marks = this.levels[1]!;
    const firstGroup = from >>> 5;
    const groupsListed = this.listMarkedGroups(firstGroup, marks.length, cursorGroups);
    let listed = 0;
    for (let position = 0; position < groupsListed; position += 1) {
      const group = cursorGroups[position]!;
      let bits = marks[group]! | 0;
      if (group === firstGroup) bits &= -1 << (from & 31);
      if (out.length - listed < WORD_BITS) {
        this.listedUntil = group * WORD_BITS;
        return listed;
      }
      for (; bits !== 0; bits &= bits - 1) {
        out[listed] = group * WORD_BITS + lowestBit(bits);
        listed += 1;
      }
    }
    this.listedUntil = groupsListed < CURSOR_GROUPS ? this.words.length : (cursorGroups[groupsListed - 1]! + 1) * WORD_BITS;
    return listed;
  }

  /**
   * Lists the nonzero mark words (groups) in [from, end) into `out`, ascending, until it is full; returns how
   * many it listed. It walks level 2, which is exact over the marks, one word of it at a time, and climbs the
   * levels above only to skip a run of empty level-2 words: measured on the 0.01% random map of bench/, about
   * a third of the time of searching from each group to the next.
   */
  private listMarkedGroups(from: number, end: number, out: Int32Array): number {
    const marks = this.levels[1]!;
    const stop = Math.min(end, marks.length);
    if (from >= stop) return 0;
    let listed = 0;
    if (this.levels.length === 2) {
      for (let group = from; group < stop && listed < out.length; group += 1) {
        if (marks[group] !== 0) {
          out[listed] = group;
          listed += 1;
        }
      }
      return listed;
    }
    const summary = this.levels[2]!;
    let index = from >>> 5;
    let bits = (summary[index]! | 0) & (-1 << (from & 31));
    while (listed < out.length) {
      while (bits === 0) {
        // The next level-2 word is usually the next nonzero one in a sparse random map; only a run of empty
        // ones is skipped through the levels above.
        index += 1;
        if (index * WORD_BITS >= stop) return listed;
        bits = summary[index]! | 0;
        if (bits !== 0) break;
        index = this.nextNonzeroWord(2, index);
        if (index === -1 || index * WORD_BITS >= stop) return listed;
        bits = summary[index]! | 0;
      }
      const group = index * WORD_BITS + lowestBit(bits);
      if (group >= stop) return listed;
      out[listed] = group;
      listed += 1;
      bits &= bits - 1;
    }
    return listed;
  }

  /**
   * Recomputes the marks, summaries and counts from level 0 (after `parse` or `fromWords` wrote the words). It
   * counts word by word rather than through `countWords`: V8 compiled `countWords` for this caller's pattern and
   * `recount` then ran 1.5 times slower (8.2 ms against 5.5 ms for 2^23 words, measured).
   */
  private rebuildIndex(): void {
    const words = this.words;
    const summarized = this.levels.length > 1;
    this.markVersion += 1;
    this.setCount = 0;
    this.sliceCounts?.fill(0);
    for (let slice = 0; slice < this.sliceTotal(); slice += 1) {
      const [first, end] = this.sliceWordRange(slice);
      let total = 0;
      for (let index = first; index < end; index += 1) {
        const word = words[index]! | 0;
        if (word === 0) continue;
        total += popcount32(word);
        if (summarized) this.markWord(index);
      }
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
    if (this.sliceCounts === null) this.setCount += delta;
    else this.sliceCounts[slice] = this.sliceCounts[slice]! + delta;
  }

  /**
   * Whether words [first, end) of this map (and of `other`) are better visited one marked word at a time than
   * in bulk. The estimate of scattered words is the number of nonzero mark words, read from the level above
   * the marks: at least one marked word each, and a fraction of the work of counting the marks themselves.
   */
  private fewMarked(other: FastBitmap | null, first: number, end: number): boolean {
    // A marked word usually holds a set bit (searches remove the marks of emptied words), so small counts
    // settle it without counting mark words.
    const setBits = this.count + (other === null ? 0 : other.count);
    if (setBits * SCATTERED_WORD_COST < end - first) return true;
    const scattered = this.markGroups(first, end) + (other === null ? 0 : other.markGroups(first, end));
    return scattered * SCATTERED_WORD_COST < end - first;
  }

  /** Nonzero mark words over words [first, end). */
  private markGroups(first: number, end: number): number {
    const from = first >>> 5;
    const to = ((end - 1) >>> 5) + 1;
    if (this.levels.length === 2) {
      let groups = 0;
      for (let group = from; group < to; group += 1) if (this.levels[1]![group] !== 0) groups += 1;
      return groups;
    }
    return countBits(this.levels[2]!, from, to);
  }

  /** Sets every bit of one whole slice (marks not included); returns how many were newly set. */
  private fillSlice(slice: number): number {
    const [first, end] = this.sliceWordRange(slice);
    const tailBits = this.bitCount & 31;
    const full = end === this.words.length && tailBits !== 0 ? end - 1 : end;
    this.words.fill(-1, first, full);
    if (full !== end) this.words[full] = rangeMask(0, tailBits);
    const bitsInSlice = Math.min(this.bitCount, (slice + 1) * SLICE_BITS) - slice * SLICE_BITS;
    return bitsInSlice - this.sliceCount(slice);
  }

  private mergeSlice(other: FastBitmap, slice: number): void {
    if (other.sliceCount(slice) === 0) return;
    const [first, end] = this.sliceWordRange(slice);
    // Either way below may mark words: a cursor listed before this step may miss them.
    this.markVersion += 1;
    let added: number;
    if (this.levels.length === 1) added = mergeWords(this.words, other.words, first, end);
    else if (other.mostlyMarked(slice, first, end)) added = this.mergeAllWords(other, first, end);
    else added = this.mergeMarkedWords(other, first, end);
    this.addToSlice(slice, added);
  }

  /**
   * Whether at least half the words of a slice, words [first, end), are marked. A slice with fewer set bits
   * than that is settled without counting marks (a pass over its marks, 1/32 of its words), so a sparse merge
   * stays O(marked words).
   */
  private mostlyMarked(slice: number, first: number, end: number): boolean {
    const half = (end - first) / 2;
    if (this.sliceCount(slice) < half) return false;
    return countWords(this.levels[1]!, first >>> 5, ((end - 1) >>> 5) + 1) >= half;
  }

  /**
   * ORs in every source word of [first, end) in one straight loop, then the source's marks group by group: the
   * path for a source with at least half its words marked (50% clustered: 12 ms against 14.6 ms through the
   * marks; 1% random, a quarter of the words marked, is faster through the marks: 9.2 ms against 13 ms,
   * measured). Returns the number of newly set bits.
   */
  private mergeAllWords(other: FastBitmap, first: number, end: number): number {
    const added = mergeWords(this.words, other.words, first, end);
    const marks = this.levels[1]!;
    const groupFirst = first >>> 5;
    const groupEnd = ((end - 1) >>> 5) + 1;
    // The marks are ORed like the words. Only a merge that set a new mark can have made a group nonzero, and
    // only then are the groups visited to mark the level above; two dense maps, every group full, skip that.
    if (mergeWords(marks, other.levels[1]!, groupFirst, groupEnd) === 0) return added;
    for (let group = groupFirst; group < groupEnd; group += 1) if (marks[group] !== 0) this.markNonzero(2, group);
    return added;
  }

  /**
   * ORs the source's words [first, end) in, visiting only the source's marked words (found through its summary
   * levels): a run of groups of 32 marked words takes one straight loop (the dense case), a group of a few marked
   * words is ORed in on the spot, and the words of sparser groups are listed in `markedBatch` first and ORed in
   * by `mergeListedWords`. Returns the number of newly set bits.
   */
  private mergeMarkedWords(other: FastBitmap, first: number, end: number): number {
    const words = this.words;
    const source = other.words;
    const marks = this.levels[1]!;
    const sourceMarks = other.levels[1]!;
    let added = 0;
    let listed = 0;
    const groupEnd = ((end - 1) >>> 5) + 1;
    const groupsListed = other.listMarkedGroups(first >>> 5, groupEnd, sliceGroups);
    for (let position = 0; position < groupsListed; position += 1) {
      const group = sliceGroups[position]!;
      const sourceBits = sourceMarks[group]! | 0;
      if (sourceBits === -1) {
        // A run of fully marked groups is one straight loop, and its marks one pass.
        let runEnd = group + 1;
        while (runEnd < groupEnd && sourceMarks[runEnd] === -1) runEnd += 1;
        added += mergeWords(words, source, group * WORD_BITS, runEnd * WORD_BITS);
        this.markWholeGroups(group, runEnd);
        while (position + 1 < groupsListed && sliceGroups[position + 1]! < runEnd) position += 1;
        continue;
      }
      if (popcount32(sourceBits) >= GROUP_INLINE_WORDS) {
        // Written out here: as a method called per group it ran 1.3-1.6 times slower in the bench (1% random).
        for (let bits = sourceBits; bits !== 0; bits &= bits - 1) {
          const index = group * WORD_BITS + lowestBit(bits);
          const word = words[index]! | 0;
          const fresh = source[index]! & ~word;
          words[index] = word | fresh;
          added += popcount32(fresh);
        }
        const old = marks[group]!;
        marks[group] = old | sourceBits;
        if (old === 0) this.markNonzero(2, group);
        continue;
      }
      for (let bits = sourceBits; bits !== 0; bits &= bits - 1) {
        markedBatch[listed] = group * WORD_BITS + lowestBit(bits);
        listed += 1;
      }
      if (listed > MARKED_BATCH - WORD_BITS) {
        added += this.mergeListedWords(other, listed);
        listed = 0;
      }
    }
    return added + this.mergeListedWords(other, listed);
  }

  /**
   * ORs in the source's words listed in `markedBatch[0, listed)` and marks them; returns the number of newly set
   * bits. The first loop has no branch on the summary, so the cache misses of successive words can overlap;
   * with the summary walk between words, as in the earlier form, a 0.01% random merge took 1.3 ms against
   * 0.84-0.95 ms (measured outside the bench, on the project's machine).
   */
  private mergeListedWords(other: FastBitmap, listed: number): number {
    const words = this.words;
    const source = other.words;
    let added = 0;
    for (let position = 0; position < listed; position += 1) {
      const index = markedBatch[position]!;
      const word = words[index]! | 0;
      const fresh = source[index]! & ~word;
      words[index] = word | fresh;
      added += popcount32(fresh);
    }
    const marks = this.levels[1]!;
    for (let position = 0; position < listed; position += 1) {
      const index = markedBatch[position]!;
      const group = index >>> 5;
      const old = marks[group]! | 0;
      marks[group] = old | (1 << (index & 31));
      if (old === 0) this.markNonzero(2, group);
    }
    return added;
  }

  private copySlice(other: FastBitmap, slice: number): void {
    // A map is already its own image. Without this, `copyFromInSlices(itself)` cleared the slice's marked words
    // before copying them from itself, and kept the old count (found by test/bitmap-differential.test.ts).
    if (other === this) return;
    const before = this.sliceCount(slice);
    const after = other.sliceCount(slice);
    if (before === 0 && after === 0) return;
    if (this.levels.length === 1) {
      this.words.set(other.words);
      this.setCount = after;
      return;
    }
    const [first, end] = this.sliceWordRange(slice);
    this.markVersion += 1;
    if (this.fewMarked(other, first, end)) {
      this.clearMarkedWords(first, end);
      this.copyMarkedWords(other, first, end);
    } else {
      this.words.set(other.words.subarray(first, end), first);
      this.replaceSummaries(other.levels, first, end);
    }
    this.addToSlice(slice, after - before);
  }

  /** Copies the source's marked words among words [first, end) and their marks (this map's are all clear there). */
  private copyMarkedWords(other: FastBitmap, first: number, end: number): void {
    const words = this.words;
    const source = other.words;
    const marks = this.levels[1]!;
    const sourceMarks = other.levels[1]!;
    const listed = other.listMarkedGroups(first >>> 5, ((end - 1) >>> 5) + 1, sliceGroups);
    for (let position = 0; position < listed; position += 1) {
      const group = sliceGroups[position]!;
      const bits = sourceMarks[group]! | 0;
      for (let rest = bits; rest !== 0; rest &= rest - 1) {
        const index = group * WORD_BITS + lowestBit(rest);
        words[index] = source[index]!;
      }
      marks[group] = bits;
      this.markNonzero(2, group);
    }
  }

  private clearSlice(slice: number): void {
    const before = this.sliceCount(slice);
    if (before === 0) return;
    if (this.levels.length === 1) {
      this.clearAll();
      return;
    }
    const [first, end] = this.sliceWordRange(slice);
    if (this.fewMarked(null, first, end)) {
      this.clearMarkedWords(first, end);
    } else {
      this.words.fill(0, first, end);
      this.replaceSummaries(null, first, end);
    }
    this.addToSlice(slice, -before);
  }

  /**
   * Zeroes the marked words among words [first, end) and clears their marks, finding them through the summary
   * levels: O(marked words), where clearing the marks in bulk would cost a pass over them (1 MiB at 2^28 bits).
   */
  private clearMarkedWords(first: number, end: number): void {
    const words = this.words;
    const marks = this.levels[1]!;
    const listed = this.listMarkedGroups(first >>> 5, ((end - 1) >>> 5) + 1, sliceGroups);
    for (let position = 0; position < listed; position += 1) {
      const group = sliceGroups[position]!;
      for (let bits = marks[group]! | 0; bits !== 0; bits &= bits - 1) words[group * WORD_BITS + lowestBit(bits)] = 0;
      marks[group] = 0;
      this.markZero(2, group);
    }
  }

  /**
   * Words [first, end) (a whole slice) have just been made equal to `source`'s words (or zero): makes every
   * summary level over them equal to `source`'s (or empty). Where the range covers whole summary words they
   * are copied; at the first level where it does not, its bits are copied one word at a time and each word
   * that became zero or nonzero is propagated upward.
   */
  private replaceSummaries(source: readonly Int32Array[] | null, first: number, end: number): void {
    let from = first;
    let to = end;
    for (let at = 1; at < this.levels.length; at += 1) {
      const level = this.levels[at]!;
      const wordFrom = from >>> 5;
      const wordTo = ((to - 1) >>> 5) + 1;
      if ((from & 31) === 0 && ((to & 31) === 0 || to === this.levels[at - 1]!.length)) {
        if (source === null) level.fill(0, wordFrom, wordTo);
        else level.set(source[at]!.subarray(wordFrom, wordTo), wordFrom);
        from = wordFrom;
        to = wordTo;
        continue;
      }
      for (let index = wordFrom; index < wordTo; index += 1) {
        const base = index * WORD_BITS;
        const mask = rangeMask(Math.max(from, base) - base, Math.min(to, base + WORD_BITS) - base);
        const old = level[index]!;
        const next = (old & ~mask) | (source === null ? 0 : source[at]![index]! & mask);
        if (old === next) continue;
        level[index] = next;
        if (old === 0) this.markNonzero(at + 1, index);
        else if (next === 0) this.markZero(at + 1, index);
      }
      return;
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

/**
 * Reads the listed words once, in a loop whose addresses do not depend on what it reads, so that their cache
 * misses overlap; the search that follows then finds each word in cache. Without it, each answer of a walk by
 * `nextSet` waited for its own miss: 0.52 B against 0.32 B for the 0.01% random map of bench/ (measured).
 */
function touchListed(words: Int32Array, listed: Int32Array, length: number): void {
  let seen = 0;
  for (let position = 0; position < length; position += 1) seen |= words[listed[position]!]!;
  prefetched = seen;
}

/** Writes the set bits of `word` (word `index` of a map) into `out` from `written` on; returns the new fill. */
function collectWord(word: number, index: number, out: Uint32Array, written: number): number {
  let rest = word;
  let filled = written;
  const base = index * WORD_BITS;
  while (rest !== 0 && filled < out.length) {
    const lowest = rest & -rest;
    out[filled] = base + 31 - Math.clz32(lowest);
    filled += 1;
    rest ^= lowest;
  }
  return filled;
}

/** ORs `source` into `words` over [first, end); returns the number of newly set bits. Long ranges go to the kernel. */
function mergeWords(words: Int32Array, source: Int32Array, first: number, end: number): number {
  if (kernel !== null && end - first >= KERNEL_MIN_WORDS) return kernel.mergeWords(words, source, first, end);
  return mergeWordsPortable(words, source, first, end);
}

/** Set bits in words [first, end). Long ranges go to the kernel. */
function countWords(words: Int32Array, first: number, end: number): number {
  if (kernel !== null && end - first >= KERNEL_MIN_WORDS) return kernel.countWords(words, first, end);
  return countWordsPortable(words, first, end);
}

/**
 * `mergeWords` in plain TypeScript, the form a port without SIMD follows. The new bits of eight
 * words at a time go through a Harley-Seal tree of carry-save adders (Muła, Kurz and Lemire, "Faster
 * population counts"): each adder folds two words into the running `ones` and `twos` counters with five
 * bitwise operations, and only the eights are popcounted, once per eight words. On the project's machine a
 * dense merge of 2^23 words took 9.4 ms this way against 11.3 ms with a SWAR popcount of every four words.
 */
export function mergeWordsPortable(words: Int32Array, source: Int32Array, first: number, end: number): number {
  let added = 0;
  let index = first;
  for (; (end - index) % 8 !== 0; index += 1) {
    const word = words[index]! | 0;
    const incoming = source[index]! | 0;
    words[index] = word | incoming;
    added += popcount32(incoming & ~word);
  }
  let ones = 0;
  let twos = 0;
  let fours = 0;
  let eightsTotal = 0;
  for (; index < end; index += 8) {
    let word = words[index]! | 0;
    let incoming = source[index]! | 0;
    words[index] = word | incoming;
    let a = incoming & ~word;
    word = words[index + 1]! | 0;
    incoming = source[index + 1]! | 0;
    words[index + 1] = word | incoming;
    let b = incoming & ~word;
    let sum = ones ^ a;
    let twosA = (ones & a) | (sum & b);
    ones = sum ^ b;
    word = words[index + 2]! | 0;
    incoming = source[index + 2]! | 0;
    words[index + 2] = word | incoming;
    a = incoming & ~word;
    word = words[index + 3]! | 0;
    incoming = source[index + 3]! | 0;
    words[index + 3] = word | incoming;
    b = incoming & ~word;
    sum = ones ^ a;
    let twosB = (ones & a) | (sum & b);
    ones = sum ^ b;
    sum = twos ^ twosA;
    const foursA = (twos & twosA) | (sum & twosB);
    twos = sum ^ twosB;
    word = words[index + 4]! | 0;
    incoming = source[index + 4]! | 0;
    words[index + 4] = word | incoming;
    a = incoming & ~word;
    word = words[index + 5]! | 0;
    incoming = source[index + 5]! | 0;
    words[index + 5] = word | incoming;
    b = incoming & ~word;
    sum = ones ^ a;
    twosA = (ones & a) | (sum & b);
    ones = sum ^ b;
    word = words[index + 6]! | 0;
    incoming = source[index + 6]! | 0;
    words[index + 6] = word | incoming;
    a = incoming & ~word;
    word = words[index + 7]! | 0;
    incoming = source[index + 7]! | 0;
    words[index + 7] = word | incoming;
    b = incoming & ~word;
    sum = ones ^ a;
    twosB = (ones & a) | (sum & b);
    ones = sum ^ b;
    sum = twos ^ twosA;
    const foursB = (twos & twosA) | (sum & twosB);
    twos = sum ^ twosB;
    sum = fours ^ foursA;
    eightsTotal += popcount32((fours & foursA) | (sum & foursB));
    fours = sum ^ foursB;
  }
  return added + 8 * eightsTotal + 4 * popcount32(fours) + 2 * popcount32(twos) + popcount32(ones);
}

/**
 * `countWords` in plain TypeScript, through the same Harley-Seal tree as `mergeWordsPortable` (5.3 ms for 2^23 words
 * on the project's machine, against 7.5 ms for a SWAR popcount of every four). The odd words come first: in
 * the form with the tail loop after the main one, V8 compiled the main loop about 1.5 times slower (measured).
 */
export function countWordsPortable(words: Int32Array, first: number, end: number): number {
  let total = 0;
  let index = first;
  for (; (end - index) % 8 !== 0; index += 1) total += popcount32(words[index]! | 0);
  let ones = 0;
  let twos = 0;
  let fours = 0;
  let eightsTotal = 0;
  for (; index < end; index += 8) {
    let a = words[index]! | 0;
    let b = words[index + 1]! | 0;
    let sum = ones ^ a;
    let twosA = (ones & a) | (sum & b);
    ones = sum ^ b;
    a = words[index + 2]! | 0;
    b = words[index + 3]! | 0;
    sum = ones ^ a;
    let twosB = (ones & a) | (sum & b);
    ones = sum ^ b;
    sum = twos ^ twosA;
    const foursA = (twos & twosA) | (sum & twosB);
    twos = sum ^ twosB;
    a = words[index + 4]! | 0;
    b = words[index + 5]! | 0;
    sum = ones ^ a;
    twosA = (ones & a) | (sum & b);
    ones = sum ^ b;
    a = words[index + 6]! | 0;
    b = words[index + 7]! | 0;
    sum = ones ^ a;
    twosB = (ones & a) | (sum & b);
    ones = sum ^ b;
    sum = twos ^ twosA;
    const foursB = (twos & twosA) | (sum & twosB);
    twos = sum ^ twosB;
    sum = fours ^ foursA;
    eightsTotal += popcount32((fours & foursA) | (sum & foursB));
    fours = sum ^ foursB;
  }
  return total + 8 * eightsTotal + 4 * popcount32(fours) + 2 * popcount32(twos) + popcount32(ones);
}

/** Set bits among bits [from, to) of a word array. */
function countBits(words: Int32Array, from: number, to: number): number {
  if (from >= to) return 0;
  const first = from >>> 5;
  const last = (to - 1) >>> 5;
  let total = 0;
  for (let index = first; index <= last; index += 1) {
    const low = index === first ? from & 31 : 0;
    const high = index === last ? ((to - 1) & 31) + 1 : WORD_BITS;
    total += popcount32(words[index]! & rangeMask(low, high));
  }
  return total;
}

function sameWords(words: Int32Array, other: Int32Array, first: number, end: number): boolean {
  for (let index = first; index < end; index += 1) if (words[index] !== other[index]) return false;
  return true;
}

/** Sets bits [from, to) of a word array (from < to); returns how many were newly set. */
function setBits(words: Int32Array, from: number, to: number): number {
  const first = from >>> 5;
  const last = (to - 1) >>> 5;
  let added = 0;
  for (let index = first; index <= last; index += 1) {
    const low = index === first ? from & 31 : 0;
    const high = index === last ? ((to - 1) & 31) + 1 : WORD_BITS;
    const word = words[index]!;
    const mask = rangeMask(low, high);
    added += popcount32(mask & ~word);
    words[index] = word | mask;
  }
  return added;
}
