/**
 * freeze-remote-copy's workload driver (src/lifecycle.ts `WorkloadDriver`, docs/workload.md): a host writing
 * real data to a consistency group of volumes, a freeze at every consistency point (the commit point; the
 * commit completes when the host is told the freeze is done, 2730/3780), and the background work of both
 * controllers between the host's writes, in a seeded random order: remote copy, the freeze task, deliveries
 * on the unordered link, the secondary's apply loop and retransmissions, with the link's faults (a delivery
 * of a random message rather than the oldest, loss, duplication, outages) and secondary restarts (the power
 * cycle of the secondary DKC, D17). A failure point fails the primary, lets the link deliver some of what is
 * in flight, and recovers the secondary (3010-3080): the image it hands back and its generation.
 *
 * The driver steps the controllers alone (`stepSystem`), not the verifier's world with its model and
 * properties: the engine is the oracle here. Its system holds blocks in binary (src/freeze-remote-copy/
 * block.ts): each block of a host write is copied once out of the host's buffer into a Uint8Array, the
 * command the controllers take, and from there the same bytes are stored, sent, delivered, applied and
 * recovered by reference, never turned into text nor touched a byte at a time (E4 seals and opens them with
 * node:crypto). The driver owns its live system and steps it in place, so a step copies no block array; a
 * failure point copies the system once (its arrays, not the blocks) and recovers the copy, leaving the live
 * one as it was.
 */
import { assert } from '../assert.js';
import type { WorkloadDriver, WorkloadFault, WorkloadFaultRates, WorkloadGeometry, WorkloadRandom, WorkloadRecovery, WorkloadSession, WorkloadStepReport } from '../lifecycle.js';
import { SendOrder } from '../workload/workload.js';
import { copySystem, initialSystem, stepSystem } from './controller.js';
import type { FreezeEvent, FreezeGeometry, Message } from './events.js';
import type { FreezeOutcome, FreezeSystem } from './system.js';
import { freezeVariant, type FreezeVariant } from './variants.js';

/** Messages the link holds, and DATA the primary leaves unacknowledged (the window), in workload runs. */
const LINK_CAPACITY = 64;
const WINDOW = 16;
/**
 * More blocks than this take too long: a step scans the bitmaps for the next block to copy or apply, and a
 * failure point copies the block arrays.
 */
const MAX_BLOCKS = 65_536;

/** Background work a step may do, with the weight of its being tried first. */
const WORK: readonly { readonly event: FreezeEvent<Uint8Array> | 'deliver'; readonly weight: number }[] = [
  { event: 'deliver', weight: 8 },
  { event: { type: 'primary.copy' }, weight: 4 },
  { event: { type: 'primary.step' }, weight: 3 },
  { event: { type: 'secondary.apply' }, weight: 3 },
  { event: { type: 'primary.timeout' }, weight: 1 },
  { event: { type: 'secondary.timeout' }, weight: 1 },
];
const TOTAL_WEIGHT = WORK.reduce((sum, work) => sum + work.weight, 0);

type Accepted = Extract<FreezeOutcome<Uint8Array>, { accepted: true }>;
type BinarySystem = FreezeSystem<Uint8Array>;
type BinaryEvent = FreezeEvent<Uint8Array>;

class FreezeSession implements WorkloadSession {
  private system: BinarySystem;
  /** The order messages were first seen on the link, for deliveries that take the one sent first. */
  private readonly sendOrder = new SendOrder<Message<Uint8Array>>();
  /** Background steps left before a link that is down comes up again. */
  private outageLeft = 0;
  /** The volumes the last failure point recovered, refilled by the next one. */
  private recovered: Uint8Array[] | null = null;

  constructor(private readonly variant: FreezeVariant, private readonly geometry: FreezeGeometry) {
    this.system = initialSystem(variant, geometry, 'binary');
  }

  /**
   * Steps a system this session owns, in place: the live one, or a failure point's copy. The system after it
   * (refused or not: a broken variant may change a system and refuse the command) and the outcome.
   */
  private step(event: BinaryEvent, system: BinarySystem = this.system): { system: BinarySystem; outcome: FreezeOutcome<Uint8Array> } {
    return stepSystem(system, event, this.variant, this.geometry, true);
  }

  /** Notes the messages new on the link in the order they appeared. */
  private noteSent(): void {
    for (const message of this.system.link.inFlight) this.sendOrder.note(message);
  }

  private apply(event: BinaryEvent): Accepted | null {
    const { system, outcome } = this.step(event);
    this.system = system;
    if (!outcome.accepted) return null;
    this.noteSent();
    return outcome;
  }

  /** Each block of the write, copied out of the host's buffer (the controllers keep it), as one host.write. */
  write(volume: number, offset: number, data: Uint8Array): string | null {
    const { blockSize } = this.geometry;
    for (let at = 0; at < data.length; at += blockSize) {
      const event: BinaryEvent = { type: 'host.write', volume, block: (offset + at) / blockSize, data: data.slice(at, at + blockSize) };
      const { system, outcome } = this.step(event);
      this.system = system;
      if (!outcome.accepted) return `${outcome.rejection.reason}: ${outcome.rejection.message}`;
    }
    return null;
  }

  commit(): number | null {
    return this.apply({ type: 'host.freeze' }) === null ? null : this.system.primary.gen;
  }

