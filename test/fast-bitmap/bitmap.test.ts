/**
 * The bitmap against its model: a plain `Set<number>` of set bits. Every public operation runs against both,
 * on sizes that straddle a word (32 bits), the single-array limit (256 bits), each summary level (8192 and
 * 262144 bits) and a slice (2^25 bits), and the two must agree after every step; `assertConsistent` then
 * checks the summaries and counts the model cannot see.
 *
 * Every property runs with an explicit seed and run count. A failure prints fast-check's seed and path;
 * replay it by putting them into that property's options (`{ seed, path, numRuns }`) and running
 * `npx vitest run test/fast-bitmap/bitmap.test.ts -t '<test name>'`. No test here measures time (see bench/).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

import { xorshift } from '../../bench/data.js';
import { AssertionFailed } from '../../src/assert.js';
import { FastBitmap, SLICE_BITS } from '../../src/fast-bitmap/bitmap.js';

/** Sizes around every structural boundary: word, single array (8 words), summary levels 2-4. */
const SMALL_SIZES = [0, 1, 3, 16, 31, 32, 33, 255, 256, 257] as const;
const SUMMARY_SIZES = [1000, 8191, 8192, 8193, 40_000, 262_144, 262_145] as const;
/** Three slices, the last partial: the per-slice counts and sliced operations. */
const SLICED_SIZE = 2 * SLICE_BITS + 77;
/** On the sliced size, patterns and ranges stay in windows so the model stays small. */
const WINDOW_BITS = 70_000;

// ---- deterministic bit patterns ----

type PatternKind = 'empty' | 'sparse' | 'dense' | 'clustered' | 'edges' | 'full';
interface Pattern {
  readonly kind: PatternKind;
  readonly seed: number;
}

/**
 * Bits near every word, summary and slice boundary of a map of `bitCount` bits: both sides of the first 40
 * and the last two boundaries of each unit. (A single cap of 400 bits over all units, as before, was filled by
 * word boundaries below bit 4300, so no summary or slice boundary was ever among them.)
 */
function edgeBits(bitCount: number): number[] {
  const edges = new Set<number>([0, 1, bitCount - 2, bitCount - 1]);
  for (const unit of [32, 256, 1024, 8192, 32_768, 262_144, SLICE_BITS]) {
    const last = Math.floor((bitCount - 1) / unit) * unit;
    const bases = [...Array.from({ length: 40 }, (_, k) => (k + 1) * unit), last - unit, last];
    for (const base of bases) for (const bit of [base - 1, base, base + 1]) edges.add(bit);
  }
  return [...edges].filter((bit) => bit >= 0 && bit < bitCount).sort((a, b) => a - b);
}

/** Where a window-sized pattern goes: the whole map if it is small, else a window chosen by the seed. */
function window(bitCount: number, random: () => number): [number, number] {
  if (bitCount <= WINDOW_BITS) return [0, bitCount];
  const candidates = [0, SLICE_BITS - WINDOW_BITS / 2, bitCount - WINDOW_BITS, random() % (bitCount - WINDOW_BITS)]
    .filter((start) => start + WINDOW_BITS <= bitCount);
  const start = candidates[random() % candidates.length]!;
  return [start, start + WINDOW_BITS];
}

function patternBits(bitCount: number, pattern: Pattern): number[] {
  const random = xorshift(pattern.seed);
  const bits: number[] = [];
  if (bitCount === 0 || pattern.kind === 'empty') return bits;
  const [start, end] = window(bitCount, random);
  switch (pattern.kind) {
    case 'sparse':
      for (let i = 0; i < 40; i += 1) bits.push(random() % bitCount);
      break;
    case 'dense':
      for (let bit = start; bit < end; bit += 1) if (random() & 1) bits.push(bit);
      break;
    case 'clustered':
      for (let run = 0; run < 4; run += 1) {
        const from = start + (random() % (end - start));
        const to = Math.min(end, from + (random() % 3000));
        for (let bit = from; bit < to; bit += 1) if (random() % 3 !== 0) bits.push(bit);
      }
      break;
    case 'edges':
      for (const bit of edgeBits(bitCount)) if (random() & 1) bits.push(bit);
      break;
    case 'full':
      for (let bit = start; bit < end; bit += 1) bits.push(bit);
      break;
  }
  return bits;
}

