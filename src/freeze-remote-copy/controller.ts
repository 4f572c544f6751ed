/**
 * The freeze-remote-copy controllers of seed 001: primary DKC 1030 and secondary DKC 1040 with their
 * volumes, bitmaps and retransmission state, and the unordered link between them (src/link.ts).
 *
 * `stepSystem` is the only entry point. It checks a command's arguments, turns the command into the machine
 * event it is (a delivered message becomes `data.receive` or `message.stale` by its generation and sequence
 * number; a background step becomes `drain.complete` only when PBM is empty and nothing is unacknowledged),
 * asks that controller's machine (machines/freeze-remote-copy.ts) for the transition, and runs the
 * transition's operations in order on a copy of the system. A rejected command returns the system it was
 * given, unchanged, with a typed rejection: arguments first (src/rejection.ts order), then `wrong-state` when
 * the machine has no transition or the background task has nothing to do, and `busy` for a freeze while one
 * is in progress (D9) or a duplicate into a full link. Deciding never copies anything; only an admitted
 * command copies the system, which is what keeps the exhaustive search fast.
 *
 * Per-block bitmaps are boolean arrays; E1's SBM and SDBM are implicit in the logs (a block has a record in
 * SDIFFA exactly when SBM[b]=1), which is what "at most one record per block" (【0045】【0046】) gives.
 *
 * Abstracted away: cache RAM and its lookups (D8: no cache is modelled), the few-millisecond waits of 2635
 * and the task scheduler (every background step is an explicit event), physical disks (【0032】).
 */
import {
  primaryMachine,
  secondaryMachine,
  type CopySource,
  type FreezeControlInput,
  type PrimaryEventType,
  type SecondaryEventType,
  type StoreTarget,
  type WriteRoute,
} from '../../machines/freeze-remote-copy.js';
import { assert } from '../assert.js';
import { ControlTable, type ControlStep, type Operation } from '../control.js';
import * as link from '../link.js';
import { reject, type Rejection } from '../rejection.js';
import { blockCount, groupBlock, validateArguments, type DataMessage, type FreezeEvent, type FreezeGeometry, type Message } from './commands.js';
import { open, seal } from './crypto.js';
import type { FreezeVariant } from './variants.js';

export type PrimaryStateKey =
  | 'normal'
  | 'freezing.draining'
  | 'freezing.merging'
  | 'freezing.splitting'
  | 'freezing.transferring'
  | 'freezing.awaiting'
  | 'failed';

export type SecondaryStateKey = 'receiving' | 'noted' | 'applying' | 'recovered';

export interface LogRecord {
  readonly data: string;
  readonly seq: number;
}

/** Everything the primary holds. E1 uses the pvol group, E2-E4 the pp group; the other arrays are empty. */
export interface PrimaryData {
  state: PrimaryStateKey;
  /** k_P: freezes accepted so far; the freeze in progress, if any, is this one. */
  gen: number;
  /** The next DATA sequence number. */
  seq: number;
  pvol: string[];
  pdiff: (string | null)[];
  pbm: boolean[];
  pdbm: boolean[];
  /** D1 fix: blocks written in F1 to PVOL after their frozen value was sent; folded into PBM at ALL_SENT. */
  next: boolean[];
  /** D20 literal only: the block RC read into RAM (2250) before clearing PBM (2260). */
  staged: { readonly block: number; readonly data: string } | null;
  pp: string[];
  /** E4: sealed blocks. */
  ps: string[];
  bitmapA: boolean[];
  bitmapB: boolean[];
  bitmapC: boolean[];
  bitmapD: boolean[];
  /** Messages sent and not yet acknowledged, in canonical order; a timeout sends them again. */
  outstanding: Message[];
}

export interface SecondaryData {
  state: SecondaryStateKey;
  /** k_S: the generation whose image the secondary has committed to. */
  gen: number;
  svol: string[];
  logA: (LogRecord | null)[];
  logB: (LogRecord | null)[];
  /** E4: sealed blocks. */
  sp: string[];
  /** The sequence number of the DATA that last wrote SP[b] (0: the initial image). */
  spSeq: number[];
  ss: string[];
  sa: boolean[];
  sb: boolean[];
  outstanding: Message[];
}

export interface FreezeSystem {
  readonly primary: PrimaryData;
  readonly secondary: SecondaryData;
  readonly link: link.Link<Message>;
}

export type FreezeResult =
  | { readonly kind: 'read'; readonly block: number; readonly data: string }
  | { readonly kind: 'freeze-done'; readonly gen: number }
  | { readonly kind: 'recovered'; readonly gen: number; readonly image: readonly string[] };

export interface MachineStep extends ControlStep {
  readonly machine: 'primary' | 'secondary';
}

export type FreezeOutcome =
  | { readonly accepted: true; readonly transitions: readonly MachineStep[]; readonly results: readonly FreezeResult[] }
  | { readonly accepted: false; readonly rejection: Rejection };

const tables = new WeakMap<FreezeControlInput, { primary: ControlTable; secondary: ControlTable }>();

export function controlTablesFor(control: FreezeControlInput): { primary: ControlTable; secondary: ControlTable } {
  let found = tables.get(control);
  if (found === undefined) {
    found = { primary: new ControlTable(primaryMachine, control), secondary: new ControlTable(secondaryMachine, control) };
    tables.set(control, found);
  }
  return found;
}

