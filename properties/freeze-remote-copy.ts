/**
 * The invariants of seed 001 (spec/001 §5, I1-I10), each a named, pure predicate over the controllers, the
 * link and the model. The exhaustive checker and the model-based runs check every one after every step; a
 * violation reports the name. Every property holds for the consistency group as a whole: an image is the
 * array of all the group's blocks, never one volume at a time.
 *
 * The controllers are read through the refinement mapping (src/freeze-remote-copy/abstraction.ts) and through
 * the fields both algorithms share: the machine states and the generations k_P and k_S. The central term is
 * Rec(S), `recoveryImage`: the image recovery would produce from the secondary's state alone, at this step,
 * without running it (Fig 9; 【0138】; 【0175】). I1 says it is always exactly the image of the last freeze the
 * secondary committed to, never a mixture of two.
 */
import { corruptedBlocks, heldImageOf, imageOf } from '../model/freeze-remote-copy.js';
import {
  blocksAtRestOrInTransit,
  changedSinceSplit,
  committedVolume,
  dirtyForNextSplit,
  drainSet,
  frozenBlocksHeld,
  holdsNextImage,
  hostView,
  isCiphertext,
  newestSent,
  recoveryImage,
  untrackedBlocks,
  type FreezeStepOutcome,
  type FreezeWorld,
} from '../src/freeze-remote-copy/abstraction.js';
import type { FreezeEvent } from '../src/freeze-remote-copy/events.js';
import type { Property } from '../src/lifecycle.js';

export type { FreezeStepOutcome, FreezeWorld } from '../src/freeze-remote-copy/abstraction.js';

type FreezeProperty = Property<FreezeWorld, FreezeEvent, FreezeStepOutcome>;

function sameImage(a: readonly string[], b: readonly string[] | null): boolean {
  return b !== null && a.length === b.length && a.every((block, i) => block === b[i]);
}

const alive = (world: FreezeWorld): boolean => world.system.primary.state !== 'failed' && world.system.secondary.state !== 'recovered';

export const recoveryImageIsCommittedFreeze: FreezeProperty = {
  name: 'recovery-image-is-committed-freeze',
  ref: '001 §5 I1, 【0025】【0097】, claim 1',
  description: 'At every step, the image recovery would produce on the secondary is F(k_S), the primary\'s image at the last freeze the secondary committed to (as the model knows the secondary holds it, silent corruptions included): never a mixture.',
  state: ({ system, model, variant }) => {
    const image = heldImageOf(model, system.secondary.gen);
    return image === null || sameImage(recoveryImage(system, variant), image);
  },
};

export const atMostOneFreezeBehind: FreezeProperty = {
  name: 'at-most-one-freeze-behind',
  ref: '001 §5 I2',
  description: 'k_P - 1 ≤ k_S ≤ k_P: the secondary has committed the last freeze or the one before it.',
  state: ({ system }) => system.secondary.gen <= system.primary.gen && system.secondary.gen >= system.primary.gen - 1,
};

export const committedGenerationNeverDecreases: FreezeProperty = {
  name: 'committed-generation-never-decreases',
  ref: '001 §5 I2',
  description: 'k_S never decreases: a committed image is never given up for an older one.',
  step: ({ before, after }) => after.system.secondary.gen >= before.system.secondary.gen,
};

export const commitIsExactFreezeImage: FreezeProperty = {
  name: 'commit-is-exact-freeze-image',
  ref: '001 §5 I3, (2825), (4010), (5210)',
  description: 'When the secondary commits freeze N (ALL_SENT in E1, FREEZE in E2-E4), its image is F(N) exactly: every write acknowledged before t(N) is in it, none accepted after.',
  step: ({ before, after }) => {
    const gen = after.system.secondary.gen;
    if (gen === before.system.secondary.gen || after.system.secondary.state === 'recovered') return true;
    return sameImage(recoveryImage(after.system, after.variant), heldImageOf(after.model, gen));
  },
};

/** E1 F1: PBM[b] ⇒ PVOL[b] = F(N)[b]. E2-E4 split: A[b] ? PP[b] : PS[b] is F(N)[b]; after the split PS = F(N). */
export const frozenImagePreserved: FreezeProperty = {
  name: 'frozen-image-preserved',
  ref: '001 §5 I4, 【0054】',
  description: 'While a freeze is in progress, the primary still holds every block of F(N) that it has not yet sent.',
  state: ({ system, model, variant }) => {
    const frozen = imageOf(model, system.primary.gen);
    return frozen === null || frozenBlocksHeld(system, variant).every(({ block, data }) => data === frozen[block]);
  },
};

