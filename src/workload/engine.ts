/**
 * The workload engine (docs/workload.md): replays a workload through one variant of a lifecycle with a
 * `workload` driver (src/lifecycle.ts), with seeded background work and faults between the host's writes,
 * and checks the lifecycle at failure points: seeded random moments, just after each commit point is taken
 * (a freeze accepted, a split made) and just after each commit completes (a freeze reported done, a dump on
 * tape), and after the last record. At each one the primary fails, on a copy, and what the lifecycle recovers
 * (or restores) must be, byte for byte, the image of a commit it may hand back: one completed or in
 * progress, never older than the last one completed. For a file-system workload `e2fsck -fn` must also find
 * it clean. A recovery may hand back further images (`also`: failover-failback's master after failback) that
 * claim the same commit; each is checked the same way, and a mismatch names it.
 *
 * The engine is its own oracle: it keeps the bytes the host wrote (`reference`) and copies them at each
 * commit point; it reads nothing of the lifecycle but what the session returns. Every random choice comes
 * from streams of the run's seed (src/workload/random.ts), and a failure point's recovery has its own stream,
 * so checking failure point K alone (`only`) replays the run up to it exactly.
 */
import { assert } from '../assert.js';
import type { AnyLifecycle, VariantKind, WorkloadDriver, WorkloadFault, WorkloadFaultRates, WorkloadRecovery, WorkloadSession } from '../lifecycle.js';
import { changedBlocks } from './images.js';
import type { Fsck, FsckVerdict } from './ext4.js';
import { SeededRandom, seededBytes, streamSeed } from './random.js';
import type { CommitPoint, Workload, WorkloadRecord } from './workload.js';

/** Every fault a driver may offer, in the order tables list them. */
export const WORKLOAD_FAULTS: readonly WorkloadFault[] = ['link-reorder', 'link-loss', 'link-duplicate', 'link-outage', 'power-cycle'];

/** The engine's defaults and bounds, in one place (STYLE.md "Limits and presets"). */
export const WORKLOAD_DEFAULTS = {
  seed: 20261121,
  /** Random failure points per variant, besides those after each commit. */
  failurePoints: 100,
  /** Mean background steps after each host write (uniform from 0 to twice this). */
  stepsPerWrite: 4,
  /** Background steps a trace's idle second gives, and the most one gap gives. */
  idleStepsPerSecond: 1000,
  maxIdleSteps: 100_000,
  /** Background steps the host waits for a commit point, or for the last commit to complete, per block of the volumes. */
  waitStepsPerBlock: 64,
  minWaitSteps: 100_000,
  /**
   * Fault rates when the fault is enabled (docs/workload.md "Faults"). Reorder is 1: the links of the seeds
   * are unordered, so with link-reorder on every delivery takes a message at random, not the oldest.
   */
  rates: { reorder: 1, loss: 0.02, duplicate: 0.02, outage: 0.0005, outageSteps: 200, powerCycle: 0.0005 } satisfies WorkloadFaultRates,
} as const;

export interface EngineOptions {
  readonly seed: number;
  readonly failurePoints: number;
  readonly stepsPerWrite: number;
  readonly idleStepsPerSecond: number;
  /** Enabled faults; those the driver does not offer are ignored for it. */
  readonly faults: readonly WorkloadFault[];
  /** Check failure point K only (a replay); the run stops after it. */
  readonly only?: number;
  /** Progress: records done of all, failure points and wrong images so far. */
  readonly onProgress?: (done: number, total: number, points: number, wrong: number) => void;
  /** Called with the recovered image of failure point `only`, for `--save-image`. */
  readonly onRecovered?: (recovery: WorkloadRecovery) => void;
}

export type FailurePointKind = 'random' | 'commit-taken' | 'commit-completed' | 'end';

/** A failure point at which the recovered image was wrong, dirty, or could not be had. */
export interface FailureReport {
  readonly index: number;
  readonly kind: FailurePointKind;
  /** Where in the run: `after host write 120 of 900`, `just after freeze 3 was taken`. */
  readonly at: string;
  readonly commitsCompleted: number;
  readonly commitsTaken: number;
  /** The commit the recovered image claims to be; null when the recovery threw. */
  readonly recoveredCommit: number | null;
  /** Blocks that differ from the image of the claimed commit (or of the last completed, when the claim is out of range). */
  readonly differingBlocks: number;
  readonly mismatch: string | null;
  readonly fsck: FsckVerdict | null;
  readonly error: string | null;
}

