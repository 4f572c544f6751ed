/**
 * The workload section of the errata pages (src/errata.ts `ErrataWorkload`): the built-in ext4 workload,
 * with the defaults of `copyspec workload --ext4`, replayed through one literal-defect variant, summed up as
 * the page quotes it. Everything in it is reproducible from the seed (src/workload/ext4.ts), so `copyspec
 * errata --check` can compare it; nothing in it depends on timing.
 */
import type { ErrataWorkload } from '../errata.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { failureText, replayCommand } from './command.js';
import { runVariant, WORKLOAD_DEFAULTS, WORKLOAD_FAULTS } from './engine.js';
import { EXT4_DEFAULTS, ext4Workload, type Fsck } from './ext4.js';
import type { Workload } from './workload.js';

/** The run every errata page quotes: `copyspec workload --ext4` with every default. */
export const ERRATA_WORKLOAD = {
  ext4: { seed: WORKLOAD_DEFAULTS.seed, ...EXT4_DEFAULTS },
  engine: { seed: WORKLOAD_DEFAULTS.seed, failurePoints: WORKLOAD_DEFAULTS.failurePoints, stepsPerWrite: WORKLOAD_DEFAULTS.stepsPerWrite, idleStepsPerSecond: WORKLOAD_DEFAULTS.idleStepsPerSecond, faults: WORKLOAD_FAULTS },
  cli: { seed: WORKLOAD_DEFAULTS.seed, failurePoints: WORKLOAD_DEFAULTS.failurePoints, stepsPerWrite: WORKLOAD_DEFAULTS.stepsPerWrite, faults: 'all' },
} as const;

/** The ext4 workload the errata pages quote; made once and replayed through every variant. */
export function errataExt4Workload(fsck: Fsck): Workload {
  return ext4Workload(ERRATA_WORKLOAD.ext4, fsck);
}

/** One page's workload section: the run on the variant, or `driven: false` for a lifecycle without a driver. */
export function errataWorkload(lifecycle: AnyLifecycle, variant: string, workload: Workload, fsck: Fsck, e2fsprogs: string): ErrataWorkload {
  const driver = lifecycle.workload;
  if (driver === undefined) return { driven: false };
  const run = runVariant(lifecycle, variant, workload, ERRATA_WORKLOAD.engine, fsck);
  const [first] = run.failures;
  const dirty = run.failures.find((f) => f.fsck !== null && !f.fsck.clean);
  return {
    driven: true,
    command: `copyspec workload --lifecycle ${lifecycle.id} --variant ${variant} --ext4`,
    title: workload.title,
    e2fsprogs,
    faults: ERRATA_WORKLOAD.engine.faults.filter((fault) => driver.faults.includes(fault)),
    failurePoints: run.failurePoints,
    mismatches: run.mismatches,
    fsckDirty: run.fsckDirty ?? 0,
    stalled: run.stalled,
    first: first === undefined ? null : { text: failureText(first), replay: replayCommand(run, first.index, workload, ERRATA_WORKLOAD.cli) },
    fsckMessage: dirty?.fsck?.message ?? null,
  };
}
