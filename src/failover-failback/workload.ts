/**
 * failover-failback's workload driver (src/lifecycle.ts `WorkloadDriver`, docs/workload.md): host 110 writing
 * real data to the master (DKC1) while its copy job replicates to the backup (DKC2) over cable 600, and at a
 * failure point the seed's whole scenario (spec/003 §3, T3-T14): the master fails, host 410 takes over
 * (SWAP, 1000-1030), keeps writing (DT2, 2050-2060), the master comes back, Resync (3010-3040, E1's DT2 OR
 * DT1), the diff job copies the flagged tracks back (3050-3070), DELPAIR drains (4000-4060), control goes
 * back to host 110 and the pair is recovered (4070-4090).
 *
 * A commit is a **checkpoint**: at a consistency point host 110 waits until the backup has every write it
 * made (DT1 empty and no copy in flight; in E3 every write is on both sites when acknowledged), so that the
 * backup's volume equals what host 110 wrote at that instant; the backup site keeps that image, the point
 * host 410's application restarts from. The seed makes no point-in-time claim between checkpoints (spec/003
 * I10: the copy job follows the bitmap, not the write order), so a checkpoint is the only image a failure can
 * be held to. This is copyspec's, not the seed's: the seed names no consistency point at all.
 *
 * A recovery, on a copy of the controllers (the live run goes on as it was):
 *   1. the master fails (T3); cable 600 still delivers a random part of what is in flight, in a random order;
 *   2. host 410 takes over (T4) and restarts from the last checkpoint: it writes the checkpoint's bytes back on
 *      every track where its image differs from the checkpoint (the copies that arrived after it), in a random
 *      order, a random part of them in SWAP (T5) and the rest during the failback (T8), between the diff
 *      job's transfers; in
 *      E2 (below) on every track host 110 wrote since the checkpoint;
 *   3. the master recovers and host 410 issues Resync (T6, T7); the diff job copies the flagged tracks back
 *      while cable 600 reorders and loses transfers (and stays down for what is left of an outage); in about
 *      half the recoveries the master fails again during the failback and host 410 issues SWAP again (A10);
 *   4. host 410 stops writing and issues DELPAIR (T11, T12); control goes back to host 110, which issues the
 *      pair recovery (T13, T14), and what is still on cable 600 is delivered.
 * It hands back the backup's image (what host 410 restarted from and then holds) as the recovered image of
 * the last checkpoint and, as a further image of the same checkpoint, the master after the pair recovery:
 * the engine checks both byte for byte against its own image of the checkpoint, and with e2fsck. Both equal
 * to it is the seed's claim (【0042】): the differences were copied back and nothing was lost, with no full
 * copy. In E1 the master's own unreplicated tracks come back by Resync's DT2 OR DT1 (3020). In E2, where
 * Resync copies DT2 only and the master keeps its unreplicated updates (I5, tolerated by 【0045】), host 410's
 * restart writes every track host 110 wrote since the checkpoint (host 110's journal of tracks, which the
 * hosts share), which covers DT1, so E2 must end equal too.
 *
 * The data path is binary: the driver steps the controllers in place (`stepSystemInPlace`), a host write is
 * one track of bytes, a transfer carries its track's bytes, and no volume is copied but at a checkpoint (the
 * backup's image) and at a failure point (the copy the recovery works on). Tracks are the workload's blocks.
 *
 * Faults: link reorder (a delivery takes a random message), loss and outages, in the live run and in the
 * recovery. Cable 600 never duplicates a message (src/failover-failback/wire.ts has no duplication) and the
 * controllers keep their state durably (a backup failure is the verifier's, not a power cycle here), so
 * `link-duplicate` and `power-cycle` are not offered. In E3 a host write cannot be acknowledged while cable
 * 600 is down (A12); the host waits for the link to come back, which ends the outage.
 *
 * Abstracted away: host 110's own failure between a write and its acknowledgement (every write the driver
 * sends is acknowledged or refused at once), a false failure report (A3's split brain needs host 110 writing
 * after the takeover, which one host's history cannot say is lost or kept; the exhaustive check catches it).
 */
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import type { WorkloadDriver, WorkloadFault, WorkloadFaultRates, WorkloadGeometry, WorkloadRandom, WorkloadRecovery, WorkloadSession, WorkloadStepReport } from '../lifecycle.js';
import { SendOrder } from '../workload/workload.js';
import { Volume } from '../volume.js';
import { initialSystem, stepSystemInPlace, type FailoverOutcome, type FailoverSystem } from './controller.js';
import { BACKUP_SITE, MASTER_SITE, type ControllerEvent, type FailoverGeometry } from './events.js';
import { failoverVariant, type FailoverVariant } from './variants.js';
import type { Message } from './wire.js';

