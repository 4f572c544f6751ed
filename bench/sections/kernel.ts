/**
 * Bench section "kernel" (issue 4: dense OR-merge at most 3 B in plain TypeScript, at most 1.2 B with a
 * WebAssembly kernel): the WebAssembly kernel of src/merge-kernel.ts against the JavaScript loops of
 * src/bitmap.ts and against B, on raw word arrays of the full map size (2^23 words at 2^28 bits).
 *
 * For each density (50% and 1% random), in the same rounds as B (`context.compare`):
 *   - `mergeWords`, the JavaScript Harley-Seal merge of src/bitmap.ts (copied below: it is not exported);
 *   - the staged kernel (`createMergeKernel`) with staging buffers of 16, 32, 64 and 128 KiB, each
 *     copying the caller's chunks in and out of wasm memory;
 *   - the kernel on maps already resident in one wasm memory that holds both, with no copies. This is the
 *     lower bound for a bitmap that kept its words in wasm memory, which src/bitmap.ts does not do.
 * Then the same three forms of popcount (`countWords`, the recount).
 *
 * Each merge runs on a destination restored from a pristine copy before the run (untimed), so every form
 * starts with its destination recently written and its source not, and all of them OR in the same source.
 * Before timing, every form's count and resulting words are checked against the JavaScript loop: a fast wrong
 * kernel must not produce a figure.
 */
import { CHUNK_WORDS, createMergeKernel, instantiateKernel, kernelUnavailableReason, type MergeKernel, type RawKernel } from '../../src/merge-kernel.js';
import { describePattern, patternWords, type Pattern } from '../data.js';
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

export const kernelSection: BenchSection = {
  name: 'kernel',
  description: 'WebAssembly merge/popcount kernel vs the JavaScript loops vs B: staged chunk sizes, maps resident in wasm memory',
  run(context) {
    const reason = kernelUnavailableReason();
    if (reason !== null) throw new Error(`the WebAssembly kernel is unavailable, so bench section "kernel" cannot run: ${reason}`);
    const wordCount = Math.ceil(context.options.bitCount / 32);
    const staged = CHUNK_SIZES.map((chunkWords) => createMergeKernel(chunkWords)!);
    const resident = residentMaps(wordCount);
    for (const pattern of PATTERNS) {
      context.log(`kernel: ${describePattern(pattern)}`);
      context.yardstick(3);
      const maps = wordMaps(wordCount, pattern);
      resident.source.set(maps.source);
      merges(context, maps, staged, resident);
      counts(context, maps, staged, resident);
    }
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

function chunkLabel(chunkWords: number): string {
  return `staged kernel, 2 x ${(chunkWords * WORD_BYTES) / 1024} KiB buffers${chunkWords === CHUNK_WORDS ? ' (default)' : ''}`;
}

function merges(context: BenchContext, maps: WordMaps, staged: readonly MergeKernel[], resident: ResidentMaps): void {
  const end = maps.pristine.length;
  const restore = (): void => maps.target.set(maps.pristine);
  const restoreResident = (): void => resident.target.set(maps.pristine);
  const variants: Record<string, Variant> = {
    js: { work: () => mergeWords(maps.target, maps.source, 0, end), setup: restore },
    resident: { work: () => resident.kernel.merge(0, resident.sourceOffset, end), setup: restoreResident },
  };
  for (const kernel of staged) variants[chunkLabel(kernel.chunkWords)] = { work: () => kernel.mergeWords(maps.target, maps.source, 0, end), setup: restore };
  checkMerges(maps, variants, resident);
  const measured = context.compare(variants) as Record<string, Measurement>;
  const yardstickMs = measured['B']!.medianMs;
  const record = (form: string, name: string, target?: Target, note?: string): void => {
    const ms = measured[name]!.medianMs;
    context.record({ name: `kernel: dense OR-merge with count, ${form}, ${maps.label}`, value: ms, unit: 'ms', ms, yardstickMs,
      ...(target === undefined ? {} : { target }), ...(note === undefined ? {} : { note }) });
  };
  record('JavaScript mergeWords', 'js', MERGE_TARGET_JS);
  for (const kernel of staged) {
    const name = chunkLabel(kernel.chunkWords);
    record(name, name, kernel.chunkWords === CHUNK_WORDS ? MERGE_TARGET_KERNEL : undefined);
  }
  record('kernel on maps resident in wasm memory', 'resident', undefined,
    'no copies: the lower bound for a bitmap whose words live in wasm memory, which src/bitmap.ts does not do');
}

/** Runs every merge once and throws unless each gives the JavaScript loop's count and words. */
function checkMerges(maps: WordMaps, variants: Readonly<Record<string, Variant>>, resident: ResidentMaps): void {
  const expected = maps.pristine.slice();
  const expectedCount = mergeWords(expected, maps.source, 0, expected.length);
  for (const [name, variant] of Object.entries(variants)) {
    variant.setup?.();
    const count = variant.work();
    const words = name === 'resident' ? resident.target : maps.target;
    if (count !== expectedCount || !sameWords(words, expected)) {
      throw new Error(`kernel bench: ${name} merged ${String(count)} new bits, JavaScript ${expectedCount}${sameWords(words, expected) ? '' : ', and the words differ'}`);
    }
  }
}

function counts(context: BenchContext, maps: WordMaps, staged: readonly MergeKernel[], resident: ResidentMaps): void {
  const end = maps.pristine.length;
  const kernel = staged.find((candidate) => candidate.chunkWords === CHUNK_WORDS)!;
  resident.target.set(maps.pristine);
  const variants = {
    js: { work: () => countWords(maps.pristine, 0, end) },
    staged: { work: () => kernel.countWords(maps.pristine, 0, end) },
    resident: { work: () => resident.kernel.count(0, end) },
  };
  const expected = countWords(maps.pristine, 0, end);
  for (const [name, variant] of Object.entries(variants)) {
    const count = variant.work();
    if (count !== expected) throw new Error(`kernel bench: ${name} counted ${count} bits, JavaScript ${expected}`);
  }
  const { js, staged: stagedCount, resident: residentCount, B } = context.compare(variants);
  const record = (form: string, measurement: Measurement, target?: Target, note?: string): void => {
    context.record({ name: `kernel: popcount (recount), ${form}, ${maps.label}`, value: measurement.medianMs, unit: 'ms', ms: measurement.medianMs,
      yardstickMs: B.medianMs, ...(target === undefined ? {} : { target }), ...(note === undefined ? {} : { note }) });
  };
  record('JavaScript countWords', js, RECOUNT_TARGET);
  record(chunkLabel(CHUNK_WORDS), stagedCount, RECOUNT_TARGET);
  record('kernel on a map resident in wasm memory', residentCount, undefined, 'no copy: the lower bound for words kept in wasm memory');
}

function sameWords(words: Int32Array, other: Int32Array): boolean {
  if (words.length !== other.length) return false;
  for (let index = 0; index < words.length; index += 1) if (words[index] !== other[index]) return false;
  return true;
}

// ---- the JavaScript loops, copied verbatim from src/bitmap.ts (commit c5d1a8b), where they are not exported ----

function popcount32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

function mergeWords(words: Int32Array, source: Int32Array, first: number, end: number): number {
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

function countWords(words: Int32Array, first: number, end: number): number {
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
