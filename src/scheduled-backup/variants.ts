/**
 * scheduled-backup variants: the embodiments (a disk destination, a tape destination, and the point-in-time
 * extension), the seed's literal flows where spec/004 §8 finds them wrong (A1, A6/A7, A11 both ways, A15),
 * and deliberately broken controllers. Every embodiment satisfies every property; every other variant
 * violates at least the properties it names in `catches`, and the conformance suite proves it with a trace.
 */
import type { BackupControl } from '../../machines/scheduled-backup.js';
import type { VariantInfo } from '../lifecycle.js';

/** A deliberate bug in the controller (data plane); null in every correct variant. */
export type BackupDefect =
  | 'label-not-incremented'
  | 'write-before-label-check'
  | 'unload-before-last-unit-stored'
  | 'abnormal-end-not-reported'
  | 'image-after-first-write'
  | 'both-type-flags'
  | 'abnormal-end-keeps-table-140'
  | 'trigger-one-tick-early'
  | 'config-check-skipped'
  | 'stale-stage-cache'
  | 'staging-writes-back-to-source'
  | 'queue-lifo'
  | 'restore-stops-at-first-tape'
  | 'partial-write-on-range-error'
  | 'state-checked-before-range';

export interface BackupVariant extends VariantInfo {
  readonly control: BackupControl;
  readonly defect: BackupDefect | null;
}

const DISK: BackupControl = {
  destination: 'disk', trigger: 'crossing', zeroLengthTape: 'finish-at-610', eotUnit: 'as-reported', configTiming: 'deferred', image: 'fuzzy',
};
const TAPE: BackupControl = { ...DISK, destination: 'tape' };
const POINT_IN_TIME: BackupControl = { ...DISK, image: 'point-in-time' };

function embodiment(name: string, control: BackupControl, description: string, ref: string): BackupVariant {
  return { name, kind: 'embodiment', description, ref, control, defect: null, catches: [] };
}

function literal(name: string, control: BackupControl, catches: readonly string[], description: string, ref: string, fix: string): BackupVariant {
  return { name, kind: 'literal-defect', description, ref, control, defect: null, catches, fix };
}

function broken(name: BackupDefect, control: BackupControl, catches: readonly string[], description: string): BackupVariant {
  return { name, kind: 'broken', description, ref: 'copyspec', control, defect: name, catches };
}

