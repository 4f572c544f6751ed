/**
 * The `copyspec workload` subcommand (README "copyspec workload", docs/workload.md): real data through every
 * lifecycle that has a workload driver (src/lifecycle.ts `WorkloadDriver`), over LIFECYCLES and never one
 * lifecycle by name. It reads or makes the workload (a block trace, a sequence of disk images, or the
 * built-in ext4 generator), replays it through each variant with the engine (src/workload/engine.ts), and
 * prints the summary table, every failure with its seed and the exact command that replays it, or `--json`.
 *
 * Exit codes: 0 when every embodiment (and every variant named by `--variant`) recovered the right image,
 * clean, at every failure point; 1 otherwise; 2 for bad usage or malformed input: an unknown lifecycle or
 * variant, a malformed trace or image list, a geometry no driver runs, e2fsprogs missing for `--ext4`. The
 * literal-defect variants of a default run are expected to fail; they are reported, not counted against it.
 */
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AnyLifecycle, WorkloadFault } from '../lifecycle.js';
import { LIFECYCLES } from '../lifecycles.js';
import { runVariant, WORKLOAD_DEFAULTS, WORKLOAD_FAULTS, type EngineOptions, type FailureReport, type VariantRun } from './engine.js';
import { EXT4_DEFAULTS, EXT4_LIMITS, ext4Workload, findE2fsprogs, Fsck, Ext4Error } from './ext4.js';
import { imageSequenceWorkload, ImagesError, readImages } from './images.js';
import { readTrace, TraceError } from './trace.js';
import { bytesWritten, type Workload } from './workload.js';

export interface WorkloadIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export interface WorkloadCliOptions {
  readonly lifecycle?: string[];
  readonly variant?: string;
  readonly trace?: string;
  readonly images?: string[];
  readonly blockSize: number;
  readonly fsck?: boolean;
  readonly ext4?: boolean;
  readonly ext4Size: number;
  readonly ext4Changes: number;
  readonly ext4BlockSize: string;
  readonly seed: number;
  readonly failurePoints: number;
  readonly stepsPerWrite: number;
  readonly faults: string;
  readonly only?: number;
  readonly saveImage?: string;
  readonly json?: boolean;
}

/** Failures printed per variant in the text output; `--json` lists every one. */
const PRINTED_FAILURES = 5;

export class WorkloadUsageError extends Error {}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('expected a whole number');
  return value;
}

/** `--faults all`, `none`, or a comma-separated list of WORKLOAD_FAULTS. */
export function faultsOf(text: string): WorkloadFault[] {
  if (text === 'all') return [...WORKLOAD_FAULTS];
  if (text === 'none') return [];
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(WORKLOAD_FAULTS as readonly string[]).includes(name)) throw new WorkloadUsageError(`--faults: unknown fault '${name}'; known: all, none, ${WORKLOAD_FAULTS.join(', ')}`);
  }
  return names as WorkloadFault[];
}

/**
 * The lifecycle and variant pairs to run: every driven lifecycle's embodiments and literal-defect variants by
 * default. `registry` is every lifecycle copyspec has; a test passes one with a lifecycle that has no driver.
 */
export function targetsOf(options: Pick<WorkloadCliOptions, 'lifecycle' | 'variant' | 'only'>, registry: readonly AnyLifecycle[] = LIFECYCLES): { lifecycle: AnyLifecycle; variant: string }[] {
  const driven = registry.filter((l) => l.workload !== undefined);
  const lifecycles = options.lifecycle === undefined || options.lifecycle.length === 0 ? driven : options.lifecycle.map((id) => {
    const lifecycle = registry.find((l) => l.id === id);
    if (lifecycle === undefined) throw new WorkloadUsageError(`unknown lifecycle '${id}'; known: ${registry.map((l) => l.id).join(', ')}`);
    if (lifecycle.workload === undefined) throw new WorkloadUsageError(`lifecycle '${id}' has no workload driver; these do: ${driven.map((l) => l.id).join(', ')}`);
    return lifecycle;
  });
  const targets = lifecycles.flatMap((lifecycle) => lifecycle.variants
    .filter((v) => (options.variant === undefined ? v.kind !== 'broken' : v.name === options.variant))
    .map((v) => ({ lifecycle, variant: v.name })));
  if (options.variant !== undefined && targets.length === 0) {
    throw new WorkloadUsageError(`no variant '${options.variant}' in ${lifecycles.map((l) => l.id).join(', ')}; see copyspec verify --list`);
  }
  if (options.only !== undefined && targets.length !== 1) throw new WorkloadUsageError('--only replays one failure point of one variant: name --lifecycle and --variant');
  return targets;
}

