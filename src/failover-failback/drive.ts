/**
 * The commands that make the failover-failback controllers take one machine event (`commandsFor` of the
 * lifecycle definition), for the control-level check and the `control-path` vectors: the shortest sequence,
 * found breadth first, over a small alphabet that holds one host write per site and every other command
 * once. The harness would search the whole exhaustive alphabet (twelve writes) to the same end; a failover
 * and failback needs up to a dozen commands in a row, and the small alphabet keeps each search to a few
 * thousand worlds. As in the harness (src/harness/control-paths.ts), the machine in question must stay in its
 * source state until the last command, which takes the transition.
 */
import type { FailoverEvent } from './events.js';
import { BACKUP_SITE, BARE_COMMANDS, MASTER_SITE } from './events.js';
import type { FailoverStepOutcome, FailoverWorld } from './abstraction.js';

/** Bounds of one search (STYLE.md "Limits and presets"). */
export const DRIVE_LIMITS = { depth: 14, worlds: 60_000 } as const;

export interface Driver {
  readonly step: (world: FailoverWorld, event: FailoverEvent) => { after: FailoverWorld; outcome: FailoverStepOutcome };
  readonly key: (world: FailoverWorld) => string;
}

function smallAlphabet(world: FailoverWorld): FailoverEvent[] {
  const data = '01'.repeat(world.geometry.trackSize);
  const events: FailoverEvent[] = [
    { type: 'host.write', site: MASTER_SITE, track: 0, data },
    { type: 'host.write', site: BACKUP_SITE, track: 0, data },
    ...BARE_COMMANDS.map((type) => ({ type }) as FailoverEvent),
  ];
  world.system.wire.inFlight.forEach((_, index) => events.push({ type: 'link.deliver', index }, { type: 'link.lose', index }));
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
  const answer = search(driver, machine, eventType, world);
  found.set(id, answer);
  return answer;
}

function search(driver: Driver, machine: string, eventType: string, world: FailoverWorld): readonly FailoverEvent[] | undefined {
  const nodes: Node[] = [{ world, parent: -1, event: null, depth: 0 }];
  const seen = new Set([driver.key(world)]);
  for (let index = 0; index < nodes.length; index += 1) {
    const node = nodes[index]!;
    for (const event of smallAlphabet(node.world)) {
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