const patternArbitrary: fc.Arbitrary<Pattern> = fc.record({
  kind: fc.constantFrom<PatternKind>('empty', 'sparse', 'dense', 'clustered', 'edges', 'full'),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
});

// ---- the model ----

class Model {
  readonly bits = new Set<number>();
  constructor(readonly bitCount: number) {}

  sorted(): number[] {
    return [...this.bits].sort((a, b) => a - b);
  }

  nextSet(from: number): number {
    let best = -1;
    for (const bit of this.bits) if (bit >= from && (best === -1 || bit < best)) best = bit;
    return best;
  }

  nextClear(from: number): number {
    for (let bit = Math.max(0, from); bit < this.bitCount; bit += 1) if (!this.bits.has(bit)) return bit;
    return -1;
  }
}

function build(bitCount: number, pattern: Pattern): [FastBitmap, Model] {
  const model = new Model(bitCount);
  const bits = patternBits(bitCount, pattern);
  for (const bit of bits) model.bits.add(bit);
  return [FastBitmap.of(bitCount, bits), model];
}

/** Full agreement: content, count, iteration and internal invariants. */
function expectSame(bitmap: FastBitmap, model: Model): void {
  expect(bitmap.count).toBe(model.bits.size);
  expect(bitmap.toArray()).toEqual(model.sorted());
  bitmap.assertConsistent();
}

// ---- commands ----

type Command =
  | { readonly name: 'set' | 'clear' | 'test'; readonly bit: number }
  | { readonly name: 'setRange'; readonly start: number; readonly length: number }
  | { readonly name: 'nextSet' | 'nextClear'; readonly from: number }
  | { readonly name: 'collect'; readonly from: number; readonly capacity: number }
  | { readonly name: 'clearAll' }
  | { readonly name: 'merge' | 'copyFrom'; readonly pattern: Pattern; readonly sliced: boolean }
  | { readonly name: 'clearAllInSlices' };

function commandArbitrary(bitCount: number): fc.Arbitrary<Command> {
  const edges = edgeBits(bitCount);
  const bit = bitCount === 0
    ? fc.constant(0)
    : fc.oneof(fc.nat({ max: bitCount - 1 }), fc.constantFrom(...edges));
  const from = fc.oneof(bit, fc.constantFrom(-1, bitCount, bitCount + 5));
  const maxLength = Math.min(bitCount, WINDOW_BITS);
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ name: fc.constantFrom('set' as const, 'clear' as const, 'test' as const), bit }) },
    { weight: 2, arbitrary: fc.record({ name: fc.constant('setRange' as const), start: bit, length: fc.nat({ max: maxLength }) }) },
    { weight: 3, arbitrary: fc.record({ name: fc.constantFrom('nextSet' as const, 'nextClear' as const), from }) },
    { weight: 1, arbitrary: fc.record({ name: fc.constant('collect' as const), from, capacity: fc.integer({ min: 1, max: 70 }) }) },
    { weight: 1, arbitrary: fc.constant({ name: 'clearAll' as const }) },
    { weight: 1, arbitrary: fc.constant({ name: 'clearAllInSlices' as const }) },
    {
      weight: 2,
      arbitrary: fc.record({
        name: fc.constantFrom('merge' as const, 'copyFrom' as const),
        pattern: patternArbitrary,
        sliced: fc.boolean(),
      }),
    },
  );
}

