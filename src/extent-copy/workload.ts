/**
 * extent-copy's workload driver (src/lifecycle.ts `WorkloadDriver`, docs/workload.md "extent-copy"): the host
 * of seed 002 writing a data set (the workload's volumes) while the storage makes in-storage copies of it,
 * each a point-in-time image taken by a split and finished by the copy's own background work with
 * copy-before-write (【0030】-【0034】): E1 and E2 take it with Pair Split (500, 1500; E2 splits every record
 * of the data set at one instant, A10), E3 with Extent Split (2300). A commit is that instant; it completes
 * when the split copy has passed its last track (907, 1807, 2707), and what a failure point recovers, with
 * the original volume lost, is the copy volume of the last completed split.
 *
 * The seed has one copy volume per original (700 and 2600 select one pair; A9), and an E1 Extent Update or an
 * E3 Extent Join re-matches that copy in place, so a failure in the middle of one leaves a copy that is no
 * image at all. The driver therefore copies to two copy volumes in turn, as a host keeps two generations:
 * when a split completes, its pairs are deleted (A13), which leaves the copy volume alone (G4), and the next
 * copy is created to the other copy volume (400, 1400, 2200: the create copy runs in the background, writes
 * set CB meanwhile) and split at the next consistency point, which waits until the pairs are formed (A3, A4:
 * a split while forming is refused, and the host retries). Commit k goes to copy volume k mod 2; commit 0, the
 * volume of zeros, is copy volume 0 before anything is copied to it. Neither E1's Extent Update nor E3's
 * Extent Join is driven, so neither are the literal flows that only they reach (A7, A15 in E1).
 *
 * The data set is each volume in a few areas (E2: a record each; E3: the extents of the Extent Split; E1
 * splits the whole volume), each ending one block short of the end of its last track: the copies are of
 * whole tracks (spec/002 §6), so that block is copied with its track, and a write to it is where membership
 * by address (the literal A15 flows of 1600 and 2602) and by track part.
 *
 * The data path is binary: `ExtentCopyController.handleInPlace` writes the volumes where they are and takes a
 * write's bytes as they are, one track's part of a write at a time (a host I/O stays within its track,
 * 【0016】). A recovery hands back the copy volume's bytes as they are; the session goes on unchanged. No fault is offered:
 * extent-copy has no link and no power cycle, and its copy I/O error (A12) is not injected by the workload.
 */
import { assert } from '../assert.js';
import type { WorkloadDriver, WorkloadGeometry, WorkloadRandom, WorkloadRecovery, WorkloadSession, WorkloadStepReport } from '../lifecycle.js';
import { Volume } from '../volume.js';
import { refuseTotalBytes, trackSizeFor } from '../workload/workload.js';
import { ExtentCopyController, type ExtentOutcome } from './controller.js';
import type { Extent, ExtentEvent, ExtentGeometry } from './events.js';
import type { PairRecord } from './records.js';
import { extentVariant, type ExtentVariant } from './variants.js';

/** Areas of the data set on each volume (E2 records, E3 extents), at most. */
const AREAS = 64;
/** Bytes of every volume together the driver runs: it holds each volume three times (the original and two copies). */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

const IDLE: WorkloadStepReport = { busy: false, committed: [], faults: [] };
const BUSY: WorkloadStepReport = { busy: true, committed: [], faults: [] };

/**
 * The data set's areas on a volume of `trackCount` tracks: AREAS runs of tracks (fewer on a small volume), each
 * ending one block before its last track's end when a track holds more than one block.
 */
export function areasOf(trackCount: number, trackSize: number, blockSize: number): Extent[] {
  const count = Math.min(AREAS, trackCount);
  const per = Math.floor(trackCount / count);
  const short = trackSize > blockSize ? blockSize : 0;
  return Array.from({ length: count }, (_, i) => {
    const last = i === count - 1 ? trackCount - 1 : (i + 1) * per - 1;
    return { start: i * per * trackSize, end: (last + 1) * trackSize - 1 - short };
  });
}

function hasRunningJob(record: PairRecord): boolean {
  for (const job of record.jobs) if (job.status === 'running') return true;
  return false;
}

class ExtentSession implements WorkloadSession {
  private controller: ExtentCopyController;
  private readonly trackSize: number;
  private readonly areas: readonly Extent[];
  /** The pair records of the copy being made: one per volume (E1, E3), or one per area of each volume (E2). */
  private pairs: number[] = [];
  /** Whether the current copy's split was taken and has not completed. */
  private splitting = false;
  private taken = 0;
  private completed = 0;
  /** The pairs with a running job, as `background` finds them (its first entries). */
  private readonly running: number[] = [];
  /** The copy step of each pair, made once. */
  private readonly steps: ExtentEvent[] = [];

  constructor(private readonly variant: ExtentVariant, private readonly geometry: WorkloadGeometry) {
    this.trackSize = trackSizeFor(geometry);
    const trackCount = geometry.volumeBytes / this.trackSize;
    this.areas = areasOf(trackCount, this.trackSize, geometry.blockSize);
    const volumes = Array.from({ length: 3 * geometry.volumeCount }, () => new Volume(trackCount, this.trackSize));
    const embodiment = variant.control.embodiment;
    const extentGeometry: ExtentGeometry = {
      volumeTracks: volumes.map(() => trackCount), trackSize: this.trackSize,
      pairCount: geometry.volumeCount * (embodiment === 2 ? this.areas.length : 1), extentSlots: embodiment === 1 ? 1 : 0, extentsMax: this.areas.length,
    };
    this.controller = ExtentCopyController.initial(variant, extentGeometry, volumes);
    this.createPairs();
  }

