/**
 * extent-copy variants. The embodiments E1, E2 and E3, each with the two read policies of spec/002 A5, are
 * variants of one machine and one controller, selected by `control`; so are the seed's literal flows
 * (A4, A7, A8, A11, A15) and the deliberately broken controllers the verifier must catch. Every embodiment
 * satisfies every property; every other variant violates at least the properties it names in `catches`.
 */
import type { ExtentControlInput } from '../../machines/extent-copy.js';
import type { VariantInfo } from '../lifecycle.js';

/** A deliberate bug in the controller (data plane); null in every correct variant. */
export type ExtentDefect =
  | 'copy-before-write-after-write'
  | 'step-clears-without-copy'
  | 'forming-write-skips-bit'
  | 'outside-write-marks-bit'
  | 'split-write-marks-bit'
  | 'split-copy-ends-early'
  | 'extent-split-copy-skips-last-extent'
  | 'extent-split-not-atomic'
  | 'resume-skips-failed-track'
  | 'failed-job-reported-running'
  | 'copy-read-before-final'
  | 'state-checked-before-arguments'
  | 'refused-update-keeps-slot'
  | 'update-copy-offset'
  | 'update-copy-overruns-extent'
  | 'copy-reverses';

export interface ExtentVariant extends VariantInfo {
  readonly control: ExtentControlInput;
  readonly defect: ExtentDefect | null;
}

const E1: ExtentControlInput = {
  embodiment: 1,
  copyRead: 'not-ready',
  splitGuard: 'formed-only',
  updateBits: 'cleared',
  outsideWrites: 'tracked',
  membership: 'track',
  validation: 'full',
};
const E2: ExtentControlInput = { ...E1, embodiment: 2 };
const E3: ExtentControlInput = { ...E1, embodiment: 3 };

function embodiment(name: string, control: ExtentControlInput, description: string, ref: string): ExtentVariant {
  return { name, kind: 'embodiment', description, ref, control, defect: null, catches: [] };
}

function literal(name: string, control: ExtentControlInput, catches: readonly string[], description: string, ref: string, fix: string): ExtentVariant {
  return { name, kind: 'literal-defect', description, ref, control, defect: null, catches, fix };
}

function broken(name: ExtentDefect, control: ExtentControlInput, catches: readonly string[], description: string): ExtentVariant {
  return { name, kind: 'broken', description, ref: 'copyspec', control, defect: name, catches };
}

const EMBODIMENTS: readonly ExtentVariant[] = [
  embodiment('e1', E1, 'E1: a volume pair plus Extent Update (re-match one or more extents of a split pair at one instant); copy reads answer NotReady until final.', '002 【0005】-【0056】, Figs 1-10, claims 1-2'),
  embodiment('e1-copy-on-read', { ...E1, copyRead: 'copy-on-read' }, 'E1 with copy-on-read: a read of a pending track of the image copies it first.', '002 §8 A5'),
  embodiment('e2', E2, 'E2: extent pairs, one record per extent, created and split only over [start, end]; a list of records split at one instant.', '002 【0057】-【0095】, Figs 11-18, claim 3, A10'),
  embodiment('e2-copy-on-read', { ...E2, copyRead: 'copy-on-read' }, 'E2 with copy-on-read.', '002 §8 A5'),
  embodiment('e3', E3, 'E3: a volume pair plus Extent Split and Extent Join; writes outside the extents stay tracked in CB (A8).', '002 【0096】-【0147】, Figs 19-28, claim 3'),
  embodiment('e3-copy-on-read', { ...E3, copyRead: 'copy-on-read' }, 'E3 with copy-on-read.', '002 §8 A5'),
];

