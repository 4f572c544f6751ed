/**
 * Control-level paths made concrete: each step of a machine's simple path (src/harness/machines.ts) becomes
 * the commands that make the controller take that machine transition, and the controller must then be in the
 * machine's state. The exhaustive check replays every path this way and reports a divergence as
 * `follows-machine`; the `control-path` vectors are these commands.
 *
 * The commands come from the lifecycle's `commandsFor` when it gives them; otherwise from the shortest
 * sequence of alphabet commands, found breadth first, whose last step takes the transition while the machine
 * stays in its source state before it. A search is bounded in depth and in worlds, and its answers are
 * remembered per world and transition, since paths share their prefixes.
 *
 * Step by step, each choice is made without looking ahead, so a path whose later branch depends on data an
 * earlier step fixed (which entry a run took, how long its volume is) can fail although the machine allows
 * it. Such a path is then searched whole: the shortest sequence of alphabet commands from the initial world
 * whose machine transitions are exactly the path's (`wholePath`: one breadth-first search per machine and
 * variant for all of them, bounded by WHOLE_PATH_LIMITS). A path the step-by-step search realizes is never
 * searched whole, so lifecycles without such branches are realized exactly as before.
 */
import type { AnyLifecycle, ControlPath, Step } from '../lifecycle.js';
import { edgeName } from './machines.js';

/** Bounds of one search for the commands of one machine step (STYLE.md "Limits and presets"). */
export const SEARCH_LIMITS = { depth: 16, worlds: 100_000 } as const;

/** Bounds of the whole-path search (one per machine and variant), for paths the step-by-step search cannot realize. */
export const WHOLE_PATH_LIMITS = { depth: 64, worlds: 300_000 } as const;

export interface RealizedStep {
  readonly eventType: string;
  readonly source: string;
  readonly target: string;
  readonly events: readonly unknown[];
}

export interface RealizedPath {
  readonly path: ControlPath;
  /** The steps made concrete, up to the first that failed. */
  readonly steps: readonly RealizedStep[];
  /** Every command run, the failing step's included. */
  readonly events: readonly unknown[];
  /** Why the controller did not follow the machine, if it did not. */
  readonly failure: string | null;
}

type Wanted = ControlPath['steps'][number] & { readonly machine: string };

interface SearchNode {
  readonly world: unknown;
  readonly parent: number;
  readonly event: unknown;
  readonly depth: number;
}

function takesWanted(lifecycle: AnyLifecycle, outcome: unknown, wanted: Wanted): boolean {
  return lifecycle.taken(outcome).some((t) => t.machine === wanted.machine && t.source === wanted.source
    && t.eventType === wanted.eventType && t.target === wanted.target);
}

function leavesSource(lifecycle: AnyLifecycle, outcome: unknown, machine: string): boolean {
  return lifecycle.taken(outcome).some((t) => t.machine === machine && t.target !== t.source);
}

function pathTo(nodes: readonly SearchNode[], index: number, last: unknown): unknown[] {
  const events = [last];
  for (let at = index; at > 0; at = nodes[at]!.parent) events.push(nodes[at]!.event);
  return events.reverse();
}

/** The shortest alphabet sequence from `world` whose last step takes `wanted`, or null within the bounds. */
function search(lifecycle: AnyLifecycle, world: unknown, wanted: Wanted): unknown[] | null {
  const nodes: SearchNode[] = [{ world, parent: -1, event: null, depth: 0 }];
  const seen = new Set([lifecycle.key(world)]);
  for (let index = 0; index < nodes.length; index += 1) {
    const node = nodes[index]!;
    for (const event of lifecycle.alphabet(node.world)) {
      let stepped: { after: unknown; outcome: unknown };
      try {
        stepped = lifecycle.step(node.world, event);
      } catch {
        continue; // the exhaustive search reports a controller that throws, with its trace
      }
      if (takesWanted(lifecycle, stepped.outcome, wanted)) return pathTo(nodes, index, event);
      if (leavesSource(lifecycle, stepped.outcome, wanted.machine) || node.depth + 1 >= SEARCH_LIMITS.depth) continue;
      const key = lifecycle.key(stepped.after);
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ world: stepped.after, parent: index, event, depth: node.depth + 1 });
      if (nodes.length >= SEARCH_LIMITS.worlds) return null;
    }
  }
  return null;
}

