/**
 * Bench section "kernel" (issue 4: dense OR-merge at most 3 B in plain TypeScript, at most 1.2 B with a
 * WebAssembly kernel): the WebAssembly kernel of src/fast-bitmap/merge-kernel.ts against the JavaScript loops of
 * src/fast-bitmap/bitmap.ts and against B, on raw word arrays of the full map size (2^23 words at 2^28 bits).
 *
 * For each density (50% and 1% random), in the same rounds as B (`context.compare`):
 *   - `mergeWordsPortable`, the plain TypeScript Harley-Seal merge of src/fast-bitmap/bitmap.ts;
 *   - the staged kernel (`createMergeKernel`) with staging buffers of 16, 32, 64 and 128 KiB, each
 *     copying the caller's chunks in and out of wasm memory;
 *   - the public kernel (`loadMergeKernel().mergeWords`, as src/fast-bitmap/bitmap.ts calls it) on maps from
 *     `allocateWords`, which are resident in the word pool (src/fast-bitmap/word-pool.ts), so it merges them in place;
 *   - the raw kernel on maps resident in a wasm memory of their own, with no copies and no checks: the lower
 *     bound for the public call above.
 * Then the same forms of popcount (`countWordsPortable`, the recount).
 *
 * Last, element access: random set and test of 1M positions (2^20 in a smoke run) in a full-size map that is
 * a plain `Int32Array`, against one that is a view into the pool's 4 GiB buffer, through the same function.
 * That shows whether keeping level 0 in the pool slows the bitmap's single-bit operations.
 *
 * Each merge runs on a destination restored from a pristine copy before the run (untimed), so every form
 * starts with its destination recently written and its source not, and all of them OR in the same source.
 * Before timing, every form's count and resulting words are checked against the JavaScript loop: a fast wrong
 * kernel must not produce a figure.
 */
import { countWordsPortable, mergeWordsPortable } from '../../src/fast-bitmap/bitmap.js';
import { CHUNK_WORDS, createMergeKernel, instantiateKernel, kernelUnavailableReason, loadMergeKernel, type MergeKernel, type RawKernel } from '../../src/fast-bitmap/merge-kernel.js';
import { PAGE_BYTES, RESIDENT_THRESHOLD_WORDS, STAGING_PAGES, allocateWords, createWordPool } from '../../src/fast-bitmap/word-pool.js';
import { describePattern, patternWords, randomPositions, type Pattern } from '../data.js';
import type { BenchContext, BenchSection, Measurement, Target, Variant } from '../harness.js';

const PATTERNS: readonly Pattern[] = [
  { shape: 'random', density: 0.5, seed: 13 },
  { shape: 'random', density: 0.01, seed: 12 },
];
/** Staging buffer sizes tried, in words: 16, 32, 64 and 128 KiB per buffer, two buffers each. */
const CHUNK_SIZES = [4_096, 8_192, 16_384, 32_768] as const;
const WORD_BYTES = 4;
const MERGE_TARGET_JS: Target = { kind: 'ratio-at-most', ratio: 3 };
const MERGE_TARGET_KERNEL: Target = { kind: 'ratio-at-most', ratio: 1.2 };
/** anchors/bitmap_performance.md §7: a recount (verification only) at most 4 B. */
const RECOUNT_TARGET: Target = { kind: 'ratio-at-most', ratio: 4 };
/** Random positions set and tested in the element-access comparison (bench/sections/bitmap.ts uses as many). */
const ACCESS_OPERATIONS = 2 ** 20;

