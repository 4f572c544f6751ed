/**
 * freeze-remote-copy variants. The four embodiments are variants of one pair of machines and one controller
 * with two algorithms (E1 log, E2-E4 split), selected by parameters (STYLE.md); the seed's literal flowcharts,
 * each with one defect of spec/001 §8, are `literal-defect` variants; deliberately broken controllers that the
 * verifier must catch are `broken`. What a literal or broken variant changes in the controllers is one named
 * operation, replaced in src/freeze-remote-copy/defects.ts.
 * Every embodiment satisfies every property; every other variant violates at least the properties in its
 * `catches`, and test/freeze-remote-copy/defects.test.ts proves it with a trace.
 */
import type { FreezeControlInput } from '../../machines/freeze-remote-copy.js';
import type { VariantInfo } from '../lifecycle.js';

/** A deliberate bug in a controller (data plane), defects.ts's BROKEN_OVERRIDES; null in every embodiment and literal variant. */
export type FreezeDefect =
  | 'freeze-not-busy'
  | 'read-ignores-difference-log'
  | 'done-before-secondary'
  | 'plaintext-on-the-wire'
  | 'volatile-secondary-memory'
  | 'redirect-drops-rewrite'
  | 'data-written-to-svol'
  | 'recover-applies-partial-log'
  | 'state-checked-before-range'
  | 'partial-write-on-range-error'
  | 'split-forgets-write-after'
  | 'block-bound-off-by-one'
  | 'sequence-number-unchecked'
  | 'ack-matched-by-generation'
  | 'verify-skips-last-block'
  | 'apply-loses-last-block';

export interface FreezeVariant extends VariantInfo {
  readonly control: FreezeControlInput;
  readonly defect: FreezeDefect | null;
  /** Literal-defect variants: the fix the embodiments carry, for the errata page (src/errata.ts). */
  readonly fix?: string;
}

const E1: FreezeControlInput = {
  embodiment: 1, drainWrite: 'fixed', allSentWhen: 'fixed', secondLog: 'fixed', copyOrder: 'fixed', generations: 'fixed',
};
const E2: FreezeControlInput = { ...E1, embodiment: 2 };
const E3: FreezeControlInput = { ...E1, embodiment: 3 };
const E4: FreezeControlInput = { ...E1, embodiment: 4 };

function embodiment(name: string, control: FreezeControlInput, description: string, ref: string): FreezeVariant {
  return { name, kind: 'embodiment', description, ref, control, defect: null, catches: [] };
}

function literal(name: string, control: FreezeControlInput, catches: readonly string[], description: string, ref: string, fix: string): FreezeVariant {
  return { name, kind: 'literal-defect', description, ref, control, defect: null, catches, fix };
}

function broken(name: FreezeDefect, control: FreezeControlInput, catches: readonly string[], description: string): FreezeVariant {
  return { name, kind: 'broken', description, ref: 'copyspec', control, defect: name, catches };
}

