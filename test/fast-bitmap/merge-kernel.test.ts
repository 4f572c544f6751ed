/**
 * The WebAssembly merge and popcount kernel (src/fast-bitmap/merge-kernel.ts, src/fast-bitmap/merge.wat) against a word-by-word
 * reference that can be checked by reading, and against the project's own FastBitmap merge. The kernel must give
 * exactly the count and the words of `mergeWords` and `countWords` in src/fast-bitmap/bitmap.ts. That includes lengths
 * that are not multiples of the kernel's 4-word vectors, its 16-word steps or a staging chunk, ranges that
 * start past 0, and all-zero and all-one words.
 *
 * Words from the word pool (src/fast-bitmap/word-pool.ts) are merged and counted in place rather than staged; they must
 * give the same results, whether both arrays are resident, only one is (the other is staged), or neither, and
 * at byte offsets past 2^31, which reach the kernel's i32 parameters as negative numbers.
 *
 * The kernel must load here. A checkout without `npm run build` (so without dist/wasm/merge.wasm) fails the
 * first test, because otherwise a missing build would only show as a slower bitmap.
 *
 * Every property runs with an explicit seed and run count. A failure prints fast-check's seed and path;
 * replay it by putting them into that property's options (`{ seed, path, numRuns }`) and running
 * `npx vitest run test/fast-bitmap/merge-kernel.test.ts -t '<test name>'`. No test here measures time (see
 * bench/sections/kernel.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import wabt from 'wabt';
import { describe, expect, test, vi } from 'vitest';

import { xorshift } from '../../bench/data.js';
import { AssertionFailed } from '../../src/assert.js';
import { FastBitmap, countWordsPortable, mergeWordsPortable } from '../../src/fast-bitmap/bitmap.js';
import {
  CHUNK_WORDS,
  KERNEL_PATH,
  countWordsKernel,
  createMergeKernel,
  kernelAvailable,
  kernelUnavailableReason,
  loadMergeKernel,
  mergeWordsKernel,
  type MergeKernel,
} from '../../src/fast-bitmap/merge-kernel.js';
import { PAGE_BYTES, POOL_PAGES, RESIDENT_THRESHOLD_WORDS, STAGING_PAGES, allocateWords, createWordPool, isResident, wordPool, type WordPool } from '../../src/fast-bitmap/word-pool.js';

// ---- the reference: one word at a time ----

function popcount(word: number): number {
  let count = 0;
  for (let rest = word >>> 0; rest !== 0; rest >>>= 1) count += rest & 1;
  return count;
}

function referenceMerge(words: Int32Array, source: Int32Array, first: number, end: number): number {
  let added = 0;
  for (let index = first; index < end; index += 1) {
    added += popcount(source[index]! & ~words[index]!);
    words[index] = words[index]! | source[index]!;
  }
  return added;
}

function referenceCount(words: Int32Array, first: number, end: number): number {
  let total = 0;
  for (let index = first; index < end; index += 1) total += popcount(words[index]!);
  return total;
}

// ---- deterministic words ----

type Fill = 'zero' | 'ones' | 'random' | 'sparse' | 'alternating';
const FILLS: readonly Fill[] = ['zero', 'ones', 'random', 'sparse', 'alternating'];

function filled(length: number, fill: Fill, seed: number): Int32Array {
  const words = new Int32Array(length);
  const random = xorshift(seed);
  for (let index = 0; index < length; index += 1) {
    if (fill === 'ones') words[index] = -1;
    else if (fill === 'random') words[index] = random();
    else if (fill === 'sparse') words[index] = random() % 16 === 0 ? 1 << (random() & 31) : 0;
    else if (fill === 'alternating') words[index] = index % 2 === 0 ? -1 : 0x55555555;
  }
  return words;
}

/** Lengths at and around every boundary of the kernel: vector (4), step (16), chunk, count chunk (2 chunks). */
const EDGE_LENGTHS = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, CHUNK_WORDS - 1, CHUNK_WORDS, CHUNK_WORDS + 1,
  2 * CHUNK_WORDS - 3, 2 * CHUNK_WORDS, 2 * CHUNK_WORDS + 13, 3 * CHUNK_WORDS + 5] as const;
const EDGE_FIRSTS = [0, 1, 3, 17] as const;