/** Runs one command on both; checks the returned value and the count. */
function run(bitmap: FastBitmap, model: Model, command: Command): void {
  switch (command.name) {
    case 'set':
    case 'clear':
    case 'test':
      if (command.bit >= model.bitCount) return;
      runBitCommand(bitmap, model, command.name, command.bit);
      break;
    case 'setRange': {
      const start = Math.min(command.start, model.bitCount);
      const end = Math.min(model.bitCount, start + command.length);
      let added = 0;
      for (let bit = start; bit < end; bit += 1) {
        if (model.bits.has(bit)) continue;
        model.bits.add(bit);
        added += 1;
      }
      expect(bitmap.setRange(start, end)).toBe(added);
      break;
    }
    case 'nextSet':
      expect(bitmap.nextSet(command.from)).toBe(model.nextSet(command.from));
      break;
    case 'nextClear':
      expect(bitmap.nextClear(command.from)).toBe(model.nextClear(command.from));
      break;
    case 'collect': {
      const out = new Uint32Array(command.capacity);
      const found = bitmap.collect(command.from, out);
      const expected = model.sorted().filter((bit) => bit >= command.from).slice(0, command.capacity);
      expect([...out.subarray(0, found)]).toEqual(expected);
      break;
    }
    case 'clearAll':
      bitmap.clearAll();
      model.bits.clear();
      break;
    case 'clearAllInSlices':
      bitmap.clearAllInSlices().finish();
      model.bits.clear();
      break;
    case 'merge':
    case 'copyFrom':
      runWholeMapCommand(bitmap, model, command);
      break;
  }
  expect(bitmap.count).toBe(model.bits.size);
}

function runBitCommand(bitmap: FastBitmap, model: Model, name: 'set' | 'clear' | 'test', bit: number): void {
  const had = model.bits.has(bit);
  if (name === 'test') {
    expect(bitmap.test(bit)).toBe(had);
  } else if (name === 'set') {
    expect(bitmap.set(bit)).toBe(!had);
    model.bits.add(bit);
  } else {
    expect(bitmap.clear(bit)).toBe(had);
    model.bits.delete(bit);
  }
}

function runWholeMapCommand(bitmap: FastBitmap, model: Model, command: Extract<Command, { name: 'merge' | 'copyFrom' }>): void {
  const [other, otherModel] = build(model.bitCount, command.pattern);
  if (command.name === 'merge') {
    if (command.sliced) bitmap.mergeInSlices(other).finish();
    else bitmap.merge(other);
  } else {
    if (command.sliced) bitmap.copyFromInSlices(other).finish();
    else bitmap.copyFrom(other);
    model.bits.clear();
  }
  for (const bit of otherModel.bits) model.bits.add(bit);
  expect(other.count).toBe(otherModel.bits.size);
}

function commandsProperty(bitCount: number, maxCommands: number): fc.IPropertyWithHooks<[Pattern, Command[]]> {
  return fc.property(patternArbitrary, fc.array(commandArbitrary(bitCount), { maxLength: maxCommands }), (pattern, commands) => {
    const [bitmap, model] = build(bitCount, pattern);
    for (const command of commands) run(bitmap, model, command);
    expectSame(bitmap, model);
  });
}

// ---- tests ----

