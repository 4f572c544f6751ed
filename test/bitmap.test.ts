/**
 * The reference bitmap (src/bitmap.ts) at its edges, by example: bit 0, the last bit, both sides of every
 * word boundary, empty and one-bit maps, ranges across words, searches from before 0 and past the end, the
 * last word's bits past the end, whole-map operations, the serialized form, and every assert. The fast
 * bitmap is checked against this one by test/bitmap-differential.test.ts. No test here is random.
 */
import { describe, expect, test } from 'vitest';

import { AssertionFailed } from '../src/assert.js';
import { Bitmap } from '../src/bitmap.js';
import { FastBitmap } from '../src/fast-bitmap/bitmap.js';

/** Sizes around a word: none, one bit, one short of a word, a word, one past it, and a few words. */
const SIZES = [0, 1, 31, 32, 33, 64, 65, 100] as const;

/** Bit 0, the last bit, and the bits on both sides of every word boundary of a map of `bitCount` bits. */
function edgeBits(bitCount: number): number[] {
  const edges = new Set<number>([0, bitCount - 1]);
  for (let boundary = 32; boundary < bitCount; boundary += 32) {
    edges.add(boundary - 1);
    edges.add(boundary);
  }
  return [...edges].filter((bit) => bit >= 0 && bit < bitCount).sort((a, b) => a - b);
}

/** The serialized form of a map with exactly `bits` set. */
function text(bitCount: number, bits: readonly number[]): string {
  return Array.from({ length: bitCount }, (_, bit) => (bits.includes(bit) ? '1' : '0')).join('');
}