const caseArbitrary = fc.record({
  length: fc.integer({ min: 0, max: 3 * CHUNK_WORDS + 40 }),
  wordsFill: fc.constantFrom(...FILLS),
  sourceFill: fc.constantFrom(...FILLS),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
  firstPart: fc.double({ min: 0, max: 1, noNaN: true }),
  endPart: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** The range [first, end) that two fractions of the length pick. */
function range(length: number, firstPart: number, endPart: number): [number, number] {
  const first = Math.min(length, Math.floor(firstPart * length));
  return [first, first + Math.floor(endPart * (length - first))];
}

/**
 * The first index where two word arrays differ, -1 if none (the length if only the lengths differ). Faster
 * than vitest's deep equality on large typed arrays by about a thousand times, and it names the word.
 */
function firstDifference(words: Int32Array, other: Int32Array): number {
  const length = Math.min(words.length, other.length);
  for (let index = 0; index < length; index += 1) if (words[index] !== other[index]) return index;
  return words.length === other.length ? -1 : length;
}

function expectMergeMatches(words: Int32Array, source: Int32Array, first: number, end: number): void {
  const expected = words.slice();
  const sourceBefore = source.slice();
  const expectedCount = referenceMerge(expected, source, first, end);
  expect(mergeWordsKernel(words, source, first, end)).toBe(expectedCount);
  expect(firstDifference(words, expected)).toBe(-1);
  expect(firstDifference(source, sourceBefore)).toBe(-1);
}

describe('merge-kernel', () => {
  test('merge-kernel: load: the kernel built by npm run build loads, with the default chunk', () => {
    expect(kernelUnavailableReason()).toBeNull();
    expect(kernelAvailable()).toBe(true);
    expect(loadMergeKernel()?.chunkWords).toBe(CHUNK_WORDS);
    expect(loadMergeKernel()?.pool).toBe(wordPool);
    expect(loadMergeKernel()).toBe(loadMergeKernel());
  });

  test('merge-kernel: build: dist/wasm/merge.wasm is what src/fast-bitmap/merge.wat assembles to now', async () => {
    // The same steps as scripts/build-wasm.mjs: an edited .wat without a rebuild must not pass on a stale binary.
    const toolkit = await wabt();
    const path = join('src', 'fast-bitmap', 'merge.wat');
    const module = toolkit.parseWat(path, readFileSync(path, 'utf8'), { simd: true });
    try {
      module.resolveNames();
      module.validate();
      const current = Buffer.from(module.toBinary({}).buffer).equals(readFileSync(KERNEL_PATH));
      expect(current, `${KERNEL_PATH} is stale: run \`npm run build\``).toBe(true);
    } finally {
      module.destroy();
    }
  });

  test('merge-kernel: merge: every edge length, start and fill matches the word-by-word reference', () => {
    for (const length of EDGE_LENGTHS) {
      for (const first of EDGE_FIRSTS.filter((start) => start <= length)) {
        for (const [wordsFill, sourceFill] of [['zero', 'zero'], ['zero', 'ones'], ['ones', 'ones'], ['ones', 'zero'],
          ['random', 'random'], ['alternating', 'ones'], ['sparse', 'random']] as const) {
          const words = filled(length, wordsFill, length + 1);
          const source = filled(length, sourceFill, length + 2);
          for (const end of new Set([length, Math.max(first, length - 1), first])) expectMergeMatches(words.slice(), source, first, end);
        }
      }
    }
  });

  test('merge-kernel: merge: random lengths, ranges and fills match the word-by-word reference', () => {
    fc.assert(
      fc.property(caseArbitrary, ({ length, wordsFill, sourceFill, seed, firstPart, endPart }) => {
        const [first, end] = range(length, firstPart, endPart);
        expectMergeMatches(filled(length, wordsFill, seed), filled(length, sourceFill, seed + 1), first, end);
      }),
      { seed: 4901, numRuns: 150 },
    );
  });

  test('merge-kernel: portable: the plain TypeScript loops of src/fast-bitmap/bitmap.ts match the reference at any length', () => {
    // The bitmap sends ranges of 2048 words or more to the kernel, so these loops run on long ranges only where
    // the kernel is unavailable; this is where their long-range arithmetic (the Harley-Seal tree) is checked.
    fc.assert(
      fc.property(caseArbitrary, ({ length, wordsFill, sourceFill, seed, firstPart, endPart }) => {
        const [first, end] = range(length, firstPart, endPart);
        const words = filled(length, wordsFill, seed);
        const source = filled(length, sourceFill, seed + 1);
        expect(countWordsPortable(words, first, end)).toBe(referenceCount(words, first, end));
        const expected = words.slice();
        const expectedAdded = referenceMerge(expected, source, first, end);
        expect(mergeWordsPortable(words, source, first, end)).toBe(expectedAdded);
        expect(words).toEqual(expected);
      }),
      { seed: 4905, numRuns: 100 },
    );
  });

  test('merge-kernel: merge: whole maps match FastBitmap.merge (src/fast-bitmap/bitmap.ts mergeWords) in count and words', () => {
    fc.assert(
      fc.property(caseArbitrary, ({ length, wordsFill, sourceFill, seed }) => {
        const bitCount = length * 32;
        const words = filled(length, wordsFill, seed);
        const source = filled(length, sourceFill, seed + 1);
        const bitmap = FastBitmap.fromWords(bitCount, words);
        const before = bitmap.count;
        bitmap.merge(FastBitmap.fromWords(bitCount, source));
        const expected = new Int32Array(length);
        bitmap.copyWordsInto(expected);
        expect(mergeWordsKernel(words, source, 0, length)).toBe(bitmap.count - before);
        expect(firstDifference(words, expected)).toBe(-1);
      }),
      { seed: 4902, numRuns: 40 },
    );
  });

  test('merge-kernel: merge: a map merged into itself is unchanged and gains no bits', () => {
    const words = filled(CHUNK_WORDS + 7, 'random', 5);
    const before = words.slice();
    expect(mergeWordsKernel(words, words, 3, words.length)).toBe(0);
    expect(firstDifference(words, before)).toBe(-1);
  });

  test('merge-kernel: merge: a chunk that gains no bits is left as it was while the chunks around it change', () => {
    // The staged merge skips the copy back of a chunk with no new bits; the chunks on either side must still land.
    const length = 3 * CHUNK_WORDS + 5;
    const words = filled(length, 'random', 21);
    const source = filled(length, 'random', 22);
    for (let index = CHUNK_WORDS; index < 2 * CHUNK_WORDS; index += 1) source[index] = words[index]! & 0x0f0f0f0f;
    expectMergeMatches(words, source, 2, length);
  });

  test('merge-kernel: merge: every staging chunk size gives the same count and words', () => {
    const length = 5 * 1024 + 19;
    const wordsAtStart = filled(length, 'random', 11);
    const source = filled(length, 'random', 12);
    const expected = wordsAtStart.slice();
    const expectedCount = referenceMerge(expected, source, 5, length);
    for (const chunkWords of [16, 48, 1024, 4096]) {
      const kernel = createMergeKernel(chunkWords);
      expect(kernel).not.toBeNull();
      const words = wordsAtStart.slice();
      expect(kernel!.mergeWords(words, source, 5, length)).toBe(expectedCount);
      expect(firstDifference(words, expected)).toBe(-1);
      expect(kernel!.countWords(words, 5, length)).toBe(referenceCount(words, 5, length));
    }
  });

  test('merge-kernel: count: every edge length, start and fill matches the word-by-word reference', () => {
    for (const length of EDGE_LENGTHS) {
      for (const first of EDGE_FIRSTS.filter((start) => start <= length)) {
        for (const fill of FILLS) {
          const words = filled(length, fill, length + 3);
          expect(countWordsKernel(words, first, length)).toBe(referenceCount(words, first, length));
        }
      }
    }
  });

  test('merge-kernel: count: random lengths, ranges and fills match the word-by-word reference', () => {
    fc.assert(
      fc.property(caseArbitrary, ({ length, wordsFill, seed, firstPart, endPart }) => {
        const [first, end] = range(length, firstPart, endPart);
        const words = filled(length, wordsFill, seed);
        const before = words.slice();
        expect(countWordsKernel(words, first, end)).toBe(referenceCount(words, first, end));
        expect(firstDifference(words, before)).toBe(-1);
      }),
      { seed: 4903, numRuns: 150 },
    );
  });

  test('merge-kernel: rejections: bad ranges, a short source, an overlapping source and a bad chunk size are asserts', () => {
    const words = new Int32Array(40);
    const source = new Int32Array(40);
    expect(() => mergeWordsKernel(words, source, 5, 4)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words, source, -1, 4)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words, source, 0, 41)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words, source, 0.5, 4)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words, new Int32Array(30), 0, 31)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words, words.subarray(1), 0, 39)).toThrow(AssertionFailed);
    expect(() => mergeWordsKernel(words.subarray(0, 20), words.subarray(19, 39), 0, 20)).toThrow(AssertionFailed);
    expect(() => countWordsKernel(words, 0, 41)).toThrow(AssertionFailed);
    expect(() => countWordsKernel(words, 3, 2)).toThrow(AssertionFailed);
    expect(() => createMergeKernel(24)).toThrow(AssertionFailed);
    expect(() => createMergeKernel(0)).toThrow(AssertionFailed);
  });

  test('merge-kernel: merge: separate arrays on one buffer (as two resident maps are) merge as if apart', () => {
    const buffer = filled(2 * CHUNK_WORDS + 10, 'random', 31);
    const words = buffer.subarray(0, CHUNK_WORDS + 5);
    const source = buffer.subarray(CHUNK_WORDS + 5);
    expectMergeMatches(words, source, 2, CHUNK_WORDS + 5);
  });

  residentTests();

  test('merge-kernel: unavailable: without the binary, loading returns null with the reason and the kernel functions assert', async () => {
    vi.resetModules();
    vi.doMock('node:fs', async (importOriginal) => {
      const fs = await importOriginal<typeof import('node:fs')>();
      const readFileSync = ((path: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) => {
        if (String(path).endsWith(KERNEL_PATH)) throw new Error(`ENOENT: no such file, open '${String(path)}'`);
        return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
      }) as typeof fs.readFileSync;
      return { ...fs, readFileSync, default: { ...fs, readFileSync } };
    });
    try {
      const fresh = await import('../../src/fast-bitmap/merge-kernel.js');
      expect(fresh.loadMergeKernel()).toBeNull();
      expect(fresh.kernelAvailable()).toBe(false);
      expect(fresh.kernelUnavailableReason()).toMatch(/merge\.wasm is missing or unreadable \(run `npm run build`\)/);
      expect(fresh.createMergeKernel(16)).toBeNull();
      expect(fresh.instantiateKernel(65_536)).toBeNull();
      // The fresh module has its own assert.js, so its AssertionFailed is matched by name.
      expect(() => fresh.mergeWordsKernel(new Int32Array(4), new Int32Array(4), 0, 4)).toThrow(/merge kernel called while unavailable/);
      expect(() => fresh.countWordsKernel(new Int32Array(4), 0, 4)).toThrow(/merge kernel called while unavailable/);
    } finally {
      vi.doUnmock('node:fs');
      vi.resetModules();
    }
  });
});

