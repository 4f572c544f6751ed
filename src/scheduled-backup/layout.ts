/**
 * scheduled-backup's world layout (src/harness/layout.ts): every field of the subsystem, its devices and the
 * model that the key (src/scheduled-backup/lifecycle.ts) distinguishes, in the harness's terms, so that the
 * exhaustive checker stores a world in a few dozen words instead of its key's 1-2 KB.
 *
 * Tables are the preset's own objects (the initial table and the ones `config.set` offers), held as their
 * number in that list; labels are one of the preset's labels (the disk's, the library's and the tables'). An
 * error of the SVP's list is a CHA or -1 (a reboot error), held as that plus one. A device's and a
 * cartridge's label and a tape's capacity come from the preset, as in the key. The key names an
 * instruction by its entry's reference alone; the entry itself, which a run reads its volume and label from,
 * is carried (src/harness/layout.ts `carried`) as the number of the table it came from, so a rebuilt world
 * holds the very entry objects the first world of its state held. Lists whose length no bound of the preset
 * gives (queues, statuses, errors) are held up to MAX_LIST, far above what a history of the preset schema's
 * bounds makes. test/harness/conformance.ts checks over every embodiment's search that two worlds pack
 * alike exactly when their keys are equal.
 */
import type { SvpStateKey } from '../../machines/scheduled-backup.js';
import { ADAPTER_STATES } from '../../machines/scheduled-backup.js';
import type { BackupModel } from '../../model/scheduled-backup.js';
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import { defineLayout, field, LayoutError, type Unpacked } from '../harness/layout.js';
import { PointInTimeCopy } from '../point-in-time.js';
import { Volume } from '../volume.js';
import type { BackupWorld } from './abstraction.js';
import type { ConfigTable } from './events.js';
import type { BackupPreset } from './lifecycle.js';
import type { AdapterRun, BackupSystem, Cartridge, CatalogEntry, DeviceState, Instruction } from './system.js';
import { backupVariant } from './variants.js';

const SVP_STATES: readonly SvpStateKey[] = ['idle', 'config', 'reboot', 'error'];
const PENDING = [null, 'type', 'label', 'ready', 'stage', 'write', 'rewind'] as const;
const REPORTS = [null, 'normal', 'abnormal'] as const;
const STATUSES = ['instructed', 'ok', 'abend'] as const;
const ENDED = [null, 'normal', 'abnormal'] as const;
/** A list no preset bound limits: queues of instructions, statuses, errors, staged bytes. */
const MAX_LIST = 12;
/** Counts no preset bound limits (staging requests, error reports, catalog units). */
const MAX_COUNT = 255;

const byte = field.uint(255);
const bytesUpTo = (length: number) => field.list(length, byte);

/** The tables a world of the preset can hold: the initial one and those `config.set` offers. */
function tablesOf(preset: BackupPreset): readonly ConfigTable[] {
  return [preset.initialTable, ...preset.tables];
}

function labelsOf(preset: BackupPreset): string[] {
  return [...new Set([preset.disk.label, ...preset.tape.library, ...tablesOf(preset).flatMap((t) => t.entries.map((e) => e.label))])];
}

function tableNumber(preset: BackupPreset, table: ConfigTable): number {
  const number = tablesOf(preset).indexOf(table);
  if (number === -1) throw new LayoutError('table', 'a table that is not one of the preset\'s');
  return number;
}

