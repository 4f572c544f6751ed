/**
 * What a port of freeze-remote-copy (seed 001) must match after each step of a conformance vector, as plain
 * JSON: nothing in it depends on TypeScript (no `undefined`, no Map or class, no engine's key order carries
 * meaning; numbers are safe integers). The fields are flat, so that a mismatch names the one field that
 * differs (src/vectors.ts compares field by field).
 *
 * `observe(world)`:
 *   algorithm             `log` (E1) or `split` (E2-E4).
 *   primaryState          `normal`, `freezing.draining`, ... `verifying`, `failed`; primaryGeneration (k_P); primarySequence
 *                         (the next DATA sequence number: 1 at the start, one more per DATA sent);
 *                         primaryOutstanding (its unacknowledged messages); verifyCursor (the group block an
 *                         online verify compares next, 0 outside `verifying`) and verifyFound (the blocks it
 *                         has found to differ, all `0` outside `verifying`).
 *   the primary's volumes and bitmaps, by algorithm:
 *     log:   pvol, pdiff (hex or null where PDIFF has no record), pbm, pdbm, next, staged (null, or
 *            {block, data}: the literal D20 read into RAM);
 *     split: pp, ps (in E4 the sealed blocks, see crypto.ts), bitmapA, bitmapB, bitmapC, bitmapD.
 *   secondaryState        `receiving`, `noted`, `applying`, `recovered`; secondaryGeneration (k_S);
 *                         secondaryOutstanding.
 *   the secondary's volumes and bitmaps, by algorithm:
 *     log:   svol; sdiffA and sdiffB (hex, or null where the log has no record) with sdiffASequence and
 *            sdiffBSequence (the sequence number of the DATA that brought each record, or null); sbm and sdbm
 *            (the blocks that have a record in SDIFFA and SDIFFB);
 *     split: sp (sealed in E4), spSequence (the sequence number of the DATA that last wrote SP[b], 0 for the
 *            initial image), ss, sa, sb.
 *   linkUp, inFlight      the messages in flight in the message order of events.ts (`compareMessages`: to,
 *                         kind, of, gen, seq, block, data), which is the order `link.deliver`'s index counts
 *                         in; the outstanding lists are in the same order.
 * Volumes are arrays of lowercase hex, one entry per group block (`volume * blocksPerVolume + block`); bitmaps
 * are strings of `0` and `1`, group block 0 first. A message is {to, kind, of (ACKs only), gen, seq, block
 * and data (DATA only)}.
 *
 * `observeOutcome(outcome)`: `{accepted: true, transitions, results}` with each machine transition taken as
 * `primary: normal --host.write--> normal` and each result for the hosts ({kind: 'read', block, data},
 * {kind: 'freeze-done', gen}, {kind: 'recovered', gen, image} or {kind: 'verify', found}, found the bitmap of
 * the blocks a completed online verify found to differ); or `{accepted: false, reason, code}`
 * (src/rejection.ts).
 */
import type { FreezeStepOutcome, FreezeWorld } from './abstraction.js';
import type { Message } from './events.js';
import type { ObservedOutcome } from '../lifecycle.js';
import type { FreezeResult, LogSystem, SplitSystem } from './system.js';

type Json = null | boolean | number | string | readonly Json[] | { readonly [field: string]: Json };
type JsonObject = { readonly [field: string]: Json };

const bits = (values: readonly boolean[]): string => values.map((bit) => (bit ? '1' : '0')).join('');

/** A message with its fields in the documented order and only the fields its kind has. */
export function observeMessage(message: Message): JsonObject {
  switch (message.kind) {
    case 'data':
      return { to: message.to, kind: message.kind, gen: message.gen, seq: message.seq, block: message.block, data: message.data };
    case 'ack':
      return { to: message.to, kind: message.kind, of: message.of, gen: message.gen, seq: message.seq };
    default:
      return { to: message.to, kind: message.kind, gen: message.gen, seq: message.seq };
  }
}

const messages = (list: readonly Message[]): Json[] => list.map(observeMessage);

function observeLog(system: LogSystem): JsonObject {
  const { primary: p, secondary: s } = system;
  return {
    primaryState: p.state, primaryGeneration: p.gen, primarySequence: p.seq, primaryOutstanding: messages(p.outstanding),
    verifyCursor: p.verifyCursor, verifyFound: bits(p.verifyFound),
    pvol: p.pvol.slice(), pdiff: p.pdiff.slice(), pbm: bits(p.pbm), pdbm: bits(p.pdbm), next: bits(p.next),
    staged: p.staged === null ? null : { block: p.staged.block, data: p.staged.data },
    secondaryState: s.state, secondaryGeneration: s.gen, secondaryOutstanding: messages(s.outstanding),
    svol: s.svol.slice(),
    sdiffA: s.logA.map((r) => r?.data ?? null), sdiffASequence: s.logA.map((r) => r?.seq ?? null),
    sdiffB: s.logB.map((r) => r?.data ?? null), sdiffBSequence: s.logB.map((r) => r?.seq ?? null),
    sbm: bits(s.logA.map((r) => r !== null)), sdbm: bits(s.logB.map((r) => r !== null)),
  };
}

function observeSplit(system: SplitSystem): JsonObject {
  const { primary: p, secondary: s } = system;
  return {
    primaryState: p.state, primaryGeneration: p.gen, primarySequence: p.seq, primaryOutstanding: messages(p.outstanding),
    verifyCursor: p.verifyCursor, verifyFound: bits(p.verifyFound),
    pp: p.pp.slice(), ps: p.ps.slice(), bitmapA: bits(p.bitmapA), bitmapB: bits(p.bitmapB), bitmapC: bits(p.bitmapC), bitmapD: bits(p.bitmapD),
    secondaryState: s.state, secondaryGeneration: s.gen, secondaryOutstanding: messages(s.outstanding),
    sp: s.sp.slice(), spSequence: s.spSeq.slice(), ss: s.ss.slice(), sa: bits(s.sa), sb: bits(s.sb),
  };
}

/** The controllers and the link after a step, as a port must reproduce them. */
export function observe(world: FreezeWorld): JsonObject {
  const { system } = world;
  const halves = system.algorithm === 'log' ? observeLog(system) : observeSplit(system);
  return { algorithm: system.algorithm, ...halves, linkUp: system.link.up, inFlight: messages(system.link.inFlight) };
}

function observeResult(result: FreezeResult): JsonObject {
  switch (result.kind) {
    case 'read':
      return { kind: result.kind, block: result.block, data: result.data };
    case 'freeze-done':
      return { kind: result.kind, gen: result.gen };
    case 'recovered':
      return { kind: result.kind, gen: result.gen, image: result.image.slice() };
    case 'verify':
      return { kind: result.kind, found: bits(result.found) };
  }
}

/** A step's outcome as a port must report it. */
export function observeOutcome(outcome: FreezeStepOutcome): ObservedOutcome {
  const controller = outcome.controller;
  if (!controller.accepted) return { accepted: false, reason: controller.rejection.reason, code: controller.rejection.code };
  return { accepted: true, transitions: controller.transitions.map((t) => `${t.machine}: ${t.edge}`), results: controller.results.map(observeResult) };
}