/** Messages cable 600 holds in workload runs. */
const LINK_CAPACITY = 64;
/** More tracks than this would make the controllers' per-step bitmap scans the run's cost. */
const MAX_TRACKS = 262_144;
/** The chance that a recovery's master fails a second time during the failback (A10). */
const SECOND_FAILURE = 0.5;
/** The chance, per failback step once host 410 has written its restart, that it issues DELPAIR. */
const DELPAIR_CHANCE = 0.05;
/** Failback steps a recovery may take, per track of the volume and in all. */
const RECOVERY_STEPS_PER_TRACK = 64;
const MIN_RECOVERY_STEPS = 100_000;

type Accepted = Extract<FailoverOutcome, { accepted: true }>;

type Work = 'deliver' | 'master.copy' | 'master.timeout' | 'backup.copy' | 'backup.timeout';

/** Work a step may do, each with the weight of its being tried first. */
interface WorkList {
  readonly entries: readonly { readonly work: Work; readonly weight: number }[];
  readonly totalWeight: number;
}

function workList(entries: WorkList['entries']): WorkList {
  return { entries, totalWeight: entries.reduce((sum, entry) => sum + entry.weight, 0) };
}

/** The live run's background work: DKC1's copy job and its timer, and cable 600. */
const LIVE_WORK = workList([{ work: 'deliver', weight: 4 }, { work: 'master.copy', weight: 3 }, { work: 'master.timeout', weight: 1 }]);
/** A failback's work besides host 410's: DKC2's diff job and its timer, and cable 600. */
const FAILBACK_WORK = workList([{ work: 'deliver', weight: 4 }, { work: 'backup.copy', weight: 3 }, { work: 'backup.timeout', weight: 1 }]);

/**
 * The bare commands the driver sends, made once: the controller's argument check remembers a command object
 * it has seen (validate.ts), so the same objects cost one lookup a step rather than a check and an entry.
 */
const COMMAND = {
  'master.copy': { type: 'master.copy' }, 'master.timeout': { type: 'master.timeout' }, 'backup.copy': { type: 'backup.copy' }, 'backup.timeout': { type: 'backup.timeout' },
  'link.up': { type: 'link.up' }, 'link.down': { type: 'link.down' },
} as const satisfies Record<string, ControllerEvent>;
const DELIVER: readonly ControllerEvent[] = Array.from({ length: LINK_CAPACITY }, (_, index) => ({ type: 'link.deliver', index }));
const LOSE: readonly ControllerEvent[] = Array.from({ length: LINK_CAPACITY }, (_, index) => ({ type: 'link.lose', index }));

const NO_RATES: WorkloadFaultRates = { reorder: 0, loss: 0, duplicate: 0, outage: 0, outageSteps: 0, powerCycle: 0 };

/**
 * One copy of the controllers stepped in place, with what a delivery needs: the order messages appeared on
 * cable 600 (a delivery without reorder takes the one sent first) and what is left of an outage.
 */
class Pair {
  private readonly sendOrder = new SendOrder<Message>();

  constructor(
    public system: FailoverSystem,
    readonly variant: FailoverVariant,
    readonly geometry: FailoverGeometry,
    public outageLeft: number,
  ) {
    for (const message of system.wire.inFlight) this.sendOrder.note(message);
  }

  /** Steps the pair in place; a refused command leaves it unchanged. */
  step(event: ControllerEvent): FailoverOutcome {
    const { system, outcome } = stepSystemInPlace(this.system, event, this.variant, this.geometry);
    if (!outcome.accepted) return outcome;
    this.system = system;
    for (const message of outcome.sent) this.sendOrder.note(message);
    return outcome;
  }

  /** The outcome when accepted, null when refused. */
  apply(event: ControllerEvent): Accepted | null {
    const outcome = this.step(event);
    return outcome.accepted ? outcome : null;
  }

  /** Steps the pair with a command its scenario needs; a refusal is the recovery's failure. */
  must(event: ControllerEvent): Accepted {
    const { master, backup } = this.system;
    const outcome = this.step(event);
    if (!outcome.accepted) throw new Error(`${event.type} refused (${outcome.rejection.reason}: ${outcome.rejection.message}) with the master ${master.state} and the backup ${backup.state}`);
    return outcome;
  }

