/**
 * The WebAssembly kernel for the dense OR-merge and popcount of bitmap words (issue 4; anchors/
 * bitmap_performance.md §5.8 and §6.5). `mergeWordsKernel` and `countWordsKernel` give exactly the results of
 * `mergeWords` and `countWords` in src/fast-bitmap/bitmap.ts, for words in any `Int32Array`.
 *
 * The kernel is src/fast-bitmap/merge.wat, assembled into dist/wasm/merge.wasm by scripts/build-wasm.mjs (part of
 * `npm run build` and of `prepare`, so `npm ci` builds it). The binary is found from the package root, not
 * from this module, because this file runs as TypeScript under vitest (src/) and compiled (dist/src/).
 *
 * Resident words. WebAssembly can only reach its own memory. Words allocated from the word pool
 * (src/fast-bitmap/word-pool.ts, `allocateWords`, used for maps of 2^24 bits and more) are views on one WebAssembly
 * memory, and the kernel has a second instance on that memory: when both arrays of a merge are resident, it
 * merges them in place, given their byte offsets, with no copies. On the project's machine a dense merge of
 * 2^23 resident words through `mergeWords` took 0.8-1.1 B (five runs of bench/kernel-probe.ts), inside issue
 * 4's 1.2 B and no slower than the raw kernel on a memory of its own.
 *
 * Staging. Any other words (small maps, or large ones that fell back to plain arrays because the pool was full
 * or unavailable) go through two staging buffers of `CHUNK_WORDS` words each: for each chunk the words and
 * the source are copied in (`Int32Array.prototype.set`, a memcpy), the kernel ORs and counts the chunk, and
 * the words are copied back. The buffers stay in the core's cache, so only the caller's arrays stream through
 * memory. Still, the three copies take longer than the kernel: a dense merge of 2^23 words took 1.7-2.1 B
 * staged, against 4.5-6 B for the JavaScript loops. When only one array of a merge is resident, only the other
 * is staged (through buffers in the pool's first pages), and resident words are never copied back.
 * A recount took 0.7-0.9 B staged, 0.4-0.5 B resident and about 3 B in JavaScript.
 *
 * Availability. The module loads once, lazily and synchronously. If the binary is missing or does not
 * compile, `loadMergeKernel()` returns null, `kernelAvailable()` is false and `kernelUnavailableReason()`
 * says why; the caller then uses its JavaScript loops. Calling `mergeWordsKernel` or `countWordsKernel`
 * without the kernel is an assert, never a silent fallback or a wrong count.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { assert } from '../assert.js';
import { wordPool, type WordPool } from './word-pool.js';

/**
 * Words per staging buffer: 16384 words (64 KiB). Two buffers plus the caller's two chunks are 256 KiB, which
 * stays in the 1 MiB L2 of the project's machine. Dense 2^23-word merges (bench/sections/kernel.ts, three runs):
 * with 16 KiB and 32 KiB buffers the merge was 15-40% slower, because every chunk restarts the streams
 * from memory. With 128 KiB buffers it was no faster than with 64 KiB and used twice the cache.
 */
export const CHUNK_WORDS = 16_384;
/** Where scripts/build-wasm.mjs writes the kernel, relative to the package root. */
export const KERNEL_PATH = join('dist', 'wasm', 'merge.wasm');
/** The package whose root holds dist/; found by walking up from this module, at most this many folders. */
const PACKAGE_NAME = 'copyspec';
const MAX_PACKAGE_DEPTH = 8;
const WASM_PAGE_BYTES = 65_536;
const WORD_BYTES = 4;

/**
 * The part of the `WebAssembly` global this module uses. TypeScript declares `WebAssembly` only in its DOM and
 * web-worker libraries, which this project leaves out (tsconfig.json `lib`), so the few constructors are typed
 * here rather than adding browser globals to every file.
 */
/** A compiled module: opaque here, only handed back to `Instance`. */
type WasmModule = object;
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: { env: { memory: WasmMemory } }) => { readonly exports: Record<string, unknown> };
  readonly Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernel's exports, on whatever memory it was instantiated with. Offsets are bytes, counts are words. */