export const isLogEmbodiment = (control: FreezeControlInput): boolean => control.embodiment === 1;
export const isEncrypted = (control: FreezeControlInput): boolean => control.embodiment === 4;

function zeroBlock(geometry: FreezeGeometry): string {
  return '00'.repeat(geometry.blockSize);
}

/** Generation 0 (D18): every volume equal, every bitmap clear, nothing in flight. */
export function initialSystem(variant: FreezeVariant, geometry: FreezeGeometry): FreezeSystem {
  const n = blockCount(geometry);
  const zero = zeroBlock(geometry);
  const log = isLogEmbodiment(variant.control);
  const fill = <T>(value: T): T[] => new Array<T>(n).fill(value);
  const none = <T>(): T[] => [];
  const sealed = (b: number): string => (isEncrypted(variant.control) && variant.defect !== 'plaintext-on-the-wire' ? seal(zero, 0, b) : zero);
  return {
    primary: {
      state: 'normal', gen: 0, seq: 1,
      pvol: log ? fill(zero) : none(), pdiff: log ? fill<string | null>(null) : none(), pbm: log ? fill(false) : none(),
      pdbm: log ? fill(false) : none(), next: log ? fill(false) : none(), staged: null,
      pp: log ? none() : fill(zero), ps: log ? none() : Array.from({ length: n }, (_, b) => sealed(b)),
      bitmapA: log ? none() : fill(false), bitmapB: log ? none() : fill(false),
      bitmapC: log ? none() : fill(false), bitmapD: log ? none() : fill(false),
      outstanding: [],
    },
    secondary: {
      state: 'receiving', gen: 0,
      svol: log ? fill(zero) : none(), logA: log ? fill<LogRecord | null>(null) : none(), logB: log ? fill<LogRecord | null>(null) : none(),
      sp: log ? none() : Array.from({ length: n }, (_, b) => sealed(b)), spSeq: log ? none() : fill(0),
      ss: log ? none() : fill(zero), sa: log ? none() : fill(false), sb: log ? none() : fill(false),
      outstanding: [],
    },
    link: link.emptyLink<Message>(geometry.linkCapacity),
  };
}

// The copies name every field, in initialSystem's order, instead of spreading: spread copies gave the same
// fields several engine shapes, and every function reading them slowed down to a generic property lookup.

function clonePrimary(p: PrimaryData): PrimaryData {
  return {
    state: p.state, gen: p.gen, seq: p.seq,
    pvol: p.pvol.slice(), pdiff: p.pdiff.slice(), pbm: p.pbm.slice(), pdbm: p.pdbm.slice(), next: p.next.slice(), staged: p.staged,
    pp: p.pp.slice(), ps: p.ps.slice(), bitmapA: p.bitmapA.slice(), bitmapB: p.bitmapB.slice(), bitmapC: p.bitmapC.slice(),
    bitmapD: p.bitmapD.slice(), outstanding: p.outstanding.slice(),
  };
}

function cloneSecondary(s: SecondaryData): SecondaryData {
  return {
    state: s.state, gen: s.gen,
    svol: s.svol.slice(), logA: s.logA.slice(), logB: s.logB.slice(), sp: s.sp.slice(), spSeq: s.spSeq.slice(),
    ss: s.ss.slice(), sa: s.sa.slice(), sb: s.sb.slice(), outstanding: s.outstanding.slice(),
  };
}

/** What deciding a command reads: a system and its variant, never changed. */
interface View {
  readonly primary: PrimaryData;
  readonly secondary: SecondaryData;
  readonly link: link.Link<Message>;
  readonly variant: FreezeVariant;
  readonly control: FreezeControlInput;
  readonly geometry: FreezeGeometry;
}

/** One step's working copy: the system being built, the transitions taken and the results for the host. */
class Draft implements View {
  readonly primary: PrimaryData;
  readonly secondary: SecondaryData;
  link: link.Link<Message>;
  readonly transitions: MachineStep[] = [];
  readonly results: FreezeResult[] = [];

  constructor(
    from: FreezeSystem,
    readonly variant: FreezeVariant,
    readonly geometry: FreezeGeometry,
  ) {
    this.primary = clonePrimary(from.primary);
    this.secondary = cloneSecondary(from.secondary);
    this.link = from.link;
  }

  get control(): FreezeControlInput {
    return this.variant.control;
  }

  system(): FreezeSystem {
    return { primary: this.primary, secondary: this.secondary, link: this.link };
  }

  /** Sends a message; `track` keeps it for retransmission until it is acknowledged. */
  send(message: Message, track: boolean, from: PrimaryData | SecondaryData): void {
    this.link = link.send(this.link, message).link;
    if (track) from.outstanding = insertCanonical(from.outstanding, message);
  }
}

/**
 * The unacknowledged messages that are really lost: neither a copy of them nor their ACK is in flight. The
 * retransmission timer is modelled as exact (longer than any round trip), so it never fires spuriously;
 * spurious copies are what `link.duplicate` makes, and that explores the same duplicates.
 */
