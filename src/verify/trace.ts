/**
 * Checking properties and turning a list of commands into a readable counterexample, shared by the
 * exhaustive checker and the model-based runner.
 */
import type { AnyLifecycle, PresetName, Step } from '../lifecycle.js';

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
 * the properties it violates. Line 0 is the initial world.
 */
export function traceOf(lifecycle: AnyLifecycle, variant: string, preset: PresetName, events: readonly unknown[]): string[] {
  let world = lifecycle.initial(variant, preset);
  const lines = [`0. initial → ${lifecycle.formatWorld(world)}`];
  events.forEach((event, index) => {
    const { after, outcome } = lifecycle.step(world, event);
    const view = { before: world, event, outcome, after };
    const failed = failures(lifecycle, view);
    lines.push(`${index + 1}. ${lifecycle.formatStep(view)}${failed.length > 0 ? `  ✗ ${failed.join(', ')}` : ''}`);
    world = after;
  });
  return lines;
}
