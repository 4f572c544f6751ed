/**
 * scheduled-backup's workload driver (src/lifecycle.ts `WorkloadDriver`, docs/workload.md "scheduled-backup"):
 * the hosts of seed 004 writing real data to the subsystem's volumes while the subsystem backs them up by
 * itself, on its schedule, to disk or tape (claims 1-3): the SVP's timer reaches an entry's start time (201,
 * A1), the backup CHA probes the device, checks the label, and stages and writes every chunk (301-903). Hosts
 * send no backup command (P9); a consistency point of the workload is the host arriving, consistent, at the
 * next backup window of the schedule and waiting there while the clock runs to its start time.
 *
 * A commit is a backup's point in time. The point-in-time embodiment takes its image at the trigger (202,
 * copy-before-write, spec/004 A8 [EXT]), so the commit is taken there and the host writes on during the save.
 * The disk and tape embodiments stage the live volume (P12: a fuzzy image), which is a point in time only if
 * no host writes during the save (P11), so the host holds its writes until the save has ended normally and the
 * commit is taken then. Either way a commit completes at the normal end (802) of every volume's save, and a
 * failure point restores (A17 [EXT], `backupParts`) each volume from the media of the last completed backup.
 *
 * The schedule is set once, at power-on (table 100, 209-212): every volume's entry k (k = 1 … 1024) starts at
 * tick 4k and goes to device 2v + k mod 2, so that two backups alternate between two devices of each volume
 * (A17: "generations" are separate entries): a save overwrites its device (a disk in place; tapes from label
 * 123), and the last completed backup is on the other one. The clock runs only while the host waits at a
 * window, in ticks of 1 to 3 (a pass of the SVP's loop need not see every tick, A1), and stops at the first
 * instruction, so that no window opens while the host writes. A workload with more than 1024 consistency
 * points stalls after them. A cartridge holds ceil(n / 2) units of an n-chunk volume (at least 2), with four
 * cartridges a device (room for a unit sent twice at every change of tape), and the drive answers the last unit a cartridge takes with early warning (`device.eot`, the unit stored)
 * or plainly (the next write then finds the cartridge full: `device.eom`, the unit refused), as the seed
 * chooses; the operator mounts each cartridge the drive asks for (603, 704).
 *
 * The data path is binary: `stepSystemInPlace` changes the system where it is and takes a host write's bytes
 * as they are; staged chunks and tape units are whole chunks of bytes, staged into buffers the cache let go
 * of, and a point-in-time image takes the bytes of the last finished one (`BufferPool`). No fault is offered: a device error
 * or a reboot ends a save abnormally (710, 312) and the seed has no retry, so the host would wait for ever.
 */
import { assert } from '../assert.js';
import type { WorkloadDriver, WorkloadGeometry, WorkloadRandom, WorkloadRecovery, WorkloadSession, WorkloadStepReport } from '../lifecycle.js';
import { refuseTotalBytes, trackSizeFor } from '../workload/workload.js';
import { BufferPool } from './adapter.js';
import { backupParts, stepSystemInPlace, type BackupOutcome } from './controller.js';
import type { BackupEvent, BackupGeometry, ConfigEntry } from './events.js';
import { initialSystem, type BackupSystem } from './system.js';
import { backupVariant, type BackupVariant } from './variants.js';

/** Backups the schedule holds, ticks between two start times, and the longest tick of a pass. */
const BACKUPS = 1024;
const PERIOD = 4;
const MAX_TICK = 3;
/** CHA 1 runs every backup (its bit in flag 102); CHA 0 faces the hosts. */
const BACKUP_ADAPTER = 1;
const DISK_LABEL = 'BK1';
const TAPES = ['TP001', 'TP002', 'TP003', 'TP004'];
/** Bytes of every volume together the driver runs: each is held three times (the volume and two backup media). */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;

const IDLE: WorkloadStepReport = { busy: false, committed: [], faults: [] };
const BUSY: WorkloadStepReport = { busy: true, committed: [], faults: [] };

/** The schedule's entry of volume `volume` in backup k (1-based): device 2v + k mod 2, at tick PERIOD·k. */
function entryOf(k: number, volume: number, label: string): ConfigEntry {
  return { volume, adapter: BACKUP_ADAPTER, device: 2 * volume + (k % 2), label, start: PERIOD * k };
}

