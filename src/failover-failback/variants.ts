/**
 * failover-failback variants. The three embodiments of seed 003 are variants of one pair of machines and one
 * controller, selected by parameters (STYLE.md); the seed's literal flows, each with one defect of spec/003
 * §8, are `literal-defect` variants; deliberately broken controllers are `broken`. Every embodiment satisfies
 * every property; every other variant violates at least the properties in its `catches`, which the
 * conformance suite (test/harness/conformance.ts) proves with a trace.
 */
import type { FailoverControlInput } from '../../machines/failover-failback.js';
import type { VariantInfo } from '../lifecycle.js';

/** A deliberate bug in the data plane; null in every embodiment and literal variant. */
export type FailoverDefect =
  | 'copy-untracked-when-link-down'
  | 'sync-write-skips-backup'
  | 'swap-keeps-sending'
  | 'failure-forgets-inflight'
  | 'copy-write-not-flagged'
  | 'lost-transfer-not-reflagged'
  | 'resync-skips-dt1-merge'
  | 'failback-ignores-inflight'
  | 'e2-skips-tracks-in-dt1'
  | 'resync-copies-everything'
  | 'pair-recovery-keeps-dt1'
  | 'fenced-master-accepts-writes'
  | 'drain-stops-diff-job'
  | 'swap-applies-late-copy'
  | 'state-checked-before-range'
  | 'rejected-write-sets-flag';

export interface FailoverVariant extends VariantInfo {
  readonly control: FailoverControlInput;
  readonly defect: FailoverDefect | null;
}

const E1: FailoverControlInput = {
  embodiment: 1, fencing: 'fence', swapTracking: 'swap-and-copy', clearOrder: 'before-snapshot', secondSwap: 'keep', drainCompletion: 'single-consumer',
};
const E2: FailoverControlInput = { ...E1, embodiment: 2 };
const E3: FailoverControlInput = { ...E1, embodiment: 3 };

function embodiment(name: string, control: FailoverControlInput, description: string, ref: string): FailoverVariant {
  return { name, kind: 'embodiment', description, ref, control, defect: null, catches: [] };
}

function literal(name: string, control: FailoverControlInput, catches: readonly string[], description: string, ref: string, fix: string): FailoverVariant {
  return { name, kind: 'literal-defect', description, ref, control, defect: null, catches, fix };
}

function broken(name: FailoverDefect, control: FailoverControlInput, catches: readonly string[], description: string): FailoverVariant {
  return { name, kind: 'broken', description, ref: 'copyspec', control, defect: name, catches };
}

