/**
 * Bench section "workload" (issue 16 item 4): MiB/s of host writes end to end through every lifecycle with
 * a workload driver, each embodiment, on the built-in ext4 workload (docs/workload.md), against a bare copy
 * of the same bytes in the same run. Measured, never asserted.
 *
 * The lifecycle's figure is the bytes the host wrote over the time spent in the driver's session (writes,
 * commit points and background steps until the last commit completes; not the checks at failure points, and
 * with no faults and no random failure points, so that only the data path is timed). The bare copy replays
 * the same writes as a mirror with no control at all: each write's bytes set into a primary and a secondary
 * volume, and the secondary copied whole at every consistency point, as the least a copy function must do.
 * The ratio is the lifecycle's MiB/s over the bare copy's; the target is at least 0.25. The bare
 * copy takes a few milliseconds, so other load on the machine moves it a great deal: it is timed again just
 * before each lifecycle's runs, and each ratio is to that figure, a ratio of times taken a moment apart.
 */
import { LIFECYCLES } from '../../src/lifecycles.js';
import { runVariant } from '../../src/workload/engine.js';
import { EXT4_DEFAULTS, ext4Workload, findE2fsprogs, Fsck } from '../../src/workload/ext4.js';
import { seededBytes } from '../../src/workload/random.js';
import { bytesWritten, type Workload } from '../../src/workload/workload.js';
import type { BenchContext, BenchSection } from '../harness.js';

const SEED = 20261121;
const SMOKE = { seed: SEED, sizeMiB: 2, changes: 3, blockSize: 4096 } as const;
const FULL = { seed: SEED, ...EXT4_DEFAULTS } as const;
const TARGET = 0.25;

/** The bare copy: every write into a primary and a secondary, the secondary's image kept at each consistency point. */
function bareCopy(workload: Workload): number {
  const { volumeCount, volumeBytes } = workload.geometry;
  const primary = Array.from({ length: volumeCount }, () => new Uint8Array(volumeBytes));
  const secondary = Array.from({ length: volumeCount }, () => new Uint8Array(volumeBytes));
  const image = Array.from({ length: volumeCount }, () => new Uint8Array(volumeBytes));
  for (const record of workload.records) {
    if (record.type === 'write') {
      const data = record.data instanceof Uint8Array ? record.data : seededBytes(record.data.seed, record.data.length);
      primary[record.volume]!.set(data, record.offset);
      secondary[record.volume]!.set(data, record.offset);
    } else {
      secondary.forEach((volume, i) => image[i]!.set(volume));
    }
  }
  return image[0]![0]!;
}

const mibPerSecond = (bytes: number, ms: number): number => (ms > 0 ? bytes / (1024 * 1024) / (ms / 1000) : 0);

/** The bare copy's MiB/s, the median of the context's runs. */
function bareCopyMiBs(context: BenchContext, workload: Workload): { readonly value: number; readonly ms: number } {
  const bare = context.measure(() => bareCopy(workload));
  return { value: mibPerSecond(bytesWritten(workload), bare.medianMs), ms: bare.medianMs };
}

function measureLifecycles(context: BenchContext, workload: Workload, fsck: Fsck): void {
  for (const lifecycle of LIFECYCLES.filter((l) => l.workload !== undefined)) {
    if (lifecycle.workload!.refuse(workload.geometry) !== null) continue;
    for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment')) {
      context.log(`workload: ${lifecycle.id} ${variant.name}`);
      const bareMiBs = bareCopyMiBs(context, workload).value;
      // The median of a few runs' data-path times (one run of a few seconds moves with other load), after one
      // untimed run, as every figure of the bench: a variant's first run also compiles its code paths, which
      // took its data path 1.5 to 2.7 times as long as the next runs (extent-copy E2: 489, 228, 180 ms), where
      // the bare copy is a loop warm after its first milliseconds.
      const runs = context.smoke ? 1 : 3;
      const warmup = context.smoke ? 0 : 1;
      const dataMs: number[] = [];
      const measured = context.measure(() => {
        const run = runVariant(lifecycle, variant.name, workload, { seed: SEED, failurePoints: 0, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: [] }, fsck);
        dataMs.push(run.dataMs);
        return run.commitsCompleted;
      }, { runs, warmup });
      const timed = dataMs.slice(warmup).sort((a, b) => a - b);
      const value = mibPerSecond(bytesWritten(workload), timed[timed.length >> 1]!);
      context.record({
        name: `workload: ${lifecycle.id} ${variant.name}, share of the bare copy's MiB/s`,
        value: bareMiBs > 0 ? value / bareMiBs : 0,
        unit: 'ratio',
        ms: measured.medianMs,
        target: { kind: 'value-at-least', value: TARGET, unit: 'ratio' },
        note: `${value.toFixed(2)} MiB/s of host writes through the lifecycle; the bare copy ${bareMiBs.toFixed(0)} MiB/s`,
      });
    }
  }
}

export const workloadSection: BenchSection = {
  name: 'workload',
  description: 'MiB/s of host writes end to end through each lifecycle on the ext4 workload, as a share of a bare copy',
  run(context) {
    const tools = findE2fsprogs();
    if (typeof tools === 'string') {
      context.log(`workload: skipped: ${tools}`);
      return;
    }
    const fsck = new Fsck();
    try {
      const options = context.smoke ? SMOKE : FULL;
      const workload = ext4Workload(options, fsck);
      const bare = bareCopyMiBs(context, workload);
      context.record({ name: 'workload: bare copy of the ext4 workload', value: bare.value, unit: 'MiB/s', ms: bare.ms, note: workload.title });
      measureLifecycles(context, workload, fsck);
    } finally {
      fsck.close();
    }
  },
};