describe('bitmap', () => {
  test('bitmap: construct: every size starts empty', () => {
    for (const bitCount of SIZES) {
      const bitmap = new Bitmap(bitCount);
      expect(bitmap.bitCount).toBe(bitCount);
      expect(bitmap.count).toBe(0);
      expect(bitmap.nextSet(0)).toBe(-1);
      expect(bitmap.nextClear(0)).toBe(bitCount === 0 ? -1 : 0);
      expect(bitmap.toArray()).toEqual([]);
      expect([...bitmap]).toEqual([]);
      expect(bitmap.toString()).toBe('0'.repeat(bitCount));
    }
  });

  test('bitmap: single bits: bit 0, the last bit and both sides of each word boundary, alone', () => {
    for (const bitCount of SIZES) {
      for (const bit of edgeBits(bitCount)) {
        const bitmap = new Bitmap(bitCount);
        expect(bitmap.set(bit)).toBe(true);
        expect(bitmap.set(bit)).toBe(false);
        expect(bitmap.test(bit)).toBe(true);
        expect(bitmap.count).toBe(1);
        expect(bitmap.toArray()).toEqual([bit]);
        expect(bitmap.toString()).toBe(text(bitCount, [bit]));
        expect(bitmap.nextSet(0)).toBe(bit);
        expect(bitmap.nextSet(bit + 1)).toBe(-1);
        expect(bitmap.nextClear(bit)).toBe(bit + 1 < bitCount ? bit + 1 : -1);
        for (const other of edgeBits(bitCount)) if (other !== bit) expect(bitmap.test(other)).toBe(false);
        expect(bitmap.clear(bit)).toBe(true);
        expect(bitmap.clear(bit)).toBe(false);
        expect(bitmap.count).toBe(0);
        expect(bitmap.equals(new Bitmap(bitCount))).toBe(true);
      }
    }
  });

  test('bitmap: single bits: every bit of a full map, the tail word included, is set and nothing past it', () => {
    for (const bitCount of SIZES) {
      const bitmap = new Bitmap(bitCount);
      for (let bit = 0; bit < bitCount; bit += 1) bitmap.set(bit);
      expect(bitmap.count).toBe(bitCount);
      expect(bitmap.nextClear(0)).toBe(-1); // the last word's clear bits past the end are not in the map
      expect(bitmap.toString()).toBe('1'.repeat(bitCount));
      expect(bitmap.toArray()).toEqual(Array.from({ length: bitCount }, (_, bit) => bit));
    }
  });

  test('bitmap: range: setRange across word boundaries counts only new bits; an empty range changes nothing', () => {
    const bitmap = Bitmap.of(70, [31, 64]);
    expect(bitmap.setRange(30, 34)).toBe(3);
    expect(bitmap.toArray()).toEqual([30, 31, 32, 33, 64]);
    expect(bitmap.setRange(5, 5)).toBe(0);
    expect(bitmap.setRange(70, 70)).toBe(0);
    expect(bitmap.setRange(63, 70)).toBe(6);
    expect(bitmap.setRange(0, 70)).toBe(70 - 11);
    expect(bitmap.count).toBe(70);
    expect(bitmap.nextClear(0)).toBe(-1);
    const whole = new Bitmap(64);
    expect(whole.setRange(0, 64)).toBe(64);
    expect(whole.toString()).toBe('1'.repeat(64));
  });

  test('bitmap: search: nextSet and nextClear from before 0, inside a word, at a boundary and past the end', () => {
    const small = Bitmap.parse('1101');
    expect(small.nextSet(-3)).toBe(0);
    expect(small.nextClear(-3)).toBe(2);
    expect(small.nextSet(2)).toBe(3);
    expect(small.nextSet(4)).toBe(-1);
    expect(small.nextClear(3)).toBe(-1);
    const words = Bitmap.of(96, [31, 32, 95]);
    expect(words.nextSet(32)).toBe(32);
    expect(words.nextSet(33)).toBe(95); // past a whole empty word
    expect(words.nextClear(31)).toBe(33);
    expect(words.nextSet(96)).toBe(-1);
    expect(words.nextSet(1000)).toBe(-1);
    expect(words.nextClear(96)).toBe(-1);
    expect(new Bitmap(0).nextSet(-1)).toBe(-1);
    expect(new Bitmap(0).nextClear(-1)).toBe(-1);
  });

  test('bitmap: whole maps: merge, copyFrom and equals; a clone changes independently of its original', () => {
    const left = Bitmap.of(40, [0, 31, 39]);
    const right = Bitmap.of(40, [1, 31, 32]);
    left.merge(right);
    expect(left.toArray()).toEqual([0, 1, 31, 32, 39]);
    expect(right.toArray()).toEqual([1, 31, 32]);
    expect(left.equals(right)).toBe(false);
    left.copyFrom(right);
    expect(left.toArray()).toEqual([1, 31, 32]);
    expect(left.equals(right)).toBe(true);
    expect(left.equals(Bitmap.of(41, [1, 31, 32]))).toBe(false); // another size is simply not equal
    const copy = right.clone();
    expect(copy.equals(right)).toBe(true);
    copy.set(39);
    right.clear(1);
    expect(copy.toArray()).toEqual([1, 31, 32, 39]);
    expect(right.toArray()).toEqual([31, 32]);
    left.clearAll();
    expect(left.count).toBe(0);
    expect(left.equals(new Bitmap(40))).toBe(true);
  });

  test('bitmap: serialize: toString is bit 0 first and parse inverts it', () => {
    for (const bitCount of SIZES) {
      const bits = edgeBits(bitCount).filter((_, index) => index % 2 === 0);
      const bitmap = Bitmap.of(bitCount, bits);
      const serialized = bitmap.toString();
      expect(serialized).toBe(text(bitCount, bits));
      const parsed = Bitmap.parse(serialized);
      expect(parsed.equals(bitmap)).toBe(true);
      expect(parsed.toArray()).toEqual(bits);
    }
    expect(Bitmap.parse('').bitCount).toBe(0);
  });

  test('bitmap: rejections: out-of-range bits, bad ranges, bad text, other sizes and the fast bitmap are asserts', () => {
    const bitmap = Bitmap.of(40, [3]);
    for (const bit of [-1, 40, 41, 1.5, Number.NaN, 2 ** 32]) {
      expect(() => bitmap.set(bit)).toThrow(AssertionFailed);
      expect(() => bitmap.clear(bit)).toThrow(AssertionFailed);
      expect(() => bitmap.test(bit)).toThrow(AssertionFailed);
    }
    for (const [start, end] of [[5, 4], [0, 41], [-1, 2], [1.5, 3], [41, 41]] as const) {
      expect(() => bitmap.setRange(start, end)).toThrow(AssertionFailed);
    }
    expect(() => Bitmap.parse('0120')).toThrow(AssertionFailed);
    expect(() => bitmap.merge(new Bitmap(41))).toThrow(AssertionFailed);
    expect(() => bitmap.copyFrom(new Bitmap(39))).toThrow(AssertionFailed);
    // Each reads the other's words: a bitmap of the other implementation is a caller's bug, not a quiet mix.
    const fast = new FastBitmap(40) as unknown as Bitmap;
    expect(() => bitmap.merge(fast)).toThrow(AssertionFailed);
    expect(() => bitmap.copyFrom(fast)).toThrow(AssertionFailed);
    expect(() => bitmap.equals(fast)).toThrow(AssertionFailed);
    expect(() => new FastBitmap(40).equals(bitmap as unknown as FastBitmap)).toThrow(AssertionFailed);
    for (const bitCount of [-1, 1.5, 2 ** 32 + 1, Number.NaN]) expect(() => new Bitmap(bitCount)).toThrow(AssertionFailed);
    expect(bitmap.toArray()).toEqual([3]);
  });
});
