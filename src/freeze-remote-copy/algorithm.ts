/**
 * The contract between the shared controller (src/freeze-remote-copy/controller.ts: routing by machine state,
 * the link, retransmission, message classification) and the two algorithms of seed 001 that run under it:
 * E1's log (log.ts) and E2-E4's split (split.ts). An algorithm says how to start and copy its half of the
 * system, which machine event a background step is, and runs the machine operations that touch its volumes
 * and bitmaps. The operations a variant may replace are named in each algorithm's `...Operations` record and in
 * `SharedOperations` here; src/freeze-remote-copy/defects.ts replaces them, one per defect.
 */
import type { CopySource, PrimaryEventType } from '../../machines/freeze-remote-copy.js';
import type { Operation } from '../control.js';
import * as link from '../link.js';
import { reject, type Rejection } from '../rejection.js';
import { validateArguments } from './arguments.js';
import type { Block } from './block.js';
import { compareMessages, type FreezeEvent, type FreezeGeometry, type Message } from './events.js';
import type { FreezeResult, FreezeSystem, MachineStep, PrimaryControl, SecondaryControl } from './system.js';
import type { FreezeVariant } from './variants.js';
import { withOutstanding } from './wire.js';

/** A message's generation and sequence number, as the secondary reads them (spec/001 D5). */
export interface MessageTag {
  readonly gen: number;
  readonly seq: number;
}

/** Operations both algorithms share that a variant may replace (src/freeze-remote-copy/defects.ts). */
export interface SharedOperations {
  /** The argument check (src/freeze-remote-copy/arguments.ts); runs before any state is looked at. */
  readonly checkArguments: (event: FreezeEvent<Block>, geometry: FreezeGeometry, system: FreezeSystem<Block>) => Rejection | null;
  /** A command refused for its arguments changes nothing: the reference carries out nothing (null). */
  readonly carriedOutDespite: (event: FreezeEvent<Block>, rejection: Rejection, geometry: FreezeGeometry) => FreezeEvent<Block> | null;
  /** A freeze while one is in progress: busy, never queued (D9), or the system a variant makes of it. */
  readonly freezeInProgress: (edit: Edit) => Rejection | FreezeSystem<Block>;
  /** Whether an ACK acknowledges an unacknowledged message (2280): the same kind, generation and sequence number. */
  readonly acknowledges: (ack: Extract<Message<Block>, { kind: 'ack' }>, message: Message<Block>) => boolean;
  /** What the secondary reads of a message's generation and sequence number; null when messages carry none. */
  readonly tagOf: (message: Message<Block>) => MessageTag | null;
  /** A DATA that is no newer than the copy of its block the secondary already holds (D5 sequence numbers). */
  readonly olderThanStored: (tag: MessageTag, storedSeq: number) => boolean;
  /** Next-image DATA waits until ALL_SENT (E1) or FREEZE (E3) of this generation is acknowledged (D5). */
  readonly awaitsCommitAck: (primary: PrimaryControl<Block>, kind: 'all-sent' | 'freeze') => boolean;
}

const BUSY = reject('busy', 'a freeze is in progress; retry after its completion report (D9)');

/** The reference shared operations: every embodiment runs these. */
export const SHARED_OPERATIONS: SharedOperations = {
  checkArguments: (event, geometry) => validateArguments(event, geometry),
  carriedOutDespite: () => null,
  freezeInProgress: () => BUSY,
  acknowledges: (ack, message) => message.kind === ack.of && message.gen === ack.gen && message.seq === ack.seq,
  tagOf: (message) => message, // every message carries its generation and sequence number (D5)
  olderThanStored: (tag, storedSeq) => tag.seq <= storedSeq,
  awaitsCommitAck: (primary, kind) => primary.outstanding.some((m) => m.kind === kind && m.gen === primary.gen),
};

/** Applies a change to the primary of a copy of the system and returns the copy; the system it was made from is unchanged. */
export type Edit = (change: (draft: Draft<FreezeSystem<Block>, unknown>) => void) => FreezeSystem<Block>;

/** What deciding a command reads: a system, its variant and its operations, never changed. */
export interface View<Sys extends FreezeSystem<Block>, Ops> {
  readonly primary: Sys['primary'];
  readonly secondary: Sys['secondary'];
  readonly link: link.Link<Message<Block>>;
  readonly variant: FreezeVariant;
  readonly geometry: FreezeGeometry;
  readonly shared: SharedOperations;
  readonly ops: Ops;
}

