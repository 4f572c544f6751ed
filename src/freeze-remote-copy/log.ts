/**
 * E1, the log algorithm of seed 001 (Figs 4-10, 【0033】-【0106】; claims 6-9, 12): redirect-on-write into the
 * difference log PDIFF while a freeze drains (Fig 4, 7), continuous remote copy from PVOL (Fig 5), and at the
 * secondary the logs SDIFFA (the image being built) and SDIFFB (the one after it) over SVOL (Fig 6, 8), with
 * the fixes of spec/001 §8 (D1, D3, D4, D6, D7, D20 and D2's "every DATA acknowledged").
 *
 * The operations a variant may replace are in `LogOperations`; the rest are this file's own functions. Each
 * runs on a draft (src/freeze-remote-copy/algorithm.ts) that the shared controller made for one step.
 * Abstracted away: cache RAM and its lookups (D8: no cache), the few-millisecond waits of 2635.
 */
import type { CopySource, PrimaryEventType, StoreTarget, WriteRoute } from '../../machines/freeze-remote-copy.js';
import { assert } from '../assert.js';
import type { Operation } from '../control.js';
import * as link from '../link.js';
import { compareBlocks, filledLike, type Block } from './block.js';
import type { Action, Algorithm, Draft, OperationContext, View } from './algorithm.js';
import { blockCount, CORRUPT_BYTE, groupBlock, type DataMessage, type FreezeGeometry, type Message } from './events.js';
import { betweenFreezes, type LogPrimary, type LogRecord, type LogSecondary, type LogSystem, type SecondaryStateKey } from './system.js';
import { acknowledge, transmitData } from './wire.js';

type LogView = View<LogSystem<Block>, LogOperations>;
type LogDraft = Draft<LogSystem<Block>, LogOperations>;

/** E1's operations that a variant may replace (src/freeze-remote-copy/defects.ts), each named for what it does. */
export interface LogOperations {
  /** P1, NORMAL (2030, 2040): PBM[b] := 1; PVOL[b] := d. */
  readonly writeNormal: (primary: LogPrimary<Block>, b: number, data: Block) => void;
  /** P4 in F1 with the D1 fix: PDIFF when PBM[b] ∨ PDBM[b] (2060-2080), else PVOL and NEXT. */
  readonly writeDraining: (primary: LogPrimary<Block>, b: number, data: Block) => void;
  /** P5, LITERAL 2060→2030 (the machine's literalD1 route): PDIFF when PBM[b], else PVOL and PBM (D1). */
  readonly writeDrainingLiteral: (primary: LogPrimary<Block>, b: number, data: Block) => void;
  /** F2/F3 with the D4 fix (【0059】): drop PDIFF[b], write PVOL, set PBM. */
  readonly writeAfterAllSent: (primary: LogPrimary<Block>, b: number, data: Block) => void;
  /** P11 (Fig 10, 3205-3250): the block the host reads. */
  readonly read: (primary: LogPrimary<Block>, b: number) => Block;
  /** RC (Fig 5): `copy.send` reads PVOL and clears PBM in one step (D20 fix); null when there is nothing to send. */
  readonly copyEvent: (view: LogView) => PrimaryEventType | null;
  /** 2640 with the D2 fix: PBM is empty, nothing is staged, and every DATA is acknowledged. */
  readonly drainComplete: (view: LogView) => boolean;
  /** P7 (2650, D1 fix): ALL_SENT goes out and NEXT is folded into PBM. */
  readonly completeDrain: (draft: LogDraft) => void;
  /** S1/S2 (2440-2470): the DATA into SDIFFA (`current`) or SDIFFB (`next`), replacing the block's record. */
  readonly store: (secondary: LogSecondary<Block>, target: StoreTarget, message: DataMessage<Block>) => void;
  /** S7-S9 (3060, 3070, D6 fix): erase SDIFFA and SDIFFB (SBM and SDBM with them); SVOL is the image. */
  readonly discardUncommitted: (secondary: LogSecondary<Block>, from: SecondaryStateKey) => void;
  /** A restart reloads everything: the secondary's modes, bitmaps and logs are durable (D17). */
  readonly reload: (secondary: LogSecondary<Block>) => LogSecondary<Block>;
  /** S5 (2860, 2870): SVOL[b] := SDIFFA[b]; the record (and SBM[b]) is cleared. */
  readonly applyBlock: (secondary: LogSecondary<Block>, b: number) => void;
  /**
   * One block of an online verify (issue 15, DRBD's VerifyS/VerifyT): whether PVOL and SVOL differ where
   * they should not. A block written since the last freeze (PBM, an unacknowledged DATA, a record in SDIFFA
   * for the next image) is skipped: PVOL no longer holds the frozen value there, and SVOL is expected to differ.
   */
  readonly verifyDiffers: (primary: LogPrimary<Block>, secondary: LogSecondary<Block>, b: number) => boolean;
}

