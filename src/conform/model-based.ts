/**
 * `copyspec conform`'s model-based runs: the lifecycle's own `arbitrary` under fast-check's `fc.commands`
 * (long random interleavings of every command in every state, as `copyspec verify` runs them, on the
 * standard preset), each run sent to the port after an `init` and compared after every command with
 * copyspec's reference world. A difference is shrunk by fast-check to the shortest failing sequence it
 * finds and reported with seed, path and replay path, which replay it exactly.
 *
 * A run's commands are known before it starts, so the session pipelines them to the port (src/conform/
 * session.ts) instead of fast-check's `asyncModelRun`, one awaited command at a time. fast-check's shrinker
 * still needs to know which commands ran: once the port's answers are in, the commands up to the failing
 * one, and only those, are run through fast-check's wrappers, which marks them exactly as `modelRun` would.
 *
 * Shrinking is bounded: after the first failure it may spend `shrinkPortSteps` port steps, and a timeout
 * stops it at once (every candidate would wait out the timeout again); after that every candidate passes
 * without reaching the port, so fast-check ends on the shortest failure found so far, and the report says so.
 */
import fc from 'fast-check';
import { assert } from '../assert.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { PortFailure } from './port.js';
import { portFigures, seedReplay, violationOf, type ConformResult, type ReplayContext } from './report.js';
import type { Finding, PortSession } from './session.js';

export interface ConformModelBasedOptions {
  readonly runs: number;
  readonly seed: number;
  /** Longest command sequence of one run. */
  readonly maxCommands: number;
  /** Replay of a reported failure: fast-check's path and the commands' replay path. */
  readonly path?: string;
  readonly replayPath?: string;
  /** Port steps shrinking may spend after the first failure. */
  readonly shrinkPortSteps: number;
  readonly onProgress?: (runs: number, portSteps: number) => void;
}

/** `--path` and `--replay-path` name no run of this seed and arbitrary: a usage error, reported before anything passes. */
export class ReplayMismatch extends Error {}

/** One command of a run. It does nothing when fast-check runs it: the port has already answered it. */
class PortCommand implements fc.Command<object, object> {
  constructor(
    private readonly lifecycle: AnyLifecycle,
    readonly event: unknown,
  ) {}

  check(): boolean {
    return true; // every command is sent in every state; a refusal is compared, not skipped
  }

  run(): void {
    // Marks the command as ran for fast-check's shrinker (see the file's header); nothing else to do.
  }

  toString(): string {
    return this.lifecycle.formatEvent(this.event);
  }
}

/** fast-check's wrapper of a command in a `fc.commands` value: `run` marks it as ran. */
interface Wrapped {
  readonly cmd?: unknown;
  run(model: object, real: object): void;
}

function commandOf(wrapped: Wrapped): PortCommand {
  const command = wrapped.cmd ?? wrapped;
  assert(command instanceof PortCommand, 'fast-check wraps each command in an object whose `cmd` is the command (fast-check 4)');
  return command;
}

interface RunState {
  executions: number;
  /** Port steps spent since the first failure. */
  shrinkSteps: number;
  /** Set when shrinking may not reach the port again. */
  stopped: boolean;
  /** The last failing run: fast-check's final counterexample is always the last failure it saw. */
  last: { readonly finding: Finding; readonly events: readonly unknown[] } | null;
  /** What ended the runs other than a finding (the port declined the variant, or could not start). */
  aborted: unknown;
}

