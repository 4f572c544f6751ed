/**
 * mirror-pair's workload driver (src/lifecycle.ts `WorkloadDriver`, docs/workload.md): the host of seed 000
 * writing real data to the primary while the pair mirrors it, and at every consistency point taking a
 * differential dump as CPU 100 does (Fig.4, 1010-1070): temporary release (the split, the commit point),
 * update info, dump reads of whole tracks onto tape, resync. A commit is complete when its dump is on tape,
 * and what a primary failure leaves is what the tape restores (【0015】): the last full dump and every
 * differential after it. The first dump is full; so is the first after a pair had to be established again.
 *
 * The data path is binary end to end: `hostWrite` and `dumpRead` move the bytes as they are, the tape keeps
 * them, and the restore copies whole tracks. The host retries a release the pair refuses (spec/000 §8.3: not
 * while `mirror.syncing`) after more background copy steps, so the seed's literal flow, which refuses
 * nothing, releases a half-copied secondary whenever the host asks during a copy.
 *
 * Abstracted away: the tape unit's own speed and errors; the pair never loses its primary volume in the live
 * run, only on the copy a failure point reasons about (the tape, which needs no copy of the controller).
 */
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { assert } from '../assert.js';
import type { WorkloadDriver, WorkloadFaultRates, WorkloadGeometry, WorkloadRandom, WorkloadRecovery, WorkloadSession, WorkloadStepReport } from '../lifecycle.js';
import { trackSizeFor } from '../workload/workload.js';
import { MirrorPairController, type BinaryDumpRecord } from './controller.js';
import { PAIR_ID, PRIMARY_VOLUME } from './events.js';
import { mirrorVariant } from './variants.js';

/** Tracks one `dump.read` asks for (1060's batch). */
const DUMP_BATCH_TRACKS = 16;

interface TapeDump {
  readonly sequence: number;
  readonly full: boolean;
  readonly records: readonly BinaryDumpRecord[];
}

/** The dump cycle in progress after a release: what it has read and what it has left. */
interface DumpCycle {
  readonly sequence: number;
  readonly full: boolean;
  phase: 'update-info' | 'read' | 'resync';
  targets: number[];
  next: number;
  readonly records: BinaryDumpRecord[];
}

const command = (type: 'pair.establish' | 'pair.suspend' | 'pair.resync' | 'copy.step' | 'dump.update-info'): MirrorEvent => ({ type, pair: PAIR_ID });
const IDLE: WorkloadStepReport = { busy: false, committed: [], faults: [] };
const BUSY: WorkloadStepReport = { busy: true, committed: [], faults: [] };

class MirrorPairSession implements WorkloadSession {
  private readonly controller: MirrorPairController;
  private readonly tape: TapeDump[] = [];
  private cycle: DumpCycle | null = null;
  private taken = 0;
  /** The next dump must be full: none yet, or the pair was established again and the chain starts over. */
  private needFull = true;
  /** What the tape restores, kept up to date as dumps reach it (`recover`). */
  private readonly restore: Restore;

  constructor(variant: string, private readonly geometry: WorkloadGeometry, private readonly trackSize: number) {
    this.restore = { base: -1, applied: 0, commit: 0, gap: false, image: new Uint8Array(geometry.volumeBytes) };
    const info = mirrorVariant(variant);
    assert(info !== undefined, () => `no mirror-pair variant ${variant}`);
    this.controller = new MirrorPairController(info, { trackCount: geometry.volumeBytes / trackSize, trackSize });
    this.establish();
  }

  private establish(): void {
    const outcome = this.controller.handle(command('pair.establish'));
    assert(outcome.accepted, () => `pair.establish refused in ${this.controller.state}`);
    this.needFull = true;
  }

  write(volume: number, offset: number, data: Uint8Array): string | null {
    assert(volume === 0, 'mirror-pair workloads have one volume, the primary');
    const outcome = this.controller.hostWrite(PRIMARY_VOLUME, offset, data);
    return outcome.accepted ? null : `${outcome.rejection.reason}: ${outcome.rejection.message}`;
  }

  commit(): number | null {
    if (this.cycle !== null) return null;
    if (!this.controller.handle(command('pair.suspend')).accepted) return null;
    this.taken += 1;
    this.cycle = { sequence: this.taken, full: this.needFull, phase: 'update-info', targets: [], next: 0, records: [] };
    this.needFull = false;
    return this.taken;
  }

