/**
 * The backup CHA's data plane on one device address (seed 004 Fig. 7-13): the operations the adapter
 * machine's transitions name, and the choice, from data, of which machine event a device answer or a DKA
 * completion is. Device 30 is simulated here too: a disk stores a unit at its chunk index; a tape drive
 * stores units from the load point of the mounted cartridge, and may report end of tape on any write that
 * has room (`device.eot`, SCSI's early warning: the unit is stored) or end of medium on any write
 * (`device.eom`: the unit is refused; a full cartridge can give no other answer).
 */
import { adapterMachine, type AdapterEventType, type AdapterStateKey } from '../../machines/scheduled-backup.js';
import { assert } from '../assert.js';
import { ControlTable, type ControlStep } from '../control.js';
import { toHex } from '../hex.js';
import { CLEAR_140, incrementLabel, type AdapterRun, type BackupSystem, type Instruction } from './system.js';
import type { BackupGeometry, BackupEvent } from './events.js';
import type { BackupVariant } from './variants.js';

export interface TakenStep {
  readonly machine: string;
  readonly device: number | null;
  readonly step: ControlStep;
}

/** A chunk a DKA staged (the staging instant of P12). */
export interface StagedRecord {
  readonly device: number;
  readonly volume: number;
  readonly chunk: number;
  readonly data: string;
}

/** A unit sent to device 30, with table 140 and the mounted medium at that instant (P3, P4). */
export interface WriteRecord {
  readonly device: number;
  readonly chunk: number;
  readonly labelChecked: boolean;
  readonly mountWait: boolean;
  readonly currentLabel: string | null;
  readonly mounted: string | null;
}

export interface ReportRecord {
  readonly device: number;
  readonly generation: number;
  readonly index: number;
  readonly normal: boolean;
}

/** What one command did, beyond its transitions: read by the model and the properties. */
export interface StepLog {
  readonly taken: TakenStep[];
  readonly staged: StagedRecord[];
  readonly writes: WriteRecord[];
  readonly reports: ReportRecord[];
  readonly started: { readonly device: number; readonly generation: number; readonly index: number }[];
}

const tables = new WeakMap<BackupVariant, ControlTable>();

export function adapterTable(variant: BackupVariant): ControlTable {
  let table = tables.get(variant);
  if (table === undefined) {
    table = new ControlTable(adapterMachine, variant.control);
    tables.set(variant, table);
  }
  return table;
}

export interface Context {
  readonly system: BackupSystem;
  readonly variant: BackupVariant;
  readonly geometry: BackupGeometry;
  readonly log: StepLog;
  /**
   * In place only (`stepSystemInPlace`), else null: buffers the system no longer holds (chunks the cache let
   * go of, the image of a finished point-in-time save), which the next staging read or image fills instead
   * of a fresh one. Nothing else references such a buffer then: the media keep copies, and in place no
   * world before the step shares it.
   */
  readonly spare: BufferPool | null;
}

/**
 * Free buffers by length, for the in-place data path, one pool for a system's life: a fresh 64 KiB chunk
 * took a staging read 23 µs, about half of the workload's data path, and a fresh image of an 8 MiB volume
 * for each point-in-time save most of the rest, with the garbage collector.
 */
export class BufferPool {
  private readonly free = new Map<number, Uint8Array[]>();

  /** A buffer of `length` bytes given back earlier, holding whatever it last held; undefined when there is none. */
  take(length: number): Uint8Array | undefined {
    return this.free.get(length)?.pop();
  }

  give(buffer: Uint8Array): void {
    const list = this.free.get(buffer.length);
    if (list === undefined) this.free.set(buffer.length, [buffer]);
    else list.push(buffer);
  }
}

/** The cache lets go of its chunk; in place, the chunk's buffer is kept for the next staging read. */
function dropCache(ctx: Context, run: AdapterRun): void {
  if (run.cache !== null && ctx.spare !== null) ctx.spare.give(run.cache);
  run.cache = null;
}

function head(run: AdapterRun): Instruction {
  const instruction = run.queue[0];
  assert(instruction !== undefined, 'a running adapter has an instruction');
  return instruction;
}

