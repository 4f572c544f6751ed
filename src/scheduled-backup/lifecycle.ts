/**
 * scheduled-backup (seed 004) as the verifier sees it: presets, the world (the subsystem and its backup
 * device, plus the model), the exhaustive alphabet, the key, the observations vectors carry, traces, and the
 * `copyspec simulate` hook (src/scheduled-backup/simulation.ts).
 *
 * The minimal preset's bounds, and why: a 3-chunk volume and a zero-length one (A15) backed up to one
 * device, disk or tape as the variant says, by an entry due at tick 1 and a second due at tick 2 (so a skipped
 * tick makes both due at once, A1 and A9), the second to label BK9, which the disk does not carry; tapes of
 * 2 units, labelled BK8 and BK9 in a one-digit field, so a 3-chunk volume fills one or two tapes, or
 * overflows the label (A12) when the drive reports end of tape early; a second device of an unknown type
 * that only the alternate table uses; at most one host write (of one value, to any chunk) and one
 * configuration request per history, with an alternate table B and one that fails check 208; ticks of 1 or
 * 2 up to tick 4.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { adapterMachine, svpMachine } from '../../machines/scheduled-backup.js';
import { applyModel, initialModel, learn, type BackupModel } from '../../model/scheduled-backup.js';
import { BACKUP_PROPERTIES } from '../../properties/scheduled-backup.js';
import { assert } from '../assert.js';
import { defineLifecycle } from '../harness/define.js';
import { toHex } from '../hex.js';
import type { Pin, Presets } from '../lifecycle.js';
import type { BackupStepOutcome, BackupWorld } from './abstraction.js';
import { stepSystem } from './controller.js';
import { scheduledBackupLayout } from './layout.js';
import { backupEventSchema, formatBackupEvent, formatTable, type BackupEvent, type BackupGeometry, type ConfigTable } from './events.js';
import { runSimulation, SIMULATION_DESCRIPTION } from './simulation.js';
import { initialSystem, type BackupSystem } from './system.js';
import { BACKUP_VARIANTS, backupVariant, type BackupVariant } from './variants.js';
import { scheduledBackupWorkload } from './workload.js';

export interface BackupPreset extends BackupGeometry {
  /** Tables the exhaustive alphabet offers to `config.set`. */
  readonly tables: readonly ConfigTable[];
  /** The last tick the exhaustive alphabet goes to, and its tick lengths. */
  readonly horizon: number;
  readonly tickLengths: readonly number[];
  /** Byte values host writes use in the exhaustive alphabet, and how many writes one history has at most. */
  readonly values: readonly number[];
  readonly maxHostWrites: number;
  readonly maxConfigRequests: number;
}

const TABLE_A: ConfigTable = {
  backupAdapters: '01',
  entries: [
    { volume: 0, adapter: 1, device: 0, label: 'BK8', start: 1 },
    { volume: 1, adapter: 1, device: 0, label: 'BK9', start: 2 },
  ],
};
/*
 * The alternate tables, one purpose each. A control path of the adapter machine starts from its idle state,
 * so the branch it takes after the label check is decided by the first entry a table makes due: B's is the
 * zero-length volume to the disk's own label (tape BK8), D's a 3-chunk volume to label BK9 (the disk does not
 * carry it; on tape its first end of tape overflows the label), E's a volume on the device of unknown type,
 * F's a one-chunk volume. B then backs volume 0 up a second time (a stale staging cache shows there), and
 * E's and F's entry 0 is volume 2, which the literal A6 flow switches a running save of volume 0 to.
 */