export interface RawKernel {
  /** a |= b over n words; returns the number of bits newly set in a. */
  merge(a: number, b: number, n: number): number;
  /** The number of set bits in the n words at p. */
  count(p: number, n: number): number;
}

/** The kernel as src/fast-bitmap/bitmap.ts calls it: the same results as `mergeWords` and `countWords` there. */
export interface MergeKernel {
  /** Words per staging buffer, for arrays that are not resident in `pool`. */
  readonly chunkWords: number;
  /** The pool whose arrays are merged and counted in place; null if every array is staged. */
  readonly pool: WordPool | null;
  /** ORs `source` into `words` over words [first, end); returns the number of newly set bits. */
  mergeWords(words: Int32Array, source: Int32Array, first: number, end: number): number;
  /** The number of set bits in words [first, end). */
  countWords(words: Int32Array, first: number, end: number): number;
}

type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

let compiled: Loaded<WasmModule> | null = null;
let shared: Loaded<MergeKernel> | null = null;

/** The package root: the nearest folder above this module whose package.json names this package. */
function packageRoot(): string | null {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < MAX_PACKAGE_DEPTH; depth += 1) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: unknown };
      if (manifest.name === PACKAGE_NAME) return folder;
    } catch {
      // No package.json here, or not JSON: keep walking up.
    }
    const parent = dirname(folder);
    if (parent === folder) return null;
    folder = parent;
  }
  return null;
}

/** The compiled kernel module, or why there is none. Compiled once; the outcome is kept either way. */
function compileKernel(): Loaded<WasmModule> {
  if (compiled !== null) return compiled;
  const root = packageRoot();
  if (root === null) {
    compiled = { ok: false, reason: `no ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}` };
    return compiled;
  }
  const path = join(root, KERNEL_PATH);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    compiled = { ok: false, reason: `${path} is missing or unreadable (run \`npm run build\`): ${describe(error)}` };
    return compiled;
  }
  try {
    compiled = { ok: true, value: new wasm.Module(bytes) };
  } catch (error) {
    compiled = { ok: false, reason: `${path} does not compile (this runtime may lack WebAssembly SIMD): ${describe(error)}` };
  }
  return compiled;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The kernel's exports and the memory they work on. */
export interface KernelInstance {
  readonly kernel: RawKernel;
  /** The kernel's whole memory; it never grows, so views on it stay valid. */
  readonly buffer: ArrayBuffer;
}

/** The kernel's exports on an instance that imports `memory`. */
function instantiateOn(module: WasmModule, memory: WasmMemory): RawKernel {
  const exports = new wasm.Instance(module, { env: { memory } }).exports;
  const merge = exports['merge'];
  const count = exports['count'];
  assert(typeof merge === 'function' && typeof count === 'function', `${KERNEL_PATH} lacks the merge or count export`);
  return { merge: merge as RawKernel['merge'], count: count as RawKernel['count'] };
}

/**
 * The kernel instantiated over a fresh, fixed memory of at least `bytes` bytes, or null if the kernel is
 * unavailable. The bench uses this to run the kernel on maps that live in wasm memory.
 */
export function instantiateKernel(bytes: number): KernelInstance | null {
  assert(Number.isInteger(bytes) && bytes > 0 && bytes <= 2 ** 32 - WASM_PAGE_BYTES, `kernel memory of ${bytes} bytes`);
  const module = compileKernel();
  if (!module.ok) return null;
  const pages = Math.ceil(bytes / WASM_PAGE_BYTES);
  // initial === maximum: the memory never grows, so a view on it never detaches (anchors §2.2).
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  return { kernel: instantiateOn(module.value, memory), buffer: memory.buffer };
}

/**
 * One instance of the kernel and the staging buffers at the start of its memory. The kernel's own small memory
 * is a route with no resident arrays; the pool's memory is a route whose arrays the kernel reaches in place.
 */
interface Route {
  readonly raw: RawKernel;
  /** Two buffers of `chunkWords` words: the words' chunk, then the source's (or, for a count, one long buffer). */
  readonly staging: Int32Array;
  /** The first buffer, kept so that copying back a whole chunk makes no new view. */
  readonly wordsChunk: Int32Array;
  /** The buffer of the arrays this route reaches in place (the pool's), or null. */
  readonly resident: ArrayBuffer | null;
}

