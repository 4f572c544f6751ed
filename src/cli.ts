/**
 * The `copyspec` command: `verify` (exhaustive and model-based checks, the CI job), `replay` (one trace,
 * step by step), `diagrams` (state diagrams from the machines), `errata` (pages for the seeds' literal
 * flows, from their counterexamples), `vectors` (conformance vectors), `report` (a static HTML site of the
 * checks, with the machines drawn and every counterexample as a trace player; also `verify --report`),
 * `simulate` (a lifecycle's own realistic run, for the lifecycles that define one), `conform` (the same
 * checks against a port, in src/conform/command.ts) and `workload` (real data through the lifecycles with
 * faults, in src/workload/command.ts).
 *
 * Arguments are parsed by commander, chosen for its subcommands, repeatable options and generated help
 * without a runtime dependency of its own; scenario files are validated by zod, whose messages name the
 * offending field. Exit codes: 0 everything holds, 1 a property is violated (or diagrams differ), 2 bad
 * usage or a malformed input file.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { addConformCommand } from './conform/command.js';
import { addWorkloadCommand } from './workload/command.js';
import { errataExt4Workload, errataWorkload, ERRATA_WORKLOAD } from './workload/errata.js';
import { findE2fsprogs, Fsck } from './workload/ext4.js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { renderDiagrams } from './diagrams.js';
import { errataPages, errataSearch, stepsText } from './errata.js';
import { generateVectors } from './vectors.js';
import { buildReport, refusalToWrite, ReportFolderRefused, writeReport } from './report/report.js';
import type { AnyLifecycle } from './lifecycle.js';
import { LIFECYCLES, lifecycleNamed } from './lifecycles.js';
import { choosePreset, isPresetFile, PresetRefused, readPresetFile, type ChosenPreset } from './presets.js';
import type { SearchProgress } from './verify/exhaustive.js';
import { runCheckJob, type CheckJob } from './verify/checks.js';
import { defaultWorkers } from './verify/parallel.js';
import { runPooled, type CheckEvents } from './verify/pool.js';
import { MergeRefused, mergeShards, parseShard, parseShardDocument, shardRuns, type Shard, type ShardConfiguration } from './verify/shard.js';
import type { CheckKind, CheckResult } from './verify/report.js';
import { missedCatches, type VerifyDocument } from './report/model.js';
import { replayTrace } from './verify/trace.js';

export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Defaults of `copyspec verify`; every bound in one place (STYLE.md). */
export const VERIFY_DEFAULTS = {
  runs: 1000,
  seed: 20261121,
  maxCommands: 200,
  /** The errata pages' searches stop at this many worlds; `copyspec verify` has no bound but memory. */
  maxStates: 2_000_000,
  diagramsFolder: 'docs/diagrams',
  vectorsFolder: 'vectors',
  docsFolder: 'docs',
  reportFolder: 'copyspec-report',
} as const;

class UsageError extends Error {}

/** Names the generator in every vector file; bump the version when the vector format changes. */
export const GENERATOR = 'copyspec 0.2.0';

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('expected a whole number');
  return value;
}

/** Worker threads: at most this many, whatever the machine. */
const MAX_WORKERS = 256;

