/**
 * The freeze-remote-copy controllers of seed 001, primary DKC 1030 and secondary DKC 1040, and the unordered
 * link between them (src/link.ts): the part both algorithms share. It routes a command to the machine event it
 * is, takes that machine's transition and runs its operations; the operations on volumes and bitmaps are the
 * algorithm's (log.ts for E1, split.ts for E2-E4), those on the link are wire.ts's.
 *
 * `stepSystem` is the only entry point. It checks a command's arguments (arguments.ts), turns the command into
 * the machine event it is (a delivered message by classify.ts's predicates; a background step by the
 * algorithm, for example `drain.complete` only when PBM is empty and nothing is unacknowledged), asks that
 * controller's machine (machines/freeze-remote-copy.ts) for the transition, and runs the transition's
 * operations in order on a copy of the system. A rejected command returns the system it was given, unchanged,
 * with a typed rejection: arguments first (src/rejection.ts order), then `wrong-state` when the machine has no
 * transition or the background task has nothing to do, and `busy` for a freeze while one is in progress (D9)
 * or a duplicate into a full link. Deciding never copies anything; only an admitted command copies the
 * system, which is what keeps the exhaustive search fast.
 *
 * Online verify (issue 15 item 4) compares one block a `verify.step`, reading the primary's copy and the
 * secondary's committed image in that one step: DRBD's VerifyS sends each block's digest to its peer's VerifyT,
 * which compares it and answers; that exchange is taken as atomic, so the verify adds no messages to the
 * link's interleavings. The step that compares the last block raises `verify.complete` in the same step.
 *
 * Abstracted away: cache RAM and its lookups (D8: no cache is modelled), the few-millisecond waits of 2635
 * and the task scheduler (every background step is an explicit event), physical disks (【0032】).
 */
import { primaryMachine, secondaryMachine, type CopySource, type FreezeControlInput } from '../../machines/freeze-remote-copy.js';
import { assert } from '../assert.js';
import { ControlTable, type ControlStep } from '../control.js';
import * as link from '../link.js';
import { reject, type Rejection } from '../rejection.js';
import { Draft, type Action, type Algorithm, type SharedOperations, type View } from './algorithm.js';
import { zeroBlock, type Block, type BlockRepresentation } from './block.js';
import { primaryEventFor, secondaryEventFor } from './classify.js';
import { behaviourOf } from './defects.js';
import type { FreezeEvent, FreezeGeometry, Message } from './events.js';
import { betweenFreezes, type FreezeOutcome, type FreezeSystem, type MachineStep, type PrimaryStateKey, type SecondaryStateKey } from './system.js';
import type { FreezeVariant } from './variants.js';
import { acknowledge, linkActions, linkCommand, lostMessages } from './wire.js';

const tables = new WeakMap<FreezeControlInput, { primary: ControlTable; secondary: ControlTable }>();

export function controlTablesFor(control: FreezeControlInput): { primary: ControlTable; secondary: ControlTable } {
  let found = tables.get(control);
  if (found === undefined) {
    found = { primary: new ControlTable(primaryMachine, control), secondary: new ControlTable(secondaryMachine, control) };
    tables.set(control, found);
  }
  return found;
}

/**
 * Generation 0 (D18): every volume equal, every bitmap clear, nothing in flight. Blocks are hex text unless
 * `representation` is `binary` (src/freeze-remote-copy/block.ts); the system stays in the one it starts in.
 */
export function initialSystem(variant: FreezeVariant, geometry: FreezeGeometry): FreezeSystem;
export function initialSystem(variant: FreezeVariant, geometry: FreezeGeometry, representation: 'binary'): FreezeSystem<Uint8Array>;
export function initialSystem(variant: FreezeVariant, geometry: FreezeGeometry, representation: BlockRepresentation = 'hex'): FreezeSystem<Block> {
  return behaviourOf(variant).algorithm.initial(geometry, zeroBlock(representation, geometry.blockSize));
}