/** The subsystem a workload's volumes need: chunks of one track, two backup devices a volume, the schedule. */
export function backupGeometryOf(geometry: WorkloadGeometry, destination: 'disk' | 'tape'): BackupGeometry {
  const chunkSize = trackSizeFor(geometry);
  const chunks = geometry.volumeBytes / chunkSize;
  const label = destination === 'disk' ? DISK_LABEL : TAPES[0]!;
  const entries: ConfigEntry[] = [];
  for (let k = 1; k <= BACKUPS; k += 1) for (let volume = 0; volume < geometry.volumeCount; volume += 1) entries.push(entryOf(k, volume, label));
  return {
    chunkSize,
    volumeChunks: new Array<number>(geometry.volumeCount).fill(chunks),
    adapterCount: 2,
    devices: Array.from({ length: 2 * geometry.volumeCount }, () => ({ class: 'destination' as const })),
    disk: { label: DISK_LABEL, chunkCount: chunks },
    tape: { library: TAPES, capacity: Math.max(2, Math.ceil(chunks / 2)) },
    initialTable: { backupAdapters: '01', entries },
  };
}

/** A backup the SVP has instructed: its commit number, and each volume's entry. */
interface Backup {
  readonly number: number;
  readonly entries: readonly { readonly index: number; readonly entry: ConfigEntry }[];
  taken: boolean;
}

/** Where a completed backup of one volume is: its device, first label and units (the catalog at its normal end). */
interface Medium {
  readonly device: number;
  readonly label: string;
  readonly units: number;
}

/** The commands a device's work takes, made once: the controller's argument checks are cached by command. */
interface DeviceCommands {
  readonly stage: BackupEvent;
  readonly answer: BackupEvent;
  readonly eot: BackupEvent;
  readonly eom: BackupEvent;
  readonly mount: BackupEvent;
}

class BackupSession implements WorkloadSession {
  private readonly system: BackupSystem;
  private readonly backupGeometry: BackupGeometry;
  private readonly commands: readonly DeviceCommands[];
  private readonly pointInTime: boolean;
  private readonly ticks: BackupEvent[] = Array.from({ length: MAX_TICK }, (_, i) => ({ type: 'timer.tick', by: i + 1 }));
  /** The host waits at a window for the next backup. */
  private waiting = false;
  private current: Backup | null = null;
  private taken = 0;
  private completed = 0;
  private last: readonly Medium[] = [];
  /** Buffers the system let go of, which the next staging reads and images fill (`stepSystemInPlace`). */
  private readonly spare = new BufferPool();
  /** The restored volumes of the last failure point, refilled by the next. */
  private readonly restored: Uint8Array[];

  constructor(private readonly variant: BackupVariant, private readonly geometry: WorkloadGeometry) {
    this.backupGeometry = backupGeometryOf(geometry, variant.control.destination);
    this.system = initialSystem(variant.control.destination, this.backupGeometry);
    this.restored = Array.from({ length: geometry.volumeCount }, () => new Uint8Array(geometry.volumeBytes));
    this.pointInTime = variant.control.image === 'point-in-time';
    this.commands = this.backupGeometry.devices.map((_, device) => ({
      stage: { type: 'stage.complete', device }, answer: { type: 'device.answer', device }, eot: { type: 'device.eot', device },
      eom: { type: 'device.eom', device }, mount: { type: 'operator.mount-requested', device },
    }));
  }

  private step(event: BackupEvent, bytes?: Uint8Array): BackupOutcome {
    return stepSystemInPlace(this.system, event, this.variant, this.backupGeometry, bytes, this.spare);
  }

  write(volume: number, offset: number, data: Uint8Array): string | null {
    const outcome = this.step({ type: 'host.write', volume, offset, data: '' }, data);
    return outcome.accepted ? null : `${outcome.rejection.reason}: ${outcome.rejection.message}`;
  }

  /**
   * The host at its window: it waits for the next backup (the background runs the clock); the commit is taken
   * at the instruction (point-in-time) or at the normal end (disk, tape). A backup in progress holds the next.
   */
  commit(): number | null {
    const backup = this.current;
    if (backup === null || backup.taken) {
      this.waiting = backup === null;
      return null;
    }
    if (!this.pointInTime && !this.ended(backup)) return null;
    backup.taken = true;
    this.waiting = false;
    this.taken = backup.number;
    return this.taken;
  }

