import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { failoverFailbackLifecycle as lifecycle } from '../../src/failover-failback/lifecycle.js';
import { runVariant, WORKLOAD_FAULTS, type EngineOptions, type VariantRun } from '../../src/workload/engine.js';
import { E2FSPROGS_MISSING, ext4Workload, findE2fsprogs, Fsck } from '../../src/workload/ext4.js';
import { parseTrace } from '../../src/workload/trace.js';
import { bytesWritten } from '../../src/workload/workload.js';
import { run as cli } from '../cli-run.js';

/**
 * failover-failback's workload driver (src/failover-failback/workload.ts): real data through the seed's whole
 * scenario at every failure point. The backup host restarts from the last checkpoint and the failback copies
 * the flagged tracks back; the backup's image and the master after failback must both be the checkpoint's.
 */
const TRACE_FILE = 'examples/workload/small.trace.jsonl';
const TRACE = parseTrace(readFileSync(TRACE_FILE, 'utf8'), TRACE_FILE);
const OPTIONS: EngineOptions = { seed: 20261121, failurePoints: 40, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: WORKLOAD_FAULTS };
const MASTER = / of the master after failback differs? from the image of checkpoint \d+$/;

const run = (variant: string, options: EngineOptions = OPTIONS): VariantRun => runVariant(lifecycle, variant, TRACE, options, null);

describe('failover-failback: workload', () => {
  test('failover-failback: workload: every embodiment hands back the checkpoint at every failure point of the example trace, master and backup', () => {
    for (const variant of ['e1', 'e2', 'e3']) {
      const result = run(variant);
      expect(result.stalled, variant).toBeNull();
      expect(result.failures, variant).toEqual([]);
      expect(result.commitKind).toBe('checkpoint');
      expect(result.commitsCompleted, variant).toBe(6);
      expect(result.pointsIgnored, variant).toBe(2); // the trace's split and freeze
      expect(result.failurePoints, variant).toBeGreaterThan(OPTIONS.failurePoints);
      expect(result.bytesWritten, variant).toBe(bytesWritten(TRACE));
    }
  }, 60_000);

  test('failover-failback: workload: the link faults happen in the asynchronous embodiments, and none is offered that cable 600 cannot do', () => {
    const result = run('e1');
    expect(result.faults['link-reorder']).toBeGreaterThan(0);
    expect(result.faults['link-loss']).toBeGreaterThan(0);
    expect(result.faults['link-duplicate']).toBe(0);
    expect(result.faults['power-cycle']).toBe(0);
    expect(lifecycle.workload!.faults).toEqual(['link-reorder', 'link-loss', 'link-outage']);
  });

  for (const variant of ['literal-a1-send-then-clear', 'literal-a2-swap-writes-untracked', 'literal-a7-two-consumers', 'literal-a10-second-swap-clears-dt2']) {
    test(`failover-failback: workload: the literal flow ${variant} leaves the master after failback short of the backup`, () => {
      const result = run(variant);
      expect(result.stalled).toBeNull();
      expect(result.mismatches).toBeGreaterThan(0);
      expect(result.failures[0]!.mismatch).toMatch(MASTER);
    }, 60_000);
  }

  test('failover-failback: workload: broken controllers are caught, on the master after failback or on the backup host 410 restarts from', () => {
    expect(run('resync-skips-dt1-merge').failures[0]!.mismatch).toMatch(MASTER);
    expect(run('failure-forgets-inflight').failures[0]!.mismatch).toMatch(MASTER);
    const late = run('swap-applies-late-copy').failures.find((f) => f.mismatch !== null && !MASTER.test(f.mismatch));
    expect(late?.mismatch).toMatch(/^\d+ blocks? differs? from the image of checkpoint \d+$/);
    const stuck = run('drain-stops-diff-job');
    expect(stuck.mismatches).toBeGreaterThan(0);
    expect(stuck.failures[0]!.error).toMatch(/^recovery threw: the failback stalled: nothing to do for 1000 steps \(master fenced\.target, backup copy\.draining, \d+ tracks flagged in DT2\)$/);
  }, 60_000);

  test('failover-failback: workload: a run repeats from its seed, and --only K replays failure point K alone', () => {
    const first = run('literal-a2-swap-writes-untracked');
    const again = run('literal-a2-swap-writes-untracked');
    expect(again.failures).toEqual(first.failures);
    const failure = first.failures[2]!;
    const alone = run('literal-a2-swap-writes-untracked', { ...OPTIONS, only: failure.index });
    expect(alone.failurePoints).toBe(1);
    expect(alone.failures).toEqual([failure]);
  }, 60_000);

  test('failover-failback: workload: the command runs it by name, and a geometry the driver refuses is a usage error (exit 2)', async () => {
    const ok = await cli('workload', '--lifecycle', 'failover-failback', '--variant', 'e1', '--trace', TRACE_FILE, '--failure-points', '5');
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^failover-failback +e1 +embodiment +6\/6 +\d+ +0 +- .* ok$/m);
    const folder = await mkdtemp(join(tmpdir(), 'copyspec-ff-workload-'));
    const two = join(folder, 'two.jsonl');
    await writeFile(two, '{"format":"copyspec-trace-1","volumes":2,"volumeBytes":8192,"blockSize":512}\n');
    const refused = await cli('workload', '--lifecycle', 'failover-failback', '--trace', two);
    expect(refused.code).toBe(2);
    expect(refused.out).toBe('');
    expect(refused.err).toContain("failover-failback cannot run this workload: failover-failback pairs one volume (the master's, copied to the backup); the workload has 2");
    const many = join(folder, 'many.jsonl');
    await writeFile(many, '{"format":"copyspec-trace-1","volumes":1,"volumeBytes":268435456,"blockSize":512}\n');
    const tracks = await cli('workload', '--lifecycle', 'failover-failback', '--trace', many);
    expect(tracks.code).toBe(2);
    expect(tracks.err).toContain("failover-failback's tracks are the workload's blocks; 524288 tracks is more than the 262144 it is driven with");
  });
});

/** As in test/workload/ext4.test.ts: skipped, never passed, where e2fsprogs is missing. */
const tools = findE2fsprogs();
const missing = typeof tools === 'string';
if (missing) console.warn(`workload: ext4 tests skipped: ${E2FSPROGS_MISSING}`);

describe.skipIf(missing)('failover-failback: workload on ext4 (needs e2fsprogs)', () => {
  const fsck = missing ? null : new Fsck();
  afterAll(() => fsck?.close());

  test('failover-failback: workload: on a small ext4 sequence every embodiment recovers clean file systems, and A2 does not', () => {
    const workload = ext4Workload({ seed: 11, sizeMiB: 2, blockSize: 1024, changes: 3 }, fsck!);
    const options = { ...OPTIONS, seed: 11, failurePoints: 20 };
    for (const variant of ['e1', 'e2', 'e3']) {
      const result = runVariant(lifecycle, variant, workload, options, fsck);
      expect(result.failures, variant).toEqual([]);
      expect(result.fsckDirty, variant).toBe(0);
    }
    const a2 = runVariant(lifecycle, 'literal-a2-swap-writes-untracked', workload, options, fsck);
    expect(a2.mismatches).toBeGreaterThan(0);
    expect(a2.fsckDirty).toBeGreaterThan(0);
  }, 120_000);
});
