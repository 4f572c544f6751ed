/**
 * The state of the storage subsystem 20 and its backup device 30 (seed 004 Fig. 2, Fig. 5): target volumes
 * of real bytes, the SVP's schedule and status, configuration table 100 in shared memory 60 and as loaded by
 * the CHAs, one backup information table 140 per device address (in shared memory, A16), each device's FIFO
 * of instructions (A9), the restore catalog (A17), and device 30's media: a disk volume, or a tape drive and
 * its library of labelled cartridges. Plain data apart from `Volume` and `PointInTimeCopy`, which the
 * controller clones copy-on-write.
 *
 * Abstracted away: cache 70 beyond the one staged chunk a backup CHA holds, the DKAs' disk mapping, bus
 * timing, the operator's UI, the host-facing CHAs' I/O (only their sticky error status, A18, is kept), and
 * power failures (a reboot is the only power cycle; spec/004 A16 is kept by holding 140 in shared memory).
 */
import type { AdapterStateKey, SvpStateKey } from '../../machines/scheduled-backup.js';
import { PointInTimeCopy } from '../point-in-time.js';
import { Volume } from '../volume.js';
import type { BackupGeometry, ConfigEntry, ConfigTable } from './events.js';

/** An entry of one generation of table 100: a table loaded by a reboot is generation n + 1. */
export interface EntryRef {
  readonly generation: number;
  readonly index: number;
}

/** Table 140 (Fig. 5, 【0041】-【0044】). */
export interface Table140 {
  readonly diskFlag: boolean;
  readonly tapeFlag: boolean;
  readonly labelChecked: boolean;
  readonly currentLabel: string | null;
  readonly mountWait: boolean;
}

export const CLEAR_140: Table140 = { diskFlag: false, tapeFlag: false, labelChecked: false, currentLabel: null, mountWait: false };

/** A backup instruction the SVP sent (202), as the device's CHA holds it; the point-in-time image if any. */
export interface Instruction {
  readonly ref: EntryRef;
  readonly entry: ConfigEntry;
  /** Point-in-time variant: the copy-before-write image taken at the trigger, and where the old tracks go. */
  readonly image: PointInTimeCopy | null;
  readonly shadow: Volume | null;
}

/** What the device or a DKA owes the CHA an answer to. */
export type Pending = 'type' | 'label' | 'ready' | 'stage' | 'write' | 'rewind' | null;

/** One backup CHA's work on one device address. */
export interface AdapterRun {
  state: AdapterStateKey;
  table140: Table140;
  /** Instructions for this device, first in first out (A9); the head is the running one unless idle. */
  queue: Instruction[];
  /** The next chunk to stage (A2). */
  cursor: number;
  /** The staged chunk in cache 70 and its index, until the device has stored it. */
  cache: Uint8Array | null;
  cacheChunk: number;
  /** Staging requests of this run (the bound P7 needs, A15). */
  stagedCount: number;
  /** Tapes whose label check this run has passed (P4). */
  tapesStarted: number;
  pending: Pending;
  /** The report waiting in normal-end/abnormal-end for the SVP's pass. */
  report: 'normal' | 'abnormal' | null;
}

/** A cartridge of the library: its label, its units, and how many are recorded from the load point. */
export interface Cartridge {
  readonly label: string;
  volume: Volume;
  count: number;
}

export type DeviceState =
  | { readonly class: 'disk'; readonly label: string; volume: Volume }
  | { readonly class: 'tape'; readonly capacity: number; loaded: string | null; position: number; mountRequest: string | null; cartridges: Cartridge[]; lostWrite: boolean }
  | { readonly class: 'other' };

/** The last normal end on a device, until another run starts there (A17's restore reads it). */
export interface CatalogEntry {
  readonly ref: EntryRef;
  readonly label: string;
  readonly units: number;
  readonly volume: number;
}

export interface EntryStatus {
  readonly ref: EntryRef;
  readonly adapter: number;
  status: 'instructed' | 'ok' | 'abend';
}

export interface SvpRecord {
  state: SvpStateKey;
  /** The time of the last pass that checked the schedule (A1). */
  lastChecked: number;
  /** Per instructed entry (A4). */
  statuses: EntryStatus[];
  /** A configuration request waiting for every CHA to be idle (A7). */
  requestPending: boolean;
  /** In `error`: for each error to report, the CHA that does not report it (121), or -1 for a reboot error. */
  errors: number[];
}