function workerCount(text: string): number {
  const value = wholeNumber(text);
  if (value < 1 || value > MAX_WORKERS) throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_WORKERS}`);
  return value;
}

function shardOption(text: string): Shard {
  const shard = parseShard(text);
  if (typeof shard === 'string') throw new InvalidArgumentError(shard.replace(/^--shard \S+: /, ''));
  return shard;
}

function lifecyclesFor(ids: readonly string[] | undefined): AnyLifecycle[] {
  if (ids === undefined || ids.length === 0) return [...LIFECYCLES];
  return ids.map((id) => {
    const lifecycle = lifecycleNamed(id);
    if (lifecycle === undefined) throw new UsageError(`unknown lifecycle '${id}'; known: ${LIFECYCLES.map((l) => l.id).join(', ')}`);
    return lifecycle;
  });
}

interface VerifyOptions {
  readonly lifecycle?: string[];
  readonly variant?: string;
  readonly check?: CheckKind;
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
  readonly list?: boolean;
  readonly json?: boolean;
  readonly report?: string;
  readonly preset?: string;
  readonly compact?: boolean;
  readonly workers: number;
  readonly shard?: Shard;
}

/** One check to run; `stopWhenViolated` as errata pages search (src/errata.ts), else the whole space. */
interface Job {
  readonly lifecycle: AnyLifecycle;
  readonly variant: string;
  readonly check: CheckKind;
  readonly stopWhenViolated?: readonly string[];
  /** The exhaustive search's preset; minimal when absent. */
  readonly preset?: ChosenPreset;
}

function listing(lifecycles: readonly AnyLifecycle[], io: Io, json: boolean): void {
  const lifecyclesJson = lifecycles.map((l) => ({ id: l.id, variants: l.variants.map((v) => ({ name: v.name, kind: v.kind })) }));
  if (json) {
    io.out(`${JSON.stringify({ lifecycles: lifecyclesJson }, null, 2)}\n`);
    return;
  }
  for (const lifecycle of lifecycles) {
    io.out(`${lifecycle.id} (seed ${lifecycle.seed}): ${lifecycle.title}\n`);
    for (const variant of lifecycle.variants) io.out(`  ${variant.name.padEnd(36)} ${variant.kind.padEnd(15)} ${variant.description}\n`);
  }
}

/** The preset of every lifecycle checked, all refused before any check runs when one is unusable. */
function presetsFor(lifecycles: readonly AnyLifecycle[], name: string | undefined): Map<AnyLifecycle, ChosenPreset> {
  const chosen = new Map<AnyLifecycle, ChosenPreset>();
  if (name === undefined) return chosen;
  for (const lifecycle of lifecycles) {
    try {
      chosen.set(lifecycle, choosePreset(lifecycle, name));
    } catch (error) {
      if (error instanceof PresetRefused) throw new UsageError(error.message);
      throw error;
    }
  }
  return chosen;
}

/** The lifecycles named, or with no --lifecycle and a preset file, the file's lifecycle (all otherwise). */
function verifiedLifecycles(options: VerifyOptions): AnyLifecycle[] {
  if ((options.lifecycle === undefined || options.lifecycle.length === 0) && options.preset !== undefined && isPresetFile(options.preset)) {
    try {
      return [readPresetFile(options.preset).lifecycle];
    } catch (error) {
      if (error instanceof PresetRefused) throw new UsageError(error.message);
      throw error;
    }
  }
  return lifecyclesFor(options.lifecycle);
}

function plan(lifecycles: readonly AnyLifecycle[], options: VerifyOptions): Job[] {
  if (options.compact === true) {
    const unpacked = lifecycles.filter((l) => l.layout === undefined).map((l) => l.id);
    if (unpacked.length > 0) throw new UsageError(`--compact needs a world layout, which ${unpacked.join(', ')} does not declare (docs/lifecycles.md)`);
  }
  const checks = checksOf(options);
  const presets = presetsFor(lifecycles, options.preset);
  const jobs = lifecycles.flatMap((lifecycle) => lifecycle.variants
    .filter((v) => (options.variant === undefined ? v.kind === 'embodiment' : v.name === options.variant))
    .flatMap((v) => checks.map((check) => ({ lifecycle, variant: v.name, check, preset: presets.get(lifecycle) }))));
  if (options.variant !== undefined && jobs.length === 0) {
    throw new UsageError(`no variant '${options.variant}' in ${lifecycles.map((l) => l.id).join(', ')}; see copyspec verify --list`);
  }
  return jobs;
}

/** The kinds of check run: shards after the first run the model-based ones only (src/verify/shard.ts). */
function checksOf(options: VerifyOptions): CheckKind[] {
  const checks: CheckKind[] = options.check === undefined ? ['exhaustive', 'model-based'] : [options.check];
  return options.shard === undefined || options.shard.index === 1 ? checks : checks.filter((check) => check === 'model-based');
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function table(results: readonly CheckResult[]): string {
  const header = ['lifecycle', 'variant', 'check', 'states', 'transitions', 'runs', 'steps', 'properties', 'violations', 'time'];
  const rows = results.map((r) => [
    r.lifecycle, r.variant, r.check, r.check === 'exhaustive' ? String(r.states) : '-',
    r.check === 'exhaustive' ? `${r.transitionsCovered}/${r.transitions}` : '-', String(r.runs), String(r.steps),
    String(r.properties.length), String(r.violations.length), seconds(r.ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function violationReport(result: CheckResult): string {
  const sorted = [...result.violations].sort((a, b) => a.trace.length - b.trace.length);
  const [shortest, ...others] = sorted;
  if (shortest === undefined) return '';
  const lines = [
    '',
    `VIOLATED ${result.lifecycle} / ${result.variant} / ${result.check}: ${shortest.property} (${shortest.ref})`,
    ...shortest.trace.map((line) => `  ${line}`),
  ];
  if (shortest.seed !== undefined) lines.push(`  seed ${shortest.seed}, path ${shortest.path}, replay path ${shortest.replayPath}`);
  lines.push(`  replay: ${shortest.replay}`);
  for (const other of others) lines.push(`  also violated: ${other.property} after ${stepsText(other.trace.length - 1)}; replay: ${other.replay}`);
  return `${lines.join('\n')}\n`;
}

/** One progress line of a search: how far it is, how fast it goes, how much memory it holds. */
function progressText(p: SearchProgress, ms: number): string {
  const perSecond = Math.round(p.explored / (ms / 1000));
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  return `level ${p.level}, ${p.explored} states explored, ${p.stored - p.explored} queued, ${perSecond} states/s, `
    + `visited set ${mb(p.bytes)}, ${mb(process.memoryUsage().rss)} resident`;
}

interface CheckOptions {
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
  readonly compact?: boolean;
  readonly workers: number;
}

/**
 * Runs every check, with progress on stderr: on a pool of `workers` threads when there is more than one of
 * each (src/verify/pool.ts), else one after another in this thread. The results are in the jobs' order.
 */
async function runChecks(jobs: readonly Job[], options: CheckOptions, io: Io): Promise<CheckResult[]> {
  const checkJobs = jobs.map((job) => checkJobOf(job, options));
  const tags = jobs.map((job, index) => `[${index + 1}/${jobs.length}] ${job.lifecycle.id} ${job.variant} ${job.check}${job.check === 'exhaustive' && job.preset !== undefined ? ` (${job.preset.name})` : ''}`);
  const started = jobs.map(() => 0);
  const events: CheckEvents = {
    started: (index) => {
      started[index] = performance.now();
      io.err(`${tags[index]} ...\n`);
    },
    progress: (index, p) => io.err(`${tags[index]}: ${progressText(p, performance.now() - started[index]!)}\n`),
    finished: (index, result) => {
      checkReplayed(checkJobs[index]!, result);
      io.err(`${tags[index]}: ${summaryText(result)}\n`);
    },
  };
  if (options.workers > 1 && jobs.length > 1) return runPooled(checkJobs, options.workers, events);
  const results: CheckResult[] = [];
  for (const [index, job] of checkJobs.entries()) {
    events.started(index);
    const result = await runCheckJob(job, (p) => events.progress(index, p));
    events.finished(index, result);
    results.push(result);
  }
  return results;
}

function checkJobOf({ lifecycle, variant, check, stopWhenViolated, preset }: Job, options: CheckOptions): CheckJob {
  return {
    lifecycle: lifecycle.id, variant, check, compact: options.compact === true, workers: options.workers,
    runs: options.runs, seed: options.seed, maxCommands: VERIFY_DEFAULTS.maxCommands,
    ...(stopWhenViolated === undefined ? {} : { stopWhenViolated }),
    ...(preset === undefined ? {} : { preset }),
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  };
}

/** A path or replay path that names no run of this seed would pass with nothing checked. */
function checkReplayed(job: CheckJob, result: CheckResult): void {
  if (job.check === 'model-based' && (job.path !== undefined || job.replayPath !== undefined) && result.runs === 0) {
    throw new UsageError(`--path ${job.path ?? ''} replays no run of seed ${job.seed} for ${job.lifecycle}/${job.variant}`);
  }
}

/** A check's last line: what it covered and found, and how long it took. */
function summaryText(result: CheckResult): string {
  const stored = result.bytes === undefined || result.states === 0 ? '' : ` (${Math.round(result.bytes / result.states)} bytes a state)`;
  const omission = result.omissionProbability === undefined ? '' : ` (hash compaction: a state omitted with probability at most ${result.omissionProbability.toExponential(1)})`;
  const coverage = result.check === 'exhaustive' ? `${result.states} states${stored}${omission}, ${result.transitionsCovered}/${result.transitions} transitions, ` : '';
  return `${coverage}${result.runs} runs, ${result.steps} steps, ${result.violations.length} violations, ${seconds(result.ms)}`;
}

/** Refuses, before any check runs, a report folder that could not be written: bad usage, exit 2. */
async function checkReportFolder(folder: string | undefined): Promise<void> {
  const refused = folder === undefined ? null : await refusalToWrite(folder);
  if (refused !== null) throw new UsageError(`report folder: ${refused}`);
}

/** Writes the report of `results`; says where to open it. */
async function reportOf(folder: string, lifecycles: readonly AnyLifecycle[], document: VerifyDocument, io: Io): Promise<void> {
  const files = await buildReport(lifecycles, document, GENERATOR);
  try {
    await writeReport(folder, files);
  } catch (error) {
    if (error instanceof ReportFolderRefused) throw new UsageError(`report folder: ${error.message}`);
    throw error;
  }
  io.err(`report: wrote ${files.size} pages to ${folder}; open ${join(folder, 'index.html')} in a browser (it needs no server)\n`);
}

async function runVerify(options: VerifyOptions, io: Io): Promise<number> {
  const lifecycles = verifiedLifecycles(options);
  if (options.list === true) {
    listing(lifecycles, io, options.json === true);
    return 0;
  }
  const jobs = plan(lifecycles, options);
  await checkReportFolder(options.report);
  const share = options.shard === undefined ? { seed: options.seed, runs: options.runs } : shardRuns(options.shard, options.seed, options.runs);
  if (options.shard !== undefined) {
    io.err(`shard ${options.shard.index}/${options.shard.count}: ${share.runs} of ${options.runs} model-based runs per variant, seed ${share.seed} `
      + `(the shards' seeds are ${options.seed} to ${options.seed + options.shard.count - 1})${options.shard.index === 1 ? '; the exhaustive checks run here' : ''}\n`);
  }
  const results = await runChecks(jobs, { ...options, ...share }, io);
  const ok = results.every((r) => r.violations.length === 0);
  if (options.json === true) {
    const sharded = options.shard === undefined ? {} : { shard: { ...options.shard, ...share }, configuration: configurationOf(lifecycles, options) };
    io.out(`${JSON.stringify({ ok, seed: options.seed, ...sharded, results }, null, 2)}\n`);
  } else {
    printVerdict(results, ok, options.shard === undefined ? `model-based seed ${options.seed}` : `model-based seed ${share.seed}, shard ${options.shard.index}/${options.shard.count}`, io);
  }
  if (options.report !== undefined) await reportOf(options.report, lifecycles, { ok, seed: options.seed, results }, io);
  return ok ? 0 : 1;
}

