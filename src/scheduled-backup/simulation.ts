/**
 * `copyspec simulate scheduled-backup`: one day (1440 one-minute ticks) of schedule over a realistic
 * configuration: six volumes, three tape drives with a library of 24 cartridges and a device of unknown
 * type, ten entries through the day (two drives shared by several entries, so instructions queue, A9), hosts
 * writing all day, an operator who mounts each requested tape after a few minutes, and two faults a site
 * meets: a wrong tape mounted once, and a label series that runs out of digits (A12). Every step goes
 * through the lifecycle's own step and every property is checked after it, so the run is also a long check;
 * each normal end is restored as soon as its drive is free, and compared with the model.
 *
 * Progress goes to stderr as one line rewritten with `\r`: the only small progress-bar packages on the
 * registry are unmaintained (`progress`, 2019, untyped) or bring dependencies (`cli-progress` needs
 * `string-width`), and a dozen lines do the same here. The summary table goes to stdout.
 */
import { toHex } from '../hex.js';
import type { SimulationIo, SimulationOptions } from '../lifecycle.js';
import { BACKUP_PROPERTIES } from '../../properties/scheduled-backup.js';
import type { BackupStepOutcome, BackupWorld } from './abstraction.js';
import type { BackupEvent, BackupGeometry, ConfigEntry } from './events.js';

export const SIMULATION_DESCRIPTION = 'one day of schedule: 6 volumes, 3 tape drives and 24 cartridges, 10 entries, host writes, a wrong mount and a label overflow';

const DAY = 1440;
const label = (prefix: string, n: number): string => `${prefix}${String(n).padStart(3, '0')}`;

const ENTRIES: readonly ConfigEntry[] = [
  { volume: 0, adapter: 4, device: 0, label: 'SSC001', start: 60 },
  { volume: 1, adapter: 4, device: 1, label: 'TAP001', start: 90 },
  { volume: 2, adapter: 4, device: 0, label: 'SSC004', start: 120 },
  { volume: 3, adapter: 5, device: 2, label: 'LTO001', start: 300 },
  { volume: 4, adapter: 5, device: 2, label: 'LTO004', start: 300 },
  { volume: 5, adapter: 5, device: 3, label: 'LTO007', start: 480 },
  { volume: 0, adapter: 4, device: 1, label: 'TAP004', start: 720 },
  { volume: 2, adapter: 5, device: 2, label: 'LTO998', start: 900 },
  { volume: 1, adapter: 4, device: 0, label: 'SSC007', start: 1200 },
  { volume: 3, adapter: 5, device: 1, label: 'TAP007', start: 1380 },
];

export const SIMULATION_GEOMETRY: BackupGeometry = {
  chunkSize: 64,
  volumeChunks: [40, 24, 56, 16, 0, 32],
  adapterCount: 6,
  devices: [{ class: 'destination' }, { class: 'destination' }, { class: 'destination' }, { class: 'other' }],
  disk: { label: 'DSK001', chunkCount: 64 },
  tape: {
    library: [
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => label('SSC', n)),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => label('TAP', n)),
      ...[1, 2, 3, 4].map((n) => label('LTO', n)), label('LTO', 998), label('LTO', 999),
    ],
    capacity: 20,
  },
  initialTable: { backupAdapters: '000011', entries: ENTRIES },
};

