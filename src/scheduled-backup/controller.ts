/**
 * The scheduled-backup controller of seed 004: storage subsystem 20's SVP and backup CHAs over the state of
 * src/scheduled-backup/system.ts. `stepSystem` is the only entry point: it checks the command's arguments
 * (validate.ts), then its state, then applies it to a copy of the system, asking the machines
 * (machines/scheduled-backup.ts) for every transition and running their operations in order. A rejected
 * command returns a typed rejection and the system itself, unchanged.
 *
 * One timer tick is one pass of the SVP's main loop (Fig. 6): 211 if an error waits, else 200 (a deferred
 * configuration request, A7), 201-203 (every entry whose start time the clock has crossed since the last
 * pass, A1), 204/205 (the end reports of finished runs, then 211 on the next pass if one was abnormal) and,
 * back at 200, the deferred request if the collection left every CHA idle.
 * While the SVP is in its configuration dialogue or rebooting it makes no pass: the clock keeps counting,
 * and the first pass after covers the time since the last one.
 */
import { svpMachine, type SvpEventType, type SvpStateKey } from '../../machines/scheduled-backup.js';
import { assert } from '../assert.js';
import { ControlTable } from '../control.js';
import { fromHex, toHex } from '../hex.js';
import { PointInTimeCopy } from '../point-in-time.js';
import { reject, type Rejection } from '../rejection.js';
import { Volume } from '../volume.js';
import {
  answerAllowed,
  deviceAnswer,
  stageComplete,
  startNext,
  takeAdapter,
  type Answer,
  type BufferPool,
  type Context,
  type StepLog,
} from './adapter.js';
import type { BackupEvent, BackupGeometry, ConfigEntry } from './events.js';
import { cloneSystem, incrementLabel, passesCheck208, type BackupSystem, type EntryRef } from './system.js';
import { validateArguments } from './validate.js';
import type { BackupVariant } from './variants.js';

export type BackupOutcome =
  | {
      readonly accepted: true;
      readonly log: StepLog;
      /** backup.restore: the image read back, as hex. */
      readonly restored: string | null;
      /** config.request held until every CHA is idle (A7). */
      readonly deferred: boolean;
    }
  | { readonly accepted: false; readonly rejection: Rejection };

const svpTables = new WeakMap<BackupVariant, ControlTable>();

function svpTable(variant: BackupVariant): ControlTable {
  let table = svpTables.get(variant);
  if (table === undefined) {
    table = new ControlTable(svpMachine, variant.control);
    svpTables.set(variant, table);
  }
  return table;
}

const END_STATES = new Set(['normal-end', 'abnormal-end']);
/** Adapter states in which the tape drive is not in use, so the operator may take the cartridge out. */
const DRIVE_FREE = new Set(['idle', 'normal-end', 'abnormal-end', 'tape.mount-wait', 'tape.next-mount-wait']);

function busyDevice(system: BackupSystem, device: number): boolean {
  const run = system.adapters[device]!;
  return run.queue.length - (run.report === null ? 0 : 1) > 0;
}

function allIdle(system: BackupSystem): boolean {
  return system.adapters.every((run) => run.state === 'idle' && run.queue.length === 0);
}

/** State refusals are shared objects: a refusal is data, and the checker makes over a million of them. */
const SVP_NOT_IDLE = reject('wrong-state', 'the SVP is rebooting or has an error to report');
const CONFIG_BUSY = reject('busy', 'a configuration request is already open or waiting');
const SVP_NOT_ASKING = reject('wrong-state', 'the SVP is not asking for settings');
const SVP_NOT_REBOOTING = reject('wrong-state', 'the SVP is not rebooting');
const NO_STAGING = reject('wrong-state', 'no staging read is out for this device');
const NO_SUCH_ANSWER = reject('wrong-state', 'the device has no such answer to give');
const NO_EMPTY_DRIVE = reject('wrong-state', 'the device has no empty tape drive');
const NO_REQUEST = reject('wrong-state', 'the device asks for no tape the library has');
const NO_TAPE = reject('wrong-state', 'the device holds no tape');
const DRIVE_BUSY = reject('busy', 'the tape drive is in use');
const NO_BACKUP = reject('wrong-state', 'the entry has no backup on its device to restore');
const DEVICE_BUSY = reject('busy', 'the entry\'s device is running a backup');