export const kernelSection: BenchSection = {
  name: 'kernel',
  description: 'WebAssembly merge/popcount kernel vs the JavaScript loops vs B: staged chunk sizes, maps resident in wasm memory',
  run(context) {
    const reason = kernelUnavailableReason();
    if (reason !== null) throw new Error(`the WebAssembly kernel is unavailable, so bench section "kernel" cannot run: ${reason}`);
    const wordCount = Math.ceil(context.options.bitCount / 32);
    const staged = CHUNK_SIZES.map((chunkWords) => createMergeKernel(chunkWords)!);
    const resident = residentMaps(wordCount);
    const pooled = pooledMaps(wordCount);
    for (const pattern of PATTERNS) {
      context.log(`kernel: ${describePattern(pattern)}`);
      context.yardstick(3);
      const maps = wordMaps(wordCount, pattern);
      resident.source.set(maps.source);
      pooled.source.set(maps.source);
      merges(context, maps, staged, resident, pooled);
      counts(context, maps, staged, resident, pooled);
    }
    context.log('kernel: random set and test, plain and pool-resident words');
    context.yardstick(3);
    elementAccess(context, wordCount, pooled.target);
  },
};

interface WordMaps {
  readonly label: string;
  readonly pristine: Int32Array;
  readonly source: Int32Array;
  /** The destination each merge ORs into, restored from `pristine` before every run. */
  readonly target: Int32Array;
}

function wordMaps(wordCount: number, pattern: Pattern): WordMaps {
  const bitCount = wordCount * 32;
  const pristine = new Int32Array(patternWords(bitCount, pattern).buffer);
  const source = new Int32Array(patternWords(bitCount, { ...pattern, seed: pattern.seed + 100 }).buffer);
  const label = `${describePattern(pattern)}, ${wordCount} words`;
  return { label, pristine, source, target: new Int32Array(wordCount) };
}

/** Both maps in one wasm memory: the destination at byte 0, the source right after it. */
interface ResidentMaps {
  readonly kernel: RawKernel;
  readonly target: Int32Array;
  readonly source: Int32Array;
  readonly sourceOffset: number;
}

function residentMaps(wordCount: number): ResidentMaps {
  const { kernel, buffer } = instantiateKernel(2 * wordCount * WORD_BYTES)!;
  return {
    kernel,
    target: new Int32Array(buffer, 0, wordCount),
    source: new Int32Array(buffer, wordCount * WORD_BYTES, wordCount),
    sourceOffset: wordCount * WORD_BYTES,
  };
}

/** Two maps from a word pool and the public kernel that merges them in place. */
interface PooledMaps {
  readonly kernel: MergeKernel;
  readonly target: Int32Array;
  readonly source: Int32Array;
}

/**
 * Full-size maps come from `allocateWords`, exactly as src/fast-bitmap/bitmap.ts gets them, with the shared kernel. A smoke
 * run's maps are below `RESIDENT_THRESHOLD_WORDS`, so they come from a small pool of their own with no
 * threshold and a kernel on it: the same code path, so the smoke run still checks it.
 */
function pooledMaps(wordCount: number): PooledMaps {
  if (wordCount >= RESIDENT_THRESHOLD_WORDS) {
    const kernel = loadMergeKernel()!;
    return checkedResident(kernel, allocateWords(wordCount), allocateWords(wordCount));
  }
  const pages = STAGING_PAGES + 2 * Math.ceil((wordCount * WORD_BYTES) / PAGE_BYTES);
  const pool = createWordPool({ pages, reservedPages: STAGING_PAGES, thresholdWords: 0 });
  return checkedResident(createMergeKernel(CHUNK_WORDS, pool)!, pool.allocate(wordCount), pool.allocate(wordCount));
}

/** Throws unless both maps are in the kernel's pool: a map that fell back to a plain array would be staged. */
function checkedResident(kernel: MergeKernel, target: Int32Array, source: Int32Array): PooledMaps {
  if (kernel.pool === null || !kernel.pool.isResident(target) || !kernel.pool.isResident(source)) {
    throw new Error(`kernel bench: the maps are not resident in the word pool (${JSON.stringify(kernel.pool?.statistics())})`);
  }
  return { kernel, target, source };
}

