/**
 * The fast bitmap (src/fast-bitmap/bitmap.ts) against the reference bitmap (src/bitmap.ts), issue 8 item 8:
 * random sequences of operations run on both side by side, each answer compared as it comes and every
 * observation of both maps compared after each step: the count, the runs of set bits (found by alternating
 * nextSet and nextClear), `toArray` up to 100 000 set bits, and for maps of at most 4096 bits the serialized
 * form and the iterator. The reference is the meaning; the fast one must agree with it in everything
 * `TrackBitmap` shows, and its own sliced forms (`mergeInSlices`, `copyFromInSlices`, `clearAllInSlices`) and
 * `collect` must give what the reference's whole operations and searches give. At the end of each run the
 * fast one's internal invariants are checked too (`assertConsistent`).
 *
 * A run holds two maps of one size per implementation, A and B, so that merge, copyFrom, equals and clone
 * have a partner (or the map itself); a clone replaces the other map, and from then on each must change
 * independently of the other. Sizes: 1, 31, 32, 33 and 100 bits (around a word); 256 and 257 (the fast one's
 * last map without a summary, and its first with one); 8193 and 40 000 (two and three summary levels);
 * 262 145 (dense windows take the fast one's bulk copy and its WebAssembly kernel); and three slices of 2^24
 * bits with a partial last one (per-slice counts, sliced steps, words in the word pool) for a few runs only.
 *
 * Every property runs with an explicit seed and run count. A failure prints fast-check's report with the seed
 * and path, and the command that replays just that case (COPYSPEC_SEED and COPYSPEC_PATH). No test here
 * measures time (see bench/).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { xorshift } from '../bench/data.js';
import { AssertionFailed } from '../src/assert.js';
import { Bitmap } from '../src/bitmap.js';
import { FastBitmap, SLICE_BITS } from '../src/fast-bitmap/bitmap.js';
import type { TrackBitmap } from '../src/track-bitmap.js';

const SEED = Number(process.env['COPYSPEC_SEED'] ?? 20261208);
/** A counterexample's path, to replay only it (with the seed it was found with). */
const PATH = process.env['COPYSPEC_PATH'];
const FILE = 'test/bitmap-differential.test.ts';
/** Dense fills, and most ranges, cover at most this many bits (more than 2048 words: the kernel's shortest run). */
const WINDOW_BITS = 70_000;
/** Above this size the observations leave out the serialized form (a string of one character per bit). */
const TEXT_MAX_BITS = 4096;
/** Above this many set bits the observations leave out `toArray` (the runs of set bits show the same). */
const LIST_MAX_BITS = 100_000;

interface Size {
  readonly bitCount: number;
  readonly why: string;
  readonly runs: number;
  readonly maxSteps: number;
}

const SIZES: readonly Size[] = [
  { bitCount: 1, why: 'one bit', runs: 150, maxSteps: 40 },
  { bitCount: 31, why: 'a word less one bit', runs: 150, maxSteps: 40 },
  { bitCount: 32, why: 'one word', runs: 150, maxSteps: 40 },
  { bitCount: 33, why: 'one bit past a word', runs: 150, maxSteps: 40 },
  { bitCount: 100, why: 'a few words', runs: 150, maxSteps: 40 },
  { bitCount: 256, why: 'the fast one\'s largest map without a summary', runs: 60, maxSteps: 30 },
  { bitCount: 257, why: 'the fast one\'s smallest map with a summary', runs: 60, maxSteps: 30 },
  { bitCount: 8193, why: 'two summary levels', runs: 60, maxSteps: 30 },
  { bitCount: 40_000, why: 'three summary levels', runs: 60, maxSteps: 30 },
  { bitCount: 262_145, why: 'bulk copies and the kernel', runs: 25, maxSteps: 30 },
  { bitCount: 2 * SLICE_BITS + 77, why: 'three slices in the word pool', runs: 10, maxSteps: 25 },
];

// ---- steps ----

type Slot = 0 | 1;
type BitOperation = 'set' | 'clear' | 'test';