type AnySystem = FreezeSystem<Block>;

/** A copy of the system whose arrays may be changed without changing the one given (the blocks are shared, never changed). */
export function copySystem<B extends Block>(system: FreezeSystem<B>, variant: FreezeVariant): FreezeSystem<B> {
  const { algorithm } = behaviourOf(variant);
  assert(system.algorithm === algorithm.name, () => `a ${system.algorithm} system copied by the ${algorithm.name} algorithm`);
  const copy = { algorithm: system.algorithm, primary: algorithm.copyPrimary(system.primary as never), secondary: algorithm.copySecondary(system.secondary as never), link: system.link };
  return copy as FreezeSystem<B>;
}
type AnyAction = Action<AnySystem, unknown>;

/** The primary machine's operations that are the same in every algorithm. */
const PRIMARY_ACTIONS: Readonly<Record<string, AnyAction>> = {
  ...linkActions('primary'),
  acceptFreeze: (draft) => {
    draft.primary.gen += 1; // (2610, 3620, 4420): this step is the freeze instant t(N)
  },
  // Online verify (issue 15, DRBD's drbdadm verify): the walk starts at block 0 with nothing found.
  startVerify: (draft) => {
    draft.primary.verifyCursor = 0;
    draft.primary.verifyFound.fill(false);
  },
  // One block a step, compared in that step: DRBD's VerifyS sends the block's digest and VerifyT compares it
  // with its own; copyspec takes the exchange as one atomic step (the README says why).
  verifyNextBlock: (draft) => {
    const p = draft.primary;
    assert(p.verifyCursor < p.verifyFound.length, 'verify.step with every block compared');
    if (draft.algorithm.verifyDiffers(draft, p.verifyCursor)) p.verifyFound[p.verifyCursor] = true;
    p.verifyCursor += 1;
  },
  // "Online verify found N blocks out of sync": reported, not repaired; the record is cleared.
  reportVerify: (draft) => {
    const p = draft.primary;
    draft.results.push({ kind: 'verify', found: p.verifyFound.slice() });
    p.verifyCursor = 0;
    p.verifyFound.fill(false);
  },
  // (2620, 3720, 4960). In E1 FREEZE is advisory: ALL_SENT commits and may arrive first, so a lost FREEZE
  // costs nothing and is neither acknowledged nor retransmitted. In E2-E4 FREEZE is the commit (D5).
  sendFreeze: (draft) => draft.send({ to: 'secondary', kind: 'freeze', gen: draft.primary.gen, seq: 0 }, draft.algorithm.freezeCommits, draft.primary),
};

/** The secondary machine's operations that are the same in every algorithm. */
const SECONDARY_ACTIONS: Readonly<Record<string, AnyAction>> = {
  ...linkActions('secondary'),
  noteFreeze: (draft, _operation, context) => acknowledge(draft, context.message, draft.secondary), // (2810)
  commit: (draft, _operation, context) => {
    assert(context.message !== undefined, 'commit runs on FREEZE or ALL_SENT');
    const tag = draft.shared.tagOf(context.message);
    draft.secondary.gen = tag === null ? draft.secondary.gen + 1 : tag.gen; // k_S := N (2825; 4010; 5210)
    acknowledge(draft, context.message, draft.secondary);
  },
  sendDone: (draft) => draft.send({ to: 'primary', kind: 'secondary-done', gen: draft.secondary.gen, seq: 0 }, true, draft.secondary), // (2890, 4050, 5280)
};

/**
 * A transition as an outcome reports it, with the machine that took it. The fields are named rather than
 * spread from the transition: a spread with an added field took the engine's slow path on every step.
 */
function machineStep(transition: ControlStep, machine: MachineStep['machine']): MachineStep {
  const { source, eventType, target, operations, edge, description, meta } = transition;
  return { source, eventType, target, operations, edge, description, meta, machine };
}

