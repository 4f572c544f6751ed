import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LIFECYCLES } from '../../src/lifecycles.js';
import { targetsOf, WorkloadUsageError } from '../../src/workload/command.js';
import { toggleLifecycle } from '../toggle/toggle.js';
import { run } from '../cli-run.js';

const TRACE = 'examples/workload/small.trace.jsonl';

describe('workload: command', () => {
  test('workload: command: the example trace replays through mirror-pair, table on stdout, progress on stderr', async () => {
    const { code, out, err } = await run('workload', '--lifecycle', 'mirror-pair', '--variant', 'e1', '--trace', TRACE, '--failure-points', '10');
    expect(code).toBe(0);
    expect(out).toMatch(/^lifecycle +variant +kind +commits +failure points +mismatches +fsck dirty +MiB written +MiB\/s +faults +result$/m);
    expect(out).toMatch(/^mirror-pair +e1 +embodiment +7\/7 +\d+ +0 +- .* ok$/m);
    expect(err).toContain('[1/1] mirror-pair e1 [##########]');
  });

  test('workload: command: --json prints only the document, with a replay command for every failure', async () => {
    const { code, out } = await run('workload', '--lifecycle', 'freeze-remote-copy', '--variant', 'literal-d1-post-freeze-write-leaks', '--trace', TRACE, '--failure-points', '10', '--json');
    expect(code).toBe(1);
    const document = JSON.parse(out) as { ok: boolean; seed: number; runs: { mismatches: number; failures: { index: number; replay: string }[] }[] };
    expect(document.ok).toBe(false);
    const [variant] = document.runs;
    expect(variant!.mismatches).toBeGreaterThan(0);
    const failure = variant!.failures[0]!;
    expect(failure.replay).toBe(`copyspec workload --lifecycle freeze-remote-copy --variant literal-d1-post-freeze-write-leaks --trace ${TRACE} --seed 20261121 --failure-points 10 --only ${failure.index}`);
    const replayed = await run(...failure.replay.split(' ').slice(1), '--json');
    expect(replayed.code).toBe(1);
    expect((JSON.parse(replayed.out) as typeof document).runs[0]!.failures.map((f) => f.index)).toEqual([failure.index]);
  }, 60_000);

  test('workload: command: a default run counts only embodiments against the exit status', async () => {
    const { code, out } = await run('workload', '--lifecycle', 'freeze-remote-copy', '--trace', TRACE, '--failure-points', '5', '--faults', 'none');
    expect(code).toBe(0);
    expect(out).toMatch(/literal-d1-post-freeze-write-leaks +literal-defect .* caught$/m);
    expect(out).toContain('seed 20261121; replay: copyspec workload --lifecycle freeze-remote-copy --variant literal-d1-post-freeze-write-leaks');
  }, 60_000);

  const usage: readonly [string, string[], RegExp][] = [
    ['no workload', ['--lifecycle', 'mirror-pair'], /exactly one workload/],
    ['two workloads', ['--trace', TRACE, '--ext4'], /exactly one workload/],
    ['an unknown lifecycle', ['--lifecycle', 'nope', '--trace', TRACE], /unknown lifecycle 'nope'/],
    ['an unknown variant', ['--lifecycle', 'mirror-pair', '--variant', 'e9', '--trace', TRACE], /no variant 'e9'/],
    ['an unknown fault', ['--trace', TRACE, '--faults', 'link-loss,fire'], /unknown fault 'fire'/],
    ['--only without one variant', ['--trace', TRACE, '--only', '3'], /--only replays one failure point of one variant/],
    ['--save-image without --only', ['--lifecycle', 'mirror-pair', '--variant', 'e1', '--trace', TRACE, '--save-image', '/tmp/x'], /give --only/],
    ['a missing trace file', ['--trace', 'no/such.jsonl'], /no\/such.jsonl:0: file:/],
    ['an ext4 size past the bound', ['--ext4', '--ext4-size', '9999'], /--ext4-size must be/],
    ['a non-numeric seed', ['--trace', TRACE, '--seed', 'x'], /expected a whole number/],
    ['--only past the last failure point', ['--lifecycle', 'mirror-pair', '--variant', 'e1', '--trace', TRACE, '--failure-points', '5', '--only', '999'], /--only 999: this run of seed 20261121 has fewer failure points/],
  ];
  for (const [name, argv, message] of usage) {
    test(`workload: command: ${name} is a usage error (exit 2)`, async () => {
      const { code, err, out } = await run('workload', ...argv);
      expect(code).toBe(2);
      expect(err).toMatch(message);
      expect(out).toBe('');
    });
  }

  test('workload: command: a lifecycle without a driver is a usage error (exit 2)', () => {
    // Every lifecycle copyspec has is driven, so the refusal is shown with a registry holding the toggle
    // lifecycle of the seam's tests, which has no driver.
    const registry = [...LIFECYCLES, toggleLifecycle];
    expect(() => targetsOf({ lifecycle: ['toggle'] }, registry)).toThrow(new WorkloadUsageError(`lifecycle 'toggle' has no workload driver; these do: ${LIFECYCLES.map((l) => l.id).join(', ')}`));
  });

  test('workload: command: a malformed trace is refused whole with its line and field, and a geometry a driver refuses too', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-workload-'));
    const bad = join(folder, 'bad.jsonl');
    await writeFile(bad, '{"format":"copyspec-trace-1","volumes":1,"volumeBytes":8192,"blockSize":512}\n{"time":0,"type":"write","volume":0,"offset":3,"length":512,"seed":1}\n');
    const malformed = await run('workload', '--trace', bad);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain(`${bad}:2: offset: 3 is not a multiple of blockSize 512`);
    const two = join(folder, 'two.jsonl');
    await writeFile(two, '{"format":"copyspec-trace-1","volumes":2,"volumeBytes":8192,"blockSize":512}\n');
    const refused = await run('workload', '--lifecycle', 'mirror-pair', '--trace', two);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('mirror-pair cannot run this workload: mirror-pair pairs one primary volume; the workload has 2');
    const large = join(folder, 'large.jsonl');
    await writeFile(large, '{"format":"copyspec-trace-1","volumes":2,"volumeBytes":268435456,"blockSize":4096}\n');
    const tooLarge = await run('workload', '--lifecycle', 'extent-copy', '--trace', large);
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.err).toBe('copyspec: extent-copy cannot run this workload: extent-copy holds each volume three times (the original and two copy volumes); 536870912 bytes of volumes is more than the 268435456 it is driven with\n');
    expect(tooLarge.out).toBe('');
    const backup = await run('workload', '--lifecycle', 'scheduled-backup', '--trace', large);
    expect(backup.code).toBe(2);
    expect(backup.err).toBe('copyspec: scheduled-backup cannot run this workload: scheduled-backup holds each volume three times (the volume and two backup media); 536870912 bytes of volumes is more than the 268435456 it is driven with\n');
  });
});