/** The state checks after the arguments: wrong-state, then busy (src/rejection.ts order). */
function stateRefusal(system: BackupSystem, event: BackupEvent): Rejection | null {
  const svp = system.svp.state;
  switch (event.type) {
    case 'config.request':
      // A request while the dialogue is open, or while one waits, finds the SVP busy with configuration.
      if (svp === 'reboot' || svp === 'error') return SVP_NOT_IDLE;
      return svp === 'config' || system.svp.requestPending ? CONFIG_BUSY : null;
    case 'config.set':
      return svp === 'config' ? null : SVP_NOT_ASKING;
    case 'reboot.complete':
    case 'reboot.fail':
      return svp === 'reboot' ? null : SVP_NOT_REBOOTING;
    case 'stage.complete':
      return system.adapters[event.device]!.pending === 'stage' ? null : NO_STAGING;
    case 'device.answer':
    case 'device.eot':
    case 'device.eom':
    case 'device.error':
      return answerAllowed(system, event.device, event.type) ? null : NO_SUCH_ANSWER;
    case 'operator.mount': {
      const medium = system.devices[event.device]!;
      return medium.class === 'tape' && medium.loaded === null ? null : NO_EMPTY_DRIVE;
    }
    case 'operator.mount-requested': {
      const medium = system.devices[event.device]!;
      // The operator mounts what the drive asked for, if the library has it.
      const asked = medium.class === 'tape' && medium.loaded === null ? medium.mountRequest : null;
      return asked !== null && medium.class === 'tape' && medium.cartridges.some((c) => c.label === asked) ? null : NO_REQUEST;
    }
    case 'operator.unload': {
      const medium = system.devices[event.device]!;
      if (medium.class !== 'tape' || medium.loaded === null) return NO_TAPE;
      return DRIVE_FREE.has(system.adapters[event.device]!.state) ? null : DRIVE_BUSY;
    }
    case 'backup.restore': {
      const entry = system.active.table.entries[event.entry]!;
      const found = system.catalog[entry.device];
      if (found === null || found === undefined || found.ref.generation !== system.active.generation || found.ref.index !== event.entry) {
        return NO_BACKUP;
      }
      return busyDevice(system, entry.device) ? DEVICE_BUSY : null;
    }
    default:
      return null;
  }
}

/**
 * Argument checks already made, by command and active table: a pure function of both (and of the preset,
 * fixed for a world's life), and the exhaustive checker sends the same few command objects over a million
 * times. A WeakMap keeps no command alive.
 */
const checked = new WeakMap<BackupEvent, { readonly table: unknown; readonly rejection: Rejection | null }>();

function argumentsChecked(event: BackupEvent, geometry: BackupGeometry, system: BackupSystem): Rejection | null {
  const known = checked.get(event);
  if (known !== undefined && known.table === system.active.table) return known.rejection;
  const rejection = validateArguments(event, geometry, system.active.table);
  checked.set(event, { table: system.active.table, rejection });
  return rejection;
}

/** `writeLength`: the length of a host write whose bytes come as they are (`stepSystemInPlace`); not cached. */
function admit(system: BackupSystem, event: BackupEvent, variant: BackupVariant, geometry: BackupGeometry, writeLength?: number): Rejection | null {
  // BROKEN state-checked-before-range: a device answer is checked against the device's state first.
  if (variant.defect === 'state-checked-before-range' && (event.type === 'device.answer' || event.type === 'device.error') && event.device >= geometry.devices.length) {
    return reject('wrong-state', `device ${event.device} has no such answer to give`);
  }
  const invalid = writeLength === undefined ? argumentsChecked(event, geometry, system) : validateArguments(event, geometry, system.active.table, writeLength);
  return invalid ?? stateRefusal(system, event);
}

/** Applies one command to a copy of the system; a refused command returns the system itself. */
export function stepSystem(system: BackupSystem, event: BackupEvent, variant: BackupVariant, geometry: BackupGeometry): { system: BackupSystem; outcome: BackupOutcome } {
  const refusal = admit(system, event, variant, geometry);
  if (refusal !== null) {
    if (variant.defect === 'partial-write-on-range-error' && event.type === 'host.write' && refusal.reason === 'length-out-of-range') {
      const next = cloneSystem(system);
      writeWhatFits(next, event);
      return { system: next, outcome: { accepted: false, rejection: refusal } };
    }
    return { system, outcome: { accepted: false, rejection: refusal } };
  }
  const next = cloneSystem(system);
  return { system: next, outcome: applyAdmitted(next, event, variant, geometry, undefined, null) };
}

