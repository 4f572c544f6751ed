/**
 * The failover-failback controllers of seed 003: DKC1 120 with its volume M (disk 230 and cache 160 as one,
 * spec/003 §2), DT1 180 and the tracks its copy job has in flight; DKC2 420 with B (disk 530), DT2 480 and
 * the tracks its diff job has in flight; and cable 600 between them (src/failover-failback/wire.ts).
 *
 * `stepSystem` is the only entry point (`stepSystemInPlace` is the same step on the workload's data path, in
 * place and with tracks as bytes; src/failover-failback/workload.ts). It checks a command's arguments (validate.ts), decides from data
 * which machine event the command is (`backup.copy` is `failback.send` while DT2 holds a track not in
 * flight, `delpair.send` once DT2 is empty and nothing is in flight; a delivered message is the receiver's
 * event by its kind and generation), asks that controller's machine (machines/failover-failback.ts) for the
 * transition and runs the transition's operations in order on a copy of the system. Some operations take a
 * transition of the other machine in the same step: the fence of a takeover (`master.fence`), the DT1 read
 * of 3020 (`dt1.read`) and the remote half of E3's synchronous write (`sync.receive`). A rejected command
 * returns the system it was given, unchanged, with a typed rejection: arguments first (src/rejection.ts
 * order), then `wrong-state` or `fenced`. A delivered message its receiver has no transition for (a stale
 * generation, a controller that is down) is dropped: the command is accepted and no machine moves.
 *
 * Abstracted away: the hosts and the heartbeat over cable 700 (their decisions are the commands), the
 * cache's destaging (【0033】), DEV/CYL/HD addressing (a track number; spec/003 A13), several backups
 * (【0052】, A14), and the retransmission timer, which is exact: a timeout is admitted only when a transfer's
 * data and its acknowledgement are both gone from the link (as in freeze-remote-copy).
 */
import {
  backupMachine,
  masterMachine,
  type BackupEventType,
  type BackupStateKey,
  type FailoverControlInput,
  type MasterEventType,
  type MasterStateKey,
  type WriteRoute,
} from '../../machines/failover-failback.js';
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import { ControlTable, type ControlStep, type Operation } from '../control.js';
import { toHex } from '../hex.js';
import { reject, type Rejection, type RejectionReason } from '../rejection.js';
import { Volume } from '../volume.js';
import { MASTER_SITE, type ControllerEvent, type FailoverGeometry } from './events.js';
import { validateArguments } from './validate.js';
import type { FailoverVariant } from './variants.js';
import * as wire from './wire.js';
import { trackBytes, type Message } from './wire.js';

export interface MasterData {
  readonly state: MasterStateKey;
  readonly volume: Volume;
  /** DT1 180: tracks written by host 110 and not yet copied to the backup. */
  readonly dt1: Bitmap;
  /** Tracks whose copy has been sent and not acknowledged (spec/003 §5 "Inflight"). */
  readonly inflight: Bitmap;
  /** The generation the master sends with (see the machine header). */
  readonly gen: number;
}

export interface BackupData {
  readonly state: BackupStateKey;
  readonly volume: Volume;
  /** DT2 480: tracks host 410 wrote since the takeover (OR DT1 after E1's Resync) not yet copied back. */
  readonly dt2: Bitmap;
  /** Tracks whose copy-back has been sent and not acknowledged. */
  readonly inflight: Bitmap;
  readonly gen: number;
}

export interface FailoverSystem {
  readonly master: MasterData;
  readonly backup: BackupData;
  readonly wire: wire.Wire;
}

export type FailoverResult = { readonly kind: 'delpair-complete' } | { readonly kind: 'delpair-failed' };

export interface MachineStep extends ControlStep {
  readonly machine: 'master' | 'backup';
}

export type FailoverOutcome =
  | {
      readonly accepted: true;
      readonly transitions: readonly MachineStep[];
      /** Messages put on cable 600 in this step (some may have been lost at once). */
      readonly sent: readonly Message[];
      /** The message `link.deliver` handed to its receiver, taken or dropped; null for any other command. */
      readonly delivered: Message | null;
      readonly results: readonly FailoverResult[];
    }
  | { readonly accepted: false; readonly rejection: Rejection };

