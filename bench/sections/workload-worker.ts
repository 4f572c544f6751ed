/**
 * The worker of bench section "workload" (bench/sections/workload.ts): measures one embodiment of a lifecycle
 * on the workload it is sent, against a bare copy of the same bytes timed just before it, in a thread of its
 * own, and posts the figure back. A worker thread has its own V8 heap and compiled code, so an embodiment is
 * measured as it runs alone, not after others have filled the heap and made the shared code (the engine,
 * volumes, bitmaps) see every lifecycle's objects.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { assert } from '../../src/assert.js';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { runVariant } from '../../src/workload/engine.js';
import { Fsck } from '../../src/workload/ext4.js';
import { seededBytes } from '../../src/workload/random.js';
import { bytesWritten, type Workload } from '../../src/workload/workload.js';
import { measureRuns, median } from '../harness.js';

/** What the section sends a worker. */
export interface WorkloadJob {
  readonly lifecycle: string;
  /** An embodiment of the lifecycle. */
  readonly variant: string;
  readonly workload: Workload;
  readonly seed: number;
  /** Timed runs of the variant, after `warmup` untimed ones; the bare copy takes three times as many, after 2. */
  readonly runs: number;
  readonly warmup: number;
}

/** One embodiment's figures, as the worker posts them. */
export interface WorkloadFigure {
  /** Host writes' MiB/s through the lifecycle: the median run's data-path time. */
  readonly mibPerSecond: number;
  readonly bareMiBPerSecond: number;
  /** Median wall time of a whole run (checks included), for the table's ms column. */
  readonly runMs: number;
}

/** The bare copy: every write into a primary and a secondary, the secondary's image kept at each consistency point. */
export function bareCopy(workload: Workload): number {
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

export const mibPerSecond = (bytes: number, ms: number): number => (ms > 0 ? bytes / (1024 * 1024) / (ms / 1000) : 0);

export function measureVariant(job: WorkloadJob): WorkloadFigure {
  const lifecycle = lifecycleNamed(job.lifecycle);
  assert(lifecycle !== undefined, () => `no lifecycle ${job.lifecycle}`);
  const bytes = bytesWritten(job.workload);
  const fsck = new Fsck();
  try {
    // Three times the runs: a bare copy takes about 12 ms, most of it memory the kernel maps on first touch, and
    // its median over 7 runs in a fresh worker moved from 310 to 460 MiB/s between two workers.
    const bareMiBPerSecond = mibPerSecond(bytes, measureRuns(() => bareCopy(job.workload), 3 * job.runs, 2).medianMs);
    const dataMs: number[] = [];
    const runMs = measureRuns(() => {
      const run = runVariant(lifecycle, job.variant, job.workload, { seed: job.seed, failurePoints: 0, stepsPerWrite: 4, idleStepsPerSecond: 1000, faults: [] }, fsck);
      dataMs.push(run.dataMs);
      return run.commitsCompleted;
    }, job.runs, job.warmup).medianMs;
    return { mibPerSecond: mibPerSecond(bytes, median(dataMs.slice(job.warmup))), bareMiBPerSecond, runMs };
  } finally {
    fsck.close();
  }
}

if (parentPort !== null && workerData !== undefined) parentPort.postMessage(measureVariant(workerData as WorkloadJob));