export const FREEZE_VARIANTS: readonly FreezeVariant[] = [
  embodiment('e1', E1, 'E1: redirect-on-write into PDIFF, logs SDIFFA/SDIFFB at the secondary, with the fixes of spec/001 §8.', '001 【0033】-【0106】, claims 6-9, 12'),
  embodiment('e2', E2, 'E2: split mirror PP→PS→SP→SS; data moves only after the split.', '001 【0107】-【0138】, claims 3-5, 11'),
  embodiment('e3', E3, 'E3: split plus send-ahead from PP (bitmaps C, D; SA, SB), with the fixes D12-D16.', '001 【0139】-【0175】, claims 10, 13'),
  embodiment('e4', E4, 'E4: E2 with AES-256-GCM on PP→PS, ciphertext in PS, on the link and in SP, decrypted SP→SS.', '001 【0176】-【0184】, claim 15'),
  literal('literal-d1-post-freeze-write-leaks', { ...E1, drainWrite: 'literal' },
    ['frozen-image-preserved', 'drain-set-never-grows'],
    'D1: in F1 a write to a block already sent sets PBM (2060→2030), so the post-freeze write drains into image N.', '001 (2060), (2030); spec/001 D1',
    'In F1 a write goes to PDIFF when PBM[b] or PDBM[b] is set; otherwise the frozen value has been sent, so the write goes to PVOL and sets NEXT[b], which is folded into PBM when ALL_SENT is sent. The frozen value is never overwritten before it is sent, the post-freeze write reaches the secondary with the next image (SDIFFB, 【0060】), and the drain set only shrinks, so the freeze completes under continuous writes (spec/001 D1, I4, I9).'),
  literal('literal-d2-all-sent-overtakes-data', { ...E1, allSentWhen: 'literal' },
    ['recovery-image-is-committed-freeze', 'commit-is-exact-freeze-image'],
    'D2: ALL_SENT when PBM is empty (2640) while the last DATA is still in flight; it overtakes it on the unordered link.', '001 (2635)-(2650); spec/001 D2',
    'Send ALL_SENT only when PBM is empty and every DATA has been acknowledged (spec/001 D2). Every message carries its generation, so a DATA that arrives after its image was committed is recognised as stale instead of being stored in the wrong log (D5).'),
  literal('literal-d3-second-log-never-folded', { ...E1, secondLog: 'literal' },
    ['second-log-only-while-applying', 'no-update-lost'],
    'D3: data received during S2 goes to SDIFFB (2460), which nothing ever applies, so it is missing from image N+1.', '001 (2460)-(2470), (2880); spec/001 D3',
    'At S2→S0 SDIFFA is empty: swap the roles of SDIFFA and SDIFFB (and of SBM and SDBM) in the same step, so the data received during S2 becomes the log of the next image (spec/001 D3; E3\'s SA:=SB at 5260 is the same fold).'),
  literal('literal-d20-update-lost-between-read-and-clear', { ...E1, copyOrder: 'literal' },
    ['no-update-lost'],
    'D20: RC reads PVOL (2250), then clears PBM (2260); a host write between the two is never sent.', '001 (2250), (2260); spec/001 D20',
    'Clear PBM[b] and read PVOL[b] in one step (or clear first and then read, as E3 does at 4840→4850), so a write after the clear sets PBM[b] again and is sent (spec/001 D20, I10).'),
  literal('literal-d5-no-generations', { ...E1, generations: 'literal' },
    ['recovery-image-is-committed-freeze', 'commit-is-exact-freeze-image'],
    'D5: messages carry block numbers only (【0039】【0045】) and RC sends as soon as PBM has a block: a DATA of the next image can overtake ALL_SENT and is stored in SDIFFA as part of the image being committed.',
    '001 【0039】【0045】, (2430)-(2470), (2650); spec/001 D5',
    'Tag every message with its generation and every DATA with a sequence number, so the secondary stores a DATA in the log of the image it belongs to and recognises stale and duplicated messages; send no DATA of the next image until ALL_SENT (E1) or FREEZE (E2/E3) has been acknowledged (spec/001 D5).'),
  broken('freeze-not-busy', E1, ['acceptance-agrees-with-model', 'at-most-one-freeze-behind'],
    'A freeze during a freeze is accepted and moves the freeze point (spec/001 D9 says busy, never queued).'),
  broken('read-ignores-difference-log', E1, ['read-your-writes'], 'E1 reads come from PVOL even when the newest data is in PDIFF (Fig 10 3210 skipped).'),
  broken('done-before-secondary', E1, ['freeze-done-means-recoverable'], 'The primary reports the freeze done at ALL_SENT without waiting for S_DONE.'),
  broken('plaintext-on-the-wire', E4, ['plaintext-never-at-rest-or-in-transit'], 'E4 without the cipher on PP→PS: plaintext lands in PS, on the link and in SP.'),
  broken('volatile-secondary-memory', E1, ['restart-changes-nothing', 'committed-generation-never-decreases'],
    'The secondary keeps SFM, SBM, SDBM and its generation in RAM (the seed as written, D17): a restart forgets them.'),
  broken('redirect-drops-rewrite', E1, ['host-view-is-every-acknowledged-write'],
    'A second write to a block already in PDIFF during F1 is acknowledged and dropped.'),
  broken('data-written-to-svol', E1, ['committed-image-changes-only-while-applying', 'recovery-image-is-committed-freeze'],
    'The secondary writes DATA straight into SVOL, so the committed image moves between freezes.'),
  broken('recover-applies-partial-log', E1, ['recovery-returns-committed-image'],
    'Recovery in SFM 0/1 applies the partial SDIFFA instead of erasing it (S7/S8 misread), making a mixture.'),
  broken('split-forgets-write-after', E2, ['dirty-set-covers-changes'],
    'E2 records a write after the split in neither A nor B (3470 skipped), so the next freeze leaves it out.'),
  broken('state-checked-before-range', E1, ['acceptance-agrees-with-model'], 'A failed primary reports wrong-state before checking a write\'s arguments.'),
  broken('partial-write-on-range-error', E1, ['rejected-command-changes-nothing'], 'A write longer than a block stores its first block, then rejects.'),
  broken('block-bound-off-by-one', E1, ['acceptance-agrees-with-model'],
    'The controllers\' argument check accepts block blocksPerVolume, one past the last, and the write lands in the next volume (or past the group); only a model with its own rules notices.'),
  broken('sequence-number-unchecked', E1, ['no-update-lost'],
    'The secondary stores every DATA of the next image without comparing its sequence number with the stored copy\'s, so a delayed older DATA of a block overwrites a newer one (D5).'),
  broken('ack-matched-by-generation', E1, ['no-update-lost'],
    'An ACK of DATA is matched by kind and generation alone, so it also clears another unacknowledged DATA of the same image, which is then never retransmitted.'),
  broken('verify-skips-last-block', E1, ['verify-reports-differing-blocks'],
    'An online verify never finds a difference in the last block of the group, so a silent corruption there is not reported (issue 15).'),
  broken('apply-loses-last-block', E1, ['recovery-image-is-committed-freeze'],
    'The secondary\'s apply clears the last block\'s SDIFFA record without writing SVOL: a lost write, silent corruption of the committed image by the controller itself, which an online verify reports (issue 15).'),
];

export function freezeVariant(name: string): FreezeVariant | undefined {
  return FREEZE_VARIANTS.find((variant) => variant.name === name);
}
