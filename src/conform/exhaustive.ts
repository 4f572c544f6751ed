/**
 * `copyspec conform --exhaustive`: every command of the lifecycle's exhaustive alphabet, refused ones and
 * argument boundaries included, sent to the port in every world of copyspec's reference graph over the
 * minimal preset, in breadth-first order, so the first difference found has a shortest trace.
 *
 * A port cannot be copied or rolled back, so the only way to put it in a world is to replay a path to it:
 * for every world, the port is reset with `init` and sent the world's shortest path (its breadth-first
 * prefix), then the world's commands. Commands after which the reference world is the same (refusals, reads,
 * writes of the data already there: the same world key and the same observation) are sent one after the
 * other without a reset; each command that moves
 * the world needs a reset and the prefix again, so those go last, and the last one needs none. A whole
 * sequence (`init`, prefix, commands) is pipelined to the port. The cost in port steps is known from the
 * reference graph before the port is started, and a plan over `maxPortSteps` is refused then, not cut short.
 *
 * What this shows, and what it assumes: the port agrees with copyspec on every edge of copyspec's reachable
 * graph, reached by the shortest path, when its state after a path is decided by the reference world the
 * path reaches (copyspec's own exhaustive checker merges worlds by the lifecycle's key, and so does this
 * search; a key may merge worlds whose observations differ, and the port is then checked from the one the
 * breadth-first search reached first). A port whose state depends on
 * more history than that can differ on a longer path to the same world; the model-based runs are the other
 * half of the check. A prefix that differs the second time it is sent (a port that `init` does not reset,
 * or that is not deterministic) is found too, and reported as such a trace.
 */
import { assert } from '../assert.js';
import { canonicalJson } from '../harness/canonical.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { portFigures, violationOf, type ConformResult, type ConformViolation, type ReplayContext } from './report.js';
import type { Finding, PortSession } from './session.js';

export interface ConformExhaustiveOptions {
  /** Refuse a reference graph of more worlds than this. */
  readonly maxStates: number;
  /** Refuse a plan of more port steps than this, before starting the port. */
  readonly maxPortSteps: number;
  readonly onProgress?: (worlds: number, total: number, portSteps: number) => void;
}

/** The plan asks more of the port than the bound allows: a usage error, reported before the port starts. */
export class PlanTooLarge extends Error {}

interface World {
  readonly world: unknown;
  readonly parent: number;
  readonly event: unknown;
  readonly depth: number;
  /** Commands after which the reference world is this one again, then those that move it. */
  readonly stays: readonly unknown[];
  readonly moves: readonly unknown[];
}

/** Every world reachable over the preset, breadth first, with its commands split by whether they move it. */
function referenceGraph(lifecycle: AnyLifecycle, variant: string, preset: unknown, maxStates: number): World[] {
  const initial = lifecycle.initial(variant, preset);
  const worlds: World[] = [];
  const seen = new Map<string, number>([[lifecycle.key(initial), 0]]);
  const pending: { world: unknown; parent: number; event: unknown; depth: number }[] = [{ world: initial, parent: -1, event: null, depth: 0 }];
  for (let index = 0; index < pending.length; index += 1) {
    const node = pending[index]!;
    const stays: unknown[] = [];
    const moves: unknown[] = [];
    const own = lifecycle.key(node.world);
    let observed: string | null = null;
    for (const event of lifecycle.alphabet(node.world)) {
      const { after } = lifecycle.step(node.world, event);
      const afterKey = after === node.world ? own : lifecycle.key(after);
      // A command stays when it changes nothing, or nothing the key or a port's observation holds: a key may
      // merge worlds a port tells apart (freeze-remote-copy's stays the same when a message nothing waits for
      // leaves inFlight), and the next command of the sequence must meet this world as the port reports it.
      observed ??= canonicalJson(lifecycle.observe(node.world));
      if (after === node.world || (afterKey === own && canonicalJson(lifecycle.observe(after)) === observed)) {
        stays.push(event);
        continue;
      }
      moves.push(event);
      if (!seen.has(afterKey)) {
        seen.set(afterKey, pending.length);
        pending.push({ world: after, parent: index, event, depth: node.depth + 1 });
        // Too many worlds is a plan too large for the port, refused before it starts (exit 2), not a crash.
        if (pending.length > maxStates) {
          throw new PlanTooLarge(`${lifecycle.id}/${variant}: the exhaustive plan has more than ${maxStates} reference worlds; `
            + 'check this variant with the model-based runs (leave out --exhaustive)');
        }
      }
    }
    worlds.push({ ...node, stays, moves });
  }
  return worlds;
}