function routeOn(raw: RawKernel, buffer: ArrayBuffer, chunkWords: number, resident: boolean): Route {
  const staging = new Int32Array(buffer, 0, 2 * chunkWords);
  return { raw, staging, wordsChunk: staging.subarray(0, chunkWords), resident: resident ? buffer : null };
}

/**
 * A kernel that stages through two buffers of `chunkWords` words in its own fixed memory, and merges and
 * counts arrays resident in `pool` in place; null if the kernel is unavailable. `chunkWords` is a positive
 * multiple of 16 (one step of the kernel), and the pool must keep at least the two buffers' bytes for
 * staging. Production code uses `loadMergeKernel()`; other chunk sizes and pools are for tests and the bench.
 */
export function createMergeKernel(chunkWords: number, pool: WordPool | null = null): MergeKernel | null {
  assert(Number.isInteger(chunkWords) && chunkWords > 0 && chunkWords % 16 === 0, `chunk of ${chunkWords} words is not a positive multiple of 16`);
  const stagingBytes = 2 * chunkWords * WORD_BYTES;
  assert(pool === null || pool.reservedBytes >= stagingBytes, () => `the pool keeps ${pool!.reservedBytes} bytes for staging, not ${stagingBytes}`);
  const instance = instantiateKernel(stagingBytes);
  const module = compileKernel();
  if (instance === null || !module.ok) return null;
  const own = routeOn(instance.kernel, instance.buffer, chunkWords, false);
  let poolRoute: Route | null = null;
  // The pool creates its memory on its first large allocation, so its instance is made on first use: a
  // process that never allocates a large map never reserves the pool's memory.
  const routeFor = (words: Int32Array, source: Int32Array): Route => {
    const memory = pool === null ? null : pool.memory();
    if (memory === null || (words.buffer !== memory.buffer && source.buffer !== memory.buffer)) return own;
    // The first pages of the pool are the staging buffers; an array there would be overwritten by staging.
    assert((words.buffer !== memory.buffer || words.byteOffset >= stagingBytes) && (source.buffer !== memory.buffer || source.byteOffset >= stagingBytes),
      'a resident array lies in the pool\'s staging pages');
    poolRoute ??= routeOn(instantiateOn(module.value, memory), memory.buffer, chunkWords, true);
    return poolRoute;
  };
  return {
    chunkWords,
    pool,
    mergeWords(words, source, first, end) {
      checkRange(words, first, end);
      assert(end <= source.length, () => `merge range ends at ${end}, past the source's ${source.length} words`);
      // A source that shares some but not all of the words' bytes would be changed by the merge while it is
      // read, and the result would then depend on the order of the copies. Separate arrays on one buffer (two
      // resident maps) and an array merged into itself are both fine.
      assert(!overlapsPartly(words, source), 'merge source overlaps the words it is merged into');
      return mergeThrough(routeFor(words, source), chunkWords, words, source, first, end);
    },
    countWords(words, first, end) {
      checkRange(words, first, end);
      return countThrough(routeFor(words, words), chunkWords, words, first, end);
    },
  };
}

/** Whether two arrays share some bytes without starting at the same byte. */
function overlapsPartly(words: Int32Array, source: Int32Array): boolean {
  if (words.buffer !== source.buffer || words.byteOffset === source.byteOffset) return false;
  return words.byteOffset < source.byteOffset + source.byteLength && source.byteOffset < words.byteOffset + words.byteLength;
}

/**
 * The merge through one route. Resident arrays are passed to the kernel by byte offset; any other array is
 * copied into its staging buffer chunk by chunk, and staged words are copied back.
 */