export const readYourWrites: FreezeProperty = {
  name: 'read-your-writes',
  ref: '001 §5 I5, Fig 10 (3205-3250)',
  description: 'A host read returns the last acknowledged write of the block, in every mode.',
  step: ({ outcome }) => {
    if (!outcome.controller.accepted) return true;
    const read = outcome.controller.results.find((r) => r.kind === 'read');
    if (read === undefined) return true;
    return outcome.model.accepted === true && read.data === outcome.model.read;
  },
};

export const hostViewIsEveryAcknowledgedWrite: FreezeProperty = {
  name: 'host-view-is-every-acknowledged-write',
  ref: '001 §5 I5, I10; 【0054】',
  description: 'The primary\'s host-visible group is every acknowledged write, in order: no acknowledged write is lost.',
  state: ({ system, model }) => system.primary.state === 'failed' || sameImage(hostView(system), model.current),
};

export const secondLogOnlyWhileApplying: FreezeProperty = {
  name: 'second-log-only-while-applying',
  ref: '001 §5 I7, (2460)-(2470), (2880); D3, D13',
  description: 'Data for the image after the committed one (SDIFFB, SB) exists only while the committed image is being applied.',
  state: ({ system }) => system.secondary.state === 'applying' || system.secondary.state === 'recovered' || !holdsNextImage(system),
};

export const committedImageChangesOnlyWhileApplying: FreezeProperty = {
  name: 'committed-image-changes-only-while-applying',
  ref: '001 §5 I7, 【0052】',
  description: 'SVOL (E1) and SS (E2-E4) change only while the secondary applies a committed image, or by a silent corruption (block.corrupt).',
  step: ({ before, event, after }) => before.system.secondary.state === 'applying' || event.type === 'block.corrupt'
    || sameImage(committedVolume(after.system), committedVolume(before.system)),
};

export const freezeDoneMeansRecoverable: FreezeProperty = {
  name: 'freeze-done-means-recoverable',
  ref: '001 §5 I8, (2730), (3780)',
  description: 'When the host is told freeze N is complete, the secondary has committed N and recovery would give F(N).',
  step: ({ outcome, after }) => {
    if (!outcome.controller.accepted) return true;
    const done = outcome.controller.results.find((r) => r.kind === 'freeze-done');
    if (done === undefined) return true;
    const secondary = after.system.secondary;
    if (secondary.state === 'recovered') return true;
    return secondary.gen === done.gen && sameImage(recoveryImage(after.system, after.variant), heldImageOf(after.model, done.gen));
  },
};

export const drainSetNeverGrows: FreezeProperty = {
  name: 'drain-set-never-grows',
  ref: '001 §5 I9; D1',
  description: 'During a drain (PBM in F1, A in the split, C∧¬D in the transfer) no block joins the set, so each freeze completes even under continuous writes.',
  step: ({ before, after }) => {
    const p = before.system.primary;
    const q = after.system.primary;
    if (p.state !== q.state || p.gen !== q.gen) return true;
    const was = drainSet(before.system, before.variant);
    const is = drainSet(after.system, after.variant);
    return was === null || is === null || is.every((set, b) => !set || was[b]);
  },
};

/**
 * E1: a block with PBM, PDBM and NEXT clear is on its way: its PVOL value is in an unacknowledged DATA or
 * at the secondary. E2/E4 after the split, and E3 in PFM 2: a block with C clear (or D set) is too, as PS.
 */
export const noUpdateLost: FreezeProperty = {
  name: 'no-update-lost',
  ref: '001 §5 I6, I10; D3, D20',
  description: 'Every block the primary no longer tracks as unsent, and not silently corrupted, has its newest value unacknowledged on the link or stored at the secondary.',
  state: (world) => {
    if (!alive(world)) return true;
    const corrupted = corruptedBlocks(world.model, world.system.secondary.gen); // E1 reads SVOL there; only a verify can see it
    return untrackedBlocks(world.system, world.variant).every(({ block, data }) => corrupted.includes(block) || newestSent(world.system, world.variant, block) === data);
  },
};

