/**
 * The seeded randomness of `copyspec workload` (docs/workload.md "Randomness"): every random choice of a run
 * (the order of an image's changed blocks, how many background steps follow a write, which message a
 * delivery takes, which fault strikes, where a failure point falls, the bytes of a trace's `seed` writes)
 * comes from mulberry32 generators seeded here, so a run repeats exactly from its seed and a port can make
 * the same bytes from a trace.
 *
 * mulberry32 is a 32-bit generator of a dozen lines, chosen because a porter can write it in any language in
 * a minute and its output is fixed by its definition (docs/workload.md gives it); it is not cryptographic,
 * which nothing here needs.
 */
import { assert } from '../assert.js';
import type { WorkloadRandom } from '../lifecycle.js';

/** One step of mulberry32 on a 32-bit state: the next state and the output, both unsigned 32-bit. */
function mulberry32(state: number): { readonly state: number; readonly output: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, output: (t ^ (t >>> 14)) >>> 0 };
}

/** A stream of seeded choices; the engine hands drivers one of these, never Math.random. */
export class SeededRandom implements WorkloadRandom {
  private state: number;

  constructor(seed: number) {
    assert(Number.isSafeInteger(seed) && seed >= 0, () => `a seed is a whole number, got ${seed}`);
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit output. */
  nextUint32(): number {
    const { state, output } = mulberry32(this.state);
    this.state = state;
    return output;
  }

  /** A number in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  below(n: number): number {
    assert(Number.isSafeInteger(n) && n >= 1, () => `below(n) needs a whole n ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A whole number in [low, high]. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  /** Shuffles in place (Fisher-Yates, from the last element down) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.below(i + 1);
      const item = items[i]!;
      items[i] = items[j]!;
      items[j] = item;
    }
    return items;
  }
}

/**
 * A seed for one independent stream of a run: the run's seed and a stream number mixed by murmur3's 32-bit
 * finalizer, so that the stream of failure point 7 does not depend on how many choices another stream made.
 */
export function streamSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The bytes of a trace write given by a data seed (docs/workload.md): the outputs of mulberry32 seeded with
 * `seed`, each written as 4 bytes little-endian, cut to `length`. Filled a word at a time.
 */
export function seededBytes(seed: number, length: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(length / 4));
  let state = seed >>> 0;
  for (let i = 0; i < words.length; i += 1) {
    const step = mulberry32(state);
    state = step.state;
    words[i] = littleEndian ? step.output : ((step.output & 0xff) << 24 | (step.output & 0xff00) << 8 | (step.output >>> 8) & 0xff00 | step.output >>> 24) >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}