function chunkLabel(chunkWords: number): string {
  return `staged kernel, 2 x ${(chunkWords * WORD_BYTES) / 1024} KiB buffers${chunkWords === CHUNK_WORDS ? ' (default)' : ''}`;
}

/** A merge to time, and the array its result lands in (checked before timing). */
interface MergeForm extends Variant {
  readonly result: Int32Array;
}

const POOLED_LABEL = 'public kernel on maps from allocateWords (resident in the word pool)';

function merges(context: BenchContext, maps: WordMaps, staged: readonly MergeKernel[], resident: ResidentMaps, pooled: PooledMaps): void {
  const end = maps.pristine.length;
  const restore = (): void => maps.target.set(maps.pristine);
  const forms: Record<string, MergeForm> = {
    js: { work: () => mergeWordsPortable(maps.target, maps.source, 0, end), setup: restore, result: maps.target },
    [POOLED_LABEL]: { work: () => pooled.kernel.mergeWords(pooled.target, pooled.source, 0, end), setup: () => pooled.target.set(maps.pristine), result: pooled.target },
    resident: { work: () => resident.kernel.merge(0, resident.sourceOffset, end), setup: () => resident.target.set(maps.pristine), result: resident.target },
  };
  for (const kernel of staged) forms[chunkLabel(kernel.chunkWords)] = { work: () => kernel.mergeWords(maps.target, maps.source, 0, end), setup: restore, result: maps.target };
  checkMerges(maps, forms);
  const measured = context.compare(forms) as Record<string, Measurement>;
  const yardstickMs = measured['B']!.medianMs;
  const record = (form: string, name: string, target?: Target, note?: string): void => {
    const ms = measured[name]!.medianMs;
    context.record({ name: `kernel: dense OR-merge with count, ${form}, ${maps.label}`, value: ms, unit: 'ms', ms, yardstickMs,
      ...(target === undefined ? {} : { target }), ...(note === undefined ? {} : { note }) });
  };
  record('plain TypeScript mergeWordsPortable', 'js', MERGE_TARGET_JS);
  for (const kernel of staged) {
    const name = chunkLabel(kernel.chunkWords);
    record(name, name);
  }
  record(POOLED_LABEL, POOLED_LABEL, MERGE_TARGET_KERNEL, 'what src/fast-bitmap/bitmap.ts gets for a map of 2^24 bits or more: the kernel merges in place, no copies');
  record('raw kernel on maps resident in a wasm memory of their own', 'resident', undefined,
    'no copies and no checks: the lower bound for the public kernel on resident maps');
}

/** Runs every merge once and throws unless each gives the JavaScript loop's count and words. */
function checkMerges(maps: WordMaps, forms: Readonly<Record<string, MergeForm>>): void {
  const expected = maps.pristine.slice();
  const expectedCount = mergeWordsPortable(expected, maps.source, 0, expected.length);
  for (const [name, form] of Object.entries(forms)) {
    form.setup?.();
    const count = form.work();
    const same = sameWords(form.result, expected);
    if (count !== expectedCount || !same) {
      throw new Error(`kernel bench: ${name} merged ${String(count)} new bits, JavaScript ${expectedCount}${same ? '' : ', and the words differ'}`);
    }
  }
}