  background(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadStepReport {
    if (random.chance(rates.powerCycle)) {
      assert(this.controller.handle({ type: 'power.cycle' }).accepted, 'power.cycle is always accepted');
      if (this.controller.state === 'separated') this.abandon(); // control memory was lost (no claim 10)
      return { busy: true, committed: [], faults: ['power-cycle'] };
    }
    const copying = this.controller.state === 'mirror.syncing';
    if (this.cycle !== null && (!copying || random.chance(0.5))) return this.dumpStep(this.cycle);
    if (copying) {
      const outcome = this.controller.handle(command('copy.step'));
      assert(outcome.accepted, 'copy.step is accepted while mirror.syncing');
      return BUSY;
    }
    return IDLE;
  }

  /** A pair that forgot its state: the dump in progress is lost, the pair is established again, the next dump is full. */
  private abandon(): void {
    this.cycle = null;
    this.establish();
  }

  /** One command of the dump cycle (1020-1070). A command the pair refuses abandons the dump: it never reaches tape. */
  private dumpStep(cycle: DumpCycle): WorkloadStepReport {
    if (cycle.phase === 'update-info') {
      const outcome = this.controller.handle(command('dump.update-info'));
      if (!outcome.accepted || outcome.result.kind !== 'update-info') return this.refusedInCycle();
      const bitmap = outcome.result.bitmap;
      cycle.targets = cycle.full ? Array.from({ length: bitmap.length }, (_, track) => track) : [...bitmap].flatMap((bit, track) => (bit === '1' ? [track] : [])); // (1030)
      cycle.phase = cycle.targets.length === 0 ? 'resync' : 'read';
      return cycle.phase === 'resync' ? this.onTape(cycle) : BUSY;
    }
    if (cycle.phase === 'read') {
      const { outcome, records } = this.controller.dumpRead(cycle.targets.slice(cycle.next, cycle.next + DUMP_BATCH_TRACKS)); // (1040)
      if (!outcome.accepted) return this.refusedInCycle();
      cycle.records.push(...records); // (1050)
      cycle.next += records.length;
      if (cycle.next < cycle.targets.length) return BUSY;
      cycle.phase = 'resync';
      return this.onTape(cycle);
    }
    if (!this.controller.handle(command('pair.resync')).accepted) return this.refusedInCycle(); // (1070)
    this.cycle = null;
    return BUSY;
  }

  /** Every record of the dump is on tape: the commit is complete. */
  private onTape(cycle: DumpCycle): WorkloadStepReport {
    this.tape.push({ sequence: cycle.sequence, full: cycle.full, records: cycle.records });
    return { busy: true, committed: [cycle.sequence], faults: [] };
  }

  private refusedInCycle(): WorkloadStepReport {
    this.cycle = null;
    if (this.controller.state === 'separated') this.establish();
    else this.needFull = true;
    return BUSY;
  }

  /**
   * What the tape restores (【0015】): the last full dump, then every later differential in sequence order; a
   * gap after the full dump, or no full dump, restores nothing (commit 0, every byte zero). The tape only
   * grows, so the restore is kept and only the dumps new since the last failure point are applied to it; a
   * new full dump starts it again.
   */
  recover(): WorkloadRecovery {
    const restore = this.restore;
    let base = -1;
    for (let i = this.tape.length - 1; i >= 0 && base === -1; i -= 1) if (this.tape[i]!.full) base = i;
    if (base !== restore.base) {
      restore.image.fill(0);
      restore.base = base;
      restore.applied = Math.max(base, 0);
      restore.commit = 0;
      restore.gap = base === -1;
    }
    for (; restore.applied < this.tape.length; restore.applied += 1) {
      const dump = this.tape[restore.applied]!;
      if (restore.gap) continue;
      if (restore.applied > restore.base && dump.sequence !== this.tape[restore.applied - 1]!.sequence + 1) {
        restore.gap = true;
        restore.commit = 0;
        restore.image.fill(0);
        continue;
      }
      for (const record of dump.records) restore.image.set(record.bytes, record.track * this.trackSize);
      restore.commit = dump.sequence;
    }
    return { commit: restore.commit, volumes: [restore.image] };
  }
}

/** The tape's restore so far: from the dump at `base` (the last full one) up to `applied`, or nothing after a gap. */
interface Restore {
  base: number;
  applied: number;
  commit: number;
  gap: boolean;
  readonly image: Uint8Array;
}

export const mirrorPairWorkload: WorkloadDriver = {
  commitKind: 'split',
  describe: 'a split is a temporary release followed by a differential dump to tape (Fig.4); a failure restores the volume from tape',
  faults: ['power-cycle'],
  refuse(geometry) {
    if (geometry.volumeCount !== 1) return `mirror-pair pairs one primary volume; the workload has ${geometry.volumeCount}`;
    return null;
  },
  open: (variant, geometry) => new MirrorPairSession(variant, geometry, trackSizeFor(geometry)),
};
