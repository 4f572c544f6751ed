import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { areasOf } from '../../src/extent-copy/workload.js';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { runVariant, WORKLOAD_FAULTS, type EngineOptions } from '../../src/workload/engine.js';
import { ext4Workload } from '../../src/workload/ext4.js';
import { parseTrace } from '../../src/workload/trace.js';
import { describeExt4, expectEmbodimentsRecover } from '../workload/support.js';

/** The example trace of README "copyspec workload": 120 host writes on one 256 KiB volume, 6 barriers, a split. */
const TRACE = parseTrace(readFileSync('examples/workload/small.trace.jsonl', 'utf8'), 'examples/workload/small.trace.jsonl');
const OPTIONS: EngineOptions = { seed: 20261121, failurePoints: 40, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: WORKLOAD_FAULTS };
const lifecycle = lifecycleNamed('extent-copy')!;

/** The literal flows the workload reaches (docs/workload.md "extent-copy"): a split while forming, membership by address in E2 and E3. */
const EXPOSED = ['literal-a4-split-during-forming', 'literal-a15-e2-address-membership', 'literal-a15-e3-address-membership'];
/** Those it cannot: an Extent Update (A7, A15 in E1) is not driven, no track is outside the extents (A8), the extents are valid (A11). */
const UNREACHED = ['literal-a7-update-bits-never-cleared', 'literal-a15-e1-address-membership', 'literal-a8-outside-writes-lost', 'literal-a11-unvalidated-extent'];

describe('extent-copy: workload', () => {
  test('extent-copy: workload: the data set is areas of whole tracks, each one block short of its last track', () => {
    expect(areasOf(8, 4096, 512)).toEqual([
      { start: 0, end: 4095 - 512 }, { start: 4096, end: 8191 - 512 }, { start: 8192, end: 12287 - 512 }, { start: 12288, end: 16383 - 512 },
      { start: 16384, end: 20479 - 512 }, { start: 20480, end: 24575 - 512 }, { start: 24576, end: 28671 - 512 }, { start: 28672, end: 32767 - 512 },
    ]);
    expect(areasOf(2, 512, 512)).toEqual([{ start: 0, end: 511 }, { start: 512, end: 1023 }]);
    expect(areasOf(130, 2, 1).at(-1)).toEqual({ start: 252, end: 258 });
  });

  test('extent-copy: workload: every embodiment recovers the image of the last completed split at every failure point of the example trace', () => {
    expectEmbodimentsRecover(lifecycle, TRACE, OPTIONS, null, 7);
  }, 60_000);

  test('extent-copy: workload: broken controllers whose copies take the new data are caught on the example trace', () => {
    for (const variant of ['copy-before-write-after-write', 'split-write-marks-bit', 'step-clears-without-copy', 'extent-split-not-atomic']) {
      const run = runVariant(lifecycle, variant, TRACE, OPTIONS, null);
      expect(run.mismatches, variant).toBeGreaterThan(0);
      expect(run.failures[0]!.mismatch, variant).toMatch(/blocks? differs? from the image of split \d+/);
    }
  }, 60_000);
});

describeExt4('extent-copy: workload: ext4 (needs e2fsprogs)', (fsck) => {
  /**
   * 4 MiB of 4096-byte blocks, 6 changes: 64 tracks of 16 blocks, so the data set has 64 areas. The literal
   * flows' catches are races (a split taken while the pair is still forming; a write to the one block of a
   * track outside its area, before the copy has passed it): seed 9 has all three.
   */
  const workload = ext4Workload({ seed: 9, sizeMiB: 4, blockSize: 4096, changes: 6 }, fsck);
  const options: EngineOptions = { ...OPTIONS, seed: 9, failurePoints: 30 };

  test('extent-copy: workload: ext4: every embodiment recovers clean file systems, byte for byte', () => {
    expectEmbodimentsRecover(lifecycle, workload, options, fsck, 7);
  }, 120_000);

  test('extent-copy: workload: ext4: the literal flows it reaches recover wrong images, and those it cannot reach do not', () => {
    for (const variant of EXPOSED) expect(runVariant(lifecycle, variant, workload, options, fsck).mismatches, variant).toBeGreaterThan(0);
    for (const variant of UNREACHED) expect(runVariant(lifecycle, variant, workload, options, fsck).mismatches, variant).toBe(0);
  }, 120_000);
});