const firstSet = (bits: readonly boolean[]): number => bits.indexOf(true);
const outstandingData = (primary: LogPrimary<Block>): number => primary.outstanding.filter((m) => m.kind === 'data').length;

/** The block the next copy step sends and its generation, or null (nothing in PBM, window full, or D5 holds it). */
function nextCopy(view: LogView): { block: number; gen: number } | null {
  const p = view.primary;
  if (outstandingData(p) >= view.geometry.window) return null;
  const draining = p.state === 'freezing.draining';
  if (!draining && !betweenFreezes(p.state) && view.shared.awaitsCommitAck(p, 'all-sent')) return null; // D5
  const block = firstSet(p.pbm);
  return block === -1 ? null : { block, gen: draining ? p.gen : p.gen + 1 };
}

export const LOG_OPERATIONS: LogOperations = {
  writeNormal(p, b, data) {
    p.pbm[b] = true; // (2030)
    p.pvol[b] = data; // (2040)
  },
  writeDraining(p, b, data) {
    if (p.pbm[b] || p.pdbm[b]) {
      p.pdbm[b] = true; // (2070)
      p.pdiff[b] = data; // (2080): the old record of b is discarded
    } else {
      p.pvol[b] = data; // the frozen value was sent: PVOL may change (D1 fix)
      p.next[b] = true;
    }
  },
  writeDrainingLiteral(p, b, data) {
    if (p.pbm[b]) {
      p.pdbm[b] = true;
      p.pdiff[b] = data;
    } else {
      p.pbm[b] = true; // LITERAL 2060→2030: the post-freeze value joins the drain (D1)
      p.pvol[b] = data;
    }
  },
  writeAfterAllSent(p, b, data) {
    p.pdiff[b] = null; // D4 fix: the merge will not overwrite this newer data
    p.pdbm[b] = false;
    p.pvol[b] = data;
    p.pbm[b] = true;
  },
  read: (p, b) => (p.pdbm[b] ? p.pdiff[b]! : p.pvol[b]!),
  copyEvent: (view) => (nextCopy(view) === null ? null : 'copy.send'),
  drainComplete: (view) => firstSet(view.primary.pbm) === -1 && view.primary.staged === null && outstandingData(view.primary) === 0,
  completeDrain(draft) {
    const p = draft.primary;
    draft.send({ to: 'secondary', kind: 'all-sent', gen: p.gen, seq: 0 }, true, p);
    for (let b = 0; b < p.pbm.length; b += 1) p.pbm[b] = p.pbm[b]! || p.next[b]!;
    p.next.fill(false);
  },
  store(s, target, message) {
    const record = { data: message.data, seq: message.seq };
    if (target === 'current') s.logA[message.block] = record; // (2440, 2450)
    else s.logB[message.block] = record; // (2460, 2470)
  },
  discardUncommitted(s) {
    s.logA = s.logA.map(() => null); // (3060, 3070; D6: SBM too)
    s.logB = s.logB.map(() => null);
  },
  reload: (s) => s,
  applyBlock(s, b) {
    s.svol[b] = s.logA[b]!.data; // (2860)
    s.logA[b] = null; // (2870)
  },
  verifyDiffers: (p, s, b) => !writtenSinceFreeze(p, s, b) && compareBlocks(p.pvol[b]!, s.svol[b]!) !== 0,
};

/**
 * Between freezes, whether block b has been written since the last freeze instant: its newest data is
 * unsent (PBM, or read into RAM by the literal D20), unacknowledged on the link, or stored at the secondary
 * in SDIFFA as part of the next image. Every write since the freeze leaves one of these until the next
 * commit, and nothing else does.
 */
function writtenSinceFreeze(p: LogPrimary<Block>, s: LogSecondary<Block>, b: number): boolean {
  return p.pbm[b]! || p.staged?.block === b || p.outstanding.some((m) => m.kind === 'data' && m.block === b) || s.logA[b] !== null;
}

