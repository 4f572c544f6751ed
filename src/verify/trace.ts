/**
 * Checking properties and turning a list of commands into a readable counterexample, shared by the
 * exhaustive checker and the model-based runner.
 */
import type { AnyLifecycle, PresetName, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION } from './report.js';

/** The names of the state properties that do not hold in `world`. */
export function checkState(lifecycle: AnyLifecycle, world: unknown): string[] {
  const failed: string[] = [];
  for (const property of lifecycle.properties) if (property.state !== undefined && !property.state(world)) failed.push(property.name);
  return failed;
}

/** The names of the step properties that do not hold for `step`. */
export function checkStep(lifecycle: AnyLifecycle, step: Step<unknown, unknown, unknown>): string[] {
  const failed: string[] = [];
  for (const property of lifecycle.properties) if (property.step !== undefined && !property.step(step)) failed.push(property.name);
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