interface Tables {
  readonly master: ControlTable;
  readonly backup: ControlTable;
}

const tables = new WeakMap<FailoverControlInput, Tables>();

export function controlTablesFor(control: FailoverControlInput): Tables {
  let found = tables.get(control);
  if (found === undefined) {
    found = { master: new ControlTable(masterMachine, control), backup: new ControlTable(backupMachine, control) };
    tables.set(control, found);
  }
  return found;
}

/** Generation 0: both sites equal and zero, every bitmap clear, nothing in flight (G0). */
export function initialSystem(geometry: FailoverGeometry): FailoverSystem {
  const volume = (): Volume => new Volume(geometry.trackCount, geometry.trackSize);
  const bits = (): Bitmap => new Bitmap(geometry.trackCount);
  return {
    master: { state: 'primary', volume: volume(), dt1: bits(), inflight: bits(), gen: 0 },
    backup: { state: 'secondary', volume: volume(), dt2: bits(), inflight: bits(), gen: 0 },
    wire: wire.emptyWire(geometry.linkCapacity),
  };
}

export const isMasterFenced = (state: MasterStateKey): boolean => state.startsWith('fenced');
const isPassive = (state: BackupStateKey): boolean => state === 'secondary' || state === 'deleted';

/** The next generation a takeover takes: the next odd number (the master's are even, see the header). */
const nextTakeoverGeneration = (gen: number): number => (gen % 2 === 0 ? gen + 1 : gen + 2);

/** Tracks in `bits` that are not in `but`, ascending. */
function tracksIn(bits: Bitmap, but: Bitmap | null): number[] {
  const tracks: number[] = [];
  for (let t = bits.nextSet(0); t !== -1; t = bits.nextSet(t + 1)) if (but === null || !but.test(t)) tracks.push(t);
  return tracks;
}

/** The first track in `bits` that is not in `but` (`tracksIn(bits, but)[0]` without the list), or undefined. */
function firstIn(bits: Bitmap, but: Bitmap | null): number | undefined {
  for (let t = bits.nextSet(0); t !== -1; t = bits.nextSet(t + 1)) if (but === null || !but.test(t)) return t;
  return undefined;
}

/** The copies in flight whose data and acknowledgement are both gone from the link. */
export function lostCopies(master: Pick<MasterData, 'inflight' | 'gen'>, link: wire.Wire): number[] {
  return tracksIn(master.inflight, null).filter((t) => !wire.inFlight(link, 'copy', t, master.gen) && !wire.inFlight(link, 'copy-ack', t, master.gen));
}

export function lostFailbacks(backup: Pick<BackupData, 'inflight' | 'gen'>, link: wire.Wire): number[] {
  return tracksIn(backup.inflight, null).filter((t) => !wire.inFlight(link, 'failback', t, backup.gen) && !wire.inFlight(link, 'failback-ack', t, backup.gen));
}

function delpairLost(backup: BackupData, link: wire.Wire): boolean {
  return backup.state === 'copy.confirming' && !wire.inFlight(link, 'delpair', null, backup.gen) && !wire.inFlight(link, 'delpair-ack', null, backup.gen);
}

/**
 * One step's working copy. Volumes and bitmaps are shared with the system it came from until an operation
 * changes them (`masterVolume()` and the like take a copy first), so a step that moves one bit copies one
 * bitmap and nothing else. In place (`stepSystemInPlace`, the workload's data path) the draft owns every part
 * from the start: operations change the given system's volumes and bitmaps, and transfers carry bytes.
 */
class Draft {
  masterState: MasterStateKey;
  masterGen: number;
  backupState: BackupStateKey;
  backupGen: number;
  link: wire.Wire;
  readonly transitions: MachineStep[] = [];
  readonly sent: Message[] = [];
  readonly results: FailoverResult[] = [];
  private m: Volume;
  private b: Volume;
  private d1: Bitmap;
  private f1: Bitmap;
  private d2: Bitmap;
  private f2: Bitmap;
  /** Which of the six parts above this draft owns (one bit each, in that order). */
  private owned = 0;