const TABLE_B: ConfigTable = {
  backupAdapters: '01',
  entries: [{ volume: 0, adapter: 1, device: 0, label: 'BK8', start: 4 }, { volume: 1, adapter: 1, device: 0, label: 'BK8', start: 3 }],
};
const TABLE_D: ConfigTable = { backupAdapters: '01', entries: [{ volume: 0, adapter: 1, device: 0, label: 'BK9', start: 4 }] };
const TABLE_E: ConfigTable = { backupAdapters: '01', entries: [{ volume: 2, adapter: 1, device: 1, label: 'BK8', start: 3 }] };
/** A one-chunk volume first, so that a path's first write is also its last. */
const TABLE_F: ConfigTable = {
  backupAdapters: '01',
  entries: [{ volume: 2, adapter: 1, device: 0, label: 'BK8', start: 4 }, { volume: 3, adapter: 1, device: 0, label: 'BK8', start: 3 }],
};
/** A table check 208 refuses: its entry's CHA 1 has no bit in 102. */
const TABLE_C: ConfigTable = { backupAdapters: '10', entries: [{ volume: 0, adapter: 1, device: 0, label: 'BK8', start: 3 }] };

/**
 * The standard table serves disks and tapes alike: two entries of volume 0 on two devices (a stale staging
 * cache shows), labels the disks do not carry (TAP001, SSC999), a volume larger than a disk (A10), a
 * zero-length volume (A15), a label series one tape from overflow (A12) and a device of unknown type.
 */
const STANDARD_TABLE: ConfigTable = {
  backupAdapters: '0011',
  entries: [
    { volume: 0, adapter: 2, device: 0, label: 'SSC001', start: 2 },
    { volume: 1, adapter: 2, device: 0, label: 'TAP001', start: 3 },
    { volume: 2, adapter: 3, device: 1, label: 'SSC001', start: 3 },
    { volume: 3, adapter: 3, device: 1, label: 'SSC001', start: 6 },
    { volume: 0, adapter: 3, device: 1, label: 'SSC001', start: 8 },
    { volume: 1, adapter: 2, device: 0, label: 'SSC999', start: 9 },
    { volume: 1, adapter: 3, device: 2, label: 'SSC001', start: 10 },
  ],
};

/** Every bound in one place (STYLE.md "Limits and presets"). */
const MINIMAL: BackupPreset = {
  chunkSize: 1, volumeChunks: [3, 0, 3, 1], adapterCount: 2, devices: [{ class: 'destination' }, { class: 'other' }],
  disk: { label: 'BK8', chunkCount: 3 }, tape: { library: ['BK8', 'BK9'], capacity: 2 },
  initialTable: TABLE_A, tables: [TABLE_B, TABLE_C, TABLE_D, TABLE_E, TABLE_F], horizon: 4, tickLengths: [1, 2], values: [1], maxHostWrites: 1, maxConfigRequests: 1,
};

export const BACKUP_PRESETS: Presets<BackupPreset> = {
  minimal: MINIMAL,
  /**
   * The nightly exhaustive search (issue 12 item 3): the minimal preset with two host writes per history, of
   * two values, so that a write lands before and after an image's trigger in one history, and two writes to
   * one chunk tell the image's value from the later one.
   */
  deep: { ...MINIMAL, values: [1, 2], maxHostWrites: 2 },
  standard: {
    chunkSize: 2, volumeChunks: [5, 3, 0, 6], adapterCount: 4, devices: [{ class: 'destination' }, { class: 'destination' }, { class: 'other' }],
    disk: { label: 'SSC001', chunkCount: 5 }, tape: { library: ['SSC001', 'SSC002', 'SSC003', 'SSC004', 'TAP001', 'TAP002', 'SSC998', 'SSC999'], capacity: 3 },
    initialTable: STANDARD_TABLE,
    tables: [
      { backupAdapters: '0011', entries: [{ volume: 3, adapter: 2, device: 0, label: 'SSC001', start: 12 }, { volume: 1, adapter: 3, device: 1, label: 'TAP001', start: 14 }] },
      { backupAdapters: '0001', entries: [{ volume: 0, adapter: 2, device: 0, label: 'SSC001', start: 20 }] },
    ],
    horizon: Number.MAX_SAFE_INTEGER, tickLengths: [1, 2, 3], values: [], maxHostWrites: Number.MAX_SAFE_INTEGER, maxConfigRequests: Number.MAX_SAFE_INTEGER,
  },
};

const distinct = (values: readonly number[]): boolean => new Set(values).size === values.length;