export const FAILOVER_VARIANTS: readonly FailoverVariant[] = [
  embodiment('e1', E1, 'E1: asynchronous copy; at Resync DT2 := DT2 OR DT1 (3020), so the backup\'s data wins on every track either side changed.', '003 【0021】-【0042】, claims 2, 5, 7, 10'),
  embodiment('e2', E2, 'E2: asynchronous copy; Resync copies DT2 only, and the master keeps its unreplicated updates (I5).', '003 【0043】-【0046】, claims 3, 8'),
  embodiment('e3', E3, 'E3: synchronous copy, no DT1 and no 3020; A12 taken as one atomic write to both sites.', '003 【0047】-【0050】, claims 4, 9'),
  literal('literal-a10-second-swap-clears-dt2', { ...E1, secondSwap: 'literal' },
    ['unflagged-tracks-equal-while-down', 'flags-cleared-only-by-transfer-or-swap'],
    'A10: the master fails again during the failback and host 410 issues SWAP; 1020 clears DT2, losing the tracks not yet copied back.',
    '003 (1010)-(1030); spec/003 §8 A10',
    'A SWAP from COPY goes back to SWAP without clearing DT2: the flagged tracks stay flagged and are copied back at the next Resync (spec/003 A10).'),
  literal('literal-a1-send-then-clear', { ...E1, clearOrder: 'literal' },
    ['unflagged-tracks-equal-during-failback'],
    'A1: 3070 sends the track, then clears its bit when the transfer completes; a host write in between is never copied back.',
    '003 (3070); spec/003 §8 A1',
    'Clear the bit in the step that takes the track\'s data for the transfer, so a later write sets it again; if the transfer is lost, set the bit again (spec/003 A1).'),
  literal('literal-a2-swap-writes-untracked', { ...E1, swapTracking: 'literal' },
    ['unflagged-tracks-equal-while-down'],
    'A2: 2040 as written ("if not COPY, go to 2070") sends a write in SWAP straight to the cache, so DT2 misses it.',
    '003 (2040), 【0033】; spec/003 §8 A2',
    'Read 2040 as "neither SWAP nor COPY goes to 2070": a write in SWAP or COPY sets its DT2 bit before the data is stored (spec/003 A2).'),
  literal('literal-a7-two-consumers', { ...E1, drainCompletion: 'literal' },
    ['pair-deleted-sites-equal'],
    'A7: the DELPAIR drain (4020-4050) and the diff job both consume DT2; the drain completes when it finds DT2 empty, while the diff job\'s last transfer is still on cable 600.',
    '003 (4020)-(4060), (3050)-(3070); spec/003 §8 A7',
    'One consumer: DELPAIR lets the diff job drain DT2 and completes only when DT2 is empty and no transfer is in flight, after DKC1 has acknowledged the drain (spec/003 A7).'),
  literal('literal-a3-no-fencing', { ...E1, fencing: 'literal' },
    ['single-writer', 'control-state-refines-model'],
    'A3 and the split brain of §6: on a false failure report host 410 issues SWAP while the master is alive, and both sites accept writes.',
    '003 (1000)-(1030); spec/003 §6, §8 A3',
    'Fence the master before the backup accepts writes (a fence device powers it off, DRBD\'s resource-and-stonith), and bring a recovered master back in an explicit fenced role until pair recovery (spec/003 A3).'),
  broken('copy-untracked-when-link-down', E1, ['replicated-unless-flagged'],
    'The master\'s copy job treats a send while cable 600 is down as done: the track is neither flagged nor in flight, and B never gets it.'),
  broken('sync-write-skips-backup', E3, ['replicated-unless-flagged'],
    'E3 acknowledges a host-110 write after writing M only, so the sites differ with no bitmap to say so.'),
  broken('swap-keeps-sending', E1, ['master-frozen-until-failback', 'swap-only-gains-bits'],
    'After a SWAP from COPY the diff job keeps sending, so data flows to the master in SWAP and DT2 loses bits there.'),
  broken('failure-forgets-inflight', E1, ['unflagged-tracks-equal-while-down'],
    'A master failure drops the copies in flight without setting their DT1 bits again, so Resync\'s OR misses them.'),
  broken('copy-write-not-flagged', E1, ['unflagged-tracks-equal-during-failback'],
    'A host-410 write during COPY is stored without setting its DT2 bit (T8 skipped).'),
  broken('lost-transfer-not-reflagged', E1, ['unflagged-tracks-equal-during-failback'],
    'A lost copy-back transfer is forgotten instead of setting its DT2 bit again (A1\'s retry skipped).'),
  broken('resync-skips-dt1-merge', E1, ['unflagged-tracks-equal-during-failback'],
    'E1 without 3020: the master\'s unreplicated tracks are never copied back, so they differ after DELPAIR.'),
  broken('failback-ignores-inflight', E1, ['transfer-consumes-its-flag'],
    'The diff job sends a track again while its previous transfer is still in flight; the link may deliver the older one last.'),
  broken('e2-skips-tracks-in-dt1', E2, ['e2-divergence-bounded'],
    'E2 does not record in DT2 a host-410 write to a track DT1 already flags ("the sites differ there anyway"), so that write is never copied back.'),
  broken('resync-copies-everything', E1, ['flags-only-written-tracks'],
    'Resync sets every DT2 bit even when DT1 was read: a full copy, which the seed exists to avoid (【0042】).'),
  broken('pair-recovery-keeps-dt1', E1, ['flags-only-written-tracks'],
    'Pair recovery (4090) does not clear DT1, so the master copies old tracks again though the sites are equal.'),
  broken('fenced-master-accepts-writes', E1, ['writes-only-from-the-writer', 'acceptance-agrees-with-model'],
    'The recovered master accepts host-110 writes in its fenced role, before pair recovery.'),
  broken('drain-stops-diff-job', E1, ['drain-terminates'],
    'DELPAIR stops the diff job (【0039】 read as "stop all I/O"), so a drain with flagged tracks never completes.'),
  broken('swap-applies-late-copy', E1, ['no-acknowledged-write-lost'],
    'The backup applies a master copy delayed on cable 600 after it took over, overwriting a host-410 write.'),
  broken('state-checked-before-range', E1, ['acceptance-agrees-with-model'],
    'A write to a fenced master is refused as fenced before its track is checked.'),
  broken('rejected-write-sets-flag', E1, ['rejected-command-changes-nothing'],
    'A host-410 write refused for its length has already set its DT2 bit.'),
];

export function failoverVariant(name: string): FailoverVariant | undefined {
  return FAILOVER_VARIANTS.find((variant) => variant.name === name);
}