  constructor(
    readonly from: FailoverSystem,
    readonly variant: FailoverVariant,
    readonly geometry: FailoverGeometry,
    readonly inPlace = false,
  ) {
    this.masterState = from.master.state;
    this.masterGen = from.master.gen;
    this.backupState = from.backup.state;
    this.backupGen = from.backup.gen;
    this.link = from.wire;
    this.m = from.master.volume;
    this.b = from.backup.volume;
    this.d1 = from.master.dt1;
    this.f1 = from.master.inflight;
    this.d2 = from.backup.dt2;
    this.f2 = from.backup.inflight;
    if (inPlace) this.owned = 63;
  }

  get control(): FailoverControlInput {
    return this.variant.control;
  }

  /** `value`, first copied if this draft does not own it yet (part `bit`), so that changing it changes only the draft. */
  private own<T extends Volume | Bitmap>(bit: number, value: T): T {
    if ((this.owned & bit) !== 0) return value;
    this.owned |= bit;
    return value.clone() as T;
  }

  masterVolume(): Volume { return (this.m = this.own(1, this.m)); }
  backupVolume(): Volume { return (this.b = this.own(2, this.b)); }
  dt1(): Bitmap { return (this.d1 = this.own(4, this.d1)); }
  masterInflight(): Bitmap { return (this.f1 = this.own(8, this.f1)); }
  dt2(): Bitmap { return (this.d2 = this.own(16, this.d2)); }
  backupInflight(): Bitmap { return (this.f2 = this.own(32, this.f2)); }

  /** Read-only views, never to be changed through. */
  get dt1View(): Bitmap { return this.d1; }
  get dt2View(): Bitmap { return this.d2; }
  get masterInflightView(): Bitmap { return this.f1; }
  get backupInflightView(): Bitmap { return this.f2; }

  /** A track's bytes as a transfer carries them: hex for the verifier, the bytes themselves in place. */
  transferData(bytes: Uint8Array): string | Uint8Array {
    return this.inPlace ? bytes : toHex(bytes);
  }

  /** Puts a message on cable 600; false when it was lost at once (link down or full). */
  send(message: Message): boolean {
    const before = this.link;
    this.link = wire.send(before, message);
    this.sent.push(message);
    return this.link !== before;
  }

  system(): FailoverSystem {
    return {
      master: { state: this.masterState, volume: this.m, dt1: this.d1, inflight: this.f1, gen: this.masterGen },
      backup: { state: this.backupState, volume: this.b, dt2: this.d2, inflight: this.f2, gen: this.backupGen },
      wire: this.link,
    };
  }
}

interface OperationContext {
  readonly event: ControllerEvent;
  readonly message: Message | null;
}

function machineStep(transition: ControlStep, machine: MachineStep['machine']): MachineStep {
  const { source, eventType, target, operations, edge, description, meta } = transition;
  return { source, eventType, target, operations, edge, description, meta, machine };
}

/** Takes one machine transition and runs its operations in order. */
function take(draft: Draft, machine: 'master' | 'backup', transition: ControlStep, context: OperationContext): void {
  draft.transitions.push(machineStep(transition, machine));
  if (machine === 'master') {
    draft.masterState = transition.target as MasterStateKey;
    for (const operation of transition.operations) runMaster(draft, operation, context);
  } else {
    draft.backupState = transition.target as BackupStateKey;
    for (const operation of transition.operations) runBackup(draft, operation, context);
  }
}

/** Takes the other machine's transition an operation implies; false when that machine has none now. */
function takeAlso(draft: Draft, machine: 'master' | 'backup', eventType: MasterEventType | BackupEventType, context: OperationContext): boolean {
  const table = controlTablesFor(draft.control)[machine];
  const transition = table.step(machine === 'master' ? draft.masterState : draft.backupState, eventType);
  if (transition === null) return false;
  take(draft, machine, transition, context);
  return true;
}

// ---------------------------------------------------------------- master operations

