import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { phaseOf, type Phase } from '../../machines/failover-failback.js';
import type { FailoverWorld } from '../../src/failover-failback/abstraction.js';
import type { FailoverEvent } from '../../src/failover-failback/events.js';
import { failoverFailbackLifecycle as lifecycle } from '../../src/failover-failback/lifecycle.js';
import { REJECTION_REASONS, type RejectionReason } from '../../src/rejection.js';
import { failures } from '../../src/verify/trace.js';

const write = (site: number, track: number, data = '01'): FailoverEvent => ({ type: 'host.write', site, track, data });
const bare = (type: Exclude<FailoverEvent['type'], 'host.write' | 'link.deliver' | 'link.lose'>): FailoverEvent => ({ type } as FailoverEvent);
const deliver = (index = 0): FailoverEvent => ({ type: 'link.deliver', index });

/** Runs commands from the minimal preset's initial world; every one must be accepted and break no property. */
function run(variant: string, events: readonly FailoverEvent[], world = lifecycle.initial(variant, lifecycle.presets.minimal)): FailoverWorld {
  let w = world;
  for (const event of events) {
    const { after, outcome } = lifecycle.step(w, event);
    expect(outcome.controller.accepted, `${lifecycle.formatEvent(event)} in ${lifecycle.formatWorld(w)}`).toBe(true);
    expect(failures(lifecycle, { before: w, event, outcome, after })).toEqual([]);
    w = after;
  }
  return w;
}

const phase = (world: FailoverWorld): Phase => phaseOf(world.system.master.state, world.system.backup.state);

/** The drain of G5 under a fair schedule: send each flagged track, deliver, then the DELPAIR handshake. */
function drain(world: FailoverWorld): FailoverWorld {
  let w = world;
  for (let i = 0; i < 16 && w.system.backup.state !== 'deleted'; i += 1) {
    const events: FailoverEvent[] = w.system.wire.inFlight.length > 0 ? [deliver()] : [bare('backup.copy')];
    w = run(w.variant.name, events, w);
  }
  return w;
}

/**
 * A failover and failback of seed 003 stage by stage, each reaching the next phase: host 110 writes track 0
 * and fails before the copy job sends it; host 410 takes over and writes track 1; the master comes back,
 * Resync, DELPAIR and its drain, the hand over and pair recovery.
 */
const STAGES: readonly ((world: FailoverWorld) => FailoverWorld)[] = [
  (w) => run(w.variant.name, [write(1, 0), bare('master.fail')], w),
  (w) => run(w.variant.name, [bare('host.swap'), write(2, 1)], w),
  (w) => run(w.variant.name, [bare('master.recover')], w),
  (w) => run(w.variant.name, [bare('host.resync')], w),
  (w) => run(w.variant.name, [bare('host.delpair')], w),
  drain,
  (w) => run(w.variant.name, [bare('host.hand-over')], w),
  (w) => run(w.variant.name, [bare('host.pair-recover')], w),
];

/** The world of the first phase `target` the failover of STAGES reaches (G0: the initial world). */
function worldIn(target: Phase, variant = 'e1'): FailoverWorld {
  let w = lifecycle.initial(variant, lifecycle.presets.minimal);
  for (const stage of STAGES) {
    if (phase(w) === target) return w;
    w = stage(w);
  }
  expect(phase(w)).toBe(target);
  return w;
}

function expectRefused(world: FailoverWorld, event: FailoverEvent, reason: RejectionReason): void {
  const { after, outcome } = lifecycle.step(world, event);
  expect(outcome.controller).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(after).toBe(world); // changes nothing, not even a copy
  expect(lifecycle.key(after)).toBe(lifecycle.key(world));
}