export function lostMessages(wire: link.Link<Message>, outstanding: readonly Message[]): Message[] {
  return outstanding.filter((m) => !wire.inFlight.some((f) => (f.kind === m.kind && f.gen === m.gen && f.seq === m.seq && f.to === m.to)
    || (f.kind === 'ack' && f.to !== m.to && f.of === m.kind && f.gen === m.gen && f.seq === m.seq)));
}

function insertCanonical(messages: readonly Message[], message: Message): Message[] {
  const text = JSON.stringify(message);
  if (messages.some((m) => JSON.stringify(m) === text)) return messages.slice();
  return [...messages, message].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

const firstSet = (bits: readonly boolean[], also: (b: number) => boolean = () => true): number => bits.findIndex((bit, b) => bit && also(b));

type Refusal = { readonly rejection: Rejection };

function rejected(reason: Parameters<typeof reject>[0], message: string): Refusal {
  return { rejection: reject(reason, message) };
}


/**
 * A transition as an outcome reports it, with the machine that took it. The fields are named rather than
 * spread from the transition: a spread with an added field took the engine's slow path on every step.
 */
function machineStep(transition: ControlStep, machine: MachineStep['machine']): MachineStep {
  const { source, eventType, target, operations, edge, description, meta } = transition;
  return { source, eventType, target, operations, edge, description, meta, machine };
}

/** Takes one machine transition and runs its operations in order. */
function take(draft: Draft, machine: 'primary' | 'secondary', transition: ControlStep, context: OperationContext): void {
  draft.transitions.push(machineStep(transition, machine));
  if (machine === 'primary') {
    draft.primary.state = transition.target as PrimaryStateKey;
    for (const operation of transition.operations) runPrimary(draft, operation, context);
    return;
  }
  const before = draft.secondary.state;
  draft.secondary.state = transition.target as SecondaryStateKey;
  for (const operation of transition.operations) runSecondary(draft, operation, context, before);
}

interface OperationContext {
  readonly event: FreezeEvent;
  readonly message?: Message;
}

// ---------------------------------------------------------------- primary operations

/**
 * The link operations both controllers' machines name: take an ACK off the outstanding list, acknowledge a
 * stale or duplicated message, drop one, or retransmit what was lost. Returns false for any other operation.
 */
function runLinkOperation(draft: Draft, operation: Operation, context: OperationContext, owner: PrimaryData | SecondaryData): boolean {
  switch (operation.type) {
    case 'receiveAck':
      receiveAck(owner, context.message);
      return true;
    case 'acknowledgeStale':
      acknowledge(draft, context.message, owner);
      return true;
    case 'dropMessage':
      return true;
    case 'retransmit':
      for (const message of lostMessages(draft.link, owner.outstanding)) draft.send(message, false, owner);
      return true;
    default:
      return false;
  }
}

function runPrimary(draft: Draft, operation: Operation, context: OperationContext): void {
  const p = draft.primary;
  if (runLinkOperation(draft, operation, context, p)) return;
  switch (operation.type) {
    case 'writeHost':
      assert(context.event.type === 'host.write', 'writeHost runs on host.write');
      writeHost(draft, operation.params?.['route'] as WriteRoute, groupBlock(draft.geometry, context.event.volume, context.event.block), context.event.data);
      return;
    case 'readHost':
      assert(context.event.type === 'host.read', 'readHost runs on host.read');
      readHost(draft, groupBlock(draft.geometry, context.event.volume, context.event.block));
      return;
    case 'acceptFreeze':
      p.gen += 1; // (2610, 3620, 4420): this step is the freeze instant t(N)
      return;
    case 'sendFreeze':
      // (2620, 3720, 4960). In E1 FREEZE is advisory: ALL_SENT commits and may arrive first, so a lost FREEZE
      // costs nothing and is neither acknowledged nor retransmitted. In E2-E4 FREEZE is the commit (D5).
      draft.send({ to: 'secondary', kind: 'freeze', gen: p.gen, seq: 0 }, !isLogEmbodiment(draft.control), p);
      return;
    case 'sendData':
      sendData(draft, operation.params?.['source'] as CopySource);
      return;
    case 'stageBlock': {
      const block = firstSet(p.pbm);
      assert(block !== -1 && p.staged === null, 'copy.stage needs a block in PBM and an empty RAM buffer');
      p.staged = { block, data: p.pvol[block]! }; // LITERAL (2250): read now, clear PBM later
      return;
    }
    case 'completeDrain':
      completeDrain(draft);
      return;
    case 'mergeBlock': {
      const block = firstSet(p.pdbm);
      assert(block !== -1, 'merge.block needs a block in PDBM');
      p.pvol[block] = p.pdiff[block]!; // (2670, 2680)
      p.pdiff[block] = null;
      p.pdbm[block] = false; // (2690)
      p.pbm[block] = true; // (2695): sent with the next image
      return;
    }
    case 'splitBlock': {
      const block = firstSet(p.bitmapA);
      assert(block !== -1, 'split.block needs a block in A');
      splitOne(draft, block); // (3650-3670, 4630-4650)
      return;
    }
    case 'foldWrittenIntoDirty':
      for (let b = 0; b < p.bitmapA.length; b += 1) p.bitmapA[b] = p.bitmapA[b]! || p.bitmapB[b]!; // D13 fix: A |= B
      p.bitmapB.fill(false);
      return;
    case 'forgetSentAhead':
      for (let b = 0; b < p.bitmapC.length; b += 1) p.bitmapC[b] = p.bitmapC[b]! && !p.bitmapD[b]!; // D14: C &= ¬D
      p.bitmapD.fill(false); // (4940)
      return;
    case 'completeFreeze':
      completeFreeze(draft, context.message);
      return;
    default:
      throw new Error(`freeze-remote-copy primary machine names an unknown operation ${operation.type}`);
  }
}

/** Routes one host write by state (Fig 4; Fig 15; Fig 22). */
function writeHost(draft: Draft, route: WriteRoute, b: number, data: string): void {
  const p = draft.primary;
  switch (route) {
    case 'pvol':
      p.pbm[b] = true; // (2030)
      p.pvol[b] = data; // (2040)
      return;
    case 'redirect-or-next':
      if (p.pbm[b] || p.pdbm[b]) {
        if (p.pdbm[b] && draft.variant.defect === 'redirect-drops-rewrite') return; // BROKEN
        p.pdbm[b] = true; // (2070)
        p.pdiff[b] = data; // (2080): the old record of b is discarded
      } else {
        p.pvol[b] = data; // the frozen value was sent: PVOL may change (D1 fix)
        p.next[b] = true;
      }
      return;
    case 'literal-2060':
      if (p.pbm[b]) {
        p.pdbm[b] = true;
        p.pdiff[b] = data;
      } else {
        p.pbm[b] = true; // LITERAL 2060→2030: the post-freeze value joins the drain (D1)
        p.pvol[b] = data;
      }
      return;
    case 'pvol-drop-log':
      p.pdiff[b] = null; // D4 fix: the merge will not overwrite this newer data
      p.pdbm[b] = false;
      p.pvol[b] = data;
      p.pbm[b] = true;
      return;
    case 'pp-dirty-clear-sent':
      p.bitmapD[b] = false; // (4280/4250): what was sent ahead is stale now
      p.bitmapA[b] = true; // (4260)
      p.pp[b] = data; // (4270)
      return;
    case 'pp-dirty':
      p.bitmapA[b] = true; // (3490, 4260)
      p.pp[b] = data;
      return;
    case 'copy-on-write':
      if (p.bitmapA[b]) splitOne(draft, b); // (3430-3460, 4290-4320)
      p.bitmapB[b] = true; // (3470, 4330)
      p.pp[b] = data;
      return;
    case 'pp-written-after':
      if (draft.variant.defect !== 'split-forgets-write-after') p.bitmapB[b] = true; // (3470)
      p.pp[b] = data;
      return;
  }
}

/** The host-visible block: PDIFF when PDBM[b] (Fig 10), else PVOL; PP in E2-E4. */
export function hostBlock(p: PrimaryData, control: FreezeControlInput, b: number): string {
  if (!isLogEmbodiment(control)) return p.pp[b]!;
  return p.pdbm[b] ? p.pdiff[b]! : p.pvol[b]!;
}

function readHost(draft: Draft, b: number): void {
  const p = draft.primary;
  const data = draft.variant.defect === 'read-ignores-difference-log' ? p.pvol[b]! : hostBlock(p, draft.control, b);
  draft.results.push({ kind: 'read', block: b, data });
}

/** PS[b] := PP[b], sealed in E4 (L210); A[b] := 0; C[b] := 1. */
function splitOne(draft: Draft, b: number): void {
  const p = draft.primary;
  p.ps[b] = sealFor(draft.variant, p.pp[b]!, p.gen, b);
  p.bitmapA[b] = false;
  p.bitmapC[b] = true;
}

export function sealFor(variant: FreezeVariant, plaintext: string, gen: number, b: number): string {
  return isEncrypted(variant.control) && variant.defect !== 'plaintext-on-the-wire' ? seal(plaintext, gen, b) : plaintext;
}

/** The plaintext of a PS/SP block: decrypted in E4 (P250), as stored otherwise; null if it does not authenticate. */
export function openFor(variant: FreezeVariant, stored: string): string | null {
  return isEncrypted(variant.control) && variant.defect !== 'plaintext-on-the-wire' ? open(stored) : stored;
}

const outstandingData = (p: PrimaryData): number => p.outstanding.filter((m) => m.kind === 'data').length;
const awaitsAck = (p: PrimaryData, kind: 'freeze' | 'all-sent'): boolean => p.outstanding.some((m) => m.kind === kind && m.gen === p.gen);

/**
 * The block the next copy step sends and the generation it belongs to, or null when there is none (or the
 * window is full, or D5 holds next-image data until ALL_SENT/FREEZE is acknowledged).
 */
export function nextCopy(p: PrimaryData, control: FreezeControlInput, source: CopySource, window: number): { block: number; gen: number } | null {
  if (outstandingData(p) >= window) return null;
  switch (source) {
    case 'pvol': {
      const draining = p.state === 'freezing.draining';
      if (!draining && p.state !== 'normal' && control.generations === 'fixed' && awaitsAck(p, 'all-sent')) return null; // D5
      const block = firstSet(p.pbm);
      return block === -1 ? null : { block, gen: draining ? p.gen : p.gen + 1 };
    }
    case 'ps': {
      const block = firstSet(p.bitmapC, (b) => control.embodiment !== 3 || !p.bitmapD[b]);
      return block === -1 ? null : { block, gen: p.gen };
    }
    case 'pp-ahead': {
      if (p.state !== 'normal' && control.generations === 'fixed' && awaitsAck(p, 'freeze')) return null; // D5
      const block = firstSet(p.bitmapA, (b) => !p.bitmapD[b]); // D12 fix: A∧¬D
      return block === -1 ? null : { block, gen: p.gen + 1 };
    }
  }
}

/** Which copy source the machine's copy.send in this state names, for deciding whether there is work. */
function copySourceOf(draft: View): CopySource | null {
  const table = controlTablesFor(draft.control).primary;
  const transition = table.step(draft.primary.state, 'copy.send');
  const operation = transition?.operations.find((o) => o.type === 'sendData');
  return operation === undefined ? null : (operation.params?.['source'] as CopySource);
}

function sendData(draft: Draft, source: CopySource): void {
  const p = draft.primary;
  if (draft.control.copyOrder === 'literal' && source === 'pvol') {
    assert(p.staged !== null, 'LITERAL copy.send sends the block read by copy.stage');
    const { block, data } = p.staged;
    p.pbm[block] = false; // LITERAL (2260): cleared after the read, so a write in between is lost (D20)
    p.staged = null;
    transmitData(draft, block, data, p.state === 'freezing.draining' ? p.gen : p.gen + 1);
    return;
  }
  const pick = nextCopy(p, draft.control, source, draft.geometry.window);
  assert(pick !== null, 'copy.send with nothing to send');
  const { block, gen } = pick;
  switch (source) {
    case 'pvol':
      p.pbm[block] = false; // (2260) and the read (2250) in one step: D20 fix
      transmitData(draft, block, p.pvol[block]!, gen);
      return;
    case 'ps':
      p.bitmapC[block] = false; // (3710, 4900)
      transmitData(draft, block, p.ps[block]!, gen);
      return;
    case 'pp-ahead':
      p.bitmapD[block] = true; // (4840)
      transmitData(draft, block, p.pp[block]!, gen);
      return;
  }
}

function transmitData(draft: Draft, block: number, data: string, gen: number): void {
  const p = draft.primary;
  const message: DataMessage = { to: 'secondary', kind: 'data', gen, seq: p.seq, block, data };
  p.seq += 1;
  draft.send(message, true, p);
}

/** PBM empty (and D2 fix: nothing unacknowledged): ALL_SENT, NEXT into PBM (2650; D1 fix). */
function completeDrain(draft: Draft): void {
  const p = draft.primary;
  draft.send({ to: 'secondary', kind: 'all-sent', gen: p.gen, seq: 0 }, true, p);
  for (let b = 0; b < p.pbm.length; b += 1) p.pbm[b] = p.pbm[b]! || p.next[b]!;
  p.next.fill(false);
  if (draft.variant.defect === 'done-before-secondary') draft.results.push({ kind: 'freeze-done', gen: p.gen }); // BROKEN
}

function completeFreeze(draft: Draft, message: Message | undefined): void {
  const p = draft.primary;
  if (draft.control.embodiment === 2 || draft.control.embodiment === 4) {
    for (let b = 0; b < p.bitmapA.length; b += 1) p.bitmapA[b] = p.bitmapA[b]! || p.bitmapB[b]!; // (3750) A := B
    p.bitmapB.fill(false); // (3760)
  }
  acknowledge(draft, message, p);
  draft.results.push({ kind: 'freeze-done', gen: p.gen }); // (2730, 3780, 5020)
}

function receiveAck(owner: PrimaryData | SecondaryData, message: Message | undefined): void {
  assert(message !== undefined && message.kind === 'ack', 'receiveAck runs on an ACK');
  owner.outstanding = owner.outstanding.filter((m) => !(m.kind === message.of && m.gen === message.gen && m.seq === message.seq));
}

/** The ACK for a received message (受領報告, 2420): after the store (D7 fix), or for a stale duplicate. */
function acknowledge(draft: Draft, message: Message | undefined, from: PrimaryData | SecondaryData): void {
  assert(message !== undefined, 'an acknowledgement needs the message it acknowledges');
  if (message.kind === 'ack' || (message.kind === 'freeze' && isLogEmbodiment(draft.control))) return;
  const ack: Message = message.to === 'secondary'
    ? { to: 'primary', kind: 'ack', of: message.kind, gen: message.gen, seq: message.seq }
    : { to: 'secondary', kind: 'ack', of: 'secondary-done', gen: message.gen, seq: 0 };
  draft.send(ack, false, from);
}

// ---------------------------------------------------------------- secondary operations

function runSecondary(draft: Draft, operation: Operation, context: OperationContext, before: SecondaryStateKey): void {
  const s = draft.secondary;
  if (runLinkOperation(draft, operation, context, s)) return;
  switch (operation.type) {
    case 'storeData':
      storeData(draft, operation.params?.['target'] as StoreTarget, context.message);
      return;
    case 'noteFreeze':
      acknowledge(draft, context.message, s); // (2810)
      return;
    case 'commit':
      assert(context.message !== undefined, 'commit runs on FREEZE or ALL_SENT');
      s.gen = draft.control.generations === 'literal' ? s.gen + 1 : context.message.gen; // k_S := N (2825; 4010; 5210)
      acknowledge(draft, context.message, s);
      return;
    case 'applyBlock':
      applyOne(draft);
      return;
    case 'finishApply':
      finishApply(draft, operation.params?.['foldSecondLog'] === true);
      return;
    case 'sendDone':
      draft.send({ to: 'primary', kind: 'secondary-done', gen: s.gen, seq: 0 }, true, s); // (2890, 4050, 5280)
      return;
    case 'reload':
      if (draft.variant.defect === 'volatile-secondary-memory') forgetVolatile(draft);
      return;
    case 'applyAll':
      while (pendingApply(draft) !== -1) applyOne(draft); // (3030): bounded by the block count
      return;
    case 'discardUncommitted':
      discardUncommitted(draft, before);
      return;
    default:
      throw new Error(`freeze-remote-copy secondary machine names an unknown operation ${operation.type}`);
  }
}

function storeData(draft: Draft, target: StoreTarget, message: Message | undefined): void {
  assert(message !== undefined && message.kind === 'data', 'storeData runs on DATA');
  const s = draft.secondary;
  const b = message.block;
  if (isLogEmbodiment(draft.control)) {
    const record = { data: message.data, seq: message.seq };
    if (target === 'current') s.logA[b] = record; // (2440, 2450)
    else s.logB[b] = record; // (2460, 2470)
    if (draft.variant.defect === 'data-written-to-svol') s.svol[b] = message.data; // BROKEN
  } else {
    if (target === 'next') {
      if (s.sa[b]) { // E3 copy-on-write (5430): keep the committed block before SP changes (D16: this block's SA)
        s.ss[b] = openFor(draft.variant, s.sp[b]!) ?? s.ss[b]!;
        s.sa[b] = false;
      }
      s.sb[b] = true; // (5450)
    } else {
      s.sa[b] = true; // (3810, 5440)
    }
    s.sp[b] = message.data;
    s.spSeq[b] = message.seq;
  }
  acknowledge(draft, message, s); // D7 fix: after the store
}

/** The next block the apply loop copies (SBM in E1, SA in E2-E4), or -1. */
export function pendingApply(draft: Pick<View, 'secondary' | 'control'>): number {
  const s = draft.secondary;
  return isLogEmbodiment(draft.control) ? s.logA.findIndex((r) => r !== null) : firstSet(s.sa);
}

function applyOne(draft: Draft): void {
  const s = draft.secondary;
  const b = pendingApply(draft);
  assert(b !== -1, 'apply.block with nothing to apply');
  if (isLogEmbodiment(draft.control)) {
    s.svol[b] = s.logA[b]!.data; // (2860)
    s.logA[b] = null; // (2870)
  } else {
    const plain = openFor(draft.variant, s.sp[b]!);
    assert(plain !== null, 'SP holds a block that does not authenticate');
    s.ss[b] = plain; // (4030; P250 decrypts in E4)
    s.sa[b] = false;
  }
}

function finishApply(draft: Draft, fold: boolean): void {
  const s = draft.secondary;
  if (isLogEmbodiment(draft.control)) {
    if (fold) {
      s.logA = s.logB; // D3 fix: SDIFFA is empty; SDIFFB becomes the log of the next image
      s.logB = s.logB.map(() => null);
    }
  } else if (draft.control.embodiment === 3) {
    s.sa = s.sb; // (5260) SA := SB
    s.sb = s.sb.map(() => false);
  }
}

function discardUncommitted(draft: Draft, before: SecondaryStateKey): void {
  const s = draft.secondary;
  if (isLogEmbodiment(draft.control)) {
    if (draft.variant.defect === 'recover-applies-partial-log' && before !== 'applying') {
      s.logA.forEach((record, b) => { if (record !== null) s.svol[b] = record.data; }); // BROKEN
    }
    s.logA = s.logA.map(() => null); // (3060, 3070; D6: SBM too)
    s.logB = s.logB.map(() => null);
  } else {
    s.sa.fill(false); // SS is the image (【0138】); SP's partial next image is abandoned
    s.sb.fill(false);
  }
  draft.results.push({ kind: 'recovered', gen: s.gen, image: isLogEmbodiment(draft.control) ? s.svol.slice() : s.ss.slice() });
}

/** BROKEN volatile-secondary-memory: what a restart loses when modes and bitmaps live in RAM (D17). */
function forgetVolatile(draft: Draft): void {
  const s = draft.secondary;
  s.state = 'receiving';
  s.gen = 0;
  s.logA = s.logA.map(() => null);
  s.logB = s.logB.map(() => null);
  s.sa.fill(false);
  s.sb.fill(false);
}

// ---------------------------------------------------------------- commands

/**
 * What a delivered message is to the secondary's machine. LITERAL D5 (`generations: 'literal'`): there is no
 * generation or sequence number to look at, so every DATA is stored and the mode alone routes it (2430).
 */
function secondaryEventFor(s: SecondaryData, control: FreezeControlInput, message: Message): SecondaryEventType {
  if (s.state === 'recovered') return 'message.drop';
  if (message.kind === 'ack') return 'message.ack';
  const literal = control.generations === 'literal';
  if (!literal) {
    if (message.gen <= s.gen) return 'message.stale'; // an image already committed (D5 generations)
    assert(message.gen === s.gen + 1, () => `the secondary at generation ${s.gen} received ${message.kind} of generation ${message.gen}`);
  }
  switch (message.kind) {
    case 'data': {
      if (literal) return 'data.receive';
      const stored = isLogEmbodiment(control)
        ? (s.state === 'applying' ? s.logB : s.logA)[message.block]?.seq ?? 0
        : s.spSeq[message.block]!;
      return message.seq <= stored ? 'message.stale' : 'data.receive';
    }
    case 'freeze':
      return s.state === 'receiving' ? 'freeze.receive' : 'message.stale';
    case 'all-sent':
      return s.state === 'applying' ? 'message.stale' : 'all-sent.receive';
    default:
      throw new Error(`the secondary never receives ${message.kind}`);
  }
}

function primaryEventFor(p: PrimaryData, message: Message): PrimaryEventType {
  if (p.state === 'failed') return 'message.drop';
  if (message.kind === 'ack') return 'message.ack';
  assert(message.kind === 'secondary-done', () => `the primary never receives ${message.kind}`);
  if (message.gen < p.gen || p.state === 'normal') return 'message.stale';
  return p.state === 'freezing.awaiting' ? 'secondary.done' : 'message.early';
}

/** The machine event a primary.step is: the freeze task's next step, decided from the bitmaps. */
function freezeTaskEvent(draft: View): PrimaryEventType | null {
  const p = draft.primary;
  switch (p.state) {
    case 'freezing.draining': {
      const acked = draft.control.allSentWhen === 'literal' || outstandingData(p) === 0; // D2 fix
      return firstSet(p.pbm) === -1 && p.staged === null && acked ? 'drain.complete' : null;
    }
    case 'freezing.merging':
      return firstSet(p.pdbm) === -1 ? 'merge.complete' : 'merge.block';
    case 'freezing.splitting':
      return firstSet(p.bitmapA) === -1 ? 'split.complete' : 'split.block';
    case 'freezing.transferring': {
      const unsent = firstSet(p.bitmapC, (b) => draft.control.embodiment !== 3 || !p.bitmapD[b]) !== -1;
      return !unsent && outstandingData(p) === 0 ? 'transfer.complete' : null; // D10 fix: every block acknowledged
    }
    default:
      return null;
  }
}

function copyEvent(draft: View): PrimaryEventType | null {
  const p = draft.primary;
  const source = copySourceOf(draft);
  if (draft.control.copyOrder === 'literal' && source === 'pvol') {
    if (p.staged !== null) return 'copy.send';
    if (nextCopy(p, draft.control, source, draft.geometry.window) === null) return null;
    return 'copy.stage';
  }
  return source !== null && nextCopy(p, draft.control, source, draft.geometry.window) !== null ? 'copy.send' : null;
}

/** What a command is, decided without changing anything: a machine event, a link change, or a refusal. */
type Admission =
  | Refusal
  | { readonly link: link.Link<Message> }
  | { readonly machine: 'primary' | 'secondary'; readonly eventType: string; readonly message?: Message; readonly link: link.Link<Message> };

function admitMessage(view: View, index: number): Admission {
  if (!link.hasMessage(view.link, index)) return rejected('wrong-state', `no message #${index} in flight`);
  const { link: rest, message } = link.deliver(view.link, index);
  if (message.to === 'primary') return { machine: 'primary', eventType: primaryEventFor(view.primary, message), message, link: rest };
  return { machine: 'secondary', eventType: secondaryEventFor(view.secondary, view.control, message), message, link: rest };
}

function admitLink(view: View, event: FreezeEvent): Admission {
  switch (event.type) {
    case 'link.duplicate':
      if (!link.hasMessage(view.link, event.index)) return rejected('wrong-state', `no message #${event.index} in flight`);
      if (!link.canDuplicate(view.link, event.index)) return rejected('busy', 'the link is full');
      return { link: link.duplicate(view.link, event.index) };
    case 'link.lose':
      if (!link.hasMessage(view.link, event.index)) return rejected('wrong-state', `no message #${event.index} in flight`);
      return { link: link.lose(view.link, event.index) };
    case 'link.down':
      return view.link.up ? { link: link.down(view.link) } : rejected('wrong-state', 'the link is already down');
    default:
      return view.link.up ? rejected('wrong-state', 'the link is already up') : { link: link.up(view.link) };
  }
}

function admit(view: View, event: FreezeEvent): Admission {
  const onPrimary = (eventType: string | null, why: string): Admission =>
    (eventType === null ? rejected('wrong-state', why) : { machine: 'primary', eventType, link: view.link });
  const onSecondary = (eventType: string | null, why: string): Admission =>
    (eventType === null ? rejected('wrong-state', why) : { machine: 'secondary', eventType, link: view.link });
  switch (event.type) {
    case 'host.write':
    case 'host.read':
    case 'host.freeze':
    case 'primary.fail':
      return onPrimary(event.type, '');
    case 'primary.copy':
      return onPrimary(view.primary.state === 'failed' ? null : copyEvent(view), 'remote copy has nothing it may send now');
    case 'primary.step':
      return onPrimary(freezeTaskEvent(view), 'the freeze task has no step to take now');
    case 'primary.timeout':
      return onPrimary(lostMessages(view.link, view.primary.outstanding).length > 0 ? 'primary.timeout' : null, 'the primary has nothing lost to retransmit');
    case 'secondary.apply': {
      const type = view.secondary.state !== 'applying' ? null : pendingApply(view) === -1 ? 'apply.complete' : 'apply.block';
      return onSecondary(type, 'the secondary is not applying an image');
    }
    case 'secondary.timeout': {
      const lost = view.secondary.state !== 'recovered' && lostMessages(view.link, view.secondary.outstanding).length > 0;
      return onSecondary(lost ? 'secondary.timeout' : null, 'the secondary has nothing lost to retransmit');
    }
    case 'secondary.restart':
    case 'secondary.recover':
      return onSecondary(event.type, '');
    case 'link.deliver':
      return admitMessage(view, event.index);
    default:
      return admitLink(view, event);
  }
}

/** The transition an admitted machine event takes, or the refusal when the machine has none. */
function transitionFor(view: View, machine: 'primary' | 'secondary', eventType: string): ControlStep | Refusal {
  const tables = controlTablesFor(view.control);
  const state = machine === 'primary' ? view.primary.state : view.secondary.state;
  const transition = tables[machine].step(state, eventType);
  if (transition !== null) return transition;
  if (machine === 'primary' && eventType === 'host.freeze' && state.startsWith('freezing')) {
    return rejected('busy', 'a freeze is in progress; retry after its completion report (D9)');
  }
  return rejected('wrong-state', `the ${machine} does not take ${eventType} in ${state}`);
}

/** BROKEN freeze-not-busy: the freeze point moves while the previous freeze is still in progress. */
function moveFreezePoint(draft: Draft): void {
  draft.primary.gen += 1;
  draft.send({ to: 'secondary', kind: 'freeze', gen: draft.primary.gen, seq: 0 }, false, draft.primary);
}

/** Applies one command to a copy of the system; the system given is never changed. */
export function stepSystem(
  system: FreezeSystem,
  event: FreezeEvent,
  variant: FreezeVariant,
  geometry: FreezeGeometry,
): { readonly system: FreezeSystem; readonly outcome: FreezeOutcome } {
  const hostEvent = event.type === 'host.write' || event.type === 'host.read' || event.type === 'host.freeze';
  if (variant.defect === 'state-checked-before-range' && hostEvent && system.primary.state === 'failed') {
    return { system, outcome: { accepted: false, rejection: reject('wrong-state', 'the primary has failed') } }; // BROKEN order
  }
  const invalid = validateArguments(event, geometry);
  if (invalid !== null) {
    if (variant.defect === 'partial-write-on-range-error' && event.type === 'host.write' && invalid.reason === 'length-out-of-range'
      && event.data.length > 2 * geometry.blockSize) {
      const draft = new Draft(system, variant, geometry);
      const fits = { ...event, data: event.data.slice(0, 2 * geometry.blockSize) };
      const transition = transitionFor(draft, 'primary', 'host.write');
      if (!('rejection' in transition)) take(draft, 'primary', transition, { event: fits }); // BROKEN: stores what fits
      return { system: draft.system(), outcome: { accepted: false, rejection: invalid } };
    }
    return { system, outcome: { accepted: false, rejection: invalid } };
  }
  // Fields named rather than spread from the system: a spread with added fields took the engine's slow path.
  const view: View = { primary: system.primary, secondary: system.secondary, link: system.link, variant, control: variant.control, geometry };
  if (event.type === 'host.freeze' && variant.defect === 'freeze-not-busy' && system.primary.state.startsWith('freezing')) {
    const draft = new Draft(system, variant, geometry);
    moveFreezePoint(draft);
    return { system: draft.system(), outcome: { accepted: true, transitions: [], results: [] } };
  }
  const admission = admit(view, event);
  if ('rejection' in admission) return { system, outcome: { accepted: false, rejection: admission.rejection } };
  if (!('machine' in admission)) {
    return { system: { primary: system.primary, secondary: system.secondary, link: admission.link }, outcome: { accepted: true, transitions: [], results: [] } };
  }
  const transition = transitionFor(view, admission.machine, admission.eventType);
  if ('rejection' in transition) return { system, outcome: { accepted: false, rejection: transition.rejection } };
  if (event.type === 'secondary.restart' && variant.defect !== 'volatile-secondary-memory') {
    // Everything the secondary holds is durable (D17): the restart reloads exactly what was there.
    return { system, outcome: { accepted: true, transitions: [machineStep(transition, admission.machine)], results: [] } };
  }
  const draft = new Draft(system, variant, geometry);
  draft.link = admission.link;
  take(draft, admission.machine, transition, admission.message === undefined ? { event } : { event, message: admission.message });
  return { system: draft.system(), outcome: { accepted: true, transitions: draft.transitions, results: draft.results } };
}
