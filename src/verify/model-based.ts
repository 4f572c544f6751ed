/**
 * Model-based runs with fast-check's `fc.commands` (anchors/formal_tools.md §3): long random interleavings
 * of every command in every state, rejected ones included, on the standard preset; after every command the
 * controller is compared with the model through every property. A failure is shrunk by fast-check and
 * reported with its seed, path and replay path, which together replay it exactly.
 */
import fc from 'fast-check';
import { assert } from '../assert.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { CONTROLLER_ASSERTION, shellQuote, type CheckResult, type Violation } from './report.js';
import { failures, traceOf } from './trace.js';

export interface ModelBasedOptions {
  readonly runs: number;
  readonly seed: number;
  /** Longest command sequence of one run. */
  readonly maxCommands: number;
  /** Replay of a reported failure: fast-check's path and the commands' replay path. */
  readonly path?: string;
  readonly replayPath?: string;
  /** The preset run; `standard` unless told. */
  readonly preset?: string;
  readonly onProgress?: (runs: number) => void;
}

interface Box {
  world: unknown;
}

class PropertyViolated extends Error {
  constructor(readonly properties: readonly string[]) {
    super(`violated: ${properties.join(', ')}`);
  }
}

/** One command of a run: fast-check reuses instances across runs and shrinks, so it holds no run state. */
class EventCommand implements fc.Command<Box, Box> {
  constructor(
    private readonly lifecycle: AnyLifecycle,
    readonly event: unknown,
    private readonly counter: { steps: number },
  ) {}

  check(): boolean {
    return true; // every command is tried in every state; a refusal is checked, not skipped
  }

  run(box: Box): void {
    const { after, outcome } = this.lifecycle.step(box.world, this.event);
    this.counter.steps += 1;
    const failed = failures(this.lifecycle, { before: box.world, event: this.event, outcome, after });
    box.world = after;
    if (failed.length > 0) throw new PropertyViolated(failed);
  }

  toString(): string {
    return this.lifecycle.formatEvent(this.event);
  }
}

export function modelBased(lifecycle: AnyLifecycle, variant: string, options: ModelBasedOptions): CheckResult {
  const started = performance.now();
  const counter = { steps: 0 };
  let executions = 0;
  const presetName = options.preset ?? 'standard';
  const preset = lifecycle.preset(presetName);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${presetName}`);
  const command = lifecycle.arbitrary(variant, preset).map((event) => new EventCommand(lifecycle, event, counter));
  const property = fc.property(
    fc.commands([command], { maxCommands: options.maxCommands, size: 'max', replayPath: options.replayPath }),
    (commands) => {
      executions += 1;
      if (executions % 50 === 0) options.onProgress?.(executions);
      fc.modelRun(() => {
        const box: Box = { world: lifecycle.initial(variant, preset) };
        return { model: box, real: box };
      }, commands);
    },
  );
  const details = fc.check(property, { seed: options.seed, numRuns: options.runs, path: options.path, endOnFailure: false });
  const violations: Violation[] = [];
  if (details.failed && details.counterexample !== null) {
    violations.push(counterexample(lifecycle, variant, presetName, details.counterexample[0], details.seed, details.counterexamplePath ?? '', details.errorInstance));
  }
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'model-based',
    states: 0,
    transitions: lifecycle.machineEdges(variant).length,
    transitionsCovered: 0,
    uncoveredTransitions: [],
    steps: counter.steps,
    runs: details.numRuns,
    properties: lifecycle.properties.map((p) => p.name),
    violations,
    ms: Math.round(performance.now() - started),
  };
}

/** The shrunk run as a violation: its commands up to the failing one, a trace, and the exact replay command. */
function counterexample(
  lifecycle: AnyLifecycle,
  variant: string,
  preset: string,
  commands: Iterable<fc.Command<Box, Box>>,
  seed: number,
  path: string,
  error: unknown,
): Violation {
  const replayPath = /replayPath="([^"]*)"/.exec(String(commands))?.[1] ?? '';
  const events: unknown[] = [];
  for (const wrapped of commands as Iterable<{ cmd?: EventCommand; hasRan?: boolean }>) {
    const inner = wrapped.cmd;
    if (inner !== undefined && wrapped.hasRan === true) events.push(inner.event);
  }
  const names = error instanceof PropertyViolated ? error.properties : [CONTROLLER_ASSERTION];
  const found = lifecycle.properties.find((p) => p.name === names[0]);
  return {
    property: names[0]!,
    ref: found?.ref ?? (error instanceof PropertyViolated ? '' : String(error)),
    trace: traceOf(lifecycle, variant, preset, events),
    events,
    replay: `copyspec verify --lifecycle ${lifecycle.id} --variant ${variant} --check model-based `
      + (preset === 'standard' ? '' : `--preset ${preset} `)
      + `--seed ${seed} --path ${shellQuote(path)} --replay-path ${shellQuote(replayPath)}`,
    seed,
    path,
    replayPath,
  };
}
