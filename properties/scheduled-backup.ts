/**
 * The invariants of seed 004 (spec/004 §5 P1-P12), plus the three ("every due entry is run exactly
 * once", "a rejected command changes nothing", "restore after a normal end gives back the image P11/P12
 * says") and the acceptance check; each a named, pure predicate over the controller (through the
 * abstraction) and the model. P7 is two predicates: one report per instruction, and a bound on the staging
 * reads of a run (spec/004 A15), so that a backup that never finishes shows as a violated bound.
 */
import type { BackupEvent } from '../src/scheduled-backup/events.js';
import { check208, nextLabel, type BackupModel, type ModelRun } from '../model/scheduled-backup.js';
import { abstractOf, destinationImage, freshInstructions, logOf, type BackupAbstract, type BackupStepOutcome, type BackupWorld } from '../src/scheduled-backup/abstraction.js';
import { fromHex } from '../src/hex.js';
import type { Property, Step } from '../src/lifecycle.js';

type BackupProperty = Property<BackupWorld, BackupEvent, BackupStepOutcome>;
type BackupStep = Step<BackupWorld, BackupEvent, BackupStepOutcome>;

const view = (world: BackupWorld): BackupAbstract => abstractOf(world.system, world.variant, world.geometry);
const refOf = (run: ModelRun): string => `${run.ref.generation}:${run.ref.index}`;

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** The run whose end this step reported on `device`, as the model held it before the step. */
function endedRun(model: BackupModel, device: number): ModelRun | undefined {
  return model.queues[device]?.[0];
}

export const typeFlagsExclusive: BackupProperty = {
  name: 'type-flags-exclusive',
  ref: '004 §5 P1, (309), (311)',
  description: 'No table 140 has both the disk flag 151 and the MT flag 152 set.',
  state: (world) => view(world).adapters.every((a) => !(a.table140.diskFlag && a.table140.tapeFlag)),
};

export const idleIffTable140Clear: BackupProperty = {
  name: 'idle-iff-table-140-clear',
  ref: '004 §5 P2, (710), (801)',
  description: 'A CHA that is idle or has ended its run has table 140 clear; past the probe, a type flag is set.',
  state: (world) => view(world).adapters.every((a) => {
    const t = a.table140;
    const clear = !t.diskFlag && !t.tapeFlag && !t.labelChecked && t.currentLabel === null && !t.mountWait;
    if (a.state === 'idle' || a.state === 'normal-end' || a.state === 'abnormal-end' || a.state === 'probe') return clear;
    return t.diskFlag || t.tapeFlag;
  }),
};

export const writesOnlyAfterLabelCheck: BackupProperty = {
  name: 'writes-only-after-label-check',
  ref: '004 §5 P3, (505), (608), (709)',
  description: 'Every unit sent to the backup device goes with 142 = 1, 144 = 0 and the mounted label equal to 143.',
  step: ({ outcome }) => (logOf(outcome)?.writes ?? []).every((w) => w.labelChecked && !w.mountWait && w.mounted !== null && w.mounted === w.currentLabel),
};

export const tapeLabelsIncrement: BackupProperty = {
  name: 'tape-labels-increment',
  ref: '004 §5 P4, (703), A12',
  description: 'On the k-th tape of a run, 143 is inc^(k-1)(123).',
  state: (world) => view(world).adapters.every((a) => {
    if (!a.table140.tapeFlag || !a.table140.labelChecked || a.firstLabel === null) return true;
    let label: string | null = a.firstLabel;
    for (let k = 1; k < a.tapesStarted && label !== null; k += 1) label = nextLabel(label);
    return a.table140.currentLabel === label;
  }),
};

export const instructionsOnlyWhenDue: BackupProperty = {
  name: 'instructions-only-when-due',
  ref: '004 §5 P5, (201)-(203), A1',
  description: 'A backup instruction goes only to the CHA 121 of an entry whose start time the clock crossed since the last pass.',
  step: ({ before, after }) => {
    const fresh = freshInstructions(before.system, after.system);
    if (fresh.length === 0) return true;
    const b = view(before);
    const a = view(after);
    return fresh.every((s) => {
      const entry = a.active.table.entries[s.index];
      return entry !== undefined && s.generation === a.active.generation && entry.adapter === s.adapter
        && b.lastChecked < entry.start && entry.start <= a.now;
    });
  },
};

