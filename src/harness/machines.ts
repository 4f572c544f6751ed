/**
 * What the harness reads off a lifecycle's machines, the same way for every machine of every lifecycle:
 * the event types a machine knows, the transitions a variant enables from each reachable machine state (what
 * coverage counts), and the simple paths of the machine from @xstate/graph (what the control-level check
 * replays on the controller and what the `control-path` vectors hold).
 *
 * A machine's context is its variant's fixed parameters and no guard reads an event's payload (src/control.ts),
 * so a machine state and an event type decide the transition, and a bare `{ type }` event stands for every
 * command of that type.
 */
import { getSimplePaths } from '@xstate/graph';
import { initialTransition, type AnyStateMachine, type AnyStateNode } from 'xstate';
import { ControlTable, stateKey } from '../control.js';
import type { ControlPath, MachineEntry, MachineTransition, TakenTransition } from '../lifecycle.js';

/** `<machine>: <source> --<event>--> <target>`: how coverage, traces and reports name a transition. */
export function edgeName(transition: TakenTransition): string {
  return `${transition.machine}: ${transition.source} --${transition.eventType}--> ${transition.target}`;
}

function eventTypesOfNode(node: AnyStateNode, types: Set<string>): void {
  for (const type of Object.keys(node.config.on ?? {})) types.add(type);
  for (const child of Object.values(node.states)) eventTypesOfNode(child, types);
}

const eventTypesCache = new WeakMap<AnyStateMachine, readonly string[]>();

/** Every event type a transition of the machine names, sorted. */
export function eventTypesOf(machine: AnyStateMachine): readonly string[] {
  let types = eventTypesCache.get(machine);
  if (types === undefined) {
    const found = new Set<string>();
    eventTypesOfNode(machine.root, found);
    types = [...found].sort();
    eventTypesCache.set(machine, types);
  }
  return types;
}

/** The machine's initial state key for a variant, from XState's pure `initialTransition`. */
export function initialStateOf(machine: AnyStateMachine, input: object): string {
  return stateKey(initialTransition(machine, input)[0].value);
}

/**
 * The transitions the variant enables from every machine state reachable from the initial one: a
 * breadth-first walk of the machine itself, every event type tried in every state reached.
 */
export function reachableTransitions(entry: MachineEntry, input: object): MachineTransition[] {
  const table = new ControlTable(entry.machine, input);
  const types = eventTypesOf(entry.machine);
  const first = initialStateOf(entry.machine, input);
  const seen = new Set([first]);
  const queue = [first];
  const found: MachineTransition[] = [];
  for (let at = 0; at < queue.length; at += 1) {
    const source = queue[at]!;
    for (const eventType of types) {
      const taken = table.evaluate(source, eventType);
      if (taken === null) continue;
      const transition = { machine: entry.machine.id, source, eventType, target: taken.target };
      found.push({ ...transition, edge: edgeName(transition), description: taken.description, meta: taken.meta });
      if (!seen.has(taken.target)) {
        seen.add(taken.target);
        queue.push(taken.target);
      }
    }
  }
  return found;
}

/** Every simple path of the machine from its initial state (no state repeated), the empty path included. */
export function simplePaths(entry: MachineEntry, input: object): ControlPath[] {
  const machine = entry.machine;
  const paths = getSimplePaths(machine, { input, events: eventTypesOf(machine).map((type) => ({ type })) } as never);
  return paths.map((path) => {
    let source = stateKey(path.steps[0]!.state.value);
    const steps = path.steps.slice(1).map((step) => {
      const target = stateKey(step.state.value);
      const taken = { eventType: step.event.type, source, target };
      source = target;
      return taken;
    });
    return { machine: machine.id, description: steps.map((s) => s.eventType).join(' → ') || '(initial)', steps };
  });
}
