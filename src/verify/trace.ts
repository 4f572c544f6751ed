/**
 * Checking properties and turning a list of commands into a readable counterexample, shared by the
 * exhaustive checker and the model-based runner.
 */
import type { AnyLifecycle, PresetName, Step } from '../lifecycle.js';
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
  preset: PresetName,
  events: readonly unknown[],
): { readonly lines: string[]; readonly failed: string[] } {
  let world = lifecycle.initial(variant, preset);
  const lines = [`0. initial → ${lifecycle.formatWorld(world)}`];
  const allFailed: string[] = [];
  for (const [index, event] of events.entries()) {
    let stepped: { after: unknown; outcome: unknown };
    try {
      stepped = lifecycle.step(world, event);
    } catch (error) {
      lines.push(`${index + 1}. ${lifecycle.formatEvent(event)} → the controller threw: ${(error as Error).message}  ✗ controller-assertion`);
      allFailed.push(CONTROLLER_ASSERTION);
      break;
    }
    const view = { before: world, event, outcome: stepped.outcome, after: stepped.after };
    const failed = failures(lifecycle, view);
    allFailed.push(...failed);
    lines.push(`${index + 1}. ${lifecycle.formatStep(view)}${failed.length > 0 ? `  ✗ ${failed.join(', ')}` : ''}`);
    world = stepped.after;
  }
  return { lines, failed: allFailed };
}

export function traceOf(lifecycle: AnyLifecycle, variant: string, preset: PresetName, events: readonly unknown[]): string[] {
  return replayTrace(lifecycle, variant, preset, events).lines;
}