/**
 * The volume the run stages from. A6: the CHA runs by the table loaded at the last reboot; the literal flow
 * re-reads table 100 from shared memory at every loop (302), so it takes a new entry before the reboot.
 */
export function runVolume(ctx: Context, run: AdapterRun): number {
  const instruction = head(run);
  if (ctx.variant.control.configTiming === 'literal') {
    const fresh = ctx.system.sharedMemory.table.entries[instruction.ref.index];
    if (fresh !== undefined) return fresh.volume;
  }
  return instruction.entry.volume;
}

function volumeChunks(ctx: Context, run: AdapterRun): number {
  return ctx.geometry.volumeChunks[runVolume(ctx, run)]!;
}

/** Takes the adapter machine's transition for `eventType`; asserts the machine allows it. */
export function takeAdapter(ctx: Context, device: number, eventType: AdapterEventType): void {
  const run = ctx.system.adapters[device]!;
  const step = adapterTable(ctx.variant).step(run.state, eventType);
  assert(step !== null, () => `backup-adapter refuses ${eventType} in ${run.state}`);
  ctx.log.taken.push({ machine: adapterMachine.id, device, step });
  const from = run.state;
  run.state = step.target as AdapterStateKey;
  for (const operation of step.operations) runOperation(ctx, device, operation.type, from);
}

/** The operations that only set fields of table 140; false for any other. */
function table140Operation(run: AdapterRun, operation: string, defect: BackupVariant['defect']): boolean {
  switch (operation) {
    case 'setDiskFlag':
      run.table140 = { ...run.table140, diskFlag: true }; // (309)
      return true;
    case 'setTapeFlag':
      // (311). BROKEN both-type-flags also sets 151, as 309 does.
      run.table140 = { ...run.table140, tapeFlag: true, diskFlag: run.table140.diskFlag || defect === 'both-type-flags' };
      return true;
    case 'setMountWait':
      run.table140 = { ...run.table140, mountWait: true }; // (702)
      return true;
    case 'clearTable140':
      // (710, 801). BROKEN abnormal-end-keeps-table-140 forgets it on the abnormal path.
      if (!(defect === 'abnormal-end-keeps-table-140' && run.state === 'abnormal-end')) run.table140 = CLEAR_140;
      return true;
    default:
      return false;
  }
}

function runOperation(ctx: Context, device: number, operation: string, from: AdapterStateKey): void {
  const run = ctx.system.adapters[device]!;
  const defect = ctx.variant.defect;
  if (table140Operation(run, operation, defect)) return;
  switch (operation) {
    case 'loadEntry':
      loadEntry(ctx, device);
      return;
    case 'queryDeviceType':
      run.pending = 'type';
      return;
    case 'readLabel':
      run.pending = 'label';
      if (defect === 'write-before-label-check' && !run.table140.labelChecked && run.cursor === 0) writeAhead(ctx, device);
      return;
    case 'requestMount':
      requestMount(ctx, device);
      return;
    case 'setLabelChecked':
      setLabelChecked(ctx, device);
      return;
    case 'requestStage':
      run.pending = 'stage';
      run.stagedCount += 1;
      return;
    case 'takeStagedChunk':
      return; // the chunk was put in cache by the completion that raised this transition
    case 'writeUnit':
      writeUnit(ctx, device);
      return;
    case 'unitStored':
      dropCache(ctx, run);
      return;
    case 'keepUnit':
      return; // the unit stays in cache for the next tape (A11)
    case 'rewind':
      run.pending = 'rewind';
      return;
    case 'unload':
      unload(ctx, device);
      return;
    case 'incrementLabel':
      incrementCurrentLabel(ctx, device);
      return;
    case 'clearMountWait':
      run.table140 = { ...run.table140, mountWait: false }; // (709)
      tapeOf(ctx, device).position = 0;
      return;
    case 'reportNormalEnd':
      report(ctx, device, true);
      return;
    case 'reportAbnormalEnd':
      report(ctx, device, false);
      return;
    case 'returnToDispatcher':
      returnToDispatcher(ctx, device);
      return;
    default:
      throw new Error(`backup-adapter names an unknown operation ${operation} (from ${from})`);
  }
}

