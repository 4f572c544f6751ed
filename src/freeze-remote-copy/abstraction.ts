/**
 * The refinement mapping of freeze-remote-copy (seed 001): what the controllers' volumes, bitmaps, logs and
 * unacknowledged messages mean in the model's terms (spec/001 §5), and the world the verifier checks. The
 * properties (properties/freeze-remote-copy.ts) read the controllers only through this file and through the
 * fields both algorithms share (machine states, generations); it is controller-side code, written from the
 * seed's definitions, not from the controllers' functions, so a property does not share a bug with what it
 * checks.
 *
 * The central term is Rec(S), `recoveryImage`: the image recovery would produce from the secondary's state
 * alone, at this step, without running it (Fig 9; 【0138】; 【0175】).
 *
 * A block kept in PS or SP is read as plaintext: decrypted in E4 (P250), and taken as it is when it is not an
 * authentic ciphertext, so that a controller which stores plaintext where ciphertext belongs is caught by
 * `plaintext-never-at-rest-or-in-transit` alone while every other property still compares contents.
 */
import type { FreezeModel, ModelAnswer } from '../../model/freeze-remote-copy.js';
import { open } from './crypto.js';
import type { FreezeGeometry } from './events.js';
import { assert } from '../assert.js';
import { betweenFreezes, type FreezeOutcome, type FreezeSystem, type SplitSystem } from './system.js';
import type { FreezeVariant } from './variants.js';

export type { FreezeSystem } from './system.js';

/** What the verifier checks after every step: the two controllers and the link, the model, and the bounds' counters. */
export interface FreezeWorld {
  readonly system: FreezeSystem;
  readonly model: FreezeModel;
  readonly variant: FreezeVariant;
  readonly geometry: FreezeGeometry;
  /** Host writes accepted so far: only the exhaustive alphabet's bound reads it (src/freeze-remote-copy/lifecycle.ts). */
  readonly hostWrites: number;
  /** Link duplications so far: only the exhaustive alphabet's bound reads it. */
  readonly duplicates: number;
}

export interface FreezeStepOutcome {
  readonly controller: FreezeOutcome;
  readonly model: ModelAnswer;
}

const encrypted = (variant: FreezeVariant): boolean => variant.control.embodiment === 4;

/** The plaintext of a block kept in PS or SP or sent from them (see the file's header). */
function plaintextOf(variant: FreezeVariant, stored: string): string {
  return encrypted(variant) ? open(stored) ?? stored : stored;
}

/** Whether a block is an authentic AES-256-GCM ciphertext under E4's key (src/freeze-remote-copy/crypto.ts). */
export const isCiphertext = (block: string): boolean => open(block) !== null;

/**
 * Rec(S): E1: SVOL, overlaid with SDIFFA while SFM=2 (【0062】【0063】); E2/E4: SS, overlaid with SP (decrypted)
 * where SA while applying (phase (d)); E3: SS, overlaid with SP where SA while SFM is on (【0175】).
 */
export function recoveryImage(system: FreezeSystem, variant: FreezeVariant): string[] {
  const s = system.secondary;
  const applying = s.state === 'applying';
  if (system.algorithm === 'log') return system.secondary.svol.map((block, b) => (applying ? system.secondary.logA[b]?.data ?? block : block));
  return system.secondary.ss.map((block, b) => (applying && system.secondary.sa[b] ? plaintextOf(variant, system.secondary.sp[b]!) : block));
}

/** The group as the host sees it on the primary: E1 PDIFF where PDBM, else PVOL (Fig 10); E2-E4 PP. */
export function hostView(system: FreezeSystem): string[] {
  if (system.algorithm === 'split') return system.primary.pp.slice();
  const p = system.primary;
  return p.pvol.map((block, b) => (p.pdbm[b] ? p.pdiff[b]! : block));
}

/** The secondary's copy of the committed image that only applying may change: SVOL (E1), SS (E2-E4). */
export function committedVolume(system: FreezeSystem): readonly string[] {
  return system.algorithm === 'log' ? system.secondary.svol : system.secondary.ss;
}

/** Whether the secondary holds data of the image after the committed one: SDIFFB (E1), SB (E3). */
export function holdsNextImage(system: FreezeSystem): boolean {
  return system.algorithm === 'log' ? system.secondary.logB.some((r) => r !== null) : system.secondary.sb.some((bit) => bit);
}

/**
 * The blocks of F(N) the primary must still hold, with what it holds for each, while freeze N is in progress
 * (I4): E1 in F1 the blocks of PBM, in PVOL; E2-E4 every block, in PP where A is set during the split and in
 * PS otherwise. None outside a freeze.
 */
export function frozenBlocksHeld(system: FreezeSystem, variant: FreezeVariant): readonly { readonly block: number; readonly data: string }[] {
  const state = system.primary.state;
  if (betweenFreezes(state) || state === 'failed') return [];
  if (system.algorithm === 'log') {
    const p = system.primary;
    return state !== 'freezing.draining' ? [] : p.pvol.flatMap((data, block) => (p.pbm[block] ? [{ block, data }] : []));
  }
  const p = system.primary;
  const splitting = state === 'freezing.splitting';
  return p.ps.map((sealed, block) => ({ block, data: splitting && p.bitmapA[block] ? p.pp[block]! : plaintextOf(variant, sealed) }));
}

