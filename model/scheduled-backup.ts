/**
 * The obviously correct model of seed 004's scheduled backup: the volumes as byte arrays, the schedule, and
 * what each device must give back after a normal end. No tables 140, no cursors, no device protocol.
 *
 * The schedule (spec/004 A1, A4, A7, A9): one timer tick is one pass of the SVP; a pass while the SVP is idle
 * makes due every entry of the active table whose start time lies in (previous pass, now], in order of start
 * time then index, and each due entry waits in its device's first-in first-out queue; the head of a queue is
 * the running backup. A configuration request waits while any backup is queued or running, and is served at
 * the start or the end of the first pass that finds none. A run's promise is fixed when it is due: its target volume's image at that instant
 * (the point-in-time variant, and any run no host writes during, P11), or the volume's value at each
 * staging instant (P12). After a normal end the device must give that image back (A17) until another run
 * starts on it.
 *
 * Commands are accepted by the model's own rules, in the order of src/rejection.ts. For the device protocol
 * (which answer a pending request admits: a READY needs a mounted tape, an end of tape needs a write out),
 * the model checks the arguments and takes the controller's word on the state; so it does for the facts only
 * the devices know: which chunk a DKA staged and when, and whether a run ended normally. The properties
 * check those words: P3, P4 and P10-P12 against what the controller did, P7 against the queues.
 */
import type { BackupControl } from '../machines/scheduled-backup.js';
import { fromHex, isHex } from '../src/hex.js';
import { reject, type Rejection } from '../src/rejection.js';
import type { BackupEvent, BackupGeometry, ConfigTable } from '../src/scheduled-backup/events.js';

export interface ModelRef {
  readonly generation: number;
  readonly index: number;
}

export interface ModelRun {
  readonly ref: ModelRef;
  readonly volume: number;
  readonly adapter: number;
  /** The target volume at the trigger. */
  readonly image: readonly number[];
  /** A host wrote the volume since the trigger. */
  readonly written: boolean;
  /** The volume's bytes at each staging instant so far, chunk after chunk. */
  readonly staged: readonly number[];
  /** Reported ended: normal or abnormal; null while it runs. */
  readonly ended: 'normal' | 'abnormal' | null;
}

export interface BackupModel {
  readonly now: number;
  readonly lastPass: number;
  readonly svp: 'idle' | 'config' | 'reboot' | 'error';
  readonly table: ConfigTable;
  readonly generation: number;
  /** A table written to shared memory, active after the reboot. */
  readonly written: ConfigTable | null;
  readonly requestPending: boolean;
  readonly volumes: readonly (readonly number[])[];
  readonly queues: readonly (readonly ModelRun[])[];
  /** What each device must give back: the last normal end's image, until another run starts there. */
  readonly restorable: readonly ({ readonly ref: ModelRef; readonly image: readonly number[] } | null)[];
  /** Errors step 211 must have told each CHA of. */
  readonly errorReports: readonly number[];
  /** In `error`: the backup CHA of each abnormal end to report, or -1 for a reboot error. */
  readonly errors: readonly number[];
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly restored?: string; readonly controllerWord?: true };

export function initialModel(geometry: BackupGeometry): BackupModel {
  return {
    now: 0, lastPass: 0, svp: 'idle', table: geometry.initialTable, generation: 0, written: null, requestPending: false,
    volumes: geometry.volumeChunks.map((chunks) => new Array<number>(chunks * geometry.chunkSize).fill(0)),
    queues: geometry.devices.map(() => []),
    restorable: geometry.devices.map(() => null),
    errorReports: new Array<number>(geometry.adapterCount).fill(0),
    errors: [],
  };
}

const whole = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Check 208: every entry's CHA has its bit in 102. */
export function check208(table: ConfigTable): boolean {
  return table.entries.every((entry) => table.backupAdapters.charAt(entry.adapter) === '1');
}

function tableRefusal(table: ConfigTable, geometry: BackupGeometry): Rejection | null {
  const flagOk = table.backupAdapters.length === geometry.adapterCount && [...table.backupAdapters].every((c) => c === '0' || c === '1');
  const entriesOk = table.entries.every((e) => whole(e.volume) && whole(e.adapter) && whole(e.device) && whole(e.start) && /^[A-Z]*[0-9]+$/.test(e.label) && e.label.length <= 16);
  if (!flagOk || !entriesOk) return reject('malformed-command', 'a table needs a 0/1 flag per CHA, whole numbers and labels ending in digits');
  const known = table.entries.every((e) => e.volume < geometry.volumeChunks.length && e.adapter < geometry.adapterCount && e.device < geometry.devices.length);
  return known ? null : reject('unknown-volume', 'an entry names no volume, CHA or device');
}

