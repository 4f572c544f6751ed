/**
 * The parallel exhaustive search (src/verify/parallel.ts) against the sequential one: for one defective
 * variant of every lifecycle (its violations are what a parallel search can most easily get wrong: which
 * trace is found first), the same states, steps, coverage and violations with the same traces (events and
 * all), whether it hands over at the first level or in the middle of the search, with two workers or three.
 * mirror-pair is searched over its small preset (2 one-byte tracks), the others over minimal: the worlds are
 * few so that the suite stays quick, and every lifecycle's packer still crosses the thread boundary. The
 * larger comparisons are the bench's (bench/sections/parallel.ts), which checks equal state counts too. Workers run dist/, so `npm run build` must be
 * current. A lifecycle without a world layout runs sequentially under any number of workers; the comparison
 * holds for it all the same, and becomes a comparison with workers once it has a layout.
 */
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli.js';
import type { AnyLifecycle } from '../src/lifecycle.js';
import { lifecycleNamed } from '../src/lifecycles.js';
import { exhaustive, type ExhaustiveOptions } from '../src/verify/exhaustive.js';
import { exhaustiveParallel } from '../src/verify/parallel.js';
import type { CheckResult } from '../src/verify/report.js';

/** One defective variant of each lifecycle of more than a few states, and the preset it is searched over. */
const CASES: readonly (readonly [string, string, string])[] = [
  ['mirror-pair', 'suspend-keeps-primary-bitmap', 'small'],
  ['freeze-remote-copy', 'done-before-secondary', 'minimal'],
  ['extent-copy', 'literal-a15-e2-address-membership', 'minimal'],
  ['failover-failback', 'literal-a3-no-fencing', 'minimal'],
  ['scheduled-backup', 'trigger-one-tick-early', 'minimal'],
];

function lifecycle(id: string): AnyLifecycle {
  const found = lifecycleNamed(id);
  if (found === undefined) throw new Error(`no lifecycle ${id}`);
  return found;
}

/** Everything but the time and the bytes held, which a parallel search spreads over its workers. */
function comparable(result: CheckResult): CheckResult {
  return { ...result, ms: 0, bytes: 0 };
}

async function bothWays(id: string, variant: string, options: ExhaustiveOptions, workers: number, parallelFrom: number): Promise<CheckResult> {
  const sequential = exhaustive(lifecycle(id), variant, options);
  const parallel = await exhaustiveParallel(lifecycle(id), variant, { ...options, workers, parallelFrom });
  expect(comparable(parallel)).toEqual(comparable(sequential));
  return sequential;
}

describe('parallel: exhaustive search', () => {
  test.each(CASES)('parallel: exhaustive search: %s %s finds what the sequential search finds, with the same traces (%s preset)', async (id, variant, preset) => {
    const result = await bothWays(id, variant, { preset }, 2, 0);
    // A defective variant whose search found nothing would compare two empty lists of traces.
    expect(result.violations.length).toBeGreaterThan(0);
  }, 120_000);

  test('parallel: exhaustive search: handed over in mid-search to three workers, mirror-pair e2 is the sequential search', async () => {
    // 20 057 worlds over the small preset: handed over at 2 000, some ten levels in.
    await bothWays('mirror-pair', 'e2', { preset: 'small' }, 3, 2_000);
  }, 120_000);

  test('parallel: exhaustive search: a defect found in parallel has the sequential shortest trace, its events and its stopping level', async () => {
    const mirror = lifecycle('mirror-pair');
    const variant = mirror.variants.find((v) => v.name === 'partial-write-on-range-error')!;
    const options = { preset: 'small', stopWhenViolated: variant.catches };
    const sequential = exhaustive(mirror, variant.name, options);
    const parallel = await exhaustiveParallel(mirror, variant.name, { ...options, workers: 2, parallelFrom: 0 });
    expect(parallel.stoppedEarly).toBe(true);
    expect(parallel.violations.map((v) => [v.property, v.events.length])).toEqual(sequential.violations.map((v) => [v.property, v.events.length]));
    expect(parallel.violations.map((v) => v.events)).toEqual(sequential.violations.map((v) => v.events));
    expect(parallel.states).toBe(sequential.states);
  }, 120_000);

  test('parallel: exhaustive search: one worker, or a search below the hand-over size, is the sequential search and starts no worker', async () => {
    const mirror = lifecycle('mirror-pair');
    const sequential = exhaustive(mirror, 'e1', { preset: 'small' });
    // mirror-pair's small preset is below PARALLEL_FROM: the default threshold keeps it in this thread.
    expect(comparable(await exhaustiveParallel(mirror, 'e1', { preset: 'small', workers: 4 }))).toEqual(comparable(sequential));
    expect(comparable(await exhaustiveParallel(mirror, 'e1', { preset: 'small', workers: 1, parallelFrom: 0 }))).toEqual(comparable(sequential));
  }, 120_000);

  test('parallel: cli: --workers that is not a whole number from 1 is refused with exit 2 and one line', async () => {
    for (const workers of ['0', 'two', '1000']) {
      let err = '';
      const code = await main(['verify', '--lifecycle', 'mirror-pair', '--workers', workers], { out: () => {}, err: (text) => { err += text; } });
      expect(code).toBe(2);
      expect(err).toContain('--workers');
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  });
});
