/**
 * A counterexample as the trace player steps through it: its events replayed through the lifecycle from the
 * preset's initial world, exactly as `copyspec replay` replays them (src/verify/trace.ts), and for each step
 * what the player shows: the trace line, each machine's state, the transitions taken (as the diagram's
 * transition ids), what a port observes, the cells that differ from the model (the lifecycle's `differences`
 * hook) and the properties the step violates. A controller that throws ends the trace at that step, as it
 * ends the terminal's.
 */
import { assert } from '../assert.js';
import type { AnyLifecycle, Differences } from '../lifecycle.js';
import { CONTROLLER_ASSERTION } from '../verify/report.js';
import { failures, propertyChecks } from '../verify/trace.js';

export interface PlayerStep {
  /** 0 is the initial world. */
  readonly index: number;
  /** The command, as the trace line writes it; null for the initial world. */
  readonly command: string | null;
  /** `accepted`, or `rejected <reason> (<code>)`; null for the initial world and a throw. */
  readonly verdict: string | null;
  /** The whole trace line the terminal prints for this step. */
  readonly line: string;
  /** Each machine's state key, by machine id. */
  readonly states: Readonly<Record<string, string>>;
  /** The diagram transition ids of the machine transitions the step took. */
  readonly taken: readonly string[];
  readonly observed: Readonly<Record<string, unknown>>;
  readonly differs: Differences;
  readonly failed: readonly string[];
  /** The controller's message when the step threw; the world is then the one before it. */
  readonly threw: string | null;
}

function verdictOf(lifecycle: AnyLifecycle, outcome: unknown): string {
  const observed = lifecycle.observeOutcome(outcome);
  return observed.accepted ? 'accepted' : `rejected ${observed.reason} (${observed.code})`;
}

/**
 * Replays `events` and describes every step. `transitionId` maps a taken edge name
 * (`<machine>: <source> --<event>--> <target>`) to the diagram's transition id.
 */
export function playerSteps(
  lifecycle: AnyLifecycle,
  variant: string,
  preset: string,
  events: readonly unknown[],
  transitionId: (edge: string) => string | undefined,
): PlayerStep[] {
  const geometry = lifecycle.preset(preset);
  assert(geometry !== undefined, () => `${lifecycle.id} has no preset ${preset}`);
  let world = lifecycle.initial(variant, geometry);
  const view = (w: unknown) => ({ states: lifecycle.controlStates(w), observed: lifecycle.observe(w), differs: lifecycle.differences(w) });
  const steps: PlayerStep[] = [{
    index: 0, command: null, verdict: null, line: `initial → ${lifecycle.formatWorld(world)}`, taken: [],
    failed: [...propertyChecks(lifecycle).failingStates(world)], threw: null, ...view(world),
  }];
  for (const [at, event] of events.entries()) {
    const index = at + 1;
    const command = lifecycle.formatEvent(event);
    try {
      const { after, outcome } = lifecycle.step(world, event);
      const step = { before: world, event, outcome, after };
      const failed = failures(lifecycle, step);
      const taken = lifecycle.takenEdges(step).map(transitionId).filter((id): id is string => id !== undefined);
      steps.push({ index, command, verdict: verdictOf(lifecycle, outcome), line: lifecycle.formatStep(step), taken, failed, threw: null, ...view(after) });
      world = after;
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      steps.push({
        index, command, verdict: null, line: `${command} → the controller threw: ${message}`, taken: [],
        failed: [CONTROLLER_ASSERTION], threw: message, ...view(world),
      });
      break;
    }
  }
  return steps;
}