export interface VariantRun {
  readonly lifecycle: string;
  readonly variant: string;
  readonly kind: VariantKind;
  readonly commitKind: WorkloadDriver['commitKind'];
  readonly failurePoints: number;
  readonly mismatches: number;
  /** Recovered images e2fsck found dirty; null for a workload that is not a file system. */
  readonly fsckDirty: number | null;
  readonly commitsTaken: number;
  readonly commitsCompleted: number;
  /** Consistency points of the workload this lifecycle does not take (a `freeze` in a split lifecycle). */
  readonly pointsIgnored: number;
  readonly writes: number;
  readonly bytesWritten: number;
  /** Time of the data path (writes, commits, background steps), and of the checks at failure points. */
  readonly dataMs: number;
  readonly checkMs: number;
  readonly faults: Readonly<Record<WorkloadFault, number>>;
  /** Why the run could not go on (a write refused, a commit never taken, the last commit never completed). */
  readonly stalled: string | null;
  readonly failures: readonly FailureReport[];
}

const ZERO = Buffer.alloc(65536);

/** Whether every byte of every volume is zero: nothing was committed yet, so there is no file system to check. */
function allZero(volumes: readonly Uint8Array[]): boolean {
  return volumes.every((volume) => {
    const bytes = Buffer.from(volume.buffer, volume.byteOffset, volume.byteLength);
    for (let offset = 0; offset < bytes.length; offset += ZERO.length) {
      const end = Math.min(bytes.length, offset + ZERO.length);
      if (!bytes.subarray(offset, end).equals(ZERO.subarray(0, end - offset))) return false;
    }
    return true;
  });
}

/** One variant's run. Its methods follow the records; `finish` returns the result. */
class Run {
  private readonly random: SeededRandom;
  private readonly reference: Uint8Array[];
  /** The image of each commit that may still be handed back: from the last completed to the last taken. */
  private readonly snapshots = new Map<number, Uint8Array[]>();
  /** Images of commits no longer kept, whose buffers the next commit's image reuses (an 8 MiB allocation costs more than the copy). */
  private readonly spareSnapshots: Uint8Array[][] = [];
  /**
   * e2fsck's verdict on each kept commit's image, once asked: a recovered image equal to it byte for byte (the
   * usual case) gets the same verdict without hashing 8 MiB again to find it in Fsck's cache.
   */
  private readonly snapshotVerdicts = new Map<number, FsckVerdict | null>();
  private readonly failures: FailureReport[] = [];
  private readonly faultCounts: Record<WorkloadFault, number> = { 'link-reorder': 0, 'link-loss': 0, 'link-duplicate': 0, 'link-outage': 0, 'power-cycle': 0 };
  private readonly rates: WorkloadFaultRates;
  private readonly randomPoints: Map<number, number>;
  private readonly waitSteps: number;
  private readonly totalWrites: number;
  private taken = 0;
  private completed = 0;
  private points = 0;
  private checked = 0;
  private mismatches = 0;
  private dirty = 0;
  private writes = 0;
  private bytes = 0;
  private ignored = 0;
  private dataMs = 0;
  private checkMs = 0;
  private lastTime = 0;
  stalled: string | null = null;
  /** Set once failure point `only` has been checked: the run stops. */
  done = false;

