/**
 * mirror-pair variants. Embodiments are variants of one machine and one controller, selected by
 * parameters (STYLE.md); so are the seed's literal flow and the deliberately broken controllers that the
 * verifier must catch. Every embodiment variant satisfies every property; every other variant violates at
 * least the property it names in `catches`, and test/mirror-pair.test.ts proves it with a trace.
 */
import type { MirrorControlInput } from '../../machines/mirror-pair.js';
import type { VariantInfo } from '../lifecycle.js';

/** A deliberate bug in the controller (data plane); null in every correct variant. */
export type MirrorDefect =
  | 'resync-copies-backwards'
  | 'suspend-keeps-primary-bitmap'
  | 'resync-skips-track'
  | 'mirror-complete-skips-bitmap-match'
  | 'release-skips-bitmap-match'
  | 'suspended-write-reaches-secondary'
  | 'read-from-secondary'
  | 'copy-on-write'
  | 'state-checked-before-range'
  | 'partial-write-on-range-error'
  | 'write-span-rounds-down'
  | 'error-write-not-recorded'
  | 'error-read-from-failed-primary'
  | 'restore-skips-primary-bitmap'
  | 'verify-skips-last-track'
  | 'duplex-write-lost-on-secondary'
  | 'group-split-one-at-a-time'
  | 'group-split-half-applied';

export interface MirrorVariant extends VariantInfo {
  readonly control: MirrorControlInput;
  readonly defect: MirrorDefect | null;
}

const E1: MirrorControlInput = {
  embodiment: 1, writeRecording: 'each-volume', resyncCopy: 'full', controlMemory: 'non-volatile', guards: 'recommended',
};
const E2: MirrorControlInput = { ...E1, embodiment: 2 };
const E2_FIG14: MirrorControlInput = { ...E2, writeRecording: 'primary-only' };
/** A consistency group of two embodiment-1 pairs (issue 15 item 3): the fewest pairs a group property needs. */
const E1_GROUP: MirrorControlInput = { ...E1, pairCount: 2 };

function embodiment(name: string, control: MirrorControlInput, description: string, ref: string): MirrorVariant {
  return { name, kind: 'embodiment', description, ref, control, defect: null, catches: [] };
}

function broken(name: MirrorDefect, control: MirrorControlInput, catches: readonly string[], description: string): MirrorVariant {
  return { name, kind: 'broken', description, ref: 'copyspec', control, defect: name, catches };
}