/**
 * The workload's data path (src/scheduled-backup/workload.ts): the same checks and effect as `stepSystem`, on
 * `system` itself, with no copy, and a host write's bytes are `bytes` as they are (its `data` is not read; its
 * length is the bytes'). The system before the command is gone: a refused command changes nothing. `spare`
 * is the caller's pool of buffers, one for the system's life: a staging read fills a buffer the cache let go
 * of instead of a fresh one (so the log's staged data is good only until the next command), and a
 * point-in-time image takes the bytes of a finished one's.
 */
export function stepSystemInPlace(system: BackupSystem, event: BackupEvent, variant: BackupVariant, geometry: BackupGeometry, bytes: Uint8Array | undefined, spare: BufferPool): BackupOutcome {
  const refusal = admit(system, event, variant, geometry, bytes?.length);
  if (refusal !== null) return { accepted: false, rejection: refusal };
  return applyAdmitted(system, event, variant, geometry, bytes, spare);
}

function applyAdmitted(system: BackupSystem, event: BackupEvent, variant: BackupVariant, geometry: BackupGeometry, bytes: Uint8Array | undefined, spare: BufferPool | null): BackupOutcome {
  const ctx: Context = { system, variant, geometry, log: { taken: [], staged: [], writes: [], reports: [], started: [] }, spare };
  const result = apply(ctx, event, bytes);
  return { accepted: true, log: ctx.log, restored: result.restored, deferred: result.deferred };
}

function apply(ctx: Context, event: BackupEvent, bytes: Uint8Array | undefined): { restored: string | null; deferred: boolean } {
  const s = ctx.system;
  switch (event.type) {
    case 'timer.tick':
      s.now += event.by;
      svpPass(ctx);
      break;
    case 'host.write':
      hostWrite(ctx, event.volume, event.offset, bytes ?? fromHex(event.data));
      break;
    case 'config.request':
      if (ctx.variant.control.configTiming === 'deferred' && !allIdle(s)) {
        s.svp.requestPending = true;
        return { restored: null, deferred: true };
      }
      takeSvp(ctx, 'config.request');
      break;
    case 'config.set':
      // (208). BROKEN config-check-skipped writes any table.
      if (passesCheck208(event.table) || ctx.variant.defect === 'config-check-skipped') {
        s.sharedMemory = { table: event.table, generation: s.sharedMemory.generation + 1 };
        takeSvp(ctx, 'config.written');
      } else takeSvp(ctx, 'config.invalid');
      break;
    case 'reboot.complete':
      takeSvp(ctx, 'reboot.complete');
      break;
    case 'reboot.fail':
      takeSvp(ctx, 'reboot.failed');
      s.svp.errors = [-1];
      break;
    case 'stage.complete':
      stageComplete(ctx, event.device);
      break;
    case 'device.answer':
    case 'device.eot':
    case 'device.eom':
    case 'device.error':
      answer(ctx, event.device, event.type);
      break;
    case 'operator.mount':
      mount(ctx, event.device, event.label);
      break;
    case 'operator.mount-requested': {
      const medium = s.devices[event.device]!;
      assert(medium.class === 'tape' && medium.mountRequest !== null, 'a requested mount has a request');
      mount(ctx, event.device, medium.mountRequest);
      break;
    }
    case 'operator.unload': {
      const medium = s.devices[event.device]!;
      if (medium.class === 'tape') medium.loaded = null;
      break;
    }
    case 'backup.restore':
      return { restored: restore(ctx, event.entry), deferred: false };
  }
  return { restored: null, deferred: false };
}

function answer(ctx: Context, device: number, type: Answer): void {
  const run = ctx.system.adapters[device]!;
  // BROKEN staging-writes-back-to-source: the staged chunk's cache slot is destaged over the volume.
  if (ctx.variant.defect === 'staging-writes-back-to-source' && run.pending === 'write' && run.cache !== null) {
    ctx.system.volumes[run.queue[0]!.entry.volume]!.writeTrack(run.cacheChunk, run.cache);
  }
  deviceAnswer(ctx, device, type);
}

function mount(ctx: Context, device: number, label: string): void {
  const medium = ctx.system.devices[device]!;
  assert(medium.class === 'tape', 'mount on a tape drive');
  medium.loaded = label;
  medium.position = 0;
  medium.mountRequest = null;
}