function shape(variantName: string, preset: BackupPreset) {
  const variant = backupVariant(variantName);
  assert(variant !== undefined, () => `no scheduled-backup variant ${variantName}`);
  const tables = tablesOf(preset);
  const maxChunks = Math.max(1, ...preset.volumeChunks);
  const maxBytes = maxChunks * preset.chunkSize;
  const bounded = (max: number) => field.uint(Math.min(max, 0xffff));
  const time = bounded(preset.horizon);
  const generation = bounded(2 * preset.maxConfigRequests + 2);
  const ref = field.struct({ generation, index: field.uint(Math.max(1, ...tables.map((t) => t.entries.length))) });
  const label = field.choice(labelsOf(preset));
  const adapter = field.uint(preset.adapterCount);
  const volumeNumber = field.uint(preset.volumeChunks.length);
  const deviceCount = preset.devices.length;
  const run = field.struct({
    state: field.choice(ADAPTER_STATES),
    table140: field.struct({ diskFlag: field.bool(), tapeFlag: field.bool(), labelChecked: field.bool(), currentLabel: field.optional(label), mountWait: field.bool() }),
    queue: field.list(MAX_LIST, field.struct({ ref, image: field.optional(field.struct({ pending: field.set(maxChunks), shadow: bytesUpTo(maxBytes) })) })),
    cursor: field.uint(maxChunks + 1),
    cache: field.optional(bytesUpTo(preset.chunkSize)),
    cacheChunk: field.uint(maxChunks),
    stagedCount: field.uint(MAX_COUNT),
    tapesStarted: field.uint(MAX_COUNT),
    pending: field.choice(PENDING),
    report: field.choice(REPORTS),
  });
  const tape = field.struct({
    loaded: field.optional(label),
    position: field.uint(preset.tape.capacity + 1),
    mountRequest: field.optional(label),
    lostWrite: field.bool(),
    cartridges: field.array(preset.tape.library.length, field.struct({ count: field.uint(preset.tape.capacity), volume: field.bytes(preset.tape.capacity * preset.chunkSize) })),
  });
  const disk = field.bytes(preset.disk.chunkCount * preset.chunkSize);
  const destination = variant.control.destination;
  return field.struct({
    hostWrites: bounded(preset.maxHostWrites),
    configRequests: bounded(preset.maxConfigRequests),
    system: field.struct({
      now: time,
      svp: field.struct({
        state: field.choice(SVP_STATES),
        lastChecked: time,
        statuses: field.list(MAX_LIST, field.struct({ ref, adapter, status: field.choice(STATUSES) })),
        requestPending: field.bool(),
        errors: field.list(MAX_LIST, adapter),
      }),
      sharedMemory: field.struct({ table: field.uint(tables.length - 1), generation }),
      active: field.struct({ table: field.uint(tables.length - 1), generation }),
      adapters: field.array(deviceCount, run),
      // A device's kind is the preset's (and, for a destination, the variant's): only its own fields are packed.
      disks: field.array(destination === 'disk' ? preset.devices.filter((d) => d.class === 'destination').length : 0, disk),
      tapes: field.array(destination === 'tape' ? preset.devices.filter((d) => d.class === 'destination').length : 0, tape),
      catalog: field.array(deviceCount, field.optional(field.struct({ ref, label, units: field.uint(MAX_COUNT), volume: volumeNumber }))),
      errorReports: field.array(preset.adapterCount, field.uint(MAX_COUNT)),
      stageMemo: field.list(preset.volumeChunks.length, field.list(maxChunks, field.optional(field.hex(preset.chunkSize)))),
      volumes: field.list(preset.volumeChunks.length, bytesUpTo(maxBytes)),
    }),
    model: field.struct({
      now: time,
      lastPass: time,
      svp: field.choice(SVP_STATES),
      generation,
      table: field.uint(tables.length - 1),
      written: field.optional(field.uint(tables.length - 1)),
      requestPending: field.bool(),
      volumes: field.list(preset.volumeChunks.length, bytesUpTo(maxBytes)),
      queues: field.array(deviceCount, field.list(MAX_LIST, field.struct({
        ref,
        volume: volumeNumber,
        adapter,
        image: bytesUpTo(maxBytes),
        written: field.bool(),
        staged: bytesUpTo(2 * maxBytes),
        ended: field.choice(ENDED),
      }))),
      restorable: field.array(deviceCount, field.optional(field.struct({ ref, image: bytesUpTo(maxBytes) }))),
      errorReports: field.array(preset.adapterCount, field.uint(MAX_COUNT)),
      errors: field.list(MAX_LIST, adapter),
    }),
  });
}

/** For each device, for each instruction of its queue, the number of the table its entry came from. */
function carriedShape(_variant: string, preset: BackupPreset) {
  return field.array(preset.devices.length, field.list(MAX_LIST, field.uint(tablesOf(preset).length - 1)));
}

type Shape = ReturnType<typeof shape>;
type SystemValue = Unpacked<Shape['fields']['system']>;
type ModelValue = Unpacked<Shape['fields']['model']>;

/** A CHA or -1 (a reboot error) as a whole number: one more. */
const errorCode = (error: number): number => error + 1;
const errorOf = (code: number): number => code - 1;

function packSystem(s: BackupSystem, preset: BackupPreset) {
  return {
    now: s.now,
    svp: { ...s.svp, errors: s.svp.errors.map(errorCode) },
    sharedMemory: { table: tableNumber(preset, s.sharedMemory.table), generation: s.sharedMemory.generation },
    active: { table: tableNumber(preset, s.active.table), generation: s.active.generation },
    adapters: s.adapters.map((run) => ({
      ...run,
      queue: run.queue.map((i) => ({ ref: i.ref, image: i.image === null ? null : { pending: i.image.pending, shadow: i.shadow!.contents() } })),
    })),
    disks: s.devices.flatMap((d) => (d.class === 'disk' ? [d.volume.contents()] : [])),
    tapes: s.devices.flatMap((d) => (d.class === 'tape' ? [{ ...d, cartridges: d.cartridges.map((c) => ({ count: c.count, volume: c.volume.contents() })) }] : [])),
    catalog: s.catalog,
    errorReports: s.errorReports,
    stageMemo: s.stageMemo,
    volumes: s.volumes.map((v) => v.contents()),
  };
}