function counts(context: BenchContext, maps: WordMaps, staged: readonly MergeKernel[], resident: ResidentMaps, pooled: PooledMaps): void {
  const end = maps.pristine.length;
  const kernel = staged.find((candidate) => candidate.chunkWords === CHUNK_WORDS)!;
  resident.target.set(maps.pristine);
  pooled.target.set(maps.pristine);
  const variants = {
    js: { work: () => countWordsPortable(maps.pristine, 0, end) },
    staged: { work: () => kernel.countWords(maps.pristine, 0, end) },
    pooled: { work: () => pooled.kernel.countWords(pooled.target, 0, end) },
    resident: { work: () => resident.kernel.count(0, end) },
  };
  const expected = countWordsPortable(maps.pristine, 0, end);
  for (const [name, variant] of Object.entries(variants)) {
    const count = variant.work();
    if (count !== expected) throw new Error(`kernel bench: ${name} counted ${count} bits, JavaScript ${expected}`);
  }
  const { js, staged: stagedCount, pooled: pooledCount, resident: residentCount, B } = context.compare(variants);
  const record = (form: string, measurement: Measurement, target?: Target, note?: string): void => {
    context.record({ name: `kernel: popcount (recount), ${form}, ${maps.label}`, value: measurement.medianMs, unit: 'ms', ms: measurement.medianMs,
      yardstickMs: B.medianMs, ...(target === undefined ? {} : { target }), ...(note === undefined ? {} : { note }) });
  };
  record('plain TypeScript countWordsPortable', js, RECOUNT_TARGET);
  record(chunkLabel(CHUNK_WORDS), stagedCount, RECOUNT_TARGET);
  record(POOLED_LABEL, pooledCount, RECOUNT_TARGET);
  record('raw kernel on a map resident in a wasm memory of its own', residentCount, undefined, 'no copy and no checks: the lower bound for words kept in wasm memory');
}

/**
 * Random set and test on a plain map and on a pool-resident one, through the same two functions, as src/fast-bitmap/bitmap.ts
 * would run them once small maps are plain and large ones resident. Setting bits that are already set costs
 * the same as the first time, so every run does the same work.
 */
function elementAccess(context: BenchContext, wordCount: number, resident: Int32Array): void {
  const bitCount = wordCount * 32;
  const operations = context.smoke ? Math.min(ACCESS_OPERATIONS, bitCount) : ACCESS_OPERATIONS;
  const setPositions = randomPositions(bitCount, operations, 7);
  const testPositions = randomPositions(bitCount, operations, 8);
  const plain = new Int32Array(wordCount);
  resident.fill(0);
  if (setBits(plain, setPositions) !== setBits(resident, setPositions) || testBits(plain, testPositions) !== testBits(resident, testPositions)) {
    throw new Error('kernel bench: random set and test differ between the plain and the resident map');
  }
  const measured = context.compare({
    'set, plain': { work: () => setBits(plain, setPositions) },
    'set, resident': { work: () => setBits(resident, setPositions) },
    'test, plain': { work: () => testBits(plain, testPositions) },
    'test, resident': { work: () => testBits(resident, testPositions) },
  });
  for (const [operation, form] of [['set', 'plain'], ['set', 'resident'], ['test', 'plain'], ['test', 'resident']] as const) {
    const { medianMs } = measured[`${operation}, ${form}`];
    context.record({ name: `kernel: random ${operation} of ${operations} positions, ${form === 'plain' ? 'plain Int32Array' : 'Int32Array view into the word pool'}, ${wordCount} words`,
      value: (medianMs * 1e6) / operations, unit: 'ns/op', ms: medianMs, yardstickMs: measured.B.medianMs });
  }
}

/** Sets each position's bit; returns one word so that the stores are not dead. */
function setBits(words: Int32Array, positions: Uint32Array): number {
  for (let index = 0; index < positions.length; index += 1) {
    const bit = positions[index]!;
    words[bit >>> 5] = words[bit >>> 5]! | (1 << (bit & 31));
  }
  return words[positions[0]! >>> 5]!;
}

/** The number of positions whose bit is set. */
function testBits(words: Int32Array, positions: Uint32Array): number {
  let hits = 0;
  for (let index = 0; index < positions.length; index += 1) {
    const bit = positions[index]!;
    hits += (words[bit >>> 5]! >>> (bit & 31)) & 1;
  }
  return hits;
}

function sameWords(words: Int32Array, other: Int32Array): boolean {
  if (words.length !== other.length) return false;
  for (let index = 0; index < words.length; index += 1) if (words[index] !== other[index]) return false;
  return true;
}