/** Takes one machine transition and runs its operations in order: the shared ones here, the rest the algorithm's. */
function take<Sys extends AnySystem, Ops>(draft: Draft<Sys, Ops>, machine: MachineStep['machine'], transition: ControlStep, event: FreezeEvent<Block>, message?: Message<Block>): void {
  draft.transitions.push(machineStep(transition, machine));
  const context = message === undefined ? { event, from: transition.source } : { event, message, from: transition.source };
  let own: Readonly<Record<string, Action<Sys, Ops>>>;
  let shared: Readonly<Record<string, AnyAction>>;
  if (machine === 'primary') {
    draft.primary.state = transition.target as PrimaryStateKey;
    [own, shared] = [draft.algorithm.primaryActions, PRIMARY_ACTIONS];
  } else {
    draft.secondary.state = transition.target as SecondaryStateKey;
    [own, shared] = [draft.algorithm.secondaryActions, SECONDARY_ACTIONS];
  }
  for (const operation of transition.operations) {
    const common = shared[operation.type];
    if (common !== undefined) {
      common(draft as unknown as Draft<AnySystem, unknown>, operation, context);
      continue;
    }
    const action = own[operation.type];
    assert(action !== undefined, () => `the ${machine} machine names an operation ${operation.type} that ${draft.algorithm.name} does not have`);
    action(draft, operation, context);
  }
}

type Refusal = { readonly rejection: Rejection };

/** A freeze waits for a running verify, which compares the image the next freeze would begin to replace. */
const VERIFY_BUSY = reject('busy', 'an online verify is in progress; freeze after its report');

const refusal = (reason: Parameters<typeof reject>[0], message: string): Refusal => ({ rejection: reject(reason, message) });

/** What a command is, decided without changing anything: a machine event, a link change, or a refusal. */
type Admission =
  | Refusal
  | { readonly link: link.Link<Message<Block>> }
  | { readonly machine: MachineStep['machine']; readonly eventType: string; readonly message?: Message<Block>; readonly link: link.Link<Message<Block>> };

/** Which copy source the machine's `copy.send` in this state names, or null when it has none. */
function copySourceOf<Sys extends AnySystem, Ops>(view: View<Sys, Ops>): CopySource | null {
  const transition = controlTablesFor(view.variant.control).primary.step(view.primary.state, 'copy.send');
  const operation = transition?.operations.find((o) => o.type === 'sendData');
  return operation === undefined ? null : (operation.params?.['source'] as CopySource);
}

function copyEvent<Sys extends AnySystem, Ops>(view: View<Sys, Ops>, algorithm: Algorithm<Sys, Ops>): string | null {
  if (view.primary.state === 'failed') return null;
  const source = copySourceOf(view);
  return source === null ? null : algorithm.copyEvent(view, source);
}

function admitMessage<Sys extends AnySystem, Ops>(view: View<Sys, Ops>, algorithm: Algorithm<Sys, Ops>, index: number): Admission {
  if (!link.hasMessage(view.link, index)) return refusal('wrong-state', `no message #${index} in flight`);
  const { link: rest, message } = link.deliver(view.link, index);
  if (message.to === 'primary') return { machine: 'primary', eventType: primaryEventFor(view.primary, message), message, link: rest };
  return { machine: 'secondary', eventType: secondaryEventFor(view.secondary, message, view.shared, algorithm), message, link: rest };
}

