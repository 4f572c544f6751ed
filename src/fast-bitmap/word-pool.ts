/**
 * The word pool: where the level-0 words of large bitmaps live, so that the WebAssembly kernel of
 * src/fast-bitmap/merge-kernel.ts can merge and count them in place instead of copying them through its staging buffers
 * (issue 4: a dense OR-merge at most 1.2 B with a kernel; anchors/bitmap_performance.md §5.8). Nothing here
 * knows about tracks or summaries: it hands out zeroed `Int32Array`s and takes them back.
 *
 * `allocateWords(count)` returns a plain `new Int32Array(count)` below `RESIDENT_THRESHOLD_WORDS` (2^19 words,
 * 2 MiB: maps of at least 2^24 bits). At or above it, the words are a view on one process-wide
 * `WebAssembly.Memory`, created on the first such allocation with its initial size equal to its maximum
 * (`POOL_PAGES`, 4 GiB less one page). Creating it reserves address space only; Linux commits a page on its
 * first touch, so the pool costs memory only for words that are used. Because the memory never grows, its
 * buffer never detaches and a view handed out stays valid for the life of the process.
 *
 * Blocks are whole 64 KiB wasm pages, taken first-fit from a free list sorted by address, else from a bump
 * pointer. A freed block is coalesced with its free neighbours, and a free block that reaches the bump
 * pointer lowers it. A block is freed when the array handed out for it is garbage collected (a
 * `FinalizationRegistry` whose held value is the block record, which never refers to the array), or at once
 * by `release`. Pages that were never handed out are still zero from the operating system; a block that
 * reuses pages handed out before is zeroed before it is returned, so every array starts zeroed either way.
 * The first `STAGING_PAGES` pages are never handed out: they are the kernel's staging buffers for a merge
 * between a resident array and a plain one.
 *
 * A view into the 4 GiB buffer is about as fast as a plain array for single elements: random set and test of
 * 2^20 positions in a 2^23-word map, through the same function, took 13-17 ns per operation either way on the
 * project's machine (six runs of bench/kernel-probe.ts). The resident map's time was 0.98-1.05 of the plain
 * one's for set and 1.00-1.09 for test, with no run slower by more than that; both are dominated by cache
 * misses. Transparent huge pages are `madvise` there, so neither array had them.
 *
 * Fallback. When the pool has no block large enough, or WebAssembly is unavailable (for instance under
 * `--jitless`), or the operating system refuses even the smallest memory tried, the caller gets a plain
 * `Int32Array`. That is always correct: the kernel then stages the words as it does for small maps, only
 * slower. `statistics().fallbackCount` counts these.
 *
 * Caveats, all consequences of WebAssembly memory being one buffer that cannot shrink:
 *   - Memory is never returned to the operating system. A freed block is reused by the next large map, but the
 *     process keeps the pages it touched, so its resident size keeps the peak of live large maps
 *     (`statistics().bytesTouched` is that peak).
 *   - A block comes back only after the garbage collector has found its array unreachable and the event loop
 *     has turned, because finalizers run as separate tasks. A synchronous loop that allocates and drops many
 *     large maps may therefore fill the pool and fall back to plain arrays until it yields.
 *   - The block belongs to the array that `allocate` returned. A `subarray` of it does not keep it alive, so a
 *     caller must hold the original array for as long as it uses any view of it.
 *   - Node's `process.memoryUsage().external` counts the whole reservation (4 GiB) from the moment the pool is
 *     created, though almost none of it is in memory; `rss` is the figure to watch.
 *   - `words.buffer` of a resident array is the whole pool. Anything that serializes or copies a bitmap must
 *     use `byteOffset` and `length` (or `slice()`), never the buffer alone; `structuredClone` or `postMessage`
 *     of a resident array would copy all 4 GiB.
 */
import { assert } from '../assert.js';

/** Bytes per WebAssembly page: the pool's unit of allocation. */
export const PAGE_BYTES = 65_536;
/** Pages in the default pool: the largest memory a 32-bit wasm address reaches with every region ending below 2^32. */
export const POOL_PAGES = 65_535;
/**
 * Arrays of at least this many words (2 MiB, maps of 2^24 bits or more) come from the pool. Below it, a merge
 * or count is short enough that staging costs little, and a whole page per map would waste memory.
 */