export const MIRROR_VARIANTS: readonly MirrorVariant[] = [
  embodiment('e1', E1, 'Embodiment 1: Sbm := Pbm when the mirror completes (5070); full resync copy.', '000 【0009】-【0038】, claims 1-3'),
  embodiment('e1-differential', { ...E1, resyncCopy: 'differential' }, 'Embodiment 1 with a resync that copies only the tracks in Pbm.', '000 §8.8'),
  embodiment('e2', E2, 'Embodiment 2: Sbm := Pbm at temporary release (4540); full resync copy.', '000 【0039】-【0052】, claims 4-6'),
  embodiment('e2-differential', { ...E2, resyncCopy: 'differential' }, 'Embodiment 2 with a differential resync copy.', '000 §8.8'),
  embodiment('e2-fig14', E2_FIG14, 'Embodiment 2 with the Fig.14 write: only Pbm records writes (3570/3580).', '000 【0052】, claims 7-9'),
  embodiment('e2-fig14-differential', { ...E2_FIG14, resyncCopy: 'differential' }, 'Embodiment 2, Fig.14 write, differential resync copy.', '000 【0052】, §8.8'),
  embodiment('e1-group', E1_GROUP, 'Beyond the seed: a consistency group of two embodiment-1 pairs, split together by group.suspend (ShadowImage pairsplit -g with CTG, FlashCopy consistency groups).', 'issue 15 item 3; anchors §1.2, §2.5'),
  {
    name: 'literal-unguarded', kind: 'literal-defect', control: { ...E1, guards: 'literal' }, defect: null,
    description: 'The text as written: release, update-info and dump read check no state, so a release during the copy freezes a half-copied secondary, and a dump read while mirrored returns a moving image.',
    ref: '000 (4010-4050), (6010-6020), (7010-7020); spec/000 §8.3, §8.5',
    catches: ['frozen-secondary', 'dump-returns-release-image', 'update-info-is-interval'],
  },
  {
    name: 'volatile-control-memory', kind: 'broken', control: { ...E1, controlMemory: 'volatile' }, defect: null,
    description: 'Control memory 220 without claim 10: a power cycle forgets the pair state and both bitmaps, so the next differential dump misses tracks.',
    ref: '000 【0012】【0039】, claim 10',
    catches: ['control-memory-survives-power-cycle', 'control-state-refines-model', 'primary-bitmap-exact'],
  },
  broken('resync-copies-backwards', E1, ['primary-current'], 'The mirroring means copies secondary to primary, overwriting the newest data with the frozen image.'),
  broken('suspend-keeps-primary-bitmap', E1, ['primary-bitmap-exact'], 'Temporary release forgets 4040: Pbm is not cleared, so the next dump repeats old tracks.'),
  broken('resync-skips-track', { ...E1, resyncCopy: 'differential' }, ['syncing-copied-tracks-equal', 'synced-secondary-equals-primary'], 'The differential resync loses the highest dirty track from its copy list.'),
  broken('mirror-complete-skips-bitmap-match', E1, ['synced-bitmaps-match'], 'Embodiment 1 without 5070: Sbm is not set to Pbm when the copy completes.'),
  broken('release-skips-bitmap-match', E2, ['frozen-bitmap-is-interval'], 'Embodiment 2 without 4540: Sbm is not set to Pbm at temporary release.'),
  broken('suspended-write-reaches-secondary', E1, ['frozen-secondary', 'secondary-refines-model'], 'A host write while suspended is still duplexed, so the frozen image moves.'),
  broken('read-from-secondary', E1, ['read-returns-current'], 'Host reads are balanced onto the secondary while mirrored, which is stale during the copy.'),
  broken('copy-on-write', E1, ['write-cost'], 'The prior art of 【0003】 (JP H7-210429): a write while suspended first reads the old track to save it.'),
  broken('state-checked-before-range', E1, ['acceptance-agrees-with-model'], 'Checks the pair state before the arguments, so a bad track is reported as wrong-state.'),
  broken('partial-write-on-range-error', E1, ['rejected-command-changes-nothing'], 'A write running past the end of the volume stores the bytes that fit, then rejects.'),
  broken('write-span-rounds-down', E1, ['primary-bitmap-exact'], 'A write ending inside a track does not record that track: the end of its track range is rounded down (spec/000 §8.12).'),
  broken('error-write-not-recorded', { ...E1, resyncCopy: 'differential' }, ['error-uncertain-tracks-recorded'], 'Suspended by error, a host write to the primary does not put its track on the resync list, so a differential resync leaves the secondary stale (issue 15).'),
  broken('error-read-from-failed-primary', E1, ['read-returns-current'], 'Suspended by error, a host read is served from the primary even where its copy failed, returning the failed bytes (issue 15).'),
  broken('restore-skips-primary-bitmap', E1, ['primary-current'], 'A reverse resync copies back only Sbm\'s tracks, not Pbm OR Sbm, so a track written since the release keeps its new data (issue 15).'),
  broken('verify-skips-last-track', E1, ['verify-reports-differing-tracks'], 'An online verify never compares the last track, so a silent corruption there is not reported (issue 15).'),
  broken('group-split-one-at-a-time', E1_GROUP, ['group-split-one-instant', 'control-state-refines-model'], 'A group split done pair by pair, as a script of per-pair splits would: group.suspend splits only the first pair in its step, so the second still takes host writes on its secondary after the first is frozen, and the group holds no one instant (issue 15).'),
  broken('group-split-half-applied', E1_GROUP, ['rejected-command-changes-nothing', 'control-state-refines-model'], 'A group split refused because a pair is not synced first splits the synced pairs before it: a refused group command changes pairs (issue 15).'),
  broken('duplex-write-lost-on-secondary', E1, ['secondary-refines-model', 'synced-secondary-equals-primary'], 'A synced pair acknowledges a write touching the last track without storing it on the secondary: a lost write, silent corruption by the controller itself, which an online verify reports (issue 15).'),
];

export function mirrorVariant(name: string): MirrorVariant | undefined {
  return MIRROR_VARIANTS.find((variant) => variant.name === name);
}
