/**
 * E2-E4, the split algorithm of seed 001: E2 split mirror (Figs 12-18, 【0107】-【0138】; claims 3-5, 11), PP is
 * split to PS at the freeze with copy-on-write, PS is transferred to SP, and SP is split to SS; E3 adds
 * send-ahead from PP before the freeze (Figs 19-28, 【0139】-【0175】; bitmaps D and SB); E4 is E2 with the
 * PP→PS copy encrypted and the SP→SS copy decrypted (【0176】-【0184】), fixes D10 and D12-D16 included.
 *
 * A line that differs by embodiment says which. The operations a variant may replace are in
 * `SplitOperations`; the rest are this file's own functions, each run on a draft the shared controller made.
 */
import type { CopySource, FreezeControlInput, StoreTarget, WriteRoute } from '../../machines/freeze-remote-copy.js';
import { assert } from '../assert.js';
import type { Operation } from '../control.js';
import * as link from '../link.js';
import { compareBlocks, filledLike, type Block } from './block.js';
import type { Action, Algorithm, Draft, OperationContext, View } from './algorithm.js';
import { open, seal } from './crypto.js';
import { blockCount, CORRUPT_BYTE, groupBlock, type FreezeGeometry, type Message } from './events.js';
import { betweenFreezes, type SplitPrimary, type SplitSecondary, type SplitSystem } from './system.js';
import { acknowledge, transmitData } from './wire.js';

type SplitView = View<SplitSystem<Block>, SplitOperations>;
type SplitDraft = Draft<SplitSystem<Block>, SplitOperations>;

/** How blocks are kept in PS and SP: sealed by AES-256-GCM in E4 (L210, P250), as they are otherwise. */
export interface Cipher {
  readonly seal: (plaintext: Block, gen: number, block: number) => Block;
  /** The plaintext of a stored block; null when it does not authenticate. */
  readonly open: (stored: Block) => Block | null;
}

export const PLAIN: Cipher = { seal: (plaintext) => plaintext, open: (stored) => stored };
export const AES_256_GCM: Cipher = { seal, open };

/**
 * E2-E4's operations that a variant may replace (src/freeze-remote-copy/defects.ts). The writes take the
 * draft, not only the primary, because copy-on-write splits the block first, sealed with the variant's cipher.
 */
export interface SplitOperations {
  readonly cipher: Cipher;
  /** E2 PFM off, E3 PFM 2 (3490, 4260): A[b] := 1, write PP. */
  readonly writeDirty: (draft: SplitDraft, b: number, data: Block) => void;
  /** E3 PFM 0 and 3 (4280, 4250, 4260, D14): what was sent ahead is stale, D[b] := 0, A[b] := 1, write PP. */
  readonly writeDirtyClearSent: (draft: SplitDraft, b: number, data: Block) => void;
  /** Splitting (3430-3480, 4290-4330): split b first when A[b], then B[b] := 1 and write PP. */
  readonly writeCopyOnWrite: (draft: SplitDraft, b: number, data: Block) => void;
  /** E2 after the split (3470, 3480): B[b] := 1, write PP. */
  readonly writeAfterSplit: (draft: SplitDraft, b: number, data: Block) => void;
  /** A restart reloads everything: the secondary's mode and bitmaps are durable (D17). */
  readonly reload: (secondary: SplitSecondary<Block>) => SplitSecondary<Block>;
}

/** The first set block for which `also` holds, or -1; a plain loop, as the workload's bitmaps are thousands of blocks. */
function firstSet(bits: readonly boolean[], also?: (b: number) => boolean): number {
  for (let b = bits.indexOf(true); b !== -1; b = bits.indexOf(true, b + 1)) if (also === undefined || also(b)) return b;
  return -1;
}
const outstandingData = (primary: SplitPrimary<Block>): number => primary.outstanding.filter((m) => m.kind === 'data').length;
const sendsAhead = (control: FreezeControlInput): boolean => control.embodiment === 3;

/** The split blocks still to transfer: C, and in E3 not already sent ahead (C∧¬D, 4880; D15). */
function unsentSplit(view: SplitView): number {
  const p = view.primary;
  return firstSet(p.bitmapC, (b) => !sendsAhead(view.variant.control) || !p.bitmapD[b]);
}

