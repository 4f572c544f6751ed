import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { FailoverWorld } from '../../src/failover-failback/abstraction.js';
import { failoverFailbackLifecycle as lifecycle } from '../../src/failover-failback/lifecycle.js';
import { failures } from '../../src/verify/trace.js';

/**
 * Long random runs on the standard preset: the conformance suite's model-based runs are 200 commands, which
 * is about one failover; these are 1500, so that runs go through several failovers, failbacks and pair
 * recoveries under faults, with every property checked after every command. The seed is fixed; a failure
 * names the seed, the run and the step, and the run replays from them.
 */
const SEED = 20261122;
const RUNS = 12;
const LENGTH = 1500;

function cycles(variant: string): { pairRecoveries: number; takeovers: number } {
  const runs = fc.sample(fc.array(lifecycle.arbitrary(variant, lifecycle.presets.standard), { minLength: LENGTH, maxLength: LENGTH }), { seed: SEED, numRuns: RUNS });
  let pairRecoveries = 0;
  let takeovers = 0;
  runs.forEach((events, run) => {
    let world: FailoverWorld = lifecycle.initial(variant, lifecycle.presets.standard);
    events.forEach((event, index) => {
      const { after, outcome } = lifecycle.step(world, event);
      const failed = failures(lifecycle, { before: world, event, outcome, after });
      expect(failed, `${variant}: seed ${SEED} run ${run} step ${index + 1}: ${lifecycle.formatEvent(event)}`).toEqual([]);
      if (outcome.controller.accepted) {
        if (event.type === 'host.pair-recover') pairRecoveries += 1;
        if (outcome.controller.transitions.some((t) => t.eventType === 'host.swap' && (t.source === 'secondary' || t.source === 'deleted'))) takeovers += 1;
      }
      world = after;
    });
  });
  return { pairRecoveries, takeovers };
}

describe('failover-failback: cycles', () => {
  test.each(['e1', 'e2', 'e3'])('failover-failback: cycles: %s goes round failover, failback and pair recovery many times under faults', (variant) => {
    const { pairRecoveries, takeovers } = cycles(variant);
    expect(takeovers).toBeGreaterThan(2 * RUNS);
    expect(pairRecoveries).toBeGreaterThan(RUNS);
  }, 120_000);
});