export const RESIDENT_THRESHOLD_WORDS = 2 ** 19;
/** Pages kept at the start of the pool for the kernel's two staging buffers (2 x 64 KiB, `CHUNK_WORDS` words each). */
export const STAGING_PAGES = 2;
/** A memory the operating system refuses is retried at half the size, at most this many times. */
const MAX_MEMORY_HALVINGS = 16;
const WORD_BYTES = 4;

/** The part of the `WebAssembly` global this module uses (TypeScript declares it only in the DOM libraries). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmMemoryApi {
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

/** How a pool is laid out; `createWordPool` takes these so that tests can make small pools. */
export interface WordPoolOptions {
  /** Pages in the pool's memory, the staging pages included: at most `POOL_PAGES`. */
  readonly pages: number;
  /** Pages at the start that are never handed out (the kernel's staging buffers). */
  readonly reservedPages: number;
  /** Arrays of fewer words are plain `Int32Array`s. */
  readonly thresholdWords: number;
}

/** What a pool holds, for tests and the bench. Bytes are whole pages. */
export interface WordPoolStatistics {
  /** Whether the pool's memory exists (it is created by the first allocation at or above the threshold). */
  readonly created: boolean;
  /** Why the pool has no memory, if creating it failed. */
  readonly unavailableReason: string | null;
  /** The size of the memory (0 before it is created); smaller than asked if the operating system refused. */
  readonly bytesReserved: number;
  /** Bytes of live blocks. */
  readonly bytesInUse: number;
  readonly blocksInUse: number;
  /** Bytes on the free list (below the bump pointer). */
  readonly bytesFree: number;
  readonly freeBlockCount: number;
  /** Bytes above the bump pointer, never handed out or returned to it. */
  readonly bytesUnused: number;
  /** The highest byte ever handed out: the most of the pool the process has touched. */
  readonly bytesTouched: number;
  /** Allocations at or above the threshold that got a plain array (no room, or no memory). */
  readonly fallbackCount: number;
}

/** A pool of zeroed word arrays on one WebAssembly memory. */
export interface WordPool {
  readonly options: WordPoolOptions;
  /** Bytes at the start of the memory kept for the kernel's staging buffers. */
  readonly reservedBytes: number;
  /** A zeroed array of `count` words: resident if `count` is at least the threshold and there is room. */
  allocate(count: number): Int32Array;
  /**
   * Frees the block of `words` now rather than when it is collected. The caller promises not to use `words`,
   * or any view of it, again. Asserts unless `words` is a live array handed out by this pool.
   */
  release(words: Int32Array): void;
  /** Whether `words` is a view on this pool's memory. */
  isResident(words: Int32Array): boolean;
  /** The pool's memory, or null before the first resident allocation or if it could not be created. */
  memory(): WasmMemory | null;
  statistics(): WordPoolStatistics;
}

/** One block handed out: the finalizer's held value, so it must never refer to the array. */
interface Block {
  readonly startPage: number;
  readonly pages: number;
  readonly wordCount: number;
}

interface FreeBlock {
  startPage: number;
  pages: number;
}

/** The pool's mutable state once its memory exists. Pages are numbered from the start of the memory. */
interface Arena {
  readonly memory: WasmMemory;
  readonly buffer: ArrayBuffer;
  readonly pageCount: number;
  /** Sorted by `startPage`, never two adjacent, none ending at `bumpPage`. */
  readonly freeBlocks: FreeBlock[];
  /** Live blocks by start page. */
  readonly live: Map<number, Block>;
  /** Pages from here to the end are free. */
  bumpPage: number;
  /** Pages below this have been handed out at some time, so may hold old words; pages above are still zero. */
  touchedPage: number;
  bytesInUse: number;
}

/**
 * The memory for a pool of `pages` pages, or why there is none. If the operating system refuses (a small
 * machine with strict overcommit), half the size is tried, down to one page above the reserved ones.
 */
