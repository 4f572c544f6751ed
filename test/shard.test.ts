/**
 * Shards of model-based runs and their merge (src/verify/shard.ts, `copyspec verify --shard`, `copyspec
 * merge`): the shards split the runs over disjoint seeds, merging all of them gives the unsharded run's
 * verdict over the same number of runs, and merge refuses every kind of input it cannot combine.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseShard, shardRuns } from '../src/verify/shard.js';
import { run } from './cli-run.js';

/** Runs every shard of one model-based run with --json, writes each document to a file, returns the files. */
async function shardFiles(folder: string, variant: string, runs: number, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const { out, err } = await run('verify', '--lifecycle', 'mirror-pair', '--variant', variant, '--check', 'model-based', '--runs', String(runs), '--shard', `${index}/${count}`, '--json');
    expect(err).toContain(`shard ${index}/${count}:`);
    const file = join(folder, `${variant}-${index}.json`);
    await writeFile(file, out);
    files.push(file);
  }
  return files;
}

describe('shard: model-based runs', () => {
  test('shard: split: the shards of a run share its runs exactly, each from its own seed', () => {
    const shards = [1, 2, 3].map((index) => shardRuns({ index, count: 3 }, 100, 20));
    expect(shards).toEqual([{ seed: 100, runs: 7 }, { seed: 101, runs: 7 }, { seed: 102, runs: 6 }]);
    expect(shardRuns({ index: 1, count: 1 }, 100, 20)).toEqual({ seed: 100, runs: 20 });
  });

  test('shard: parse: I/N with 1 <= I <= N is a shard, anything else a one-line reason', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    for (const text of ['0/2', '3/2', '1/0', 'two/eight', '1/2/3', '1/5000']) expect(typeof parseShard(text)).toBe('string');
  });

  test('shard: merge: all shards of an embodiment hold, over the unsharded run\'s number of runs', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-shard-'));
    const whole = await run('verify', '--lifecycle', 'mirror-pair', '--variant', 'e1', '--check', 'model-based', '--runs', '12', '--json');
    const merged = await run('merge', '--json', ...(await shardFiles(folder, 'e1', 12, 3)).reverse());
    expect(merged.code).toBe(whole.code);
    const document = JSON.parse(merged.out) as { ok: boolean; results: { runs: number; violations: unknown[] }[] };
    expect(document.ok).toBe(true);
    expect(document.results.map((r) => r.runs)).toEqual((JSON.parse(whole.out) as { results: { runs: number }[] }).results.map((r) => r.runs));
  }, 120_000);

  test('shard: merge: the shards of a broken variant give the unsharded verdict, each violation with its shard\'s seed', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-shard-'));
    const whole = await run('verify', '--lifecycle', 'mirror-pair', '--variant', 'resync-copies-backwards', '--check', 'model-based', '--runs', '10');
    const merged = await run('merge', ...(await shardFiles(folder, 'resync-copies-backwards', 10, 2)));
    expect(whole.code).toBe(1);
    expect(merged.code).toBe(1);
    expect(merged.out).toContain('PROPERTIES VIOLATED');
    expect(merged.out).toContain('--seed 20261121 ');
    expect(merged.out).toContain('--seed 20261122 ');
  }, 120_000);

  test('shard: merge: malformed, mismatched, repeated, missing and unreadable shard files are refused with exit 2 and one line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-shard-'));
    const [first, second] = await shardFiles(folder, 'e1', 4, 2);
    const [otherFirst] = await shardFiles(await mkdtemp(join(tmpdir(), 'copyspec-shard-')), 'e1', 6, 2);
    const notJson = join(folder, 'not-json.json');
    await writeFile(notJson, '{"ok": tru');
    const notShard = join(folder, 'not-shard.json');
    await writeFile(notShard, JSON.stringify({ ok: true, seed: 1, results: [] }));
    const refusals: [string[], string][] = [
      [[notJson, second!], 'not readable JSON'],
      [[notShard, second!], 'not a copyspec verify --shard --json document'],
      [[otherFirst!, second!], 'a shard of a different run'],
      [[first!, first!, second!], 'shard 1/2 again'],
      [[second!], 'shard 1/2 missing'],
      [[join(folder, 'absent.json'), second!], 'not readable'],
    ];
    for (const [files, reason] of refusals) {
      const { code, out, err } = await run('merge', ...files);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toContain(reason);
      expect(err.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);
});