/** The command and, for a delivered message, the message an operation runs on. */
export interface OperationContext {
  readonly event: FreezeEvent<Block>;
  readonly message?: Message<Block>;
  /** The machine state the transition left. */
  readonly from: string;
}

/** One machine operation (an XState action name) as an algorithm runs it. */
export type Action<Sys extends FreezeSystem<Block>, Ops> = (draft: Draft<Sys, Ops>, operation: Operation, context: OperationContext) => void;

export interface Algorithm<Sys extends FreezeSystem<Block>, Ops> {
  readonly name: Sys['algorithm'];
  /** The variant's operations, the reference ones with its defect's replacement (defects.ts). */
  readonly ops: Ops;
  /** E1: FREEZE is advisory and ALL_SENT commits (2825), so FREEZE is neither acknowledged nor retransmitted. */
  readonly freezeCommits: boolean;
  /** Generation 0 (D18): every volume equal (zero blocks of `zero`'s representation), every bitmap clear, nothing in flight. */
  initial(geometry: FreezeGeometry, zero: Block): Sys;
  copyPrimary(primary: Sys['primary']): Sys['primary'];
  copySecondary(secondary: Sys['secondary']): Sys['secondary'];
  /**
   * The machine event a `primary.copy` is now (remote copy, Fig 5, 16, 25) when the machine's `copy.send` in
   * this state copies from `source`, or null when there is nothing it may send.
   */
  copyEvent(view: View<Sys, Ops>, source: CopySource): PrimaryEventType | null;
  /** The machine event a `primary.step` is now (the freeze task, Fig 7, 16, 24-25), or null. */
  freezeTaskEvent(view: View<Sys, Ops>): PrimaryEventType | null;
  /** The next block the secondary's apply loop copies into place, or -1 (SBM in E1, SA in E2-E4). */
  pendingApply(secondary: Sys['secondary']): number;
  /** One block of an online verify: whether the primary's frozen data and the committed image differ where they should not. */
  verifyDiffers(view: View<Sys, Ops>, block: number): boolean;
  /** The sequence number of the copy of `block` a DATA would replace (0: the initial image). */
  storedSeq(secondary: Sys['secondary'], block: number): number;
  /** What a restarted secondary holds: the reference keeps everything, so it returns the secondary itself (D17). */
  reload(secondary: Sys['secondary']): Sys['secondary'];
  readonly primaryActions: Readonly<Record<string, Action<Sys, Ops>>>;
  readonly secondaryActions: Readonly<Record<string, Action<Sys, Ops>>>;
}

/**
 * One step's working copy: the system being built, the transitions taken and the results for the host.
 *
 * A step runs the operations of one machine's transition, and an operation of a controller changes only that
 * controller and the link (what it sends): the primary's never touch the secondary's data, nor the reverse.
 * So only the half of `changes` is copied; the other is the very object of the system the step started from,
 * shared and never written (the pinned counts and properties of every variant check that none is). A step
 * `inPlace` copies nothing and changes the system it started from: the workload driver's, which keeps one
 * live system and copies it only where it must keep the one before (a failure point's recovery).
 */
export class Draft<Sys extends FreezeSystem<Block>, Ops> implements View<Sys, Ops> {
  readonly primary: Sys['primary'];
  readonly secondary: Sys['secondary'];
  link: link.Link<Message<Block>>;
  readonly transitions: MachineStep[] = [];
  readonly results: FreezeResult<Block>[] = [];

  constructor(
    from: Sys,
    changes: 'primary' | 'secondary',
    readonly algorithm: Algorithm<Sys, Ops>,
    readonly variant: FreezeVariant,
    readonly geometry: FreezeGeometry,
    readonly shared: SharedOperations,
    inPlace: boolean,
  ) {
    this.primary = changes === 'primary' && !inPlace ? algorithm.copyPrimary(from.primary) : from.primary;
    this.secondary = changes === 'secondary' && !inPlace ? algorithm.copySecondary(from.secondary) : from.secondary;
    this.link = from.link;
  }

  get ops(): Ops {
    return this.algorithm.ops;
  }

  system(): Sys {
    return { algorithm: this.algorithm.name, primary: this.primary, secondary: this.secondary, link: this.link } as Sys;
  }

  /** Sends a message; `track` keeps it for retransmission until it is acknowledged. */
  send(message: Message<Block>, track: boolean, from: PrimaryControl<Block> | SecondaryControl<Block>): void {
    this.link = link.send(this.link, message, compareMessages).link;
    if (track) from.outstanding = withOutstanding(from.outstanding, message);
  }
}
