import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../machines/mirror-pair.js';
import type { AnyLifecycle } from '../src/lifecycle.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../src/verify/exhaustive.js';
import { modelBased } from '../src/verify/model-based.js';
import { CONTROLLER_ASSERTION, FOLLOWS_MACHINE, TRANSITION_COVERAGE } from '../src/verify/report.js';

/** mirror-pair with a controller that throws on its second power cycle: the checkers must report it, not crash. */
const throwing: AnyLifecycle = {
  ...mirrorPairLifecycle,
  step(world, event: MirrorEvent) {
    if (event.type === 'power.cycle' && world.controller.state === 'suspended') throw new Error('assert: lost control memory');
    return mirrorPairLifecycle.step(world, event);
  },
};

describe('verify', () => {
  test('verify: the exhaustive checker reports a controller that throws as controller-assertion, with a shortest trace', () => {
    const result = exhaustive(throwing, 'e1', { maxStates: 500_000 });
    const violation = result.violations.find((v) => v.property === CONTROLLER_ASSERTION);
    expect(violation?.events.map((e) => (e as MirrorEvent).type)).toEqual(['pair.establish', 'copy.step', 'copy.step', 'copy.step', 'pair.suspend', 'power.cycle']);
    expect(violation?.trace.at(-1)).toMatch(/the controller threw: assert: lost control memory {2}✗ controller-assertion$/);
  }, 60_000);

  test('verify: the model-based runner reports a controller that throws as controller-assertion', () => {
    const result = modelBased(throwing, 'e1', { runs: 500, seed: 3, maxCommands: 200 });
    expect(result.violations.map((v) => v.property)).toEqual([CONTROLLER_ASSERTION]);
    expect(result.violations[0]!.ref).toContain('lost control memory');
  });

  test('verify: a machine transition the search never takes fails the check as transition-coverage', () => {
    const blind: AnyLifecycle = { ...mirrorPairLifecycle, takenEdges: (step) => mirrorPairLifecycle.takenEdges(step).filter((edge) => !edge.includes('pair.separate')) };
    const result = exhaustive(blind, 'e1', { maxStates: 500_000 });
    expect(result.violations.map((v) => v.property)).toEqual([TRANSITION_COVERAGE]);
    expect(result.violations[0]!.trace).toContain('not taken: mirror.synced --pair.separate--> separated');
  }, 60_000);

  test('verify: a controller that leaves the machine state on a control path is reported as follows-machine', () => {
    const lying: AnyLifecycle = { ...mirrorPairLifecycle, controlState: () => 'separated' };
    const result = exhaustive(lying, 'e1', { maxStates: 500_000 });
    expect(result.violations.map((v) => v.property)).toContain(FOLLOWS_MACHINE);
  }, 60_000);
});
