import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { AnyLifecycle, WorkloadDriver, WorkloadSession } from '../../src/lifecycle.js';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { runVariant, WORKLOAD_FAULTS, type EngineOptions, type VariantRun } from '../../src/workload/engine.js';
import { batchOrder, changedBlocks, imageSequenceWorkload } from '../../src/workload/images.js';
import { SeededRandom } from '../../src/workload/random.js';
import { parseTrace } from '../../src/workload/trace.js';
import { bytesWritten } from '../../src/workload/workload.js';

/** The example trace of README "copyspec workload": 120 host writes on one 256 KiB volume, 6 barriers. */
const TRACE = parseTrace(readFileSync('examples/workload/small.trace.jsonl', 'utf8'), 'examples/workload/small.trace.jsonl');
const OPTIONS: EngineOptions = { seed: 20261121, failurePoints: 40, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: WORKLOAD_FAULTS };

const lifecycle = (id: string): AnyLifecycle => lifecycleNamed(id)!;
const embodiments = (l: AnyLifecycle): string[] => l.variants.filter((v) => v.kind === 'embodiment').map((v) => v.name);

/** The lifecycle with its driver's sessions changed by `wrap`: a planted fault in what a failure point recovers. */
function withSession(l: AnyLifecycle, wrap: (session: WorkloadSession) => WorkloadSession): AnyLifecycle {
  const driver = l.workload!;
  const planted: WorkloadDriver = { ...driver, open: (variant, geometry) => wrap(driver.open(variant, geometry)) };
  return Object.assign(Object.create(l) as AnyLifecycle, { workload: planted });
}

const summary = (run: VariantRun): unknown => ({ ...run, dataMs: 0, checkMs: 0 });