  background(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadStepReport {
    const fault = this.linkOutage(random, rates) ?? this.powerCycle(random, rates);
    if (fault !== null) return { busy: true, committed: [], faults: [fault] };
    let pick = random.below(TOTAL_WEIGHT);
    let first = 0;
    while (pick >= WORK[first]!.weight) pick -= WORK[first++]!.weight;
    for (let i = 0; i < WORK.length; i += 1) {
      const work = WORK[(first + i) % WORK.length]!;
      const done = work.event === 'deliver' ? this.deliver(random, rates) : { outcome: this.apply(work.event), faults: [] };
      if (done.outcome !== null) {
        const committed = done.outcome.results.flatMap((r) => (r.kind === 'freeze-done' ? [r.gen] : []));
        return { busy: true, committed, faults: done.faults };
      }
    }
    return { busy: this.outageLeft > 0, committed: [], faults: [] };
  }

  /** An outage in progress counts down and ends with `link.up`; otherwise one may begin. */
  private linkOutage(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadFault | null {
    if (this.outageLeft > 0) {
      this.outageLeft -= 1;
      if (this.outageLeft === 0) assert(this.apply({ type: 'link.up' }) !== null, 'link.up after an outage');
      return null;
    }
    if (!random.chance(rates.outage)) return null;
    assert(this.apply({ type: 'link.down' }) !== null, 'link.down on a link that is up');
    this.outageLeft = rates.outageSteps;
    return 'link-outage';
  }

  private powerCycle(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadFault | null {
    return random.chance(rates.powerCycle) && this.apply({ type: 'secondary.restart' }) !== null ? 'power-cycle' : null;
  }

  /** One delivery: the message sent first, or with reorder one at random; it may be lost or duplicated first. */
  private deliver(random: WorkloadRandom, rates: WorkloadFaultRates): { outcome: Accepted | null; faults: WorkloadFault[] } {
    const inFlight = this.system.link.inFlight;
    if (inFlight.length === 0) return { outcome: null, faults: [] };
    const chosen = this.sendOrder.choose(inFlight, random, rates);
    const { faults } = chosen;
    let { index } = chosen;
    if (random.chance(rates.loss)) return { outcome: this.apply({ type: 'link.lose', index }), faults: [...faults, 'link-loss'] };
    if (random.chance(rates.duplicate) && inFlight.length < this.system.link.capacity) {
      const message = inFlight[index]!;
      assert(this.apply({ type: 'link.duplicate', index }) !== null, 'a duplicate that fits is accepted');
      index = this.system.link.inFlight.indexOf(message);
      faults.push('link-duplicate');
    }
    return { outcome: this.apply({ type: 'link.deliver', index }), faults };
  }


  /**
   * The primary fails; the link still delivers a random number of what is in flight, in a random order (to a
   * failed primary, a message is lost); then the secondary host recovers (3010-3080).
   */
  recover(random: WorkloadRandom): WorkloadRecovery {
    let system = this.mustStep(copySystem(this.system, this.variant), { type: 'primary.fail' });
    for (let deliveries = random.below(system.link.inFlight.length + 1); deliveries > 0 && system.link.inFlight.length > 0; deliveries -= 1) {
      system = this.mustStep(system, { type: 'link.deliver', index: random.below(system.link.inFlight.length) });
    }
    const { outcome } = this.step({ type: 'secondary.recover' }, system);
    if (!outcome.accepted) throw new Error(`secondary.recover refused: ${outcome.rejection.reason}`);
    const result = outcome.results.find((r) => r.kind === 'recovered');
    assert(result !== undefined && result.kind === 'recovered', 'secondary.recover reports the recovered image');
    return { commit: result.gen, volumes: this.volumesOf(result.image) };
  }

  private mustStep(system: BinarySystem, event: BinaryEvent): BinarySystem {
    const stepped = this.step(event, system);
    if (!stepped.outcome.accepted) throw new Error(`${event.type} refused during recovery: ${stepped.outcome.rejection.reason}`);
    return stepped.system;
  }

  /**
   * The group's blocks as one byte array per volume, in the buffers of the failure point before when there
   * was one (WorkloadSession.recover): every byte is written, so nothing of that one remains.
   */
  private volumesOf(blocks: readonly Uint8Array[]): Uint8Array[] {
    const { volumeCount, blocksPerVolume, blockSize } = this.geometry;
    this.recovered ??= Array.from({ length: volumeCount }, () => new Uint8Array(blocksPerVolume * blockSize));
    this.recovered.forEach((volume, v) => {
      for (let b = 0; b < blocksPerVolume; b += 1) volume.set(blocks[v * blocksPerVolume + b]!, b * blockSize);
    });
    return this.recovered;
  }
}

function geometryOf(geometry: WorkloadGeometry): FreezeGeometry {
  return {
    volumeCount: geometry.volumeCount, blocksPerVolume: geometry.volumeBytes / geometry.blockSize, blockSize: geometry.blockSize,
    linkCapacity: LINK_CAPACITY, window: WINDOW,
  };
}

export const freezeRemoteCopyWorkload: WorkloadDriver = {
  commitKind: 'freeze',
  describe: 'a freeze is taken at each consistency point and completes when the host is told it is done; a failure recovers the secondary',
  faults: ['link-reorder', 'link-loss', 'link-duplicate', 'link-outage', 'power-cycle'],
  refuse(geometry) {
    const blocks = geometry.volumeCount * (geometry.volumeBytes / geometry.blockSize);
    if (blocks > MAX_BLOCKS) {
      return `freeze-remote-copy scans its bitmaps at every step; ${blocks} blocks is more than the ${MAX_BLOCKS} it is driven with (use larger blocks or smaller volumes)`;
    }
    return null;
  },
  open(variant, geometry) {
    const info = freezeVariant(variant);
    assert(info !== undefined, () => `no freeze-remote-copy variant ${variant}`);
    return new FreezeSession(info, geometryOf(geometry));
  },
};
