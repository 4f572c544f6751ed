/**
 * The exhaustive checker: a breadth-first search over a lifecycle's data-level worlds (minimal preset unless
 * told otherwise), trying every event of the alphabet in every world and checking every property after every
 * step. Breadth-first order makes the first violation of each property one with a shortest trace (as TLC and
 * Spin's -DBFS do). It then replays every simple path of every machine (@xstate/graph, made concrete by
 * src/harness/control-paths.ts), checking that the controller follows the machine state by state.
 *
 * @xstate/graph's own traversal serializes whole snapshots and slows down by about 4x per doubling of edges
 * (anchors/formal_tools.md §2.4), so it walks the machines and this search walks the data; both use the same
 * pure step function.
 *
 * The checker survives the controller it checks: anything a step throws (a failed assert, or a TypeError
 * from a bad index), and anything the key or a property throws on the world the step made, is reported as
 * `controller-assertion` with the trace that led to it, never as a crash of the checker.
 */
import { assert } from '../assert.js';
import { realizeControlPath } from '../harness/control-paths.js';
import type { AnyLifecycle, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION, FOLLOWS_MACHINE, replayCommand, TRANSITION_COVERAGE, type CheckResult, type Violation } from './report.js';
import { failures, propertyChecks, traceOf } from './trace.js';

export interface ExhaustiveOptions {
  /** Refuse to search more worlds than this: a bigger space is a configuration error, not a slow pass. */
  readonly maxStates: number;
  /** The preset searched; `minimal` unless told. */
  readonly preset?: string;
  /**
   * Stop at the end of the first breadth-first level by which every one of these properties has been
   * violated: every shortest trace of them is then found, and deeper worlds can add only longer traces of
   * other properties. The defect tests use it; `copyspec verify` always searches the whole space.
   */
  readonly stopWhenViolated?: readonly string[];
  readonly onProgress?: (states: number, queued: number) => void;
}

interface Node {
  readonly world: unknown;
  readonly parent: number;
  readonly event: unknown;
}

/** What one tried step gave: the new world (or the same one), its key, and the properties it violates. */
type Tried =
  | { readonly world: unknown; readonly key: string | null; readonly failed: readonly string[]; readonly taken: readonly string[] }
  | { readonly error: unknown };

class Search {
  readonly nodes: Node[];
  readonly seen: Map<string, number>;
  readonly violations = new Map<string, Violation>();
  readonly checks;
  readonly untaken: Set<string>;
  steps = 0;

  constructor(
    readonly lifecycle: AnyLifecycle,
    readonly variant: string,
    readonly preset: string,
    readonly initial: unknown,
    machineEdges: readonly string[],
  ) {
    this.nodes = [{ world: initial, parent: -1, event: null }];
    this.seen = new Map([[lifecycle.key(initial), 0]]);
    this.checks = propertyChecks(lifecycle);
    this.untaken = new Set(machineEdges);
  }

  /** Records the first violation of each property, with the events from the initial world to it. */
  record(failed: readonly string[], node: number, event: unknown): void {
    for (const name of failed) {
      if (this.violations.has(name)) continue;
      const events = eventsTo(this.nodes, node);
      if (event !== null) events.push(event);
      this.violations.set(name, violationOf(this.lifecycle, this.variant, this.preset, name, events));
    }
  }

  /** One step from `world`; a throw anywhere in it (step, edges, key, a property) is the step's error. */
  tryStep(world: unknown, event: unknown): Tried {
    try {
      const { after, outcome } = this.lifecycle.step(world, event);
      const view: Step<unknown, unknown, unknown> = { before: world, event, outcome, after };
      const taken = this.untaken.size > 0 ? this.lifecycle.takenEdges(view) : [];
      // A step that changed nothing returns the very same world; a world already seen has had its state
      // properties checked, so only the step is new.
      const key = after === world ? null : this.lifecycle.key(after);
      const known = key === null || this.seen.has(key);
      const failed = known ? this.checks.failingSteps(view) : [...this.checks.failingSteps(view), ...this.checks.failingStates(after)];
      return { world: after, key: known ? null : key, failed, taken };
    } catch (error) {
      return { error };
    }
  }