export const tableUsedOnlyAfterCheckAndReboot: BackupProperty = {
  name: 'table-used-only-after-check-and-reboot',
  ref: '004 §5 P6, (208)-(213), A6',
  description: 'Only a table passing check 208 reaches shared memory; the CHAs run by the model\'s active table, and a running save stages the volume its instruction named.',
  state: (world) => {
    const c = view(world);
    if (!check208(c.sharedMemory) || c.active.generation !== world.model.generation) return false;
    return c.adapters.every((a) => a.stagingVolume === null || a.stagingVolume === a.entryVolume);
  },
};

export const serviceProcessorRefinesModel: BackupProperty = {
  name: 'service-processor-refines-model',
  ref: '004 §3 T1-T8',
  description: 'The SVP is in the model\'s state: idle, asking for settings, rebooting, or with an error to report.',
  state: (world) => view(world).svp === world.model.svp,
};

export const everyInstructionEndsInOneReport: BackupProperty = {
  name: 'every-instruction-ends-in-one-report',
  ref: '004 §5 P7, (802), (312), A4',
  description: 'Every instructed entry is queued, running or ended on its device until the SVP takes its one report.',
  state: (world) => {
    const c = view(world);
    const held = c.adapters.flatMap((a) => a.queue);
    return held.length === c.instructed.length && c.instructed.every((ref) => held.includes(ref));
  },
};

export const stagingReadsBounded: BackupProperty = {
  name: 'staging-reads-bounded',
  ref: '004 §5 P7, (610), A15',
  description: 'A run makes at most as many staging reads as its volume has chunks: a backup always gets to its end.',
  state: (world) => view(world).adapters.every((a) => a.stagingVolume === null || a.stagedCount <= world.geometry.volumeChunks[a.stagingVolume]!),
};

export const abnormalEndReportedToOtherAdapters: BackupProperty = {
  name: 'abnormal-end-reported-to-other-adapters',
  ref: '004 §5 P8, (205), (211), A18',
  description: 'Every CHA has been told of every abnormal end the SVP has passed on: each CHA but the backup\'s own.',
  state: (world) => sameBytes(view(world).errorReports, world.model.errorReports),
};

export const saveNeverChangesSource: BackupProperty = {
  name: 'save-never-changes-source',
  ref: '004 §5 P9, 【0111】',
  description: 'The target volumes hold exactly what hosts wrote: no save changes them.',
  state: (world) => view(world).volumes.every((bytes, i) => sameBytes(bytes, world.model.volumes[i]!)),
};

/** For each run that ended normally in this step: what it promised (the model before) and what its device holds. */
function normalEnds(step: BackupStep, check: (run: ModelRun, held: number[]) => boolean): boolean {
  const log = logOf(step.outcome);
  if (log === null) return true;
  return log.reports.filter((r) => r.normal).every((r) => {
    const run = endedRun(step.before.model, r.device);
    const adapter = step.after.system.adapters[r.device]!;
    const head = adapter.queue[0];
    if (run === undefined || head === undefined) return false;
    const units = step.after.geometry.volumeChunks[run.volume]!;
    return check(run, destinationImage(step.after.system, r.device, head.entry.label, adapter.tapesStarted, units, step.after.geometry.chunkSize, nextLabel));
  });
}

export const destinationHoldsEveryUnitOnce: BackupProperty = {
  name: 'destination-holds-every-unit-once',
  ref: '004 §5 P10, (612), A11',
  description: 'At a normal end the disk, or the tapes 123, inc(123), … in order, hold each staged unit once, in order.',
  step: (step) => normalEnds(step, (run, held) => sameBytes(held, step.after.variant.control.image === 'point-in-time' ? run.image : run.staged)),
};