type Step =
  | { readonly op: BitOperation; readonly slot: Slot; readonly bit: number }
  | { readonly op: 'outside'; readonly slot: Slot; readonly operation: BitOperation; readonly bit: number }
  | { readonly op: 'setRange'; readonly slot: Slot; readonly start: number; readonly length: number }
  | { readonly op: 'fill'; readonly slot: Slot; readonly dense: boolean; readonly start: number; readonly seed: number }
  | { readonly op: 'clearAll'; readonly slot: Slot; readonly sliced: boolean }
  | { readonly op: 'merge' | 'copyFrom'; readonly slot: Slot; readonly fromItself: boolean; readonly sliced: boolean }
  | { readonly op: 'clone'; readonly slot: Slot }
  | { readonly op: 'equals' }
  | { readonly op: 'walk'; readonly slot: Slot; readonly search: 'nextSet' | 'nextClear'; readonly from: number; readonly answers: number }
  | { readonly op: 'collect'; readonly slot: Slot; readonly from: number; readonly capacity: number };

/**
 * Bit 0, the last bit, and the bits on both sides of the first 40 and the last boundaries of each unit: a word,
 * the words one summary word covers at each level (8 words are the fast one's largest flat map), a slice.
 */
function edgeBits(bitCount: number): number[] {
  const edges = new Set<number>([0, 1, bitCount - 2, bitCount - 1]);
  for (const unit of [32, 256, 1024, 8192, 32_768, 262_144, 1_048_576, SLICE_BITS]) {
    const last = Math.floor((bitCount - 1) / unit) * unit;
    const bases = [...Array.from({ length: 40 }, (_, k) => (k + 1) * unit), last - unit, last];
    for (const base of bases) for (const bit of [base - 1, base, base + 1]) edges.add(bit);
  }
  return [...edges].filter((bit) => bit >= 0 && bit < bitCount).sort((a, b) => a - b);
}

function stepArbitrary(bitCount: number): fc.Arbitrary<Step> {
  const slot = fc.constantFrom<Slot>(0, 1);
  const bit = fc.oneof(fc.nat({ max: bitCount - 1 }), fc.constantFrom(...edgeBits(bitCount)));
  const from = fc.oneof({ weight: 4, arbitrary: bit }, { weight: 1, arbitrary: fc.constantFrom(-1, bitCount, bitCount + 5) });
  const operation = fc.constantFrom<BitOperation>('set', 'clear', 'test');
  // Most ranges fit a window; some run to the end of the map, or cover a slice (the fast one's whole-slice paths).
  const rangeLength = fc.oneof({ weight: 6, arbitrary: fc.nat({ max: Math.min(bitCount, WINDOW_BITS) }) },
    { weight: 1, arbitrary: fc.constantFrom(bitCount, Math.min(bitCount, SLICE_BITS)) });
  const fromItself = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ op: operation, slot, bit }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('outside' as const), slot, operation, bit: fc.constantFrom(-1, bitCount, bitCount + 1, 0.5, Number.NaN) }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('setRange' as const), slot, start: bit, length: rangeLength }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('fill' as const), slot, dense: fc.boolean(), start: bit, seed: fc.integer({ min: 1, max: 0x7fffffff }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clearAll' as const), slot, sliced: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('merge' as const, 'copyFrom' as const), slot, fromItself, sliced: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clone' as const), slot }) },
    { weight: 1, arbitrary: fc.constant({ op: 'equals' as const }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('walk' as const), slot, search: fc.constantFrom('nextSet' as const, 'nextClear' as const), from, answers: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('collect' as const), slot, from, capacity: fc.integer({ min: 1, max: 70 }) }) },
  );
}

// ---- the two implementations side by side ----

interface Maps {
  readonly reference: [Bitmap, Bitmap];
  readonly fast: [FastBitmap, FastBitmap];
}

function other(slot: Slot): Slot {
  return slot === 0 ? 1 : 0;
}