/**
 * What a preset file may set (README "Presets"): the bounds of a history over the minimal preset's volumes,
 * devices, labels and tables, which its control paths and the tables' comments (above) are written for. The
 * last tick 1 to 8, tick lengths among 1, 2 and 3, 1 to 3 distinct written values of 1-255, up to 3 host
 * writes and 2 configuration requests per history.
 */
const presetSchema: z.ZodType<BackupPreset> = z.object({
  horizon: z.number().int().min(1).max(8),
  tickLengths: z.array(z.number().int().min(1).max(3)).min(1).max(3).refine(distinct, 'tick lengths must be distinct'),
  values: z.array(z.number().int().min(1).max(255)).min(1).max(3).refine(distinct, 'written values must be distinct'),
  maxHostWrites: z.number().int().min(0).max(3),
  maxConfigRequests: z.number().int().min(0).max(2),
}).strict().transform((bounds): BackupPreset => ({ ...MINIMAL, ...bounds }));

/**
 * Reachable worlds and machine transitions (both machines together) of every embodiment over the minimal
 * preset. Pinned so that a change to the spec shows in review: if one of these moves, say why in the commit.
 */
export const BACKUP_PINNED: Readonly<Record<string, Pin>> = {
  disk: { states: 2891, transitions: 22 },
  tape: { states: 45235, transitions: 34 },
  'point-in-time': { states: 2891, transitions: 22 },
};

function variantNamed(name: string): BackupVariant {
  const variant = backupVariant(name);
  assert(variant !== undefined, () => `no scheduled-backup variant ${name}`);
  return variant;
}

export function initialWorld(variantName: string, geometry: BackupGeometry): BackupWorld {
  const variant = variantNamed(variantName);
  return { system: initialSystem(variant.control.destination, geometry), model: initialModel(geometry), variant, geometry, hostWrites: 0, configRequests: 0 };
}

function step(world: BackupWorld, event: BackupEvent): { after: BackupWorld; outcome: BackupStepOutcome } {
  const { system, outcome: controller } = stepSystem(world.system, event, world.variant, world.geometry);
  const applied = applyModel(world.model, event, world.variant.control, world.geometry);
  let model = applied.model;
  if (controller.accepted) model = learn(model, controller.log, world.variant.control, world.geometry);
  const outcome = { controller, model: applied.answer };
  if (system === world.system && model === world.model) return { after: world, outcome };
  const counted = controller.accepted;
  return {
    after: {
      system, model, variant: world.variant, geometry: world.geometry,
      hostWrites: world.hostWrites + (counted && event.type === 'host.write' ? 1 : 0),
      configRequests: world.configRequests + (counted && event.type === 'config.request' ? 1 : 0),
    },
    outcome,
  };
}

// ---------------------------------------------------------------- key

function bytes(volume: { contents(): Uint8Array }): string {
  return toHex(volume.contents());
}

/** Tables by identity: the preset's tables are shared objects, so most keys name a table by its index. */
const tableIds = new WeakMap<ConfigTable, string>();

function tableKey(table: ConfigTable): string {
  let id = tableIds.get(table);
  if (id === undefined) {
    id = JSON.stringify(table);
    tableIds.set(table, id);
  }
  return id;
}

const refKey = (ref: { readonly generation: number; readonly index: number }): string => `${ref.generation}:${ref.index}`;
const numbers = (values: readonly number[]): string => values.join('.');

function adapterKey(run: BackupSystem['adapters'][number]): string {
  const t = run.table140;
  const queue = run.queue.map((i) => `${refKey(i.ref)}${i.image === null ? '' : `/${i.image.pending.toString()}/${bytes(i.shadow!)}`}`).join(',');
  return `${run.state} ${t.diskFlag ? 1 : 0}${t.tapeFlag ? 1 : 0}${t.labelChecked ? 1 : 0}${t.mountWait ? 1 : 0}${t.currentLabel ?? '-'} ${queue} `
    + `${run.cursor} ${run.cache === null ? '-' : toHex(run.cache)} ${run.cacheChunk} ${run.stagedCount} ${run.tapesStarted} ${run.pending ?? '-'} ${run.report ?? '-'}`;
}

