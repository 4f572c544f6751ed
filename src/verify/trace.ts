/**
 * Checking properties and turning a list of commands into a readable counterexample, shared by the
 * exhaustive checker and the model-based runner.
 */
import type { AnyLifecycle, PresetName, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION } from './report.js';

/** A lifecycle's state predicates and step predicates, each in the order the lifecycle lists its properties. */
interface Checks {
  readonly state: readonly { readonly name: string; readonly holds: (world: unknown) => boolean }[];
  readonly step: readonly { readonly name: string; readonly holds: (step: Step<unknown, unknown, unknown>) => boolean }[];
}

const checksByProperties = new WeakMap<AnyLifecycle['properties'], Checks>();

/**
 * The properties split once into the two kinds: a check then calls exactly the predicates it called when it
 * tested every property for its kind, in the same order, without the test. A lifecycle's property list is
 * fixed, so the split is cached by it.
 */
function checksOf(lifecycle: AnyLifecycle): Checks {
  let checks = checksByProperties.get(lifecycle.properties);
  if (checks === undefined) {
    const state: Checks['state'][number][] = [];
    const step: Checks['step'][number][] = [];
    for (const property of lifecycle.properties) {
      if (property.state !== undefined) state.push({ name: property.name, holds: property.state });
      if (property.step !== undefined) step.push({ name: property.name, holds: property.step });
    }
    checks = { state, step };
    checksByProperties.set(lifecycle.properties, checks);
  }
  return checks;
}

/** The names of the state properties that do not hold in `world`. */
export function checkState(lifecycle: AnyLifecycle, world: unknown): string[] {
  const failed: string[] = [];
  for (const { name, holds } of checksOf(lifecycle).state) if (!holds(world)) failed.push(name);
  return failed;
}

/** The names of the step properties that do not hold for `step`. */
export function checkStep(lifecycle: AnyLifecycle, step: Step<unknown, unknown, unknown>): string[] {
  const failed: string[] = [];
  for (const { name, holds } of checksOf(lifecycle).step) if (!holds(step)) failed.push(name);
  return failed;
}

/** Every property that fails on this step, state and step properties alike. */
export function failures(lifecycle: AnyLifecycle, step: Step<unknown, unknown, unknown>): string[] {
  return [...checkStep(lifecycle, step), ...checkState(lifecycle, step.after)];
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
