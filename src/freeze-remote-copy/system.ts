/**
 * What the freeze-remote-copy controllers hold (seed 001 §2, spec/001 §2 and §4), as tagged plain data: one
 * system is either the E1 log algorithm's (`log`: PVOL, PDIFF and their bitmaps at the primary, SVOL and the
 * logs SDIFFA/SDIFFB at the secondary) or the E2-E4 split algorithm's (`split`: PP, PS and bitmaps A-D, SP, SS
 * and SA, SB). Each half carries only its own algorithm's fields; the fields both algorithms share are the
 * machine states, the generations, the sequence counter and the retransmission lists.
 *
 * Every type takes `B`, how blocks are held (src/freeze-remote-copy/block.ts): hex text, the default, in the
 * verifier's worlds and the vectors; bytes in the workload driver. The controllers are written once, for
 * either.
 *
 * Per-block bitmaps are boolean arrays, indexed by group block. E1's SBM and SDBM are implicit in the logs (a
 * block has a record in SDIFFA exactly when SBM[b]=1), which is what "at most one record per block"
 * (【0045】【0046】) gives.
 */
import type { ControlStep } from '../control.js';
import type { Link } from '../link.js';
import type { Rejection } from '../rejection.js';
import type { Block } from './block.js';
import type { Message } from './events.js';

export type PrimaryStateKey =
  | 'normal'
  | 'freezing.draining'
  | 'freezing.merging'
  | 'freezing.splitting'
  | 'freezing.transferring'
  | 'freezing.awaiting'
  | 'verifying'
  | 'failed';

/** Between freezes: the last freeze is complete, and the secondary holds its image (`verifying` is DRBD's VerifyS). */
export const betweenFreezes = (state: PrimaryStateKey): boolean => state === 'normal' || state === 'verifying';

export type SecondaryStateKey = 'receiving' | 'noted' | 'applying' | 'recovered';

/** What both algorithms' primaries hold. */
export interface PrimaryControl<B extends Block = string> {
  state: PrimaryStateKey;
  /** k_P: freezes accepted so far; the freeze in progress, if any, is this one. */
  gen: number;
  /** The next DATA sequence number. */
  seq: number;
  /** Messages sent and not yet acknowledged, in canonical order; a timeout sends them again. */
  outstanding: Message<B>[];
  /**
   * Online verify (issue 15, DRBD's `drbdadm verify`): the group block the walk compares next; every block
   * below it has been compared. 0 outside `verifying`.
   */
  verifyCursor: number;
  /** The blocks the running verify found to differ where the bitmaps say they should not; all clear outside `verifying`. */
  verifyFound: boolean[];
}

/** What both algorithms' secondaries hold. */
export interface SecondaryControl<B extends Block = string> {
  state: SecondaryStateKey;
  /** k_S: the generation whose image the secondary has committed to. */
  gen: number;
  outstanding: Message<B>[];
}

/** E1 primary DKC 1030 (Fig 1): PVOL 1120, PDIFF 1140, PBM 1070, PDBM 1080. */
export interface LogPrimary<B extends Block = string> extends PrimaryControl<B> {
  pvol: B[];
  /** One record per block at most (【0039】【0040】); null where PDIFF has none. */
  pdiff: (B | null)[];
  pbm: boolean[];
  pdbm: boolean[];
  /** D1 fix: blocks written in F1 to PVOL after their frozen value was sent; folded into PBM at ALL_SENT. */
  next: boolean[];
  /** D20 literal only: the block RC read into RAM (2250) before clearing PBM (2260). */
  staged: { readonly block: number; readonly data: B } | null;
}

/** A record of SDIFFA or SDIFFB: the block's data and the sequence number of the DATA that brought it. */
export interface LogRecord<B extends Block = string> {
  readonly data: B;
  readonly seq: number;
}

/** E1 secondary DKC 1040: SVOL 1150, SDIFFA 1170 (with SBM), SDIFFB 1175 (with SDBM). */
export interface LogSecondary<B extends Block = string> extends SecondaryControl<B> {
  svol: B[];
  logA: (LogRecord<B> | null)[];
  logB: (LogRecord<B> | null)[];
}

/** E2-E4 primary (Fig 12, 19): PP 1300, PS 1310 (sealed in E4), bitmaps A 1340, B 1350, C 1360, D 1380 (E3). */
export interface SplitPrimary<B extends Block = string> extends PrimaryControl<B> {
  pp: B[];
  ps: B[];
  bitmapA: boolean[];
  bitmapB: boolean[];
  bitmapC: boolean[];
  bitmapD: boolean[];
}

/** E2-E4 secondary: SP 1320 (sealed in E4), SS 1330, SA 1370, SB 1390 (E3). */
export interface SplitSecondary<B extends Block = string> extends SecondaryControl<B> {
  sp: B[];
  /** The sequence number of the DATA that last wrote SP[b] (0: the initial image). */
  spSeq: number[];
  ss: B[];
  sa: boolean[];
  sb: boolean[];
}

export interface LogSystem<B extends Block = string> {
  readonly algorithm: 'log';
  readonly primary: LogPrimary<B>;
  readonly secondary: LogSecondary<B>;
  readonly link: Link<Message<B>>;
}

export interface SplitSystem<B extends Block = string> {
  readonly algorithm: 'split';
  readonly primary: SplitPrimary<B>;
  readonly secondary: SplitSecondary<B>;
  readonly link: Link<Message<B>>;
}

export type FreezeSystem<B extends Block = string> = LogSystem<B> | SplitSystem<B>;

/** What the host and the secondary host are told. `block` is the group block. */
export type FreezeResult<B extends Block = string> =
  | { readonly kind: 'read'; readonly block: number; readonly data: B }
  | { readonly kind: 'freeze-done'; readonly gen: number }
  | { readonly kind: 'recovered'; readonly gen: number; readonly image: readonly B[] }
  /** A completed online verify: the blocks found to differ (DRBD's "Online verify found N blocks out of sync"). */
  | { readonly kind: 'verify'; readonly found: readonly boolean[] };

export interface MachineStep extends ControlStep {
  readonly machine: 'primary' | 'secondary';
}

export type FreezeOutcome<B extends Block = string> =
  | { readonly accepted: true; readonly transitions: readonly MachineStep[]; readonly results: readonly FreezeResult<B>[] }
  | { readonly accepted: false; readonly rejection: Rejection };
