/**
 * The invariants of seed 003 (spec/003 §5, I1-I9), each a named, pure predicate over the controllers, the
 * link and the model, plus the ones every lifecycle has (the single writer's writes are never lost, a
 * rejected command changes nothing, acceptance agrees with the model). The exhaustive checker and the
 * model-based runs check every one after every step; a violation reports the name.
 *
 * I10 is a non-claim: the seed promises no write-order consistency at either site while tracks are copied,
 * so no property says the master's image during G4/G5 is some past image; test/failover-failback/
 * non-claims.test.ts shows a reachable G4 where it is none, so that nobody adds that property by mistake.
 *
 * Where the spec's I8 says a DT2 bit is cleared "after a successful transfer", the recommended A1 clears it
 * when the transfer starts and sets it again if the transfer is lost; I8 below allows both, and which one is
 * right is what unflagged-tracks-equal-during-failback decides (the literal A1 variant fails it).
 */
import { expectedBackup, expectedMaster, writerOf } from '../model/failover-failback.js';
import { abstractOf, fairDrain, type FailoverAbstract, type FailoverStepOutcome, type FailoverWorld, type Message } from '../src/failover-failback/abstraction.js';
import type { FailoverEvent } from '../src/failover-failback/events.js';
import type { Property, Step } from '../src/lifecycle.js';

type FailoverProperty = Property<FailoverWorld, FailoverEvent, FailoverStepOutcome>;
type FailoverStep = Step<FailoverWorld, FailoverEvent, FailoverStepOutcome>;

/** Whether every track where M and B differ is in one of `excused` (no allocation: checks run on every world). */
function differencesExcused(c: FailoverAbstract, ...excused: (readonly number[])[]): boolean {
  return c.differing.every((t) => excused.some((list) => list.includes(t)));
}

function sameBytes(actual: ArrayLike<number>, expected: readonly number[] | null): boolean {
  if (expected === null) return true;
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (actual[i] !== expected[i]) return false;
  return true;
}

/** Whether every track of `tracks` is in one of `allowed`. */
const within = (tracks: readonly number[], ...allowed: (readonly number[])[]): boolean => tracks.every((t) => allowed.some((list) => list.includes(t)));
const union = (...lists: (readonly number[])[]): number[] => [...new Set(lists.flat())].sort((x, y) => x - y);

/** Messages of `kind` sent in a step. */
function sentOf(step: FailoverStep, kind: Message['kind']): readonly Message[] {
  const outcome = step.outcome.controller;
  return outcome.accepted ? outcome.sent.filter((m) => m.kind === kind) : [];
}

function deliveredOf(step: FailoverStep): Message | null {
  return step.outcome.controller.accepted ? step.outcome.controller.delivered : null;
}

const WHILE_DOWN = new Set(['G1', 'G2', 'G3']);
const DURING_FAILBACK = new Set(['G4', 'G5']);
const PAIR_DELETED = new Set(['G6', 'G7']);

export const replicatedUnlessFlagged: FailoverProperty = {
  name: 'replicated-unless-flagged',
  ref: '003 §5 I1, I1s, 【0007】【0024】',
  description: 'In G0 a track that is neither in DT1 nor in flight (nor left divergent by E2) is equal at both sites; in E3 the sites are equal.',
  state: (world) => {
    const c = abstractOf(world);
    if (c.phase !== 'G0') return true;
    return differencesExcused(c, c.master.flags, c.master.inflight, world.model.divergent);
  },
};

export const masterFrozenUntilFailback: FailoverProperty = {
  name: 'master-frozen-until-failback',
  ref: '003 §5 I2, 【0032】',
  description: 'In G1-G3 the diff job sends nothing and M changes only by a copy-back transfer sent before a return to SWAP (A10).',
  step: (step) => {
    if (step.after === step.before) return true; // a refusal, which changes nothing
    const before = abstractOf(step.before);
    const after = abstractOf(step.after);
    if (!WHILE_DOWN.has(before.phase) || !WHILE_DOWN.has(after.phase)) return true;
    if (sentOf(step, 'failback').length > 0) return false;
    return deliveredOf(step)?.kind === 'failback' || sameBytes(after.master.data, [...before.master.data]);
  },
};

export const unflaggedTracksEqualWhileDown: FailoverProperty = {
  name: 'unflagged-tracks-equal-while-down',
  ref: '003 §5 I2',
  description: 'In G1-G3 a track in neither DT1 nor DT2 and not in flight (nor left divergent by E2) is equal at both sites.',
  state: (world) => {
    const c = abstractOf(world);
    if (!WHILE_DOWN.has(c.phase)) return true;
    return differencesExcused(c, c.master.flags, c.backup.flags, c.backup.inflight, world.model.divergent);
  },
};

export const swapOnlyGainsBits: FailoverProperty = {
  name: 'swap-only-gains-bits',
  ref: '003 §5 I2, (2050)-(2060)',
  description: 'While the backup stays in SWAP, DT2 only gains bits.',
  step: (step) => {
    if (step.after === step.before) return true;
    const before = abstractOf(step.before);
    const after = abstractOf(step.after);
    return before.backup.state !== 'swap' || after.backup.state !== 'swap' || within(before.backup.flags, after.backup.flags);
  },
};