function runMaster(draft: Draft, operation: Operation, context: OperationContext): void {
  switch (operation.type) {
    case 'writeHost':
      writeMaster(draft, operation.params?.['route'] as WriteRoute, context);
      return;
    case 'sendCopy':
      sendCopy(draft);
      return;
    case 'receiveCopyAck':
      draft.masterInflight().clear(context.message!.track!);
      return;
    case 'reflagLostCopies':
      for (const t of lostCopies({ inflight: draft.masterInflightView, gen: draft.masterGen }, draft.link)) {
        draft.dt1().set(t); // A1: a send that failed sets the bit again
        draft.masterInflight().clear(t);
      }
      return;
    case 'voidTransfers':
      // A master that stops knows nothing of its copies in flight: each is as good as lost (A1).
      if (draft.variant.defect !== 'failure-forgets-inflight') for (const t of tracksIn(draft.masterInflightView, null)) draft.dt1().set(t);
      if (draft.masterInflightView.count > 0) draft.masterInflight().clearAll();
      return;
    case 'storeFailback':
      storeFailback(draft, context.message!);
      return;
    case 'acknowledgeDelpair':
      draft.masterGen = Math.max(draft.masterGen, context.message!.gen);
      draft.send(wire.messageOf('delpair-ack', null, context.message!.gen, null));
      return;
    case 'reportDt1':
      return; // 3020 reads DT1; the master's own state is unchanged
    case 'recoverPair':
      assert(draft.masterGen % 2 === 1, () => `pair recovery at generation ${draft.masterGen}: DELPAIR must have told the master the backup's`);
      draft.masterGen += 1;
      if (draft.variant.defect !== 'pair-recovery-keeps-dt1' && draft.dt1View.count > 0) draft.dt1().clearAll(); // (4090)
      assert(takeAlso(draft, 'backup', 'pair.recover', context), 'pair recovery finds the pair deleted at DKC2');
      return;
    default:
      throw new Error(`failover-failback master machine names an unknown operation ${operation.type}`);
  }
}

function writeMaster(draft: Draft, route: WriteRoute, context: OperationContext): void {
  const event = context.event;
  assert(event.type === 'host.write', 'writeHost runs on host.write');
  const data = trackBytes(event.data);
  if (route === 'async') {
    draft.dt1().set(event.track); // 【0024】: tracked before the copy job can see the track
    draft.masterVolume().writeTrack(event.track, data); // 【0025】: then acknowledged
    return;
  }
  assert(route === 'sync', () => `the master never writes by route ${route}`);
  draft.masterVolume().writeTrack(event.track, data);
  // E3 (【0048】): the remote half in the same step, so the write is acknowledged only with both halves (A12).
  const taken = takeAlso(draft, 'backup', 'sync.receive', context);
  assert(taken, 'an admitted synchronous write has a backup to reach');
}

function sendCopy(draft: Draft): void {
  const track = firstIn(draft.dt1View, draft.masterInflightView);
  assert(track !== undefined, 'copy.send with no flagged track to send');
  draft.dt1().clear(track); // A1: cleared in the step that takes the data, so a later write sets it again
  draft.masterInflight().set(track);
  const data = draft.transferData(draft.masterVolume().readTrack(track));
  const sent = draft.send(wire.messageOf('copy', track, draft.masterGen, data));
  if (!sent && draft.variant.defect === 'copy-untracked-when-link-down' && !draft.link.up) draft.masterInflight().clear(track); // BROKEN
}

function storeFailback(draft: Draft, message: Message): void {
  draft.masterVolume().writeTrack(message.track!, trackBytes(message.data!)); // (3070, 4040) at the receiving end
  draft.masterGen = Math.max(draft.masterGen, message.gen);
  draft.send(wire.messageOf('failback-ack', message.track, message.gen, null));
}

// ---------------------------------------------------------------- backup operations

function runBackup(draft: Draft, operation: Operation, context: OperationContext): void {
  switch (operation.type) {
    case 'storeCopy':
      draft.backupVolume().writeTrack(context.message!.track!, trackBytes(context.message!.data!));
      draft.backupGen = context.message!.gen;
      draft.send(wire.messageOf('copy-ack', context.message!.track, context.message!.gen, null));
      return;
    case 'storeSync':
      storeSync(draft, context.event);
      return;
    case 'fenceMaster':
      takeAlso(draft, 'master', 'master.fence', context); // A3: a master already down or fenced has no such transition
      return;
    case 'clearDt2':
      if (draft.dt2View.count > 0) draft.dt2().clearAll(); // (1020)
      return;
    case 'takeGeneration':
      draft.backupGen = nextTakeoverGeneration(draft.backupGen);
      return;
    case 'writeHost':
      writeBackup(draft, operation.params?.['route'] as WriteRoute, context.event);
      return;
    case 'mergeDt1':
      mergeDt1(draft, context);
      return;
    case 'sendFailback':
      sendFailback(draft);
      return;
    case 'receiveFailbackAck':
      draft.backupInflight().clear(context.message!.track!);
      if (draft.control.clearOrder === 'literal') draft.dt2().clear(context.message!.track!); // LITERAL A1: cleared at completion
      return;
    case 'reflagLostFailbacks':
      for (const t of lostFailbacks({ inflight: draft.backupInflightView, gen: draft.backupGen }, draft.link)) {
        if (draft.variant.defect !== 'lost-transfer-not-reflagged') draft.dt2().set(t); // A1, A11
        draft.backupInflight().clear(t);
      }
      return;
    default:
      runDelpair(draft, operation);
  }
}