  constructor(
    private readonly lifecycle: AnyLifecycle,
    private readonly variant: string,
    private readonly driver: WorkloadDriver,
    private readonly session: WorkloadSession,
    private readonly workload: Workload,
    private readonly options: EngineOptions,
    private readonly fsck: Fsck | null,
  ) {
    const { volumeCount, volumeBytes, blockSize } = workload.geometry;
    this.random = new SeededRandom(streamSeed(options.seed, 1));
    this.reference = Array.from({ length: volumeCount }, () => new Uint8Array(volumeBytes));
    this.snapshots.set(0, this.snapshotOfReference());
    const enabled = new Set(options.faults.filter((fault) => driver.faults.includes(fault)));
    const on = (fault: WorkloadFault, rate: number): number => (enabled.has(fault) ? rate : 0);
    const r = WORKLOAD_DEFAULTS.rates;
    this.rates = {
      reorder: on('link-reorder', r.reorder), loss: on('link-loss', r.loss), duplicate: on('link-duplicate', r.duplicate),
      outage: on('link-outage', r.outage), outageSteps: r.outageSteps, powerCycle: on('power-cycle', r.powerCycle),
    };
    this.totalWrites = totalWrites(workload);
    this.randomPoints = randomFailurePoints(this.totalWrites, options);
    this.waitSteps = Math.max(WORKLOAD_DEFAULTS.minWaitSteps, WORKLOAD_DEFAULTS.waitStepsPerBlock * volumeCount * (volumeBytes / blockSize));
  }

  /** One host write: into the reference, then to the lifecycle, then the background steps and failure points after it. */
  write(record: Extract<WorkloadRecord, { type: 'write' }>): void {
    const data = record.data instanceof Uint8Array ? record.data : seededBytes(record.data.seed, record.data.length);
    this.reference[record.volume]!.set(data, record.offset);
    const started = performance.now();
    const refused = this.session.write(record.volume, record.offset, data);
    this.dataMs += performance.now() - started;
    if (refused !== null) {
      this.stalled = `host write ${this.writes + 1} (volume ${record.volume}, offset ${record.offset}) refused: ${refused}`;
      return;
    }
    this.writes += 1;
    this.bytes += data.length;
    this.backgroundSteps(this.random.below(2 * this.options.stepsPerWrite + 1) + this.idleSteps(record.time));
    for (let i = this.randomPoints.get(this.writes) ?? 0; i > 0 && !this.done; i -= 1) {
      this.failurePoint('random', `after host write ${this.writes} of ${this.totalWrites}`);
    }
  }

  /** Background steps for the time since the previous record (a trace's idle time). */
  private idleSteps(time: number): number {
    const gap = time - this.lastTime;
    this.lastTime = time;
    return Math.min(WORKLOAD_DEFAULTS.maxIdleSteps, Math.floor(gap * this.options.idleStepsPerSecond));
  }

  /** A consistency point: the host waits until the lifecycle takes the commit, as it retries a busy freeze. */
  commitPoint(record: Extract<WorkloadRecord, { type: CommitPoint }>): void {
    this.idleSteps(record.time);
    if (record.type !== 'barrier' && record.type !== this.driver.commitKind) {
      this.ignored += 1;
      return;
    }
    for (let waited = 0; ; waited += 1) {
      const started = performance.now();
      const number = this.session.commit();
      this.dataMs += performance.now() - started;
      if (number !== null) {
        assert(number === this.taken + 1, () => `${this.lifecycle.id} took commit ${number} after ${this.taken}`);
        this.taken = number;
        this.snapshots.set(number, this.snapshotOfReference());
        this.failurePoint('commit-taken', `just after ${this.driver.commitKind} ${number} was taken`);
        return;
      }
      const busy = this.backgroundSteps(1);
      if (this.done) return;
      if (!busy || waited >= this.waitSteps) {
        this.stalled = `${this.driver.commitKind} ${this.taken + 1} was never taken (${busy ? `after ${waited} background steps` : 'the background had nothing left to do'})`;
        return;
      }
    }
  }

  /** A copy of what the host has written, in the buffers of a commit image no longer kept when there is one. */
  private snapshotOfReference(): Uint8Array[] {
    const spare = this.spareSnapshots.pop();
    if (spare === undefined) return this.reference.map((volume) => volume.slice());
    spare.forEach((volume, i) => volume.set(this.reference[i]!));
    return spare;
  }

  /** Runs background steps; returns whether the last one found work. Completed commits get their failure point. */
  private backgroundSteps(count: number): boolean {
    let busy = true;
    for (let i = 0; i < count && !this.done; i += 1) {
      const started = performance.now();
      const report = this.session.background(this.random, this.rates);
      this.dataMs += performance.now() - started;
      busy = report.busy;
      for (const fault of report.faults) this.faultCounts[fault] += 1;
      for (const number of report.committed) this.commitCompleted(number);
    }
    return busy;
  }