  /** Controller volume of copy volume `generation` (0 or 1) of workload volume `volume`. */
  private copyVolume(volume: number, generation: number): number {
    return (1 + generation) * this.geometry.volumeCount + volume;
  }

  private handle(event: ExtentEvent, bytes?: Uint8Array): ExtentOutcome {
    const { controller, outcome } = this.controller.handleInPlace(event, bytes);
    this.controller = controller;
    return outcome;
  }

  private must(event: ExtentEvent): ExtentOutcome {
    const outcome = this.handle(event);
    assert(outcome.accepted, () => `extent-copy workload: ${event.type} refused: ${outcome.accepted ? '' : outcome.rejection.message}`);
    return outcome;
  }

  /** The next copy: pairs from each volume to its copy volume (taken + 1) mod 2, which start their create copies. */
  private createPairs(): void {
    const generation = (this.taken + 1) % 2;
    const e2 = this.variant.control.embodiment === 2;
    this.pairs = [];
    for (let volume = 0; volume < this.geometry.volumeCount; volume += 1) {
      const event: ExtentEvent = { type: 'pair.create', original: volume, copy: this.copyVolume(volume, generation), ...(e2 ? { extents: this.areas } : {}) };
      const outcome = this.must(event);
      assert(outcome.accepted, 'must returns accepted outcomes');
      // The records are the instances whose machines took pair.create.
      for (const taken of outcome.transitions) if (taken.step.eventType === 'pair.create' && !this.pairs.includes(taken.pair)) this.pairs.push(taken.pair);
    }
  }

  write(volume: number, offset: number, data: Uint8Array): string | null {
    for (let at = 0; at < data.length;) {
      const address = offset + at;
      const length = Math.min(data.length - at, this.trackSize - (address % this.trackSize));
      const outcome = this.handle({ type: 'host.write', volume, address, data: '' }, data.subarray(at, at + length));
      if (!outcome.accepted) return `${outcome.rejection.reason}: ${outcome.rejection.message}`;
      at += length;
    }
    return null;
  }

  /** The split of every pair of the copy at one instant (E1, E2: one Pair Split; E3: an Extent Split each). */
  commit(): number | null {
    // A split in progress holds the next one back, unless the pairs are back in 形成完了 with it forgotten (the
    // literal A4 flow, 807 over 分割中): the host, finding them formed when it next splits, splits again.
    if (this.splitting && !this.pairs.every((pair) => this.state(pair) === 'formed')) return null;
    if (!this.split()) return null;
    this.splitting = true;
    this.taken += 1;
    return this.taken;
  }

  /**
   * Sends the split; false when the pairs refuse it (not formed yet). E3 splits a pair at a time, so it waits
   * until every pair is formed: no host write comes between the Extent Splits of one commit.
   */
  private split(): boolean {
    if (this.variant.control.embodiment !== 3) return this.handle({ type: 'pair.split', pairs: this.pairs }).accepted;
    if (!this.pairs.every((pair) => this.state(pair) === 'formed')) return false;
    for (const pair of this.pairs) this.must({ type: 'extent.split', pair, extents: this.areas });
    return true;
  }

  private state(pair: number): string {
    return this.controller.pairs[pair]!.state;
  }

  /**
   * A copy step of a pair with a running job, chosen at random; the split's completion once every pair is
   * split. Written as loops over `running`, made once: E2 has 64 pairs, and the background runs thousands of
   * steps between two splits.
   */
  background(random: WorkloadRandom): WorkloadStepReport {
    if (this.splitting && this.pairs.every((pair) => this.state(pair) === 'split' || this.state(pair) === 'xsplit')) return this.completeSplit();
    const records = this.controller.pairs;
    let count = 0;
    for (const pair of this.pairs) if (hasRunningJob(records[pair]!)) this.running[count++] = pair;
    for (let tried = 0, first = count > 0 ? random.below(count) : 0; tried < count; tried += 1) {
      const pair = this.running[(first + tried) % count]!;
      if (this.handle((this.steps[pair] ??= { type: 'copy.step', pair })).accepted) return BUSY;
    }
    return IDLE;
  }

  /** Every split copy passed its last track: the commit is complete; the pairs go, and the next copy starts. */
  private completeSplit(): WorkloadStepReport {
    this.splitting = false;
    this.completed = this.taken;
    for (const pair of this.pairs) this.must({ type: 'pair.delete', pair });
    this.createPairs();
    return { busy: true, committed: [this.completed], faults: [] };
  }

  /**
   * The original is lost: what is left is copy volume `completed` mod 2, the last completed split's, handed
   * back as it is (WorkloadSession.recover: the engine reads it before the session's next call).
   */
  recover(): WorkloadRecovery {
    const generation = this.completed % 2;
    const volumes = Array.from({ length: this.geometry.volumeCount }, (_, volume) => this.controller.volumes[this.copyVolume(volume, generation)]!.contents());
    return { commit: this.completed, volumes };
  }
}

export const extentCopyWorkload: WorkloadDriver = {
  commitKind: 'split',
  describe: 'a split (E1, E2 Pair Split; E3 Extent Split) is the instant of a copy of the data set, complete when the split copy has passed its last track; a failure recovers the copy volume of the last completed split',
  faults: [],
  refuse: (geometry) => refuseTotalBytes(geometry, MAX_TOTAL_BYTES, 'extent-copy holds each volume three times (the original and two copy volumes)'),
  open(variant, geometry) {
    const info = extentVariant(variant);
    assert(info !== undefined, () => `no extent-copy variant ${variant}`);
    return new ExtentSession(info, geometry);
  },
};