function runDelpair(draft: Draft, operation: Operation): void {
  switch (operation.type) {
    case 'sendDelpair':
    case 'resendDelpair':
      draft.send(wire.messageOf('delpair', null, draft.backupGen, null));
      return;
    case 'completeDelpair':
      draft.results.push({ kind: 'delpair-complete' }); // (4060)
      return;
    case 'failDelpair':
      draft.results.push({ kind: 'delpair-failed' }); // A11: the pending DELPAIR is reported failed
      return;
    case 'joinPair':
      draft.backupGen = draft.masterGen; // (4090): the recovered pair's generation
      return;
    default:
      throw new Error(`failover-failback backup machine names an unknown operation ${operation.type}`);
  }
}

function storeSync(draft: Draft, event: ControllerEvent): void {
  assert(event.type === 'host.write', 'storeSync runs on a synchronous host write');
  if (draft.variant.defect !== 'sync-write-skips-backup') draft.backupVolume().writeTrack(event.track, trackBytes(event.data)); // BROKEN skips
  draft.backupGen = draft.masterGen;
}

function writeBackup(draft: Draft, route: WriteRoute, event: ControllerEvent): void {
  assert(event.type === 'host.write', 'writeHost runs on host.write');
  const skipFlag = route === 'untracked' || (draft.variant.defect === 'copy-write-not-flagged' && draft.backupState === 'copy.failback')
    || (draft.variant.defect === 'e2-skips-tracks-in-dt1' && draft.dt1View.test(event.track)); // BROKEN
  if (!skipFlag) draft.dt2().set(event.track); // (2050, 2060): the bit before the data
  draft.backupVolume().writeTrack(event.track, trackBytes(event.data)); // (2070)
}

/** E1's 3020 (A6: one atomic step); A4: every bit when DT1 cannot be read because cable 600 is down. */
function mergeDt1(draft: Draft, context: OperationContext): void {
  if (draft.variant.defect === 'resync-skips-dt1-merge') return; // BROKEN: no 3020
  if (!draft.link.up) {
    draft.dt2().setRange(0, draft.geometry.trackCount); // A4: a full copy
    return;
  }
  const read = takeAlso(draft, 'master', 'dt1.read', context);
  assert(read, 'Resync is admitted only with the master in its target role');
  if (draft.variant.defect === 'resync-copies-everything') draft.dt2().setRange(0, draft.geometry.trackCount); // BROKEN
  else if (draft.dt1View.count > 0) draft.dt2().merge(draft.dt1View);
}

/** The next track the diff job sends: the first flagged one with no transfer in flight (A1). */
export function nextFailback(backup: Pick<BackupData, 'dt2' | 'inflight'>, variant: FailoverVariant): number | undefined {
  return firstIn(backup.dt2, variant.defect === 'failback-ignores-inflight' ? null : backup.inflight);
}

function sendFailback(draft: Draft): void {
  const track = nextFailback({ dt2: draft.dt2View, inflight: draft.backupInflightView }, draft.variant);
  assert(track !== undefined, 'failback.send with no flagged track to send');
  if (draft.control.clearOrder !== 'literal') draft.dt2().clear(track); // (3070) A1: cleared with the snapshot
  draft.backupInflight().set(track);
  const data = draft.transferData(draft.backupVolume().readTrack(track));
  draft.send(wire.messageOf('failback', track, draft.backupGen, data));
}

// ---------------------------------------------------------------- admission