const LITERALS: readonly ExtentVariant[] = [
  literal('literal-a7-update-bits-never-cleared', { ...E1, updateBits: 'literal' }, ['e1-differences-exact'],
    'Step 1007 loads SB[R] from UB[R] but never clears UB (【0056】): a track written during one Extent Update is still marked in UB at the next one, so SB names a track that was not written since its image.',
    '002 (1007), 【0056】; spec/002 §8 A7, E1.6',
    'Clear UB[R] at 1007, after SB[R] := UB[R] (or at 600).'),
  literal('literal-a8-outside-writes-lost', { ...E3, outsideWrites: 'literal' }, ['e3-outside-differences-tracked', 'e3-join-clears-split-bits'],
    'Step 2607 sets SB for every write in エクステント分割中 or エクステント分割完了, also outside the extents, where no later process reads SB: the next Extent Split of another range copies stale data.',
    '002 (2607), 【0126】; spec/002 §8 A8, E3.5',
    'Set CB[t] for a write outside the extents, and clear the extent info when the join completes (2807).'),
  literal('literal-a15-e1-address-membership', { ...E1, membership: 'address' }, ['e1-update-image-intact', 'e1-differences-exact'],
    'Step 701 tests whether the write\'s address lies in [start, end], but the copy works on whole tracks: a write to a boundary track outside [start, end] skips the copy-before-write and marks SB, which 1007 then overwrites with UB.',
    '002 (701), 【0018】; spec/002 §8 A15',
    'Test membership by track everywhere: T(a) ∈ R(start, end).'),
  literal('literal-a15-e2-address-membership', { ...E2, membership: 'address' }, ['e2-forming-copy-tracks-equal'],
    'Step 1600 selects the record whose [start, end] holds the write\'s address: a write to a boundary track outside [start, end] is applied untracked, with no bit set while forming and no copy-before-write while splitting.',
    '002 (1600), 【0069】; spec/002 §8 A15',
    'Select the record whose tracks R(start, end) hold T(a).'),
  literal('literal-a15-e3-address-membership', { ...E3, membership: 'address' }, ['e3-split-image-intact', 'e3-split-differences-tracked'],
    'Step 2602 tests whether the write\'s address lies in an extent: a write to a boundary track outside the addresses skips the copy-before-write during the extent split.',
    '002 (2602), 【0121】; spec/002 §8 A15',
    'Test membership by track: T(a) ∈ ∪R.'),
  literal('literal-a4-split-during-forming', { ...E1, splitGuard: 'literal' }, ['pair-state-refines-model'],
    'Step 500 sets 分割中 whatever the state: a Pair Split while forming starts the split copy beside the create copy, which is not cancelled and at its end (807) sets 形成完了 over 分割中.',
    '002 (500), (807), 【0014】【0038】; spec/002 §8 A3, A4',
    'Accept Pair Split only in 形成完了 (or cancel the create copy: the split copy covers every remaining bit).'),
  literal('literal-a11-unvalidated-extent', { ...E1, validation: 'literal' }, ['copy-job-bounded'],
    'The copy loops end on equality, i = T(end) (1005): an extent with start > end is accepted unchecked, and its Extent Update copy starts at T(start), already past T(end), so its exit test is never met and the loop runs on past the last track. The extent holds no track, so its copy should finish within zero steps: the bound of G5 is violated the moment the job exists.',
    '002 (1000), (1005), (1006), 【0049】【0054】; spec/002 §6, §8 A11, G5',
    'Validate every extent: start ≤ end, end within the original, the copy large enough.'),
];

const BROKEN: readonly ExtentVariant[] = [
  broken('copy-before-write-after-write', E1, ['e1-split-image-intact', 'e1-update-image-intact'], 'The copy-before-write of a split runs after the write is applied, so it copies the new data into the image.'),
  broken('step-clears-without-copy', E3, ['bit-cleared-only-by-copy', 'e3-joined-clean-tracks-equal'], 'A copy step clears the track\'s bit without copying the track.'),
  broken('forming-write-skips-bit', E1, ['e1-forming-copy-tracks-equal'], 'A write while forming or formed is applied without setting CB, so a track the create copy passed stays stale.'),
  broken('outside-write-marks-bit', E2, ['e2-outside-write-untracked'], 'An E2 write outside every record sets a bit in the first record of that source.'),
  broken('split-write-marks-bit', E2, ['e2-split-image-intact'], 'An E2 write while splitting sets the record\'s bit again after its copy-before-write, as E1 sets SB: the split copy then copies the new data.'),
  broken('split-copy-ends-early', E2, ['e2-split-copy-is-image'], 'The E2 split copy ends one track before T(end), so its last track is never copied into the image.'),
  broken('extent-split-copy-skips-last-extent', E3, ['e3-split-copy-is-image'], 'The extent split copy\'s test "are extents left?" (2708) is off by one: it finishes before the last extent.'),
  broken('extent-split-not-atomic', E3, ['e3-split-image-intact'], 'An Extent Split stores its extents one at a time, as the copy reaches each, so a write to a later extent skips the copy-before-write.'),
  broken('resume-skips-failed-track', E1, ['e1-split-copy-is-image'], 'A reissued request resumes the failed copy at the track after the one that failed, losing that difference.'),
  broken('failed-job-reported-running', E1, ['query-reports-progress'], 'A failed copy job is reported as running, with no error status.'),
  broken('copy-read-before-final', E3, ['read-returns-image'], 'A read of an extent track is served from the copy while the extent split copy still runs.'),
  broken('state-checked-before-arguments', E1, ['acceptance-agrees-with-model'], 'The pair state is checked before the arguments, so an extent past the volume is refused as wrong-state.'),
  broken('refused-update-keeps-slot', E1, ['rejected-command-changes-nothing'], 'An Extent Update refused as busy keeps the extent slot it took before finding the overlap.'),
  broken('update-copy-offset', E1, ['copy-address-identical', 'copy-outside-active-set-untouched'], 'The Extent Update copy writes track t of the original to track t - T(start) of the copy (an extent offset, A11).'),
  broken('update-copy-overruns-extent', E1, ['copy-job-bounded'], 'The Extent Update copy ends one track past T(end), copying a track outside the extent.'),
  broken('copy-reverses', E2, ['original-holds-every-write'], 'The copy step copies the copy volume\'s track onto the original.'),
];

export const EXTENT_VARIANTS: readonly ExtentVariant[] = [...EMBODIMENTS, ...LITERALS, ...BROKEN];

export function extentVariant(name: string): ExtentVariant | undefined {
  return EXTENT_VARIANTS.find((variant) => variant.name === name);
}