/** (302, 305): the run takes its instruction; the device's last normal end can no longer be restored (A17). */
function loadEntry(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  const instruction = head(run);
  dropCache(ctx, run);
  Object.assign(run, { cursor: 0, cacheChunk: 0, stagedCount: 0, tapesStarted: 0, report: null, table140: CLEAR_140 });
  setCatalog(ctx, device, null);
  ctx.log.started.push({ device, generation: instruction.ref.generation, index: instruction.ref.index });
}

function tapeOf(ctx: Context, device: number): Extract<BackupSystem['devices'][number], { class: 'tape' }> {
  const found = ctx.system.devices[device]!;
  assert(found.class === 'tape', () => `device ${device} is not a tape drive`);
  return found;
}

function requestMount(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  tapeOf(ctx, device).mountRequest = run.table140.currentLabel ?? head(run).entry.label; // (603, 704)
  run.pending = 'ready';
}

/** (505/506, 608/609): 142 := 1, 143 := 123; a tape is written from its load point. */
function setLabelChecked(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  run.table140 = { ...run.table140, labelChecked: true, currentLabel: head(run).entry.label };
  const medium = ctx.system.devices[device]!;
  if (medium.class === 'tape') {
    medium.position = 0;
    run.tapesStarted = 1;
  }
}

/** (703) 143 := inc(143); BROKEN label-not-incremented keeps it. The caller has checked it does not overflow. */
function incrementCurrentLabel(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  const next = incrementLabel(run.table140.currentLabel!);
  assert(next !== null, 'label.overflow is raised before 703 would overflow');
  if (ctx.variant.defect !== 'label-not-incremented') run.table140 = { ...run.table140, currentLabel: next };
  run.tapesStarted += 1;
}

function mountedLabel(ctx: Context, device: number): string | null {
  const medium = ctx.system.devices[device]!;
  return medium.class === 'disk' ? medium.label : medium.class === 'tape' ? medium.loaded : null;
}

/** (508, 611): the cached unit goes out on cable 14; the device stores it when it answers. */
function writeUnit(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  assert(run.cache !== null, 'writeUnit with an empty cache');
  const t = run.table140;
  ctx.log.writes.push({ device, chunk: run.cacheChunk, labelChecked: t.labelChecked, mountWait: t.mountWait, currentLabel: t.currentLabel, mounted: mountedLabel(ctx, device) });
  run.pending = 'write';
  const medium = ctx.system.devices[device]!;
  // BROKEN unload-before-last-unit-stored: the tape is unloaded as the last unit is sent, so the drive loses it.
  if (ctx.variant.defect === 'unload-before-last-unit-stored' && medium.class === 'tape' && run.cacheChunk === volumeChunks(ctx, run) - 1) {
    medium.loaded = null;
    medium.lostWrite = true;
  }
}

/** BROKEN write-before-label-check: chunk 0 is sent with the label read, onto whatever is mounted. */
function writeAhead(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  const volume = ctx.system.volumes[runVolume(ctx, run)]!;
  if (volume.trackCount === 0) return;
  ctx.log.writes.push({ device, chunk: 0, labelChecked: false, mountWait: run.table140.mountWait, currentLabel: run.table140.currentLabel, mounted: mountedLabel(ctx, device) });
  storeUnit(ctx, device, 0, volume.contents().slice(0, volume.trackSize));
}

function unload(ctx: Context, device: number): void {
  const tape = tapeOf(ctx, device);
  tape.loaded = null; // (701, 903)
  tape.lostWrite = false;
}

/** Device 30 stores a unit: a disk at the chunk's index, a tape at the drive's position. */
function storeUnit(ctx: Context, device: number, chunk: number, data: Uint8Array): void {
  const medium = ctx.system.devices[device]!;
  if (medium.class === 'disk') {
    medium.volume.writeTrack(chunk, data);
  } else if (medium.class === 'tape' && medium.loaded !== null) {
    const cartridge = medium.cartridges.find((c) => c.label === medium.loaded)!;
    cartridge.volume.writeTrack(medium.position, data);
    cartridge.count = medium.position + 1;
    medium.position += 1;
  }
}

