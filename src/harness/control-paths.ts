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
 */
import type { AnyLifecycle, ControlPath, Step } from '../lifecycle.js';
import { edgeName } from './machines.js';

/** Bounds of one search for the commands of one machine step (STYLE.md "Limits and presets"). */
export const SEARCH_LIMITS = { depth: 16, worlds: 100_000 } as const;

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
 * command it runs. A command that throws ends the path with the error as its failure.
 */
export function realizeControlPath(
  lifecycle: AnyLifecycle,
  variant: string,
  path: ControlPath,
  visit: (step: Step<unknown, unknown, unknown>, events: readonly unknown[]) => void = () => {},
): RealizedPath {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  const steps: RealizedStep[] = [];
  const events: unknown[] = [];
  for (const machineStep of path.steps) {
    const wanted: Wanted = { ...machineStep, machine: path.machine };
    const commands = commandsFor(lifecycle, variant, world, wanted);
    if (commands === null) {
      return { path, steps, events, failure: `no sequence of at most ${SEARCH_LIMITS.depth} commands makes the controller take ${edgeName(wanted)}` };
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