export interface BackupSystem {
  now: number;
  volumes: Volume[];
  svp: SvpRecord;
  sharedMemory: { table: ConfigTable; generation: number };
  active: { table: ConfigTable; generation: number };
  adapters: AdapterRun[];
  devices: DeviceState[];
  catalog: (CatalogEntry | null)[];
  /** Per CHA, how many errors step 211 told it to report (A18's sticky status, counted). */
  errorReports: number[];
  /** BROKEN stale-stage-cache only: chunks a staging read left in cache, per volume, as hex. */
  stageMemo: (string | null)[][];
}

export function initialSystem(destination: 'disk' | 'tape', geometry: BackupGeometry): BackupSystem {
  const devices: DeviceState[] = geometry.devices.map((template) => {
    if (template.class === 'other') return { class: 'other' };
    if (destination === 'disk') return { class: 'disk', label: geometry.disk.label, volume: new Volume(geometry.disk.chunkCount, geometry.chunkSize) };
    const cartridges = geometry.tape.library.map((label) => ({ label, volume: new Volume(geometry.tape.capacity, geometry.chunkSize), count: 0 }));
    return { class: 'tape', capacity: geometry.tape.capacity, loaded: null, position: 0, mountRequest: null, cartridges, lostWrite: false };
  });
  return {
    now: 0,
    volumes: geometry.volumeChunks.map((chunks) => new Volume(chunks, geometry.chunkSize)),
    svp: { state: 'idle', lastChecked: 0, statuses: [], requestPending: false, errors: [] },
    sharedMemory: { table: geometry.initialTable, generation: 0 },
    active: { table: geometry.initialTable, generation: 0 },
    adapters: geometry.devices.map(() => idleRun()),
    devices,
    catalog: geometry.devices.map(() => null),
    errorReports: new Array<number>(geometry.adapterCount).fill(0),
    stageMemo: geometry.volumeChunks.map((chunks) => new Array<string | null>(chunks).fill(null)),
  };
}

export function idleRun(): AdapterRun {
  return { state: 'idle', table140: CLEAR_140, queue: [], cursor: 0, cache: null, cacheChunk: 0, stagedCount: 0, tapesStarted: 0, pending: null, report: null };
}

function cloneInstruction(instruction: Instruction): Instruction {
  if (instruction.image === null) return instruction;
  return { ...instruction, image: instruction.image.clone(), shadow: instruction.shadow!.clone() };
}

function cloneDevice(device: DeviceState): DeviceState {
  if (device.class === 'other') return device;
  if (device.class === 'disk') return { ...device, volume: device.volume.clone() };
  return { ...device, cartridges: device.cartridges.map((c) => ({ label: c.label, volume: c.volume.clone(), count: c.count })) };
}

/** An independent copy: volumes and images are copied only when written (Volume.clone). */
export function cloneSystem(s: BackupSystem): BackupSystem {
  return {
    now: s.now,
    volumes: s.volumes.map((v) => v.clone()),
    svp: { ...s.svp, statuses: s.svp.statuses.map((x) => ({ ...x })), errors: [...s.svp.errors] },
    sharedMemory: s.sharedMemory,
    active: s.active,
    adapters: s.adapters.map((run) => ({ ...run, queue: run.queue.map(cloneInstruction) })),
    devices: s.devices.map(cloneDevice),
    // Shared until written: the writers replace these arrays rather than change them.
    catalog: s.catalog,
    errorReports: s.errorReports,
    stageMemo: s.stageMemo,
  };
}

/**
 * inc() of step 703 (【0096】: SSC001 → SSC002) as spec/004 A12 reads it: the trailing decimal field plus one,
 * keeping its width; null when it would overflow the width or there is no such field.
 */
export function incrementLabel(label: string): string | null {
  let end = label.length;
  while (end > 0 && label.charCodeAt(end - 1) >= 48 && label.charCodeAt(end - 1) <= 57) end -= 1;
  const digits = label.slice(end);
  if (digits.length === 0) return null;
  const next = String(Number(digits) + 1);
  return next.length > digits.length ? null : label.slice(0, end) + next.padStart(digits.length, '0');
}

/** Whether check 208 passes: every entry's CHA 121 has its bit set in 102 (【0052】). */
export function passesCheck208(table: ConfigTable): boolean {
  return table.entries.every((entry) => table.backupAdapters[entry.adapter] === '1');
}