/** The catalog is shared with the world before the step: it is replaced, never changed. */
function setCatalog(ctx: Context, device: number, entry: BackupSystem['catalog'][number]): void {
  if (ctx.system.catalog[device] === entry) return;
  const catalog = [...ctx.system.catalog];
  catalog[device] = entry;
  ctx.system.catalog = catalog;
}

/** (802, 312): the report waits in the end state; a normal end becomes the device's restorable backup. */
function report(ctx: Context, device: number, normal: boolean): void {
  const run = ctx.system.adapters[device]!;
  const instruction = head(run);
  run.report = normal ? 'normal' : 'abnormal';
  run.pending = null;
  if (normal) setCatalog(ctx, device, { ref: instruction.ref, label: instruction.entry.label, units: volumeChunks(ctx, run), volume: runVolume(ctx, run) });
  ctx.log.reports.push({ device, generation: instruction.ref.generation, index: instruction.ref.index, normal });
}

/** (301): the run is over; the next instruction, if any, starts at once (A9). */
function returnToDispatcher(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  const [finished] = run.queue;
  if (finished?.shadow != null && ctx.spare !== null) ctx.spare.give(finished.shadow.contents()); // in place: the next image's bytes
  run.queue = run.queue.slice(1);
  dropCache(ctx, run);
  Object.assign(run, { cursor: 0, cacheChunk: 0, stagedCount: 0, tapesStarted: 0, report: null, pending: null });
}

/** Starts the next instruction if the adapter is idle and has one (301-304). */
export function startNext(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  if (run.state !== 'idle' || run.queue.length === 0) return;
  if (ctx.variant.defect === 'queue-lifo' && run.queue.length > 1) run.queue = [run.queue[run.queue.length - 1]!, ...run.queue.slice(0, -1)];
  takeAdapter(ctx, device, 'backup.start');
}

/** A DKA's read completes (C10, C11): the chunk at the cursor goes into cache, from the live volume or the image. */
export function stageComplete(ctx: Context, device: number): void {
  const run = ctx.system.adapters[device]!;
  const volumeIndex = runVolume(ctx, run);
  const source = ctx.system.volumes[volumeIndex]!;
  if (run.cursor >= source.trackCount) {
    takeAdapter(ctx, device, 'stage.empty'); // only the literal A15 flow stages past the end
    return;
  }
  const chunk = run.cursor;
  const instruction = head(run);
  const into = ctx.spare?.take(source.trackSize); // in place, a buffer the cache let go of (dropCache)
  let data = instruction.image !== null ? instruction.image.readImageTrack(source, instruction.shadow!, chunk, into)
    : into === undefined ? source.readTrack(chunk) : source.readTrackInto(chunk, into);
  if (ctx.variant.defect === 'stale-stage-cache') {
    const stale = ctx.system.stageMemo[volumeIndex]![chunk];
    if (stale !== null && stale !== undefined) data = Uint8Array.from(stale.match(/../g)!.map((h) => parseInt(h, 16)));
    // The memo is shared with the world before the step: replaced, never changed.
    ctx.system.stageMemo = ctx.system.stageMemo.map((memo, v) => (v === volumeIndex ? memo.map((hex, c) => (c === chunk ? toHex(data) : hex)) : memo));
  }
  dropCache(ctx, run);
  run.cache = data;
  run.cacheChunk = chunk;
  run.cursor += 1;
  run.pending = null;
  // The hex is made when read: the properties read it, the workload's data path never does (in place, the
  // buffer is filled again by a later staging read: the entry is good until the next command).
  const staged = data;
  ctx.log.staged.push({ device, volume: volumeIndex, chunk, get data() { return toHex(staged); } });
  takeAdapter(ctx, device, 'stage.complete');
}

export type Answer = Extract<BackupEvent, { type: 'device.answer' | 'device.eot' | 'device.eom' | 'device.error' }>['type'];

