/**
 * The exhaustive checker's visited set, in typed arrays (issue 12 item 1): an open-addressing hash table
 * over fixed-width packed worlds (src/harness/layout.ts), or over 64-bit fingerprints of them in hash
 * compaction mode, plus the per-state arrays the search keeps (parent, event index). Nothing here holds a
 * JavaScript object per state: a JavaScript `Map` is capped at 2^24 entries by V8 and costs about a hundred
 * bytes an entry, where a packed world of mirror-pair costs a few words.
 *
 * Arrays grow in pages, so that growing never copies what is stored and no single typed array has to hold
 * every state; the only bound on the number of states is memory.
 *
 * Hash compaction (Holzmann's, as in Spin's -DHC, and Wolper and Leroy's analysis): only a 64-bit
 * fingerprint of each world is kept, and the packed worlds only until they are expanded. Two different
 * worlds with the same fingerprint are taken for one, and the second is never searched: with n states
 * stored and 64-bit fingerprints of a good hash, the probability that any state was omitted is at most
 * n(n-1)/2^65 (`omissionProbability`).
 */
import { assert } from '../assert.js';

/** States per page of the paged arrays: 2^12. */
const PAGE_SHIFT = 12;
const PAGE_STATES = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_STATES - 1;
/** The table doubles when it is this full. */
const MAX_LOAD = 0.7;
const INITIAL_CAPACITY = 1 << 12;
/** Code units per chunk of a KeySet's key text, once it has grown: 2^24. */
const MAX_CHUNK = 1 << 24;