function packModel(m: BackupModel, preset: BackupPreset) {
  return {
    ...m,
    table: tableNumber(preset, m.table),
    written: m.written === null ? null : tableNumber(preset, m.written),
    errors: m.errors.map(errorCode),
  };
}

function entryOf(preset: BackupPreset, table: number, index: number): Instruction['entry'] {
  const entry = tablesOf(preset)[table]!.entries[index];
  assert(entry !== undefined, () => `no entry ${index} in table ${table}`);
  return entry;
}

function unpackDevices(value: SystemValue, preset: BackupPreset): DeviceState[] {
  let disks = 0;
  let tapes = 0;
  return preset.devices.map((template): DeviceState => {
    if (template.class === 'other') return { class: 'other' };
    if (value.disks.length > 0) {
      const bytes = value.disks[disks++]!;
      return { class: 'disk', label: preset.disk.label, volume: new Volume(preset.disk.chunkCount, preset.chunkSize, bytes) };
    }
    const tape = value.tapes[tapes++]!;
    const cartridges: Cartridge[] = tape.cartridges.map((c, i) => ({ label: preset.tape.library[i]!, volume: new Volume(preset.tape.capacity, preset.chunkSize, c.volume), count: c.count }));
    return { class: 'tape', capacity: preset.tape.capacity, loaded: tape.loaded, position: tape.position, mountRequest: tape.mountRequest, cartridges, lostWrite: tape.lostWrite };
  });
}

function unpackSystem(value: SystemValue, preset: BackupPreset, entryTables: readonly (readonly number[])[]): BackupSystem {
  const tables = tablesOf(preset);
  const adapters = value.adapters.map((run, device): AdapterRun => ({
    state: run.state,
    table140: run.table140,
    queue: run.queue.map((i, k): Instruction => {
      const entry = entryOf(preset, entryTables[device]![k]!, i.ref.index);
      const chunks = preset.volumeChunks[entry.volume]!;
      return {
        ref: i.ref,
        entry,
        image: i.image === null ? null : PointInTimeCopy.over(Bitmap.of(chunks, i.image.pending)),
        shadow: i.image === null ? null : new Volume(chunks, preset.chunkSize, Uint8Array.from(i.image.shadow)),
      };
    }),
    cursor: run.cursor,
    cache: run.cache === null ? null : Uint8Array.from(run.cache),
    cacheChunk: run.cacheChunk,
    stagedCount: run.stagedCount,
    tapesStarted: run.tapesStarted,
    pending: run.pending,
    report: run.report,
  }));
  return {
    now: value.now,
    volumes: value.volumes.map((bytes, i) => new Volume(preset.volumeChunks[i]!, preset.chunkSize, Uint8Array.from(bytes))),
    svp: { state: value.svp.state, lastChecked: value.svp.lastChecked, statuses: value.svp.statuses, requestPending: value.svp.requestPending, errors: value.svp.errors.map(errorOf) },
    sharedMemory: { table: tables[value.sharedMemory.table]!, generation: value.sharedMemory.generation },
    active: { table: tables[value.active.table]!, generation: value.active.generation },
    adapters,
    devices: unpackDevices(value, preset),
    catalog: value.catalog.map((c): CatalogEntry | null => c),
    errorReports: value.errorReports,
    stageMemo: value.stageMemo,
  };
}

function unpackModel(value: ModelValue, preset: BackupPreset): BackupModel {
  const tables = tablesOf(preset);
  return {
    now: value.now,
    lastPass: value.lastPass,
    svp: value.svp,
    table: tables[value.table]!,
    generation: value.generation,
    written: value.written === null ? null : tables[value.written]!,
    requestPending: value.requestPending,
    volumes: value.volumes,
    queues: value.queues,
    restorable: value.restorable,
    errorReports: value.errorReports,
    errors: value.errors.map(errorOf),
  };
}

export const scheduledBackupLayout = defineLayout<BackupWorld, BackupPreset, Shape, ReturnType<typeof carriedShape>>({
  shape,
  pack: (world: BackupWorld) => {
    const preset = world.geometry as BackupPreset;
    return { hostWrites: world.hostWrites, configRequests: world.configRequests, system: packSystem(world.system, preset), model: packModel(world.model, preset) };
  },
  carried: {
    shape: carriedShape,
    pack: (world: BackupWorld) => world.system.adapters.map((run) => run.queue.map((i) => {
      const table = tablesOf(world.geometry as BackupPreset).findIndex((t) => t.entries[i.ref.index] === i.entry);
      if (table === -1) throw new LayoutError('carried', 'an instruction\'s entry that is not in any of the preset\'s tables');
      return table;
    })),
  },
  unpack({ hostWrites, configRequests, system, model }, variantName, preset, entryTables): BackupWorld {
    const variant = backupVariant(variantName);
    assert(variant !== undefined, () => `no scheduled-backup variant ${variantName}`);
    return { system: unpackSystem(system, preset, entryTables), model: unpackModel(model, preset), variant, geometry: preset, hostWrites, configRequests };
  },
});