describe('failover-failback: commands', () => {
  test('failover-failback: commands: a whole failover and failback passes G0 to G7 and back to G0 in order', () => {
    for (const variant of ['e1', 'e2', 'e3']) {
      const seen: Phase[] = [];
      let w = lifecycle.initial(variant, lifecycle.presets.minimal);
      for (const stage of STAGES) {
        w = stage(w);
        seen.push(phase(w));
      }
      expect(seen).toEqual(['G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G0']);
      expect(w.system.master.dt1.count).toBe(0); // (4090)
      expect(w.system.backup.state).toBe('secondary');
    }
  });

  test('failover-failback: commands: malformed numbers and data are refused as malformed-command', () => {
    const w = worldIn('G0');
    expectRefused(w, write(1, 0, 'zz'), 'malformed-command');
    expectRefused(w, write(1, 0, 'ABCD'), 'malformed-command');
    expectRefused(w, write(1.5, 0), 'malformed-command');
    expectRefused(w, write(1, -1), 'malformed-command');
    expectRefused(w, { type: 'link.deliver', index: 0.5 }, 'malformed-command');
    expectRefused(w, { type: 'link.lose', index: -1 }, 'malformed-command');
  });

  test('failover-failback: commands: a site that is neither 1 nor 2 is refused as unknown-volume', () => {
    expectRefused(worldIn('G0'), write(0, 0), 'unknown-volume');
    expectRefused(worldIn('G2'), write(3, 0), 'unknown-volume');
  });

  test('failover-failback: commands: a track past the volume is refused as track-out-of-range', () => {
    expectRefused(worldIn('G0'), write(1, 3), 'track-out-of-range');
    expectRefused(worldIn('G4'), write(2, 9), 'track-out-of-range');
  });

  test('failover-failback: commands: a write that is not one whole track is refused as length-out-of-range', () => {
    expectRefused(worldIn('G0'), write(1, 0, '0101'), 'length-out-of-range');
    expectRefused(worldIn('G2'), write(2, 0, ''), 'length-out-of-range');
  });

  test('failover-failback: commands: reasons are checked in the documented order', () => {
    expectRefused(worldIn('G3'), write(1, 7), 'track-out-of-range'); // a bad track before the fenced master
    expectRefused(worldIn('G1'), write(5, 7, 'zz'), 'malformed-command');
    expectRefused(worldIn('G5'), write(4, 0), 'unknown-volume'); // the site before the drain's refusal
  });

  test('failover-failback: commands: host 110 writing to a fenced master is refused as fenced (A3)', () => {
    for (const p of ['G3', 'G4', 'G5', 'G6', 'G7'] as const) expectRefused(worldIn(p), write(1, 2), 'fenced');
  });

  test('failover-failback: commands: E3 refuses a synchronous write its backup cannot take as fenced (A12)', () => {
    const down = run('e3', [bare('link.down')]);
    expectRefused(down, write(1, 0), 'fenced');
    const accepted = run('e3', [write(1, 0)]);
    expect([...accepted.system.backup.volume.contents()]).toEqual([1, 0, 0]); // both halves in one step
    // E1 acknowledges an asynchronous write with cable 600 down: the copy job sends it later.
    expect(run('e1', [bare('link.down'), write(1, 0)]).system.master.dt1.toString()).toBe('100');
  });

  const wrongState: [Phase, FailoverEvent][] = [
    ['G0', write(2, 0)], ['G0', bare('host.resync')], ['G0', bare('host.delpair')], ['G0', bare('host.hand-over')],
    ['G0', bare('host.pair-recover')], ['G0', bare('master.recover')], ['G0', bare('backup.fail')], ['G0', bare('backup.restart')],
    ['G0', bare('backup.copy')], ['G0', bare('backup.timeout')], ['G0', bare('master.timeout')], ['G0', bare('link.up')], ['G0', deliver(0)],
    ['G1', write(1, 0)], ['G1', write(2, 0)], ['G1', bare('master.fail')], ['G1', bare('master.copy')], ['G1', bare('host.resync')],
    ['G2', bare('host.swap')], ['G2', bare('host.resync')], ['G2', bare('host.delpair')], ['G2', bare('backup.copy')],
    ['G3', bare('master.recover')], ['G3', bare('host.hand-over')], ['G3', bare('host.pair-recover')], ['G3', bare('backup.fail')],
    ['G4', bare('host.resync')], ['G4', bare('backup.restart')], ['G4', bare('host.hand-over')],
    ['G5', write(2, 0)], ['G5', bare('host.delpair')], ['G5', bare('host.resync')],
    ['G6', write(2, 0)], ['G6', bare('host.pair-recover')], ['G6', bare('backup.fail')], ['G6', bare('backup.copy')],
    ['G7', bare('host.hand-over')], ['G7', bare('host.resync')],
  ];
  test.each(wrongState)('failover-failback: commands: in %s, %o is refused as wrong-state and changes nothing', (p, event) => {
    expectRefused(worldIn(p), event, 'wrong-state');
  });

  test('failover-failback: commands: pair recovery needs cable 600 to re-establish the pair', () => {
    expectRefused(run('e1', [bare('link.down')], worldIn('G7')), bare('host.pair-recover'), 'wrong-state');
  });

  test('failover-failback: commands: Resync waits for host 410 to see the master back (3000)', () => {
    expectRefused(worldIn('G2'), bare('host.resync'), 'wrong-state');
    expect(run('e1', [bare('host.resync')], worldIn('G3')).system.backup.state).toBe('copy.failback');
  });

  test('failover-failback: commands: guard asynchronous gives E1 and E2 a copy job, E3 none', () => {
    expect(run('e1', [write(1, 0), bare('master.copy')]).system.wire.inFlight).toHaveLength(1);
    expectRefused(run('e3', [write(1, 0)]), bare('master.copy'), 'wrong-state');
  });

  test('failover-failback: commands: guard mergesDt1 ORs DT1 into DT2 at Resync in E1 only (3020)', () => {
    for (const [variant, dt2] of [['e1', '110'], ['e2', '010']] as const) {
      const w = run(variant, [bare('host.resync')], worldIn('G3', variant));
      expect(w.system.backup.dt2.toString()).toBe(dt2); // host 110 wrote track 0 unreplicated, host 410 track 1
    }
  });

  test('failover-failback: commands: DT1 that cannot be read at Resync makes a full copy (A4)', () => {
    const w = run('e1', [bare('link.down'), bare('host.resync')], worldIn('G3'));
    expect(w.system.backup.dt2.toString()).toBe('111');
  });

  test('failover-failback: commands: guard fences powers a live master off at a takeover; the literal A3 flow does not', () => {
    expect(run('e1', [bare('host.swap')]).system.master.state).toBe('failed');
    const literal = lifecycle.step(lifecycle.initial('literal-a3-no-fencing', lifecycle.presets.minimal), bare('host.swap')).after;
    expect(literal.system.master.state).toBe('primary');
    expect(lifecycle.step(literal, write(1, 0)).outcome.controller.accepted).toBe(true); // two writers
  });

  test('failover-failback: commands: guard literalA2 leaves a SWAP write out of DT2 (2040 as written)', () => {
    const start = run('e1', [bare('host.swap')]);
    expect(run('e1', [write(2, 0)], start).system.backup.dt2.toString()).toBe('100');
    const literal = lifecycle.step(lifecycle.initial('literal-a2-swap-writes-untracked', lifecycle.presets.minimal), bare('host.swap')).after;
    expect(lifecycle.step(literal, write(2, 0)).after.system.backup.dt2.toString()).toBe('000');
  });

  test('failover-failback: commands: guard literalA10 clears DT2 at a SWAP from COPY; the embodiments keep it', () => {
    const events = [bare('host.swap'), write(2, 1), bare('master.recover'), bare('host.resync'), bare('host.swap')];
    expect(run('e1', events).system.backup.dt2.toString()).toBe('010');
    let literal = lifecycle.initial('literal-a10-second-swap-clears-dt2', lifecycle.presets.minimal);
    for (const event of events) literal = lifecycle.step(literal, event).after;
    expect(literal.system.backup.dt2.toString()).toBe('000');
  });

  test('failover-failback: commands: the diff job clears a bit when it sends the track, and a lost transfer sets it again (A1)', () => {
    const sent = run('e1', [bare('backup.copy')], worldIn('G4'));
    expect(sent.system.backup.dt2.toString()).toBe('010');
    expect(sent.system.backup.inflight.toString()).toBe('100');
    const lost = run('e1', [{ type: 'link.lose', index: 0 }, bare('backup.timeout')], sent);
    expect(lost.system.backup.dt2.toString()).toBe('110');
    expect(lost.system.backup.inflight.toString()).toBe('000');
    expectRefused(sent, bare('backup.timeout'), 'wrong-state'); // the transfer is slow, not lost
  });

  test.each([['e1', [0, 1]], ['e2', [1]], ['e3', [1]]] as const)('failover-failback: commands: %s: a quiet failback sends exactly the flagged tracks, once each (I6)', (variant, flagged) => {
    let w = run(variant, [bare('host.delpair')], worldIn('G4', variant));
    expect(w.system.backup.dt2.toArray()).toEqual(flagged);
    const sent: number[] = [];
    for (let i = 0; i < 16 && w.system.backup.state !== 'deleted'; i += 1) {
      const { after, outcome } = lifecycle.step(w, w.system.wire.inFlight.length > 0 ? deliver() : bare('backup.copy'));
      if (outcome.controller.accepted) sent.push(...outcome.controller.sent.filter((m) => m.kind === 'failback').map((m) => m.track!));
      w = after;
    }
    expect(w.system.backup.state).toBe('deleted');
    expect(sent).toEqual(flagged);
  });

  test('failover-failback: commands: DELPAIR completes only after DKC1 acknowledges the drained pair (A7)', () => {
    let w = run('e1', [bare('host.delpair'), bare('backup.copy')], worldIn('G4'));
    expect(w.system.backup.state).toBe('copy.draining'); // DT2 still held a track: the job sent it
    w = drain(w);
    expect(w.system.backup.state).toBe('deleted');
    expect([...w.system.master.volume.contents()]).toEqual([...w.system.backup.volume.contents()]);
  });

  test('failover-failback: commands: a backup failure fails a pending DELPAIR; the restart resumes in COPY (A11)', () => {
    const { after, outcome } = lifecycle.step(worldIn('G5'), bare('backup.fail'));
    expect(outcome.controller.accepted && outcome.controller.results).toEqual([{ kind: 'delpair-failed' }]);
    expect(run('e1', [bare('backup.restart')], after).system.backup.state).toBe('copy.failback');
  });

  test('failover-failback: commands: a copy delayed across the takeover is dropped by its generation', () => {
    const w = run('e1', [write(1, 0), bare('master.copy'), bare('host.swap'), write(2, 0, '02'), deliver(0)]);
    expect([...w.system.backup.volume.contents()]).toEqual([2, 0, 0]); // host 410's write stands
    expect(w.system.wire.inFlight).toHaveLength(0);
  });

  test('failover-failback: commands: a step never changes the world it was given (worlds share volumes and bitmaps)', () => {
    for (const variant of ['e1', 'e2', 'e3']) {
      const worlds: FailoverWorld[] = [];
      let w = lifecycle.initial(variant, lifecycle.presets.standard);
      const events = fc.sample(lifecycle.arbitrary(variant, lifecycle.presets.standard), { seed: 5, numRuns: 600 });
      for (const event of events) {
        worlds.push(w);
        w = lifecycle.step(w, event).after;
      }
      const keys = worlds.map((world) => lifecycle.key(world) + JSON.stringify(lifecycle.observe(world)));
      for (const world of worlds) for (const event of events.slice(0, 20)) lifecycle.step(world, event);
      expect(worlds.map((world) => lifecycle.key(world) + JSON.stringify(lifecycle.observe(world)))).toEqual(keys);
    }
  });

  test('failover-failback: commands: scenario events are parsed strictly', () => {
    expect(lifecycle.parseEvent({ type: 'host.swap' })).toEqual({ type: 'host.swap' });
    expect(lifecycle.parseEvent({ type: 'host.write', site: 1, track: 0 })).toMatch(/data/);
    expect(lifecycle.parseEvent({ type: 'link.deliver' })).toMatch(/index/);
    expect(lifecycle.parseEvent({ type: 'host.swap', pair: 0 })).toMatch(/pair|unrecognized/i);
  });
});