describe('workload: engine', () => {
  for (const id of ['mirror-pair', 'freeze-remote-copy']) {
    test(`${id}: workload: the example block trace recovers the committed image at every failure point of every embodiment`, () => {
      for (const variant of embodiments(lifecycle(id))) {
        const run = runVariant(lifecycle(id), variant, TRACE, OPTIONS, null);
        expect(run.stalled, `${id}/${variant}`).toBeNull();
        expect(run.failures, `${id}/${variant}`).toEqual([]);
        expect(run.commitsCompleted, `${id}/${variant}`).toBe(7);
        expect(run.failurePoints, `${id}/${variant}`).toBeGreaterThan(OPTIONS.failurePoints);
        expect(run.bytesWritten, `${id}/${variant}`).toBe(bytesWritten(TRACE));
      }
    }, 60_000);
  }

  test('freeze-remote-copy: workload: the literal flows D1, D3 and D20 hand back wrong images from the example trace', () => {
    for (const variant of ['literal-d1-post-freeze-write-leaks', 'literal-d3-second-log-never-folded', 'literal-d20-update-lost-between-read-and-clear']) {
      const run = runVariant(lifecycle('freeze-remote-copy'), variant, TRACE, OPTIONS, null);
      expect(run.mismatches, variant).toBeGreaterThan(0);
      expect(run.failures[0]!.mismatch, variant).toMatch(/blocks? differs? from the image of freeze \d+/);
    }
  }, 60_000);

  test('mirror-pair: workload: a broken controller whose writes while suspended reach the secondary is caught', () => {
    const run = runVariant(lifecycle('mirror-pair'), 'suspended-write-reaches-secondary', TRACE, OPTIONS, null);
    expect(run.mismatches).toBeGreaterThan(0);
  });

  test('workload: engine: a recovery that corrupts one byte is a mismatch at every failure point after the first commit', () => {
    const planted = withSession(lifecycle('mirror-pair'), (session) => ({
      write: (v, o, d) => session.write(v, o, d), commit: () => session.commit(), background: (r, f) => session.background(r, f),
      recover: (random) => {
        const recovery = session.recover(random);
        const volume = recovery.volumes[0]!.slice();
        volume[4096 * 3] = (volume[4096 * 3]! + 1) & 0xff;
        return { commit: recovery.commit, volumes: [volume] };
      },
    }));
    const run = runVariant(planted, 'e1', TRACE, OPTIONS, null);
    expect(run.mismatches).toBe(run.failurePoints);
    expect(run.failures[0]!.mismatch).toBe(`1 block differs from the image of split ${run.failures[0]!.recoveredCommit}`);
  });

  test('workload: engine: a further image of a recovery (`also`) is checked as the recovered one is, and named', () => {
    const planted = withSession(lifecycle('mirror-pair'), (session) => ({
      write: (v, o, d) => session.write(v, o, d), commit: () => session.commit(), background: (r, f) => session.background(r, f),
      recover: (random) => {
        const recovery = session.recover(random);
        const volume = recovery.volumes[0]!.slice();
        volume[4096 * 5] = (volume[4096 * 5]! + 1) & 0xff;
        return { ...recovery, also: [{ name: 'the planted copy', volumes: recovery.volumes }, { name: 'the corrupted copy', volumes: [volume] }] };
      },
    }));
    const run = runVariant(planted, 'e1', TRACE, OPTIONS, null);
    expect(run.mismatches).toBe(run.failurePoints);
    expect(run.failures[0]!.mismatch).toBe(`1 block of the corrupted copy differs from the image of split ${run.failures[0]!.recoveredCommit}`);
    expect(run.failures[0]!.differingBlocks).toBe(1);
  });

  test('workload: engine: a recovery that claims a commit not yet taken is a mismatch, and a throw is reported, not raised', () => {
    const claims = withSession(lifecycle('mirror-pair'), (session) => ({
      write: (v, o, d) => session.write(v, o, d), commit: () => session.commit(), background: (r, f) => session.background(r, f),
      recover: (random) => ({ ...session.recover(random), commit: 99 }),
    }));
    expect(runVariant(claims, 'e1', TRACE, OPTIONS, null).failures[0]!.mismatch).toMatch(/claims commit 99/);
    const throws = withSession(lifecycle('mirror-pair'), (session) => ({
      write: (v, o, d) => session.write(v, o, d), commit: () => session.commit(), background: (r, f) => session.background(r, f),
      recover: () => { throw new Error('tape unreadable'); },
    }));
    const run = runVariant(throws, 'e1', TRACE, OPTIONS, null);
    expect(run.mismatches).toBe(run.failurePoints);
    expect(run.failures[0]!.error).toBe('recovery threw: tape unreadable');
  });

  test('workload: engine: a run repeats exactly from its seed, and --only K replays failure point K alone', () => {
    const l = lifecycle('freeze-remote-copy');
    const first = runVariant(l, 'literal-d1-post-freeze-write-leaks', TRACE, OPTIONS, null);
    expect(summary(runVariant(l, 'literal-d1-post-freeze-write-leaks', TRACE, OPTIONS, null))).toEqual(summary(first));
    const failure = first.failures[3]!;
    const alone = runVariant(l, 'literal-d1-post-freeze-write-leaks', TRACE, { ...OPTIONS, only: failure.index }, null);
    expect(alone.failurePoints).toBe(1);
    expect(alone.failures).toEqual([failure]);
    const other = runVariant(l, 'literal-d1-post-freeze-write-leaks', TRACE, { ...OPTIONS, seed: 7 }, null);
    expect(summary(other)).not.toEqual(summary(first));
  }, 60_000);

  test('workload: engine: a consistency point of the other kind is ignored (a freeze in a split lifecycle)', () => {
    const run = runVariant(lifecycle('mirror-pair'), 'e1', TRACE, OPTIONS, null);
    expect(run.pointsIgnored).toBe(1);
    expect(runVariant(lifecycle('freeze-remote-copy'), 'e1', TRACE, OPTIONS, null).pointsIgnored).toBe(1);
  }, 60_000);
});

describe('workload: images', () => {
  test('workload: images: changedBlocks names exactly the blocks that differ', () => {
    const before = new Uint8Array(4096);
    const after = before.slice();
    after[0] = 1;
    after[3 * 512 + 511] = 2;
    expect(changedBlocks(before, after, 512)).toEqual([0, 3]);
  });

  test('workload: images: a batch writes every changed block last with its new bytes, some first with their old', () => {
    const changed = Array.from({ length: 200 }, (_, i) => i * 2);
    const order = batchOrder(changed, 0.25, new SeededRandom(5));
    const finals = order.filter((w) => w.final).map((w) => w.block);
    expect([...finals].sort((a, b) => a - b)).toEqual(changed);
    const twice = order.filter((w) => !w.final);
    expect(twice.length).toBeGreaterThan(20);
    for (const { block } of twice) expect(order.findIndex((w) => w.block === block && !w.final)).toBeLessThan(order.findIndex((w) => w.block === block && w.final));
  });

  test('workload: images: an image sequence replays to its last image, commit k keeping image k', () => {
    const images = [1, 2, 3].map((k) => { const image = new Uint8Array(64 * 1024); image.fill(k, 0, k * 4096); return image; });
    const workload = imageSequenceWorkload(images, { title: 'three', blockSize: 4096, seed: 1, fileSystem: null, replayOptions: [] });
    expect(workload.records.filter((r) => r.type === 'barrier')).toHaveLength(3);
    const run = runVariant(lifecycle('mirror-pair'), 'e2', workload, OPTIONS, null);
    expect(run.failures).toEqual([]);
    expect(run.commitsCompleted).toBe(3);
  });
});