describe('fast-bitmap', () => {
  test('fast-bitmap: construct: every size starts empty and consistent', () => {
    for (const bitCount of [...SMALL_SIZES, ...SUMMARY_SIZES]) {
      const bitmap = new FastBitmap(bitCount);
      expect(bitmap.bitCount).toBe(bitCount);
      expect(bitmap.count).toBe(0);
      expect(bitmap.nextSet(0)).toBe(-1);
      expect(bitmap.nextClear(0)).toBe(bitCount === 0 ? -1 : 0);
      expect(bitmap.toString()).toBe('0'.repeat(bitCount));
      bitmap.assertConsistent();
    }
  });

  for (const bitCount of SMALL_SIZES) {
    test(`fast-bitmap: commands: ${bitCount} bits (single word array) match the set model`, () => {
      fc.assert(commandsProperty(bitCount, 40), { seed: 4001 + bitCount, numRuns: 60 });
    });
  }

  for (const bitCount of SUMMARY_SIZES) {
    test(`fast-bitmap: commands: ${bitCount} bits (summary levels) match the set model`, () => {
      fc.assert(commandsProperty(bitCount, 30), { seed: 4101 + bitCount, numRuns: 25 });
    });
  }

  test(`fast-bitmap: commands: ${SLICED_SIZE} bits (three slices) match the set model`, () => {
    fc.assert(commandsProperty(SLICED_SIZE, 12), { seed: 4201, numRuns: 8 });
  });

  test('fast-bitmap: merge: a union of any two patterns, whole or sliced, at every summary size', () => {
    const sizes = fc.constantFrom(...SMALL_SIZES, ...SUMMARY_SIZES);
    fc.assert(
      fc.property(sizes, patternArbitrary, patternArbitrary, fc.boolean(), (bitCount, left, right, sliced) => {
        const [bitmap, model] = build(bitCount, left);
        const [other, otherModel] = build(bitCount, right);
        if (sliced) bitmap.mergeInSlices(other).finish();
        else bitmap.merge(other);
        for (const bit of otherModel.bits) model.bits.add(bit);
        expectSame(bitmap, model);
        expectSame(other, otherModel);
      }),
      { seed: 4301, numRuns: 120 },
    );
  });

  test('fast-bitmap: merge: a sparse source with more marked words than one batch lists (4096), whole or sliced', () => {
    // One bit in every 3rd word over 26,000 words of the first slice: sparse enough for the word-by-word path,
    // and more words than the merge lists before it ORs them in, so the batch is flushed mid-slice.
    const sourceBits = Array.from({ length: 8_700 }, (_, k) => k * 96 + (k % 32));
    const targetBits = Array.from({ length: 3_000 }, (_, k) => k * 250 + 5);
    for (const sliced of [false, true]) {
      const bitmap = FastBitmap.of(SLICED_SIZE, targetBits);
      const model = new Model(SLICED_SIZE);
      for (const bit of [...targetBits, ...sourceBits]) model.bits.add(bit);
      const source = FastBitmap.of(SLICED_SIZE, sourceBits);
      if (sliced) bitmap.mergeInSlices(source).finish();
      else bitmap.merge(source);
      expectSame(bitmap, model);
    }
  });

  test('fast-bitmap: image: copyFrom and clone reproduce any pattern over any other', () => {
    const sizes = fc.constantFrom(...SMALL_SIZES, ...SUMMARY_SIZES);
    fc.assert(
      fc.property(sizes, patternArbitrary, patternArbitrary, fc.boolean(), (bitCount, target, source, sliced) => {
        const [bitmap] = build(bitCount, target);
        const [other, otherModel] = build(bitCount, source);
        if (sliced) bitmap.copyFromInSlices(other).finish();
        else bitmap.copyFrom(other);
        expectSame(bitmap, otherModel);
        expect(bitmap.equals(other)).toBe(true);
        const copy = other.clone();
        expectSame(copy, otherModel);
        if (bitCount > 0) {
          const bit = bitCount - 1;
          if (copy.test(bit)) copy.clear(bit);
          else copy.set(bit);
          expect(copy.equals(other)).toBe(false);
          expectSame(other, otherModel);
        }
      }),
      { seed: 4401, numRuns: 120 },
    );
  });

  test('fast-bitmap: image: a map copied into itself, whole or in slices, keeps its bits and count', () => {
    for (const bitCount of [40, 40_000, SLICED_SIZE]) {
      const bits = [0, 31, 32, bitCount - 1];
      for (const sliced of [false, true]) {
        const bitmap = FastBitmap.of(bitCount, bits);
        if (sliced) bitmap.copyFromInSlices(bitmap).finish();
        else bitmap.copyFrom(bitmap);
        expect(bitmap.toArray()).toEqual(bits);
        bitmap.assertConsistent();
      }
    }
  });

  test('fast-bitmap: equals: equal exactly when the sets are equal, including one-bit differences', () => {
    const sizes = fc.constantFrom(...SMALL_SIZES.filter((size) => size > 0), ...SUMMARY_SIZES);
    fc.assert(
      fc.property(sizes, patternArbitrary, fc.nat(), (bitCount, pattern, flip) => {
        const [bitmap, model] = build(bitCount, pattern);
        const [twin] = build(bitCount, pattern);
        expect(bitmap.equals(twin)).toBe(true);
        const bit = flip % bitCount;
        if (model.bits.has(bit)) twin.clear(bit);
        else twin.set(bit);
        expect(bitmap.equals(twin)).toBe(false);
        expect(twin.equals(bitmap)).toBe(false);
        expect(bitmap.equals(new FastBitmap(bitCount + 1))).toBe(false);
      }),
      { seed: 4501, numRuns: 150 },
    );
  });

  test('fast-bitmap: serialize: toString is the model bit by bit and parse inverts it', () => {
    const sizes = fc.constantFrom(...SMALL_SIZES, 1023, 1024, 1025, 8193, 40_000);
    fc.assert(
      fc.property(sizes, patternArbitrary, (bitCount, pattern) => {
        const [bitmap, model] = build(bitCount, pattern);
        const text = bitmap.toString();
        expect(text).toBe(Array.from({ length: bitCount }, (_, bit) => (model.bits.has(bit) ? '1' : '0')).join(''));
        const parsed = FastBitmap.parse(text);
        expectSame(parsed, model);
        expect(parsed.equals(bitmap)).toBe(true);
      }),
      { seed: 4601, numRuns: 100 },
    );
  });

  test('fast-bitmap: iteration: the iterator, toArray and collect in batches list the bits in order', () => {
    const sizes = fc.constantFrom(...SMALL_SIZES, ...SUMMARY_SIZES);
    fc.assert(
      fc.property(sizes, patternArbitrary, fc.integer({ min: 1, max: 100 }), (bitCount, pattern, capacity) => {
        const [bitmap, model] = build(bitCount, pattern);
        const expected = model.sorted();
        expect([...bitmap]).toEqual(expected);
        const batch = new Uint32Array(capacity);
        const collected: number[] = [];
        for (let from = 0, rounds = 0; rounds <= expected.length; rounds += 1) {
          const found = bitmap.collect(from, batch);
          collected.push(...batch.subarray(0, found));
          if (found < capacity) break;
          from = batch[found - 1]! + 1;
        }
        expect(collected).toEqual(expected);
      }),
      { seed: 4701, numRuns: 120 },
    );
  });

  test('fast-bitmap: iteration: a walk by nextSet(bit + 1) sees every change made between its steps', () => {
    // nextSet keeps a cursor of marked words listed ahead; a set, range, merge or copy ahead of the walk, or a
    // clear of the word it would return next, must show in the very next answer.
    type Change =
      | { readonly name: 'step' }
      | { readonly name: 'set' | 'clear'; readonly ahead: number }
      | { readonly name: 'setRange'; readonly ahead: number }
      | { readonly name: 'merge' | 'copyFrom'; readonly pattern: Pattern; readonly sliced: boolean };
    const change: fc.Arbitrary<Change> = fc.oneof(
      { weight: 6, arbitrary: fc.constant({ name: 'step' as const }) },
      { weight: 3, arbitrary: fc.record({ name: fc.constantFrom('set' as const, 'clear' as const), ahead: fc.nat({ max: 5000 }) }) },
      { weight: 1, arbitrary: fc.record({ name: fc.constant('setRange' as const), ahead: fc.nat({ max: 5000 }) }) },
      { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('merge' as const, 'copyFrom' as const), pattern: patternArbitrary, sliced: fc.boolean() }) },
    );
    const sizes = fc.constantFrom(8193, 40_000, 262_145);
    fc.assert(
      fc.property(sizes, patternArbitrary, fc.array(change, { maxLength: 80 }), (bitCount, pattern, changes) => {
        const [bitmap, model] = build(bitCount, pattern);
        let position = 0;
        for (const next of changes) {
          const bit = 'ahead' in next ? Math.min(bitCount - 1, position + next.ahead) : 0;
          switch (next.name) {
            case 'step': {
              const found = bitmap.nextSet(position);
              expect(found).toBe(model.nextSet(position));
              position = found === -1 ? 0 : found + 1;
              break;
            }
            case 'set':
            case 'clear':
              runBitCommand(bitmap, model, next.name, bit);
              break;
            case 'setRange': {
              const end = Math.min(bitCount, bit + 40);
              bitmap.setRange(bit, end);
              for (let at = bit; at < end; at += 1) model.bits.add(at);
              break;
            }
            case 'merge':
            case 'copyFrom':
              runWholeMapCommand(bitmap, model, { name: next.name, pattern: next.pattern, sliced: next.sliced });
              break;
          }
        }
        expectSame(bitmap, model);
      }),
      { seed: 4711, numRuns: 150 },
    );
  });

  test('fast-bitmap: range: setRange over whole maps and whole slices counts only new bits', () => {
    for (const bitCount of [...SMALL_SIZES, ...SUMMARY_SIZES]) {
      const bitmap = FastBitmap.of(bitCount, bitCount > 2 ? [0, bitCount - 1] : []);
      const before = bitmap.count;
      expect(bitmap.setRange(0, bitCount)).toBe(bitCount - before);
      expect(bitmap.count).toBe(bitCount);
      expect(bitmap.nextClear(0)).toBe(-1);
      bitmap.assertConsistent();
    }
    const sliced = FastBitmap.of(SLICED_SIZE, [5, SLICE_BITS + 9, SLICED_SIZE - 1]);
    expect(sliced.setRange(SLICE_BITS, 2 * SLICE_BITS)).toBe(SLICE_BITS - 1);
    expect(sliced.setRange(2 * SLICE_BITS, SLICED_SIZE)).toBe(76);
    expect(sliced.count).toBe(SLICE_BITS + 77 + 1);
    expect(sliced.nextClear(SLICE_BITS)).toBe(-1);
    expect(sliced.nextClear(0)).toBe(0);
    sliced.assertConsistent();
    sliced.clearAll();
    expect(sliced.count).toBe(0);
    sliced.assertConsistent();
  });

  test('fast-bitmap: slices: steps interleaved with host writes keep every count exact', () => {
    fc.assert(
      fc.property(patternArbitrary, patternArbitrary, fc.array(fc.nat({ max: SLICED_SIZE - 1 }), { maxLength: 30 }),
        fc.constantFrom('merge', 'copyFrom', 'clearAll'), (targetPattern, sourcePattern, writes, operation) => {
          const [bitmap] = build(SLICED_SIZE, targetPattern);
          const [source] = build(SLICED_SIZE, sourcePattern);
          const sliced = operation === 'merge' ? bitmap.mergeInSlices(source)
            : operation === 'copyFrom' ? bitmap.copyFromInSlices(source) : bitmap.clearAllInSlices();
          expect(sliced.sliceTotal).toBe(3);
          // A write survives unless a later step rewrites its slice (copy and clear do; merge only adds).
          const survivors: number[] = [];
          let written = 0;
          for (let steps = 0; !sliced.done; steps += 1) {
            expect(steps).toBeLessThan(3);
            sliced.step();
            for (let i = 0; i < 10 && written < writes.length; i += 1, written += 1) {
              const bit = writes[written]!;
              bitmap.set(bit);
              if (operation === 'merge' || Math.floor(bit / SLICE_BITS) <= steps) survivors.push(bit);
            }
            bitmap.assertConsistent();
          }
          expect(sliced.step()).toBe(true);
          if (operation !== 'clearAll') {
            for (const bit of source) expect(bitmap.test(bit)).toBe(true);
          }
          for (const bit of survivors) expect(bitmap.test(bit)).toBe(true);
          if (operation === 'clearAll') expect(bitmap.count).toBe(new Set(survivors).size);
        }),
      { seed: 4801, numRuns: 4 },
    );
  });

  // The whole-map forms run the same per-slice code, so only the sliced pass pays for the O(size) invariant check.
  test('fast-bitmap: slices: past 2^28 bits (six levels) sliced and whole copy, merge and clear keep every level exact', () => {
    const bitCount = 2 ** 28 + 2 ** 20 + 5;
    const random = xorshift(4901);
    const sourceBits = [...edgeBits(bitCount), ...Array.from({ length: 300 }, () => random() % bitCount)];
    const targetBits = Array.from({ length: 300 }, () => random() % bitCount);
    const source = FastBitmap.of(bitCount, sourceBits);
    const sourceModel = new Set(sourceBits);
    const union = [...new Set([...sourceBits, ...targetBits])].sort((a, b) => a - b);
    for (const sliced of [false, true]) {
      const bitmap = FastBitmap.of(bitCount, targetBits);
      if (sliced) bitmap.mergeInSlices(source).finish();
      else bitmap.merge(source);
      expect(bitmap.toArray()).toEqual(union);
      if (sliced) bitmap.assertConsistent();
      if (sliced) bitmap.copyFromInSlices(source).finish();
      else bitmap.copyFrom(source);
      expect(bitmap.toArray()).toEqual([...sourceModel].sort((a, b) => a - b));
      expect(bitmap.equals(source)).toBe(true);
      if (sliced) bitmap.assertConsistent();
      if (sliced) bitmap.clearAllInSlices().finish();
      else bitmap.clearAll();
      expect(bitmap.count).toBe(0);
      expect(bitmap.nextSet(0)).toBe(-1);
      if (sliced) bitmap.assertConsistent();
    }
  });

  test('fast-bitmap: rejections: out-of-range bits, bad ranges, bad text and mismatched sizes are asserts', () => {
    const bitmap = new FastBitmap(40);
    for (const bit of [-1, 40, 41, 1.5, Number.NaN, 2 ** 32]) {
      expect(() => bitmap.set(bit)).toThrow(AssertionFailed);
      expect(() => bitmap.clear(bit)).toThrow(AssertionFailed);
      expect(() => bitmap.test(bit)).toThrow(AssertionFailed);
    }
    expect(() => bitmap.setRange(5, 4)).toThrow(AssertionFailed);
    expect(() => bitmap.setRange(0, 41)).toThrow(AssertionFailed);
    expect(() => FastBitmap.parse('0120')).toThrow(AssertionFailed);
    expect(() => bitmap.merge(new FastBitmap(41))).toThrow(AssertionFailed);
    expect(() => bitmap.copyFrom(new FastBitmap(39))).toThrow(AssertionFailed);
    expect(() => new FastBitmap(-1)).toThrow(AssertionFailed);
    expect(() => new FastBitmap(2 ** 32 + 1)).toThrow(AssertionFailed);
    expect(bitmap.count).toBe(0);
  });

  test('fast-bitmap: search: nextSet and nextClear treat a start before 0 as 0 and past the end as none', () => {
    const bitmap = FastBitmap.parse('1101');
    expect(bitmap.nextSet(-3)).toBe(0);
    expect(bitmap.nextClear(-3)).toBe(2);
    expect(bitmap.nextSet(4)).toBe(-1);
    expect(bitmap.nextClear(3)).toBe(-1);
    expect(bitmap.toString()).toBe('1101');
  });
});
