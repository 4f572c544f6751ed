import { describe, expect, test } from 'vitest';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';

/**
 * Reachable worlds and machine transitions of every embodiment over the minimal preset (3 tracks of 1 byte,
 * values 1 and 2). Pinned so that a change to the spec shows in review: if one of these moves, say why in
 * the commit.
 */
const PINNED: Record<string, { states: number; transitions: number }> = {
  e1: { states: 27211, transitions: 22 },
  'e1-differential': { states: 28331, transitions: 22 },
  e2: { states: 70983, transitions: 22 },
  'e2-differential': { states: 74511, transitions: 22 },
  'e2-fig14': { states: 94827, transitions: 22 },
  'e2-fig14-differential': { states: 101127, transitions: 22 },
};

describe('mirror-pair: exhaustive', () => {
  const embodiments = mirrorPairLifecycle.variants.filter((variant) => variant.kind === 'embodiment');

  test('mirror-pair: exhaustive: every embodiment variant is pinned', () => {
    expect(embodiments.map((variant) => variant.name).sort()).toEqual(Object.keys(PINNED).sort());
  });

  test.each(embodiments.map((variant) => variant.name))('mirror-pair: exhaustive: %s holds every property in every reachable state', (variant) => {
    const result = exhaustive(mirrorPairLifecycle, variant, { maxStates: 500_000 });
    const report = result.violations.map((v) => `${v.property}\n${v.trace.join('\n')}\n${v.replay}`).join('\n\n');
    expect(report).toBe('');
    expect(result.uncoveredTransitions).toEqual([]);
    expect({ states: result.states, transitions: result.transitions }).toEqual(PINNED[variant]);
    expect(result.transitionsCovered).toBe(result.transitions);
    expect(result.runs).toBeGreaterThan(0); // @xstate/graph control paths were replayed
  }, 120_000);

  test('mirror-pair: exhaustive: a search larger than its bound fails loudly instead of passing', () => {
    expect(() => exhaustive(mirrorPairLifecycle, 'e1', { maxStates: 100 })).toThrow(/more than 100 states/);
  });
});