  /**
   * One piece of work: the one drawn by weight first, then the others in turn until one is accepted; the
   * faults it injected, or null when none could run.
   */
  work(random: WorkloadRandom, rates: WorkloadFaultRates, list: WorkList): WorkloadFault[] | null {
    let pick = random.below(list.totalWeight);
    let first = 0;
    while (pick >= list.entries[first]!.weight) pick -= list.entries[first++]!.weight;
    for (let i = 0; i < list.entries.length; i += 1) {
      const { work } = list.entries[(first + i) % list.entries.length]!;
      const done = work === 'deliver' ? this.deliver(random, rates) : { outcome: this.apply(COMMAND[work]), faults: [] };
      if (done.outcome !== null) return done.faults;
    }
    return null;
  }

  /** One delivery: the message sent first, or with reorder one at random; it may be lost instead. */
  deliver(random: WorkloadRandom, rates: WorkloadFaultRates): { outcome: Accepted | null; faults: WorkloadFault[] } {
    const inFlight = this.system.wire.inFlight;
    if (inFlight.length === 0) return { outcome: null, faults: [] };
    const { index, faults } = this.sendOrder.choose(inFlight, random, rates);
    if (random.chance(rates.loss)) return { outcome: this.apply(LOSE[index]!), faults: [...faults, 'link-loss'] };
    return { outcome: this.apply(DELIVER[index]!), faults };
  }

  /** An outage in progress counts down and ends with `link.up`; otherwise one begins with probability `rate`. */
  outage(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadFault | null {
    if (this.outageLeft > 0) {
      this.outageLeft -= 1;
      if (this.outageLeft === 0) this.must(COMMAND['link.up']);
      return null;
    }
    if (!random.chance(rates.outage)) return null;
    this.must(COMMAND['link.down']);
    this.outageLeft = Math.max(1, rates.outageSteps);
    return 'link-outage';
  }

  /** Ends an outage now (the host waited for the link to come back). */
  linkUp(): void {
    if (this.system.wire.up) return;
    this.must(COMMAND['link.up']);
    this.outageLeft = 0;
  }
}

/** The tracks in a random order (Fisher-Yates): a host writes its restart in no order the diff job follows. */
function shuffled(tracks: number[], random: WorkloadRandom): number[] {
  for (let i = tracks.length - 1; i > 0; i -= 1) {
    const j = random.below(i + 1);
    [tracks[i], tracks[j]] = [tracks[j]!, tracks[i]!];
  }
  return tracks;
}

/**
 * An independent copy of the controllers, for a recovery to step in place: the volumes' bytes and the bitmaps
 * copied. `spare` is the copy the recovery before worked on, whose volumes' bytes it copies into instead of
 * fresh ones (two 8 MiB allocations a failure point made garbage that the data path's time paid for).
 */
function copySystem(system: FailoverSystem, spare: FailoverSystem | null): FailoverSystem {
  const volume = (v: Volume, into: Volume | undefined): Volume => {
    if (into === undefined) return new Volume(v.trackCount, v.trackSize, v.contents().slice());
    const bytes = into.contents();
    bytes.set(v.contents());
    return new Volume(v.trackCount, v.trackSize, bytes);
  };
  const { master: m, backup: b } = system;
  return {
    master: { state: m.state, volume: volume(m.volume, spare?.master.volume), dt1: m.dt1.clone(), inflight: m.inflight.clone(), gen: m.gen },
    backup: { state: b.state, volume: volume(b.volume, spare?.backup.volume), dt2: b.dt2.clone(), inflight: b.inflight.clone(), gen: b.gen },
    wire: system.wire,
  };
}

class FailoverSession implements WorkloadSession {
  private readonly pair: Pair;
  /** The backup's image at the last checkpoint: where host 410's application restarts from. */
  private readonly checkpointImage: Uint8Array;
  /** Host 110's journal: the tracks it wrote since the last checkpoint. */
  private readonly written: Bitmap;
  private checkpoints = 0;
  private reported = 0;
  /** The copy of the controllers the last recovery worked on, whose volumes the next one reuses. */
  private recovered: FailoverSystem | null = null;
  /** The run's fault rates, as the last background step had them: the recoveries inject the same. */
  private rates: WorkloadFaultRates = NO_RATES;

  constructor(variant: FailoverVariant, private readonly geometry: FailoverGeometry) {
    this.pair = new Pair(initialSystem(geometry), variant, geometry, 0);
    this.checkpointImage = new Uint8Array(geometry.trackCount * geometry.trackSize);
    this.written = new Bitmap(geometry.trackCount);
  }