  /** Searches breadth first; true when it stopped at `stopWhenViolated` before the space was exhausted. */
  run(maxStates: number, stopWhenViolated: readonly string[] | undefined, onProgress?: (states: number, queued: number) => void): boolean {
    const { nodes } = this;
    let levelEnd = nodes.length;
    for (let index = 0; index < nodes.length; index += 1) {
      if (index === levelEnd) {
        if (stopWhenViolated !== undefined && stopWhenViolated.every((name) => this.violations.has(name))) return true;
        levelEnd = nodes.length;
      }
      const world = nodes[index]!.world;
      for (const event of this.lifecycle.alphabet(world)) {
        const tried = this.tryStep(world, event);
        this.steps += 1;
        if ('error' in tried) {
          this.record([CONTROLLER_ASSERTION], index, event);
          continue;
        }
        for (const edge of tried.taken) this.untaken.delete(edge);
        if (tried.failed.length > 0) {
          this.record(tried.failed, index, event);
          continue; // a violating world is a counterexample's end, not a place to search on from
        }
        if (tried.key === null) continue;
        this.seen.set(tried.key, nodes.length);
        nodes.push({ world: tried.world, parent: index, event });
        assert(nodes.length <= maxStates, () => `${this.lifecycle.id}/${this.variant}: more than ${maxStates} states; the ${this.preset} preset is too large`);
      }
      if (index % 20000 === 0) onProgress?.(index, nodes.length - index);
    }
    return false;
  }
}

export function exhaustive(lifecycle: AnyLifecycle, variant: string, options: ExhaustiveOptions): CheckResult {
  const started = performance.now();
  const presetName = options.preset ?? 'minimal';
  const preset = lifecycle.preset(presetName);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${presetName}`);
  const machineEdges = lifecycle.machineEdges(variant);
  const initial = lifecycle.initial(variant, preset);
  const search = new Search(lifecycle, variant, presetName, initial, machineEdges);
  search.record(search.checks.failingStates(initial), 0, null);
  const stoppedEarly = search.run(options.maxStates, options.stopWhenViolated, options.onProgress);
  const paths = replayControlPaths(lifecycle, variant, search.violations);
  const uncovered = machineEdges.filter((edge) => search.untaken.has(edge));
  // A transition the search never took is a gap in the check, reported like a violation so that verify
  // fails; with other violations it is reported too, since the search does not go on from violating worlds.
  if (uncovered.length > 0) {
    search.violations.set(TRANSITION_COVERAGE, {
      property: TRANSITION_COVERAGE,
      ref: `${uncovered.length} of ${machineEdges.length} machine transitions never taken`
        + (search.violations.size > 0 ? ' (the search does not go on from a violating world)' : ''),
      trace: uncovered.map((edge) => `not taken: ${edge}`),
      events: [],
      replay: `copyspec verify --lifecycle ${lifecycle.id} --variant ${variant} --check exhaustive`,
    });
  }
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'exhaustive',
    states: search.nodes.length,
    transitions: machineEdges.length,
    transitionsCovered: machineEdges.length - uncovered.length,
    uncoveredTransitions: uncovered,
    steps: search.steps + paths.steps,
    runs: paths.runs,
    properties: lifecycle.properties.map((property) => property.name),
    violations: [...search.violations.values()],
    ms: Math.round(performance.now() - started),
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

function eventsTo(nodes: readonly Node[], index: number): unknown[] {
  const events: unknown[] = [];
  for (let at = index; at > 0; at = nodes[at]!.parent) events.push(nodes[at]!.event);
  return events.reverse();
}

function violationOf(lifecycle: AnyLifecycle, variant: string, preset: string, property: string, events: readonly unknown[]): Violation {
  const found = lifecycle.properties.find((p) => p.name === property);
  return {
    property,
    ref: found?.ref ?? '',
    trace: traceOf(lifecycle, variant, preset, events),
    events,
    replay: replayCommand(lifecycle.id, variant, preset, events),
  };
}

/**
 * Replays each control path on the controller: after each machine step the controller must have taken that
 * transition and be in the machine's state, and every property must hold after every command. A divergence
 * is reported as the violation of `follows-machine`.
 */
function replayControlPaths(lifecycle: AnyLifecycle, variant: string, violations: Map<string, Violation>): { runs: number; steps: number } {
  let steps = 0;
  const paths = lifecycle.controlPaths(variant);
  for (const path of paths) {
    const realized = realizeControlPath(lifecycle, variant, path, (step, events) => {
      steps += 1;
      let failed: string[];
      try {
        failed = failures(lifecycle, step);
      } catch {
        failed = [CONTROLLER_ASSERTION];
      }
      for (const name of failed) if (!violations.has(name)) violations.set(name, violationOf(lifecycle, variant, 'minimal', name, [...events]));
    });
    if (realized.failure !== null && !violations.has(FOLLOWS_MACHINE)) {
      violations.set(FOLLOWS_MACHINE, {
        ...violationOf(lifecycle, variant, 'minimal', FOLLOWS_MACHINE, realized.events),
        ref: `${path.machine} path ${path.description}: ${realized.failure}`,
      });
    }
  }
  return { runs: paths.length, steps };
}