/** LITERAL D20 (2250, 2260): RC reads PVOL into RAM first (`copy.stage`); the next copy step sends it. */
export function stagedCopyEvent(view: LogView): PrimaryEventType | null {
  if (view.primary.staged !== null) return 'copy.send';
  return nextCopy(view) === null ? null : 'copy.stage';
}

/** RC sends one block of PVOL: the block staged by a literal `copy.stage`, or the next one of PBM (2230-2270). */
function sendFromPvol(draft: LogDraft): void {
  const p = draft.primary;
  if (p.staged !== null) {
    const { block, data } = p.staged;
    p.pbm[block] = false; // LITERAL (2260): cleared after the read, so a write in between is lost (D20)
    p.staged = null;
    transmitData(draft, block, data, p.state === 'freezing.draining' ? p.gen : p.gen + 1);
    return;
  }
  const pick = nextCopy(draft);
  assert(pick !== null, 'copy.send with nothing to send');
  p.pbm[pick.block] = false; // (2260) and the read (2250) in one step: D20 fix
  transmitData(draft, pick.block, p.pvol[pick.block]!, pick.gen);
}

function writeHost(draft: LogDraft, operation: Operation, context: OperationContext): void {
  assert(context.event.type === 'host.write', 'writeHost runs on host.write');
  const b = groupBlock(draft.geometry, context.event.volume, context.event.block);
  const ops = draft.ops;
  const route = operation.params?.['route'] as WriteRoute;
  const write = { pvol: ops.writeNormal, 'redirect-or-next': ops.writeDraining, 'literal-2060': ops.writeDrainingLiteral, 'pvol-drop-log': ops.writeAfterAllSent }[route as string];
  assert(write !== undefined, () => `E1 has no write route ${route}`);
  write(draft.primary, b, context.event.data);
}

function readHost(draft: LogDraft, _operation: Operation, context: OperationContext): void {
  assert(context.event.type === 'host.read', 'readHost runs on host.read');
  const b = groupBlock(draft.geometry, context.event.volume, context.event.block);
  draft.results.push({ kind: 'read', block: b, data: draft.ops.read(draft.primary, b) });
}

function stageBlock(draft: LogDraft): void {
  const p = draft.primary;
  const block = firstSet(p.pbm);
  assert(block !== -1 && p.staged === null, 'copy.stage needs a block in PBM and an empty RAM buffer');
  p.staged = { block, data: p.pvol[block]! }; // LITERAL (2250): read now, clear PBM later
}

function mergeBlock(draft: LogDraft): void {
  const p = draft.primary;
  const block = firstSet(p.pdbm);
  assert(block !== -1, 'merge.block needs a block in PDBM');
  p.pvol[block] = p.pdiff[block]!; // (2670, 2680)
  p.pdiff[block] = null;
  p.pdbm[block] = false; // (2690)
  p.pbm[block] = true; // (2695): sent with the next image
}

/** P10 (2710-2730): S_DONE is acknowledged and the host is told the freeze is done. */
function completeFreeze(draft: LogDraft, _operation: Operation, context: OperationContext): void {
  acknowledge(draft, context.message, draft.primary);
  draft.results.push({ kind: 'freeze-done', gen: draft.primary.gen });
}

const LOG_PRIMARY_ACTIONS: Readonly<Record<string, Action<LogSystem<Block>, LogOperations>>> = {
  writeHost,
  readHost,
  sendData: (draft, operation) => {
    assert((operation.params?.['source'] as CopySource) === 'pvol', 'E1 copies from PVOL');
    sendFromPvol(draft);
  },
  stageBlock,
  completeDrain: (draft) => draft.ops.completeDrain(draft),
  mergeBlock,
  completeFreeze,
};

function storeData(draft: LogDraft, operation: Operation, context: OperationContext): void {
  const message = context.message;
  assert(message !== undefined && message.kind === 'data', 'storeData runs on DATA');
  draft.ops.store(draft.secondary, operation.params?.['target'] as StoreTarget, message);
  acknowledge(draft, message, draft.secondary); // D7 fix: after the store
}

/** S5 (2830-2870): the first block of SBM is applied. */
function applyOne(draft: LogDraft): void {
  const b = pendingApply(draft.secondary);
  assert(b !== -1, 'apply.block with nothing to apply');
  draft.ops.applyBlock(draft.secondary, b);
}

/** The first block with a record in SDIFFA (SBM), or -1; a plain loop, as the workload's logs are thousands of blocks. */
function pendingApply(secondary: LogSecondary<Block>): number {
  const log = secondary.logA;
  for (let b = 0; b < log.length; b += 1) if (log[b] !== null) return b;
  return -1;
}

