/**
 * The commands that make the failover-failback controllers take one machine event (`commandsFor` of the
 * lifecycle definition), for the control-level check and the `control-path` vectors: the shortest sequence,
 * found breadth first, over a small alphabet that holds one host write per site (while the search has
 * written nothing) and every other command once, and the faults only for a machine event that needs one or
 * when a search without them finds nothing. The harness would search the whole exhaustive alphabet to the
 * same end; a failback with its drain needs up to twenty commands in a row, and the small alphabet keeps
 * each search to a few thousand worlds. As in the harness (src/harness/control-paths.ts), the machine in
 * question must stay in its source state until the last command, which takes the transition.
 */
import type { FailoverEvent } from './events.js';
import { BACKUP_SITE, BARE_COMMANDS, MASTER_SITE } from './events.js';
import type { FailoverStepOutcome, FailoverWorld } from './abstraction.js';

/** Bounds of one search (STYLE.md "Limits and presets"). */
export const DRIVE_LIMITS = { depth: 24, worlds: 40_000 } as const;

export interface Driver {
  readonly step: (world: FailoverWorld, event: FailoverEvent) => { after: FailoverWorld; outcome: FailoverStepOutcome };
  readonly key: (world: FailoverWorld) => string;
}

/** The faults: searched only for the machine events that need one, or when a search without them fails. */
const FAULTS = new Set<string>(['master.fail', 'backup.fail', 'link.down', 'link.lose']);
const NEEDS_A_FAULT = new Set(['master.fail', 'backup.fail', 'copy.timeout', 'failback.timeout', 'delpair.timeout']);
const COMMANDS = BARE_COMMANDS.map((type) => ({ type }) as FailoverEvent);

/** One write per site while the search has written nothing, every other command once, faults when asked. */
function smallAlphabet(world: FailoverWorld, startWrites: number, faults: boolean): FailoverEvent[] {
  const data = '01'.repeat(world.geometry.trackSize);
  const events: FailoverEvent[] = world.counters.writes > startWrites ? [] : [
    { type: 'host.write', site: MASTER_SITE, track: 0, data },
    { type: 'host.write', site: BACKUP_SITE, track: 0, data },
  ];
  for (const command of COMMANDS) if (faults || !FAULTS.has(command.type)) events.push(command);
  world.system.wire.inFlight.forEach((_, index) => {
    events.push({ type: 'link.deliver', index });
    if (faults) events.push({ type: 'link.lose', index });
  });
  return events;
}

interface Node {
  readonly world: FailoverWorld;
  readonly parent: number;
  readonly event: FailoverEvent | null;
  readonly depth: number;
}

function pathTo(nodes: readonly Node[], index: number, last: FailoverEvent): FailoverEvent[] {
  const events = [last];
  for (let at = index; at > 0; at = nodes[at]!.parent) events.push(nodes[at]!.event!);
  return events.reverse();
}

const found = new Map<string, readonly FailoverEvent[] | undefined>();

/**
 * The shortest small-alphabet sequence from `world` whose last command makes `machine` take `eventType`;
 * undefined when there is none within the bounds (the harness then searches the full alphabet).
 */
export function driveTo(driver: Driver, machine: string, eventType: string, world: FailoverWorld): readonly FailoverEvent[] | undefined {
  const id = `${world.variant.name}\u0000${driver.key(world)}\u0000${machine}\u0000${eventType}`;
  if (found.has(id)) return found.get(id);
  const answer = (NEEDS_A_FAULT.has(eventType) ? undefined : search(driver, machine, eventType, world, false))
    ?? search(driver, machine, eventType, world, true);
  found.set(id, answer);
  return answer;
}

function search(driver: Driver, machine: string, eventType: string, world: FailoverWorld, faults: boolean): readonly FailoverEvent[] | undefined {
  const nodes: Node[] = [{ world, parent: -1, event: null, depth: 0 }];
  const seen = new Set([driver.key(world)]);
  for (let index = 0; index < nodes.length; index += 1) {
    const node = nodes[index]!;
    for (const event of smallAlphabet(node.world, world.counters.writes, faults)) {
      const { after, outcome } = driver.step(node.world, event);
      const taken = outcome.controller.accepted ? outcome.controller.transitions.filter((t) => t.machine === machine) : [];
      if (taken.some((t) => t.eventType === eventType)) return pathTo(nodes, index, event);
      if (taken.some((t) => t.target !== t.source) || node.depth + 1 >= DRIVE_LIMITS.depth) continue;
      const key = driver.key(after);
      if (seen.has(key)) continue;
      seen.add(key);
      nodes.push({ world: after, parent: index, event, depth: node.depth + 1 });
      if (nodes.length >= DRIVE_LIMITS.worlds) return undefined;
    }
  }
  return undefined;
}
