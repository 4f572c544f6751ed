/**
 * Deterministic benchmark data: every implementation measures the same bits, made from fixed seeds.
 *
 * A "random" map has each of its dirty tracks at an independent uniform position (50% is a random word per
 * word). A "clustered" map has the same number of dirty tracks in runs of 1 to 127 consecutive tracks
 * (64 on average, a 4 MiB host write at 64 KiB tracks), at uniform starts.
 */

export type Shape = 'random' | 'clustered';

export interface Pattern {
  readonly shape: Shape;
  /** Fraction of the bits to set: 0.0001 is 0.01%. */
  readonly density: number;
  readonly seed: number;
}

/** A seeded xorshift32 generator: the benchmark's data, and the tests' (test/fast-bitmap/bitmap.test.ts, test/fast-bitmap/merge-kernel.test.ts). */
export function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/** `count` uniform positions in [0, bitCount), bitCount a power of two at most 2^32. */
export function randomPositions(bitCount: number, count: number, seed: number): Uint32Array {
  const random = xorshift(seed);
  const positions = new Uint32Array(count);
  for (let index = 0; index < count; index += 1) positions[index] = random() % bitCount;
  return positions;
}

/** The raw words (bit i in bit i & 31 of word i >>> 5) of a pattern. */
export function patternWords(bitCount: number, pattern: Pattern): Uint32Array {
  const words = new Uint32Array(Math.ceil(bitCount / 32));
  const random = xorshift(pattern.seed);
  const wanted = Math.round(bitCount * pattern.density);
  if (pattern.shape === 'random' && pattern.density === 0.5) {
    for (let index = 0; index < words.length; index += 1) words[index] = random();
    return words;
  }
  if (pattern.shape === 'random') {
    for (let placed = 0; placed < wanted; placed += 1) setBit(words, random() % bitCount);
    return words;
  }
  for (let placed = 0; placed < wanted;) {
    const length = 1 + (random() % 127);
    const start = random() % bitCount;
    for (let bit = start; bit < Math.min(bitCount, start + length); bit += 1) setBit(words, bit);
    placed += length;
  }
  return words;
}

function setBit(words: Uint32Array, bit: number): void {
  words[bit >>> 5] = words[bit >>> 5]! | (1 << (bit & 31));
}

export function describePattern(pattern: Pattern): string {
  return `${formatPercent(pattern.density)} ${pattern.shape}`;
}

function formatPercent(density: number): string {
  return `${Number((density * 100).toPrecision(3))}%`;
}