/** xorshift32: the seeded generator of every random choice here. */
function generator(seed: number): () => number {
  let state = (seed >>> 0) || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

export interface RunRow {
  readonly entry: number;
  readonly volume: number;
  readonly device: number;
  readonly start: number;
  began: number | null;
  ended: number | null;
  result: 'normal' | 'abnormal' | 'running' | 'not due';
  /** For an abnormal end, the machine event that ended it (`label.mismatch`, `label.overflow`, …). */
  cause: string | null;
  labels: string[];
  /** Units sent to the device: a unit refused at the end of medium is sent again on the next tape. */
  writes: number;
  /** A normal end's restore: verified against the model, or superseded by a later run on the drive. */
  restore: 'verified' | 'superseded' | 'mismatch' | '-';
}

interface Driver {
  world: BackupWorld;
  steps: number;
  violation: string | null;
  step(event: BackupEvent): BackupStepOutcome;
}

function minutes(t: number | null): string {
  return t === null ? '-' : `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** What the operator and the devices do in one minute, after the SVP's pass. */
function deviceMinute(driver: Driver, now: number, random: () => number, mountAt: (number | null)[], faults: { wrongMountDone: boolean }): void {
  for (let round = 0; round < 64; round += 1) {
    let acted = false;
    const order = [0, 1, 2, 3].sort(() => random() - 0.5);
    for (const device of order) {
      const run = driver.world.system.adapters[device]!;
      const medium = driver.world.system.devices[device]!;
      if (run.pending === 'ready' && medium.class === 'tape' && medium.loaded === null) {
        if (mountAt[device] === null) mountAt[device] = now + 2 + Math.floor(random() * 10);
        if (now < mountAt[device]!) continue;
        mountAt[device] = null;
        // One fault of a real site: the second mount request on drive 2 gets the wrong cartridge.
        const wrong = device === 2 && !faults.wrongMountDone && medium.mountRequest === 'LTO004';
        if (wrong) faults.wrongMountDone = true;
        driver.step({ type: 'operator.mount', device, label: wrong ? 'LTO003' : medium.mountRequest! });
        acted = true;
        continue;
      }
      if (run.pending === null) {
        if (medium.class === 'tape' && medium.loaded !== null && (run.state === 'idle' || run.state === 'abnormal-end')) {
          driver.step({ type: 'operator.unload', device });
          acted = true;
        }
        continue;
      }
      if (run.pending === 'stage') driver.step({ type: 'stage.complete', device });
      else if (run.pending === 'write' && medium.class === 'tape' && medium.position >= medium.capacity) driver.step({ type: 'device.eom', device });
      else if (run.pending === 'write' && medium.class === 'tape' && medium.position >= medium.capacity - 2 && random() < 0.3) driver.step({ type: 'device.eot', device });
      else driver.step({ type: 'device.answer', device });
      acted = true;
    }
    if (!acted || driver.violation !== null) return;
  }
}

function hostMinute(driver: Driver, random: () => number): void {
  const geometry = driver.world.geometry;
  if (random() > 0.35) return;
  const volume = Math.floor(random() * geometry.volumeChunks.length);
  const chunks = geometry.volumeChunks[volume]!;
  if (chunks === 0) return;
  const offset = Math.floor(random() * chunks) * geometry.chunkSize + Math.floor(random() * geometry.chunkSize / 2);
  const data = Array.from({ length: 1 + Math.floor(random() * 16) }, () => Math.floor(random() * 256));
  driver.step({ type: 'host.write', volume, offset, data: toHex(data) });
}

function track(rows: RunRow[], driver: Driver, outcome: BackupStepOutcome, now: number): void {
  if (!outcome.controller.accepted) return;
  const log = outcome.controller.log;
  for (const started of log.started) {
    const row = rows[started.index]!;
    row.began = now;
    row.result = 'running';
  }
  for (const w of log.writes) {
    const row = rows[driver.world.system.adapters[w.device]!.queue[0]!.ref.index]!;
    row.writes += 1;
    if (w.currentLabel !== null && !row.labels.includes(w.currentLabel)) row.labels.push(w.currentLabel);
  }
  for (const report of log.reports) {
    const row = rows[report.index]!;
    row.ended = now;
    row.result = report.normal ? 'normal' : 'abnormal';
    row.cause = report.normal ? null : log.taken.find((t) => t.device === report.device && t.step.target === 'abnormal-end')?.step.eventType ?? null;
  }
}

function table(rows: readonly RunRow[]): string {
  const header = ['entry', 'volume (chunks)', 'device', 'due', 'began', 'ended', 'result', 'unit writes', 'labels written', 'restore'];
  const cells = rows.map((r) => [
    String(r.entry), `v${r.volume} (${SIMULATION_GEOMETRY.volumeChunks[r.volume]})`, `d${r.device}`, minutes(r.start), minutes(r.began), minutes(r.ended),
    r.cause === null ? r.result : `${r.result}: ${r.cause}`, String(r.writes), r.labels.length === 0 ? '-' : r.labels.length === 1 ? r.labels[0]! : `${r.labels[0]}-${r.labels[r.labels.length - 1]}`, r.restore,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  return [header, ...cells].map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function progress(io: SimulationIo, now: number, rows: readonly RunRow[]): void {
  const width = 30;
  const done = Math.round((now / DAY) * width);
  const ended = rows.filter((r) => r.result === 'normal' || r.result === 'abnormal').length;
  io.err(`\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(Math.round((now / DAY) * 100)).padStart(3)}%  ${minutes(now)}  ${ended}/${rows.length} backups ended`);
}

/** The day, minute by minute: the SVP's pass, host writes, the operator and the devices, restores. */
export function runSimulation(options: SimulationOptions, io: SimulationIo, initial: (geometry: BackupGeometry) => BackupWorld, stepWorld: (world: BackupWorld, event: BackupEvent) => { after: BackupWorld; outcome: BackupStepOutcome }): number {
  const random = generator(options.seed);
  const rows: RunRow[] = ENTRIES.map((e, entry) => ({ entry, volume: e.volume, device: e.device, start: e.start, began: null, ended: null, result: 'not due', cause: null, labels: [], writes: 0, restore: '-' }));
  const driver: Driver = {
    world: initial(SIMULATION_GEOMETRY), steps: 0, violation: null,
    step(event) {
      const before = this.world;
      const { after, outcome } = stepWorld(before, event);
      this.steps += 1;
      const failed = BACKUP_PROPERTIES.filter((p) => (p.state !== undefined && !p.state(after)) || (p.step !== undefined && !p.step({ before, event, outcome, after })));
      if (failed.length > 0 && this.violation === null) this.violation = `step ${this.steps} (${JSON.stringify(event)}): ${failed.map((p) => p.name).join(', ')}`;
      this.world = after;
      track(rows, this, outcome, after.system.now);
      return outcome;
    },
  };
  const mountAt: (number | null)[] = [null, null, null, null];
  const faults = { wrongMountDone: false };
  for (let now = 1; now <= DAY && driver.violation === null; now += 1) {
    driver.step({ type: 'timer.tick', by: 1 });
    hostMinute(driver, random);
    deviceMinute(driver, now, random, mountAt, faults);
    restoreFinished(driver, rows);
    if (now % 24 === 0 || now === DAY) progress(io, now, rows);
  }
  io.err('\n');
  return report(options, io, driver, rows);
}

/**
 * A user restores each normal end as soon as its drive is free (A17): the image must be the model's. A
 * refusal for a busy drive waits for the next minute; one because a later run replaced the backup ends the
 * tries.
 */
function restoreFinished(driver: Driver, rows: RunRow[]): void {
  for (const row of rows) {
    if (row.result !== 'normal' || row.restore !== '-') continue;
    const outcome = driver.step({ type: 'backup.restore', entry: row.entry });
    if (!outcome.controller.accepted) {
      if (outcome.controller.rejection.reason !== 'busy') row.restore = 'superseded';
      continue;
    }
    row.restore = outcome.model.accepted && outcome.controller.restored === outcome.model.restored ? 'verified' : 'mismatch';
  }
}

function report(options: SimulationOptions, io: SimulationIo, driver: Driver, rows: readonly RunRow[]): number {
  const errors = driver.world.system.errorReports;
  if (options.json) {
    io.out(`${JSON.stringify({ seed: options.seed, steps: driver.steps, violation: driver.violation, errorReports: errors, runs: rows }, null, 2)}\n`);
  } else {
    io.out(`scheduled-backup: one day (${DAY} ticks), seed ${options.seed}, ${driver.steps} steps, every property checked after each\n\n`);
    io.out(`${table(rows)}\n\n`);
    const abnormal = rows.filter((r) => r.result === 'abnormal').map((r) => `entry ${r.entry} (${r.cause})`);
    io.out(`abnormal ends: ${abnormal.length === 0 ? 'none' : abnormal.join(', ')}; errors reported to CHAs 0-${errors.length - 1}: ${errors.join(' ')}\n`);
    io.out(driver.violation === null ? 'Every property held at every step.\n' : `PROPERTY VIOLATED at ${driver.violation}\n`);
  }
  return driver.violation === null ? 0 : 1;
}
