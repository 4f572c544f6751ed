/**
 * What the workload tests of every driven lifecycle share: a suite that needs e2fsprogs (skipped, with the
 * install command, where it is missing: nothing else can check a file system), and the check that every
 * embodiment recovers the committed image, clean, at every failure point.
 */
import { afterAll, describe, expect } from 'vitest';
import type { AnyLifecycle } from '../../src/lifecycle.js';
import { runVariant, type EngineOptions } from '../../src/workload/engine.js';
import { E2FSPROGS_MISSING, findE2fsprogs, Fsck } from '../../src/workload/ext4.js';
import type { Workload } from '../../src/workload/workload.js';

const missing = typeof findE2fsprogs() === 'string';

/** A describe block of ext4 tests; `fsck` is the suite's e2fsck, closed after it. */
export function describeExt4(name: string, body: (fsck: Fsck) => void): void {
  if (missing) console.warn(`workload: ext4 tests skipped: ${E2FSPROGS_MISSING}`);
  describe.skipIf(missing)(name, () => {
    if (missing) return;
    const fsck = new Fsck();
    afterAll(() => fsck.close());
    body(fsck);
  });
}

/** Every embodiment of the lifecycle completes `commits` commits and recovers every one right (and clean, with `fsck`). */
export function expectEmbodimentsRecover(lifecycle: AnyLifecycle, workload: Workload, options: EngineOptions, fsck: Fsck | null, commits: number): void {
  for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment').map((v) => v.name)) {
    const run = runVariant(lifecycle, variant, workload, options, fsck);
    expect(run.stalled, variant).toBeNull();
    expect(run.failures, variant).toEqual([]);
    expect(run.fsckDirty, variant).toBe(fsck === null || workload.fileSystem === null ? null : 0);
    expect(run.commitsCompleted, variant).toBe(commits);
    expect(run.failurePoints, variant).toBeGreaterThan(options.failurePoints);
  }
}
