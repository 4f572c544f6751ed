/**
 * The word pool (src/fast-bitmap/word-pool.ts): which allocations are resident, that every array starts zeroed even when
 * its pages held a freed map, that a full or missing pool falls back to plain arrays, that freed blocks
 * coalesce and return to the bump pointer, and that a dropped array's block comes back after a collection.
 *
 * The tests use small pools of their own (`createWordPool`), with thresholds of a page or less, so that they
 * touch little memory and the process-wide pool is left alone. Blocks are freed with `release`, which frees at
 * once, except in the one test about finalization.
 *
 * The random sequences run with an explicit seed and run count. A failure prints fast-check's seed and path;
 * replay it by putting them into the property's options (`{ seed, path, numRuns }`) and running
 * `npx vitest run test/fast-bitmap/word-pool.test.ts -t '<test name>'`. No test here measures time.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';

import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';

import { AssertionFailed } from '../../src/assert.js';
import {
  PAGE_BYTES,
  POOL_PAGES,
  RESIDENT_THRESHOLD_WORDS,
  STAGING_PAGES,
  allocateWords,
  createWordPool,
  isResident,
  poolStatistics,
  wordPool,
  type WordPool,
} from '../../src/fast-bitmap/word-pool.js';

const PAGE_WORDS = PAGE_BYTES / 4;

function smallPool(pages: number, thresholdWords = PAGE_WORDS): WordPool {
  return createWordPool({ pages, reservedPages: STAGING_PAGES, thresholdWords });
}

function allZero(words: Int32Array): boolean {
  for (let index = 0; index < words.length; index += 1) if (words[index] !== 0) return false;
  return true;
}

/** The pages a resident array occupies, counted from the start of its pool. */
function pagesOf(words: Int32Array): [number, number] {
  return [words.byteOffset / PAGE_BYTES, Math.ceil((words.byteOffset + words.byteLength) / PAGE_BYTES)];
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('word-pool', () => {
  test('word-pool: allocate: below the threshold a plain array, at and above it a resident one, all zeroed', () => {
    const pool = smallPool(16, 1000);
    const small = pool.allocate(999);
    expect(pool.isResident(small)).toBe(false);
    expect(pool.statistics().created).toBe(false);
    for (const count of [1000, 1001, PAGE_WORDS, PAGE_WORDS + 1]) {
      const words = pool.allocate(count);
      expect(words.length).toBe(count);
      expect(pool.isResident(words)).toBe(true);
      expect(words.byteOffset % PAGE_BYTES).toBe(0);
      expect(words.byteOffset).toBeGreaterThanOrEqual(pool.reservedBytes);
      expect(allZero(words)).toBe(true);
    }
    const statistics = pool.statistics();
    expect(statistics.created).toBe(true);
    expect(statistics.blocksInUse).toBe(4);
    // 1000, 1001 and 16384 words take one page each; 16385 words take two.
    expect(statistics.bytesInUse).toBe(5 * PAGE_BYTES);
    expect(statistics.bytesReserved).toBe(16 * PAGE_BYTES);
    expect(statistics.bytesUnused).toBe((16 - STAGING_PAGES - 5) * PAGE_BYTES);
  });

  test('word-pool: allocate: zero words is a plain empty array even with a threshold of zero', () => {
    const pool = smallPool(8, 0);
    const words = pool.allocate(0);
    expect(words.length).toBe(0);
    expect(pool.isResident(words)).toBe(false);
    expect(pool.statistics().created).toBe(false);
  });

  test('word-pool: allocate: the process-wide pool holds maps from RESIDENT_THRESHOLD_WORDS up', () => {
    expect(isResident(allocateWords(RESIDENT_THRESHOLD_WORDS - 1))).toBe(false);
    const words = allocateWords(RESIDENT_THRESHOLD_WORDS);
    expect(isResident(words)).toBe(true);
    expect(wordPool.isResident(words)).toBe(true);
    expect(allZero(words)).toBe(true);
    const statistics = poolStatistics();
    expect(statistics.bytesReserved).toBe(POOL_PAGES * PAGE_BYTES);
    expect(statistics.bytesInUse).toBeGreaterThanOrEqual(RESIDENT_THRESHOLD_WORDS * 4);
    wordPool.release(words);
  });

  test('word-pool: reuse: a released block is zeroed before it is handed out again, whole or in part', () => {
    const pool = smallPool(16);
    const first = pool.allocate(3 * PAGE_WORDS);
    const keep = pool.allocate(PAGE_WORDS);
    first.fill(-1);
    keep.fill(7);
    pool.release(first);
    // First fit takes the front of the freed block; the rest stays free, and the kept block is untouched.
    const again = pool.allocate(PAGE_WORDS + 5);
    expect(again.byteOffset).toBe(first.byteOffset);
    expect(allZero(again)).toBe(true);
    const rest = pool.allocate(PAGE_WORDS);
    expect(rest.byteOffset).toBe(first.byteOffset + 2 * PAGE_BYTES);
    expect(allZero(rest)).toBe(true);
    expect(keep.every((word) => word === 7)).toBe(true);
  });

  test('word-pool: reuse: a block that spans freed pages and never-used pages is zeroed over all of it', () => {
    const pool = smallPool(16);
    const below = pool.allocate(PAGE_WORDS);
    const top = pool.allocate(2 * PAGE_WORDS);
    top.fill(-1);
    pool.release(top);
    // The freed top block went back to the bump pointer, so a larger block starts on its dirty pages.
    const larger = pool.allocate(4 * PAGE_WORDS);
    expect(larger.byteOffset).toBe(top.byteOffset);
    expect(allZero(larger)).toBe(true);
    expect(pool.isResident(below)).toBe(true);
  });

  test('word-pool: full: an allocation with no room gets a plain array, counted, and room comes back on release', () => {
    const pool = smallPool(8);
    const filling = pool.allocate(6 * PAGE_WORDS);
    expect(pool.isResident(filling)).toBe(true);
    const overflow = pool.allocate(PAGE_WORDS);
    expect(pool.isResident(overflow)).toBe(false);
    expect(overflow.length).toBe(PAGE_WORDS);
    expect(pool.statistics().fallbackCount).toBe(1);
    pool.release(filling);
    expect(pool.isResident(pool.allocate(PAGE_WORDS))).toBe(true);
    expect(pool.statistics().fallbackCount).toBe(1);
  });

  test('word-pool: coalescing: freed neighbours merge into one block, and a block reaching the bump pointer lowers it', () => {
    const pool = smallPool(16);
    const [a, b, c, d] = [0, 1, 2, 3].map(() => pool.allocate(PAGE_WORDS)) as [Int32Array, Int32Array, Int32Array, Int32Array];
    pool.release(a);
    pool.release(c);
    expect(pool.statistics().freeBlockCount).toBe(2);
    pool.release(b);
    expect(pool.statistics().freeBlockCount).toBe(1);
    expect(pool.statistics().bytesFree).toBe(3 * PAGE_BYTES);
    // Three pages fit only in the merged block, so first fit puts them where a was.
    const merged = pool.allocate(3 * PAGE_WORDS);
    expect(merged.byteOffset).toBe(a.byteOffset);
    expect(pool.statistics().freeBlockCount).toBe(0);
    pool.release(merged);
    pool.release(d);
    const statistics = pool.statistics();
    expect(statistics.freeBlockCount).toBe(0);
    expect(statistics.bytesFree).toBe(0);
    expect(statistics.bytesInUse).toBe(0);
    expect(statistics.bytesUnused).toBe((16 - STAGING_PAGES) * PAGE_BYTES);
    expect(statistics.bytesTouched).toBe((STAGING_PAGES + 4) * PAGE_BYTES);
  });

  test('word-pool: blocks: random allocations and releases never overlap, always start zeroed and account for every page', () => {
    const pages = 24;
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('allocate' as const), count: fc.integer({ min: 1, max: 5 * PAGE_WORDS }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 40 }), (operations) => {
        const pool = smallPool(pages, 1);
        const live: Int32Array[] = [];
        for (const [step, op] of operations.entries()) {
          if (op.kind === 'release') {
            if (live.length > 0) pool.release(live.splice(op.pick % live.length, 1)[0]!);
            continue;
          }
          const words = pool.allocate(op.count);
          if (!pool.isResident(words)) continue;
          expect(allZero(words)).toBe(true);
          // Each live block is marked at its ends, so a block handed out over a live one shows.
          words[0] = step + 1;
          words[words.length - 1] = step + 1;
          live.push(words);
        }
        const spans = live.map(pagesOf).sort((x, y) => x[0] - y[0]);
        for (let index = 1; index < spans.length; index += 1) expect(spans[index]![0]).toBeGreaterThanOrEqual(spans[index - 1]![1]);
        for (const words of live) expect(words[0]).toBe(words[words.length - 1]);
        const statistics = pool.statistics();
        const pagesInUse = spans.reduce((total, [start, end]) => total + end - start, 0);
        expect(statistics.bytesInUse).toBe(pagesInUse * PAGE_BYTES);
        expect(statistics.blocksInUse).toBe(live.length);
        if (statistics.created) {
          expect(statistics.bytesInUse + statistics.bytesFree + statistics.bytesUnused + pool.reservedBytes).toBe(statistics.bytesReserved);
        }
      }),
      { seed: 5101, numRuns: 150 },
    );
  });

  test('word-pool: finalization: a dropped array\'s block returns to the pool after a collection', async () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const pool = smallPool(8);
    const allocateAndDrop = (): void => {
      pool.allocate(2 * PAGE_WORDS)[0] = 1;
    };
    allocateAndDrop();
    expect(pool.statistics().blocksInUse).toBe(1);
    // Finalizers run as tasks after the collection that found the array, so the event loop must turn.
    for (let attempt = 0; attempt < 50 && pool.statistics().blocksInUse > 0; attempt += 1) {
      collect();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(pool.statistics().blocksInUse).toBe(0);
    expect(pool.statistics().bytesUnused).toBe((8 - STAGING_PAGES) * PAGE_BYTES);
    const reused = pool.allocate(2 * PAGE_WORDS);
    expect(allZero(reused)).toBe(true);
  });

  test('word-pool: unavailable: without WebAssembly every allocation is a plain array, and the pool says why', () => {
    vi.stubGlobal('WebAssembly', undefined);
    const pool = smallPool(8);
    const words = pool.allocate(PAGE_WORDS);
    expect(words.length).toBe(PAGE_WORDS);
    expect(pool.isResident(words)).toBe(false);
    expect(pool.memory()).toBeNull();
    expect(pool.statistics().unavailableReason).toMatch(/WebAssembly is unavailable/);
    expect(pool.statistics().fallbackCount).toBe(1);
  });

  test('word-pool: unavailable: a memory the system refuses is retried at half the size', () => {
    // TypeScript declares WebAssembly only in the DOM libraries, which this project leaves out.
    const RealMemory = (globalThis as unknown as { WebAssembly: { Memory: new (descriptor: object) => object } }).WebAssembly.Memory;
    vi.stubGlobal('WebAssembly', {
      Memory: function Memory(descriptor: { initial: number; maximum: number }) {
        if (descriptor.initial > 10) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        return new RealMemory(descriptor);
      },
    });
    const pool = smallPool(40);
    expect(pool.isResident(pool.allocate(PAGE_WORDS))).toBe(true);
    expect(pool.statistics().bytesReserved).toBe(10 * PAGE_BYTES);
  });

  test('word-pool: rejections: bad layouts, bad counts and releasing a foreign or freed array are asserts', () => {
    expect(() => createWordPool({ pages: 0, reservedPages: 0, thresholdWords: 1 })).toThrow(AssertionFailed);
    expect(() => createWordPool({ pages: POOL_PAGES + 1, reservedPages: 0, thresholdWords: 1 })).toThrow(AssertionFailed);
    expect(() => createWordPool({ pages: 4, reservedPages: 4, thresholdWords: 1 })).toThrow(AssertionFailed);
    expect(() => createWordPool({ pages: 4, reservedPages: 0, thresholdWords: -1 })).toThrow(AssertionFailed);
    const pool = smallPool(8);
    expect(() => pool.allocate(-1)).toThrow(AssertionFailed);
    expect(() => pool.allocate(1.5)).toThrow(AssertionFailed);
    expect(() => pool.release(new Int32Array(PAGE_WORDS))).toThrow(AssertionFailed);
    const words = pool.allocate(PAGE_WORDS);
    expect(() => pool.release(words.subarray(1))).toThrow(AssertionFailed);
    expect(() => smallPool(8).release(words)).toThrow(AssertionFailed);
    pool.release(words);
    expect(() => pool.release(words)).toThrow(AssertionFailed);
  });
});