function deviceKey(d: BackupSystem['devices'][number]): string {
  if (d.class === 'disk') return bytes(d.volume);
  if (d.class === 'other') return 'o';
  return `${d.loaded ?? '-'}@${d.position}/${d.mountRequest ?? '-'}/${d.lostWrite ? 1 : 0}/${d.cartridges.map((c) => `${c.count}:${bytes(c.volume)}`).join(',')}`;
}

function systemKey(s: BackupSystem): string {
  const catalog = s.catalog.map((c) => (c === null ? '-' : `${refKey(c.ref)}/${c.label}/${c.units}/${c.volume}`));
  return [
    s.now, s.svp.state, s.svp.lastChecked, s.svp.statuses.map((x) => `${refKey(x.ref)}:${x.status}`).join(','), s.svp.requestPending ? 1 : 0, s.svp.errors.join(','),
    s.sharedMemory.generation, tableKey(s.sharedMemory.table), s.active.generation,
    s.adapters.map(adapterKey).join('|'), s.devices.map(deviceKey).join('|'), catalog.join('|'), s.errorReports.join(','),
    s.stageMemo.map((m) => m.join(',')).join('|'), s.volumes.map(bytes).join('|'),
  ].join('#');
}

function modelKey(m: BackupModel): string {
  const queues = m.queues.map((q) => q.map((r) => `${refKey(r.ref)}/${r.volume}/${r.adapter}/${numbers(r.image)}/${r.written ? 1 : 0}/${numbers(r.staged)}/${r.ended ?? '-'}`).join(',')).join('|');
  const restorable = m.restorable.map((r) => (r === null ? '-' : `${refKey(r.ref)}/${numbers(r.image)}`)).join('|');
  return [
    m.now, m.lastPass, m.svp, m.generation, tableKey(m.table), m.written === null ? '-' : tableKey(m.written), m.requestPending ? 1 : 0,
    m.volumes.map(numbers).join('|'), queues, restorable, m.errorReports.join(','), m.errors.join(','),
  ].join('#');
}

const keys = new WeakMap<BackupWorld, string>();

/** Every field of the system and the model, in a fixed order; worlds never change, so a key is made once. */
function key(world: BackupWorld): string {
  let found = keys.get(world);
  if (found === undefined) {
    found = `${world.hostWrites}${world.configRequests}#${systemKey(world.system)}#${modelKey(world.model)}`;
    keys.set(world, found);
  }
  return found;
}

// ---------------------------------------------------------------- alphabets

const alphabets = new WeakMap<BackupPreset, readonly BackupEvent[]>();

/** Every command the minimal preset offers, and one of each argument rejection. */
function fixedAlphabet(preset: BackupPreset): readonly BackupEvent[] {
  const known = alphabets.get(preset);
  if (known !== undefined) return known;
  const events: BackupEvent[] = [];
  preset.devices.forEach((_, device) => {
    events.push({ type: 'stage.complete', device }, { type: 'device.answer', device }, { type: 'device.eot', device }, { type: 'device.eom', device }, { type: 'device.error', device });
    for (const label of preset.tape.library) events.push({ type: 'operator.mount', device, label });
    events.push({ type: 'operator.mount-requested', device }, { type: 'operator.unload', device });
  });
  events.push({ type: 'config.request' }, { type: 'reboot.complete' }, { type: 'reboot.fail' });
  for (const table of preset.tables) events.push({ type: 'config.set', table });
  preset.initialTable.entries.forEach((_, entry) => events.push({ type: 'backup.restore', entry }));
  const bytesOf0 = preset.volumeChunks[0]! * preset.chunkSize;
  events.push(
    { type: 'timer.tick', by: 0 },
    { type: 'host.write', volume: 0, offset: 0, data: 'zz' },
    { type: 'host.write', volume: preset.volumeChunks.length, offset: 0, data: '01' },
    { type: 'host.write', volume: 0, offset: bytesOf0, data: '01' },
    { type: 'host.write', volume: 0, offset: bytesOf0 - 1, data: '0101' },
    { type: 'operator.mount', device: 0, label: 'BK7' },
    { type: 'device.answer', device: preset.devices.length },
    { type: 'backup.restore', entry: 9 },
    { type: 'config.set', table: { backupAdapters: '2', entries: [] } },
  );
  alphabets.set(preset, events);
  return events;
}