function admit<Sys extends AnySystem, Ops>(view: View<Sys, Ops>, algorithm: Algorithm<Sys, Ops>, event: FreezeEvent<Block>): Admission {
  const on = (machine: MachineStep['machine'], eventType: string | null, why: string): Admission =>
    (eventType === null ? refusal('wrong-state', why) : { machine, eventType, link: view.link });
  switch (event.type) {
    case 'host.write':
    case 'host.read':
    case 'host.freeze':
    case 'primary.fail':
      return on('primary', event.type, '');
    case 'pair.verify':
    case 'verify.step':
      // The walk reads the secondary's committed image; a secondary taken over answers nothing any more.
      return on('primary', view.secondary.state === 'recovered' ? null : event.type, 'the secondary has been recovered and no longer answers a verify');
    case 'block.corrupt':
      // Injected only between freezes, where the committed image is the last completed freeze's (README).
      return on('secondary', betweenFreezes(view.primary.state) ? event.type : null, 'a silent corruption is injected only between freezes');
    case 'primary.copy':
      return on('primary', copyEvent(view, algorithm), 'remote copy has nothing it may send now');
    case 'primary.step':
      return on('primary', algorithm.freezeTaskEvent(view), 'the freeze task has no step to take now');
    case 'primary.timeout':
      return on('primary', lostMessages(view.link, view.primary.outstanding).length > 0 ? 'primary.timeout' : null, 'the primary has nothing lost to retransmit');
    case 'secondary.apply': {
      const type = view.secondary.state !== 'applying' ? null : algorithm.pendingApply(view.secondary) === -1 ? 'apply.complete' : 'apply.block';
      return on('secondary', type, 'the secondary is not applying an image');
    }
    case 'secondary.timeout': {
      const lost = view.secondary.state !== 'recovered' && lostMessages(view.link, view.secondary.outstanding).length > 0;
      return on('secondary', lost ? 'secondary.timeout' : null, 'the secondary has nothing lost to retransmit');
    }
    case 'secondary.restart':
    case 'secondary.recover':
      return on('secondary', event.type, '');
    case 'link.deliver':
      return admitMessage(view, algorithm, event.index);
    default: {
      const wire = linkCommand(view.link, event);
      return 'reason' in wire ? { rejection: wire } : { link: wire };
    }
  }
}

type Stepped<B extends Block = Block> = { readonly system: FreezeSystem<B>; readonly outcome: FreezeOutcome<B> };

const refused = (system: AnySystem, rejection: Rejection): Stepped => ({ system, outcome: { accepted: false, rejection } });
const accepted = (system: AnySystem, transitions: readonly MachineStep[] = []): Stepped => ({ system, outcome: { accepted: true, transitions, results: [] } });

/** One step of a controller pair running `algorithm` with the variant's operations. */
class Stepper<Sys extends AnySystem, Ops> {
  constructor(
    readonly system: Sys,
    readonly algorithm: Algorithm<Sys, Ops>,
    readonly variant: FreezeVariant,
    readonly geometry: FreezeGeometry,
    readonly shared: SharedOperations,
    readonly inPlace: boolean,
  ) {}

  /** A working copy in which `changes`, the controller whose machine takes the step, may change. */
  draft(changes: MachineStep['machine']): Draft<Sys, Ops> {
    return new Draft(this.system, changes, this.algorithm, this.variant, this.geometry, this.shared, this.inPlace);
  }

  step(event: FreezeEvent<Block>): Stepped {
    const { system, shared } = this;
    const invalid = shared.checkArguments(event, this.geometry, system);
    if (invalid !== null) return this.refuseArguments(event, invalid);
    // Fields named rather than spread from the system: a spread with added fields took the engine's slow path.
    const view: View<Sys, Ops> = {
      primary: system.primary, secondary: system.secondary, link: system.link, variant: this.variant, geometry: this.geometry, shared, ops: this.algorithm.ops,
    };
    const admission = admit(view, this.algorithm, event);
    if ('rejection' in admission) return refused(system, admission.rejection);
    if (!('machine' in admission)) return accepted({ algorithm: system.algorithm, primary: system.primary, secondary: system.secondary, link: admission.link } as Sys);
    const transition = this.transitionFor(admission.machine, admission.eventType);
    if ('rejection' in transition) return this.refuseTransition(admission.machine, admission.eventType, transition.rejection);
    if (event.type === 'secondary.restart') return this.restart(transition);
    const draft = this.draft(admission.machine);
    draft.link = admission.link;
    take(draft, admission.machine, transition, event, admission.message);
    if (admission.eventType === 'verify.step') this.completeVerify(draft, event);
    return { system: draft.system(), outcome: { accepted: true, transitions: draft.transitions, results: draft.results } };
  }