// ---- words resident in a word pool ----

type Residence = 'both' | 'words' | 'source' | 'neither';
const RESIDENCES: readonly Residence[] = ['both', 'words', 'source', 'neither'];

/** A pool of `pages` pages whose every nonempty array is resident, and a kernel that merges in place on it. */
function residentSetup(pages: number): { pool: WordPool; kernel: MergeKernel } {
  const pool = createWordPool({ pages, reservedPages: STAGING_PAGES, thresholdWords: 1 });
  const kernel = createMergeKernel(CHUNK_WORDS, pool);
  expect(kernel).not.toBeNull();
  return { pool, kernel: kernel! };
}

/** `words` copied into a pool array if `resident`, else into a plain one. */
function placed(pool: WordPool, words: Int32Array, resident: boolean): Int32Array {
  const copy = resident ? pool.allocate(words.length) : new Int32Array(words.length);
  copy.set(words);
  return copy;
}

function releaseIfResident(pool: WordPool, ...arrays: Int32Array[]): void {
  for (const words of arrays) if (pool.isResident(words)) pool.release(words);
}

/** Merges and counts through `kernel` and checks both against the reference; the source must not change. */
function expectKernelMatches(kernel: MergeKernel, words: Int32Array, source: Int32Array, first: number, end: number): void {
  const expected = words.slice();
  const sourceBefore = source.slice();
  const expectedCount = referenceMerge(expected, source, first, end);
  expect(kernel.mergeWords(words, source, first, end)).toBe(expectedCount);
  expect(firstDifference(words, expected)).toBe(-1);
  expect(firstDifference(source, sourceBefore)).toBe(-1);
  expect(kernel.countWords(words, first, end)).toBe(referenceCount(words, first, end));
}