  write(volume: number, offset: number, data: Uint8Array): string | null {
    assert(volume === 0, 'failover-failback workloads have one volume, the pair');
    const { trackSize } = this.geometry;
    for (let at = 0; at < data.length; at += trackSize) {
      const event: ControllerEvent = { type: 'host.write', site: MASTER_SITE, track: (offset + at) / trackSize, data: data.subarray(at, at + trackSize) };
      let outcome = this.pair.step(event);
      if (!outcome.accepted && outcome.rejection.reason === 'fenced' && !this.pair.system.wire.up) {
        this.pair.linkUp(); // E3 (A12): the write waits for cable 600 to come back
        outcome = this.pair.step(event);
      }
      if (!outcome.accepted) return `${outcome.rejection.reason}: ${outcome.rejection.message}`;
      this.written.set(event.track);
    }
    return null;
  }

  /** A checkpoint once the backup has every write: DT1 empty and no copy in flight (E3: always). */
  commit(): number | null {
    const { master, backup } = this.pair.system;
    if (master.dt1.nextSet(0) !== -1 || master.inflight.nextSet(0) !== -1) return null;
    this.checkpointImage.set(backup.volume.contents());
    this.written.clearAll();
    this.checkpoints += 1;
    return this.checkpoints;
  }

  background(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadStepReport {
    this.rates = rates;
    if (this.reported < this.checkpoints) {
      this.reported = this.checkpoints; // a checkpoint is complete when taken: the host hears of it now
      return { busy: true, committed: [this.checkpoints], faults: [] };
    }
    const fault = this.pair.outage(random, rates);
    if (fault !== null) return { busy: true, committed: [], faults: [fault] };
    const faults = this.pair.work(random, rates, LIVE_WORK);
    return { busy: faults !== null || this.pair.outageLeft > 0, committed: [], faults: faults ?? [] };
  }

  recover(random: WorkloadRandom): WorkloadRecovery {
    // The volumes the last recovery handed back are the engine's only until this call (WorkloadSession.recover).
    const pair = new Pair(copySystem(this.pair.system, this.recovered), this.pair.variant, this.geometry, this.pair.outageLeft);
    pair.must({ type: 'master.fail' }); // T3
    for (let deliveries = random.below(pair.system.wire.inFlight.length + 1); deliveries > 0 && pair.system.wire.inFlight.length > 0; deliveries -= 1) {
      pair.apply({ type: 'link.deliver', index: random.below(pair.system.wire.inFlight.length) });
    }
    pair.must({ type: 'host.swap' }); // T4: fence, clear DT2, SWAP
    const restart = shuffled(this.restartTracks(pair.system.backup.volume.contents()), random);
    const inSwap = random.below(restart.length + 1);
    for (const track of restart.splice(0, inSwap)) this.restartWrite(pair, track); // T5
    pair.must({ type: 'master.recover' }); // T6
    pair.must({ type: 'host.resync' }); // T7 (with cable 600 down, A4: every track)
    new Failback(pair, random, this.rates, restart, (track) => this.restartWrite(pair, track)).run(this.recoverySteps());
    this.recovered = pair.system;
    return {
      commit: this.checkpoints,
      volumes: [pair.system.backup.volume.contents()],
      also: [{ name: 'the master after failback', volumes: [pair.system.master.volume.contents()] }],
    };
  }

  /**
   * The tracks host 410 writes the checkpoint back on: in E1 and E3 those where its image differs from the
   * checkpoint (E1's Resync adds the master's own, DT1; E3 has none); in E2, which copies DT2 alone back
   * (【0045】), every track host 110 wrote since the checkpoint, from the hosts' journal, so that the master's
   * unreplicated updates are written over too.
   */
  private restartTracks(image: Uint8Array): number[] {
    if (this.pair.variant.control.embodiment === 2) return this.written.toArray();
    const { trackSize } = this.geometry;
    const tracks: number[] = [];
    for (const track of this.written) {
      const at = track * trackSize;
      if (Buffer.compare(image.subarray(at, at + trackSize), this.checkpointImage.subarray(at, at + trackSize)) !== 0) tracks.push(track);
    }
    return tracks;
  }

  /** Host 410 writes the checkpoint's bytes of one track back through DKC2. */
  private restartWrite(pair: Pair, track: number): void {
    const { trackSize } = this.geometry;
    pair.must({ type: 'host.write', site: BACKUP_SITE, track, data: this.checkpointImage.subarray(track * trackSize, (track + 1) * trackSize) });
  }

  private recoverySteps(): number {
    return Math.max(MIN_RECOVERY_STEPS, RECOVERY_STEPS_PER_TRACK * this.geometry.trackCount);
  }
}

/** The chance that a failback step is one of host 410's restart writes, while it has some left. */
const RESTART_WRITE_CHANCE = 0.3;
/** The chance per failback step, in COPY with tracks flagged, that the master fails again (when it does, A10). */
const SECOND_FAILURE_CHANCE = 0.02;
/** Failback steps in a row with nothing to do after which the failback has stalled (DELPAIR never completes). */
const MAX_IDLE_STEPS = 1000;

/** Steps 3 and 4 of a recovery (see the header): from Resync to the pair recovered. */
class Failback {
  private delpairIssued = false;
  private secondFailure: boolean;

