/**
 * What `copyspec conform` reports (docs/conform.md "Reports"): one result per variant and check, in the shape
 * of `copyspec verify --json` with the port's figures added, and a finding turned into a counterexample that
 * reads like verify's: copyspec's own trace line for every step up to the one where the port went wrong, the
 * field that differs with the two values under that step, the port's stderr, and the exact replay command.
 */
import { shownValue, type Difference } from '../observation.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { shellQuote, type CheckResult, type Violation } from '../verify/report.js';
import { traceOf } from '../verify/trace.js';
import { PortFailure, type PortFailureKind } from './port.js';
import type { Finding, PortSession } from './session.js';

/** The violation of a port that answered, but not what copyspec's reference world says. */
export const PORT_DIFFERS = 'port-differs';

/** Every kind of finding, in the `properties` of a result: what conform checks at every step. */
export const FINDING_KINDS: readonly (typeof PORT_DIFFERS | PortFailureKind)[] = [PORT_DIFFERS, 'port-malformed-answer', 'port-timeout', 'port-exited'];

/** How many lines of the port's stderr a text report shows; `--json` carries the whole kept tail. */
const STDERR_LINES_SHOWN = 20;

export interface PortDifference {
  /** `observed.secondaryBitmap`, `outcome.code`. */
  readonly field: string;
  readonly port: unknown;
  readonly copyspec: unknown;
}

export interface ConformViolation extends Violation {
  /** The step where the port went wrong: 0 is its `init`, n its answer to the n-th command. */
  readonly step: number;
  readonly differences: readonly PortDifference[];
  /** The same commands against the port by `--events` (for an exhaustive finding, the same as `replay`). */
  readonly eventsReplay: string;
  /** The same commands on copyspec alone: `copyspec replay ... --events`. */
  readonly copyspecReplay: string;
  /** The end of the port's stderr when it went wrong. */
  readonly stderr: string;
}

/** The checks conform runs: verify's two, and the replay of given commands (`--events`). */
export type ConformCheck = 'exhaustive' | 'model-based' | 'replay';

export interface ConformResult extends Omit<CheckResult, 'violations' | 'check'> {
  readonly check: ConformCheck;
  readonly violations: readonly ConformViolation[];
  /** Replay only, when the port matched: copyspec's trace of the commands, one line per step. */
  readonly trace?: readonly string[];
  /** The port's command line. */
  readonly port: readonly string[];
  /** The preset run. */
  readonly preset: string;
  /** Commands the port answered, and `init`s. */
  readonly portSteps: number;
  readonly inits: number;
  /** Processes started (one more for each that failed and was replaced). */
  readonly portStarts: number;
  /** Sequences sent per second (model-based: runs and shrinking runs; exhaustive: paths), and commands. */
  readonly runsPerSecond: number;
  readonly portStepsPerSecond: number;
  /** Set when the port declined the variant in its `init` answer: its reason. */
  readonly declined: string | null;
  /** Exhaustive only: the port steps the plan needed, worked out before the port was started. */
  readonly plannedPortSteps?: number;
  /** Model-based only: shrinking steps fast-check took (each a run against the port). */
  readonly shrinks?: number;
  /** Model-based only: shrinking stopped at its port-step budget before it was done. */
  readonly shrinkStopped?: boolean;
}

/** How the finding's port was invoked, for the replay commands. */
export interface ReplayContext {
  readonly lifecycle: AnyLifecycle;
  readonly variant: string;
  readonly preset: string;
  readonly argv: readonly string[];
  /** Options to repeat (`--timeout 500`), already formatted; empty for defaults. */
  readonly extraOptions: readonly string[];
}

const portCommand = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');

/** The conform command that replays `events` against the port, exactly. */
export function eventsReplay(context: ReplayContext, events: readonly unknown[]): string {
  return [
    'copyspec conform', `--lifecycle ${context.lifecycle.id}`, `--variant ${context.variant}`, `--preset ${context.preset}`,
    ...context.extraOptions, `--events ${shellQuote(JSON.stringify(events))}`, '--', portCommand(context.argv),
  ].join(' ');
}

/** The conform command that replays a model-based run by fast-check's seed, path and replay path. */
export function seedReplay(context: ReplayContext, seed: number, path: string, replayPath: string): string {
  return [
    'copyspec conform', `--lifecycle ${context.lifecycle.id}`, `--variant ${context.variant}`,
    ...(context.preset === 'standard' ? [] : [`--preset ${context.preset}`]), ...context.extraOptions,
    `--seed ${seed}`, `--path ${shellQuote(path)}`, `--replay-path ${shellQuote(replayPath)}`, '--', portCommand(context.argv),
  ].join(' ');
}