/** PS[b] := PP[b], sealed in E4 (L210); A[b] := 0; C[b] := 1 (3650-3670, 4630-4650). */
function splitOne(draft: SplitDraft, b: number): void {
  const p = draft.primary;
  p.ps[b] = draft.ops.cipher.seal(p.pp[b]!, p.gen, b);
  p.bitmapA[b] = false;
  p.bitmapC[b] = true;
}

export const SPLIT_OPERATIONS: Omit<SplitOperations, 'cipher'> = {
  writeDirty({ primary: p }, b, data) {
    p.bitmapA[b] = true; // (3490, 4260)
    p.pp[b] = data;
  },
  writeDirtyClearSent({ primary: p }, b, data) {
    p.bitmapD[b] = false; // (4280/4250): what was sent ahead is stale now
    p.bitmapA[b] = true; // (4260)
    p.pp[b] = data; // (4270)
  },
  writeCopyOnWrite(draft, b, data) {
    const p = draft.primary;
    if (p.bitmapA[b]) splitOne(draft, b); // (3430-3460, 4290-4320)
    p.bitmapB[b] = true; // (3470, 4330)
    p.pp[b] = data;
  },
  writeAfterSplit({ primary: p }, b, data) {
    p.bitmapB[b] = true; // (3470)
    p.pp[b] = data;
  },
  reload: (s) => s,
};

/** The reference operations of an embodiment: E4 seals, E2 and E3 keep plaintext. */
export function splitOperations(control: FreezeControlInput): SplitOperations {
  return { ...SPLIT_OPERATIONS, cipher: control.embodiment === 4 ? AES_256_GCM : PLAIN };
}

/** The block the next copy step sends and its generation, or null (nothing to send, window full, D5 hold). */
function nextCopy(view: SplitView, source: CopySource): { block: number; gen: number } | null {
  const p = view.primary;
  if (outstandingData(p) >= view.geometry.window) return null;
  if (source === 'ps') {
    const block = unsentSplit(view);
    return block === -1 ? null : { block, gen: p.gen };
  }
  assert(source === 'pp-ahead', () => `the split algorithm does not copy from ${source}`);
  if (!betweenFreezes(p.state) && view.shared.awaitsCommitAck(p, 'freeze')) return null; // D5
  const block = firstSet(p.bitmapA, (b) => !p.bitmapD[b]); // D12 fix: A∧¬D
  return block === -1 ? null : { block, gen: p.gen + 1 };
}

function sendData(draft: SplitDraft, operation: Operation): void {
  const p = draft.primary;
  const source = operation.params?.['source'] as CopySource;
  const pick = nextCopy(draft, source);
  assert(pick !== null, 'copy.send with nothing to send');
  if (source === 'ps') {
    p.bitmapC[pick.block] = false; // (3710, 4900)
    transmitData(draft, pick.block, p.ps[pick.block]!, pick.gen);
  } else {
    p.bitmapD[pick.block] = true; // (4840)
    transmitData(draft, pick.block, p.pp[pick.block]!, pick.gen);
  }
}

function writeHost(draft: SplitDraft, operation: Operation, context: OperationContext): void {
  assert(context.event.type === 'host.write', 'writeHost runs on host.write');
  const b = groupBlock(draft.geometry, context.event.volume, context.event.block);
  const ops = draft.ops;
  const route = operation.params?.['route'] as WriteRoute;
  const write = {
    'pp-dirty': ops.writeDirty, 'pp-dirty-clear-sent': ops.writeDirtyClearSent, 'copy-on-write': ops.writeCopyOnWrite, 'pp-written-after': ops.writeAfterSplit,
  }[route as string];
  assert(write !== undefined, () => `E2-E4 have no write route ${route}`);
  write(draft, b, context.event.data);
}