type Refusal = { readonly rejection: Rejection };
type Admission =
  | Refusal
  | { readonly kind: 'link'; readonly link: wire.Wire }
  | { readonly kind: 'machine'; readonly machine: 'master' | 'backup'; readonly eventType: string; readonly message: Message | null; readonly link: wire.Wire }
  | { readonly kind: 'stray'; readonly message: Message; readonly link: wire.Wire };

const refuse = (reason: RejectionReason, message: string): Refusal => ({ rejection: reject(reason, message) });

/** Which machine event a delivered message is for its receiver, or null when the receiver drops it. */
function classify(system: FailoverSystem, message: Message): { machine: 'master' | 'backup'; eventType: string } | null {
  const { master, backup } = system;
  switch (message.kind) {
    case 'copy':
      return isPassive(backup.state) && message.gen >= backup.gen ? { machine: 'backup', eventType: 'copy.receive' } : null;
    case 'copy-ack':
      return master.state === 'primary' && message.gen === master.gen && master.inflight.test(message.track!) ? { machine: 'master', eventType: 'copy.ack' } : null;
    case 'failback':
      return master.state === 'fenced.target' && message.gen >= master.gen ? { machine: 'master', eventType: 'failback.receive' } : null;
    case 'failback-ack':
      return message.gen === backup.gen && backup.inflight.test(message.track!) ? { machine: 'backup', eventType: 'failback.ack' } : null;
    case 'delpair':
      return master.state === 'fenced.target' && message.gen >= master.gen ? { machine: 'master', eventType: 'delpair.receive' } : null;
    case 'delpair-ack':
      return message.gen === backup.gen && backup.state === 'copy.confirming' ? { machine: 'backup', eventType: 'delpair.ack' } : null;
  }
}

/**
 * Whether a message in flight can never again be taken by its receiver, whatever happens: it belongs to a
 * generation the receiver has left, or to a role the receiver can take again only with a new generation (a
 * master is primary again only after pair recovery, a passive backup takes over only with a new
 * generation). Delivering or losing it changes nothing but the link. The exhaustive key writes such a
 * message without its content (src/failover-failback/lifecycle.ts).
 */
export function isDead(system: FailoverSystem, message: Message): boolean {
  const { master, backup } = system;
  switch (message.kind) {
    case 'copy':
      return message.gen < backup.gen;
    case 'copy-ack':
      return message.gen < master.gen || master.state !== 'primary';
    case 'failback':
    case 'delpair':
      return message.gen < master.gen || master.state === 'primary';
    case 'failback-ack':
    case 'delpair-ack':
      return message.gen < backup.gen || isPassive(backup.state);
  }
}

function admitDelivery(system: FailoverSystem, index: number): Admission {
  if (!wire.hasMessage(system.wire, index)) return refuse('wrong-state', `no message #${index} on cable 600`);
  const { wire: rest, message } = wire.deliver(system.wire, index);
  const event = classify(system, message);
  if (event === null) return { kind: 'stray', message, link: rest };
  return { kind: 'machine', machine: event.machine, eventType: event.eventType, message, link: rest };
}

function admitLink(system: FailoverSystem, event: ControllerEvent): Admission {
  switch (event.type) {
    case 'link.deliver':
      return admitDelivery(system, event.index);
    case 'link.lose':
      return wire.hasMessage(system.wire, event.index) ? { kind: 'link', link: wire.lose(system.wire, event.index) } : refuse('wrong-state', `no message #${event.index} on cable 600`);
    case 'link.down':
      return system.wire.up ? { kind: 'link', link: wire.down(system.wire) } : refuse('wrong-state', 'cable 600 is already down');
    default:
      return system.wire.up ? refuse('wrong-state', 'cable 600 is already up') : { kind: 'link', link: wire.up(system.wire) };
  }
}

/** The event a diff-job step is: a transfer while DT2 holds a track not in flight, then the DELPAIR handshake. */
function diffJobEvent(system: FailoverSystem, variant: FailoverVariant): string | null {
  const { backup } = system;
  if (nextFailback(backup, variant) !== undefined) {
    return variant.defect === 'drain-stops-diff-job' && backup.state === 'copy.draining' ? null : 'failback.send';
  }
  const drained = backup.dt2.count === 0 && (backup.inflight.count === 0 || variant.control.drainCompletion === 'literal');
  return backup.state === 'copy.draining' && drained ? 'delpair.send' : null;
}