function pathTo(worlds: readonly World[], index: number): unknown[] {
  const events: unknown[] = [];
  for (let at = index; at > 0; at = worlds[at]!.parent) events.push(worlds[at]!.event);
  return events.reverse();
}

/** The sequences sent for one world: the prefix, its staying commands and its first move; then prefix and each other move. */
function sequencesOf(worlds: readonly World[], index: number): unknown[][] {
  const prefix = pathTo(worlds, index);
  const { stays, moves } = worlds[index]!;
  const first = [...prefix, ...stays, ...moves.slice(0, 1)];
  return [first, ...moves.slice(1).map((move) => [...prefix, move])];
}

/** Port steps and `init`s of the whole plan. */
function planCost(worlds: readonly World[]): { portSteps: number; inits: number } {
  let portSteps = 0;
  let inits = 0;
  for (const world of worlds) {
    const sequences = Math.max(world.moves.length, 1);
    inits += sequences;
    portSteps += sequences * world.depth + world.stays.length + world.moves.length;
  }
  return { portSteps, inits };
}

/**
 * The shortest report of a finding: a finding past the prefix, after staying commands, is tried again as the
 * prefix and the failing command alone, and reported so when the port fails that way too.
 */
async function shortest(session: PortSession, sequence: readonly unknown[], prefixLength: number, finding: Finding): Promise<{ finding: Finding; events: readonly unknown[] }> {
  if (finding.step <= prefixLength + 1) return { finding, events: sequence };
  const candidate = [...sequence.slice(0, prefixLength), sequence[finding.step - 1]];
  const again = await session.check(candidate);
  return again === null ? { finding, events: sequence } : { finding: again, events: candidate };
}

export async function conformExhaustive(
  context: ReplayContext,
  session: PortSession,
  options: ConformExhaustiveOptions,
): Promise<Omit<ConformResult, 'declined'>> {
  const { lifecycle, variant, preset: presetName } = context;
  const started = performance.now();
  const preset = lifecycle.preset(presetName);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${presetName}`);
  const worlds = referenceGraph(lifecycle, variant, preset, options.maxStates);
  const cost = planCost(worlds);
  if (cost.portSteps > options.maxPortSteps) {
    throw new PlanTooLarge(`${lifecycle.id}/${variant}: the exhaustive plan needs ${cost.portSteps} port steps over ${worlds.length} worlds, `
      + `more than --max-port-steps ${options.maxPortSteps}; raise it, or rely on the model-based runs`);
  }
  const covered = new Set<string>();
  const violations: ConformViolation[] = [];
  let sequencesSent = 0;
  search: for (let index = 0; index < worlds.length; index += 1) {
    if (index % 250 === 0) options.onProgress?.(index, worlds.length, session.portSteps);
    for (const sequence of sequencesOf(worlds, index)) {
      const finding = await session.check(sequence, covered);
      sequencesSent += 1;
      if (finding === null) continue;
      const found = await shortest(session, sequence, worlds[index]!.depth, finding);
      violations.push(violationOf(context, found.finding, found.events, null));
      break search;
    }
  }
  const ms = performance.now() - started;
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'exhaustive',
    preset: presetName,
    states: worlds.length,
    ...portFigures(context, session, covered, ms, sequencesSent),
    runs: sequencesSent,
    violations,
    plannedPortSteps: cost.portSteps,
  };
}