/** S6 (2880): with the D3 fix SDIFFA is empty and SDIFFB becomes the log of the next image; literally it stays. */
function finishApply(draft: LogDraft, operation: Operation): void {
  const s = draft.secondary;
  if (operation.params?.['foldSecondLog'] !== true) return;
  s.logA = s.logB;
  s.logB = s.logB.map(() => null);
}

function discardUncommitted(draft: LogDraft, _operation: Operation, context: OperationContext): void {
  const s = draft.secondary;
  draft.ops.discardUncommitted(s, context.from as SecondaryStateKey);
  draft.results.push({ kind: 'recovered', gen: s.gen, image: s.svol.slice() }); // (3080)
}

const LOG_SECONDARY_ACTIONS: Readonly<Record<string, Action<LogSystem<Block>, LogOperations>>> = {
  storeData,
  applyBlock: applyOne,
  finishApply,
  discardUncommitted,
  applyAll: (draft) => {
    for (let b = pendingApply(draft.secondary); b !== -1; b = pendingApply(draft.secondary)) applyOne(draft); // (3030)
  },
  corruptBlock: (draft, _operation, { event }) => {
    assert(event.type === 'block.corrupt', 'corruptBlock runs on block.corrupt');
    const b = groupBlock(draft.geometry, event.volume, event.block);
    draft.secondary.svol[b] = filledLike(draft.secondary.svol[b]!, CORRUPT_BYTE); // silent: nothing records it
  },
};

function initial(geometry: FreezeGeometry, zero: Block): LogSystem<Block> {
  const n = blockCount(geometry);
  const fill = <T>(value: T): T[] => new Array<T>(n).fill(value);
  return {
    algorithm: 'log',
    primary: {
      state: 'normal', gen: 0, seq: 1, outstanding: [], verifyCursor: 0, verifyFound: fill(false),
      pvol: fill(zero), pdiff: fill<Block | null>(null), pbm: fill(false), pdbm: fill(false), next: fill(false), staged: null,
    },
    secondary: { state: 'receiving', gen: 0, outstanding: [], svol: fill(zero), logA: fill<LogRecord<Block> | null>(null), logB: fill<LogRecord<Block> | null>(null) },
    link: link.emptyLink<Message<Block>>(geometry.linkCapacity),
  };
}

// The copies name every field, in initial's order, instead of spreading: spread copies gave the same fields
// several engine shapes, and every function reading them slowed down to a generic property lookup.

function copyPrimary(p: LogPrimary<Block>): LogPrimary<Block> {
  return {
    state: p.state, gen: p.gen, seq: p.seq, outstanding: p.outstanding.slice(), verifyCursor: p.verifyCursor, verifyFound: p.verifyFound.slice(),
    pvol: p.pvol.slice(), pdiff: p.pdiff.slice(), pbm: p.pbm.slice(), pdbm: p.pdbm.slice(), next: p.next.slice(), staged: p.staged,
  };
}

function copySecondary(s: LogSecondary<Block>): LogSecondary<Block> {
  return { state: s.state, gen: s.gen, outstanding: s.outstanding.slice(), svol: s.svol.slice(), logA: s.logA.slice(), logB: s.logB.slice() };
}

/** E1 with a variant's operations. */
export function logAlgorithm(ops: LogOperations): Algorithm<LogSystem<Block>, LogOperations> {
  return {
    name: 'log',
    ops,
    freezeCommits: false,
    initial,
    copyPrimary,
    copySecondary,
    copyEvent(view, source) {
      assert(source === 'pvol', () => `E1 copies from PVOL, not ${source}`);
      return ops.copyEvent(view);
    },
    freezeTaskEvent(view) {
      const p = view.primary;
      if (p.state === 'freezing.draining') return ops.drainComplete(view) ? 'drain.complete' : null; // (2640)
      if (p.state === 'freezing.merging') return firstSet(p.pdbm) === -1 ? 'merge.complete' : 'merge.block'; // (2660)
      return null;
    },
    pendingApply,
    verifyDiffers: (view, b) => ops.verifyDiffers(view.primary, view.secondary, b),
    storedSeq: (s, block) => (s.state === 'applying' ? s.logB : s.logA)[block]?.seq ?? 0,
    reload: (s) => ops.reload(s),
    primaryActions: LOG_PRIMARY_ACTIONS,
    secondaryActions: LOG_SECONDARY_ACTIONS,
  };
}
