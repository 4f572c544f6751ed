/**
 * freeze-remote-copy beyond seed 001 (issue 15 item 4): online verify (`pair.verify`, `verify.step`, DRBD's
 * `drbdadm verify`) of the secondary's committed image while host I/O goes on, and the silent corruption it
 * exists to find (`block.corrupt`), command by command on the minimal preset's group of two one-byte blocks
 * (v0b0 is group block 0, v1b0 group block 1). The exhaustive and model-based checks of every property run in
 * test/conformance/; these tests name each new routing rule and refusal, so a change to one shows by name,
 * and pin the shortest counterexamples of the two broken variants that online verify adds.
 */
import { describe, expect, test } from 'vitest';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import type { FreezeWorld } from '../../src/freeze-remote-copy/abstraction.js';
import type { FreezeResult, LogSystem, SplitSystem } from '../../src/freeze-remote-copy/system.js';
import { REJECTION_REASONS } from '../../src/rejection.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import { failures } from '../../src/verify/trace.js';

const write = (volume: number, data: string): FreezeEvent => ({ type: 'host.write', volume, block: 0, data });
const corrupt = (volume: number, block = 0): FreezeEvent => ({ type: 'block.corrupt', volume, block });
const deliver = (index: number): FreezeEvent => ({ type: 'link.deliver', index });
const VERIFY: FreezeEvent = { type: 'pair.verify' };
const STEP: FreezeEvent = { type: 'verify.step' };
const COPY: FreezeEvent = { type: 'primary.copy' };
const FREEZE: FreezeEvent = { type: 'host.freeze' };

/** Runs commands that must all be accepted, checking every property after each. */
function drive(variant: string, events: readonly FreezeEvent[]): FreezeWorld {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  for (const event of events) {
    const { after, outcome } = lifecycle.step(world, event);
    expect(outcome.controller.accepted, `${lifecycle.formatEvent(event)} in ${lifecycle.formatWorld(world)}`).toBe(true);
    if (lifecycle.variant(variant).kind === 'embodiment') expect(failures(lifecycle, { before: world, event, outcome, after })).toEqual([]);
    world = after;
  }
  return world;
}

function expectRejected(world: FreezeWorld, event: FreezeEvent, reason: keyof typeof REJECTION_REASONS): void {
  const { after, outcome } = lifecycle.step(world, event);
  expect(outcome.controller).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(outcome.model).toMatchObject({ accepted: false, rejection: { reason } });
  expect(after.system).toBe(world.system);
}

/** The verify step that completes the walk: its two transitions, and the blocks reported as a bitmap. */
function lastStep(world: FreezeWorld): { world: FreezeWorld; found: string } {
  const { after, outcome } = lifecycle.step(world, STEP);
  expect(outcome.controller.accepted && outcome.controller.transitions.map((t) => t.edge)).toEqual([
    'verifying --verify.step--> verifying', 'verifying --verify.complete--> normal',
  ]);
  expect(failures(lifecycle, { before: world, event: STEP, outcome, after })).toEqual([]);
  const report = outcome.controller.accepted ? outcome.controller.results.find((r): r is Extract<FreezeResult, { kind: 'verify' }> => r.kind === 'verify') : undefined;
  return { world: after, found: report === undefined ? 'no report' : report.found.map((bit) => (bit ? '1' : '0')).join('') };
}

/**
 * A freeze taken now and run to its completion report, every message delivered first in line and every
 * background step taken as soon as it has work (bounded): the drain, ALL_SENT, the apply, S_DONE.
 */
function freezeToCompletion(world: FreezeWorld): FreezeWorld {
  let w = lifecycle.step(world, FREEZE).after;
  const background: readonly FreezeEvent[] = [deliver(0), { type: 'primary.step' }, { type: 'secondary.apply' }, COPY];
  for (let i = 0; i < 64 && w.system.primary.state !== 'normal'; i += 1) {
    const next = background.map((event) => lifecycle.step(w, event)).find((s) => s.outcome.controller.accepted);
    expect(next, lifecycle.formatWorld(w)).toBeDefined();
    w = next!.after;
  }
  expect(w.system.primary.state).toBe('normal');
  return w;
}

