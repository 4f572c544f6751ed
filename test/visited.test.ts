/**
 * The checker's visited sets (src/verify/visited.ts): exact over many more states than their first
 * table holds, numbering states in the order added, and finding each stored state again by its words or key.
 */
import { describe, expect, test } from 'vitest';
import { FingerprintSet, hashWords, KeySet, PackedSet, TABLE_SEED } from '../src/verify/visited.js';

const COUNT = 50_000;

describe('visited: sets', () => {
  test('visited: sets: a packed set stores, numbers and finds every state through its growth, and no other', () => {
    const set = new PackedSet(2);
    const words = new Uint32Array(2);
    for (let i = 0; i < COUNT; i += 1) {
      words[0] = i;
      words[1] = i % 7;
      const hash = hashWords(words, 0, 2, TABLE_SEED);
      expect(set.find(words, 0, hash)).toBe(false);
      expect(set.add(words, 0, hash)).toBe(i);
    }
    expect(set.size).toBe(COUNT);
    let found = 0;
    for (let i = 0; i < COUNT; i += 1) {
      words[0] = i;
      words[1] = i % 7;
      if (set.find(words, 0, hashWords(words, 0, 2, TABLE_SEED))) found += 1;
      words[1] = (i % 7) + 1;
      expect(set.find(words, 0, hashWords(words, 0, 2, TABLE_SEED))).toBe(false);
    }
    expect(found).toBe(COUNT);
    const { page, offset } = set.packed(12345);
    expect([page[offset], page[offset + 1]]).toEqual([12345, 12345 % 7]);
  });

  test('visited: sets: only the key words identify a state; its other words stay as the first world that reached it had them', () => {
    for (const set of [new PackedSet(3, 2), new FingerprintSet(3, 2)]) {
      const words = Uint32Array.of(7, 8, 1);
      const hash = hashWords(words, 0, 2, TABLE_SEED);
      expect(set.find(words, 0, hash)).toBe(false);
      expect(set.add(words, 0, hash)).toBe(0);
      words[2] = 2;
      expect(set.find(words, 0, hash)).toBe(true);
      words[1] = 9;
      expect(set.find(words, 0, hashWords(words, 0, 2, TABLE_SEED))).toBe(false);
      const { page, offset } = set.packed(0);
      expect([...page.subarray(offset, offset + 3)]).toEqual([7, 8, 1]);
    }
  });

  test('visited: sets: a key set is exact over keys of every length, and grows past its first chunk', () => {
    const set = new KeySet();
    const keys = Array.from({ length: COUNT }, (_, i) => `${i}:`.padEnd(2 + (i % 40), 'x'));
    for (const [i, key] of keys.entries()) {
      expect(set.find(key, KeySet.hash(key))).toBe(false);
      expect(set.add(key, KeySet.hash(key))).toBe(i);
    }
    for (const key of keys) expect(set.find(key, KeySet.hash(key))).toBe(true);
    expect(set.find('0:x', KeySet.hash('0:x'))).toBe(false);
    expect(set.bytes()).toBeGreaterThan(1 << 17);
  });

  test('visited: sets: a fingerprint set bounds its omission probability by the number of states', () => {
    const set = new FingerprintSet(1);
    const words = new Uint32Array(1);
    for (let i = 0; i < COUNT; i += 1) {
      words[0] = i;
      const hash = hashWords(words, 0, 1, TABLE_SEED);
      expect(set.find(words, 0, hash)).toBe(false);
      set.add(words, 0, hash);
    }
    expect(set.size).toBe(COUNT);
    expect(set.omissionProbability()).toBeCloseTo((COUNT * (COUNT - 1)) / 2 ** 65, 20);
  });
});
