/**
 * The world layouts of src/harness/layout.ts: every field kind packs and unpacks to the same value, unused
 * bits stay zero so that equal values pack alike, and a value that does not fit its field is refused with the
 * path of the field, never packed into a neighbour's bits.
 */
import { describe, expect, test } from 'vitest';
import { bitsFor, defineLayout, field, LayoutError, packByReference, Packer } from '../../src/harness/layout.js';
import type { AnyLifecycle } from '../../src/lifecycle.js';
import { failoverFailbackLayout } from '../../src/failover-failback/layout.js';
import { failoverFailbackLifecycle } from '../../src/failover-failback/lifecycle.js';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { mirrorPairLayout } from '../../src/mirror-pair/layout.js';
import type { MirrorPairWorld } from '../../src/mirror-pair/abstraction.js';
import { packingAgreesWithKey } from './conformance.js';

const shape = field.struct({
  state: field.choice(['a', 'b', 'c'] as const),
  count: field.uint(1000),
  done: field.bool(),
  bytes: field.bytes(3),
  hex: field.hex(2),
  flags: field.flags(5),
  tracks: field.set(40),
  maybe: field.optional(field.uint(7)),
  pairs: field.array(2, field.struct({ x: field.uint(3), y: field.optional(field.bytes(1)) })),
  queue: field.list(3, field.uint(255)),
});

interface Thing {
  readonly state: 'a' | 'b' | 'c';
  readonly count: number;
  readonly done: boolean;
  readonly bytes: Uint8Array;
  readonly hex: string;
  readonly flags: boolean[];
  readonly tracks: number[];
  readonly maybe: number | null;
  readonly pairs: { x: number; y: Uint8Array | null }[];
  readonly queue: number[];
}

const layout = defineLayout<Thing, null, typeof shape>({
  shape: () => shape,
  pack: (thing) => thing,
  unpack: (value) => value,
});

const thing: Thing = {
  state: 'c',
  count: 999,
  done: true,
  bytes: Uint8Array.of(0, 255, 7),
  hex: 'ab',
  flags: [true, false, false, true, true],
  tracks: [0, 31, 32, 39],
  maybe: null,
  pairs: [{ x: 3, y: Uint8Array.of(9) }, { x: 0, y: null }],
  queue: [5, 250],
};