/** The workload the options name (exactly one of --trace, --images, --ext4), and the e2fsck it needs. */
async function workloadOf(options: WorkloadCliOptions, io: WorkloadIo): Promise<{ workload: Workload; fsck: Fsck | null; e2fsprogs: string | null }> {
  const sources = [options.trace !== undefined, options.images !== undefined, options.ext4 === true].filter(Boolean).length;
  if (sources !== 1) throw new WorkloadUsageError('name exactly one workload: --trace <file>, --images <files...> or --ext4');
  if (options.trace !== undefined) return { workload: await readTrace(options.trace), fsck: null, e2fsprogs: null };
  const wantsFsck = options.ext4 === true || options.fsck === true;
  const tools = wantsFsck ? findE2fsprogs() : null;
  if (typeof tools === 'string') throw new WorkloadUsageError(`${options.ext4 === true ? '--ext4' : '--fsck'} needs ${tools}`);
  const fsck = wantsFsck ? new Fsck() : null;
  if (options.images !== undefined) {
    const workload = imageSequenceWorkload(await readImages(options.images), {
      title: `${options.images.length} images, ${options.blockSize}-byte blocks`, blockSize: options.blockSize, seed: options.seed,
      fileSystem: options.fsck === true ? 'ext4' : null,
      replayOptions: ['--images', ...options.images, '--block-size', String(options.blockSize), ...(options.fsck === true ? ['--fsck'] : [])],
    });
    return { workload, fsck, e2fsprogs: tools?.version ?? null };
  }
  const ext4 = ext4OptionsOf(options);
  io.err(`workload: making ${ext4.changes + 1} ext4 images of ${ext4.sizeMiB} MiB with e2fsprogs ${tools!.version} ...\n`);
  return { workload: ext4Workload(ext4, fsck!), fsck, e2fsprogs: tools!.version };
}

function ext4OptionsOf(options: WorkloadCliOptions): { seed: number; sizeMiB: number; changes: number; blockSize: 1024 | 4096 } {
  if (options.ext4Size < EXT4_LIMITS.minSizeMiB || options.ext4Size > EXT4_LIMITS.maxSizeMiB) {
    throw new WorkloadUsageError(`--ext4-size must be ${EXT4_LIMITS.minSizeMiB} to ${EXT4_LIMITS.maxSizeMiB} MiB, got ${options.ext4Size}`);
  }
  if (options.ext4Changes > EXT4_LIMITS.maxChanges) throw new WorkloadUsageError(`--ext4-changes must be at most ${EXT4_LIMITS.maxChanges}, got ${options.ext4Changes}`);
  if (options.ext4BlockSize !== '1024' && options.ext4BlockSize !== '4096') throw new WorkloadUsageError(`--ext4-block-size must be 1024 or 4096, got ${options.ext4BlockSize}`);
  return { seed: options.seed, sizeMiB: options.ext4Size, changes: options.ext4Changes, blockSize: Number(options.ext4BlockSize) as 1024 | 4096 };
}

/** The command that replays failure point `index` of a variant alone, with every option that shaped the run. */
export function replayCommand(run: Pick<VariantRun, 'lifecycle' | 'variant'>, index: number, workload: Workload, options: Pick<WorkloadCliOptions, 'seed' | 'failurePoints' | 'stepsPerWrite' | 'faults'>): string {
  const parts = ['copyspec workload', '--lifecycle', run.lifecycle, '--variant', run.variant, ...workload.replayOptions, '--seed', String(options.seed)];
  if (options.failurePoints !== WORKLOAD_DEFAULTS.failurePoints) parts.push('--failure-points', String(options.failurePoints));
  if (options.stepsPerWrite !== WORKLOAD_DEFAULTS.stepsPerWrite) parts.push('--steps-per-write', String(options.stepsPerWrite));
  if (options.faults !== 'all') parts.push('--faults', options.faults);
  parts.push('--only', String(index));
  return parts.join(' ');
}

const mib = (bytes: number): number => bytes / (1024 * 1024);
const rate = (run: VariantRun): number => (run.dataMs > 0 ? mib(run.bytesWritten) / (run.dataMs / 1000) : 0);

/** A variant's verdict: clean, the defects it shows, or stalled. */
function verdict(run: VariantRun): string {
  if (run.stalled !== null) return 'STALLED';
  if (run.mismatches === 0 && (run.fsckDirty ?? 0) === 0) return 'ok';
  return run.kind === 'embodiment' ? 'FAILED' : 'caught';
}