export const unflaggedTracksEqualDuringFailback: FailoverProperty = {
  name: 'unflagged-tracks-equal-during-failback',
  ref: '003 §5 I3, (3070)',
  description: 'In G4/G5 a track not in DT2 and not in flight is equal at both sites (E2: unless the master kept its own data, in DT1).',
  state: (world) => {
    const c = abstractOf(world);
    if (!DURING_FAILBACK.has(c.phase)) return true;
    return differencesExcused(c, c.backup.flags, c.backup.inflight, world.model.divergent, c.control.embodiment === 2 ? c.master.flags : []);
  },
};

export const pairDeletedSitesEqual: FailoverProperty = {
  name: 'pair-deleted-sites-equal',
  ref: '003 §5 I4, (4050)-(4090)',
  description: 'E1 and E3: once DELPAIR has completed (G6, G7), DT2 is empty and M equals B on every track.',
  state: (world) => {
    const c = abstractOf(world);
    return c.control.embodiment === 2 || !PAIR_DELETED.has(c.phase) || (c.backup.flags.length === 0 && c.differing.length === 0);
  },
};

export const e2DivergenceBounded: FailoverProperty = {
  name: 'e2-divergence-bounded',
  ref: '003 §5 I5, 【0045】',
  description: 'E2: once DELPAIR has completed, DT2 is empty and M differs from B only on tracks in DT1 (or left divergent before) that host 410 did not write.',
  state: (world) => {
    const c = abstractOf(world);
    if (c.control.embodiment !== 2 || !PAIR_DELETED.has(c.phase)) return true;
    const { writtenByBackup, divergent } = world.model;
    return c.backup.flags.length === 0 && c.differing.every((t) => !writtenByBackup.includes(t) && (c.master.flags.includes(t) || divergent.includes(t)));
  },
};

export const flagsOnlyWrittenTracks: FailoverProperty = {
  name: 'flags-only-written-tracks',
  ref: '003 §5 I6, claims 1-4, 【0042】',
  description: 'DT1 and its transfers hold only tracks host 110 wrote since pair recovery; DT2 and its transfers only tracks host 410 wrote since the takeover, or DT1\'s after E1\'s Resync, or every track after A4.',
  state: (world) => {
    const c = abstractOf(world);
    const { model } = world;
    if (!within(c.master.flags, model.writtenByMaster) || !within(c.master.inflight, model.writtenByMaster)) return false;
    if (model.copyBack === 'every-track') return true;
    const dt1 = model.copyBack === 'written-and-dt1' ? c.master.flags : [];
    return within(c.backup.flags, model.writtenByBackup, dt1) && within(c.backup.inflight, model.writtenByBackup, dt1);
  },
};

export const transferConsumesItsFlag: FailoverProperty = {
  name: 'transfer-consumes-its-flag',
  ref: '003 §5 I6, (3050)-(3070)',
  description: 'A transfer is sent only for a track flagged before the step (DT1 for a copy, DT2 for a copy-back) with no transfer of it in flight.',
  step: (step) => {
    if (step.after === step.before) return true;
    const before = abstractOf(step.before);
    const ok = (site: FailoverAbstract['master'] | FailoverAbstract['backup'], messages: readonly Message[]): boolean =>
      messages.every((m) => site.flags.includes(m.track!) && !site.inflight.includes(m.track!));
    return ok(before.master, sentOf(step, 'copy')) && ok(before.backup, sentOf(step, 'failback'));
  },
};

export const flagsClearedOnlyByTransferOrSwap: FailoverProperty = {
  name: 'flags-cleared-only-by-transfer-or-swap',
  ref: '003 §5 I8, (1020), (3070), (4090)',
  description: 'A DT2 bit is cleared only by the first SWAP (1020) or by a transfer of its track started or acknowledged in the step; a DT1 bit only by its copy or by pair recovery (4090).',
  step: (step) => {
    if (step.after === step.before) return true;
    const before = abstractOf(step.before);
    const after = abstractOf(step.after);
    const delivered = deliveredOf(step);
    const acknowledged = (kind: Message['kind'], t: number): boolean => delivered !== null && delivered.kind === kind && delivered.track === t;
    const started = (kind: Message['kind'], t: number): boolean => sentOf(step, kind).some((m) => m.track === t);
    const firstSwap = step.event.type === 'host.swap' && (before.backup.state === 'secondary' || before.backup.state === 'deleted');
    const dt2 = before.backup.flags.filter((t) => !after.backup.flags.includes(t)).every((t) => firstSwap || started('failback', t) || acknowledged('failback-ack', t));
    const recovered = step.event.type === 'host.pair-recover';
    return dt2 && before.master.flags.filter((t) => !after.master.flags.includes(t)).every((t) => recovered || started('copy', t));
  },
};