/** The bits a fill sets: 40 anywhere in the map, or about half of a window from `start`. */
function fillBits(bitCount: number, step: Extract<Step, { op: 'fill' }>): number[] {
  const random = xorshift(step.seed);
  if (!step.dense) return Array.from({ length: 40 }, () => random() % bitCount);
  const bits: number[] = [];
  for (let bit = step.start; bit < Math.min(bitCount, step.start + WINDOW_BITS); bit += 1) if (random() & 1) bits.push(bit);
  return bits;
}

/** Up to `answers` answers of a walk by `search(at + 1)` from `from`, ending at the first -1. */
function walk(bitmap: TrackBitmap, search: 'nextSet' | 'nextClear', from: number, answers: number): number[] {
  const found: number[] = [];
  for (let at = from; found.length < answers;) {
    const bit = bitmap[search](at);
    found.push(bit);
    if (bit === -1) break;
    at = bit + 1;
  }
  return found;
}

/** Runs one step on both implementations, comparing every answer. */
function runStep(maps: Maps, step: Step, bitCount: number): void {
  const { reference, fast } = maps;
  switch (step.op) {
    case 'set':
    case 'clear':
    case 'test':
      expect(fast[step.slot][step.op](step.bit), step.op).toBe(reference[step.slot][step.op](step.bit));
      break;
    case 'outside':
      expect(() => reference[step.slot][step.operation](step.bit)).toThrow(AssertionFailed);
      expect(() => fast[step.slot][step.operation](step.bit)).toThrow(AssertionFailed);
      break;
    case 'setRange': {
      const end = Math.min(bitCount, step.start + step.length);
      expect(fast[step.slot].setRange(step.start, end), 'setRange').toBe(reference[step.slot].setRange(step.start, end));
      break;
    }
    case 'fill': {
      // The number of bits each set changed, rather than one expect per bit: a dense fill sets 35 000.
      const bits = fillBits(bitCount, step);
      const changed = (bitmap: TrackBitmap): number => bits.reduce((total, bit) => total + (bitmap.set(bit) ? 1 : 0), 0);
      expect(changed(fast[step.slot]), 'fill').toBe(changed(reference[step.slot]));
      break;
    }
    case 'clearAll':
      reference[step.slot].clearAll();
      if (step.sliced) fast[step.slot].clearAllInSlices().finish();
      else fast[step.slot].clearAll();
      break;
    case 'merge':
    case 'copyFrom':
      runWholeMapStep(maps, step);
      break;
    case 'clone': {
      const copy = other(step.slot);
      reference[copy] = reference[step.slot].clone();
      fast[copy] = fast[step.slot].clone();
      expect(fast[copy].equals(fast[step.slot]), 'a clone equals its original').toBe(true);
      break;
    }
    case 'equals':
      expect(fast[0].equals(fast[1]), 'A equals B').toBe(reference[0].equals(reference[1]));
      expect(fast[1].equals(fast[0]), 'B equals A').toBe(reference[1].equals(reference[0]));
      expect(fast[0].equals(new FastBitmap(bitCount + 1)), 'A equals a map one bit longer').toBe(reference[0].equals(new Bitmap(bitCount + 1)));
      break;
    case 'walk':
      expect(walk(fast[step.slot], step.search, step.from, step.answers)).toEqual(walk(reference[step.slot], step.search, step.from, step.answers));
      break;
    case 'collect': {
      const out = new Uint32Array(step.capacity);
      const found = fast[step.slot].collect(step.from, out);
      const expected = walk(reference[step.slot], 'nextSet', step.from, step.capacity).filter((bit) => bit !== -1);
      expect([...out.subarray(0, found)], 'collect').toEqual(expected);
      break;
    }
  }
}

/** `slot` := `slot` OR (or an image of) its partner, or of itself; the fast one whole or in slices. */
function runWholeMapStep(maps: Maps, step: Extract<Step, { op: 'merge' | 'copyFrom' }>): void {
  const source = step.fromItself ? step.slot : other(step.slot);
  const [reference, fast] = [maps.reference[step.slot], maps.fast[step.slot]];
  const [referenceSource, fastSource] = [maps.reference[source], maps.fast[source]];
  if (step.op === 'merge') {
    reference.merge(referenceSource);
    if (step.sliced) fast.mergeInSlices(fastSource).finish();
    else fast.merge(fastSource);
  } else {
    reference.copyFrom(referenceSource);
    if (step.sliced) fast.copyFromInSlices(fastSource).finish();
    else fast.copyFrom(fastSource);
  }
}