/** Which answers each pending request admits (spec/004 §3 C2-C21). */
export function answerAllowed(system: BackupSystem, device: number, answer: Answer): boolean {
  const run = system.adapters[device]!;
  const medium = system.devices[device]!;
  switch (run.pending) {
    case 'type':
    case 'label':
      return answer === 'device.answer' || answer === 'device.error';
    case 'ready':
      return answer === 'device.answer' && medium.class === 'tape' && medium.loaded !== null;
    case 'write':
      if (answer === 'device.error') return true;
      if (medium.class !== 'tape') return answer === 'device.answer';
      // A full cartridge can only refuse (end of medium); one with room stores, with or without early warning.
      // End of medium may come before the nominal capacity too: a short or worn tape.
      return answer === 'device.eom' || medium.position < medium.capacity;
    case 'rewind':
      return answer === 'device.answer';
    default:
      return false;
  }
}

/** Applies an admitted device answer: the machine event it is, chosen from data. */
export function deviceAnswer(ctx: Context, device: number, answer: Answer): void {
  const run = ctx.system.adapters[device]!;
  const pending = run.pending;
  run.pending = null;
  switch (pending) {
    case 'type':
      takeAdapter(ctx, device, answer === 'device.error' ? 'type.failed' : typeEvent(ctx, device));
      return;
    case 'label':
      takeAdapter(ctx, device, answer === 'device.error' ? 'label.failed' : labelEvent(ctx, device));
      return;
    case 'ready':
      takeAdapter(ctx, device, 'drive.ready');
      return;
    case 'write':
      takeAdapter(ctx, device, writeEvent(ctx, device, answer));
      return;
    case 'rewind':
      takeAdapter(ctx, device, run.state === 'tape.eot-rewind' && incrementLabel(run.table140.currentLabel!) === null ? 'label.overflow' : 'rewind.done');
      return;
    default:
      throw new Error(`device ${device} answered with nothing pending`);
  }
}

function typeEvent(ctx: Context, device: number): AdapterEventType {
  const medium = ctx.system.devices[device]!;
  if (medium.class === 'disk') return 'type.disk';
  if (medium.class === 'other') return 'type.unknown';
  return medium.loaded !== null ? 'type.tape-ready' : 'type.tape-not-ready';
}

function labelEvent(ctx: Context, device: number): AdapterEventType {
  const run = ctx.system.adapters[device]!;
  const medium = ctx.system.devices[device]!;
  const expected = run.state === 'tape.next-label-check' ? run.table140.currentLabel : head(run).entry.label;
  if (mountedLabel(ctx, device) !== expected) return 'label.mismatch';
  if (run.state === 'tape.next-label-check') return run.cache !== null ? 'label.match-cached' : 'label.match';
  // The literal A15 flow does not test for the end at 610: a zero-length volume is staged like any other.
  const finishAt610 = medium.class === 'disk' || ctx.variant.control.zeroLengthTape === 'finish-at-610';
  return volumeChunks(ctx, run) === 0 && finishAt610 ? 'label.match-finished' : 'label.match';
}

/** The event a write's answer is: stored or not (A10, A11), and whether that was the last unit (509, 612). */
function writeEvent(ctx: Context, device: number, answer: Answer): AdapterEventType {
  const run = ctx.system.adapters[device]!;
  const medium = ctx.system.devices[device]!;
  if (answer === 'device.error') return 'write.failed';
  if (medium.class === 'disk') {
    if (run.cacheChunk >= medium.volume.trackCount) return 'write.failed'; // the disk has no room (A10)
    storeUnit(ctx, device, run.cacheChunk, run.cache!);
    return run.cursor >= volumeChunks(ctx, run) ? 'copy.complete' : 'unit.written';
  }
  assert(medium.class === 'tape', 'only disks and tapes are written');
  const last = run.cursor >= volumeChunks(ctx, run);
  if (answer === 'device.answer') {
    if (!medium.lostWrite) storeUnit(ctx, device, run.cacheChunk, run.cache!);
    return last ? 'copy.complete' : 'unit.written';
  }
  const room = answer === 'device.eot';
  if (room && !medium.lostWrite) storeUnit(ctx, device, run.cacheChunk, run.cache!);
  const eotUnit = ctx.variant.control.eotUnit;
  // What the controller believes the drive did with the unit: the drive's answer, or one reading for all (A11).
  const believedStored = eotUnit === 'as-reported' ? room : eotUnit === 'always-stored';
  if (believedStored && last) return 'copy.complete';
  return room ? 'unit.written-eot' : 'unit.refused-eot';
}