/** The table, every violation, and the one-line verdict. */
function printVerdict(results: readonly CheckResult[], ok: boolean, seeds: string, io: Io): void {
  io.out(`${table(results)}\n`);
  for (const result of results) io.out(violationReport(result));
  const violations = results.reduce((sum, r) => sum + r.violations.length, 0);
  io.out(`\n${ok ? 'All properties hold' : 'PROPERTIES VIOLATED'}: ${results.length} checks, ${violations} violations, ${seeds}.\n`);
}

/** What every shard of one run must share, for `copyspec merge` to check. */
function configurationOf(lifecycles: readonly AnyLifecycle[], options: VerifyOptions): ShardConfiguration {
  return {
    lifecycles: lifecycles.map((l) => l.id),
    variant: options.variant ?? null,
    checks: options.check === undefined ? ['exhaustive', 'model-based'] : [options.check],
    preset: options.preset ?? null,
    seed: options.seed,
    runs: options.runs,
    maxCommands: VERIFY_DEFAULTS.maxCommands,
  };
}

/** `copyspec merge`: the verdict and table of all N shards of one run, or exit 2 on input it refuses. */
async function runMerge(files: readonly string[], options: { json?: boolean }, io: Io): Promise<number> {
  let merged: ReturnType<typeof mergeShards>;
  try {
    const documents = await Promise.all(files.map(async (file) => {
      const text = await readFile(file, 'utf8').catch((error: Error) => { throw new MergeRefused(`${file}: not readable: ${error.message}`); });
      return { file, document: parseShardDocument(file, text) };
    }));
    merged = mergeShards(documents);
  } catch (error) {
    if (error instanceof MergeRefused) throw new UsageError(`merge: ${error.message}`);
    throw error;
  }
  if (options.json === true) io.out(`${JSON.stringify(merged, null, 2)}\n`);
  else printVerdict(merged.results, merged.ok, `model-based seeds ${merged.seed} to ${merged.seed + files.length - 1}, ${files.length} shards`, io);
  return merged.ok ? 0 : 1;
}