function table(runs: readonly VariantRun[]): string {
  const header = ['lifecycle', 'variant', 'kind', 'commits', 'failure points', 'mismatches', 'fsck dirty', 'MiB written', 'MiB/s', 'faults', 'result'];
  const rows = runs.map((r) => [
    r.lifecycle, r.variant, r.kind, `${r.commitsCompleted}/${r.commitsTaken}`, String(r.failurePoints), String(r.mismatches),
    r.fsckDirty === null ? '-' : String(r.fsckDirty), mib(r.bytesWritten).toFixed(1), rate(r).toFixed(1),
    String(Object.values(r.faults).reduce((sum, n) => sum + n, 0)), verdict(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** One failure, as the text output and errata pages quote it. */
export function failureText(failure: FailureReport): string {
  const what = [failure.error, failure.mismatch, failure.fsck !== null && !failure.fsck.clean ? `e2fsck -fn: ${failure.fsck.message ?? `exit ${failure.fsck.status}`}` : null]
    .filter((part): part is string => part !== null);
  return `failure point ${failure.index} (${failure.at}): ${what.join('; ')}`;
}

function printText(runs: readonly VariantRun[], workload: Workload, options: WorkloadCliOptions, ok: boolean, io: WorkloadIo): void {
  io.out(`${workload.title}\n\n${table(runs)}\n`);
  for (const run of runs) {
    if (run.stalled !== null) io.out(`\n${run.lifecycle} / ${run.variant}: STALLED: ${run.stalled}\n`);
    if (run.failures.length === 0) continue;
    io.out(`\n${run.kind === 'embodiment' ? 'FAILED' : run.kind} ${run.lifecycle} / ${run.variant}: ${run.failures.length} of ${run.failurePoints} failure points wrong\n`);
    for (const failure of run.failures.slice(0, PRINTED_FAILURES)) {
      io.out(`  ${failureText(failure)}\n    seed ${options.seed}; replay: ${replayCommand(run, failure.index, workload, options)}\n`);
    }
    if (run.failures.length > PRINTED_FAILURES) io.out(`  and ${run.failures.length - PRINTED_FAILURES} more (--json lists every one)\n`);
  }
  const points = runs.reduce((sum, r) => sum + r.failurePoints, 0);
  io.out(`\n${ok ? 'Every embodiment recovered the committed image at every failure point' : 'A RECOVERED IMAGE WAS WRONG'}: ${runs.length} variants, ${points} failure points, seed ${options.seed}.\n`);
}

/** A progress bar on stderr, redrawn at every tenth of a variant's records. */
function progress(tag: string, io: WorkloadIo): EngineOptions['onProgress'] {
  let shown = -1;
  return (done, total, points, wrong) => {
    const tenth = total === 0 ? 10 : Math.floor((10 * done) / total);
    if (tenth === shown) return;
    shown = tenth;
    io.err(`${tag} [${'#'.repeat(tenth)}${'.'.repeat(10 - tenth)}] ${done}/${total} records, ${points} failure points, ${wrong} wrong\n`);
  };
}

/** Whether the run holds: no embodiment (and no variant named) stalled or recovered a wrong or dirty image. */
function holds(runs: readonly VariantRun[], named: boolean): boolean {
  return runs.every((r) => (r.kind !== 'embodiment' && !named) || (r.stalled === null && r.failures.length === 0));
}

async function runWorkload(options: WorkloadCliOptions, io: WorkloadIo): Promise<number> {
  const faults = faultsOf(options.faults);
  const targets = targetsOf(options);
  if (options.saveImage !== undefined && options.only === undefined) throw new WorkloadUsageError('--save-image writes the recovered image of one failure point: give --only');
  const { workload, fsck, e2fsprogs } = await workloadOf(options, io);
  try {
    for (const { lifecycle } of targets) {
      const refused = lifecycle.workload!.refuse(workload.geometry);
      if (refused !== null) throw new WorkloadUsageError(`${lifecycle.id} cannot run this workload: ${refused}`);
    }
    let saved: Uint8Array[] | null = null;
    const runs = targets.map(({ lifecycle, variant }, i) => runVariant(lifecycle, variant, workload, {
      seed: options.seed, failurePoints: options.failurePoints, stepsPerWrite: options.stepsPerWrite,
      idleStepsPerSecond: WORKLOAD_DEFAULTS.idleStepsPerSecond, faults, only: options.only,
      onProgress: progress(`[${i + 1}/${targets.length}] ${lifecycle.id} ${variant}`, io),
      onRecovered: (recovery) => { saved = [...recovery.volumes]; },
    }, fsck));
    // A replay of a failure point the run never reaches would pass with nothing checked.
    if (options.only !== undefined && runs[0]!.failurePoints === 0) {
      throw new WorkloadUsageError(`--only ${options.only}: this run of seed ${options.seed} has fewer failure points (see the full run)`);
    }
    if (options.saveImage !== undefined) await saveImage(options.saveImage, saved, io);
    const ok = holds(runs, options.variant !== undefined);
    if (options.json === true) {
      const withReplay = runs.map((run) => ({ ...run, rate: rate(run), failures: run.failures.map((f) => ({ ...f, replay: replayCommand(run, f.index, workload, options) })) }));
      io.out(`${JSON.stringify({ ok, seed: options.seed, workload: { title: workload.title, geometry: workload.geometry, fileSystem: workload.fileSystem, bytes: bytesWritten(workload) }, e2fsprogs, faults, runs: withReplay }, null, 2)}\n`);
    } else {
      printText(runs, workload, options, ok, io);
    }
    return ok ? 0 : 1;
  } finally {
    fsck?.close();
  }
}

/** `--save-image`: the recovered volumes of the failure point replayed, one after another in one file. */
async function saveImage(file: string, volumes: Uint8Array[] | null, io: WorkloadIo): Promise<void> {
  if (volumes === null) throw new WorkloadUsageError('--only names no failure point of this run: nothing was recovered');
  await writeFile(file, Buffer.concat(volumes)).catch((error: Error) => { throw new WorkloadUsageError(`--save-image: ${error.message}`); });
  io.err(`workload: wrote the recovered image to ${file}\n`);
}

/** Adds `workload` to the command line; `track` receives the promise of its exit status. */
export function addWorkloadCommand(root: Command, io: WorkloadIo, track: (work: Promise<number>) => void): void {
  root.command('workload')
    .description('Replay real data (a block trace, disk images, or generated ext4 file systems) through the lifecycles with faults, and check every recovered image.')
    .option('--lifecycle <id...>', 'lifecycles to drive (repeatable); default: every one with a workload driver')
    .option('--variant <name>', 'one variant, of any kind (default: every embodiment and literal-defect variant)')
    .option('--trace <file>', 'a block trace (docs/workload.md "Block traces"), JSON lines or CSV')
    .option('--images <files...>', 'a sequence of disk images of one volume')
    .option('--block-size <bytes>', 'the host\'s write unit for --images', wholeNumber, 4096)
    .option('--fsck', 'with --images: the images are ext4, and e2fsck -fn checks every recovered one')
    .option('--ext4', 'the built-in workload: ext4 file systems made and changed with e2fsprogs')
    .option('--ext4-size <MiB>', 'size of the ext4 file system', wholeNumber, EXT4_DEFAULTS.sizeMiB)
    .option('--ext4-changes <n>', 'changes after the first image (files added, rewritten, deleted)', wholeNumber, EXT4_DEFAULTS.changes)
    .option('--ext4-block-size <bytes>', 'ext4 block size, 1024 or 4096', String(EXT4_DEFAULTS.blockSize))
    .option('--seed <n>', 'seed of every random choice (and of the ext4 images)', wholeNumber, WORKLOAD_DEFAULTS.seed)
    .option('--failure-points <n>', 'random failure points per variant, besides those after each commit', wholeNumber, WORKLOAD_DEFAULTS.failurePoints)
    .option('--steps-per-write <n>', 'mean background steps after each host write', wholeNumber, WORKLOAD_DEFAULTS.stepsPerWrite)
    .option('--faults <list>', `faults to inject: all, none, or a comma-separated list of ${WORKLOAD_FAULTS.join(', ')}`, 'all')
    .option('--only <k>', 'check failure point K alone (the replay of a reported failure)', wholeNumber)
    .addOption(new Option('--save-image <file>', 'with --only: write the recovered image there'))
    .option('--json', 'print only a JSON document on stdout')
    .action((options: WorkloadCliOptions) => {
      track(runWorkload(options, io).catch((error: unknown) => {
        if (error instanceof WorkloadUsageError || error instanceof TraceError || error instanceof ImagesError || error instanceof Ext4Error) {
          io.err(`copyspec: ${error.message}\n`);
          return 2;
        }
        throw error;
      }));
    });
}