/** Why a command's arguments are refused, or null: the README's rejection table, row by row. */
function argumentRefusal(model: BackupModel, event: BackupEvent, geometry: BackupGeometry): Rejection | null {
  const device = (id: number): Rejection | null => (!whole(id) ? reject('malformed-command', 'a device is a whole number') : id < geometry.devices.length ? null : reject('unknown-volume', `no device ${id}`));
  switch (event.type) {
    case 'timer.tick':
      return !whole(event.by) ? reject('malformed-command', 'a whole tick') : event.by === 0 ? reject('length-out-of-range', 'zero ticks') : null;
    case 'host.write': {
      if (!whole(event.volume) || !whole(event.offset) || !isHex(event.data)) return reject('malformed-command', 'a write needs whole numbers and hex');
      const volume = model.volumes[event.volume];
      if (volume === undefined) return reject('unknown-volume', `no volume ${event.volume}`);
      if (event.offset >= volume.length) return reject('track-out-of-range', 'offset past the volume');
      const length = event.data.length / 2;
      return length === 0 || event.offset + length > volume.length ? reject('length-out-of-range', 'the write does not fit') : null;
    }
    case 'config.set':
      return tableRefusal(event.table, geometry);
    case 'operator.mount':
      return device(event.device) ?? (geometry.tape.library.includes(event.label) ? null : reject('unknown-volume', `no cartridge ${event.label}`));
    case 'stage.complete':
    case 'device.answer':
    case 'device.eot':
    case 'device.eom':
    case 'device.error':
    case 'operator.mount-requested':
    case 'operator.unload':
      return device(event.device);
    case 'backup.restore':
      return !whole(event.entry) ? reject('malformed-command', 'a whole entry') : event.entry < model.table.entries.length ? null : reject('unknown-pair', `no entry ${event.entry}`);
    default:
      return null;
  }
}

const anyRun = (model: BackupModel): boolean => model.queues.some((queue) => queue.length > 0);
const waiting = (queue: readonly ModelRun[]): boolean => queue.some((run) => run.ended === null);

const NOT_IDLE = reject('wrong-state', 'the SVP is rebooting or reporting an error');
const REQUEST_BUSY = reject('busy', 'a request is already open or waiting');
const NOT_ASKING = reject('wrong-state', 'the SVP is not asking for settings');
const NOT_REBOOTING = reject('wrong-state', 'the SVP is not rebooting');
const NOTHING_TO_RESTORE = reject('wrong-state', 'no backup of this entry to restore');
const RESTORE_BUSY = reject('busy', 'the device is running a backup');

function stateRefusal(model: BackupModel, event: BackupEvent): Rejection | null {
  switch (event.type) {
    case 'config.request':
      if (model.svp === 'reboot' || model.svp === 'error') return NOT_IDLE;
      return model.svp === 'config' || model.requestPending ? REQUEST_BUSY : null;
    case 'config.set':
      return model.svp === 'config' ? null : NOT_ASKING;
    case 'reboot.complete':
    case 'reboot.fail':
      return model.svp === 'reboot' ? null : NOT_REBOOTING;
    case 'backup.restore': {
      const entry = model.table.entries[event.entry]!;
      const promise = model.restorable[entry.device];
      if (promise === null || promise === undefined || promise.ref.generation !== model.generation || promise.ref.index !== event.entry) {
        return NOTHING_TO_RESTORE;
      }
      return waiting(model.queues[entry.device]!) ? RESTORE_BUSY : null;
    }
    default:
      return null;
  }
}

/** Argument refusals by command and table: they depend on nothing else, and the checker repeats commands. */
const refused = new WeakMap<BackupEvent, { readonly table: ConfigTable; readonly rejection: Rejection | null }>();

function argumentsRefused(model: BackupModel, event: BackupEvent, geometry: BackupGeometry): Rejection | null {
  const known = refused.get(event);
  if (known !== undefined && known.table === model.table) return known.rejection;
  const rejection = argumentRefusal(model, event, geometry);
  refused.set(event, { table: model.table, rejection });
  return rejection;
}

/** Applies one command: the answer a correct controller gives and the model after it. */
export function applyModel(model: BackupModel, event: BackupEvent, control: BackupControl, geometry: BackupGeometry): { readonly model: BackupModel; readonly answer: ModelAnswer } {
  const refusal = argumentsRefused(model, event, geometry) ?? stateRefusal(model, event);
  if (refusal !== null) return { model, answer: { accepted: false, rejection: refusal } };
  switch (event.type) {
    case 'timer.tick':
      return { model: pass({ ...model, now: model.now + event.by }, geometry), answer: { accepted: true } };
    case 'host.write':
      return { model: write(model, event.volume, event.offset, fromHex(event.data)), answer: { accepted: true } };
    case 'config.request':
      // A7 defers the request while any backup is queued or running; the literal flow serves it at once.
      if (control.configTiming === 'deferred' && anyRun(model)) return { model: { ...model, requestPending: true }, answer: { accepted: true } };
      return { model: { ...model, svp: 'config', requestPending: false }, answer: { accepted: true } };
    case 'config.set':
      return { model: check208(event.table) ? { ...model, svp: 'reboot', written: event.table } : model, answer: { accepted: true } };
    case 'reboot.complete':
    case 'reboot.fail':
      return {
        model: { ...model, table: model.written!, generation: model.generation + 1, written: null, svp: event.type === 'reboot.fail' ? 'error' : 'idle', errors: event.type === 'reboot.fail' ? [-1] : [] },
        answer: { accepted: true },
      };
    case 'backup.restore': {
      const promise = model.restorable[model.table.entries[event.entry]!.device]!;
      return { model, answer: { accepted: true, restored: promise.image.map((b) => (b < 16 ? '0' : '') + b.toString(16)).join('') } };
    }
    default:
      return { model, answer: { accepted: true, controllerWord: true } };
  }
}

