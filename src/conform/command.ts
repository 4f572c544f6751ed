/**
 * The `copyspec conform` subcommand (README "copyspec conform", docs/conform.md): its options, parsed by
 * commander like every other subcommand, the table and counterexamples it prints, and its exit status, 0
 * when the port matched copyspec in every check, 1 when it differed somewhere (or declined a variant it was
 * asked for by name, or every variant), 2 for bad usage: an unknown lifecycle, variant or preset, no port
 * command after `--`, a port that cannot be started, malformed `--events`, an exhaustive plan over its bound,
 * a `--path` that replays no run.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AnyLifecycle } from '../lifecycle.js';
import { LIFECYCLES, lifecycleNamed } from '../lifecycles.js';
import { PlanTooLarge } from './exhaustive.js';
import { ReplayMismatch } from './model-based.js';
import { PortStartError } from './port.js';
import { CONFORM_PROTOCOL } from './protocol.js';
import { conformViolationReport, type ConformResult } from './report.js';
import { conform, CONFORM_DEFAULTS, type ConformCheck } from './run.js';

export interface ConformIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface ConformCliOptions {
  readonly lifecycle: string;
  readonly variant?: string;
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
  readonly exhaustive?: boolean;
  readonly events?: string;
  readonly preset?: string;
  readonly timeout: number;
  readonly startupTimeout: number;
  readonly maxPortSteps: number;
  readonly lockstep?: boolean;
  readonly json?: boolean;
}

class ConformUsageError extends Error {}

function wholeNumber(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('expected a whole number');
  return value;
}

function lifecycleOf(id: string): AnyLifecycle {
  const lifecycle = lifecycleNamed(id);
  if (lifecycle === undefined) throw new ConformUsageError(`unknown lifecycle '${id}'; known: ${LIFECYCLES.map((l) => l.id).join(', ')}`);
  return lifecycle;
}

/** The variant named, or every embodiment; broken variants are copyspec's planted bugs, not a port's target. */
function variantsOf(lifecycle: AnyLifecycle, name: string | undefined): string[] {
  if (name === undefined) return lifecycle.variants.filter((v) => v.kind === 'embodiment').map((v) => v.name);
  const found = lifecycle.variants.find((v) => v.name === name);
  if (found === undefined) throw new ConformUsageError(`no variant '${name}' in ${lifecycle.id}; see copyspec verify --list`);
  if (found.kind === 'broken') {
    throw new ConformUsageError(`'${name}' is a broken variant, a bug copyspec plants in its own controller; a port conforms to embodiments and literal-defect variants`);
  }
  return [found.name];
}

