/**
 * The check pool (src/verify/pool.ts): `copyspec verify` on two threads gives the results of one thread,
 * violations, traces and replay commands included, in the jobs' order whatever order they finish in; the
 * costliest checks start first; a check that throws in a pool thread fails the run with its message. Pool
 * threads run dist/, so `npm run build` must be current.
 */
import { describe, expect, test } from 'vitest';
import { costOf, type CheckJob } from '../src/verify/checks.js';
import { runPooled } from '../src/verify/pool.js';
import type { CheckResult } from '../src/verify/report.js';
import { run } from './cli-run.js';

/** Everything but the time and the bytes held, which differ between a sequential and a parallel search. */
const comparable = (results: readonly CheckResult[]): CheckResult[] => results.map((result) => ({ ...result, ms: 0, bytes: 0 }));

const job = (lifecycle: string, variant: string, check: CheckJob['check']): CheckJob => ({
  lifecycle, variant, check, compact: false, workers: 1, runs: 50, seed: 20261121, maxCommands: 200,
});

const quiet = { started: () => {}, progress: () => {}, finished: () => {} };

describe('verify: check pool', () => {
  test('verify: check pool: two threads give one thread\'s results, violations and traces included, in the jobs\' order', async () => {
    // Embodiments and a broken variant, so that a counterexample and its replay command cross the thread boundary.
    // 300 model-based runs cost more than the 2 891 states of the exhaustive check, so they start first.
    const argv = ['verify', '--lifecycle', 'scheduled-backup', '--variant', 'disk', '--runs', '300', '--json'];
    const one = await run(...argv, '--workers', '1');
    const two = await run(...argv, '--workers', '2');
    expect([one.code, two.code]).toEqual([0, 0]);
    const results = (out: string): CheckResult[] => (JSON.parse(out) as { results: CheckResult[] }).results;
    expect(comparable(results(two.out))).toEqual(comparable(results(one.out)));
    const started = two.err.split('\n').filter((line) => line.endsWith(' ...'));
    expect(started[0]).toBe('[2/2] scheduled-backup disk model-based ...');
    const broken = ['verify', '--lifecycle', 'mirror-pair', '--variant', 'suspend-keeps-primary-bitmap', '--preset', 'small', '--runs', '50', '--json'];
    const brokenOne = await run(...broken, '--workers', '1');
    const brokenTwo = await run(...broken, '--workers', '2');
    expect([brokenOne.code, brokenTwo.code]).toEqual([1, 1]);
    expect(results(brokenTwo.out).map((r) => r.violations.length)).toEqual([1, 1]);
    expect(comparable(results(brokenTwo.out))).toEqual(comparable(results(brokenOne.out)));
  }, 180_000);

  test('verify: check pool: the costliest check starts first, exhaustive searches by their pinned states, and the results keep the jobs\' order', async () => {
    const jobs = [job('scheduled-backup', 'disk', 'exhaustive'), job('mirror-pair', 'e2-fig14-differential', 'exhaustive'), job('scheduled-backup', 'tape', 'model-based')];
    expect(jobs.map(costOf)).toEqual([2891, 109032, 500]);
    const order: number[] = [];
    // One thread, so that the order the checks start in is the order they are taken.
    const first = await runPooled([jobs[0]!, jobs[2]!], 1, { ...quiet, started: (index) => order.push(index) });
    expect(order).toEqual([0, 1]);
    expect(first.map((result) => result.check)).toEqual(['exhaustive', 'model-based']);
    order.length = 0;
    // Taken second and finished second, the exhaustive check's result is still the second job's.
    const second = await runPooled([jobs[2]!, jobs[0]!], 1, { ...quiet, started: (index) => order.push(index) });
    expect(order).toEqual([1, 0]);
    expect(second.map((result) => result.check)).toEqual(['model-based', 'exhaustive']);
  }, 120_000);

  test('verify: check pool: a check that throws in a thread fails the run with its message', async () => {
    const jobs = [job('scheduled-backup', 'disk', 'model-based'), job('no-such-lifecycle', 'e1', 'model-based')];
    await expect(runPooled(jobs, 2, quiet)).rejects.toThrow(/no lifecycle no-such-lifecycle/);
  }, 60_000);

  test('verify: check pool: an event of the caller\'s that throws fails the run, and the threads stop', async () => {
    const jobs = [job('scheduled-backup', 'disk', 'model-based'), job('scheduled-backup', 'tape', 'model-based')];
    await expect(runPooled(jobs, 2, { ...quiet, finished: () => { throw new Error('refused by the caller'); } })).rejects.toThrow('refused by the caller');
  }, 60_000);
});
