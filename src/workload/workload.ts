/**
 * What `copyspec workload` replays (docs/workload.md): volumes of a fixed geometry and a list of records,
 * host writes and consistency points, in the order the host issues them. A block trace (src/workload/trace.ts),
 * a sequence of disk images (src/workload/images.ts) and the built-in ext4 generator (src/workload/ext4.ts)
 * all become one of these; the engine (src/workload/engine.ts) knows nothing else about where it came from.
 */
import type { WorkloadFault, WorkloadFaultRates, WorkloadGeometry, WorkloadRandom } from '../lifecycle.js';

/**
 * A consistency point: `barrier` is one for every lifecycle; `freeze`, `split` and `backup` only for a
 * lifecycle whose commit is of that kind (`WorkloadDriver.commitKind`), so one trace can carry the points of
 * every kind of lifecycle.
 */
export type CommitPoint = 'barrier' | 'freeze' | 'split' | 'backup';

/** A write's bytes: given, or made from a data seed when the engine replays it (src/workload/random.ts). */
export type WriteData = Uint8Array | { readonly seed: number; readonly length: number };

export type WorkloadRecord =
  | { readonly type: 'write'; readonly time: number; readonly volume: number; readonly offset: number; readonly data: WriteData }
  | { readonly type: CommitPoint; readonly time: number };

export interface Workload {
  /** One line for tables and errata pages: `ext4, 16 MiB, 12 changes, seed 20261121`. */
  readonly title: string;
  readonly geometry: WorkloadGeometry;
  /** `ext4` when every committed image is an ext4 file system that `e2fsck -fn` must find clean. */
  readonly fileSystem: 'ext4' | null;
  readonly records: readonly WorkloadRecord[];
  /** The options that make this workload again, for replay commands: `--ext4 --ext4-size 16`. */
  readonly replayOptions: readonly string[];
}

/** Bytes of the largest track `trackSizeFor` chooses: a copy step, a dump record or a staged unit moves one track. */
export const WORKLOAD_TRACK_BYTES = 64 * 1024;

/**
 * The track (a driver's copy unit) for a workload's volumes: the largest whole number of blocks, of at most
 * WORKLOAD_TRACK_BYTES, that divides the volume, so that every write is whole blocks of whole tracks' volume.
 */
export function trackSizeFor(geometry: WorkloadGeometry): number {
  const { blockSize, volumeBytes } = geometry;
  let blocks = Math.max(1, Math.floor(WORKLOAD_TRACK_BYTES / blockSize));
  while (blocks > 1 && volumeBytes % (blocks * blockSize) !== 0) blocks -= 1;
  return blocks * blockSize;
}

/**
 * A driver's refusal of volumes of more than `maxBytes` together, or null; `why` says what the driver holds of
 * each volume (`extent-copy holds each volume three times ...`).
 */
export function refuseTotalBytes(geometry: WorkloadGeometry, maxBytes: number, why: string): string | null {
  const bytes = geometry.volumeCount * geometry.volumeBytes;
  return bytes > maxBytes ? `${why}; ${bytes} bytes of volumes is more than the ${maxBytes} it is driven with` : null;
}

/** Bytes every write of the workload carries together. */
export function bytesWritten(workload: Workload): number {
  let total = 0;
  for (const record of workload.records) if (record.type === 'write') total += record.data.length;
  return total;
}

/** Every bound of a workload in one place (STYLE.md "Limits and presets"): the engine holds volumes in memory. */
export const WORKLOAD_LIMITS = {
  maxVolumes: 64,
  /** Bytes of one volume. */
  maxVolumeBytes: 1024 * 1024 * 1024,
  /** Bytes of every volume together. */
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
  maxBlockSize: 1024 * 1024,
  /** Records of a trace file. */
  maxRecords: 10_000_000,
  /** Bytes of a trace or image file read. */
  maxFileBytes: 1024 * 1024 * 1024,
} as const;

/** Why a geometry is outside the limits, or null. */
export function geometryProblem(geometry: WorkloadGeometry): string | null {
  const { volumeCount, volumeBytes, blockSize } = geometry;
  if (volumeCount < 1 || volumeCount > WORKLOAD_LIMITS.maxVolumes) return `volumes must be 1 to ${WORKLOAD_LIMITS.maxVolumes}, got ${volumeCount}`;
  if (blockSize < 1 || blockSize > WORKLOAD_LIMITS.maxBlockSize) return `blockSize must be 1 to ${WORKLOAD_LIMITS.maxBlockSize}, got ${blockSize}`;
  if (volumeBytes < blockSize || volumeBytes % blockSize !== 0) return `volumeBytes must be a positive multiple of blockSize ${blockSize}, got ${volumeBytes}`;
  if (volumeBytes > WORKLOAD_LIMITS.maxVolumeBytes) return `volumeBytes must be at most ${WORKLOAD_LIMITS.maxVolumeBytes}, got ${volumeBytes}`;
  if (volumeBytes * volumeCount > WORKLOAD_LIMITS.maxTotalBytes) return `all volumes together must be at most ${WORKLOAD_LIMITS.maxTotalBytes} bytes`;
  return null;
}

/**
 * The order a driver's messages first appeared on its link, and the message a delivery takes by it
 * (docs/workload.md "Faults"): the one sent first, or, at the reorder rate, one of those in flight at random
 * (a `link-reorder` fault only when that is another). freeze-remote-copy's and failover-failback's drivers
 * deliver by it.
 */
export class SendOrder<M extends object> {
  private readonly order = new WeakMap<M, number>();
  private sent = 0;

  /** Numbers a message the first time it is seen on the link. */
  note(message: M): void {
    if (!this.order.has(message)) this.order.set(message, this.sent++);
  }

  /** The index in `inFlight` (not empty, every message noted) of the message the next delivery takes. */
  choose(inFlight: readonly M[], random: WorkloadRandom, rates: WorkloadFaultRates): { index: number; faults: WorkloadFault[] } {
    let index = 0;
    for (let i = 1; i < inFlight.length; i += 1) if (this.order.get(inFlight[i]!)! < this.order.get(inFlight[index]!)!) index = i;
    const faults: WorkloadFault[] = [];
    if (random.chance(rates.reorder)) {
      const other = random.below(inFlight.length);
      if (other !== index) faults.push('link-reorder');
      index = other;
    }
    return { index, faults };
  }
}
