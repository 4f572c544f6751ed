/**
 * The exhaustive checker: a breadth-first search over a lifecycle's data-level worlds (minimal preset),
 * trying every event of the alphabet in every world and checking every property after every step.
 * Breadth-first order makes the first violation of each property one with a shortest trace (as TLC and
 * Spin's -DBFS do). It then replays every control-level path that @xstate/graph generates from the machine,
 * checking that the controller follows the machine state by state.
 *
 * @xstate/graph's own traversal serializes whole snapshots and slows down by about 4x per doubling of edges
 * (anchors/formal_tools.md §2.4), so it walks the machine and this search walks the data; both use the same
 * pure step function.
 */
import { assert } from '../assert.js';
import type { AnyLifecycle, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION, FOLLOWS_MACHINE, replayCommand, TRANSITION_COVERAGE, type CheckResult, type Violation } from './report.js';
import { failures, propertyChecks, traceOf } from './trace.js';

export interface ExhaustiveOptions {
  /** Refuse to search more worlds than this: a bigger space is a configuration error, not a slow pass. */
  readonly maxStates: number;
  readonly onProgress?: (states: number, queued: number) => void;
}

interface Node {
  readonly world: unknown;
  readonly parent: number;
  readonly event: unknown;
}

export function exhaustive(lifecycle: AnyLifecycle, variant: string, options: ExhaustiveOptions): CheckResult {
  const started = performance.now();
  const machineEdges = lifecycle.machineEdges(variant);
  // Machine transitions no step has taken yet; once none is left, no step needs asking which ones it took.
  const untaken = new Set(machineEdges);
  const violations = new Map<string, Violation>();
  const checks = propertyChecks(lifecycle);
  const initial = lifecycle.initial(variant, 'minimal');
  const nodes: Node[] = [{ world: initial, parent: -1, event: null }];
  const seen = new Map<string, number>([[lifecycle.key(initial), 0]]);
  let steps = 0;

  const record = (failed: readonly string[], node: number, event: unknown): void => {
    for (const name of failed) {
      if (violations.has(name)) continue;
      const events = eventsTo(nodes, node);
      if (event !== null) events.push(event);
      violations.set(name, violationOf(lifecycle, variant, name, events));
    }
  };
  record(checks.failingStates(initial), 0, null);

  for (let index = 0; index < nodes.length; index += 1) {
    const world = nodes[index]!.world;
    for (const event of lifecycle.exhaustiveEvents(world)) {
      const stepped = safeStep(lifecycle, world, event);
      steps += 1;
      if ('error' in stepped) {
        record([CONTROLLER_ASSERTION], index, event);
        continue;
      }
      const { after, outcome } = stepped;
      const view: Step<unknown, unknown, unknown> = { before: world, event, outcome, after };
      if (untaken.size > 0) for (const edge of lifecycle.takenEdges(view)) untaken.delete(edge);
      // A world already seen has had its state properties checked; only the step is new. A step that
      // changed nothing returns the very same world.
      const key = after === world ? '' : lifecycle.key(after);
      const known = after === world || seen.has(key);
      const failed = known ? checks.failingSteps(view) : [...checks.failingSteps(view), ...checks.failingStates(after)];
      if (failed.length > 0) {
        record(failed, index, event);
        continue; // a violating world is a counterexample's end, not a place to search on from
      }
      if (known) continue;
      seen.set(key, nodes.length);
      nodes.push({ world: after, parent: index, event });
      assert(nodes.length <= options.maxStates, () => `${lifecycle.id}/${variant}: more than ${options.maxStates} states; the minimal preset is too large`);
    }
    if (index % 20000 === 0) options.onProgress?.(index, nodes.length - index);
  }

  const paths = replayControlPaths(lifecycle, variant, violations);
  const uncovered = machineEdges.filter((edge) => untaken.has(edge));
  // A transition the search never took is a gap in the check, reported like a violation so that verify fails.
  // With another violation it is expected: the search does not go on from a violating world.
  if (uncovered.length > 0 && violations.size === 0) {
    violations.set(TRANSITION_COVERAGE, {
      property: TRANSITION_COVERAGE,
      ref: `${uncovered.length} of ${machineEdges.length} machine transitions never taken`,
      trace: uncovered.map((edge) => `not taken: ${edge}`),
      events: [],
      replay: `copyspec verify --lifecycle ${lifecycle.id} --variant ${variant} --check exhaustive`,
    });
  }
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'exhaustive',
    states: nodes.length,
    transitions: machineEdges.length,
    transitionsCovered: machineEdges.length - uncovered.length,
    uncoveredTransitions: uncovered,
    steps: steps + paths.steps,
    runs: paths.runs,
    properties: lifecycle.properties.map((property) => property.name),
    violations: [...violations.values()],
    ms: Math.round(performance.now() - started),
  };
}

/** A controller that throws (a failed internal assert) is a violation like any other, with a trace. */
function safeStep(lifecycle: AnyLifecycle, world: unknown, event: unknown): { after: unknown; outcome: unknown } | { error: unknown } {
  try {
    return lifecycle.step(world, event);
  } catch (error) {
    return { error };
  }
}

function eventsTo(nodes: readonly Node[], index: number): unknown[] {
  const events: unknown[] = [];
  for (let at = index; at > 0; at = nodes[at]!.parent) events.push(nodes[at]!.event);
  return events.reverse();
}

function violationOf(lifecycle: AnyLifecycle, variant: string, property: string, events: readonly unknown[]): Violation {
  const found = lifecycle.properties.find((p) => p.name === property);
  return {
    property,
    ref: found?.ref ?? '',
    trace: traceOf(lifecycle, variant, 'minimal', events),
    events,
    replay: replayCommand(lifecycle.id, variant, 'minimal', events),
  };
}

/**
 * Replays each @xstate/graph control path on the controller: after each machine step the controller must
 * be in the machine's state, and every property must hold. A divergence is reported as the violation of
 * `follows-machine`.
 */
function replayControlPaths(lifecycle: AnyLifecycle, variant: string, violations: Map<string, Violation>): { runs: number; steps: number } {
  let steps = 0;
  const paths = lifecycle.controlPaths(variant);
  for (const path of paths) {
    let world = lifecycle.initial(variant, 'minimal');
    const events: unknown[] = [];
    for (const machineStep of path.steps) {
      for (const event of machineStep.events) {
        const { after, outcome } = lifecycle.step(world, event);
        steps += 1;
        events.push(event);
        const failed = failures(lifecycle, { before: world, event, outcome, after });
        for (const name of failed) if (!violations.has(name)) violations.set(name, violationOf(lifecycle, variant, name, events));
        world = after;
      }
      if (lifecycle.controlState(world) !== machineStep.state && !violations.has(FOLLOWS_MACHINE)) {
        violations.set(FOLLOWS_MACHINE, {
          ...violationOf(lifecycle, variant, FOLLOWS_MACHINE, events),
          ref: `machine path ${path.description}: expected ${machineStep.state}`,
        });
      }
    }
  }
  return { runs: paths.length, steps };
}