  private commitCompleted(number: number): void {
    assert(number > this.completed && number <= this.taken, () => `${this.lifecycle.id} completed commit ${number} with ${this.completed} completed and ${this.taken} taken`);
    this.completed = number;
    for (const [kept, image] of [...this.snapshots]) {
      if (kept >= number) continue;
      this.snapshots.delete(kept);
      this.snapshotVerdicts.delete(kept);
      this.spareSnapshots.push(image);
    }
    this.failurePoint('commit-completed', `just after ${this.driver.commitKind} ${number} completed`);
  }

  /**
   * After the last record: background work until the last commit completes, then a last failure point; after
   * a stall, that failure point is where the run stopped.
   */
  drain(): void {
    for (let steps = 0; this.stalled === null && this.completed < this.taken && !this.done; steps += 1) {
      if (!this.backgroundSteps(1) || steps >= this.waitSteps) this.stalled = `${this.driver.commitKind} ${this.completed + 1} never completed after the last record`;
    }
    if (!this.done) this.failurePoint('end', this.stalled === null ? 'after the last record' : 'where the run stalled');
  }

  /** The primary fails here, on a copy: check what is recovered. */
  private failurePoint(kind: FailurePointKind, at: string): void {
    this.points += 1;
    const index = this.points;
    if (this.options.only !== undefined && index !== this.options.only) return;
    this.checked += 1;
    const started = performance.now();
    const report = this.check(index, kind, at);
    this.checkMs += performance.now() - started;
    if (report.mismatch !== null || report.error !== null) this.mismatches += 1;
    if (report.fsck !== null && !report.fsck.clean) this.dirty += 1;
    if (report.mismatch !== null || report.error !== null || (report.fsck !== null && !report.fsck.clean)) this.failures.push(report);
    if (this.options.only !== undefined) this.done = true;
  }

  private check(index: number, kind: FailurePointKind, at: string): FailureReport {
    const base = { index, kind, at, commitsCompleted: this.completed, commitsTaken: this.taken };
    let recovery: WorkloadRecovery;
    try {
      recovery = this.session.recover(new SeededRandom(streamSeed(this.options.seed, 10_000 + index)));
    } catch (error) {
      return { ...base, recoveredCommit: null, differingBlocks: 0, mismatch: null, fsck: null, error: `recovery threw: ${(error as Error).message}` };
    }
    if (this.options.only === index) this.options.onRecovered?.(recovery);
    const claimed = recovery.commit;
    const inRange = claimed >= this.completed && claimed <= this.taken;
    const expected = this.snapshots.get(inRange ? claimed : this.completed)!;
    const images = [{ name: 'the recovered image', volumes: recovery.volumes }, ...(recovery.also ?? [])];
    let differingBlocks = 0;
    let mismatch: string | null = null;
    if (!inRange) mismatch = `the recovered image claims commit ${claimed}; ${this.completed} had completed and ${this.taken} were taken`;
    const differing = images.map((image) => this.differingBlocks(expected, image.volumes));
    for (const [i, image] of images.entries()) {
      if (differing[i] === 0 || mismatch !== null) continue;
      differingBlocks = differing[i]!;
      const blocks = differingBlocks === 1 ? '1 block' : `${differingBlocks} blocks`;
      mismatch = `${blocks}${i === 0 ? '' : ` of ${image.name}`} ${differingBlocks === 1 ? 'differs' : 'differ'} from the image of ${this.driver.commitKind} ${claimed}`;
    }
    if (!inRange) differingBlocks = differing[0]!;
    const fsck = this.fsckOfImages(images.map((image, i) => (inRange && differing[i] === 0 ? { commit: claimed, volumes: expected } : { commit: null, volumes: image.volumes })));
    return { ...base, recoveredCommit: claimed, differingBlocks, mismatch, fsck, error: null };
  }

  /**
   * The first verdict e2fsck rejects among a recovery's images, or the last one's; null when none is checked.
   * An image equal, byte for byte, to the kept commit it claims (`commit` not null) takes that commit's verdict.
   */
  private fsckOfImages(images: readonly { readonly commit: number | null; readonly volumes: readonly Uint8Array[] }[]): FsckVerdict | null {
    let verdict: FsckVerdict | null = null;
    for (const image of images) {
      verdict = (image.commit === null ? this.fsckOf(image.volumes) : this.fsckOfSnapshot(image.commit, image.volumes)) ?? verdict;
      if (verdict !== null && !verdict.clean) break;
    }
    return verdict;
  }

