/**
 * Checking properties and turning a list of commands into a readable counterexample, shared by the
 * exhaustive checker and the model-based runner.
 */
import { assert } from '../assert.js';
import type { AnyLifecycle, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION } from './report.js';

const NONE: readonly string[] = [];

/**
 * A lifecycle's properties, split once into state and step predicates, each list in the order the lifecycle
 * gives them: a check calls exactly the predicates it would call by testing every property for its kind, in
 * the same order, without the test.
 */
export class PropertyChecks {
  private readonly stateChecks: readonly { readonly name: string; readonly holds: (world: unknown) => boolean }[];
  private readonly stepChecks: readonly { readonly name: string; readonly holds: (step: Step<unknown, unknown, unknown>) => boolean }[];

  constructor(lifecycle: AnyLifecycle) {
    this.stateChecks = lifecycle.properties.flatMap((p) => (p.state === undefined ? [] : [{ name: p.name, holds: p.state }]));
    this.stepChecks = lifecycle.properties.flatMap((p) => (p.step === undefined ? [] : [{ name: p.name, holds: p.step }]));
  }

  /** The names of the state properties that do not hold in `world` (a shared empty list when all hold). */
  failingStates(world: unknown): readonly string[] {
    let failed = NONE;
    for (const { name, holds } of this.stateChecks) if (!holds(world)) failed = [...failed, name];
    return failed;
  }

  /** The names of the step properties that do not hold for `step` (a shared empty list when all hold). */
  failingSteps(step: Step<unknown, unknown, unknown>): readonly string[] {
    let failed = NONE;
    for (const { name, holds } of this.stepChecks) if (!holds(step)) failed = [...failed, name];
    return failed;
  }
}

const checksByProperties = new WeakMap<AnyLifecycle['properties'], PropertyChecks>();

/** The checks of a lifecycle's properties, made once per property list (a lifecycle's list never changes). */
export function propertyChecks(lifecycle: AnyLifecycle): PropertyChecks {
  let checks = checksByProperties.get(lifecycle.properties);
  if (checks === undefined) {
    checks = new PropertyChecks(lifecycle);
    checksByProperties.set(lifecycle.properties, checks);
  }
  return checks;
}

/** Every property that fails on this step, state and step properties alike. */
export function failures(lifecycle: AnyLifecycle, step: Step<unknown, unknown, unknown>): string[] {
  const checks = propertyChecks(lifecycle);
  return [...checks.failingSteps(step), ...checks.failingStates(step.after)];
}

/**
 * Replays `events` from the initial world and formats one line per step, numbered from 1, each followed by
 * the properties it violates; line 0 is the initial world. A controller that throws ends the trace with a
 * `controller-assertion` line.
 */
export function replayTrace(
  lifecycle: AnyLifecycle,
  variant: string,
  preset: string,
  events: readonly unknown[],
  /** The preset's geometry when `preset` names one the lifecycle does not (a preset file). */
  given?: unknown,
): { readonly lines: string[]; readonly failed: string[] } {
  const geometry = given ?? lifecycle.preset(preset);
  assert(geometry !== undefined, () => `${lifecycle.id} has no preset ${preset}`);
  let world = lifecycle.initial(variant, geometry);
  const initialFailed = propertyChecks(lifecycle).failingStates(world);
  const lines = [`0. initial → ${lifecycle.formatWorld(world)}${initialFailed.length > 0 ? `  ✗ ${initialFailed.join(', ')}` : ''}`];
  const allFailed: string[] = [...initialFailed];
  for (const [index, event] of events.entries()) {
    let view: Step<unknown, unknown, unknown>;
    let failed: string[];
    let line: string;
    try {
      const stepped = lifecycle.step(world, event);
      view = { before: world, event, outcome: stepped.outcome, after: stepped.after };
      failed = failures(lifecycle, view);
      line = lifecycle.formatStep(view);
    } catch (error) {
      lines.push(`${index + 1}. ${lifecycle.formatEvent(event)} → the controller threw: ${String((error as Error)?.message ?? error)}  ✗ ${CONTROLLER_ASSERTION}`);
      allFailed.push(CONTROLLER_ASSERTION);
      break;
    }
    allFailed.push(...failed);
    lines.push(`${index + 1}. ${line}${failed.length > 0 ? `  ✗ ${failed.join(', ')}` : ''}`);
    world = view.after;
  }
  return { lines, failed: allFailed };
}

export function traceOf(lifecycle: AnyLifecycle, variant: string, preset: string, events: readonly unknown[], geometry?: unknown): string[] {
  return replayTrace(lifecycle, variant, preset, events, geometry).lines;
}
