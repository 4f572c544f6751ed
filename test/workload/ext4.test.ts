import { afterAll, describe, expect, test } from 'vitest';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { runVariant, WORKLOAD_FAULTS } from '../../src/workload/engine.js';
import { E2FSPROGS_MISSING, ext4Workload, findE2fsprogs, Fsck, generateExt4Images } from '../../src/workload/ext4.js';

/**
 * The ext4 generator and e2fsck need Debian's e2fsprogs, which .ci/run installs. Where it is missing these
 * tests are skipped with that message, never passed: nothing else can check a file system.
 */
const tools = findE2fsprogs();
const missing = typeof tools === 'string';
if (missing) console.warn(`workload: ext4 tests skipped: ${E2FSPROGS_MISSING}`);

/** A small file system, so that the suite stays fast: 2 MiB, 1024-byte blocks, 3 changes. */
const SMALL = { seed: 11, sizeMiB: 2, blockSize: 1024, changes: 3 } as const;

describe.skipIf(missing)('workload: ext4 (needs e2fsprogs)', () => {
  const fsck = missing ? null : new Fsck();
  afterAll(() => fsck?.close());

  test('workload: ext4: the generator makes the same clean images from the same seed, and others from another', () => {
    const images = generateExt4Images(SMALL, fsck!);
    expect(images).toHaveLength(4);
    for (const image of images) expect(fsck!.check(image)).toEqual({ clean: true, status: 0, message: null });
    const again = generateExt4Images(SMALL, fsck!);
    again.forEach((image, k) => expect(Buffer.from(image).equals(images[k]!), `image ${k + 1}`).toBe(true));
    const other = generateExt4Images({ ...SMALL, seed: 12 }, fsck!);
    expect(Buffer.from(other[0]!).equals(images[0]!)).toBe(false);
  }, 60_000);

  test('workload: ext4: e2fsck -fn rejects an image whose superblock is gone, quoting its message', () => {
    const image = generateExt4Images({ ...SMALL, changes: 0 }, fsck!)[0]!.slice();
    image.fill(0, 1024, 2048);
    const verdict = fsck!.check(image);
    expect(verdict.clean).toBe(false);
    expect(verdict.status).toBe(8);
    expect(verdict.message).toMatch(/superblock|magic/i);
  }, 60_000);

  test('freeze-remote-copy: workload: on a small ext4 sequence E1 recovers clean images and D3 dirty ones', () => {
    const workload = ext4Workload(SMALL, fsck!);
    const options = { seed: 11, failurePoints: 20, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: WORKLOAD_FAULTS };
    const l = lifecycleNamed('freeze-remote-copy')!;
    const e1 = runVariant(l, 'e1', workload, options, fsck);
    expect(e1.failures).toEqual([]);
    expect(e1.fsckDirty).toBe(0);
    const d3 = runVariant(l, 'literal-d3-second-log-never-folded', workload, options, fsck);
    expect(d3.mismatches).toBeGreaterThan(0);
    expect(d3.fsckDirty).toBeGreaterThan(0);
  }, 60_000);
});