/** E2/E4 (3750, 3760): A := B, B := 0; then S_DONE is acknowledged and the host told (3780; E3 5020). */
function completeFreeze(draft: SplitDraft, _operation: Operation, context: OperationContext): void {
  const p = draft.primary;
  if (!sendsAhead(draft.variant.control)) {
    for (let b = 0; b < p.bitmapA.length; b += 1) p.bitmapA[b] = p.bitmapA[b]! || p.bitmapB[b]!;
    p.bitmapB.fill(false);
  }
  acknowledge(draft, context.message, p);
  draft.results.push({ kind: 'freeze-done', gen: p.gen });
}

const SPLIT_PRIMARY_ACTIONS: Readonly<Record<string, Action<SplitSystem<Block>, SplitOperations>>> = {
  writeHost,
  readHost: (draft, _operation, { event }) => {
    assert(event.type === 'host.read', 'readHost runs on host.read');
    const b = groupBlock(draft.geometry, event.volume, event.block);
    draft.results.push({ kind: 'read', block: b, data: draft.primary.pp[b]! }); // PP holds the newest data (Fig 10)
  },
  sendData,
  splitBlock: (draft) => {
    const block = firstSet(draft.primary.bitmapA);
    assert(block !== -1, 'split.block needs a block in A');
    splitOne(draft, block);
  },
  foldWrittenIntoDirty: ({ primary: p }) => {
    for (let b = 0; b < p.bitmapA.length; b += 1) p.bitmapA[b] = p.bitmapA[b]! || p.bitmapB[b]!; // E3 D13 fix: A |= B
    p.bitmapB.fill(false);
  },
  forgetSentAhead: ({ primary: p }) => {
    for (let b = 0; b < p.bitmapC.length; b += 1) p.bitmapC[b] = p.bitmapC[b]! && !p.bitmapD[b]!; // E3 D14: C &= ¬D
    p.bitmapD.fill(false); // (4940)
  },
  completeFreeze,
};

/** E2 (3810), E3 (5420-5450): SP[b] := d with SA, or in E3 while applying copy-on-write to SS first and SB. */
function storeData(draft: SplitDraft, operation: Operation, context: OperationContext): void {
  const message = context.message;
  assert(message !== undefined && message.kind === 'data', 'storeData runs on DATA');
  const s = draft.secondary;
  const b = message.block;
  if ((operation.params?.['target'] as StoreTarget) === 'next') {
    if (s.sa[b]) { // E3 copy-on-write (5430): keep the committed block before SP changes (D16: this block's SA)
      s.ss[b] = draft.ops.cipher.open(s.sp[b]!) ?? s.ss[b]!;
      s.sa[b] = false;
    }
    s.sb[b] = true; // (5450)
  } else {
    s.sa[b] = true; // (3810, 5440)
  }
  s.sp[b] = message.data;
  s.spSeq[b] = message.seq;
  acknowledge(draft, message, s); // D7 fix: after the store
}

/** (4020-4030, 5220-5240): SS[b] := SP[b], decrypted in E4 (P250); SA[b] := 0. */
function applyOne(draft: SplitDraft): void {
  const s = draft.secondary;
  const b = firstSet(s.sa);
  assert(b !== -1, 'apply.block with nothing to apply');
  const plain = draft.ops.cipher.open(s.sp[b]!);
  assert(plain !== null, 'SP holds a block that does not authenticate');
  s.ss[b] = plain;
  s.sa[b] = false;
}

const SPLIT_SECONDARY_ACTIONS: Readonly<Record<string, Action<SplitSystem<Block>, SplitOperations>>> = {
  storeData,
  applyBlock: applyOne,
  finishApply: (draft) => {
    const s = draft.secondary;
    if (!sendsAhead(draft.variant.control)) return;
    s.sa = s.sb; // E3 (5260) SA := SB
    s.sb = s.sb.map(() => false);
  },
  discardUncommitted: (draft) => {
    const s = draft.secondary;
    s.sa.fill(false); // SS is the image (【0138】); SP's partial next image is abandoned
    s.sb.fill(false);
    draft.results.push({ kind: 'recovered', gen: s.gen, image: s.ss.slice() });
  },
  applyAll: (draft) => {
    while (firstSet(draft.secondary.sa) !== -1) applyOne(draft); // (3030): bounded by the block count
  },
  corruptBlock: (draft, _operation, { event }) => {
    assert(event.type === 'block.corrupt', 'corruptBlock runs on block.corrupt');
    const b = groupBlock(draft.geometry, event.volume, event.block);
    draft.secondary.ss[b] = filledLike(draft.secondary.ss[b]!, CORRUPT_BYTE); // silent: nothing records it
  },
};