interface ReportOptions {
  readonly out: string;
  readonly lifecycle?: string[];
  readonly runs: number;
  readonly seed: number;
  readonly workers: number;
}

/**
 * `copyspec report`: every variant of every lifecycle named (all by default), embodiments as `copyspec
 * verify` checks them and every defective variant as the errata pages search it (breadth first until every
 * property it names is violated, then the model-based runs), so that the report shows each property with
 * the defects that violate it. Exit 0 when every embodiment holds and every defective variant is caught with
 * every property it names, 1 otherwise; the report is written either way.
 */
async function runReport(options: ReportOptions, io: Io): Promise<number> {
  const lifecycles = lifecyclesFor(options.lifecycle);
  await checkReportFolder(options.out);
  const jobs: Job[] = lifecycles.flatMap((lifecycle) => lifecycle.variants.flatMap((v) => (['exhaustive', 'model-based'] as const).map((check) => ({
    lifecycle, variant: v.name, check, ...(v.kind === 'embodiment' || check === 'model-based' ? {} : { stopWhenViolated: v.catches }),
  }))));
  const results = await runChecks(jobs, options, io);
  const failing = lifecycles.flatMap((lifecycle) => lifecycle.variants.flatMap((variant) => {
    const own = results.filter((r) => r.lifecycle === lifecycle.id && r.variant === variant.name);
    const missed = missedCatches(variant, own);
    if (missed.length > 0) return [`${lifecycle.id}/${variant.name} is not caught violating ${missed.join(', ')}`];
    const violated = variant.kind === 'embodiment' ? own.filter((r) => r.violations.length > 0) : [];
    return violated.map((r) => `${lifecycle.id}/${variant.name} ${r.check} violates ${r.violations.map((v) => v.property).join(', ')}`);
  }));
  await reportOf(options.out, lifecycles, { ok: failing.length === 0, seed: options.seed, results }, io);
  io.out(`${table(results)}\n\n`);
  io.out(failing.length === 0
    ? `Every embodiment holds every property and every defective variant is caught: ${results.length} checks. Report: ${join(options.out, 'index.html')}\n`
    : `${failing.map((line) => `FAILED ${line}`).join('\n')}\nReport: ${join(options.out, 'index.html')}\n`);
  return failing.length === 0 ? 0 : 1;
}