function eventsOf(lifecycle: AnyLifecycle, text: string): unknown[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConformUsageError(`--events: not readable JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) throw new ConformUsageError('--events: expected a JSON array of commands');
  return json.map((command, index) => {
    const event = lifecycle.parseEvent(command);
    if (typeof event === 'string') throw new ConformUsageError(`--events: command ${index + 1}: ${event}`);
    return event;
  });
}

function checksOf(options: ConformCliOptions): ConformCheck[] {
  if (options.events !== undefined) {
    if (options.exhaustive === true || options.path !== undefined) throw new ConformUsageError('--events replays given commands; it does not go with --exhaustive or --path');
    return ['replay'];
  }
  // `--runs 0` asks for no model-based runs: with --exhaustive, the exhaustive check alone.
  const modelBased: ConformCheck[] = options.runs === 0 ? [] : ['model-based'];
  const checks: ConformCheck[] = options.exhaustive === true ? ['exhaustive', ...modelBased] : modelBased;
  if (checks.length === 0) throw new ConformUsageError('--runs 0 without --exhaustive leaves nothing to check');
  return checks;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function verdict(result: ConformResult): string {
  if (result.declined !== null) return 'declined';
  const [violation] = result.violations;
  return violation === undefined ? 'matched' : `${violation.property} at ${violation.step === 0 ? 'init' : `step ${violation.step}`}`;
}

function table(results: readonly ConformResult[]): string {
  const header = ['lifecycle', 'variant', 'check', 'preset', 'worlds', 'transitions', 'runs', 'port steps', 'steps/s', 'runs/s', 'result', 'time'];
  const rows = results.map((r) => [
    r.lifecycle, r.variant, r.check, r.preset, r.check === 'exhaustive' ? String(r.states) : '-', `${r.transitionsCovered}/${r.transitions}`,
    String(r.runs), String(r.portSteps), String(Math.round(r.portStepsPerSecond)), r.runsPerSecond.toFixed(1), verdict(r), seconds(r.ms),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** Passed: every result matched, none was declined by name, and at least one check ran. */
function passed(results: readonly ConformResult[], namedVariant: boolean): boolean {
  const ran = results.filter((r) => r.declined === null);
  return ran.length > 0 && ran.every((r) => r.violations.length === 0) && !(namedVariant && ran.length < results.length);
}

function printText(results: readonly ConformResult[], ok: boolean, seed: number, io: ConformIo): void {
  io.out(`${table(results)}\n`);
  for (const result of results) {
    if (result.declined !== null) io.out(`\n${result.lifecycle} / ${result.variant}: the port declined the variant: ${result.declined}\n`);
    if (result.trace !== undefined) io.out(`\n${result.trace.map((line) => `  ${line}`).join('\n')}\n  the port matched copyspec at every step.\n`);
    io.out(conformViolationReport(result));
  }
  const steps = results.reduce((sum, r) => sum + r.portSteps, 0);
  const ran = results.filter((r) => r.declined === null).length;
  io.out(`\n${ok ? 'The port matches copyspec' : 'THE PORT DIFFERS FROM COPYSPEC'}: ${ran} checks, ${steps} port steps, model-based seed ${seed}.\n`);
}

async function runConform(argv: readonly string[], options: ConformCliOptions, io: ConformIo): Promise<number> {
  try {
    if (argv.length === 0) throw new ConformUsageError('no port command: put it after --, as in copyspec conform --lifecycle mirror-pair -- python3 port.py');
    const lifecycle = lifecycleOf(options.lifecycle);
    if (options.preset !== undefined && lifecycle.preset(options.preset) === undefined) {
      throw new ConformUsageError(`no preset '${options.preset}' in ${lifecycle.id}; known: ${Object.keys(lifecycle.presets).join(', ')}`);
    }
    const extraOptions = [
      ...(options.timeout === CONFORM_DEFAULTS.timeoutMs ? [] : [`--timeout ${options.timeout}`]),
      ...(options.startupTimeout === CONFORM_DEFAULTS.startupMs ? [] : [`--startup-timeout ${options.startupTimeout}`]),
      ...(options.lockstep === true ? ['--lockstep'] : []),
    ];
    const results = await conform({
      lifecycle, variants: variantsOf(lifecycle, options.variant), argv, checks: checksOf(options), preset: options.preset,
      events: options.events === undefined ? undefined : eventsOf(lifecycle, options.events),
      runs: options.runs, seed: options.seed, path: options.path, replayPath: options.replayPath, timeoutMs: options.timeout,
      startupMs: options.startupTimeout, maxPortSteps: options.maxPortSteps, lockstep: options.lockstep === true, extraOptions, progress: io.err,
    });
    const ok = passed(results, options.variant !== undefined);
    if (options.json === true) io.out(`${JSON.stringify({ ok, seed: options.seed, protocol: CONFORM_PROTOCOL, port: argv, results }, null, 2)}\n`);
    else printText(results, ok, options.seed, io);
    return ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ConformUsageError || error instanceof PortStartError || error instanceof PlanTooLarge || error instanceof ReplayMismatch) {
      io.err(`copyspec: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * Adds `conform` to the command line; `track` receives the promise of its exit status. `defaults` are
 * verify's, so that a seed means the same runs in both.
 */
export function addConformCommand(
  root: Command,
  io: ConformIo,
  track: (work: Promise<number>) => void,
  defaults: { readonly runs: number; readonly seed: number },
): void {
  root.command('conform')
    .description('Drive a port (a child process speaking docs/conform.md) through copyspec\'s own checks and shrink its differences.')
    .argument('[command...]', 'the port\'s command line, after --')
    .requiredOption('--lifecycle <id>', 'the lifecycle the port implements')
    .option('--variant <name>', 'one variant (default: every embodiment)')
    .option('--runs <n>', 'model-based runs per variant', wholeNumber, defaults.runs)
    .option('--seed <n>', 'model-based seed', wholeNumber, defaults.seed)
    .option('--path <path>', 'fast-check path of a reported failure, to replay it')
    .option('--replay-path <path>', 'fast-check commands replay path of a reported failure')
    .option('--exhaustive', 'also send the exhaustive alphabet in every world of the minimal preset')
    .option('--events <json>', 'send only these commands (a JSON array) and compare after each')
    .option('--preset <name>', 'preset (default: minimal for --exhaustive and --events, standard for the model-based runs)')
    .option('--timeout <ms>', 'how long the port may take to answer one message', wholeNumber, CONFORM_DEFAULTS.timeoutMs)
    .option('--startup-timeout <ms>', 'how long a port may take to answer its first message after starting', wholeNumber, CONFORM_DEFAULTS.startupMs)
    .option('--max-port-steps <n>', 'refuse an exhaustive plan of more port steps', wholeNumber, CONFORM_DEFAULTS.maxPortSteps)
    .addOption(new Option('--lockstep', 'send each command only after the previous answer (default: pipelined)'))
    .option('--json', 'print only a JSON document on stdout')
    .action((argv: string[], options: ConformCliOptions) => { track(runConform(argv, options, io)); });
}
