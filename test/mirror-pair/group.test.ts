/**
 * mirror-pair consistency groups (issue 15 item 3; beyond seed 000): `group.suspend` splits every pair of a
 * group at one instant (ShadowImage `pairsplit -g` with CTG, FlashCopy consistency groups), only when every pair
 * is synced, and a refused group command changes no pair. The group is e1-group's: 2 pairs of the preset's
 * geometry shared out (src/mirror-pair/group-world.ts). The exhaustive and model-based checks of every property,
 * `group-split-one-instant` among them, run in test/conformance/; these tests name each routing rule, refusal and
 * defect, so a change to one shows by name.
 */
import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import type { MirrorWorld } from '../../src/mirror-pair/abstraction.js';
import { mirrorPairLifecycle as lifecycle } from '../../src/mirror-pair/lifecycle.js';
import { REJECTION_REASONS } from '../../src/rejection.js';
import { exhaustive } from '../../src/verify/exhaustive.js';

const COPY = (pair: number): MirrorEvent => ({ type: 'copy.step', pair });
const SPLIT: MirrorEvent = { type: 'group.suspend', group: 0 };

/** The group over the standard preset (2 pairs of 4 tracks of 4 bytes) after the events, each of which must be accepted. */
function after(events: readonly MirrorEvent[], variant = 'e1-group'): MirrorWorld {
  let world = lifecycle.initial(variant, lifecycle.presets.standard);
  for (const event of events) {
    const { after: next, outcome } = lifecycle.step(world, event);
    expect(outcome.controller, JSON.stringify(event)).toMatchObject({ accepted: true });
    world = next;
  }
  return world;
}

/** Both pairs synced, pair 0 holding 'aa' and pair 1 'bb' at offset 0. */
const SYNCED: readonly MirrorEvent[] = [
  { type: 'host.write', volume: 0, offset: 0, data: 'aa' },
  { type: 'host.write', volume: 0, offset: 0, data: 'bb', pair: 1 },
  { type: 'pair.establish', pair: 0 }, COPY(0), COPY(0), COPY(0), COPY(0),
  { type: 'pair.establish', pair: 1 }, COPY(1), COPY(1), COPY(1), COPY(1),
];

function refusal(world: MirrorWorld, event: MirrorEvent): { reason: string; unchanged: boolean } {
  const { after: next, outcome } = lifecycle.step(world, event);
  expect(outcome.controller.accepted, JSON.stringify(event)).toBe(false);
  const reason = outcome.controller.accepted ? '' : outcome.controller.rejection.reason;
  return { reason, unchanged: lifecycle.key(next) === lifecycle.key(world) };
}

function pairs(world: MirrorWorld) {
  return [world, ...world.group!.others].map(({ controller }) => ({ state: controller.state, secondary: [...controller.secondary.contents().slice(0, 1)] }));
}