/** MurmurHash3's 32-bit hash of `count` words from `offset`, with a seed: fast, and good in every bit. */
export function hashWords(words: Uint32Array, offset: number, count: number, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < count; i += 1) {
    let k = Math.imul(words[offset + i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= count * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The seed of the table's hash; the fingerprint's second half and the owner of a state use others. */
export const TABLE_SEED = 0x9747b28c;
export const FINGERPRINT_SEED = 0x2f6b1d3a;
/** The seed of the hash that picks which worker of a parallel search owns a state (src/verify/parallel.ts). */
export const OWNER_SEED = 0x5bd1e995;

/** A growable array of whole numbers in pages of one typed array kind. */
export class PagedArray<A extends Uint32Array | Uint16Array | Uint8Array> {
  private readonly pages: (A | undefined)[] = [];
  private firstKept = 0;

  constructor(
    private readonly make: (length: number) => A,
    /** Elements per state: a page holds PAGE_STATES states. */
    readonly width: number,
  ) {}

  /** The page and the offset in it of state `index`, making the page when it is new. */
  private pageFor(index: number): A {
    const number = index >>> PAGE_SHIFT;
    let page = this.pages[number];
    if (page === undefined) {
      assert(number >= this.firstKept, 'a paged array written below its released pages');
      page = this.make(PAGE_STATES * this.width);
      this.pages[number] = page;
    }
    return page;
  }

  set(index: number, value: number): void {
    this.pageFor(index)[(index & PAGE_MASK) * this.width] = value;
  }

  get(index: number): number {
    return this.pages[index >>> PAGE_SHIFT]![(index & PAGE_MASK) * this.width]!;
  }

  /** Copies `width` elements from `source[offset ..]` into state `index`'s slot. */
  setRow(index: number, source: A, offset: number): void {
    const page = this.pageFor(index);
    const at = (index & PAGE_MASK) * this.width;
    for (let i = 0; i < this.width; i += 1) page[at + i] = source[offset + i]!;
  }

  /** The page holding state `index` and the offset of its row, for reading in place. */
  row(index: number): { readonly page: A; readonly offset: number } {
    const page = this.pages[index >>> PAGE_SHIFT];
    assert(page !== undefined, () => `state ${index} is not held any more`);
    return { page, offset: (index & PAGE_MASK) * this.width };
  }

  pageOf(index: number): A {
    const page = this.pages[index >>> PAGE_SHIFT];
    assert(page !== undefined, () => `state ${index} is not held any more`);
    return page;
  }

  static offsetOf(index: number, width: number): number {
    return (index & PAGE_MASK) * width;
  }

  /** Frees every page wholly below state `index`. */
  release(index: number): void {
    const below = index >>> PAGE_SHIFT;
    for (let number = this.firstKept; number < below; number += 1) this.pages[number] = undefined;
    this.firstKept = Math.max(this.firstKept, below);
  }

  bytes(): number {
    let total = 0;
    for (const page of this.pages) if (page !== undefined) total += page.byteLength;
    return total;
  }
}

/**
 * The set of packed worlds a search has stored, each `words` words, numbered in the order they were added.
 * `find` looks a world up; `add` stores one that `find` did not find, with the same arguments, before any
 * other call. Only the first `keyWords` words of a world (all of them unless told) identify it and are
 * hashed: the rest are a layout's carried words (src/harness/layout.ts), kept as the first world of a state
 * had them.
 */
export interface VisitedSet {
  readonly size: number;
  /** True when the world packed at `words[offset ..]`, whose table hash is `hash`, is stored. */
  find(words: Uint32Array, offset: number, hash: number): boolean;
  /** Stores the world `find` just did not find; returns its number. */
  add(words: Uint32Array, offset: number, hash: number): number;
  /** The page and offset where state `index`'s packed words are, while it is held (not released). */
  packed(index: number): { readonly page: Uint32Array; readonly offset: number };
  /** States below `index` are expanded: hash compaction frees their packed words. */
  release(index: number): void;
  bytes(): number;
  /** Hash compaction: the bound on the probability that a state was omitted; 0 when the set is exact. */
  omissionProbability(): number;
}

/** Every packed world kept whole: exact, and it is its own queue. */
export class PackedSet implements VisitedSet {
  size = 0;
  private table = new Uint32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private readonly arena: PagedArray<Uint32Array>;
  private lastSlot = -1;
  /** The number of the state the last `find` that hit found (a parallel search updates what it keeps of it). */
  foundIndex = -1;

  constructor(private readonly words: number, private readonly keyWords = words) {
    assert(keyWords >= 1 && keyWords <= words, 'a packed world identified by 1 to all of its words');
    this.arena = new PagedArray((length) => new Uint32Array(length), words);
  }

  find(words: Uint32Array, offset: number, hash: number): boolean {
    const width = this.words;
    const compared = this.keyWords;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot]!;
      if (entry === 0) {
        this.lastSlot = slot;
        return false;
      }
      const index = entry - 1;
      const page = this.arena.pageOf(index);
      const at = PagedArray.offsetOf(index, width);
      let same = true;
      for (let i = 0; i < compared; i += 1) {
        if (page[at + i] !== words[offset + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        this.foundIndex = index;
        return true;
      }
    }
  }

  add(words: Uint32Array, offset: number, _hash: number): number {
    assert(this.lastSlot !== -1 && this.table[this.lastSlot] === 0, 'add without a find that missed');
    const index = this.size;
    this.arena.setRow(index, words, offset);
    this.table[this.lastSlot] = index + 1;
    this.lastSlot = -1;
    this.size += 1;
    if (this.size > this.table.length * MAX_LOAD) this.grow();
    return index;
  }

  /** Doubles the table and puts every state back, by a hash recomputed from its packed words. */
  private grow(): void {
    const capacity = this.table.length * 2;
    const table = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let index = 0; index < this.size; index += 1) {
      let slot = hashWords(this.arena.pageOf(index), PagedArray.offsetOf(index, this.words), this.keyWords, TABLE_SEED) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = index + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  packed(index: number): { readonly page: Uint32Array; readonly offset: number } {
    return this.arena.row(index);
  }

  /**
   * Puts the carried words (those after the first `keyWords`) of the world at `words[offset ..]` in state
   * `index`: a parallel search that finds a state first reached earlier in the sequential order than the
   * world it keeps takes that one's, as the sequential search keeps the first world's.
   */
  replaceCarried(index: number, words: Uint32Array, offset: number): void {
    if (this.keyWords === this.words) return;
    const { page, offset: at } = this.arena.row(index);
    for (let i = this.keyWords; i < this.words; i += 1) page[at + i] = words[offset + i]!;
  }

  release(): void {
    // Every packed world is the set itself: nothing can be freed.
  }

  bytes(): number {
    return this.table.byteLength + this.arena.bytes();
  }

  omissionProbability(): number {
    return 0;
  }
}

/**
 * Hash compaction: a table of 64-bit fingerprints (the table hash and a second, independent one), and the
 * packed words of states not yet expanded only.
 */
export class FingerprintSet implements VisitedSet {
  size = 0;
  /** Two words a slot: the table hash, then the second hash; both zero is an empty slot. */
  private table = new Uint32Array(2 * INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  private readonly frontier: PagedArray<Uint32Array>;
  private lastSlot = -1;
  private lastSecond = 0;

  constructor(private readonly words: number, private readonly keyWords = words) {
    assert(keyWords >= 1 && keyWords <= words, 'a packed world identified by 1 to all of its words');
    this.frontier = new PagedArray((length) => new Uint32Array(length), words);
  }

  /** The second half of the fingerprint; never 0 with a first half of 0, which marks an empty slot. */
  private second(words: Uint32Array, offset: number, hash: number): number {
    const second = hashWords(words, offset, this.keyWords, FINGERPRINT_SEED);
    return hash === 0 && second === 0 ? 1 : second;
  }

  find(words: Uint32Array, offset: number, hash: number): boolean {
    const second = this.second(words, offset, hash);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const first = this.table[2 * slot]!;
      const other = this.table[2 * slot + 1]!;
      if (first === 0 && other === 0) {
        this.lastSlot = slot;
        this.lastSecond = second;
        return false;
      }
      if (first === hash && other === second) return true;
    }
  }

  add(words: Uint32Array, offset: number, hash: number): number {
    assert(this.lastSlot !== -1, 'add without a find that missed');
    const index = this.size;
    this.frontier.setRow(index, words, offset);
    this.table[2 * this.lastSlot] = hash;
    this.table[2 * this.lastSlot + 1] = this.lastSecond;
    this.lastSlot = -1;
    this.size += 1;
    if (this.size > this.mask * MAX_LOAD) this.grow();
    return index;
  }

  private grow(): void {
    const capacity = 2 * (this.mask + 1);
    const table = new Uint32Array(2 * capacity);
    const mask = capacity - 1;
    for (let slot = 0; slot <= this.mask; slot += 1) {
      const first = this.table[2 * slot]!;
      const other = this.table[2 * slot + 1]!;
      if (first === 0 && other === 0) continue;
      let at = first & mask;
      while (table[2 * at] !== 0 || table[2 * at + 1] !== 0) at = (at + 1) & mask;
      table[2 * at] = first;
      table[2 * at + 1] = other;
    }
    this.table = table;
    this.mask = mask;
  }

  packed(index: number): { readonly page: Uint32Array; readonly offset: number } {
    return this.frontier.row(index);
  }

  release(index: number): void {
    this.frontier.release(index);
  }

  bytes(): number {
    return this.table.byteLength + this.frontier.bytes();
  }

  omissionProbability(): number {
    return (this.size * (this.size - 1)) / 2 ** 65;
  }
}

/**
 * Worlds of a lifecycle with no layout: each stored as its key's UTF-16 code units in a variable-length
 * arena, so the set is exact and uncapped but cannot rebuild a world; the search keeps the world objects of
 * the states it has not expanded yet (src/verify/exhaustive.ts).
 */
export class KeySet {
  size = 0;
  private table = new Uint32Array(INITIAL_CAPACITY);
  private mask = INITIAL_CAPACITY - 1;
  /** Where each key's code units start: the chunk, and the offset in it. */
  private readonly chunkOf = new PagedArray((length) => new Uint32Array(length), 1);
  private readonly starts = new PagedArray((length) => new Uint32Array(length), 1);
  private readonly hashes = new PagedArray((length) => new Uint32Array(length), 1);
  private chunks: Uint16Array[] = [new Uint16Array(1 << 16)];
  private used = 0;
  private lastSlot = -1;
  /** The number of the key the last `find` that hit found. */
  foundIndex = -1;

  static hash(key: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i += 1) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return h >>> 0;
  }

  /** The code units of stored key `index`, compared with `key`. */
  private equals(index: number, key: string): boolean {
    const chunk = this.chunks[this.chunkOf.get(index)]!;
    let at = this.starts.get(index);
    if (chunk[at] !== (key.length & 0xffff) || chunk[at + 1] !== key.length >>> 16) return false;
    at += 2;
    for (let i = 0; i < key.length; i += 1) if (chunk[at + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  find(key: string, hash: number): boolean {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = this.table[slot]!;
      if (entry === 0) {
        this.lastSlot = slot;
        return false;
      }
      if (this.hashes.get(entry - 1) === hash && this.equals(entry - 1, key)) {
        this.foundIndex = entry - 1;
        return true;
      }
    }
  }

  add(key: string, hash: number): number {
    assert(this.lastSlot !== -1, 'add without a find that missed');
    const needed = key.length + 2;
    let chunk = this.chunks[this.chunks.length - 1]!;
    if (this.used + needed > chunk.length) {
      // Chunks double up to 16 M code units (32 MB) each, so no one allocation is huge; a longer key gets
      // a chunk of its own size.
      chunk = new Uint16Array(Math.max(Math.min(MAX_CHUNK, 2 * chunk.length), needed));
      this.chunks.push(chunk);
      this.used = 0;
    }
    chunk[this.used] = key.length & 0xffff;
    chunk[this.used + 1] = key.length >>> 16;
    for (let i = 0; i < key.length; i += 1) chunk[this.used + 2 + i] = key.charCodeAt(i);
    const index = this.size;
    this.chunkOf.set(index, this.chunks.length - 1);
    this.starts.set(index, this.used);
    this.hashes.set(index, hash);
    this.used += needed;
    this.table[this.lastSlot] = index + 1;
    this.lastSlot = -1;
    this.size += 1;
    if (this.size > this.table.length * MAX_LOAD) this.grow();
    return index;
  }

  private grow(): void {
    const capacity = this.table.length * 2;
    const table = new Uint32Array(capacity);
    const mask = capacity - 1;
    for (let index = 0; index < this.size; index += 1) {
      let slot = this.hashes.get(index) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = index + 1;
    }
    this.table = table;
    this.mask = mask;
  }

  bytes(): number {
    return this.table.byteLength + this.chunkOf.bytes() + this.starts.bytes() + this.hashes.bytes() + this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  }
}
