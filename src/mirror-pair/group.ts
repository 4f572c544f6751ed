/**
 * A consistency group of mirror pairs (issue 15, item 3; beyond seed 000): the controller's side. The group
 * is `pairCount` pairs, each a MirrorPairController of its own with its own machine; this module is the
 * routing in front of them and the group command, `group.suspend`.
 *
 * Products followed (anchors/replication_systems.md, consistency groups): ShadowImage's `pairsplit -g <group>`
 * of a consistency group (CTG), "the S-VOLs of the group hold the data of one point in time", refused unless
 * every pair of the group is PAIR; IBM FlashCopy consistency groups (and Global Mirror's), which freeze every
 * volume of the group before any is released. DRBD has no consistency group for local pairs.
 *
 * - A volume or track command (`host.write`, `host.read`, `track.fail`, `track.corrupt`) names its pair by
 *   `pair`, absent for pair 0; a pair command by its `pair` as before. The group checks the arguments in the
 *   documented order (src/rejection.ts): `malformed-command` first (as the pair would find it), then
 *   `unknown-pair` for a pair at or past `pairCount`; then it hands the command to its pair as a command of pair
 *   0, and the pair checks the rest and answers. So a refused command changes nothing, in any pair.
 * - `power.cycle` is the controller's: every pair takes it, in pair order, in one step.
 * - `group.suspend` (group 0; another group is `unknown-pair`, the unknown-target reason) is accepted only if
 *   every pair is `mirror.synced`, and then every pair takes its own `pair.suspend` in this one step, so no
 *   host write falls between two pairs' splits: the secondaries together hold the primaries' images of one
 *   instant. Otherwise it is refused `wrong-state` and no pair changes (ShadowImage: a group split is refused
 *   unless all pairs are PAIR; copyspec's choice of reason is the one every other state refusal takes).
 *
 * Abstracted away: more than one group, adding and removing pairs (a group here is fixed for the world's
 * life, as the variant's `pairCount`), and the at-time or time-out split of a group (one instant is the point).
 */
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { assert } from '../assert.js';
import type { ControlStep } from '../control.js';
import { reject, type Rejection } from '../rejection.js';
import type { MirrorOutcome, MirrorPairController } from './controller.js';
import { addressedPair, asPairCommand, GROUP_ID, PAIR_ID } from './events.js';
import { validateArguments } from './validate.js';

/** One pair's part in a group command: the command as the pair took it, and its answer. */
export interface MirrorPairOutcome {
  readonly pair: number;
  readonly event: MirrorEvent;
  readonly outcome: MirrorOutcome;
}

export interface MirrorGroupOutcome {
  /** The whole command's answer: a refusal, or the pairs' transitions in pair order with the addressed pair's result. */
  readonly outcome: MirrorOutcome;
  /** Each pair that took the command; empty when it was refused. */
  readonly pairs: readonly MirrorPairOutcome[];
}

function accepted(transitions: readonly ControlStep[], from: readonly MirrorOutcome[], result: MirrorOutcome | null): MirrorOutcome {
  let physicalWrites = 0;
  let physicalReads = 0;
  for (const o of from) if (o.accepted) {
    physicalWrites += o.physicalWrites;
    physicalReads += o.physicalReads;
  }
  return { accepted: true, transitions, result: result !== null && result.accepted ? result.result : { kind: 'none' }, physicalWrites, physicalReads };
}

/**
 * The group's own argument check, before the pair's: a malformed command as the pair finds it, then a pair
 * the group does not hold. The pair's controller checks every other argument.
 */
function routingRefusal(event: MirrorEvent, pair: number, pairCount: number, controller: MirrorPairController): Rejection | null {
  const asPair = validateArguments(asPairCommand(event), controller.geometry);
  if (asPair !== null && asPair.reason === 'malformed-command') return asPair;
  if (!Number.isSafeInteger(pair) || pair < 0) return reject('malformed-command', `${event.type} needs a whole pair id`);
  return pair < pairCount ? null : reject('unknown-pair', `no pair ${pair} in a group of ${pairCount}`);
}