function admitCommand(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant): Admission {
  const on = (machine: 'master' | 'backup', eventType: string | null, why: string): Admission =>
    (eventType === null ? refuse('wrong-state', why) : { kind: 'machine', machine, eventType, message: null, link: system.wire });
  const { master, backup } = system;
  switch (event.type) {
    case 'host.write':
      return on(event.site === MASTER_SITE ? 'master' : 'backup', 'host.write', '');
    case 'host.swap':
    case 'host.delpair':
    case 'backup.fail':
    case 'backup.restart':
      return on('backup', event.type, '');
    case 'host.resync':
      return on('backup', master.state === 'fenced.target' ? 'host.resync' : null, 'host 410 has not seen the master recover (3000)');
    case 'host.hand-over':
      return on('master', backup.state === 'deleted' ? 'host.hand-over' : null, 'DELPAIR has not completed (4060)');
    case 'host.pair-recover':
      return on('master', system.wire.up ? 'host.pair-recover' : null, 'pair recovery re-establishes the pair over cable 600, which is down');
    case 'master.fail':
    case 'master.recover':
      return on('master', event.type, '');
    case 'master.copy':
      return on('master', firstIn(master.dt1, master.inflight) !== undefined ? 'copy.send' : null, 'the copy job has no flagged track to send');
    case 'master.timeout':
      return on('master', lostCopies(master, system.wire).length > 0 ? 'copy.timeout' : null, 'no copy was lost');
    case 'backup.copy':
      return on('backup', diffJobEvent(system, variant), 'the diff job has nothing to do now');
    case 'backup.timeout': {
      const type = delpairLost(backup, system.wire) ? 'delpair.timeout' : lostFailbacks(backup, system.wire).length > 0 ? 'failback.timeout' : null;
      return on('backup', type, 'no transfer was lost');
    }
    default:
      return admitLink(system, event);
  }
}

/** The transition an admitted machine event takes, or why the machine refuses it. */
function transitionFor(system: FailoverSystem, variant: FailoverVariant, machine: 'master' | 'backup', eventType: string): ControlStep | Refusal {
  const state = machine === 'master' ? system.master.state : system.backup.state;
  const transition = controlTablesFor(variant.control)[machine].step(state, eventType);
  if (transition !== null) return transition;
  if (machine === 'master' && eventType === 'host.write' && isMasterFenced(system.master.state)) {
    return refuse('fenced', 'the master is fenced: the backup took over, and host 110 may write again only after pair recovery (A3)');
  }
  return refuse('wrong-state', `the ${machine} does not take ${eventType} in ${state}`);
}

/** E3's synchronous write needs its remote half: cable 600 up and the backup a replication target (A12). */
function syncRefusal(system: FailoverSystem, variant: FailoverVariant, event: ControllerEvent): Refusal | null {
  if (variant.control.embodiment !== 3 || event.type !== 'host.write' || event.site !== MASTER_SITE || system.master.state !== 'primary') return null;
  if (system.wire.up && isPassive(system.backup.state)) return null;
  return refuse('fenced', 'a synchronous write cannot reach the backup (fence level data, A12)');
}

// ---------------------------------------------------------------- the step

export interface Stepped {
  readonly system: FailoverSystem;
  readonly outcome: FailoverOutcome;
}

function accepted(draft: Draft, delivered: Message | null): Stepped {
  return { system: draft.system(), outcome: { accepted: true, transitions: draft.transitions, sent: draft.sent, delivered, results: draft.results } };
}

/** Applies one command to a copy of the system; the system given is never changed. */
export function stepSystem(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, geometry: FailoverGeometry): Stepped {
  return stepWith(system, event, variant, geometry, false);
}

/**
 * The workload's data path (src/failover-failback/workload.ts): the same step, but an accepted command changes
 * the given system's volumes and bitmaps in place instead of copies, and transfers carry the track's bytes
 * rather than hex, so a host write or a delivered track moves one track of bytes and copies no volume. The
 * caller must use only the system returned (a refused command returns the one given, unchanged) and keep no
 * other reference to the old one's parts.
 */