/**
 * One block of an online verify (issue 15, DRBD's VerifyS/VerifyT): between freezes PS holds F(k) on the
 * primary (decrypted in E4) and SS holds it on the secondary, on every block, written since or not; so every
 * block is compared, PS with SS.
 */
function verifyDiffers(view: SplitView, b: number): boolean {
  const frozen = view.ops.cipher.open(view.primary.ps[b]!);
  return frozen === null || compareBlocks(frozen, view.secondary.ss[b]!) !== 0;
}

function initialSystem(geometry: FreezeGeometry, zero: Block, cipher: Cipher): SplitSystem<Block> {
  const n = blockCount(geometry);
  const fill = <T>(value: T): T[] => new Array<T>(n).fill(value);
  // Sealing is deterministic, so PS and SP start with the same sealed blocks, sealed once.
  const sealed = Array.from({ length: n }, (_, b) => cipher.seal(zero, 0, b));
  return {
    algorithm: 'split',
    primary: {
      state: 'normal', gen: 0, seq: 1, outstanding: [], verifyCursor: 0, verifyFound: fill(false),
      pp: fill(zero), ps: sealed, bitmapA: fill(false), bitmapB: fill(false), bitmapC: fill(false), bitmapD: fill(false),
    },
    secondary: { state: 'receiving', gen: 0, outstanding: [], sp: sealed.slice(), spSeq: fill(0), ss: fill(zero), sa: fill(false), sb: fill(false) },
    link: link.emptyLink<Message<Block>>(geometry.linkCapacity),
  };
}

// The copies name every field, in initialSystem's order, instead of spreading (see log.ts).

function copyPrimary(p: SplitPrimary<Block>): SplitPrimary<Block> {
  return {
    state: p.state, gen: p.gen, seq: p.seq, outstanding: p.outstanding.slice(), verifyCursor: p.verifyCursor, verifyFound: p.verifyFound.slice(),
    pp: p.pp.slice(), ps: p.ps.slice(), bitmapA: p.bitmapA.slice(), bitmapB: p.bitmapB.slice(), bitmapC: p.bitmapC.slice(), bitmapD: p.bitmapD.slice(),
  };
}

function copySecondary(s: SplitSecondary<Block>): SplitSecondary<Block> {
  return {
    state: s.state, gen: s.gen, outstanding: s.outstanding.slice(),
    sp: s.sp.slice(), spSeq: s.spSeq.slice(), ss: s.ss.slice(), sa: s.sa.slice(), sb: s.sb.slice(),
  };
}

/** E2-E4 with a variant's operations. */
export function splitAlgorithm(ops: SplitOperations): Algorithm<SplitSystem<Block>, SplitOperations> {
  return {
    name: 'split',
    ops,
    freezeCommits: true,
    initial: (geometry, zero) => initialSystem(geometry, zero, ops.cipher),
    copyPrimary,
    copySecondary,
    copyEvent: (view, source) => (nextCopy(view, source) === null ? null : 'copy.send'),
    freezeTaskEvent(view) {
      const p = view.primary;
      if (p.state === 'freezing.splitting') return firstSet(p.bitmapA) === -1 ? 'split.complete' : 'split.block'; // (3640, 4610)
      if (p.state !== 'freezing.transferring') return null;
      return unsentSplit(view) === -1 && outstandingData(p) === 0 ? 'transfer.complete' : null; // D10 fix: every block acknowledged
    },
    pendingApply: (s) => firstSet(s.sa),
    verifyDiffers,
    storedSeq: (s, block) => s.spSeq[block]!,
    reload: (s) => ops.reload(s),
    primaryActions: SPLIT_PRIMARY_ACTIONS,
    secondaryActions: SPLIT_SECONDARY_ACTIONS,
  };
}
