/**
 * `copyspec conform` as a function: for each variant asked, the checks asked (the exhaustive alphabet, the
 * model-based runs, or the replay of given commands), each against its own session with the port, and one
 * result per check. Generic over every lifecycle in LIFECYCLES: everything it needs of a lifecycle is the
 * seam's (`initial`, `step`, `alphabet`, `arbitrary`, `observe`, `observeOutcome`, `key`, the presets).
 */
import type { AnyLifecycle } from '../lifecycle.js';
import { traceOf } from '../verify/trace.js';
import { conformExhaustive } from './exhaustive.js';
import { conformModelBased } from './model-based.js';
import { eventsReplay, FINDING_KINDS, violationOf, type ConformCheck, type ConformResult, type ReplayContext } from './report.js';
import { PortDeclined, PortSession } from './session.js';

export type { ConformCheck };

/** Every bound of `copyspec conform` in one place (STYLE.md "Limits and presets"). */
export const CONFORM_DEFAULTS = {
  timeoutMs: 5000,
  /** The first answer of a process includes its start: an interpreter loading, a runtime warming up. */
  startupMs: 10_000,
  /**
   * Exhaustive plans: mirror-pair's need 0.57 to 1.45 million port steps, freeze-remote-copy's 4.2 to 25.8
   * million, extent-copy's 0.64 to 1.57 million, failover-failback's 0.42 to 7.0 million, scheduled-backup's
   * 0.17 to 4.0 million.
   */
  maxPortSteps: 5_000_000,
  maxStates: 2_000_000,
  maxCommands: 200,
  /** Port steps shrinking may spend after the first failure: some hundreds of runs of 200 commands. */
  shrinkPortSteps: 200_000,
} as const;

export interface ConformOptions {
  readonly lifecycle: AnyLifecycle;
  readonly variants: readonly string[];
  readonly argv: readonly string[];
  readonly checks: readonly ConformCheck[];
  /** The preset of each check; the defaults are `minimal` for exhaustive and replay, `standard` for model-based. */
  readonly preset?: string;
  /** The commands `replay` sends. */
  readonly events?: readonly unknown[];
  readonly runs: number;
  readonly seed: number;
  readonly path?: string;
  readonly replayPath?: string;
  readonly timeoutMs: number;
  readonly startupMs: number;
  readonly maxPortSteps: number;
  readonly lockstep: boolean;
  /** Options a replay command must repeat, formatted (`--timeout 500`). */
  readonly extraOptions: readonly string[];
  readonly progress: (text: string) => void;
}

const DEFAULT_PRESET: Record<ConformCheck, string> = { exhaustive: 'minimal', 'model-based': 'standard', replay: 'minimal' };

/** A result for a variant the port declined in its `init` answer. */
function declinedResult(context: ReplayContext, check: ConformCheck, reason: string): ConformResult {
  return {
    lifecycle: context.lifecycle.id, variant: context.variant, check, preset: context.preset,
    states: 0, transitions: context.lifecycle.machineEdges(context.variant).length, transitionsCovered: 0, uncoveredTransitions: [],
    steps: 0, runs: 0, properties: [...FINDING_KINDS], violations: [], ms: 0, port: context.argv,
    portSteps: 0, inits: 0, portStarts: 0, runsPerSecond: 0, portStepsPerSecond: 0, declined: reason,
  };
}

/** `--events`: the commands sent once; the result carries copyspec's trace of them for the report. */
async function replayCheck(context: ReplayContext, session: PortSession, events: readonly unknown[]): Promise<ConformResult> {
  const started = performance.now();
  const covered = new Set<string>();
  const finding = await session.check(events, covered);
  const ms = performance.now() - started;
  const edges = context.lifecycle.machineEdges(context.variant);
  return {
    lifecycle: context.lifecycle.id, variant: context.variant, check: 'replay', preset: context.preset,
    states: 0, transitions: edges.length, transitionsCovered: edges.filter((edge) => covered.has(edge)).length,
    uncoveredTransitions: edges.filter((edge) => !covered.has(edge)), steps: session.portSteps, runs: 1,
    properties: [...FINDING_KINDS], violations: finding === null ? [] : [violationOf(context, finding, events, eventsReplay(context, events.slice(0, finding.step)))],
    ms: Math.round(ms), port: context.argv, portSteps: session.portSteps, inits: session.inits, portStarts: session.starts,
    runsPerSecond: 1 / (ms / 1000), portStepsPerSecond: session.portSteps / (ms / 1000), declined: null,
    trace: finding === null ? traceOf(context.lifecycle, context.variant, context.preset, events) : undefined,
  };
}

async function runCheck(options: ConformOptions, variant: string, check: ConformCheck, index: number, total: number): Promise<ConformResult> {
  const preset = options.preset ?? DEFAULT_PRESET[check];
  const context: ReplayContext = { lifecycle: options.lifecycle, variant, preset, argv: options.argv, extraOptions: options.extraOptions };
  const session = new PortSession({ argv: options.argv, lifecycle: options.lifecycle, variant, preset, timeoutMs: options.timeoutMs, startupMs: options.startupMs, lockstep: options.lockstep });
  const tag = `[${index}/${total}] ${options.lifecycle.id} ${variant} ${check}`;
  options.progress(`${tag} ...\n`);
  try {
    if (check === 'replay') return await replayCheck(context, session, options.events ?? []);
    const result = check === 'exhaustive'
      ? await conformExhaustive(context, session, {
        maxStates: CONFORM_DEFAULTS.maxStates, maxPortSteps: options.maxPortSteps,
        onProgress: (worlds, all, steps) => { if (worlds > 0) options.progress(`${tag}: ${worlds}/${all} worlds, ${steps} port steps\n`); },
      })
      : await conformModelBased(context, session, {
        runs: options.runs, seed: options.seed, maxCommands: CONFORM_DEFAULTS.maxCommands, path: options.path, replayPath: options.replayPath,
        shrinkPortSteps: CONFORM_DEFAULTS.shrinkPortSteps,
        onProgress: (runs, steps) => options.progress(`${tag}: ${runs} runs, ${steps} port steps\n`),
      });
    return { ...result, declined: null };
  } catch (error) {
    if (error instanceof PortDeclined) return declinedResult(context, check, error.message);
    throw error;
  } finally {
    await session.close();
  }
}

/** Runs every check of every variant asked, in order; a variant the port declines is not asked again. */
export async function conform(options: ConformOptions): Promise<ConformResult[]> {
  const jobs = options.variants.flatMap((variant) => options.checks.map((check) => ({ variant, check })));
  const results: ConformResult[] = [];
  const declined = new Set<string>();
  for (const [index, { variant, check }] of jobs.entries()) {
    if (declined.has(variant)) continue;
    const result = await runCheck(options, variant, check, index + 1, jobs.length);
    if (result.declined !== null) declined.add(variant);
    const rate = result.portStepsPerSecond > 0 ? `, ${Math.round(result.portStepsPerSecond)} port steps/s` : '';
    options.progress(`[${index + 1}/${jobs.length}] ${options.lifecycle.id} ${variant} ${check}: `
      + (result.declined !== null ? `declined by the port: ${result.declined}\n` : `${result.runs} runs, ${result.portSteps} port steps${rate}, ${result.violations.length === 0 ? 'matched' : 'DIFFERS'}\n`));
    results.push(result);
  }
  return results;
}