function mergeThrough(route: Route, chunkWords: number, words: Int32Array, source: Int32Array, first: number, end: number): number {
  const { raw, staging, wordsChunk, resident } = route;
  const wordsResident = resident !== null && words.buffer === resident;
  const sourceResident = resident !== null && source.buffer === resident;
  // Offsets past 2^31 reach the kernel's i32 parameters as negative numbers, which wasm reads as the same
  // unsigned address.
  if (wordsResident && sourceResident) return raw.merge(words.byteOffset + WORD_BYTES * first, source.byteOffset + WORD_BYTES * first, end - first);
  const sourceStagingOffset = chunkWords * WORD_BYTES;
  let added = 0;
  for (let at = first; at < end; at += chunkWords) {
    const stop = Math.min(end, at + chunkWords);
    if (!wordsResident) staging.set(words.subarray(at, stop), 0);
    if (!sourceResident) staging.set(source.subarray(at, stop), chunkWords);
    const chunkAdded = raw.merge(wordsResident ? words.byteOffset + WORD_BYTES * at : 0,
      sourceResident ? source.byteOffset + WORD_BYTES * at : sourceStagingOffset, stop - at);
    // No new bits means the source was a subset of the words and the OR changed nothing, so the copy
    // back is skipped: re-merging a map that is already merged then costs two copies, not three.
    if (chunkAdded !== 0 && !wordsResident) words.set(stop - at === chunkWords ? wordsChunk : staging.subarray(0, stop - at), at);
    added += chunkAdded;
  }
  return added;
}

/** The count through one route: in place if the words are resident, else staged through both buffers at once. */
function countThrough(route: Route, chunkWords: number, words: Int32Array, first: number, end: number): number {
  const { raw, staging, resident } = route;
  if (resident !== null && words.buffer === resident) return raw.count(words.byteOffset + WORD_BYTES * first, end - first);
  // Counting reads one array, so it stages through both buffers at once: half as many calls.
  const countChunkWords = 2 * chunkWords;
  let total = 0;
  for (let at = first; at < end; at += countChunkWords) {
    const stop = Math.min(end, at + countChunkWords);
    staging.set(words.subarray(at, stop), 0);
    total += raw.count(0, stop - at);
  }
  return total;
}

function checkRange(words: Int32Array, first: number, end: number): void {
  assert(Number.isInteger(first) && Number.isInteger(end) && first >= 0 && first <= end && end <= words.length,
    () => `word range [${first}, ${end}) outside 0..${words.length}`);
}

/**
 * The shared kernel (`CHUNK_WORDS` per staging buffer, in place on the process-wide word pool), loaded on the
 * first call; null if the kernel is unavailable, and then `kernelUnavailableReason()` says why. The caller
 * falls back to its JavaScript loops.
 */
export function loadMergeKernel(): MergeKernel | null {
  if (shared === null) {
    const kernel = createMergeKernel(CHUNK_WORDS, wordPool);
    shared = kernel !== null ? { ok: true, value: kernel } : { ok: false, reason: unavailableReason() };
  }
  return shared.ok ? shared.value : null;
}

function unavailableReason(): string {
  const module = compileKernel();
  return module.ok ? 'the kernel compiled but did not instantiate' : module.reason;
}

/** Whether the kernel loaded (loading it if this is the first call). */
export function kernelAvailable(): boolean {
  return loadMergeKernel() !== null;
}

/** Why the kernel is unavailable, or null if it loaded (loading it if this is the first call). */
export function kernelUnavailableReason(): string | null {
  loadMergeKernel();
  return shared !== null && !shared.ok ? shared.reason : null;
}

function requireKernel(): MergeKernel {
  const kernel = loadMergeKernel();
  assert(kernel !== null, `merge kernel called while unavailable (check kernelAvailable() first): ${kernelUnavailableReason()}`);
  return kernel;
}

/**
 * ORs `source` into `words` over words [first, end) and returns the number of newly set bits: exactly
 * `mergeWords` of src/fast-bitmap/bitmap.ts. Only when `kernelAvailable()`; otherwise it asserts.
 */
export function mergeWordsKernel(words: Int32Array, source: Int32Array, first: number, end: number): number {
  return requireKernel().mergeWords(words, source, first, end);
}

/** The number of set bits in words [first, end): exactly `countWords` of src/fast-bitmap/bitmap.ts. Only when `kernelAvailable()`. */
export function countWordsKernel(words: Int32Array, first: number, end: number): number {
  return requireKernel().countWords(words, first, end);
}
