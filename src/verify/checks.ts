/**
 * One check of `copyspec verify` or `copyspec report` as plain data (a lifecycle by its id), so that it runs
 * the same in this thread or in a thread of the check pool (src/verify/pool.ts), and the code that runs it.
 */
import { assert } from '../assert.js';
import { lifecycleNamed } from '../lifecycles.js';
import type { ChosenPreset } from '../presets.js';
import type { SearchProgress } from './exhaustive.js';
import { modelBased } from './model-based.js';
import { exhaustiveParallel } from './parallel.js';
import type { CheckKind, CheckResult } from './report.js';

export interface CheckJob {
  readonly lifecycle: string;
  readonly variant: string;
  readonly check: CheckKind;
  /** Stop once all these are violated, as errata pages search (src/errata.ts); the whole space when absent. */
  readonly stopWhenViolated?: readonly string[];
  /** The exhaustive search's preset; minimal when absent. */
  readonly preset?: ChosenPreset;
  readonly compact: boolean;
  /** Threads of the exhaustive search (src/verify/parallel.ts). */
  readonly workers: number;
  readonly runs: number;
  readonly seed: number;
  readonly maxCommands: number;
  readonly path?: string;
  readonly replayPath?: string;
}

/** Runs one check; `onProgress` hears from an exhaustive search about once a second. */
export async function runCheckJob(job: CheckJob, onProgress?: (progress: SearchProgress) => void): Promise<CheckResult> {
  const lifecycle = lifecycleNamed(job.lifecycle);
  assert(lifecycle !== undefined, () => `no lifecycle ${job.lifecycle}`);
  if (job.check === 'model-based') {
    return modelBased(lifecycle, job.variant, { runs: job.runs, seed: job.seed, maxCommands: job.maxCommands, path: job.path, replayPath: job.replayPath });
  }
  return exhaustiveParallel(lifecycle, job.variant, {
    stopWhenViolated: job.stopWhenViolated,
    compact: job.compact,
    workers: job.workers,
    ...(job.preset === undefined ? {} : { preset: job.preset.name, geometry: job.preset.geometry }),
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/**
 * A guess at a check's cost, to start the costly ones first so that the last to finish is a short one: an
 * exhaustive search's pinned state count on the minimal preset (a larger preset is larger in proportion,
 * roughly), a model-based check's runs times 10 (1 000 runs took about as long as a search of 10 000 states,
 * measured over the default verify of 2026-12-04). It orders the checks only; every result is the same.
 */
export function costOf(job: CheckJob): number {
  if (job.check === 'model-based') return job.runs * 10;
  return lifecycleNamed(job.lifecycle)?.pinned[job.variant]?.states ?? 0;
}
