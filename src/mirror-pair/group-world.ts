/**
 * mirror-pair's consistency-group variants as the verifier sees them (issue 15 item 3): the group's geometry
 * in a preset, its initial world, its exhaustive alphabet and random commands, and its part of the key, the
 * trace line and the observation. A single pair's world has none of these parts, and everything here is
 * reached only for a variant whose `control.pairCount` is set, so the single-pair worlds, keys, alphabets
 * and counts are what they were.
 */
import fc from 'fast-check';
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { initialGroupSplit, initialModel } from '../../model/mirror-pair.js';
import { toHex } from '../hex.js';
import type { MirrorPairWorld, MirrorStepOutcome, MirrorWorld } from './abstraction.js';
import { MirrorPairController } from './controller.js';
import { addressedTo, GROUP_ID, PAIR_ID, PRIMARY_VOLUME, type MirrorGeometry } from './events.js';
import type { MirrorVariant } from './variants.js';

/** The geometry of a preset, as lifecycle.ts's MirrorPreset (kept structural here, to import nothing of it). */
export interface MirrorPresetGeometry extends MirrorGeometry {
  readonly values: readonly number[];
}

const geometries = new WeakMap<MirrorPresetGeometry, MirrorPresetGeometry>();

/**
 * Each pair's geometry in a group over a preset: the preset's tracks shared out among the pairs (at least one
 * each), the same track size, and the first of the written values only. So the group's volumes hold as many
 * bytes as the single pair's, and each pair is smaller than the preset's one pair: the minimal preset's 2 tracks
 * of 2 bytes, values 1 and 2, become 2 pairs of 1 track written with 1. One value suffices for what a group
 * adds (a write that falls between two pairs' splits shows, whatever its value, as a secondary that is not its
 * split image), and the second value took the search from 16 thousand worlds to 81 thousand (122 s). One
 * object per preset, as the alphabets and checks are memoized by geometry object.
 */
export function groupGeometry(preset: MirrorPresetGeometry, pairCount: number): MirrorPresetGeometry {
  let found = geometries.get(preset);
  if (found === undefined) {
    found = { trackCount: Math.max(1, Math.floor(preset.trackCount / pairCount)), trackSize: preset.trackSize, values: preset.values.slice(0, 1) };
    geometries.set(preset, found);
  }
  return found;
}

export function initialGroupWorld(variant: MirrorVariant, preset: MirrorPresetGeometry): MirrorWorld {
  const pairCount = variant.control.pairCount!;
  const geometry = groupGeometry(preset, pairCount);
  const pair = (): MirrorPairWorld => ({ controller: new MirrorPairController(variant, geometry), model: initialModel(geometry) });
  const first = pair();
  return { ...first, group: { others: Array.from({ length: pairCount - 1 }, pair), split: initialGroupSplit(pairCount) } };
}

const groupAlphabets = new WeakMap<readonly MirrorEvent[], readonly MirrorEvent[]>();

/**
 * A group's exhaustive alphabet from a single pair's (`single`, over the same geometry): every command of it on
 * pair 0 as it is, but for the two that name pair 1 as an unknown pair; the commands before its `power.cycle`
 * (every one a pair can accept) on every other pair too, while its argument boundaries after it, refused
 * whatever the pair, are tried on pair 0 only; then the group's own boundaries: a volume command, a pair command
 * and a dump read of the first pair past the group (`unknown-pair`), and `group.suspend` of the group and of an
 * unknown group.
 */
export function groupAlphabet(single: readonly MirrorEvent[], pairCount: number): readonly MirrorEvent[] {
  const known = groupAlphabets.get(single);
  if (known !== undefined) return known;
  const cycle = single.findIndex((event) => event.type === 'power.cycle');
  const onPairZero = single.filter((event) => !('pair' in event) || event.pair === PAIR_ID);
  const events: MirrorEvent[] = [...onPairZero];
  for (let pair = 1; pair < pairCount; pair += 1) for (const event of single.slice(0, cycle)) events.push(addressedTo(event, pair));
  events.push(
    { type: 'group.suspend', group: GROUP_ID },
    { type: 'group.suspend', group: GROUP_ID + 1 },
    { type: 'host.write', volume: PRIMARY_VOLUME, offset: 0, data: '01', pair: pairCount },
    { type: 'pair.suspend', pair: pairCount },
    { type: 'dump.read', pair: pairCount, tracks: [0] },
  );
  groupAlphabets.set(single, events);
  return events;
}

/** Random commands for a group: a single pair's, readdressed to a pair of the group (now and then one past it), and the group split. */
export function groupEventArbitrary(single: fc.Arbitrary<MirrorEvent>, pairCount: number): fc.Arbitrary<MirrorEvent> {
  const pair = fc.oneof({ arbitrary: fc.integer({ min: 0, max: pairCount - 1 }), weight: 30 }, { arbitrary: fc.constant(pairCount), weight: 1 });
  const group = fc.oneof({ arbitrary: fc.constant(GROUP_ID), weight: 10 }, { arbitrary: fc.constant(GROUP_ID + 1), weight: 1 });
  return fc.oneof(
    { arbitrary: fc.tuple(single, pair).map(([event, k]) => addressedTo(event, k)), weight: 20 },
    { arbitrary: group.map((g): MirrorEvent => ({ type: 'group.suspend', group: g })), weight: 1 },
  );
}

/** The transitions of an accepted command, each named with the pair that took it (`pair 1: ...`) in a group. */
export function groupTransitions(outcome: MirrorStepOutcome): string[] {
  return (outcome.pairs ?? []).flatMap((p) => (p.controller.accepted ? p.controller.transitions.map((t) => `pair ${p.pair}: ${t.edge}`) : []));
}

/** A pair's observation, as a single pair's world observes pair 0. */
export function observePair({ controller: c }: MirrorPairWorld): Record<string, string> {
  return {
    state: c.state,
    primary: toHex(c.primary.contents()),
    secondary: toHex(c.secondary.contents()),
    primaryBitmap: c.primaryBitmap.toString(),
    secondaryBitmap: c.secondaryBitmap.toString(),
    copyPending: c.copyPending.toString(),
    primaryFailed: c.primaryFailed.toString(),
    verifyFound: c.verifyFound.toString(),
  };
}