describe('layout: packing', () => {
  test('layout: packing: every field kind unpacks to the value packed, in the bits its shape says', () => {
    const packer = new Packer(layout, 'v', null);
    expect(packer.bits).toBe(2 + bitsFor(1000) + 1 + 24 + (2 + 16) + 5 + 40 + (1 + 3) + 2 * (2 + 1 + 8) + (2 + 3 * 8));
    const words = new Uint32Array(packer.words);
    packer.encode(thing, words);
    expect(packer.decode(words)).toEqual(thing);
  });

  test('layout: packing: the compiled code packs every field kind into the very words the field codecs do', () => {
    const packer = new Packer(layout, 'v', null);
    for (const value of [thing, { ...thing, state: 'a', hex: '', queue: [], maybe: 6, pairs: [{ x: 1, y: null }, { x: 2, y: Uint8Array.of(200) }], tracks: [] } satisfies Thing]) {
      const words = new Uint32Array(packer.words);
      packer.encode(value, words);
      expect([...words]).toEqual([...packByReference(shape, value)]);
    }
  });

  test('layout: packing: a short list, a short hex and an absent value leave their bits zero, so equal values pack alike', () => {
    const packer = new Packer(layout, 'v', null);
    const one = new Uint32Array(packer.words);
    const other = new Uint32Array(packer.words).fill(0xffffffff);
    packer.encode({ ...thing, hex: '', queue: [1], maybe: null }, one);
    packer.encode({ ...thing, hex: '', queue: [1], maybe: null }, other);
    expect([...other]).toEqual([...one]);
    packer.encode({ ...thing, hex: '', queue: [1, 0], maybe: null }, other);
    expect([...other]).not.toEqual([...one]);
  });

  test('layout: packing: a value that does not fit its field is refused with the field\'s path', () => {
    const packer = new Packer(layout, 'v', null);
    const words = new Uint32Array(packer.words);
    const refusal = (value: Thing): string => {
      try {
        packer.encode(value, words);
      } catch (error) {
        expect(error).toBeInstanceOf(LayoutError);
        return (error as Error).message;
      }
      return 'packed';
    };
    expect(refusal({ ...thing, count: 1001 })).toBe('world layout: count: 1001 is not a whole number from 0 to 1000');
    expect(refusal({ ...thing, state: 'd' as never })).toMatch(/^world layout: state: "d" is not one of/);
    expect(refusal({ ...thing, tracks: [40] })).toBe('world layout: tracks: 40 is not below 40');
    expect(refusal({ ...thing, tracks: [3, 3] })).toBe('world layout: tracks: 3 is in the set twice');
    expect(refusal({ ...thing, queue: [1, 2, 3, 4] })).toBe('world layout: queue: expected at most 3 items, got 4');
    expect(refusal({ ...thing, pairs: [{ x: 4, y: null }, { x: 0, y: null }] })).toBe('world layout: pairs[0].x: 4 is not a whole number from 0 to 3');
    expect(refusal({ ...thing, hex: 'ABCD' })).toMatch(/^world layout: hex: "ABCD" is not lowercase hex/);
  });

  test('layout: packing: a choice that holds null unpacks it, as an optional value does', () => {
    const values = field.array(3, field.choice<number | null>([null, 1, 2]));
    const nullable = defineLayout<(number | null)[], null, typeof values>({
      shape: () => values,
      pack: (values) => values,
      unpack: (values) => values,
    });
    const packer = new Packer(nullable, 'v', null);
    const words = new Uint32Array(packer.words);
    packer.encode([2, null, 1], words);
    expect(packer.decode(words)).toEqual([2, null, 1]);
  });

  test('layout: packing: carried fields are packed after the key words and handed to unpack, and leave the key words alone', () => {
    const key = field.uint(7);
    const tail = field.list(2, field.hex(1));
    const carrying = defineLayout<{ n: number; notes: string[] }, null, typeof key, typeof tail>({
      shape: () => key,
      pack: (world) => world.n,
      carried: { shape: () => tail, pack: (world) => world.notes },
      unpack: (n, _variant, _preset, notes) => ({ n, notes }),
    });
    const packer = new Packer(carrying, 'v', null);
    expect({ keyWords: packer.keyWords, words: packer.words }).toEqual({ keyWords: 1, words: 2 });
    const one = new Uint32Array(packer.words);
    const other = new Uint32Array(packer.words);
    packer.encode({ n: 5, notes: ['ab'] }, one);
    packer.encode({ n: 5, notes: ['cd', '01'] }, other);
    expect(one[0]).toBe(other[0]);
    expect(one[1]).not.toBe(other[1]);
    expect(packer.decode(other)).toEqual({ n: 5, notes: ['cd', '01'] });
  });

  test('layout: packing: a field wider than 32 bits is refused when the layout is compiled', () => {
    const wide = defineLayout<number, null, ReturnType<typeof field.uint>>({ shape: () => field.uint(2 ** 40), pack: (n) => n, unpack: (n) => n });
    expect(() => new Packer(wide, 'v', null)).toThrow(/more than 32 bits/);
  });

  // The conformance suite's packing check (test/harness/conformance.ts) must catch a wrong layout, or it
  // proves nothing; each kind of problem it names is shown here, over mirror-pair's small preset (112 bits
  // in 4 words): a layout that compares only 3 of the 4 words, as one that put a field of the key among the
  // carried words would (two worlds of different keys are then one state), one that sets an unused bit on
  // every other packing (one world packs two ways), and one that flips the lowest bit when rebuilding.
  test.each([
    ['compares 3 of its 4 words', 'compare', /two keys, one packing/],
    ['packs one world two ways', 'unused-bit', /one key, two packings/],
    ['flips a bit when rebuilding', 'decode', /the world rebuilt from .* has another key/],
  ] as const)('layout: packing check: a layout that %s is reported by the conformance suite', (_name, broken, problem) => {
    class Broken extends Packer<MirrorPairWorld> {
      private packings = 0;
      constructor(variant: string, preset: unknown) {
        super(mirrorPairLayout, variant, preset);
        if (broken === 'compare') (this as { keyWords: number }).keyWords -= 1;
      }
      // The search packs with encodeKey; encode, which the other tests call, calls it too.
      override encodeKey(world: MirrorPairWorld, into: Uint32Array, offset = 0): void {
        into.fill(0, offset, offset + this.words);
        super.encodeKey(world, into, offset);
        this.packings += 1;
        if (broken === 'unused-bit' && this.packings % 2 === 0) into[offset + this.words - 1] = (into[offset + this.words - 1]! | 1 << 31) >>> 0;
      }
      override decode(from: Uint32Array, offset = 0): MirrorPairWorld {
        if (broken !== 'decode') return super.decode(from, offset);
        const copy = from.slice(offset, offset + this.words);
        copy[0] = copy[0]! ^ 1;
        return super.decode(copy);
      }
    }
    const small = mirrorPairLifecycle.presets['small']!;
    const lifecycle: AnyLifecycle = {
      ...mirrorPairLifecycle,
      presets: { ...mirrorPairLifecycle.presets, minimal: small },
      preset: (name: string) => (name === 'minimal' ? small : mirrorPairLifecycle.preset(name)),
      packer: (variant: string, preset: unknown) => new Broken(variant, preset),
    };
    const { mismatches } = packingAgreesWithKey(lifecycle, 'e1');
    expect(mismatches.length).toBeGreaterThan(0);
    expect(mismatches.join('\n')).toMatch(problem);
  }, 60_000);

  // `carried.whole` says the carried value rebuilds the world alone, so the compared words are never decoded.
  // failover-failback carries only the link's messages; claiming `whole` for it, with an unpack that fills the
  // compared part as the initial world has it (what a layout that believed the claim would rebuild), must be
  // reported: the rebuilt worlds have other keys than the states they were stored as.
  test('layout: packing check: a layout that claims its carried value is the whole world when it is not is reported by the conformance suite', () => {
    const layout = failoverFailbackLayout;
    const preset = failoverFailbackLifecycle.presets['minimal']!;
    const compared = new Packer({ ...layout, unpack: (value: unknown) => value } as unknown as typeof layout, 'e1', preset);
    const words = new Uint32Array(compared.words);
    compared.encode(failoverFailbackLifecycle.initial('e1', preset), words);
    const initialValue: unknown = compared.decode(words);
    const falseWhole = {
      ...layout,
      carried: { ...layout.carried!, whole: true },
      unpack: (value: unknown, variant: string, p: unknown, carried: unknown) => (layout.unpack as (...args: unknown[]) => unknown)(value ?? initialValue, variant, p, carried),
    } as unknown as typeof layout;
    const lifecycle: AnyLifecycle = { ...failoverFailbackLifecycle, packer: (variant: string, p: unknown) => new Packer(falseWhole, variant, p as typeof preset) };
    const { mismatches } = packingAgreesWithKey(lifecycle, 'e1');
    expect(mismatches.join('\n')).toMatch(/the world rebuilt from .* has another key/);
    // The honest layout passes the same check.
    expect(packingAgreesWithKey(failoverFailbackLifecycle, 'e1').mismatches).toEqual([]);
  }, 60_000);
});