/** The property fast-check checks: each run sent to the port, the commands up to a finding marked as ran. */
function portProperty(
  context: ReplayContext,
  session: PortSession,
  options: ConformModelBasedOptions,
  state: RunState,
  covered: Set<string>,
): fc.IAsyncPropertyWithHooks<[Iterable<fc.Command<object, object>>]> {
  const { lifecycle, variant, preset: presetName } = context;
  const preset = lifecycle.preset(presetName);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${presetName}`);
  const command = lifecycle.arbitrary(variant, preset).map((event) => new PortCommand(lifecycle, event));
  return fc.asyncProperty(
    fc.commands([command], { maxCommands: options.maxCommands, size: 'max', replayPath: options.replayPath }),
    async (commands) => {
      if (state.stopped) return;
      const wrapped = [...commands] as unknown as Wrapped[];
      const events = wrapped.map((w) => commandOf(w).event);
      const stepsBefore = session.portSteps;
      let finding: Finding | null;
      try {
        finding = await session.check(events, covered);
      } catch (error) {
        // Not a finding about the port's answers: end the runs, and let the caller report it.
        state.aborted = error;
        state.stopped = true;
        return;
      }
      state.executions += 1;
      if (state.executions % 50 === 0) options.onProgress?.(state.executions, session.portSteps);
      if (state.last !== null) state.shrinkSteps += session.portSteps - stepsBefore;
      const ran = finding === null ? wrapped.length : finding.step;
      for (let index = 0; index < ran; index += 1) wrapped[index]!.run({}, {});
      if (finding === null) return;
      state.last = { finding, events };
      if (isTimeout(finding) || state.shrinkSteps >= options.shrinkPortSteps) state.stopped = true;
      throw finding;
    },
  );
}

const isTimeout = (finding: Finding | undefined): boolean => finding instanceof PortFailure && finding.kind === 'port-timeout';

/** fast-check's check of the property; a `--path` or `--replay-path` that fits no run of the seed is a ReplayMismatch. */
async function checkProperty(
  property: fc.IAsyncPropertyWithHooks<[Iterable<fc.Command<object, object>>]>,
  options: ConformModelBasedOptions,
  state: RunState,
): Promise<fc.RunDetails<[Iterable<fc.Command<object, object>>]>> {
  const replaying = options.path !== undefined || options.replayPath !== undefined;
  let details: fc.RunDetails<[Iterable<fc.Command<object, object>>]>;
  try {
    details = await fc.check(property, { seed: options.seed, numRuns: options.runs, path: options.path, endOnFailure: false });
  } catch (error) {
    if (!replaying) throw error;
    throw new ReplayMismatch(`--path ${options.path ?? ''} --replay-path ${options.replayPath ?? ''} do not replay a run of seed ${options.seed}: ${(error as Error).message}`);
  }
  if (state.aborted !== null) throw state.aborted;
  // A check that ran nothing must not pass: a --path past the last run replays none.
  if (state.executions === 0) throw new ReplayMismatch(`no run was sent to the port (seed ${options.seed}${replaying ? `, --path ${options.path}` : ''})`);
  if (details.failed && state.last === null) {
    // The property failed without a finding: copyspec itself threw (its reference step, or a bug here).
    throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
  }
  return details;
}

export async function conformModelBased(
  context: ReplayContext,
  session: PortSession,
  options: ConformModelBasedOptions,
): Promise<Omit<ConformResult, 'declined'>> {
  const { lifecycle, variant } = context;
  const started = performance.now();
  const covered = new Set<string>();
  const state: RunState = { executions: 0, shrinkSteps: 0, stopped: false, last: null, aborted: null };
  const details = await checkProperty(portProperty(context, session, options, state, covered), options, state);
  const ms = performance.now() - started;
  const violations = [];
  if (details.failed && state.last !== null) {
    const replayPath = /replayPath="([^"]*)"/.exec(String(details.counterexample?.[0] ?? ''))?.[1] ?? '';
    const path = details.counterexamplePath ?? '';
    violations.push(violationOf(context, state.last.finding, state.last.events, seedReplay(context, details.seed, path, replayPath), { seed: details.seed, path, replayPath }));
  }
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'model-based',
    preset: context.preset,
    states: 0,
    ...portFigures(context, session, covered, ms, state.executions),
    runs: details.numRuns,
    shrinks: details.numShrinks,
    violations,
    shrinkStopped: state.stopped && details.failed && !isTimeout(state.last?.finding),
  };
}