  /** The verify step that compares the last block also completes the verify: the controller raises `verify.complete`. */
  private completeVerify(draft: Draft<Sys, Ops>, event: FreezeEvent<Block>): void {
    if (draft.primary.verifyCursor < draft.primary.verifyFound.length) return;
    const transition = controlTablesFor(this.variant.control).primary.step(draft.primary.state, 'verify.complete');
    assert(transition !== null, 'verifying takes verify.complete');
    take(draft, 'primary', transition, event);
  }

  /** The transition an admitted machine event takes, or the refusal when the machine has none. */
  private transitionFor(machine: MachineStep['machine'], eventType: string): ControlStep | Refusal {
    const state = this.system[machine].state;
    const transition = controlTablesFor(this.variant.control)[machine].step(state, eventType);
    return transition ?? refusal('wrong-state', `the ${machine} does not take ${eventType} in ${state}`);
  }

  /** A freeze while one is in progress is the variant's to decide (D9: busy); any other refusal stands. */
  private refuseTransition(machine: MachineStep['machine'], eventType: string, rejection: Rejection): Stepped {
    if (machine === 'primary' && eventType === 'host.freeze' && this.system.primary.state === 'verifying') return refused(this.system, VERIFY_BUSY);
    if (machine !== 'primary' || eventType !== 'host.freeze' || !this.system.primary.state.startsWith('freezing')) return refused(this.system, rejection);
    const decided = this.shared.freezeInProgress((change) => {
      const draft = this.draft('primary');
      change(draft as unknown as Draft<AnySystem, unknown>);
      return draft.system();
    });
    return 'algorithm' in decided ? accepted(decided) : refused(this.system, decided);
  }

  /** A command refused for its arguments changes nothing, unless the variant carries part of it out anyway. */
  private refuseArguments(event: FreezeEvent<Block>, rejection: Rejection): Stepped {
    const carried = this.shared.carriedOutDespite(event, rejection, this.geometry);
    if (carried === null) return refused(this.system, rejection);
    const draft = this.draft('primary');
    const transition = this.transitionFor('primary', carried.type);
    if (!('rejection' in transition)) take(draft, 'primary', transition, carried);
    return refused(draft.system(), rejection);
  }

  /**
   * secondary.restart's one operation, `reload`, runs without a draft: what survives a restart is what the
   * secondary holds durably (D17), so the reference returns the secondary itself and the step copies nothing.
   */
  private restart(transition: ControlStep): Stepped {
    const { system } = this;
    const secondary = this.algorithm.reload(system.secondary);
    const transitions = [machineStep(transition, 'secondary')];
    if (secondary === system.secondary) return accepted(system, transitions);
    return accepted({ algorithm: system.algorithm, primary: system.primary, secondary, link: system.link } as Sys, transitions);
  }
}

/**
 * Applies one command to a copy of the system; the system given is never changed, unless `inPlace` (the
 * workload driver's live system, see Draft), when an accepted command changes it and copies nothing. The
 * command's blocks must be in the system's representation (block.ts).
 */
export function stepSystem<B extends Block = string>(system: FreezeSystem<B>, event: FreezeEvent<B>, variant: FreezeVariant, geometry: FreezeGeometry, inPlace = false): Stepped<B> {
  const { shared, algorithm } = behaviourOf(variant);
  assert(system.algorithm === algorithm.name, () => `a ${system.algorithm} system stepped by the ${algorithm.name} algorithm`);
  const stepper = algorithm.name === 'log'
    ? new Stepper(system as Extract<AnySystem, { algorithm: 'log' }>, algorithm, variant, geometry, shared, inPlace)
    : new Stepper(system as Extract<AnySystem, { algorithm: 'split' }>, algorithm, variant, geometry, shared, inPlace);
  // The protocol keeps the blocks it is given and makes new ones only in their representation.
  return stepper.step(event) as Stepped<B>;
}
