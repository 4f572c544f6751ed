/**
 * The WebAssembly kernel for the dense OR-merge and popcount of bitmap words (issue 4; anchors/
 * bitmap_performance.md §5.8 and §6.5). `mergeWordsKernel` and `countWordsKernel` give exactly the results of
 * `mergeWords` and `countWords` in src/bitmap.ts, for a caller that keeps its words in ordinary `Int32Array`s.
 *
 * The kernel is src/wasm/merge.wat, assembled into dist/wasm/merge.wasm by scripts/build-wasm.mjs (part of
 * `npm run build` and of `prepare`, so `npm ci` builds it). The binary is found from the package root, not
 * from this module, because this file runs as TypeScript under vitest (src/) and compiled (dist/src/).
 *
 * Staging. WebAssembly can only reach its own memory, and a bitmap's words live in JavaScript arrays. So the
 * kernel works through a fixed memory of two staging buffers of `CHUNK_WORDS` words each. For each chunk,
 * the words and the source are copied in (`Int32Array.prototype.set`, a memcpy), the kernel ORs the chunk
 * and counts it, and the words are copied back. The buffers stay in the core's cache, so only the caller's
 * arrays stream through memory. Still, the three copies take longer than the kernel itself. On the project's
 * machine, a dense merge of 2^23 words took about 2 B staged, against 5-7 B for `mergeWords` and about 1 B
 * with both maps resident in wasm memory. The copies alone came to 1.3-1.9 B, so staging cannot reach
 * issue 4's 1.2 B; only a bitmap that kept its words in wasm memory could. A recount took about 0.8 B staged
 * against about 3 B in JavaScript. bench/sections/kernel.ts measures all of these.
 *
 * Availability. The module loads once, lazily and synchronously. If the binary is missing or does not
 * compile, `loadMergeKernel()` returns null, `kernelAvailable()` is false and `kernelUnavailableReason()`
 * says why; the caller then uses its JavaScript loops. Calling `mergeWordsKernel` or `countWordsKernel`
 * without the kernel is an assert, never a silent fallback or a wrong count.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { assert } from './assert.js';

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

/** The staged kernel: the same results as `mergeWords` and `countWords` in src/bitmap.ts. */
export interface MergeKernel {
  readonly chunkWords: number;
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
  const exports = new wasm.Instance(module.value, { env: { memory } }).exports;
  const merge = exports['merge'];
  const count = exports['count'];
  assert(typeof merge === 'function' && typeof count === 'function', `${KERNEL_PATH} lacks the merge or count export`);
  return { kernel: { merge: merge as RawKernel['merge'], count: count as RawKernel['count'] }, buffer: memory.buffer };
}

/**
 * A staged kernel with its own fixed memory of two buffers of `chunkWords` words, or null if the kernel is
 * unavailable. `chunkWords` is a positive multiple of 16 (one step of the kernel). Production code uses
 * `loadMergeKernel()`; other chunk sizes are for the bench.
 */
export function createMergeKernel(chunkWords: number): MergeKernel | null {
  assert(Number.isInteger(chunkWords) && chunkWords > 0 && chunkWords % 16 === 0, `chunk of ${chunkWords} words is not a positive multiple of 16`);
  const instance = instantiateKernel(2 * chunkWords * WORD_BYTES);
  if (instance === null) return null;
  return stagedKernel(instance.kernel, new Int32Array(instance.buffer, 0, 2 * chunkWords), chunkWords);
}

function stagedKernel(raw: RawKernel, staging: Int32Array, chunkWords: number): MergeKernel {
  const wordsChunk = staging.subarray(0, chunkWords);
  const sourceOffset = chunkWords * WORD_BYTES;
  const countChunkWords = 2 * chunkWords;
  return {
    chunkWords,
    mergeWords(words, source, first, end) {
      checkRange(words, first, end);
      assert(end <= source.length, `merge range ends at ${end}, past the source's ${source.length} words`);
      // A source that shares the words' buffer (other than being the words themselves) could be changed by
      // the merge while it is read, and the result would then depend on the order of the copies.
      assert(source === words || source.buffer !== words.buffer, 'merge source overlaps the words it is merged into');
      let added = 0;
      for (let at = first; at < end; at += chunkWords) {
        const stop = Math.min(end, at + chunkWords);
        staging.set(words.subarray(at, stop), 0);
        staging.set(source.subarray(at, stop), chunkWords);
        const chunkAdded = raw.merge(0, sourceOffset, stop - at);
        // No new bits means the source was a subset of the words and the OR changed nothing, so the copy
        // back is skipped: re-merging a map that is already merged then costs two copies, not three.
        if (chunkAdded !== 0) words.set(stop - at === chunkWords ? wordsChunk : staging.subarray(0, stop - at), at);
        added += chunkAdded;
      }
      return added;
    },
    countWords(words, first, end) {
      checkRange(words, first, end);
      // Counting reads one array, so it stages through both buffers at once: half as many calls.
      let total = 0;
      for (let at = first; at < end; at += countChunkWords) {
        const stop = Math.min(end, at + countChunkWords);
        staging.set(words.subarray(at, stop), 0);
        total += raw.count(0, stop - at);
      }
      return total;
    },
  };
}

function checkRange(words: Int32Array, first: number, end: number): void {
  assert(Number.isInteger(first) && Number.isInteger(end) && first >= 0 && first <= end && end <= words.length,
    `word range [${first}, ${end}) outside 0..${words.length}`);
}

/**
 * The shared staged kernel (`CHUNK_WORDS` per buffer), loaded on the first call; null if the kernel is
 * unavailable, and then `kernelUnavailableReason()` says why. The caller falls back to its JavaScript loops.
 */
export function loadMergeKernel(): MergeKernel | null {
  if (shared === null) {
    const kernel = createMergeKernel(CHUNK_WORDS);
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
 * `mergeWords` of src/bitmap.ts. Only when `kernelAvailable()`; otherwise it asserts.
 */
export function mergeWordsKernel(words: Int32Array, source: Int32Array, first: number, end: number): number {
  return requireKernel().mergeWords(words, source, first, end);
}

/** The number of set bits in words [first, end): exactly `countWords` of src/bitmap.ts. Only when `kernelAvailable()`. */
export function countWordsKernel(words: Int32Array, first: number, end: number): number {
  return requireKernel().countWords(words, first, end);
}
