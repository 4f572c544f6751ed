import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { BufferPool } from '../../src/scheduled-backup/adapter.js';
import { backupGeometryOf } from '../../src/scheduled-backup/workload.js';
import { runVariant, WORKLOAD_FAULTS, type EngineOptions } from '../../src/workload/engine.js';
import { ext4Workload } from '../../src/workload/ext4.js';
import { parseTrace } from '../../src/workload/trace.js';
import { describeExt4, expectEmbodimentsRecover } from '../workload/support.js';

/** The example trace of README "copyspec workload": 120 host writes on one 256 KiB volume, 6 barriers. */
const TRACE = parseTrace(readFileSync('examples/workload/small.trace.jsonl', 'utf8'), 'examples/workload/small.trace.jsonl');
const OPTIONS: EngineOptions = { seed: 20261121, failurePoints: 40, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: WORKLOAD_FAULTS };
const lifecycle = lifecycleNamed('scheduled-backup')!;

/** The literal flows the workload reaches (docs/workload.md "scheduled-backup"): a skipped start time, a unit at end of tape. */
const EXPOSED = ['literal-a1-equality-trigger', 'literal-a11-eot-unit-resent', 'literal-a11-eot-unit-lost'];
/** Those it cannot: no volume is of zero length (A15), and the schedule is set once, with no configuration request (A6, A7). */
const UNREACHED = ['literal-a15-zero-length-tape', 'literal-a6-a7-config-mid-save'];

describe('scheduled-backup: workload', () => {
  test('scheduled-backup: workload: the schedule alternates two devices a volume, a backup every 4 ticks, on a subsystem of one-track chunks', () => {
    const geometry = backupGeometryOf({ volumeCount: 2, volumeBytes: 8 * 65536, blockSize: 4096 }, 'tape');
    expect(geometry.chunkSize).toBe(65536);
    expect(geometry.volumeChunks).toEqual([8, 8]);
    expect(geometry.devices).toHaveLength(4);
    expect(geometry.tape).toEqual({ library: ['TP001', 'TP002', 'TP003', 'TP004'], capacity: 4 });
    expect(geometry.initialTable.entries.slice(0, 4)).toEqual([
      { volume: 0, adapter: 1, device: 1, label: 'TP001', start: 4 }, { volume: 1, adapter: 1, device: 3, label: 'TP001', start: 4 },
      { volume: 0, adapter: 1, device: 0, label: 'TP001', start: 8 }, { volume: 1, adapter: 1, device: 2, label: 'TP001', start: 8 },
    ]);
  });

  test('scheduled-backup: workload: the in-place buffer pool hands back a buffer given to it, by length, once', () => {
    const pool = new BufferPool();
    const [chunk, other, image] = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(8)];
    expect(pool.take(4)).toBeUndefined();
    pool.give(chunk);
    pool.give(image);
    pool.give(other);
    expect(pool.take(4)).toBe(other);
    expect(pool.take(4)).toBe(chunk);
    expect(pool.take(4)).toBeUndefined();
    expect(pool.take(16)).toBeUndefined();
    expect(pool.take(8)).toBe(image);
  });

  test('scheduled-backup: workload: every embodiment restores the image of the last completed backup at every failure point of the example trace', () => {
    expectEmbodimentsRecover(lifecycle, TRACE, OPTIONS, null, 6);
  }, 60_000);

  test('scheduled-backup: workload: broken controllers whose backups or restores lose data are caught on the example trace', () => {
    for (const variant of ['image-after-first-write', 'restore-stops-at-first-tape', 'unload-before-last-unit-stored']) {
      const run = runVariant(lifecycle, variant, TRACE, OPTIONS, null);
      expect(run.mismatches, variant).toBeGreaterThan(0);
      expect(run.failures[0]!.mismatch, variant).toMatch(/blocks? differs? from the image of backup \d+/);
    }
  }, 60_000);

  test('scheduled-backup: workload: the literal flows it reaches restore wrong images from the example trace, and those it cannot reach do not', () => {
    for (const variant of EXPOSED) expect(runVariant(lifecycle, variant, TRACE, OPTIONS, null).mismatches, variant).toBeGreaterThan(0);
    for (const variant of UNREACHED) expect(runVariant(lifecycle, variant, TRACE, OPTIONS, null).failures, variant).toEqual([]);
  }, 60_000);
});

describeExt4('scheduled-backup: workload: ext4 (needs e2fsprogs)', (fsck) => {
  /** 4 MiB of 4096-byte blocks, 6 changes: 64 chunks of 16 blocks, tapes of 32 units. */
  const workload = ext4Workload({ seed: 9, sizeMiB: 4, blockSize: 4096, changes: 6 }, fsck);
  const options: EngineOptions = { ...OPTIONS, seed: 9, failurePoints: 30 };

  test('scheduled-backup: workload: ext4: every embodiment restores clean file systems, byte for byte', () => {
    expectEmbodimentsRecover(lifecycle, workload, options, fsck, 7);
  }, 120_000);

  test('scheduled-backup: workload: ext4: a unit sent to two tapes restores a file system e2fsck rejects', () => {
    const run = runVariant(lifecycle, 'literal-a11-eot-unit-resent', workload, options, fsck);
    expect(run.mismatches).toBeGreaterThan(0);
    expect(run.fsckDirty).toBeGreaterThan(0);
  }, 120_000);
});