/** The drain set (I9): PBM in E1's F1, A during the split, C∧¬D (C in E2/E4) during the transfer; null otherwise. */
export function drainSet(system: FreezeSystem, variant: FreezeVariant): readonly boolean[] | null {
  const state = system.primary.state;
  if (system.algorithm === 'log') return state === 'freezing.draining' ? system.primary.pbm : null;
  const p = system.primary;
  if (state === 'freezing.splitting') return p.bitmapA;
  if (state !== 'freezing.transferring') return null;
  return p.bitmapC.map((c, b) => c && (variant.control.embodiment !== 3 || !p.bitmapD[b]));
}

/** E2-E4: the blocks where PP differs from PS (decrypted); null in E1. */
export function changedSinceSplit(system: FreezeSystem, variant: FreezeVariant): readonly boolean[] | null {
  if (system.algorithm === 'log') return null;
  const p = system.primary;
  return p.pp.map((block, b) => plaintextOf(variant, p.ps[b]!) !== block);
}

/** E2-E4: the blocks the next split will copy, A ∪ B; null in E1. */
export function dirtyForNextSplit(system: FreezeSystem): readonly boolean[] | null {
  if (system.algorithm === 'log') return null;
  const p = system.primary;
  return p.bitmapA.map((a, b) => a || p.bitmapB[b]!);
}

/** Every block E2-E4 keep as ciphertext in E4: PS, SP and each DATA on the link. */
export function blocksAtRestOrInTransit(system: FreezeSystem): readonly string[] {
  const onTheLink = system.link.inFlight.flatMap((m) => (m.kind === 'data' ? [m.data] : []));
  return system.algorithm === 'log' ? onTheLink : [...system.primary.ps, ...system.secondary.sp, ...onTheLink];
}

type Copy = { readonly seq: number; readonly data: string };

/** The newest copy of block b the secondary holds, with its sequence number: E1 SDIFFB, SDIFFA; E2-E4 SP. */
function secondaryNewest(system: FreezeSystem, variant: FreezeVariant, b: number): Copy | null {
  if (system.algorithm === 'split') return { seq: system.secondary.spSeq[b]!, data: plaintextOf(variant, system.secondary.sp[b]!) };
  const s = system.secondary;
  return (s.state === 'applying' ? s.logB[b] : null) ?? s.logA[b] ?? null;
}

/**
 * The newest value of block b sent: of the unacknowledged DATA for b and the secondary's stored copy, the one
 * with the highest sequence number (the link reorders, so an older DATA may still be unacknowledged); E1 SVOL
 * when there is none, since a commit waits for every DATA of its image to be acknowledged.
 */
export function newestSent(system: FreezeSystem, variant: FreezeVariant, b: number): string {
  let newest = secondaryNewest(system, variant, b);
  for (const m of system.primary.outstanding) {
    if (m.kind === 'data' && m.block === b && (newest === null || m.seq > newest.seq)) newest = { seq: m.seq, data: plaintextOf(variant, m.data) };
  }
  if (newest !== null) return newest.data;
  assert(system.algorithm === 'log', 'an E2-E4 secondary always holds a copy of every block in SP');
  return system.secondary.svol[b]!;
}

/**
 * The blocks the primary no longer tracks as unsent, each with the value that must be at the secondary or
 * on its way there (I6, I10): E1 every block without PBM, PDBM, NEXT or a staged read, with its PVOL value;
 * E3 in PFM 0/3 every block sent ahead (D), with PP's value; E2/E4 after the split and E3 in PFM 2 every
 * block with C clear (or D set in E3), with PS's value. None in the other states.
 */
export function untrackedBlocks(system: FreezeSystem, variant: FreezeVariant): readonly { readonly block: number; readonly data: string }[] {
  if (system.algorithm === 'log') {
    const p = system.primary;
    return p.pvol.flatMap((data, block) => (p.pbm[block] || p.pdbm[block] || p.next[block] || p.staged?.block === block ? [] : [{ block, data }]));
  }
  return splitUntracked(system, variant);
}

function splitUntracked(system: SplitSystem, variant: FreezeVariant): readonly { readonly block: number; readonly data: string }[] {
  const p = system.primary;
  const sendsAhead = variant.control.embodiment === 3;
  if (sendsAhead && (betweenFreezes(p.state) || p.state === 'freezing.awaiting')) {
    return p.pp.flatMap((data, block) => (p.bitmapD[block] ? [{ block, data }] : []));
  }
  const transferred = sendsAhead ? p.state === 'freezing.transferring' : p.state === 'freezing.transferring' || p.state === 'freezing.awaiting';
  if (!transferred) return [];
  return p.ps.flatMap((sealed, block) => (p.bitmapC[block] && !(sendsAhead && p.bitmapD[block]) ? [] : [{ block, data: plaintextOf(variant, sealed) }]));
}