export const dirtySetCoversChanges: FreezeProperty = {
  name: 'dirty-set-covers-changes',
  ref: '001 §5 I6 (E2, E3), (3490), (3470), (4260), (4330)',
  description: 'E2-E4: every block where PP differs from PS is in A or B, so the next split copies it; a write is never left out of the next image.',
  state: ({ system, variant }) => {
    const changed = changedSinceSplit(system, variant);
    const dirty = dirtyForNextSplit(system);
    return changed === null || dirty === null || system.primary.state === 'failed' || changed.every((differs, b) => !differs || dirty[b]);
  },
};

export const plaintextNeverAtRestOrInTransit: FreezeProperty = {
  name: 'plaintext-never-at-rest-or-in-transit',
  ref: '001 【0177】-【0179】, claim 15; E4',
  description: 'E4: every block of PS and SP and every DATA on the link is an authentic AES-256-GCM ciphertext, never plaintext.',
  state: ({ system, variant }) => variant.control.embodiment !== 4 || blocksAtRestOrInTransit(system).every(isCiphertext),
};

export const restartChangesNothing: FreezeProperty = {
  name: 'restart-changes-nothing',
  ref: '001 §6 secondary crash; D17',
  description: 'A secondary controller restart leaves its mode, generation, bitmaps and logs as they were: they are durable.',
  step: ({ before, event, after }) => event.type !== 'secondary.restart' || before.system === after.system
    || JSON.stringify(before.system.secondary) === JSON.stringify(after.system.secondary),
};

export const recoveryReturnsCommittedImage: FreezeProperty = {
  name: 'recovery-returns-committed-image',
  ref: '001 §3 S7-S9, Fig 9 (3010-3080)',
  description: 'Recovery on the secondary, at any moment, yields F(k_S): the previous image before the commit, the current one after.',
  step: ({ before, outcome }) => {
    if (!outcome.controller.accepted) return true;
    const recovered = outcome.controller.results.find((r) => r.kind === 'recovered');
    return recovered === undefined
      || (recovered.gen === before.system.secondary.gen && sameImage(recovered.image, heldImageOf(before.model, recovered.gen)));
  },
};

export const verifyReportsDifferingBlocks: FreezeProperty = {
  name: 'verify-reports-differing-blocks',
  ref: 'issue 15 item 4; DRBD online verify (drbdadm verify)',
  description: 'A completed online verify reports every block of the committed image silently corrupted throughout it and not written since the last freeze, and no block that was not corrupted at some time during it.',
  step: ({ before, outcome }) => {
    if (!outcome.controller.accepted) return true;
    const report = outcome.controller.results.find((r) => r.kind === 'verify');
    if (report === undefined) return true;
    const bounds = before.model.verify;
    if (bounds === null) return false; // a report with no verify running
    const reported = report.found.flatMap((found, b) => (found ? [b] : []));
    return bounds.must.every((b) => reported.includes(b)) && reported.every((b) => bounds.may.includes(b));
  },
};

export const acceptanceAgreesWithModel: FreezeProperty = {
  name: 'acceptance-agrees-with-model',
  ref: '001 D9; src/rejection.ts order',
  description: 'The controllers accept exactly the host and operator commands the model accepts, and refuse the others for the same reason.',
  step: ({ outcome }) => {
    const { controller, model } = outcome;
    if (model.accepted === 'either') return true;
    if (controller.accepted || model.accepted) return controller.accepted === model.accepted;
    return controller.rejection.code === model.rejection.code;
  },
};

export const rejectedCommandChangesNothing: FreezeProperty = {
  name: 'rejected-command-changes-nothing',
  ref: 'STYLE.md "Two kinds of error"',
  description: 'A refused command leaves both controllers and the link exactly as they were.',
  step: ({ before, outcome, after }) => outcome.controller.accepted || before.system === after.system
    || JSON.stringify(before.system) === JSON.stringify(after.system),
};

export const FREEZE_PROPERTIES: readonly FreezeProperty[] = [
  recoveryImageIsCommittedFreeze,
  atMostOneFreezeBehind,
  committedGenerationNeverDecreases,
  commitIsExactFreezeImage,
  frozenImagePreserved,
  readYourWrites,
  hostViewIsEveryAcknowledgedWrite,
  secondLogOnlyWhileApplying,
  committedImageChangesOnlyWhileApplying,
  freezeDoneMeansRecoverable,
  drainSetNeverGrows,
  noUpdateLost,
  dirtySetCoversChanges,
  plaintextNeverAtRestOrInTransit,
  restartChangesNothing,
  recoveryReturnsCommittedImage,
  verifyReportsDifferingBlocks,
  acceptanceAgreesWithModel,
  rejectedCommandChangesNothing,
];