  /** e2fsck's verdict on the image of kept commit `commit` (`image`), asked once while the commit is kept. */
  private fsckOfSnapshot(commit: number, image: readonly Uint8Array[]): FsckVerdict | null {
    if (this.snapshotVerdicts.has(commit)) return this.snapshotVerdicts.get(commit)!;
    const verdict = this.fsckOf(image);
    this.snapshotVerdicts.set(commit, verdict);
    return verdict;
  }

  private differingBlocks(expected: readonly Uint8Array[], actual: readonly Uint8Array[]): number {
    assert(actual.length === expected.length, () => `${this.lifecycle.id} recovered ${actual.length} volumes of ${expected.length}`);
    let count = 0;
    expected.forEach((volume, i) => {
      assert(actual[i]!.length === volume.length, () => `${this.lifecycle.id} recovered volume ${i} of ${actual[i]!.length} bytes, not ${volume.length}`);
      if (!Buffer.from(volume.buffer, volume.byteOffset, volume.byteLength).equals(actual[i]!)) count += changedBlocks(volume, actual[i]!, this.workload.geometry.blockSize).length;
    });
    return count;
  }

  /** e2fsck's verdict on the first volume it rejects, or on the last; null when nothing is to be checked. */
  private fsckOf(volumes: readonly Uint8Array[]): FsckVerdict | null {
    if (this.fsck === null || this.workload.fileSystem === null || allZero(volumes)) return null;
    let verdict: FsckVerdict | null = null;
    for (const volume of volumes) {
      verdict = this.fsck.check(volume);
      if (!verdict.clean) break;
    }
    return verdict;
  }

  progress(done: number): void {
    this.options.onProgress?.(done, this.workload.records.length, this.points, this.failures.length);
  }

  finish(kind: VariantKind): VariantRun {
    return {
      lifecycle: this.lifecycle.id, variant: this.variant, kind, commitKind: this.driver.commitKind,
      failurePoints: this.checked,
      mismatches: this.mismatches, fsckDirty: this.workload.fileSystem === null || this.fsck === null ? null : this.dirty,
      commitsTaken: this.taken, commitsCompleted: this.completed, pointsIgnored: this.ignored, writes: this.writes, bytesWritten: this.bytes,
      dataMs: this.dataMs, checkMs: this.checkMs, faults: this.faultCounts, stalled: this.stalled, failures: this.failures,
    };
  }
}

function totalWrites(workload: Workload): number {
  let count = 0;
  for (const record of workload.records) if (record.type === 'write') count += 1;
  return count;
}

/** How many random failure points follow each host write (by its number, 1-based): `failurePoints` writes drawn at random. */
function randomFailurePoints(writes: number, options: EngineOptions): Map<number, number> {
  const points = new Map<number, number>();
  if (writes === 0) return points;
  const random = new SeededRandom(streamSeed(options.seed, 2));
  for (let i = 0; i < options.failurePoints; i += 1) {
    const after = random.below(writes) + 1;
    points.set(after, (points.get(after) ?? 0) + 1);
  }
  return points;
}

/** Replays the workload through one variant; `fsck` checks recovered file systems (null: none is checked). */
export function runVariant(lifecycle: AnyLifecycle, variant: string, workload: Workload, options: EngineOptions, fsck: Fsck | null): VariantRun {
  const driver = lifecycle.workload;
  assert(driver !== undefined, () => `${lifecycle.id} has no workload driver`);
  const info = lifecycle.variant(variant);
  const session = driver.open(variant, workload.geometry);
  const run = new Run(lifecycle, variant, driver, session, workload, options, fsck);
  const { records } = workload;
  const every = Math.max(1, Math.floor(records.length / 200));
  for (let i = 0; i < records.length && run.stalled === null && !run.done; i += 1) {
    const record = records[i]!;
    if (record.type === 'write') run.write(record);
    else run.commitPoint(record);
    if (i % every === 0) run.progress(i);
  }
  if (!run.done) run.drain();
  run.progress(records.length);
  return run.finish(info.kind);
}