function takeSvp(ctx: Context, eventType: SvpEventType, due: readonly { ref: EntryRef; entry: ConfigEntry }[] = []): void {
  const svp = ctx.system.svp;
  const step = svpTable(ctx.variant).step(svp.state, eventType);
  assert(step !== null, () => `svp refuses ${eventType} in ${svp.state}`);
  ctx.log.taken.push({ machine: svpMachine.id, device: null, step });
  svp.state = step.target as SvpStateKey;
  for (const operation of step.operations) {
    switch (operation.type) {
      case 'instructDueEntries':
        // Every instruction of the pass is sent, then each CHA's dispatcher takes the first of its queue (A9).
        for (const item of due) instruct(ctx, item.ref, item.entry);
        for (const device of new Set(due.map((item) => item.entry.device))) startNext(ctx, device);
        break;
      case 'reportErrorToOtherAdapters':
        reportErrors(ctx);
        break;
      case 'openSettings':
        svp.requestPending = false;
        break;
      case 'loadConfiguration':
        reboot(ctx);
        break;
      case 'noteAbnormalEnd':
      case 'discardSettings':
      case 'writeSharedMemory':
        break; // the callers hold the data these name: the abnormal ends, the refused or written table
      default:
        throw new Error(`svp names an unknown operation ${operation.type}`);
    }
  }
}

/** One pass of the SVP's main loop (Fig. 6), as a timer tick runs it. */
function svpPass(ctx: Context): void {
  const s = ctx.system;
  if (s.svp.state === 'error') {
    takeSvp(ctx, 'error.report');
    return;
  }
  if (s.svp.state !== 'idle') return;
  if (s.svp.requestPending && allIdle(s)) {
    takeSvp(ctx, 'config.request'); // (200) the deferred request, now that every CHA is idle (A7)
    return;
  }
  const due = dueEntries(ctx);
  s.svp.lastChecked = s.now;
  if (due.length > 0) takeSvp(ctx, 'timer.due', due);
  const abnormal: number[] = [];
  s.adapters.forEach((run, device) => {
    if (!END_STATES.has(run.state)) return;
    const ref = run.queue[0]!.ref;
    const status = s.svp.statuses.find((x) => x.ref.generation === ref.generation && x.ref.index === ref.index);
    assert(status !== undefined, 'an ended run was instructed');
    status.status = run.report === 'normal' ? 'ok' : 'abend';
    if (run.report === 'abnormal') abnormal.push(status.adapter);
    takeAdapter(ctx, device, 'report.collected');
    startNext(ctx, device);
  });
  if (abnormal.length > 0) {
    takeSvp(ctx, 'poll.abnormal-end');
    s.svp.errors = abnormal;
    return;
  }
  // 205 → 200: the loop's next step serves a deferred request once the collection has left every CHA idle.
  if (s.svp.requestPending && allIdle(s)) takeSvp(ctx, 'config.request');
}

/** (201) Entries whose start time the clock has crossed since the last pass (A1), by start time then index. */
function dueEntries(ctx: Context): { ref: EntryRef; entry: ConfigEntry }[] {
  const s = ctx.system;
  const { lastChecked } = s.svp;
  const early = ctx.variant.defect === 'trigger-one-tick-early' ? 1 : 0;
  return s.active.table.entries
    .map((entry, index) => ({ ref: { generation: s.active.generation, index }, entry }))
    .filter(({ entry }) => {
      const start = entry.start - early;
      return ctx.variant.control.trigger === 'equality' ? start === s.now : lastChecked < start && start <= s.now;
    })
    .sort((a, b) => a.entry.start - b.entry.start || a.ref.index - b.ref.index);
}

/** (202) The instruction reaches the CHA of 121 and waits in its device's queue (A9); the image is taken now. */
function instruct(ctx: Context, ref: EntryRef, entry: ConfigEntry): void {
  const s = ctx.system;
  s.svp.statuses.push({ ref, adapter: entry.adapter, status: 'instructed' });
  const chunks = ctx.geometry.volumeChunks[entry.volume]!;
  const pointInTime = ctx.variant.control.image === 'point-in-time';
  s.adapters[entry.device]!.queue.push({
    ref,
    entry,
    image: pointInTime ? PointInTimeCopy.ofVolume(chunks) : null,
    // In place, the bytes of a finished save's image, not zeroed: the image (its own PointInTimeCopy, never a
    // caller's bitmap) reads a track of the shadow only once it has copied the track there, so what the bytes
    // held before is never read (zeroing 8 MiB for each save took a quarter of the data path).
    shadow: pointInTime ? new Volume(chunks, ctx.geometry.chunkSize, ctx.spare?.take(chunks * ctx.geometry.chunkSize)) : null,
  });
}