function residentTests(): void {
  test('merge-kernel: resident: random lengths, ranges and fills match the reference, resident, mixed or staged', () => {
    const { pool, kernel } = residentSetup(64);
    fc.assert(
      fc.property(caseArbitrary, fc.constantFrom(...RESIDENCES), ({ length, wordsFill, sourceFill, seed, firstPart, endPart }, residence) => {
        const [first, end] = range(length, firstPart, endPart);
        const words = placed(pool, filled(length, wordsFill, seed), residence === 'both' || residence === 'words');
        const source = placed(pool, filled(length, sourceFill, seed + 1), residence === 'both' || residence === 'source');
        try {
          expectKernelMatches(kernel, words, source, first, end);
        } finally {
          releaseIfResident(pool, words, source);
        }
      }),
      { seed: 4904, numRuns: 200 },
    );
  });

  test('merge-kernel: resident: every edge length and start matches the reference with both arrays resident', () => {
    const { pool, kernel } = residentSetup(64);
    for (const length of EDGE_LENGTHS) {
      for (const first of EDGE_FIRSTS.filter((start) => start <= length)) {
        const words = placed(pool, filled(length, 'random', length + 5), true);
        const source = placed(pool, filled(length, 'sparse', length + 6), true);
        expectKernelMatches(kernel, words, source, first, length);
        expectKernelMatches(kernel, words, words, first, length);
        releaseIfResident(pool, words, source);
      }
    }
  });

  test('merge-kernel: resident: a merge and count of resident arrays copy nothing through the staging pages', () => {
    const { pool, kernel } = residentSetup(16);
    const length = CHUNK_WORDS + 33;
    const words = placed(pool, filled(length, 'random', 41), true);
    const source = placed(pool, filled(length, 'random', 42), true);
    const staging = new Int32Array(pool.memory()!.buffer, 0, pool.reservedBytes / 4);
    expectKernelMatches(kernel, words, source, 1, length);
    expect(staging.every((word) => word === 0)).toBe(true);
    // The same merge with a plain source stages it through those pages: the check above can fail.
    expectKernelMatches(kernel, words, filled(length, 'random', 43), 1, length);
    expect(staging.some((word) => word !== 0)).toBe(true);
  });

  test('merge-kernel: resident: arrays at byte offsets past 2^31 merge and count as the reference', () => {
    const { pool, kernel } = residentSetup(POOL_PAGES);
    // Pages that are never written cost no memory, so the filler only moves the next blocks past 2 GiB.
    const filler = pool.allocate(2 ** 29);
    const length = 2 * CHUNK_WORDS + 13;
    const words = placed(pool, filled(length, 'random', 51), true);
    const source = placed(pool, filled(length, 'random', 52), true);
    expect(words.byteOffset).toBeGreaterThan(2 ** 31);
    expectKernelMatches(kernel, words, source, 3, length);
    releaseIfResident(pool, filler, words, source);
  });

  test('merge-kernel: resident: through loadMergeKernel, maps from allocateWords are merged in place', () => {
    const length = RESIDENT_THRESHOLD_WORDS + 7;
    const words = allocateWords(length);
    const source = allocateWords(length);
    expect(isResident(words) && isResident(source)).toBe(true);
    words.set(filled(length, 'random', 61));
    source.set(filled(length, 'sparse', 62));
    expectKernelMatches(loadMergeKernel()!, words, source, 5, length - 2);
    wordPool.release(words);
    wordPool.release(source);
  });

  test('merge-kernel: resident: overlapping resident arrays, arrays in the staging pages and too small a reserve are asserts', () => {
    const { pool, kernel } = residentSetup(16);
    const words = pool.allocate(100);
    expect(() => kernel.mergeWords(words, words.subarray(1), 0, 50)).toThrow(AssertionFailed);
    const inStaging = new Int32Array(pool.memory()!.buffer, 0, 100);
    expect(() => kernel.mergeWords(words, inStaging, 0, 100)).toThrow(AssertionFailed);
    expect(() => kernel.countWords(inStaging, 0, 100)).toThrow(AssertionFailed);
    const tight = createWordPool({ pages: 16, reservedPages: 1, thresholdWords: 1 });
    expect(() => createMergeKernel(CHUNK_WORDS, tight)).toThrow(AssertionFailed);
    expect(createMergeKernel(PAGE_BYTES / 8, tight)).not.toBeNull();
  });
}