  constructor(
    private readonly pair: Pair,
    private readonly random: WorkloadRandom,
    private readonly rates: WorkloadFaultRates,
    private readonly restart: number[],
    private readonly write: (track: number) => void,
  ) {
    this.secondFailure = random.chance(SECOND_FAILURE);
  }

  /** Until the master is primary again (T14); then cable 600 delivers what is left on it. */
  run(maxSteps: number): void {
    for (let steps = 0, idle = 0; this.pair.system.master.state !== 'primary'; steps += 1) {
      idle = this.step() ? 0 : idle + 1;
      if (steps >= maxSteps || idle >= MAX_IDLE_STEPS) {
        const { master, backup } = this.pair.system;
        const why = idle >= MAX_IDLE_STEPS ? `stalled: nothing to do for ${idle} steps` : `did not end within ${maxSteps} steps`;
        throw new Error(`the failback ${why} (master ${master.state}, backup ${backup.state}, ${backup.dt2.count} tracks flagged in DT2)`);
      }
    }
    while (this.pair.system.wire.inFlight.length > 0) this.pair.apply({ type: 'link.deliver', index: this.random.below(this.pair.system.wire.inFlight.length) });
  }

  /** One step of the failback; false when nothing could be done (no host command, job, delivery or outage). */
  private step(): boolean {
    const { random, pair } = this;
    if (pair.outage(random, this.rates) !== null) return true;
    const backup = pair.system.backup;
    if (backup.state === 'deleted') return this.handOver();
    if (this.secondFailure && backup.state === 'copy.failback' && backup.dt2.count > 0 && random.chance(SECOND_FAILURE_CHANCE)) {
      this.failAgain();
      return true;
    }
    if (this.restart.length > 0 && random.chance(RESTART_WRITE_CHANCE)) {
      this.write(this.restart.shift()!); // T8
      return true;
    }
    if (this.restart.length === 0 && !this.delpairIssued && random.chance(DELPAIR_CHANCE)) {
      pair.must({ type: 'host.delpair' }); // T11: host 410 has stopped writing (4000, 4010)
      this.delpairIssued = true;
      return true;
    }
    return pair.work(random, this.rates, FAILBACK_WORK) !== null || pair.outageLeft > 0 || !this.delpairIssued;
  }

  /** A10: the master fails during the failback; host 410 issues SWAP again, the master recovers, Resync again. */
  private failAgain(): void {
    this.secondFailure = false;
    this.pair.must({ type: 'master.fail' });
    this.pair.must({ type: 'host.swap' });
    this.pair.must({ type: 'master.recover' });
    this.pair.must({ type: 'host.resync' });
  }

  /** T13, T14: DELPAIR has completed; control goes back to host 110, which recovers the pair once cable 600 is up. */
  private handOver(): boolean {
    if (this.pair.system.master.state === 'fenced.target') this.pair.must({ type: 'host.hand-over' });
    if (this.pair.system.wire.up) this.pair.must({ type: 'host.pair-recover' });
    return true;
  }
}

function geometryOf(geometry: WorkloadGeometry): FailoverGeometry {
  return { trackCount: geometry.volumeBytes / geometry.blockSize, trackSize: geometry.blockSize, linkCapacity: LINK_CAPACITY };
}

export const failoverFailbackWorkload: WorkloadDriver = {
  commitKind: 'checkpoint',
  describe: 'a checkpoint is a point at which host 110 waits until the backup has every write; a failure fails the master over to the backup, '
    + 'host 410 restarts from the checkpoint, and the failback copies the flagged tracks back',
  faults: ['link-reorder', 'link-loss', 'link-outage'],
  refuse(geometry) {
    if (geometry.volumeCount !== 1) return `failover-failback pairs one volume (the master's, copied to the backup); the workload has ${geometry.volumeCount}`;
    const tracks = geometry.volumeBytes / geometry.blockSize;
    if (tracks > MAX_TRACKS) return `failover-failback's tracks are the workload's blocks; ${tracks} tracks is more than the ${MAX_TRACKS} it is driven with (use larger blocks or a smaller volume)`;
    return null;
  },
  open(variant, geometry) {
    const info = failoverVariant(variant);
    assert(info !== undefined, () => `no failover-failback variant ${variant}`);
    return new FailoverSession(info, geometryOf(geometry));
  },
};
