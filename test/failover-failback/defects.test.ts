import { describe, expect, test } from 'vitest';
import { errataSearch, shortestViolation } from '../../src/errata.js';
import { failoverFailbackLifecycle as lifecycle } from '../../src/failover-failback/lifecycle.js';

/**
 * The shortest traces of failover-failback's literal flows that the errata pages quote, as the commands that
 * make them. That every defective variant is caught, and every property bites, is the conformance suite's
 * (test/conformance/).
 */
function shortest(variant: string): { property: string; events: string[] } {
  const found = shortestViolation(errataSearch(lifecycle, lifecycle.variant(variant), 500_000), lifecycle.variant(variant).catches);
  expect(found).not.toBeNull();
  return { property: found!.property, events: found!.events.map((event) => lifecycle.formatEvent(event as never)) };
}

describe('failover-failback: defects', () => {
  test('failover-failback: defects: A3 without fencing, a false failure report gives two writers at once', () => {
    expect(shortest('literal-a3-no-fencing')).toEqual({ property: 'single-writer', events: ['host.swap'] });
  });

  test('failover-failback: defects: A2 as written, the first SWAP write is missing from DT2', () => {
    expect(shortest('literal-a2-swap-writes-untracked')).toEqual({
      property: 'unflagged-tracks-equal-while-down', events: ['host.swap', 'host.write(s2 t0=01)'],
    });
  });

  test('failover-failback: defects: A10 as written, a second SWAP clears the track not yet copied back', () => {
    expect(shortest('literal-a10-second-swap-clears-dt2')).toEqual({
      property: 'unflagged-tracks-equal-while-down',
      events: ['host.swap', 'host.write(s2 t0=01)', 'master.recover', 'host.resync', 'host.swap'],
    });
  });

  test('failover-failback: defects: A1 as written, a write between send and completion is never copied back', () => {
    expect(shortest('literal-a1-send-then-clear')).toEqual({
      property: 'unflagged-tracks-equal-during-failback',
      events: ['host.write(s1 t0=01)', 'host.swap', 'master.recover', 'host.resync', 'backup.copy', 'host.write(s2 t0=02)', 'link.deliver(#0)', 'link.deliver(#0)'],
    });
  });

  test('failover-failback: defects: A7 as written, DELPAIR completes with the last transfer still on cable 600', () => {
    expect(shortest('literal-a7-two-consumers')).toEqual({
      property: 'pair-deleted-sites-equal',
      events: ['host.write(s1 t0=01)', 'host.swap', 'master.recover', 'host.resync', 'host.delpair', 'backup.copy', 'backup.copy', 'link.deliver(#1)', 'link.deliver(#1)'],
    });
  });
});

describe('failover-failback: defects: split brain', () => {
  test('failover-failback: defects: without fencing, a write host 110 had acknowledged during the split is gone after the failback', () => {
    let world = lifecycle.initial('literal-a3-no-fencing', lifecycle.presets.minimal);
    const events = [
      { type: 'host.swap' }, { type: 'host.write', site: 1, track: 0, data: '01' }, { type: 'host.write', site: 2, track: 1, data: '02' },
      { type: 'master.fail' }, { type: 'master.recover' }, { type: 'host.resync' }, { type: 'host.delpair' },
    ] as const;
    for (const event of events) {
      const { after, outcome } = lifecycle.step(world, event);
      expect(outcome.controller.accepted, lifecycle.formatEvent(event)).toBe(true); // both hosts' writes acknowledged
      world = after;
    }
    for (let i = 0; i < 12 && world.system.backup.state !== 'deleted'; i += 1) {
      world = lifecycle.step(world, world.system.wire.inFlight.length > 0 ? { type: 'link.deliver', index: 0 } : { type: 'backup.copy' }).after;
    }
    expect(world.system.backup.state).toBe('deleted');
    // E1 copied DT1's track 0 back from the backup: host 110's acknowledged 01 is overwritten by the old 00.
    expect([...world.system.master.volume.contents()]).toEqual([0, 2, 0]);
  });
});