const scenarioSchema = z.object({
  lifecycle: z.string(),
  variant: z.string(),
  preset: z.string().default('minimal'),
  events: z.array(z.unknown()),
}).strict();

interface ReplayOptions {
  readonly lifecycle?: string;
  readonly variant?: string;
  readonly preset: string;
  readonly events?: string;
  readonly file?: string;
}

async function scenarioOf(options: ReplayOptions): Promise<z.infer<typeof scenarioSchema>> {
  let json: unknown;
  const source = options.file ?? '--events';
  try {
    json = options.file !== undefined
      ? JSON.parse(await readFile(options.file, 'utf8'))
      : { lifecycle: options.lifecycle, variant: options.variant, preset: options.preset, events: JSON.parse(options.events ?? 'null') };
  } catch (error) {
    throw new UsageError(`${source}: not readable JSON: ${(error as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`${source}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'scenario'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

async function runReplay(options: ReplayOptions, io: Io): Promise<number> {
  const scenario = await scenarioOf(options);
  const lifecycle = lifecyclesFor([scenario.lifecycle])[0]!;
  if (!lifecycle.variants.some((v) => v.name === scenario.variant)) throw new UsageError(`no variant '${scenario.variant}' in ${lifecycle.id}`);
  const preset = presetsFor([lifecycle], scenario.preset).get(lifecycle)!;
  const events = scenario.events.map((json, index) => {
    const event = lifecycle.parseEvent(json);
    if (typeof event === 'string') throw new UsageError(`event ${index + 1}: ${event}`);
    return event;
  });
  const { lines, failed } = replayTrace(lifecycle, scenario.variant, preset.name, events, preset.geometry);
  for (const line of lines) io.out(`${line}\n`);
  const violated = failed.length;
  io.out(violated === 0 ? 'Every property held at every step.\n' : `${violated} property violations.\n`);
  return violated === 0 ? 0 : 1;
}

/** Writes generated files into a folder, or with `check` compares them and reports the stale ones. */
async function writeOrCheck(files: ReadonlyMap<string, string>, folder: string, check: boolean, what: string, io: Io): Promise<number> {
  let differ = 0;
  for (const [name, text] of files) {
    const path = join(folder, name);
    if (check) {
      const current = await readFile(path, 'utf8').catch(() => null);
      if (current !== text) {
        differ += 1;
        io.err(`${path} differs from what copyspec generates\n`);
      }
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
      io.out(`wrote ${path}\n`);
    }
  }
  if (check) io.out(differ === 0 ? `${files.size} ${what} files are current.\n` : `${differ} ${what} files are stale: run copyspec ${what}.\n`);
  return differ === 0 ? 0 : 1;
}

async function runDiagrams(options: { out: string; check?: boolean }, io: Io): Promise<number> {
  const files = await renderDiagrams(LIFECYCLES.flatMap((l) => l.machines));
  return writeOrCheck(files, options.out, options.check === true, 'diagrams', io);
}

/**
 * `copyspec errata`: one page per literal-defect variant, from its exhaustive search (src/errata.ts), and,
 * for a lifecycle with a workload driver, the built-in ext4 workload on it (src/workload/errata.ts), which
 * needs e2fsprogs: without it the command refuses (exit 2) rather than write pages without their results.
 */
async function runErrata(options: { out: string; check?: boolean }, io: Io): Promise<number> {
  const literal = LIFECYCLES.flatMap((lifecycle) => lifecycle.variants.filter((v) => v.kind === 'literal-defect').map((variant) => ({ lifecycle, variant })));
  const tools = literal.some(({ lifecycle }) => lifecycle.workload !== undefined) ? findE2fsprogs() : null;
  if (typeof tools === 'string') throw new UsageError(`copyspec errata runs the built-in ext4 workload on every literal flow and needs ${tools}`);
  const fsck = tools === null ? null : new Fsck();
  try {
    if (fsck !== null) io.err(`errata: making the ext4 workload (${ERRATA_WORKLOAD.ext4.sizeMiB} MiB, ${ERRATA_WORKLOAD.ext4.changes} changes) ...\n`);
    const workload = fsck === null ? null : errataExt4Workload(fsck);
    const inputs = literal.map(({ lifecycle, variant }) => {
      io.err(`errata: ${lifecycle.id} ${variant.name} exhaustive ...\n`);
      const result = errataSearch(lifecycle, variant, VERIFY_DEFAULTS.maxStates);
      if (lifecycle.workload !== undefined) io.err(`errata: ${lifecycle.id} ${variant.name} ext4 workload ...\n`);
      const ext4 = workload === null || lifecycle.workload === undefined ? { driven: false as const } : errataWorkload(lifecycle, variant.name, workload, fsck!, tools!.version);
      return { lifecycle, variant, result, workload: ext4 };
    });
    return await writeOrCheck(errataPages(inputs), options.out, options.check === true, 'errata', io);
  } finally {
    fsck?.close();
  }
}

/** `copyspec vectors`: every vector file, and docs/vectors.md, which is made from the same files. */
async function runVectors(options: { out: string; check?: boolean }, io: Io): Promise<number> {
  const { files, doc } = generateVectors(LIFECYCLES, GENERATOR);
  const vectors = await writeOrCheck(files, options.out, options.check === true, 'vectors', io);
  const page = await writeOrCheck(new Map([['vectors.md', doc]]), VERIFY_DEFAULTS.docsFolder, options.check === true, 'vectors', io);
  return Math.max(vectors, page);
}

/** `copyspec simulate <lifecycle>`: the lifecycle's own run (its `simulation` hook), or a usage error. */
function runSimulate(id: string, options: { seed: number; json?: boolean }, io: Io): number {
  const lifecycle = lifecyclesFor([id])[0]!;
  if (lifecycle.simulation === undefined) {
    const having = LIFECYCLES.filter((l) => l.simulation !== undefined).map((l) => l.id);
    throw new UsageError(`lifecycle '${id}' defines no simulation; these do: ${having.join(', ') || 'none'}`);
  }
  return lifecycle.simulation.run({ seed: options.seed, json: options.json === true }, io);
}

function program(io: Io, exit: { code: number }, pending: Promise<unknown>[]): Command {
  const root = new Command('copyspec')
    .description('Executable, formally checked specification of storage-controller copy functions (Hitachi seeds 000-004).')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const track = (work: Promise<number>): void => { pending.push(work.then((code) => { exit.code = code; })); };
  root.command('verify')
    .description('Run the exhaustive and model-based checks of every lifecycle (embodiment variants unless --variant names one).')
    .option('--lifecycle <id...>', 'lifecycles to check (repeatable); default: all')
    .option('--variant <name>', 'one variant, of any kind (see --list)')
    .addOption(new Option('--check <kind>', 'only one kind of check').choices(['exhaustive', 'model-based']))
    .option('--runs <n>', 'model-based runs per variant', wholeNumber, VERIFY_DEFAULTS.runs)
    .option('--seed <n>', 'model-based seed', wholeNumber, VERIFY_DEFAULTS.seed)
    .option('--path <path>', 'fast-check path of a reported failure, to replay it')
    .option('--replay-path <path>', 'fast-check commands replay path of a reported failure')
    .option('--list', 'list lifecycles and variants')
    .option('--json', 'print only a JSON document on stdout')
    .option('--report <folder>', 'also write the HTML report of this run to a folder (see copyspec report)')
    .option('--preset <name>', 'the exhaustive search\'s geometry: minimal (default), deep, or a preset file (README "Presets")')
    .option('--compact', 'hash compaction: keep a 64-bit fingerprint per state, and print the probability that one was omitted')
    .option('--workers <n>', 'threads: this many checks at a time, or a lone exhaustive search on this many once it passes 10 000 states; 1 runs everything in one thread', workerCount, defaultWorkers())
    .option('--shard <I/N>', 'run shard I of N: a share of the model-based runs from seed + I - 1 (exhaustive checks in shard 1 only); combine with copyspec merge', shardOption)
    .action((options: VerifyOptions) => { track(runVerify(options, io)); });
  root.command('merge')
    .description('Combine the --json documents of all N shards of one verify --shard run into one verdict and table.')
    .argument('<files...>', 'the shard documents, one per shard, in any order')
    .option('--json', 'print only the merged JSON document on stdout')
    .action((files: string[], options: { json?: boolean }) => { track(runMerge(files, options, io)); });
  root.command('replay')
    .description('Replay commands step by step and check every property after each.')
    .option('--lifecycle <id>', 'lifecycle')
    .option('--variant <name>', 'variant')
    .option('--preset <name>', 'geometry preset (minimal, standard, deep or another the lifecycle defines), or a preset file', 'minimal')
    .option('--events <json>', 'the commands as a JSON array')
    .option('--file <path>', 'a scenario file: {"lifecycle", "variant", "preset", "events"}')
    .action((options: ReplayOptions) => { track(runReplay(options, io)); });
  root.command('diagrams')
    .description('Write the state diagrams of every machine (Mermaid, DOT, SVG, markdown).')
    .option('--out <folder>', 'output folder', VERIFY_DEFAULTS.diagramsFolder)
    .option('--check', 'write nothing; exit 1 if the committed diagrams differ')
    .action((options: { out: string; check?: boolean }) => { track(runDiagrams(options, io)); });
  root.command('errata')
    .description('Write one errata page per literal-defect variant: what the seed says, the shortest trace, the fix.')
    .option('--out <folder>', 'output folder', 'docs/errata')
    .option('--check', 'write nothing; exit 1 if the committed pages differ from the verifier')
    .action((options: { out: string; check?: boolean }) => { track(runErrata(options, io)); });
  root.command('report')
    .description('Check every variant and write a static HTML report: the summary, the machines drawn, properties, errata, and every counterexample as a trace player.')
    .option('--out <folder>', 'output folder (new, empty, or an earlier report, which is replaced)', VERIFY_DEFAULTS.reportFolder)
    .option('--lifecycle <id...>', 'lifecycles to report (repeatable); default: all')
    .option('--runs <n>', 'model-based runs per variant', wholeNumber, VERIFY_DEFAULTS.runs)
    .option('--seed <n>', 'model-based seed', wholeNumber, VERIFY_DEFAULTS.seed)
    .option('--workers <n>', 'threads: this many checks at a time; 1 runs everything in one thread', workerCount, defaultWorkers())
    .action((options: ReportOptions) => { track(runReport(options, io)); });
  root.command('vectors')
    .description('Write the conformance vectors for ports (docs/vectors.md).')
    .option('--out <folder>', 'output folder', VERIFY_DEFAULTS.vectorsFolder)
    .option('--check', 'write nothing; exit 1 if the committed vectors differ')
    .action((options: { out: string; check?: boolean }) => { track(runVectors(options, io)); });
  root.command('simulate')
    .description('Run a lifecycle\'s own realistic, seeded scenario with progress on stderr and a summary on stdout.')
    .argument('<lifecycle>', `a lifecycle that defines a simulation (${LIFECYCLES.filter((l) => l.simulation !== undefined).map((l) => l.id).join(', ') || 'none yet'})`)
    .option('--seed <n>', 'seed of every random choice of the run', wholeNumber, VERIFY_DEFAULTS.seed)
    .option('--json', 'print only a JSON document on stdout')
    .action((id: string, options: { seed: number; json?: boolean }) => { track(Promise.resolve().then(() => runSimulate(id, options, io))); });
  addConformCommand(root, io, track, VERIFY_DEFAULTS);
  addWorkloadCommand(root, io, track);
  return root;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const exit = { code: 0 };
  const pending: Promise<unknown>[] = [];
  try {
    program(io, exit, pending).parse([...argv], { from: 'user' });
    await Promise.all(pending);
    return exit.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      io.err(`copyspec: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