/** Found command sequences, by lifecycle, variant, world key and transition. */
const found = new WeakMap<AnyLifecycle, Map<string, unknown[] | null>>();

function commandsFor(lifecycle: AnyLifecycle, variant: string, world: unknown, wanted: Wanted): unknown[] | null {
  const given = lifecycle.commandsFor?.(wanted.machine, wanted.eventType, world);
  if (given === null) return null; // the lifecycle rules it out from this world: the path is searched whole
  if (given !== undefined) return [...given];
  let memo = found.get(lifecycle);
  if (memo === undefined) {
    memo = new Map();
    found.set(lifecycle, memo);
  }
  const id = `${variant}\u0000${lifecycle.key(world)}\u0000${edgeName(wanted)}`;
  let answer = memo.get(id);
  if (answer === undefined) {
    answer = search(lifecycle, world, wanted);
    memo.set(id, answer);
  }
  return answer;
}

/**
 * Makes one control path concrete from the minimal preset's initial world, calling `visit` for every
 * command it runs. A command that throws ends the path with the error as its failure. When the step-by-step
 * search fails to find a step's commands, the path is searched whole (see the header) and, if found, run.
 */
export function realizeControlPath(
  lifecycle: AnyLifecycle,
  variant: string,
  path: ControlPath,
  visit: (step: Step<unknown, unknown, unknown>, events: readonly unknown[]) => void = () => {},
): RealizedPath {
  // The visits wait until it is known which realization is run, so that each command is visited once.
  const visits: [Step<unknown, unknown, unknown>, unknown[]][] = [];
  const stepwise = realizeStepwise(lifecycle, variant, path, (step, events) => { visits.push([step, events.slice()]); });
  const whole = stepwise.failure !== null && stepwise.failure.startsWith(NOT_FOUND) ? wholePath(lifecycle, variant, path) : null;
  if (whole !== null) return realizeGiven(lifecycle, variant, path, whole, visit);
  for (const [step, events] of visits) visit(step, events);
  return stepwise;
}

const NOT_FOUND = 'no sequence of at most';

function realizeStepwise(
  lifecycle: AnyLifecycle,
  variant: string,
  path: ControlPath,
  visit: (step: Step<unknown, unknown, unknown>, events: readonly unknown[]) => void,
): RealizedPath {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  const steps: RealizedStep[] = [];
  const events: unknown[] = [];
  for (const machineStep of path.steps) {
    const wanted: Wanted = { ...machineStep, machine: path.machine };
    const commands = commandsFor(lifecycle, variant, world, wanted);
    if (commands === null) {
      return { path, steps, events, failure: `${NOT_FOUND} ${SEARCH_LIMITS.depth} commands makes the controller take ${edgeName(wanted)}` };
    }
    let tookIt = false;
    for (const event of commands) {
      let stepped: { after: unknown; outcome: unknown };
      try {
        stepped = lifecycle.step(world, event);
      } catch (error) {
        return { path, steps, events: [...events, event], failure: `the controller threw on ${lifecycle.formatEvent(event)}: ${(error as Error).message}` };
      }
      events.push(event);
      tookIt ||= takesWanted(lifecycle, stepped.outcome, wanted);
      visit({ before: world, event, outcome: stepped.outcome, after: stepped.after }, events);
      world = stepped.after;
    }
    steps.push({ ...machineStep, events: commands });
    const state = lifecycle.controlStates(world)[path.machine];
    if (!tookIt || state !== machineStep.target) {
      return { path, steps, events, failure: `expected ${edgeName(wanted)}; the controller ${tookIt ? 'took it but is' : 'did not take it and is'} in ${state}` };
    }
  }
  return { path, steps, events, failure: null };
}

interface PathNode {
  readonly world: unknown;
  readonly parent: number;
  readonly event: unknown;
  readonly depth: number;
  /** The machine's transitions since the initial world, as edge names joined by newlines. */
  readonly history: string;
  /** How many of the machine's transitions the command that led here took. */
  readonly took: number;
}

const edgeOf = (step: ControlPath['steps'][number]): string => `${step.source} --${step.eventType}--> ${step.target}`;
const historyOf = (steps: readonly ControlPath['steps'][number][]): string => steps.map(edgeOf).join('\n');

/** Whole-path command sequences (one array per path step), by lifecycle, then variant and machine, then path history. */
const wholePaths = new WeakMap<AnyLifecycle, Map<string, Map<string, unknown[][]>>>();