export const BACKUP_VARIANTS: readonly BackupVariant[] = [
  embodiment('disk', DISK, 'The embodiment with a disk-class backup device: each save overwrites the disk volume labelled 123.', '004 【0058】-【0079】, 【0104】【0105】, claims 1-3'),
  embodiment('tape', TAPE, 'The embodiment with an MT-class backup device: a save fills tapes 123, inc(123), … asking for each to be mounted.', '004 【0080】-【0110】, claims 1-3'),
  embodiment('point-in-time', POINT_IN_TIME, 'Disk destination, staging a copy-before-write image taken at the trigger, so host writes during a save do not reach the backup (P11 under writes).', '004 §8 A8 [EXT]'),
  literal('literal-a1-equality-trigger', { ...DISK, trigger: 'equality' }, ['every-due-entry-runs-once-in-order'],
    'Step 201 fires an entry only when timer 130 equals its start time 124, so a tick that skips the start time never backs the volume up.',
    '004 (201), 【0047】, claim 3 ("現在時刻が前記実行開始時刻に一致"); spec/004 A1',
    'Fire every entry whose start time lies in (previous pass, now] (spec/004 A1): a skipped tick delays a backup, never loses it.'),
  literal('literal-a15-zero-length-tape', { ...TAPE, zeroLengthTape: 'literal' }, ['staging-reads-bounded'],
    'On the MT path the end of the backup is tested only after a write (612); a zero-length volume is never written, so 610 stages again and again and the backup never finishes.',
    '004 (610), (612), 【0089】【0091】; spec/004 A15',
    'Test for the end at 610 too, when the cache is empty (spec/004 A15): a zero-length volume rewinds and ends normally at once.'),
  literal('literal-a6-a7-config-mid-save', { ...DISK, configTiming: 'literal' }, ['table-used-only-after-check-and-reboot', 'every-instruction-ends-in-one-report'],
    'A configuration request is served at once (200), even while a save runs: the running CHA re-reads table 100 from shared memory at every loop (302), so it takes the new entry before the reboot, and the reboot (212) restarts it mid-save, so the run never reports.',
    '004 (200), (209), (212), (302), 【0047】【0056】【0060】; spec/004 A6, A7',
    'A CHA runs by the table it loaded at the last reboot (A6), and a configuration request waits until every CHA is idle (A7).'),
  literal('literal-a11-eot-unit-resent', { ...TAPE, eotUnit: 'always-resent' }, ['destination-holds-every-unit-once'],
    'The unit written when end of tape is reported is taken as not stored and sent again on the next tape, although the drive stored it (early warning): it is on two tapes.',
    '004 (611), (613), (614), 【0092】【0093】; spec/004 A11',
    'Read the drive\'s answer: a unit stored at early warning counts as stored (A11); only a unit the drive refused at the end of medium is sent again.'),
  literal('literal-a11-eot-unit-lost', { ...TAPE, eotUnit: 'always-stored' }, ['destination-holds-every-unit-once'],
    'The unit written when end of tape is detected is counted as stored, also when the drive refused it at the end of medium: it is on no tape.',
    '004 (611), (613), (614), 【0092】【0093】; spec/004 A11',
    'Read the drive\'s answer: a unit the drive refused at the end of medium stays in cache and is written first on the next tape.'),
  broken('label-not-incremented', TAPE, ['tape-labels-increment'], 'Step 703 leaves 143 as it was, so the next mount asks for the same tape again and overwrites it.'),
  broken('write-before-label-check', TAPE, ['writes-only-after-label-check'], 'The first unit is sent with the label read, before 142 is set: it lands on whatever tape is mounted.'),
  broken('unload-before-last-unit-stored', TAPE, ['destination-holds-every-unit-once'], 'The tape is unloaded as soon as the last unit is sent, before the drive has stored it: the unit is lost.'),
  broken('abnormal-end-not-reported', DISK, ['abnormal-end-reported-to-other-adapters'], 'Step 211 tells no CHA of an abnormal end (P8).'),
  broken('image-after-first-write', POINT_IN_TIME, ['staged-unit-is-promised-image'], 'The copy-before-write runs after the host write, so the image takes the first write of each track.'),
  broken('both-type-flags', TAPE, ['type-flags-exclusive'], 'Step 311 also sets the disk flag 151 (a copy of 309).'),
  broken('abnormal-end-keeps-table-140', DISK, ['idle-iff-table-140-clear'], 'Step 710 does not clear table 140, so the idle CHA still shows a label check and a current label.'),
  broken('trigger-one-tick-early', DISK, ['instructions-only-when-due'], 'Step 201 fires an entry one tick before its start time.'),
  broken('config-check-skipped', DISK, ['table-used-only-after-check-and-reboot', 'service-processor-refines-model'], 'Step 208 is skipped: a table whose CHA 121 has no bit in 102 reaches shared memory, and the SVP goes on to reboot where the model has it report the table invalid.'),
  broken('stale-stage-cache', DISK, ['staged-unit-is-promised-image'], 'A staging read hits a cache slot left by the previous save of the volume, older than a host write since.'),
  broken('staging-writes-back-to-source', DISK, ['save-never-changes-source'], 'The staged chunk\'s cache slot is marked dirty and destaged over the volume, undoing a host write made meanwhile.'),
  broken('queue-lifo', DISK, ['every-due-entry-runs-once-in-order'], 'Several instructions for one device are served last in, first out.'),
  broken('restore-stops-at-first-tape', TAPE, ['restore-returns-the-promised-image'], 'A restore reads tape 123 only and does not follow the chain to inc(123).'),
  broken('partial-write-on-range-error', DISK, ['rejected-command-changes-nothing'], 'A host write running past the end of the volume stores the bytes that fit, then is refused.'),
  broken('state-checked-before-range', DISK, ['acceptance-agrees-with-model'], 'A device answer for an unknown device address is refused as wrong-state instead of unknown-volume.'),
];

export function backupVariant(name: string): BackupVariant | undefined {
  return BACKUP_VARIANTS.find((variant) => variant.name === name);
}
