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
 * The ratio is the lifecycle's MiB/s over the bare copy's; the target is at least 0.25.
 *
 * Each embodiment is measured in a worker thread of its own (bench/sections/workload-worker.ts), as JMH
 * forks a JVM for each benchmark: in one thread, a lifecycle measured after the others ran took up to 1.5
 * times as long as alone (failover-failback E1: 35 ms alone, 43-55 ms after the other four), because the
 * shared code had compiled for every lifecycle's objects and the heap held their garbage; within one
 * lifecycle, extent-copy E2 measured 0.25 after E1 and E2 with copy-on-read, the same code, 0.36 after it.
 * The bare copy takes a few milliseconds, so other load on the machine moves it a great deal: it is timed
 * again in the worker just before the embodiment's runs, and each ratio is to that figure, a ratio of times
 * taken a moment apart.
 * Each figure is the median of 7 timed runs after one untimed run, which also compiles the variant's code
 * paths (a variant's first run took 1.5 to 3 times as long as the next).
 */
import { Worker } from 'node:worker_threads';
import { LIFECYCLES } from '../../src/lifecycles.js';
import { EXT4_DEFAULTS, ext4Workload, findE2fsprogs, Fsck } from '../../src/workload/ext4.js';
import { bytesWritten, type Workload } from '../../src/workload/workload.js';
import type { BenchContext, BenchSection } from '../harness.js';
import { bareCopy, mibPerSecond, type WorkloadFigure, type WorkloadJob } from './workload-worker.js';

const SEED = 20261121;
const SMOKE = { seed: SEED, sizeMiB: 2, changes: 3, blockSize: 4096 } as const;
const FULL = { seed: SEED, ...EXT4_DEFAULTS } as const;
const TARGET = 0.25;

/** One embodiment's figures, measured in a worker thread of its own. */
function inWorker(job: WorkloadJob): Promise<WorkloadFigure> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./workload-worker.js', import.meta.url), { workerData: job });
    let figure: WorkloadFigure | null = null;
    worker.once('message', (message: WorkloadFigure) => { figure = message; });
    worker.once('error', reject);
    worker.once('exit', (code) => (figure !== null ? resolve(figure) : reject(new Error(`the workload worker of ${job.lifecycle} ${job.variant} exited with code ${code} and no figure`))));
  });
}

async function measureLifecycles(context: BenchContext, workload: Workload): Promise<void> {
  const runs = context.smoke ? 1 : 7;
  const warmup = context.smoke ? 0 : 1;
  for (const lifecycle of LIFECYCLES.filter((l) => l.workload !== undefined)) {
    if (lifecycle.workload!.refuse(workload.geometry) !== null) continue;
    for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment')) {
      context.log(`workload: ${lifecycle.id} ${variant.name}`);
      const figure = await inWorker({ lifecycle: lifecycle.id, variant: variant.name, workload, seed: SEED, runs, warmup });
      context.record({
        name: `workload: ${lifecycle.id} ${variant.name}, share of the bare copy's MiB/s`,
        value: figure.bareMiBPerSecond > 0 ? figure.mibPerSecond / figure.bareMiBPerSecond : 0,
        unit: 'ratio',
        ms: figure.runMs,
        target: { kind: 'value-at-least', value: TARGET, unit: 'ratio' },
        note: `${figure.mibPerSecond.toFixed(2)} MiB/s of host writes through the lifecycle; the bare copy ${figure.bareMiBPerSecond.toFixed(0)} MiB/s`,
      });
    }
  }
}

export const workloadSection: BenchSection = {
  name: 'workload',
  description: 'MiB/s of host writes end to end through each lifecycle on the ext4 workload, as a share of a bare copy',
  async run(context) {
    const tools = findE2fsprogs();
    if (typeof tools === 'string') {
      context.log(`workload: skipped: ${tools}`);
      return;
    }
    const fsck = new Fsck();
    let workload: Workload;
    try {
      workload = ext4Workload(context.smoke ? SMOKE : FULL, fsck);
    } finally {
      fsck.close();
    }
    const bare = context.measure(() => bareCopy(workload));
    context.record({ name: 'workload: bare copy of the ext4 workload', value: mibPerSecond(bytesWritten(workload), bare.medianMs), unit: 'MiB/s', ms: bare.medianMs, note: workload.title });
    await measureLifecycles(context, workload);
  },
};