/** The commands of a path the step-by-step search could not realize; null when none within the bounds. */
function wholePath(lifecycle: AnyLifecycle, variant: string, path: ControlPath): unknown[][] | null {
  let byLifecycle = wholePaths.get(lifecycle);
  if (byLifecycle === undefined) {
    byLifecycle = new Map();
    wholePaths.set(lifecycle, byLifecycle);
  }
  const id = `${variant}\u0000${path.machine}`;
  let found = byLifecycle.get(id);
  if (found === undefined) {
    found = searchMachinePaths(lifecycle, variant, path.machine);
    byLifecycle.set(id, found);
  }
  return found.get(historyOf(path.steps)) ?? null;
}

/**
 * One breadth-first search from the initial world for every simple path of one machine: a node is a world
 * and the machine's transitions so far, kept only while those are the start of some path, so the search
 * covers each path's prefix once. The first node whose transitions are a whole path gives that path's
 * shortest command sequence.
 */
function searchMachinePaths(lifecycle: AnyLifecycle, variant: string, machine: string): Map<string, unknown[][]> {
  const paths = lifecycle.controlPaths(variant).filter((p) => p.machine === machine && p.steps.length > 0);
  const wanted = new Map(paths.map((p) => [historyOf(p.steps), p.steps.length]));
  const prefixes = new Set(paths.flatMap((p) => p.steps.map((_, n) => historyOf(p.steps.slice(0, n)))));
  const found = new Map<string, unknown[][]>();
  const nodes: PathNode[] = [{ world: lifecycle.initial(variant, lifecycle.presets.minimal), parent: -1, event: null, depth: 0, history: '', took: 0 }];
  const seen = new Set([`\u0000${lifecycle.key(nodes[0]!.world)}`]);
  for (let index = 0; index < nodes.length && found.size < wanted.size; index += 1) {
    const node = nodes[index]!;
    if (node.depth >= WHOLE_PATH_LIMITS.depth) continue;
    for (const event of lifecycle.alphabet(node.world)) {
      let stepped: { after: unknown; outcome: unknown };
      try {
        stepped = lifecycle.step(node.world, event);
      } catch {
        continue;
      }
      const edges = lifecycle.taken(stepped.outcome).filter((t) => t.machine === machine).map((t) => edgeOf(t));
      const history = [node.history, ...edges].filter((part) => part !== '').join('\n');
      const next: PathNode = { world: stepped.after, parent: index, event, depth: node.depth + 1, history, took: edges.length };
      if (edges.length > 0 && wanted.has(history) && !found.has(history)) found.set(history, groupedEvents([...nodes, next], nodes.length, wanted.get(history)!));
      if (!prefixes.has(history)) continue;
      const key = `${history}\u0000${lifecycle.key(stepped.after)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push(next);
      if (nodes.length >= WHOLE_PATH_LIMITS.worlds) return found;
    }
  }
  return found;
}

/** The commands from the initial world to `last`, one array per path step: a step's ends with the command that took it. */
function groupedEvents(nodes: readonly PathNode[], last: number, stepCount: number): unknown[][] {
  const chain: PathNode[] = [];
  for (let at = last; at > 0; at = nodes[at]!.parent) chain.push(nodes[at]!);
  chain.reverse();
  const groups: unknown[][] = [[]];
  for (const node of chain) {
    groups[groups.length - 1]!.push(node.event);
    for (let took = 0; took < node.took; took += 1) groups.push([]);
  }
  return groups.slice(0, stepCount);
}

/** Runs a path's given commands, step by step, as the step-by-step realization does. */
function realizeGiven(
  lifecycle: AnyLifecycle,
  variant: string,
  path: ControlPath,
  groups: readonly unknown[][],
  visit: (step: Step<unknown, unknown, unknown>, events: readonly unknown[]) => void,
): RealizedPath {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  const steps: RealizedStep[] = [];
  const events: unknown[] = [];
  path.steps.forEach((machineStep, index) => {
    for (const event of groups[index]!) {
      const stepped = lifecycle.step(world, event);
      events.push(event);
      visit({ before: world, event, outcome: stepped.outcome, after: stepped.after }, events);
      world = stepped.after;
    }
    steps.push({ ...machineStep, events: groups[index]! });
  });
  return { path, steps, events, failure: null };
}