function createMemory(pages: number, reservedPages: number): { memory: WasmMemory } | { reason: string } {
  const api = (globalThis as unknown as { WebAssembly?: WasmMemoryApi }).WebAssembly;
  if (api === undefined) return { reason: 'WebAssembly is unavailable in this runtime' };
  let reason = '';
  let size = pages;
  for (let attempt = 0; attempt <= MAX_MEMORY_HALVINGS && size > reservedPages; attempt += 1) {
    try {
      // initial === maximum: the memory never grows, so a view on it never detaches (anchors §2.2).
      return { memory: new api.Memory({ initial: size, maximum: size }) };
    } catch (error) {
      reason = `a memory of ${size} pages was refused: ${error instanceof Error ? error.message : String(error)}`;
      size = Math.floor(size / 2);
    }
  }
  return { reason };
}

/** Takes `pages` pages, first-fit from the free list, else from the bump pointer; null if neither has room. */
function takePages(arena: Arena, pages: number): number | null {
  const { freeBlocks } = arena;
  for (let index = 0; index < freeBlocks.length; index += 1) {
    const free = freeBlocks[index]!;
    if (free.pages < pages) continue;
    const startPage = free.startPage;
    if (free.pages === pages) freeBlocks.splice(index, 1);
    else {
      free.startPage += pages;
      free.pages -= pages;
    }
    return startPage;
  }
  if (arena.pageCount - arena.bumpPage < pages) return null;
  const startPage = arena.bumpPage;
  arena.bumpPage += pages;
  return startPage;
}

/**
 * Returns a block's pages: into the free list, merged with the free blocks on either side, and into the bump
 * region if it then reaches the bump pointer.
 */
function returnPages(arena: Arena, startPage: number, pages: number): void {
  const { freeBlocks } = arena;
  let low = 0;
  let high = freeBlocks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (freeBlocks[middle]!.startPage < startPage) low = middle + 1;
    else high = middle;
  }
  const before = low > 0 ? freeBlocks[low - 1]! : null;
  const after = low < freeBlocks.length ? freeBlocks[low]! : null;
  assert(before === null || before.startPage + before.pages <= startPage, () => `freed block at page ${startPage} overlaps a free block`);
  assert(after === null || startPage + pages <= after.startPage, () => `freed block at page ${startPage} overlaps a free block`);
  let merged: FreeBlock;
  if (before !== null && before.startPage + before.pages === startPage) {
    before.pages += pages;
    merged = before;
    if (after !== null && startPage + pages === after.startPage) {
      before.pages += after.pages;
      freeBlocks.splice(low, 1);
    }
  } else if (after !== null && startPage + pages === after.startPage) {
    after.startPage = startPage;
    after.pages += pages;
    merged = after;
  } else {
    merged = { startPage, pages };
    freeBlocks.splice(low, 0, merged);
  }
  if (merged.startPage + merged.pages === arena.bumpPage) {
    arena.bumpPage = merged.startPage;
    freeBlocks.pop();
  }
}

function freeBlock(arena: Arena, block: Block): void {
  assert(arena.live.get(block.startPage) === block, () => `block at page ${block.startPage} freed twice`);
  arena.live.delete(block.startPage);
  arena.bytesInUse -= block.pages * PAGE_BYTES;
  returnPages(arena, block.startPage, block.pages);
}

/** A resident array of `count` words in a fresh block, or null if the pool has no room. */
function allocateBlock(arena: Arena, registry: FinalizationRegistry<Block>, count: number): Int32Array | null {
  const pages = Math.ceil((count * WORD_BYTES) / PAGE_BYTES);
  const startPage = takePages(arena, pages);
  if (startPage === null) return null;
  const words = new Int32Array(arena.buffer, startPage * PAGE_BYTES, count);
  // Pages handed out before may hold a freed map's words; pages above `touchedPage` are still as the
  // operating system gave them, zero, and writing zeros there would only commit them early.
  if (startPage < arena.touchedPage) words.fill(0, 0, Math.min(count, ((arena.touchedPage - startPage) * PAGE_BYTES) / WORD_BYTES));
  arena.touchedPage = Math.max(arena.touchedPage, startPage + pages);
  const block: Block = { startPage, pages, wordCount: count };
  arena.live.set(startPage, block);
  arena.bytesInUse += pages * PAGE_BYTES;
  registry.register(words, block, block);
  return words;
}