/**
 * `group.suspend`: every pair splits in this one step, or none. The pairs are clones of `pairs` wherever one
 * changes. BROKEN group-split-one-at-a-time splits only the first pair in this step, as a script of per-pair
 * splits would, so the second goes on duplexing host writes after the first is frozen. BROKEN
 * group-split-half-applied splits the pairs in order until it meets one not synced, and only then refuses.
 */
function suspendGroup(pairs: readonly MirrorPairController[], event: Extract<MirrorEvent, { type: 'group.suspend' }>): { pairs: MirrorPairController[]; result: MirrorGroupOutcome } {
  const next = [...pairs];
  const refused = (rejection: Rejection): { pairs: MirrorPairController[]; result: MirrorGroupOutcome } => ({ pairs: next, result: { outcome: { accepted: false, rejection }, pairs: [] } });
  if (!Number.isSafeInteger(event.group) || event.group < 0) return refused(reject('malformed-command', 'group.suspend needs a whole group id'));
  if (event.group !== GROUP_ID) return refused(reject('unknown-pair', `no consistency group ${event.group}`));
  const defect = pairs[0]!.variant.defect;
  const allSynced = pairs.every((p) => p.state === 'mirror.synced');
  if (!allSynced && defect !== 'group-split-half-applied') return refused(reject('wrong-state', 'group.suspend needs every pair of the group in mirror.synced'));
  const split: MirrorPairOutcome[] = [];
  const command: MirrorEvent = { type: 'pair.suspend', pair: PAIR_ID };
  for (let pair = 0; pair < pairs.length; pair += 1) {
    if (pairs[pair]!.state !== 'mirror.synced') break;
    if (defect === 'group-split-one-at-a-time' && pair > 0) break;
    const controller = pairs[pair]!.clone();
    const outcome = controller.handle(command);
    assert(outcome.accepted, 'a synced pair accepts pair.suspend');
    next[pair] = controller;
    split.push({ pair, event: command, outcome });
  }
  if (!allSynced) return refused(reject('wrong-state', 'group.suspend needs every pair of the group in mirror.synced'));
  return { pairs: next, result: { outcome: accepted(split.flatMap((p) => (p.outcome.accepted ? p.outcome.transitions : [])), split.map((p) => p.outcome), null), pairs: split } };
}

/**
 * One command to the group: the pairs after it (the same controller objects where nothing could change, clones
 * elsewhere) and the answer. `pairs` are never changed.
 */
export function handleGroup(pairs: readonly MirrorPairController[], event: MirrorEvent): { pairs: readonly MirrorPairController[]; result: MirrorGroupOutcome } {
  assert(pairs.length > 1, 'a consistency group holds at least two pairs');
  if (event.type === 'group.suspend') return suspendGroup(pairs, event);
  if (event.type === 'power.cycle') {
    const next = pairs.map((p) => p.clone());
    const each = next.map((controller, pair) => ({ pair, event, outcome: controller.handle(event) }));
    return { pairs: next, result: { outcome: accepted(each.flatMap((p) => (p.outcome.accepted ? p.outcome.transitions : [])), each.map((p) => p.outcome), null), pairs: each } };
  }
  const pair = addressedPair(event)!;
  const refusal = routingRefusal(event, pair, pairs.length, pairs[0]!);
  if (refusal !== null) return { pairs, result: { outcome: { accepted: false, rejection: refusal }, pairs: [] } };
  const controller = pairs[pair]!.clone();
  const command = asPairCommand(event);
  const outcome = controller.handle(command);
  // A refused command keeps the clone too: were a pair to change on a refusal, rejected-command-changes-nothing sees it.
  const next = [...pairs];
  next[pair] = controller;
  return { pairs: next, result: { outcome, pairs: outcome.accepted ? [{ pair, event: command, outcome }] : [] } };
}
