import { describe, expect, test } from 'vitest';
import { freezeRemoteCopyLifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';

/**
 * Reachable worlds and machine transitions (primary and secondary machines together) of every embodiment
 * over the minimal preset: a group of 2 volumes of 1 one-byte block, values 1 and 2, at most 2 host writes
 * and 2 freezes per history, 2 messages in flight, every delivery order, loss by link failure and
 * retransmission. Pinned so that a change to the spec shows in review: if one of these moves, say why in the
 * commit.
 */
const PINNED: Record<string, { states: number; transitions: number }> = {
  e1: { states: 167704, transitions: 59 },
  e2: { states: 36417, transitions: 46 },
  e3: { states: 97273, transitions: 50 },
  e4: { states: 37397, transitions: 46 },
};

describe('freeze-remote-copy: exhaustive', () => {
  const embodiments = freezeRemoteCopyLifecycle.variants.filter((variant) => variant.kind === 'embodiment');

  test('freeze-remote-copy: exhaustive: every embodiment variant is pinned', () => {
    expect(embodiments.map((variant) => variant.name).sort()).toEqual(Object.keys(PINNED).sort());
  });

  test.each(embodiments.map((variant) => variant.name))('freeze-remote-copy: exhaustive: %s holds every property in every reachable world', (variant) => {
    const result = exhaustive(freezeRemoteCopyLifecycle, variant, { maxStates: 500_000 });
    const report = result.violations.map((v) => `${v.property}\n${v.trace.join('\n')}\n${v.replay}`).join('\n\n');
    expect(report).toBe('');
    expect(result.uncoveredTransitions).toEqual([]);
    expect({ states: result.states, transitions: result.transitions }).toEqual(PINNED[variant]);
    expect(result.transitionsCovered).toBe(result.transitions);
    expect(result.runs).toBeGreaterThan(0); // the fair-schedule control path was replayed against the machine
  }, 300_000);

  test('freeze-remote-copy: exhaustive: a search larger than its bound fails loudly instead of passing', () => {
    expect(() => exhaustive(freezeRemoteCopyLifecycle, 'e2', { maxStates: 100 })).toThrow(/more than 100 states/);
  });
});