export function stepSystemInPlace(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, geometry: FailoverGeometry): Stepped {
  return stepWith(system, event, variant, geometry, true);
}

function stepWith(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, geometry: FailoverGeometry, inPlace: boolean): Stepped {
  const early = brokenBeforeArguments(system, event, variant, geometry);
  if (early !== null) return early;
  const invalid = validateArguments(event, geometry);
  if (invalid !== null) return brokenRefusal(system, event, variant, geometry, invalid) ?? { system, outcome: { accepted: false, rejection: invalid } };
  const admission = admitCommand(system, event, variant);
  if ('rejection' in admission) return brokenAdmission(system, event, variant, geometry) ?? { system, outcome: { accepted: false, rejection: admission.rejection } };
  const draft = new Draft(system, variant, geometry, inPlace);
  if (admission.kind === 'link') {
    draft.link = admission.link;
    return accepted(draft, null);
  }
  if (admission.kind === 'stray') {
    draft.link = admission.link;
    if (variant.defect === 'swap-applies-late-copy') applyLateCopy(draft, admission.message);
    return accepted(draft, admission.message);
  }
  const transition = transitionFor(system, variant, admission.machine, admission.eventType);
  if ('rejection' in transition) {
    if (admission.message !== null) { // the receiver has no transition for it now: dropped
      draft.link = admission.link;
      return accepted(draft, admission.message);
    }
    return brokenAdmission(system, event, variant, geometry) ?? { system, outcome: { accepted: false, rejection: transition.rejection } };
  }
  const sync = syncRefusal(system, variant, event);
  if (sync !== null) return { system, outcome: { accepted: false, rejection: sync.rejection } };
  draft.link = admission.link;
  take(draft, admission.machine, transition, { event, message: admission.message });
  return accepted(draft, admission.message);
}

// ---------------------------------------------------------------- broken controllers

/** BROKEN state-checked-before-range: a write to a fenced master is refused as fenced before its arguments are checked. */
function brokenBeforeArguments(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, _geometry: FailoverGeometry): Stepped | null {
  if (variant.defect !== 'state-checked-before-range' || event.type !== 'host.write' || event.site !== MASTER_SITE) return null;
  if (!isMasterFenced(system.master.state)) return null;
  return { system, outcome: { accepted: false, rejection: reject('fenced', 'the master is fenced') } };
}

/** BROKEN rejected-write-sets-flag: a host-410 write refused for its length has already set its DT2 bit. */
function brokenRefusal(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, geometry: FailoverGeometry, invalid: Rejection): Stepped | null {
  if (variant.defect !== 'rejected-write-sets-flag' || event.type !== 'host.write' || invalid.reason !== 'length-out-of-range') return null;
  if (event.site === MASTER_SITE || (system.backup.state !== 'swap' && system.backup.state !== 'copy.failback')) return null;
  const draft = new Draft(system, variant, geometry);
  draft.dt2().set(event.track);
  return { system: draft.system(), outcome: { accepted: false, rejection: invalid } };
}

/** BROKEN controllers that accept what the machines refuse. */
function brokenAdmission(system: FailoverSystem, event: ControllerEvent, variant: FailoverVariant, geometry: FailoverGeometry): Stepped | null {
  const draft = new Draft(system, variant, geometry);
  if (variant.defect === 'fenced-master-accepts-writes' && event.type === 'host.write' && event.site === MASTER_SITE && isMasterFenced(system.master.state)) {
    draft.dt1().set(event.track);
    draft.masterVolume().writeTrack(event.track, trackBytes(event.data));
    return accepted(draft, null);
  }
  if (variant.defect === 'swap-keeps-sending' && event.type === 'backup.copy' && system.backup.state === 'swap' && nextFailback(system.backup, variant) !== undefined) {
    sendFailback(draft);
    return accepted(draft, null);
  }
  return null;
}

/** BROKEN swap-applies-late-copy: the backup writes a master copy it should have dropped. */
function applyLateCopy(draft: Draft, message: Message): void {
  if (message.kind === 'copy' && !isPassive(draft.backupState) && draft.backupState !== 'down') {
    draft.backupVolume().writeTrack(message.track!, trackBytes(message.data!));
  }
}