/** (211) Every CHA but the backup's own is told to report the error (A18); for a reboot error, every host-facing CHA. */
function reportErrors(ctx: Context): void {
  const s = ctx.system;
  const reports = [...s.errorReports]; // shared with the world before the step: replaced, never changed
  for (const own of s.svp.errors) {
    if (own >= 0 && ctx.variant.defect === 'abnormal-end-not-reported') continue;
    for (let adapter = 0; adapter < reports.length; adapter += 1) {
      const tell = own >= 0 ? adapter !== own : s.active.table.backupAdapters[adapter] !== '1';
      if (tell) reports[adapter]! += 1;
    }
  }
  s.errorReports = reports;
  s.svp.errors = [];
}

/**
 * (212) The power OFF→ON: every CHA loads table 100 from shared memory and restarts at 301, losing what it
 * held in its own memory (an instruction, a staged chunk, a request out). Table 140 is in shared memory
 * (A16) and stays. With A7 no CHA is busy here; the literal flow reboots under a running save.
 */
function reboot(ctx: Context): void {
  const s = ctx.system;
  s.active = s.sharedMemory;
  for (const run of s.adapters) {
    Object.assign(run, { state: 'idle', queue: [], cursor: 0, cache: null, cacheChunk: 0, stagedCount: 0, tapesStarted: 0, pending: null, report: null });
  }
}

/** A host write (H1): every point-in-time image of the volume first keeps the old tracks (copy-before-write). */
function hostWrite(ctx: Context, volumeIndex: number, offset: number, data: Uint8Array): void {
  const volume = ctx.system.volumes[volumeIndex]!;
  const [first, end] = volume.tracksOf(offset, data.length);
  const images = ctx.system.adapters.flatMap((run) => run.queue).filter((i) => i.image !== null && i.entry.volume === volumeIndex);
  // BROKEN image-after-first-write: the copy-before-write runs after the write.
  const after = ctx.variant.defect === 'image-after-first-write';
  if (!after) for (const i of images) i.image!.beforeWrite(volume, i.shadow!, first, end);
  volume.write(offset, data);
  if (after) for (const i of images) i.image!.beforeWrite(volume, i.shadow!, first, end);
}

function writeWhatFits(system: BackupSystem, event: Extract<BackupEvent, { type: 'host.write' }>): void {
  const volume = system.volumes[event.volume];
  if (volume === undefined) return;
  const fits = volume.byteLength - event.offset;
  if (fits > 0) volume.write(event.offset, fromHex(event.data).subarray(0, fits));
}

/** A17: read the entry's last normal end back from the disk, or from its chain of tapes 123, inc(123), …. */
function restore(ctx: Context, index: number): string {
  const s = ctx.system;
  const entry = s.active.table.entries[index]!;
  const found = s.catalog[entry.device]!;
  return toHex(readBackup(s.devices[entry.device]!, found.label, found.units, ctx.geometry.chunkSize, ctx.variant));
}

/**
 * What a backup of `units` units under `label` reads back (A17): the disk's first chunks, or the units recorded
 * on tapes label, inc(label), … in order, each from its load point; shorter when a tape of the chain is
 * missing. BROKEN restore-stops-at-first-tape reads the first tape only.
 */
export function readBackup(medium: BackupSystem['devices'][number], label: string, units: number, chunkSize: number, variant: BackupVariant): Uint8Array {
  return Buffer.concat(backupParts(medium, label, units, chunkSize, variant));
}

/** What `readBackup` reads, in order, as views of the media's bytes (which a caller must not change). */
export function backupParts(medium: BackupSystem['devices'][number], label: string, units: number, chunkSize: number, variant: BackupVariant): Uint8Array[] {
  if (medium.class === 'disk') return [medium.volume.contents().subarray(0, units * chunkSize)];
  assert(medium.class === 'tape', 'a restore reads a disk or tapes');
  const parts: Uint8Array[] = [];
  let remaining = units;
  for (let next: string | null = label; remaining > 0 && next !== null; next = incrementLabel(next)) {
    const cartridge = medium.cartridges.find((c) => c.label === next);
    if (cartridge === undefined) break;
    const count = Math.min(cartridge.count, remaining);
    parts.push(cartridge.volume.contents().subarray(0, count * chunkSize));
    remaining -= count;
    if (variant.defect === 'restore-stops-at-first-tape') break;
  }
  return parts;
}