const writes = new WeakMap<BackupPreset, readonly BackupEvent[]>();

function hostWrites(preset: BackupPreset): readonly BackupEvent[] {
  let found = writes.get(preset);
  if (found === undefined) {
    found = [];
    for (let chunk = 0; chunk < preset.volumeChunks[0]!; chunk += 1) {
      for (const value of preset.values) (found as BackupEvent[]).push({ type: 'host.write', volume: 0, offset: chunk * preset.chunkSize, data: toHex(new Array<number>(preset.chunkSize).fill(value)) });
    }
    writes.set(preset, found);
  }
  return found;
}

const TICKS = [1, 2, 3].map((by): BackupEvent => ({ type: 'timer.tick', by }));

function exhaustiveEvents(world: BackupWorld): readonly BackupEvent[] {
  const preset = world.geometry as BackupPreset;
  // Past the bound a request is still offered where it is refused (busy), which changes nothing.
  const requests = world.configRequests < preset.maxConfigRequests || world.system.svp.state === 'config' || world.system.svp.requestPending;
  const events = fixedAlphabet(preset).filter((event) => event.type !== 'config.request' || requests);
  for (const by of preset.tickLengths) if (world.system.now + by <= preset.horizon) events.push(TICKS[by - 1]!);
  if (world.hostWrites < preset.maxHostWrites) events.push(...hostWrites(preset));
  return events;
}

function eventArbitrary(preset: BackupPreset): fc.Arbitrary<BackupEvent> {
  const devices = preset.devices.length;
  const device = fc.oneof({ arbitrary: fc.integer({ min: 0, max: devices - 1 }), weight: 30 }, { arbitrary: fc.constant(devices), weight: 1 });
  const volume = fc.oneof({ arbitrary: fc.integer({ min: 0, max: preset.volumeChunks.length - 1 }), weight: 30 }, { arbitrary: fc.constant(preset.volumeChunks.length), weight: 1 });
  const write = fc.record({ volume, offset: fc.integer({ min: 0, max: 14 }), data: fc.uint8Array({ minLength: 1, maxLength: 2 * preset.chunkSize }).map(toHex) })
    .map((f): BackupEvent => ({ type: 'host.write', ...f }));
  const onDevice = (type: 'stage.complete' | 'device.answer' | 'device.eot' | 'device.eom' | 'device.error' | 'operator.mount-requested' | 'operator.unload') => device.map((d): BackupEvent => ({ type, device: d }));
  const mount = fc.record({ device, label: fc.constantFrom(...preset.tape.library, 'BK7') }).map((f): BackupEvent => ({ type: 'operator.mount', ...f }));
  const table = fc.constantFrom(preset.initialTable, ...preset.tables).map((t): BackupEvent => ({ type: 'config.set', table: t }));
  return fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 3 }).map((by): BackupEvent => ({ type: 'timer.tick', by })), weight: 20 },
    { arbitrary: write, weight: 12 },
    { arbitrary: onDevice('device.answer'), weight: 40 },
    { arbitrary: onDevice('stage.complete'), weight: 30 },
    { arbitrary: onDevice('device.eot'), weight: 5 },
    { arbitrary: onDevice('device.eom'), weight: 3 },
    { arbitrary: onDevice('device.error'), weight: 2 },
    { arbitrary: mount, weight: 3 },
    { arbitrary: onDevice('operator.mount-requested'), weight: 12 },
    { arbitrary: onDevice('operator.unload'), weight: 2 },
    { arbitrary: fc.constant<BackupEvent>({ type: 'config.request' }), weight: 2 },
    { arbitrary: table, weight: 2 },
    { arbitrary: fc.constantFrom<BackupEvent>({ type: 'reboot.complete' }, { type: 'reboot.fail' }), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 6 }).map((entry): BackupEvent => ({ type: 'backup.restore', entry })), weight: 4 },
  );
}