describe('mirror-pair: group', () => {
  test('mirror-pair: group: group.suspend splits every pair of a synced group in one step', () => {
    const world = after(SYNCED);
    const { after: split, outcome } = lifecycle.step(world, SPLIT);
    expect(lifecycle.observeOutcome(outcome)).toEqual({
      accepted: true,
      transitions: ['pair 0: mirror.synced --pair.suspend--> suspended', 'pair 1: mirror.synced --pair.suspend--> suspended'],
    });
    expect(pairs(split)).toEqual([{ state: 'suspended', secondary: [0xaa] }, { state: 'suspended', secondary: [0xbb] }]);
    expect(split.group!.split.map((image) => image?.[0])).toEqual([0xaa, 0xbb]);
  });

  test('mirror-pair: group: a host write after the group split reaches no secondary of the group', () => {
    const split = after([...SYNCED, SPLIT, { type: 'host.write', volume: 0, offset: 0, data: '11', pair: 1 }, { type: 'host.write', volume: 0, offset: 0, data: '22' }]);
    expect(pairs(split)).toEqual([{ state: 'suspended', secondary: [0xaa] }, { state: 'suspended', secondary: [0xbb] }]);
    expect(split.controller.primary.contents()[0]).toBe(0x22);
    expect(split.group!.others[0]!.controller.primary.contents()[0]).toBe(0x11);
  });

  test('mirror-pair: group: wrong-state: a group split is refused unless every pair is synced, and changes no pair', () => {
    const halfSynced = after(SYNCED.slice(0, 7));
    expect(refusal(halfSynced, SPLIT)).toEqual({ reason: 'wrong-state', unchanged: true });
    const oneSplit = after([...SYNCED, { type: 'pair.suspend', pair: 1 }]);
    expect(refusal(oneSplit, SPLIT)).toEqual({ reason: 'wrong-state', unchanged: true });
    expect(REJECTION_REASONS['wrong-state']).toBe(6);
  });

  test('mirror-pair: group: unknown-pair: a pair past the group, or another group, is refused and changes nothing', () => {
    const world = after(SYNCED);
    expect(refusal(world, { type: 'host.write', volume: 0, offset: 0, data: '01', pair: 2 })).toEqual({ reason: 'unknown-pair', unchanged: true });
    expect(refusal(world, { type: 'pair.suspend', pair: 2 })).toEqual({ reason: 'unknown-pair', unchanged: true });
    expect(refusal(world, { type: 'track.corrupt', track: 0, pair: 2 })).toEqual({ reason: 'unknown-pair', unchanged: true });
    expect(refusal(world, { type: 'group.suspend', group: 1 })).toEqual({ reason: 'unknown-pair', unchanged: true });
  });

  test('mirror-pair: group: malformed-command comes before unknown-pair, as in a single pair', () => {
    const world = after(SYNCED);
    expect(refusal(world, { type: 'host.write', volume: 0, offset: 0, data: '0g', pair: 2 })).toEqual({ reason: 'malformed-command', unchanged: true });
  });

  test('mirror-pair: group: a single pair is in no group: group.suspend and a command of pair 1 are unknown-pair', () => {
    const world = lifecycle.initial('e1', lifecycle.presets.minimal);
    expect(refusal(world, SPLIT)).toEqual({ reason: 'unknown-pair', unchanged: true });
    expect(refusal(world, { type: 'host.read', volume: 0, offset: 0, length: 1, pair: 1 })).toEqual({ reason: 'unknown-pair', unchanged: true });
  });

  test('mirror-pair: group: a single pair\'s commands read as before: no `pair` field names pair 0', () => {
    expect(lifecycle.parseEvent({ type: 'host.write', volume: 0, offset: 0, data: '01' })).toEqual({ type: 'host.write', volume: 0, offset: 0, data: '01' });
    expect(lifecycle.parseEvent({ type: 'host.write', volume: 0, offset: 0, data: '01', pair: 1 })).toEqual({ type: 'host.write', volume: 0, offset: 0, data: '01', pair: 1 });
    expect(lifecycle.parseEvent({ type: 'group.suspend', group: 0 })).toEqual(SPLIT);
  });

  test('mirror-pair: group: a power cycle reaches every pair of the group', () => {
    const world = after(SYNCED);
    const { outcome } = lifecycle.step(world, { type: 'power.cycle' });
    expect(lifecycle.observeOutcome(outcome)).toEqual({
      accepted: true,
      transitions: ['pair 0: mirror.synced --power.cycle--> mirror.synced', 'pair 1: mirror.synced --power.cycle--> mirror.synced'],
    });
  });
});

describe('mirror-pair: group: defects', () => {
  test('mirror-pair: group: defects: a group split pair by pair holds no one instant, found by group-split-one-instant in 5 steps', () => {
    const violation = exhaustive(lifecycle, 'group-split-one-at-a-time', { maxStates: 100_000, stopWhenViolated: ['group-split-one-instant'] })
      .violations.find((v) => v.property === 'group-split-one-instant');
    expect(violation?.events).toEqual([
      { type: 'pair.establish', pair: 0 }, COPY(0), { type: 'pair.establish', pair: 1 }, COPY(1), SPLIT,
    ]);
  }, 120_000);

  test('mirror-pair: group: defects: a refused group split that splits the synced pairs first is found by rejected-command-changes-nothing in 3 steps', () => {
    const violation = exhaustive(lifecycle, 'group-split-half-applied', { maxStates: 100_000, stopWhenViolated: ['rejected-command-changes-nothing'] })
      .violations.find((v) => v.property === 'rejected-command-changes-nothing');
    expect(violation?.events).toEqual([{ type: 'pair.establish', pair: 0 }, COPY(0), SPLIT]);
  }, 120_000);
});