function portDifference(difference: Difference): PortDifference {
  return { field: `${difference.section}.${difference.field}`, port: difference.actual, copyspec: difference.expected };
}

/**
 * A finding as a violation: copyspec's trace of `events` up to the finding's step, with what went wrong
 * under that step's line. `events` may run past the step (a pipelined sequence); the trace stops there.
 */
export function violationOf(
  context: ReplayContext,
  finding: Finding,
  events: readonly unknown[],
  replay: string | null,
  fastCheck?: { readonly seed: number; readonly path: string; readonly replayPath: string },
): ConformViolation {
  const ran = events.slice(0, finding.step);
  const lines = traceOf(context.lifecycle, context.variant, context.preset, ran);
  const differences = finding instanceof PortFailure ? [] : finding.differences.map(portDifference);
  const notes = finding instanceof PortFailure
    ? [`✗ ${finding.kind}: ${finding.message}`]
    : differences.map((d) => `✗ the port's ${d.field} is ${shownValue(d.port)}, copyspec's is ${shownValue(d.copyspec)}`);
  const trace = [...lines.slice(0, finding.step + 1), ...notes.map((note) => `   ${note}`)];
  const kind = finding instanceof PortFailure ? finding.kind : PORT_DIFFERS;
  const where = finding.step === 0 ? 'init' : `step ${finding.step}`;
  return {
    property: kind,
    ref: finding instanceof PortFailure ? finding.message : `${where}: ${differences.map((d) => d.field).join(', ')}`,
    trace,
    events: ran,
    replay: replay ?? eventsReplay(context, ran),
    ...(fastCheck ?? {}),
    step: finding.step,
    differences,
    eventsReplay: eventsReplay(context, ran),
    copyspecReplay: `copyspec replay --lifecycle ${context.lifecycle.id} --variant ${context.variant} --preset ${context.preset} --events ${shellQuote(JSON.stringify(ran))}`,
    stderr: finding.stderr,
  };
}

/** The text form of a result's violation: verify's counterexample layout, the port's stderr after it. */
export function conformViolationReport(result: ConformResult): string {
  const [violation] = result.violations;
  if (violation === undefined) return '';
  const lines = [
    '',
    `PORT DIFFERS ${result.lifecycle} / ${result.variant} / ${result.check}: ${violation.property} (${violation.ref})`,
    ...violation.trace.map((line) => `  ${line}`),
  ];
  if (violation.seed !== undefined) lines.push(`  seed ${violation.seed}, path ${violation.path}, replay path ${violation.replayPath}`);
  if (result.shrinkStopped === true) lines.push('  (shrinking stopped at its port-step budget: a shorter trace may exist)');
  if (result.check === 'model-based' && violation.property === 'port-timeout') lines.push('  (a timeout is not shrunk: every shorter try would wait out the timeout again)');
  lines.push(`  replay against the port: ${violation.replay}`);
  if (violation.eventsReplay !== violation.replay) lines.push(`  the same commands against the port: ${violation.eventsReplay}`);
  lines.push(`  the same commands on copyspec alone: ${violation.copyspecReplay}`);
  const stderr = violation.stderr.trimEnd().split('\n').filter((line) => line !== '');
  if (stderr.length > 0) {
    lines.push(`  the port's stderr (last ${Math.min(stderr.length, STDERR_LINES_SHOWN)} lines):`);
    for (const line of stderr.slice(-STDERR_LINES_SHOWN)) lines.push(`    | ${line}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The figures both conform checks report alike: the machine transitions the port's run took, and the port's
 * steps, starts and rates. `runs` is what the rate counts (sequences sent, or fast-check executions).
 */
export function portFigures(context: ReplayContext, session: PortSession, covered: ReadonlySet<string>, ms: number, runs: number) {
  const edges = context.lifecycle.machineEdges(context.variant);
  return {
    transitions: edges.length,
    transitionsCovered: edges.filter((edge) => covered.has(edge)).length,
    uncoveredTransitions: edges.filter((edge) => !covered.has(edge)),
    steps: session.portSteps,
    properties: [...FINDING_KINDS],
    ms: Math.round(ms),
    port: context.argv,
    portSteps: session.portSteps,
    inits: session.inits,
    portStarts: session.starts,
    runsPerSecond: runs / (ms / 1000),
    portStepsPerSecond: session.portSteps / (ms / 1000),
  };
}