export const imageAtTrigger: BackupProperty = {
  name: 'image-at-trigger',
  ref: '004 §5 P11, A8',
  description: 'At a normal end, if no host wrote the volume since the trigger, or the variant is point-in-time, the destination is the volume at the trigger.',
  step: (step) => normalEnds(step, (run, held) => (run.written && step.after.variant.control.image !== 'point-in-time') || sameBytes(held, run.image)),
};

export const stagedUnitIsPromisedImage: BackupProperty = {
  name: 'staged-unit-is-promised-image',
  ref: '004 §5 P12, (510), A2, A8',
  description: 'Each staging read brings the next chunk, in order, as the volume holds it at that instant (or, point-in-time, as it was at the trigger).',
  step: ({ before, outcome }) => (logOf(outcome)?.staged ?? []).every((s) => {
    const run = endedRun(before.model, s.device);
    if (run === undefined) return false;
    const size = before.geometry.chunkSize;
    const source = before.variant.control.image === 'point-in-time' ? run.image : before.model.volumes[run.volume]!;
    return s.chunk * size === run.staged.length && sameBytes(fromHex(s.data), source.slice(s.chunk * size, (s.chunk + 1) * size));
  }),
};

export const everyDueEntryRunsOnceInOrder: BackupProperty = {
  name: 'every-due-entry-runs-once-in-order',
  ref: '004 §8 A1, A9; issue 11',
  description: 'Each device\'s queue is the model\'s: every due entry is instructed once, when due, and runs first in first out.',
  state: (world) => view(world).adapters.every((a, device) => {
    const queue = world.model.queues[device]!;
    return a.queue.length === queue.length && queue.every((run, i) => refOf(run) === a.queue[i]);
  }),
};

export const restoreReturnsThePromisedImage: BackupProperty = {
  name: 'restore-returns-the-promised-image',
  ref: '004 §8 A17; P10-P12',
  description: 'A restore after a normal end gives back the image P11/P12 promised for that run.',
  step: ({ outcome }) => {
    if (!outcome.controller.accepted || outcome.controller.restored === null) return true;
    return outcome.model.accepted && outcome.model.restored === outcome.controller.restored;
  },
};

export const acceptanceAgreesWithModel: BackupProperty = {
  name: 'acceptance-agrees-with-model',
  ref: 'src/rejection.ts order; README rejection table',
  description: 'The controller accepts what the model accepts and refuses the rest for the same reason; the device protocol\'s state is the controller\'s word.',
  step: ({ outcome }) => {
    const { controller, model } = outcome;
    if (model.accepted && model.controllerWord === true) return controller.accepted || controller.rejection.reason === 'wrong-state' || controller.rejection.reason === 'busy';
    if (controller.accepted || model.accepted) return controller.accepted === model.accepted;
    return controller.rejection.code === model.rejection.code;
  },
};

export const rejectedCommandChangesNothing: BackupProperty = {
  name: 'rejected-command-changes-nothing',
  ref: 'STYLE.md "Two kinds of error"',
  description: 'A refused command leaves volumes, media, tables and queues exactly as they were.',
  step: ({ before, outcome, after }) => outcome.controller.accepted || before.system === after.system,
};

export const BACKUP_PROPERTIES: readonly BackupProperty[] = [
  typeFlagsExclusive,
  idleIffTable140Clear,
  writesOnlyAfterLabelCheck,
  tapeLabelsIncrement,
  instructionsOnlyWhenDue,
  tableUsedOnlyAfterCheckAndReboot,
  serviceProcessorRefinesModel,
  everyInstructionEndsInOneReport,
  stagingReadsBounded,
  abnormalEndReportedToOtherAdapters,
  saveNeverChangesSource,
  destinationHoldsEveryUnitOnce,
  imageAtTrigger,
  stagedUnitIsPromisedImage,
  everyDueEntryRunsOnceInOrder,
  restoreReturnsThePromisedImage,
  acceptanceAgreesWithModel,
  rejectedCommandChangesNothing,
];