  /** Whether every volume's save of the backup has ended normally: its device's catalog names its entry (802). */
  private ended(backup: Backup): boolean {
    return backup.entries.every(({ index, entry }) => this.system.catalog[entry.device]?.ref.index === index);
  }

  background(random: WorkloadRandom): WorkloadStepReport {
    const backup = this.current;
    if (backup !== null && backup.taken && this.ended(backup)) return this.complete(backup);
    if (this.waiting && backup === null) return this.tick(random);
    return this.deviceWork(random) ? BUSY : IDLE;
  }

  /** The clock runs on by a pass of the SVP's loop; an instruction it sends (202) is the next backup. */
  private tick(random: WorkloadRandom): WorkloadStepReport {
    const before = this.system.svp.statuses.length;
    assert(this.step(this.ticks[random.below(MAX_TICK)]!).accepted, 'a tick is always accepted');
    const fresh = this.system.svp.statuses.slice(before);
    if (fresh.length > 0) {
      const table = this.system.active.table;
      this.current = { number: this.taken + 1, entries: fresh.map((s) => ({ index: s.ref.index, entry: table.entries[s.ref.index]! })), taken: false };
    }
    return BUSY;
  }

  private complete(backup: Backup): WorkloadStepReport {
    this.last = backup.entries.map(({ entry }) => {
      const found = this.system.catalog[entry.device]!;
      return { device: entry.device, label: found.label, units: found.units };
    });
    this.completed = backup.number;
    this.current = null;
    return { busy: true, committed: [backup.number], faults: [] };
  }

  /** One answer a device, a DKA or the operator owes, on a device chosen at random among those owing one. */
  private deviceWork(random: WorkloadRandom): boolean {
    const count = this.commands.length;
    for (let tried = 0, device = random.below(count); tried < count; tried += 1, device = (device + 1) % count) {
      const event = this.workOf(device, random);
      if (event !== null && this.step(event).accepted) return true;
    }
    return false;
  }

  private workOf(device: number, random: WorkloadRandom): BackupEvent | null {
    const commands = this.commands[device]!;
    const medium = this.system.devices[device]!;
    switch (this.system.adapters[device]!.pending) {
      case 'stage':
        return commands.stage;
      case 'type':
      case 'label':
      case 'rewind':
        return commands.answer;
      case 'ready':
        if (medium.class !== 'tape') return null;
        return medium.loaded !== null ? commands.answer : medium.mountRequest !== null ? commands.mount : null;
      case 'write':
        if (medium.class !== 'tape') return commands.answer;
        if (medium.position >= medium.capacity) return commands.eom;
        return medium.position === medium.capacity - 1 && random.chance(0.5) ? commands.eot : commands.answer;
      default:
        return null;
    }
  }

  /**
   * Each volume read back from the media of the last completed backup (A17), into the buffers of the failure
   * point before (WorkloadSession.recover); past what the media hold (nothing yet, or a tape of the chain
   * missing), zeros.
   */
  recover(): WorkloadRecovery {
    const volumes = this.restored.map((image, volume) => {
      const medium = this.last[volume];
      const parts = medium === undefined ? [] : backupParts(this.system.devices[medium.device]!, medium.label, medium.units, this.backupGeometry.chunkSize, this.variant);
      let at = 0;
      for (const part of parts) {
        if (at >= image.length) break;
        const length = Math.min(part.length, image.length - at);
        image.set(part.subarray(0, length), at);
        at += length;
      }
      image.fill(0, at);
      return image;
    });
    return { commit: this.completed, volumes };
  }
}

export const scheduledBackupWorkload: WorkloadDriver = {
  commitKind: 'backup',
  describe: 'a backup the subsystem runs on its schedule is taken at its point in time (the trigger, or the normal end of a save the host waited through); a failure restores the last completed backup from disk or tape',
  faults: [],
  refuse: (geometry) => refuseTotalBytes(geometry, MAX_TOTAL_BYTES, 'scheduled-backup holds each volume three times (the volume and two backup media)'),
  open(variant, geometry) {
    const info = backupVariant(variant);
    assert(info !== undefined, () => `no scheduled-backup variant ${variant}`);
    return new BackupSession(info, geometry);
  },
};
