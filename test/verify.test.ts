import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../machines/mirror-pair.js';
import { Packer, type WorldLayout } from '../src/harness/layout.js';
import type { AnyLifecycle } from '../src/lifecycle.js';
import type { MirrorWorld } from '../src/mirror-pair/abstraction.js';
import { mirrorPairLayout } from '../src/mirror-pair/layout.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../src/verify/exhaustive.js';
import { modelBased } from '../src/verify/model-based.js';
import { CONTROLLER_ASSERTION, FOLLOWS_MACHINE, TRANSITION_COVERAGE } from '../src/verify/report.js';

/**
 * The searches of these tests are over mirror-pair's small preset (2 tracks of 1 byte, 9 988 worlds of e1,
 * every machine transition taken): each check they test is the same over any preset, and the minimal one's
 * 49 042 worlds, searched five times here, took over a minute each on a loaded 2-core machine.
 */
const SMALL = { preset: 'small', maxStates: 100_000 } as const;

/** mirror-pair with a controller that throws on a power cycle while suspended: the checkers must report it, not crash. */
const throwing: AnyLifecycle = {
  ...mirrorPairLifecycle,
  step(world, event: MirrorEvent) {
    if (event.type === 'power.cycle' && world.controller.state === 'suspended') throw new Error('assert: lost control memory');
    return mirrorPairLifecycle.step(world, event);
  },
};

/**
 * A controller whose state, once suspended, makes the checker's own reads fail with a TypeError (a bad
 * index): read by the key, as the checker stores a lifecycle without a layout...
 */
const garbled: AnyLifecycle = {
  ...mirrorPairLifecycle,
  packer: () => null,
  key(world) {
    if (world.controller.state === 'suspended') return (undefined as unknown as { to: string }).to;
    return mirrorPairLifecycle.key(world);
  },
};

/** ...and read by the layout's `pack`, as the checker stores a lifecycle with one. */
const garbledLayout: AnyLifecycle = {
  ...mirrorPairLifecycle,
  packer: (variant, preset) => new Packer({
    ...mirrorPairLayout,
    pack(world: MirrorWorld) {
      if (world.controller.state === 'suspended') return (undefined as unknown as { to: string }).to;
      return mirrorPairLayout.pack(world);
    },
  } as WorldLayout<unknown, unknown>, variant, preset),
};

describe('verify', () => {
  test('verify: the exhaustive checker reports a controller that throws as controller-assertion, with a shortest trace', () => {
    const result = exhaustive(throwing, 'e1', SMALL);
    const violation = result.violations.find((v) => v.property === CONTROLLER_ASSERTION);
    expect(violation?.events.map((e) => (e as MirrorEvent).type)).toEqual(['pair.establish', 'copy.step', 'copy.step', 'pair.suspend', 'power.cycle']);
    expect(violation?.trace.at(-1)).toMatch(/the controller threw: assert: lost control memory {2}✗ controller-assertion$/);
  }, 60_000);

  test.each([['key', garbled], ['layout', garbledLayout]] as const)('verify: a TypeError from reading a broken world (by its %s) is a violation with its trace and replay, not a crash', (_reader, lifecycle) => {
    const result = exhaustive(lifecycle, 'e1', SMALL);
    const violation = result.violations.find((v) => v.property === CONTROLLER_ASSERTION);
    expect(violation?.events.map((e) => (e as MirrorEvent).type).at(-1)).toBe('pair.suspend');
    expect(violation?.replay).toMatch(/^copyspec replay --lifecycle mirror-pair --variant e1 --preset small --events '/);
  }, 60_000);

  test('verify: the model-based runner reports a controller that throws as controller-assertion', () => {
    const result = modelBased(throwing, 'e1', { runs: 500, seed: 3, maxCommands: 200 });
    expect(result.violations.map((v) => v.property)).toEqual([CONTROLLER_ASSERTION]);
    expect(result.violations[0]!.ref).toContain('lost control memory');
  });

  test('verify: a machine transition the search never takes fails the check as transition-coverage', () => {
    const blind: AnyLifecycle = { ...mirrorPairLifecycle, takenEdges: (step) => mirrorPairLifecycle.takenEdges(step).filter((edge) => !edge.includes('pair.separate')) };
    const result = exhaustive(blind, 'e1', SMALL);
    expect(result.violations.map((v) => v.property)).toEqual([TRANSITION_COVERAGE]);
    expect(result.violations[0]!.trace).toContain('not taken: mirror-pair: mirror.synced --pair.separate--> separated');
  }, 60_000);

  test('verify: an untaken transition is reported even when another property fails', () => {
    const result = exhaustive(throwing, 'e1', SMALL);
    const names = result.violations.map((v) => v.property);
    expect(names).toContain(CONTROLLER_ASSERTION);
    // The search does not go on from the failing power cycle, so the suspended power-cycle edge is never taken.
    expect(result.uncoveredTransitions).toEqual(['mirror-pair: suspended --power.cycle--> suspended']);
    expect(names).toContain(TRANSITION_COVERAGE);
  }, 60_000);

  test('verify: a controller that leaves the machine state on a control path is reported as follows-machine', () => {
    const lying: AnyLifecycle = { ...mirrorPairLifecycle, controlStates: () => ({ 'mirror-pair': 'separated' }) };
    const result = exhaustive(lying, 'e1', SMALL);
    const violation = result.violations.find((v) => v.property === FOLLOWS_MACHINE);
    expect(violation?.ref).toMatch(/mirror-pair path .*: expected mirror-pair: separated --pair.establish--> mirror.syncing; the controller took it but is in separated/);
  }, 60_000);
});