// ---------------------------------------------------------------- control paths

/** Adapter events a device answer or a DKA completion gives in one command, or never from the world at hand. */
const ONE_ANSWER = new Set([
  'type.disk', 'type.tape-ready', 'type.tape-not-ready', 'type.unknown', 'type.failed', 'label.match', 'label.match-finished',
  'label.match-cached', 'label.mismatch', 'label.failed', 'stage.complete', 'stage.empty', 'unit.written', 'unit.written-eot',
  'unit.refused-eot', 'copy.complete', 'write.failed', 'rewind.done', 'label.overflow',
]);

/**
 * The command that takes an adapter event that a device answer or a DKA completion gives: one of the
 * alphabet, found by trying each; none means the run's data (its entry, its volume's length, the mounted
 * tape) rules the event out, and the harness searches the path whole. Other events are left to its search.
 */
function commandsFor(machine: string, eventType: string, world: BackupWorld): readonly BackupEvent[] | undefined | null {
  if (machine !== adapterMachine.id || !ONE_ANSWER.has(eventType)) return undefined;
  for (const event of exhaustiveEvents(world)) {
    const { outcome } = step(world, event);
    if (outcome.controller.accepted && outcome.controller.log.taken.some((t) => t.machine === machine && t.step.eventType === eventType)) return [event];
  }
  return null;
}

// ---------------------------------------------------------------- traces and observations

function formatAdapter(system: BackupSystem, device: number): string {
  const run = system.adapters[device]!;
  const t = run.table140;
  const flags = `${t.diskFlag ? 'D' : '-'}${t.tapeFlag ? 'M' : '-'}${t.labelChecked ? 'C' : '-'}${t.mountWait ? 'W' : '-'}${t.currentLabel === null ? '' : `:${t.currentLabel}`}`;
  const queue = run.queue.map((i) => `e${i.ref.index}`).join(',');
  const medium = system.devices[device]!;
  const media = medium.class === 'disk' ? ` disk=${bytes(medium.volume)}`
    : medium.class === 'tape' ? ` drive=${medium.loaded ?? '-'} ${medium.cartridges.map((c) => `${c.label}:${toHex(c.volume.contents().subarray(0, c.count * c.volume.trackSize)) || '∅'}`).join(' ')}` : '';
  return `d${device} ${run.state} 140=${flags} q=[${queue}] cur=${run.cursor}${run.cache === null ? '' : ` cache=${toHex(run.cache)}`}${media}`;
}

function formatWorld({ system: s, model: m }: BackupWorld): string {
  const devices = s.adapters.map((run, device) => (run.state === 'idle' && run.queue.length === 0 && device > 0 ? '' : ` | ${formatAdapter(s, device)}`)).join('');
  const expected = m.queues.map((q, d) => (q.length === 0 ? '' : ` d${d}:[${q.map((r) => `e${r.ref.index}${r.ended === null ? '' : `(${r.ended})`}`).join(',')}]`)).join('');
  return `t=${s.now} svp ${s.svp.state} v0=${toHex(s.volumes[0]!.contents())}${devices} | errors=${s.errorReports.join(',')} | model${expected || ' -'}`;
}

function formatOutcome({ controller: outcome }: BackupStepOutcome): string {
  if (!outcome.accepted) return `rejected ${outcome.rejection.reason} (${outcome.rejection.code})`;
  const taken = outcome.log.taken.map((t) => `${t.device === null ? 'S' : `d${t.device}`}:${t.step.eventType}`).join(',');
  const extra = outcome.restored !== null ? ` restored=${outcome.restored || '∅'}` : outcome.deferred ? ' deferred' : '';
  return `accepted${taken === '' ? '' : ` ${taken}`}${extra}`;
}

