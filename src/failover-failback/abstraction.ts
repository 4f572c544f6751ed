/**
 * The refinement mapping of failover-failback: the controllers' state in the model's terms (volumes as bytes,
 * bitmaps as sorted track lists, the phase G0-G7 of spec/003 §3), and the world and outcome types the
 * properties are written over. Properties read the controllers only through this module.
 *
 * `fairDrain` is the one function here that runs the controller: I9 (termination of DELPAIR) speaks of what
 * happens next, so it runs the drain forward on a copy under a fair schedule and reports how it ended.
 */
import { phaseOf, type BackupStateKey, type FailoverControlInput, type MasterStateKey, type Phase } from '../../machines/failover-failback.js';
import type { FailoverModel, ModelAnswer } from '../../model/failover-failback.js';
import { stepSystem, type FailoverOutcome, type FailoverSystem } from './controller.js';
import type { FailoverEvent, FailoverGeometry } from './events.js';
import type { FailoverVariant } from './variants.js';
import type { Message } from './wire.js';
import type { Bitmap } from '../bitmap.js';

export type { FailoverOutcome, FailoverSystem } from './controller.js';
export type { FailoverVariant } from './variants.js';
export type { Message } from './wire.js';

/** Bounds of one exhaustive history (src/failover-failback/lifecycle.ts); counted in the world. */
export interface Counters {
  readonly writes: number;
  readonly masterFailures: number;
  readonly takeovers: number;
  /** Returns to SWAP from COPY (A10): each answers a failure of the master, so the budget counts it with them. */
  readonly swapBacks: number;
  readonly backupFailures: number;
  readonly linkFaults: number;
}

export interface FailoverWorld {
  readonly system: FailoverSystem;
  readonly model: FailoverModel;
  readonly variant: FailoverVariant;
  readonly geometry: FailoverGeometry;
  readonly counters: Counters;
}

export interface FailoverStepOutcome {
  readonly controller: FailoverOutcome;
  readonly model: ModelAnswer;
}

export interface SiteAbstract<S extends string> {
  readonly state: S;
  /** The site's volume; the volume's own bytes, never to be changed. */
  readonly data: Uint8Array;
  /** DT1 at the master, DT2 at the backup: set tracks, ascending. */
  readonly flags: readonly number[];
  /** Tracks whose transfer from this site is in flight, ascending. */
  readonly inflight: readonly number[];
  readonly gen: number;
}

/** A site's abstraction; the track lists are made on first use (most checks never read them). */
class Site<S extends string> implements SiteAbstract<S> {
  private flagList: readonly number[] | null = null;
  private inflightList: readonly number[] | null = null;

  constructor(
    readonly state: S,
    readonly data: Uint8Array,
    private readonly flagBits: Bitmap,
    private readonly inflightBits: Bitmap,
    readonly gen: number,
  ) {}

  get flags(): readonly number[] {
    return (this.flagList ??= this.flagBits.count === 0 ? NONE : this.flagBits.toArray());
  }

  get inflight(): readonly number[] {
    return (this.inflightList ??= this.inflightBits.count === 0 ? NONE : this.inflightBits.toArray());
  }
}

const NONE: readonly number[] = [];

export class FailoverAbstract {
  readonly control: FailoverControlInput;
  readonly trackCount: number;
  readonly trackSize: number;
  readonly phase: Phase;
  readonly master: SiteAbstract<MasterStateKey>;
  readonly backup: SiteAbstract<BackupStateKey>;
  readonly linkUp: boolean;
  readonly inFlight: readonly Message[];
  private differingList: readonly number[] | null = null;

  constructor(world: FailoverWorld) {
    const { master, backup, wire } = world.system;
    this.control = world.variant.control;
    this.trackCount = world.geometry.trackCount;
    this.trackSize = world.geometry.trackSize;
    this.phase = phaseOf(master.state, backup.state);
    this.master = new Site(master.state, master.volume.contents(), master.dt1, master.inflight, master.gen);
    this.backup = new Site(backup.state, backup.volume.contents(), backup.dt2, backup.inflight, backup.gen);
    this.linkUp = wire.up;
    this.inFlight = wire.inFlight;
  }

  /** Tracks where M and B differ, ascending. */
  get differing(): readonly number[] {
    if (this.differingList === null) {
      const tracks: number[] = [];
      const { data: m } = this.master;
      const { data: b } = this.backup;
      for (let t = 0; t < this.trackCount; t += 1) {
        for (let i = t * this.trackSize; i < (t + 1) * this.trackSize; i += 1) if (m[i] !== b[i]) { tracks.push(t); break; }
      }
      this.differingList = tracks.length === 0 ? NONE : tracks;
    }
    return this.differingList;
  }
}

const abstracts = new WeakMap<FailoverSystem, FailoverAbstract>();

/** The abstraction of a world's system, made once per system object (a world's system never changes). */
export function abstractOf(world: FailoverWorld): FailoverAbstract {
  let found = abstracts.get(world.system);
  if (found === undefined) {
    found = new FailoverAbstract(world);
    abstracts.set(world.system, found);
  }
  return found;
}

export interface DrainEnd {
  /** The backup reached `deleted` (DELPAIR complete). */
  readonly completed: boolean;
  /** Copy-back transfers the diff job started on the way. */
  readonly transfers: number;
}

const DELIVER_FIRST: FailoverEvent = { type: 'link.deliver', index: 0 };
const SCHEDULE: readonly FailoverEvent[] = [{ type: 'backup.timeout' }, { type: 'backup.copy' }];

/**
 * Runs the drain of a G5 world forward on a copy under a fair schedule with no faults and no host I/O:
 * each round delivers everything on cable 600 (so no send finds the link full), then lets the backup retry
 * what was lost and take one job step. `rounds` bounds it (a drain that needs more has not terminated).
 */
export function fairDrain(world: FailoverWorld, rounds: number): DrainEnd {
  let system = world.system;
  let transfers = 0;
  const run = (event: FailoverEvent): void => {
    const { system: next, outcome } = stepSystem(system, event, world.variant, world.geometry);
    system = next;
    if (outcome.accepted) transfers += outcome.sent.filter((m) => m.kind === 'failback').length;
  };
  const deliveries = 4 * world.geometry.linkCapacity; // every delivery answers with at most one message
  for (let round = 0; round < rounds && system.backup.state !== 'deleted'; round += 1) {
    for (let i = 0; i < deliveries && system.wire.inFlight.length > 0; i += 1) run(DELIVER_FIRST);
    for (const event of SCHEDULE) run(event);
  }
  return { completed: system.backup.state === 'deleted', transfers };
}