export const singleWriter: FailoverProperty = {
  name: 'single-writer',
  ref: '003 §5 I7, §6 split brain, A3',
  description: 'At most one site accepts host writes: the master as copy source, or the backup in SWAP or COPY.',
  state: (world) => {
    const c = abstractOf(world);
    return !(c.master.state === 'primary' && (c.backup.state === 'swap' || c.backup.state === 'copy.failback'));
  },
};

export const writesOnlyFromTheWriter: FailoverProperty = {
  name: 'writes-only-from-the-writer',
  ref: '003 §5 I7',
  description: 'An accepted host write comes from the writer: host 110 in G0, host 410 in G2-G4; nobody writes in G1 or G5-G7, and M takes no host write from the failure to pair recovery.',
  step: ({ before, event, outcome }) => {
    if (event.type !== 'host.write' || !outcome.controller.accepted) return true;
    const c = abstractOf(before);
    const role = event.site === 1 ? c.master.state === 'primary' : c.backup.state === 'swap' || c.backup.state === 'copy.failback';
    return role && writerOf(before.model) === event.site;
  },
};

export const controlStateRefinesModel: FailoverProperty = {
  name: 'control-state-refines-model',
  ref: '003 §3',
  description: 'Each controller\'s state is the role the model gives its site.',
  state: (world) => {
    const c = abstractOf(world);
    const master = { primary: 'primary', failed: 'down', 'fenced.target': 'target', 'fenced.handed-over': 'handed-over' }[c.master.state];
    const backup = c.backup.state.startsWith('copy.') ? (c.backup.state === 'copy.failback' ? 'copy' : 'draining') : c.backup.state;
    return master === world.model.master && backup === world.model.backup && c.linkUp === world.model.linkUp;
  },
};

export const drainTerminates: FailoverProperty = {
  name: 'drain-terminates',
  ref: '003 §5 I9',
  description: 'In G5 with cable 600 up and both sites up, a fair schedule completes DELPAIR after at most one transfer per track flagged or in flight.',
  state: (world) => {
    const c = abstractOf(world);
    if (c.phase !== 'G5' || !c.linkUp || c.master.state !== 'fenced.target') return true;
    const pending = union(c.backup.flags, c.backup.inflight).length;
    const end = fairDrain(world, 2 * pending + 4);
    return end.completed && end.transfers <= pending;
  },
};

export const noAcknowledgedWriteLost: FailoverProperty = {
  name: 'no-acknowledged-write-lost',
  ref: '003 §5 I4, §3 T14, 【0041】',
  description: 'Each site holds what the model says it must: the writer every acknowledged write, the master its own image while down, both the same after the failback, so once the pair is back in G0 no acknowledged write is lost.',
  state: (world) => {
    const c = abstractOf(world);
    return sameBytes(c.master.data, expectedMaster(world.model, c.control, c.trackSize)) && sameBytes(c.backup.data, expectedBackup(world.model, c.control));
  },
};

export const acceptanceAgreesWithModel: FailoverProperty = {
  name: 'acceptance-agrees-with-model',
  ref: '003 §8 A3, A8, A9; src/rejection.ts order',
  description: 'The controller accepts the commands the model accepts and refuses the others for the same reason.',
  step: ({ outcome: { controller, model } }) => {
    if (model.accepted === 'either') return controller.accepted || controller.rejection.reason === 'wrong-state';
    if (controller.accepted || model.accepted) return controller.accepted === model.accepted;
    return controller.rejection.code === model.rejection.code;
  },
};

export const rejectedCommandChangesNothing: FailoverProperty = {
  name: 'rejected-command-changes-nothing',
  ref: 'STYLE.md "Two kinds of error"',
  description: 'A refused command leaves both controllers and cable 600 exactly as they were.',
  step: ({ before, outcome, after }) => outcome.controller.accepted || before.system === after.system || sameSystem(abstractOf(before), abstractOf(after)),
};

function sameSystem(a: FailoverAbstract, b: FailoverAbstract): boolean {
  const same = (x: readonly number[], y: readonly number[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  const site = (x: FailoverAbstract['master'] | FailoverAbstract['backup'], y: typeof x): boolean =>
    x.state === y.state && x.gen === y.gen && same([...x.data], [...y.data]) && same(x.flags, y.flags) && same(x.inflight, y.inflight);
  return site(a.master, b.master) && site(a.backup, b.backup) && a.linkUp === b.linkUp && a.inFlight === b.inFlight;
}

export const FAILOVER_PROPERTIES: readonly FailoverProperty[] = [
  replicatedUnlessFlagged,
  masterFrozenUntilFailback,
  unflaggedTracksEqualWhileDown,
  swapOnlyGainsBits,
  unflaggedTracksEqualDuringFailback,
  pairDeletedSitesEqual,
  e2DivergenceBounded,
  flagsOnlyWrittenTracks,
  transferConsumesItsFlag,
  flagsClearedOnlyByTransferOrSwap,
  singleWriter,
  writesOnlyFromTheWriter,
  controlStateRefinesModel,
  drainTerminates,
  noAcknowledgedWriteLost,
  acceptanceAgreesWithModel,
  rejectedCommandChangesNothing,
];
