/**
 * The refinement mapping of scheduled-backup: the controller's state in the model's terms (TLA+'s "mapping
 * between them", STYLE.md). Properties read the controller only through `abstractOf`: volumes and media as
 * byte arrays, queues as entry references, table 140 as its five fields; the world and outcome types the
 * properties are written over are defined here too.
 */
import type { AdapterStateKey, BackupControl, SvpStateKey } from '../../machines/scheduled-backup.js';
import type { BackupModel, ModelAnswer } from '../../model/scheduled-backup.js';
import { runVolume, type StepLog } from './adapter.js';
import type { BackupOutcome } from './controller.js';
import type { BackupGeometry, ConfigTable } from './events.js';
import type { BackupSystem, Table140 } from './system.js';
import type { BackupVariant } from './variants.js';

export type { BackupOutcome } from './controller.js';

export interface BackupWorld {
  readonly system: BackupSystem;
  readonly model: BackupModel;
  readonly variant: BackupVariant;
  readonly geometry: BackupGeometry;
  /** Bounds the exhaustive alphabet counts per history (host writes, configuration requests). */
  readonly hostWrites: number;
  readonly configRequests: number;
}

export interface BackupStepOutcome {
  readonly controller: BackupOutcome;
  readonly model: ModelAnswer;
}

export interface AdapterAbstract {
  readonly state: AdapterStateKey;
  readonly table140: Table140;
  /** The device's queue as `generation:index`, head first. */
  readonly queue: readonly string[];
  /** Whether the head has reported its end. */
  readonly reported: boolean;
  readonly stagedCount: number;
  readonly tapesStarted: number;
  /** The head's entry: its first label, its target volume 120, and the volume the CHA stages from now. */
  readonly firstLabel: string | null;
  readonly entryVolume: number | null;
  readonly stagingVolume: number | null;
}

export interface BackupAbstract {
  readonly control: BackupControl;
  readonly now: number;
  readonly svp: SvpStateKey;
  readonly lastChecked: number;
  readonly volumes: readonly Uint8Array[];
  readonly sharedMemory: ConfigTable;
  readonly active: { readonly table: ConfigTable; readonly generation: number };
  readonly adapters: readonly AdapterAbstract[];
  /** Entries the SVP holds as instructed and not yet ended (A4), as `generation:index`. */
  readonly instructed: readonly string[];
  readonly instructedCount: number;
  readonly errorReports: readonly number[];
}

const abstracts = new WeakMap<BackupSystem, BackupAbstract>();

/** The abstraction of a system, made once per system object (a world's system never changes). */
export function abstractOf(system: BackupSystem, variant: BackupVariant, geometry: BackupGeometry): BackupAbstract {
  let found = abstracts.get(system);
  if (found === undefined) {
    const ctx = { system, variant, geometry, log: null as unknown as StepLog, spare: null };
    found = {
      control: variant.control,
      now: system.now,
      svp: system.svp.state,
      lastChecked: system.svp.lastChecked,
      volumes: system.volumes.map((v) => v.contents()),
      sharedMemory: system.sharedMemory.table,
      active: system.active,
      adapters: system.adapters.map((run) => ({
        state: run.state,
        table140: run.table140,
        queue: run.queue.map((i) => `${i.ref.generation}:${i.ref.index}`),
        reported: run.report !== null,
        stagedCount: run.stagedCount,
        tapesStarted: run.tapesStarted,
        firstLabel: run.queue[0]?.entry.label ?? null,
        entryVolume: run.queue[0]?.entry.volume ?? null,
        stagingVolume: run.queue.length > 0 && run.state !== 'idle' ? runVolume(ctx, run) : null,
      })),
      instructed: system.svp.statuses.filter((s) => s.status === 'instructed').map((s) => `${s.ref.generation}:${s.ref.index}`),
      instructedCount: system.svp.statuses.length,
      errorReports: system.errorReports,
    };
    abstracts.set(system, found);
  }
  return found;
}

/**
 * What a device holds for a run of `units` units: a disk's first chunks, or the units recorded on the
 * run's tapes 123, inc(123), … in order (each from its load point), read up to `units`.
 */
export function destinationImage(system: BackupSystem, device: number, firstLabel: string, tapes: number, units: number, chunkSize: number, next: (label: string) => string | null): number[] {
  const medium = system.devices[device]!;
  if (medium.class === 'disk') return [...medium.volume.contents().subarray(0, Math.min(units, medium.volume.trackCount) * chunkSize)];
  if (medium.class !== 'tape') return [];
  const bytes: number[] = [];
  let remaining = units;
  let label: string | null = firstLabel;
  for (let tape = 0; tape < tapes && label !== null && remaining > 0; tape += 1) {
    const cartridge = medium.cartridges.find((c) => c.label === label);
    if (cartridge === undefined) break;
    const take = Math.min(cartridge.count, remaining);
    bytes.push(...cartridge.volume.contents().subarray(0, take * chunkSize));
    remaining -= take;
    label = next(label);
  }
  return bytes;
}

/** The instructions the SVP sent in a step (202), as entry references with the CHA they went to. */
export function freshInstructions(before: BackupSystem, after: BackupSystem): readonly { readonly generation: number; readonly index: number; readonly adapter: number }[] {
  const count = before.svp.statuses.length;
  if (after.svp.statuses.length === count) return [];
  return after.svp.statuses.slice(count).map((s) => ({ generation: s.ref.generation, index: s.ref.index, adapter: s.adapter }));
}

/** The step's log, or an empty one for a refused command. */
export function logOf(outcome: BackupStepOutcome): StepLog | null {
  return outcome.controller.accepted ? outcome.controller.log : null;
}