function write(model: BackupModel, volumeIndex: number, offset: number, data: Uint8Array): BackupModel {
  const volumes = model.volumes.map((volume, index) => {
    if (index !== volumeIndex) return volume;
    const next = volume.slice();
    data.forEach((byte, i) => { next[offset + i] = byte; });
    return next;
  });
  const queues = model.queues.map((queue) => queue.map((run) => (run.volume === volumeIndex && run.ended === null ? { ...run, written: true } : run)));
  return { ...model, volumes, queues };
}

/** One SVP pass: report a waiting error, or grant a deferred request, or make entries due and collect ends. */
function pass(model: BackupModel, geometry: BackupGeometry): BackupModel {
  if (model.svp === 'error') {
    const errorReports = model.errorReports.map((count, adapter) => count + model.errors.filter((own) => (own >= 0 ? adapter !== own : model.table.backupAdapters.charAt(adapter) !== '1')).length);
    return { ...model, svp: 'idle', errors: [], errorReports };
  }
  if (model.svp !== 'idle') return model;
  if (model.requestPending && !anyRun(model)) return { ...model, svp: 'config', requestPending: false };
  let queues = model.queues.map((queue) => [...queue]);
  const restorable = [...model.restorable];
  const due = model.table.entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => model.lastPass < entry.start && entry.start <= model.now)
    .sort((a, b) => a.entry.start - b.entry.start || a.index - b.index);
  for (const { entry, index } of due) {
    const start = geometry.volumeChunks[entry.volume]! * geometry.chunkSize;
    const image = model.volumes[entry.volume]!.slice(0, start);
    if (queues[entry.device]!.length === 0) restorable[entry.device] = null;
    queues[entry.device]!.push({ ref: { generation: model.generation, index }, volume: entry.volume, adapter: entry.adapter, image, written: false, staged: [], ended: null });
  }
  const errors: number[] = [];
  queues = queues.map((queue, device) => {
    if (queue.length === 0 || queue[0]!.ended === null) return queue;
    if (queue[0]!.ended === 'abnormal') errors.push(queue[0]!.adapter);
    const rest = queue.slice(1);
    if (rest.length > 0) restorable[device] = null;
    return rest;
  });
  const after: BackupModel = { ...model, lastPass: model.now, queues, restorable, errors, svp: errors.length > 0 ? 'error' : 'idle' };
  // Back at 200 in the same pass: a deferred request is served once no backup is left.
  return after.svp === 'idle' && after.requestPending && !anyRun(after) ? { ...after, svp: 'config', requestPending: false } : after;
}

/** What the controller reported in a step: staging instants and run ends (see the header). */
export interface ReportedFacts {
  readonly staged: readonly { readonly device: number; readonly chunk: number }[];
  readonly reports: readonly { readonly device: number; readonly normal: boolean }[];
}

/** Takes the controller's word on staging instants and run ends; the properties check that word. */
export function learn(model: BackupModel, facts: ReportedFacts, control: BackupControl, geometry: BackupGeometry): BackupModel {
  if (facts.staged.length === 0 && facts.reports.length === 0) return model;
  const queues = model.queues.map((queue) => [...queue]);
  const restorable = [...model.restorable];
  for (const { device, chunk } of facts.staged) {
    const run = queues[device]![0];
    if (run === undefined) continue;
    const bytes = model.volumes[run.volume]!.slice(chunk * geometry.chunkSize, (chunk + 1) * geometry.chunkSize);
    queues[device]![0] = { ...run, staged: [...run.staged, ...bytes] };
  }
  for (const { device, normal } of facts.reports) {
    const run = queues[device]![0];
    if (run === undefined || run.ended !== null) continue;
    queues[device]![0] = { ...run, ended: normal ? 'normal' : 'abnormal' };
    if (normal) restorable[device] = { ref: run.ref, image: control.image === 'point-in-time' ? run.image : run.staged };
  }
  return { ...model, queues, restorable };
}

/** inc() of step 703 as spec/004 A12 reads it, written apart from the controller's: null on overflow. */
export function nextLabel(label: string): string | null {
  const match = /^(.*?)(\d+)$/.exec(label);
  if (match === null) return null;
  const [, prefix, digits] = match as unknown as [string, string, string];
  const next = (Number(digits) + 1).toString();
  return next.length > digits.length ? null : `${prefix}${'0'.repeat(digits.length - next.length)}${next}`;
}