/** A world of `variant` after the events, then a freeze to completion, then more events. */
function aroundFreeze(variant: string, before: readonly FreezeEvent[], after: readonly FreezeEvent[] = []): FreezeWorld {
  let world = freezeToCompletion(drive(variant, before));
  for (const event of after) {
    const { after: next, outcome } = lifecycle.step(world, event);
    expect(outcome.controller.accepted, lifecycle.formatEvent(event)).toBe(true);
    world = next;
  }
  return world;
}

const log = (world: FreezeWorld): LogSystem => world.system as LogSystem;
const split = (world: FreezeWorld): SplitSystem => world.system as SplitSystem;

describe('freeze-remote-copy: online verify', () => {
  test('freeze-remote-copy: online verify: a silent corruption changes the committed image only, and the controllers record nothing', () => {
    const before = drive('e1', [write(1, '01')]);
    const after = drive('e1', [write(1, '01'), corrupt(1)]);
    expect(log(after).secondary.svol).toEqual(['00', 'cc']);
    expect({ ...log(after).secondary, svol: null }).toEqual({ ...log(before).secondary, svol: null });
    expect(log(after).primary).toEqual(log(before).primary);
    expect(lifecycle.step(after, { type: 'host.read', volume: 1, block: 0 }).outcome.controller).toMatchObject({ results: [{ kind: 'read', data: '01' }] });
    expect(split(drive('e2', [corrupt(0)])).secondary.ss).toEqual(['cc', '00']);
  });

  test('freeze-remote-copy: online verify: the walk compares one block a step and reports the corrupted blocks when it completes', () => {
    let world = drive('e1', [corrupt(1), VERIFY]);
    expect(world.system.primary).toMatchObject({ state: 'verifying', verifyCursor: 0, verifyFound: [false, false] });
    world = drive('e1', [corrupt(1), VERIFY, STEP]);
    expect(world.system.primary).toMatchObject({ verifyCursor: 1, verifyFound: [false, false] });
    const done = lastStep(world);
    expect(done.found).toBe('01');
    expect(done.world.system.primary).toMatchObject({ state: 'normal', verifyCursor: 0, verifyFound: [false, false] });
  });

  test('freeze-remote-copy: online verify: E1 skips a block written since the freeze, unsent, unacknowledged or in SDIFFA, and reports the unwritten one', () => {
    const both = [corrupt(0), write(1, '01')];
    // v1b0 is in PBM: unsent. Corrupt v0b0 only, so that the written block's own corruption cannot show either.
    expect(lastStep(drive('e1', [...both, VERIFY, STEP])).found).toBe('10');
    // v1b0 sent, its DATA unacknowledged.
    expect(lastStep(drive('e1', [...both, COPY, VERIFY, STEP])).found).toBe('10');
    // v1b0 stored in SDIFFA for the next image, acknowledged: PVOL and SVOL differ there, and that is right.
    const stored = drive('e1', [...both, COPY, deliver(0), deliver(0), VERIFY, STEP]);
    expect(log(stored).secondary.logA[1]).not.toBeNull();
    expect(lastStep(stored).found).toBe('10');
  });

  test('freeze-remote-copy: online verify: E1 skips a corrupted block written since the freeze, whose frozen value the primary no longer holds', () => {
    expect(lastStep(drive('e1', [write(1, '01'), corrupt(1), VERIFY, STEP])).found).toBe('00');
  });

  test('freeze-remote-copy: online verify: E2-E4 compare PS with SS on every block, so a written block\'s corruption is reported too', () => {
    expect(lastStep(drive('e2', [write(1, '01'), corrupt(1), VERIFY, STEP])).found).toBe('01');
    expect(lastStep(drive('e4', [write(1, '01'), corrupt(1), VERIFY, STEP])).found).toBe('01');
    expect(lastStep(drive('e3', [write(1, '01'), COPY, deliver(0), corrupt(0), VERIFY, STEP])).found).toBe('10');
  });

  test('freeze-remote-copy: online verify: the committed image of a later freeze is verified against the primary\'s data', () => {
    const world = aroundFreeze('e1', [write(0, '01'), COPY, deliver(0), deliver(0)]);
    expect(world.system.secondary).toMatchObject({ state: 'receiving', gen: 1 });
    expect(log(world).secondary.svol).toEqual(['01', '00']);
    expect(lastStep(aroundFreeze('e1', [write(0, '01'), COPY, deliver(0), deliver(0)], [corrupt(0), VERIFY, STEP])).found).toBe('10');
    // A corruption carried into the next image: v1b0, not written before freeze 1, keeps its corrupted copy.
    const carried = aroundFreeze('e1', [write(0, '01'), corrupt(1)]);
    expect(log(carried).secondary.svol).toEqual(['01', 'cc']);
    expect(lastStep(aroundFreeze('e1', [write(0, '01'), corrupt(1)], [VERIFY, STEP])).found).toBe('01');
  });

  test('freeze-remote-copy: online verify: host writes and remote copy go on between the steps', () => {
    const world = drive('e1', [corrupt(0), VERIFY, write(1, '02'), COPY, STEP, deliver(0)]);
    expect(log(world).primary.pvol).toEqual(['00', '02']);
    expect(log(world).secondary.logA[1]).toMatchObject({ data: '02' });
    expect(lastStep(world).found).toBe('10');
  });

  test('freeze-remote-copy: online verify: a corruption of a block the walk has passed is not reported by this verify, and is by the next', () => {
    const first = lastStep(drive('e1', [VERIFY, STEP, corrupt(0)]));
    expect(first.found).toBe('00');
    let world = first.world;
    for (const event of [VERIFY, STEP]) world = lifecycle.step(world, event).after;
    expect(lastStep(world).found).toBe('10');
  });

  test('freeze-remote-copy: online verify: the model bounds what a verify must and may report', () => {
    expect(drive('e1', [corrupt(1), write(0, '01'), VERIFY]).model.verify).toEqual({ must: [1], may: [1] });
    expect(drive('e1', [write(1, '01'), corrupt(1), VERIFY]).model.verify).toEqual({ must: [], may: [1] });
    expect(drive('e1', [corrupt(1), VERIFY, write(1, '01')]).model.verify).toEqual({ must: [], may: [1] });
    expect(drive('e1', [VERIFY, corrupt(0)]).model.verify).toEqual({ must: [], may: [0] });
  });

  test('freeze-remote-copy: online verify: a freeze waits for the verify (busy), and is accepted after its report', () => {
    const world = drive('e1', [VERIFY, STEP]);
    expectRejected(world, FREEZE, 'busy');
    expectRejected(drive('e1', [VERIFY]), FREEZE, 'busy');
    expect(lifecycle.step(lastStep(world).world, FREEZE).outcome.controller.accepted).toBe(true);
  });

  test('freeze-remote-copy: online verify: pair.verify is refused wrong-state during a freeze, during a verify, and once either controller is gone', () => {
    expectRejected(drive('e1', [FREEZE]), VERIFY, 'wrong-state');
    expectRejected(drive('e2', [FREEZE]), VERIFY, 'wrong-state');
    expectRejected(drive('e1', [VERIFY]), VERIFY, 'wrong-state');
    expectRejected(drive('e1', [{ type: 'primary.fail' }]), VERIFY, 'wrong-state');
    expectRejected(drive('e1', [{ type: 'secondary.recover' }]), VERIFY, 'wrong-state');
  });

  test('freeze-remote-copy: online verify: verify.step is refused wrong-state with no verify running, and once the secondary no longer answers', () => {
    expectRejected(drive('e1', []), STEP, 'wrong-state');
    expectRejected(drive('e3', [FREEZE]), STEP, 'wrong-state');
    expectRejected(drive('e1', [VERIFY, { type: 'secondary.recover' }]), STEP, 'wrong-state');
    expectRejected(drive('e1', [VERIFY, { type: 'primary.fail' }]), STEP, 'wrong-state');
  });

  test('freeze-remote-copy: online verify: block.corrupt is checked as a host command is: malformed, unknown volume, block out of range, then state', () => {
    const world = drive('e1', []);
    expectRejected(world, corrupt(-1), 'malformed-command');
    expectRejected(world, { type: 'block.corrupt', volume: 0, block: 0.5 }, 'malformed-command');
    expectRejected(world, corrupt(2), 'unknown-volume');
    expectRejected(world, corrupt(1, 1), 'track-out-of-range');
    const failed = drive('e1', [{ type: 'primary.fail' }]);
    expectRejected(failed, corrupt(2), 'unknown-volume'); // arguments before state
    expectRejected(failed, corrupt(0), 'wrong-state');
  });

  test('freeze-remote-copy: online verify: block.corrupt is refused wrong-state during a freeze and after recovery', () => {
    expectRejected(drive('e1', [FREEZE]), corrupt(0), 'wrong-state');
    expectRejected(drive('e2', [FREEZE, { type: 'primary.step' }]), corrupt(0), 'wrong-state');
    expectRejected(drive('e1', [{ type: 'secondary.recover' }]), corrupt(0), 'wrong-state');
  });

  test('freeze-remote-copy: online verify: recovery after a silent corruption returns the corrupted image the model expects', () => {
    const { outcome } = lifecycle.step(drive('e1', [corrupt(1)]), { type: 'secondary.recover' });
    expect(outcome.controller).toMatchObject({ accepted: true, results: [{ kind: 'recovered', gen: 0, image: ['00', 'cc'] }] });
  });

  test('freeze-remote-copy: online verify: a broken controller\'s own silent corruption, BROKEN apply-loses-last-block, is reported by the verify', () => {
    const world = aroundFreeze('apply-loses-last-block', [write(1, '01'), COPY, deliver(0), deliver(0)]);
    expect(world.system.secondary).toMatchObject({ state: 'receiving', gen: 1 });
    expect(log(world).secondary.svol).toEqual(['00', '00']); // the apply lost v1b0's write
    let verified = world;
    for (const event of [VERIFY, STEP, STEP]) {
      const { after, outcome } = lifecycle.step(verified, event);
      verified = after;
      if (event === STEP && verified.system.primary.state === 'normal') {
        expect(outcome.controller).toMatchObject({ accepted: true, results: [{ kind: 'verify', found: [false, true] }] });
      }
    }
    expect(verified.system.primary.state).toBe('normal');
  });

  test('freeze-remote-copy: online verify: BROKEN verify-skips-last-block never reports the last block', () => {
    let world = drive('verify-skips-last-block', [corrupt(1), VERIFY, STEP]);
    const { outcome } = lifecycle.step(world, STEP);
    expect(outcome.controller).toMatchObject({ accepted: true, results: [{ kind: 'verify', found: [false, false] }] });
    world = drive('e1', [corrupt(1), VERIFY, STEP]);
    expect(lastStep(world).found).toBe('01');
  });
});

describe('freeze-remote-copy: online verify: broken variants', () => {
  /** The shortest counterexamples the exhaustive search finds (`copyspec verify --variant <name> --check exhaustive`). */
  test.each([
    ['verify-skips-last-block', 'verify-reports-differing-blocks', 4],
    ['apply-loses-last-block', 'recovery-image-is-committed-freeze', 8],
  ])('freeze-remote-copy: online verify: BROKEN %s breaks %s in %i steps', (variant, property, steps) => {
    const result = exhaustive(lifecycle, variant, { maxStates: 1_000_000, stopWhenViolated: [property] });
    const violation = result.violations.find((v) => v.property === property);
    expect(violation?.events.length, violation?.trace.join('\n')).toBe(steps);
  }, 300_000);
});