function observe({ system: s }: BackupWorld): Readonly<Record<string, unknown>> {
  return {
    now: s.now,
    svp: s.svp.state,
    lastChecked: s.svp.lastChecked,
    statuses: s.svp.statuses.map((x) => ({ generation: x.ref.generation, entry: x.ref.index, adapter: x.adapter, status: x.status })),
    activeGeneration: s.active.generation,
    adapters: s.adapters.map((run) => ({
      state: run.state, table140: run.table140, queue: run.queue.map((i) => ({ generation: i.ref.generation, entry: i.ref.index })),
      cursor: run.cursor, cache: run.cache === null ? null : toHex(run.cache),
    })),
    media: s.devices.map((d) => (d.class === 'disk' ? { disk: bytes(d.volume) }
      : d.class === 'tape' ? { loaded: d.loaded, tapes: d.cartridges.map((c) => ({ label: c.label, units: toHex(c.volume.contents().subarray(0, c.count * c.volume.trackSize)) })) } : { other: true })),
    volumes: s.volumes.map(bytes),
    errorReports: s.errorReports,
  };
}

export const scheduledBackupLifecycle = defineLifecycle<BackupWorld, BackupEvent, BackupStepOutcome, BackupPreset>({
  id: 'scheduled-backup',
  seed: '004',
  title: 'The storage subsystem backs its volumes up on a schedule, to a disk or to a chain of tapes, with no host',
  variants: BACKUP_VARIANTS,
  machines: [
    { name: 'scheduled-backup-svp', title: 'scheduled-backup (seed 004): service processor', machine: svpMachine },
    { name: 'scheduled-backup-adapter', title: 'scheduled-backup (seed 004): backup channel adapter, one per device address', machine: adapterMachine },
  ],
  presets: BACKUP_PRESETS,
  presetSchema,
  layout: scheduledBackupLayout,
  eventSchema: backupEventSchema,
  properties: BACKUP_PROPERTIES,
  reasons: ['malformed-command', 'unknown-pair', 'unknown-volume', 'track-out-of-range', 'length-out-of-range', 'wrong-state', 'busy'],
  pinned: BACKUP_PINNED,
  initial: initialWorld,
  step,
  key,
  alphabet: exhaustiveEvents,
  arbitrary: (_variant, preset) => eventArbitrary(preset),
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.log.taken.map((t) => ({ machine: t.machine, source: t.step.source, eventType: t.step.eventType, target: t.step.target }))
    : []),
  // The adapter machine has one instance per device address; its state here is the busy one of lowest
  // address, which is the one a control path drives (the minimal preset's tables run one device at a time).
  commandsFor,
  controlStates: ({ system }) => ({ [svpMachine.id]: system.svp.state, [adapterMachine.id]: (system.adapters.find((run) => run.state !== 'idle') ?? system.adapters[0]!).state }),
  formatEvent: formatBackupEvent,
  formatWorld,
  formatOutcome,
  observe,
  observeOutcome: ({ controller: outcome }) => (outcome.accepted
    ? {
      accepted: true,
      transitions: outcome.log.taken.map((t) => `${t.device === null ? '' : `d${t.device} `}${t.step.edge}`),
      ...(outcome.restored === null ? {} : { restored: outcome.restored }),
      ...(outcome.deferred ? { deferred: true } : {}),
    }
    : { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code }),
  vectorNotes: [
    'Each `timer.tick` is one pass of the SVP: a port must make due, on that pass, every entry whose start time lies in (previous pass, now], in order of start time then entry index (spec/004 A1).',
    'A device answer is the machine event the data makes it: `device.answer` to a write of the last unit is `copy.complete`; `device.eot` (end of tape at early warning) stores the unit and is allowed only when the cartridge has room; `device.eom` (end of medium) refuses it and is the only answer a full cartridge gives.',
    `The minimal preset's tables: A ${formatTable(TABLE_A)}, B ${formatTable(TABLE_B)}, C ${formatTable(TABLE_C)} (fails check 208), D ${formatTable(TABLE_D)}, E ${formatTable(TABLE_E)}, F ${formatTable(TABLE_F)}.`,
  ],
  simulation: { describe: SIMULATION_DESCRIPTION, run: (options, io) => runSimulation(options, io, (geometry) => initialWorld('tape', geometry), step) },
  workload: scheduledBackupWorkload,
});