function statisticsOf(arena: Arena | null, unavailableReason: string | null, fallbackCount: number): WordPoolStatistics {
  if (arena === null) {
    return { created: false, unavailableReason, bytesReserved: 0, bytesInUse: 0, blocksInUse: 0, bytesFree: 0, freeBlockCount: 0,
      bytesUnused: 0, bytesTouched: 0, fallbackCount };
  }
  const freePages = arena.freeBlocks.reduce((total, free) => total + free.pages, 0);
  return {
    created: true,
    unavailableReason,
    bytesReserved: arena.pageCount * PAGE_BYTES,
    bytesInUse: arena.bytesInUse,
    blocksInUse: arena.live.size,
    bytesFree: freePages * PAGE_BYTES,
    freeBlockCount: arena.freeBlocks.length,
    bytesUnused: (arena.pageCount - arena.bumpPage) * PAGE_BYTES,
    bytesTouched: arena.touchedPage * PAGE_BYTES,
    fallbackCount,
  };
}

/**
 * A pool laid out by `options`. Its memory is created by the first allocation at or above the threshold, so a
 * process that never makes a large map never reserves it.
 */
export function createWordPool(options: WordPoolOptions): WordPool {
  const { pages, reservedPages, thresholdWords } = options;
  assert(Number.isInteger(pages) && pages > 0 && pages <= POOL_PAGES, `pool of ${pages} pages`);
  assert(Number.isInteger(reservedPages) && reservedPages >= 0 && reservedPages < pages, `${reservedPages} reserved pages of ${pages}`);
  assert(Number.isSafeInteger(thresholdWords) && thresholdWords >= 0, `threshold of ${thresholdWords} words`);
  let arena: Arena | null = null;
  let unavailableReason: string | null = null;
  let fallbackCount = 0;
  const registry = new FinalizationRegistry<Block>((block) => {
    if (arena !== null) freeBlock(arena, block);
  });
  const ensureArena = (): Arena | null => {
    if (arena !== null || unavailableReason !== null) return arena;
    const created = createMemory(pages, reservedPages);
    if ('reason' in created) {
      unavailableReason = created.reason;
      return null;
    }
    const { memory } = created;
    const pageCount = memory.buffer.byteLength / PAGE_BYTES;
    arena = { memory, buffer: memory.buffer, pageCount, freeBlocks: [], live: new Map(), bumpPage: reservedPages, touchedPage: reservedPages, bytesInUse: 0 };
    return arena;
  };
  return {
    options,
    reservedBytes: reservedPages * PAGE_BYTES,
    allocate(count) {
      assert(Number.isSafeInteger(count) && count >= 0, () => `allocation of ${count} words`);
      if (count === 0 || count < thresholdWords) return new Int32Array(count);
      const current = ensureArena();
      const words = current === null ? null : allocateBlock(current, registry, count);
      if (words !== null) return words;
      fallbackCount += 1;
      return new Int32Array(count);
    },
    release(words) {
      assert(arena !== null && words.buffer === arena.buffer, 'released words are not from this pool');
      const block = arena.live.get(words.byteOffset / PAGE_BYTES);
      assert(block !== undefined && block.wordCount === words.length && block.startPage * PAGE_BYTES === words.byteOffset,
        'released words are not a live array handed out by this pool');
      registry.unregister(block);
      freeBlock(arena, block);
    },
    isResident(words) {
      return arena !== null && words.buffer === arena.buffer;
    },
    memory() {
      return arena === null ? null : arena.memory;
    },
    statistics() {
      return statisticsOf(arena, unavailableReason, fallbackCount);
    },
  };
}

/** The process-wide pool that `allocateWords` uses. */
export const wordPool: WordPool = createWordPool({ pages: POOL_PAGES, reservedPages: STAGING_PAGES, thresholdWords: RESIDENT_THRESHOLD_WORDS });

/**
 * A zeroed array of `count` words for a bitmap's level 0: resident in the process-wide pool from
 * `RESIDENT_THRESHOLD_WORDS` up (unless it is full or unavailable), a plain `Int32Array` otherwise. Hold the
 * returned array itself while using any view of it (see the caveats above).
 */
export function allocateWords(count: number): Int32Array {
  return wordPool.allocate(count);
}

/** Whether `words` lives in the process-wide pool, so the kernel merges and counts it in place. */
export function isResident(words: Int32Array): boolean {
  return wordPool.isResident(words);
}

/** What the process-wide pool holds. */
export function poolStatistics(): WordPoolStatistics {
  return wordPool.statistics();
}