// ---- observations ----

/** The first place two lists of bit numbers differ, or '' if they are equal (faster than a deep equality). */
function firstDifference(fastBits: readonly number[], referenceBits: readonly number[]): string {
  const length = Math.min(fastBits.length, referenceBits.length);
  for (let index = 0; index < length; index += 1) {
    if (fastBits[index] !== referenceBits[index]) return `entry ${index}: fast ${fastBits[index]}, reference ${referenceBits[index]}`;
  }
  return fastBits.length === referenceBits.length ? '' : `fast lists ${fastBits.length} entries, reference ${referenceBits.length}`;
}

/**
 * The runs of set bits, as [start, end) pairs flattened, found by alternating nextSet and nextClear from 0:
 * the whole content of a map at a cost in proportion to its runs, so a map with a slice set stays cheap.
 */
function runsOf(bitmap: TrackBitmap): number[] {
  const runs: number[] = [];
  for (let start = bitmap.nextSet(0); start !== -1; start = bitmap.nextSet(runs[runs.length - 1]!)) {
    const end = bitmap.nextClear(start);
    runs.push(start, end === -1 ? bitmap.bitCount : end);
    if (end === -1) break;
  }
  return runs;
}

/** Everything `TrackBitmap` shows of one map, compared between the implementations. */
function expectSameMap(fast: FastBitmap, reference: Bitmap, where: string): void {
  const count = reference.count;
  expect(fast.count, `${where}: count`).toBe(count);
  expect(firstDifference(runsOf(fast), runsOf(reference)), `${where}: runs by nextSet and nextClear`).toBe('');
  if (count <= LIST_MAX_BITS) expect(firstDifference(fast.toArray(), reference.toArray()), `${where}: toArray`).toBe('');
  if (reference.bitCount <= TEXT_MAX_BITS) {
    expect(fast.toString(), `${where}: toString`).toBe(reference.toString());
    expect([...fast], `${where}: iteration`).toEqual([...reference]);
  }
}

function agreesProperty(size: Size): fc.IPropertyWithHooks<[Step[]]> {
  const { bitCount } = size;
  return fc.property(fc.array(stepArbitrary(bitCount), { minLength: 1, maxLength: size.maxSteps, size: 'max' }), (steps) => {
    const maps: Maps = { reference: [new Bitmap(bitCount), new Bitmap(bitCount)], fast: [new FastBitmap(bitCount), new FastBitmap(bitCount)] };
    steps.forEach((step, index) => {
      runStep(maps, step, bitCount);
      for (const slot of [0, 1] as const) expectSameMap(maps.fast[slot], maps.reference[slot], `step ${index} ${step.op}, map ${'AB'[slot]}`);
    });
    for (const slot of [0, 1] as const) maps.fast[slot].assertConsistent();
  });
}

/** fc.check with the seed and runs given; a failure throws fast-check's report and the replay command. */
function checkAgrees(size: Size): void {
  const details = fc.check(agreesProperty(size), { seed: SEED, numRuns: size.runs, ...(PATH === undefined ? {} : { path: PATH }) });
  if (!details.failed) return;
  const replay = `COPYSPEC_SEED=${details.seed} COPYSPEC_PATH=${details.counterexamplePath} npx vitest run ${FILE} -t 'differential: ${size.bitCount} bits'`;
  throw new Error(`${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}\nreplay: ${replay}`);
}

describe('bitmap: differential', () => {
  for (const size of SIZES) {
    test(`bitmap: differential: ${size.bitCount} bits (${size.why}): the fast bitmap answers and looks as the reference after every step`,
      () => checkAgrees(size), 60_000);
  }
});
