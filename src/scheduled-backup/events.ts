/**
 * scheduled-backup commands as every layer sees them: their JSON shape (the zod schema scenario files,
 * vectors and ports are read with), the configuration table 100 they carry, the geometry of a preset, and a
 * one-line form for traces. Nothing here decides whether a command is accepted: the controller
 * (src/scheduled-backup/validate.ts and the machines) and the model (model/scheduled-backup.ts) each decide
 * that by their own rules.
 *
 * Who sends what: the clock (`timer.tick`), hosts (`host.write`), the SVP's operator (`config.request`,
 * `config.set`), the subsystem's power-on (`reboot.complete`, `reboot.fail`), a DKA (`stage.complete`), the
 * backup device on cable 14 (`device.answer`; `device.eot`, end of tape at early warning with the unit
 * stored; `device.eom`, end of medium with the unit refused; `device.error`), the tape operator
 * (`operator.mount` of a named cartridge, `operator.mount-requested` of the one the drive asked for at 603/704,
 * `operator.unload`) and a user asking for a restore (`backup.restore`). No host sends a
 * backup command (P9).
 */
import { z } from 'zod';

/** One entry of backup information 103 (spec/004 §2): fields 120-124. */
export interface ConfigEntry {
  /** 120: the target volume. */
  readonly volume: number;
  /** 121: the backup CHA that runs it. */
  readonly adapter: number;
  /** 122: the backup-device address. */
  readonly device: number;
  /** 123: the disk volume label, or the first tape label; a prefix and a decimal field (A12). */
  readonly label: string;
  /** 124: the start time, in absolute ticks of timer 130 (A1). */
  readonly start: number;
}

/** Configuration table 100 as the operator sets it: flag 102 and information 103 (110 is the preset's). */
export interface ConfigTable {
  /** 102: bit i set when CHA i has a backup device; `0`/`1`, CHA 0 first. */
  readonly backupAdapters: string;
  readonly entries: readonly ConfigEntry[];
}

export type BackupEvent =
  | { readonly type: 'timer.tick'; readonly by: number }
  | { readonly type: 'host.write'; readonly volume: number; readonly offset: number; readonly data: string }
  | { readonly type: 'config.request' }
  | { readonly type: 'config.set'; readonly table: ConfigTable }
  | { readonly type: 'reboot.complete' }
  | { readonly type: 'reboot.fail' }
  | { readonly type: 'stage.complete'; readonly device: number }
  | { readonly type: 'device.answer'; readonly device: number }
  | { readonly type: 'device.eot'; readonly device: number }
  | { readonly type: 'device.eom'; readonly device: number }
  | { readonly type: 'device.error'; readonly device: number }
  | { readonly type: 'operator.mount'; readonly device: number; readonly label: string }
  | { readonly type: 'operator.mount-requested'; readonly device: number }
  | { readonly type: 'operator.unload'; readonly device: number }
  | { readonly type: 'backup.restore'; readonly entry: number };

export type BackupEventType = BackupEvent['type'];

/** A backup device of a preset (device 30 at one address): its class and its media. */
export type DeviceSpec =
  | { readonly class: 'disk'; readonly label: string; readonly chunkCount: number }
  | { readonly class: 'tape'; readonly library: readonly string[]; readonly capacity: number }
  | { readonly class: 'other' };

/**
 * A preset's device templates: `destination` is the variant's destination class (a disk of `disk`, or a
 * tape drive with `tape`'s library), so that one preset serves the disk and the tape embodiments.
 */
export type DeviceTemplate = { readonly class: 'destination' } | { readonly class: 'other' };

export interface BackupGeometry {
  /** Bytes per chunk: the staging unit and the tape unit (A2). */
  readonly chunkSize: number;
  /** 110 and each target volume's size in chunks. */
  readonly volumeChunks: readonly number[];
  /** CHAs 41-45 as 0..n-1. */
  readonly adapterCount: number;
  readonly devices: readonly DeviceTemplate[];
  /** What a `destination` device is for a disk variant. */
  readonly disk: { readonly label: string; readonly chunkCount: number };
  /** What a `destination` device is for a tape variant: its cartridges, units per cartridge. */
  readonly tape: { readonly library: readonly string[]; readonly capacity: number };
  /** Table 100 at power-on. */
  readonly initialTable: ConfigTable;
}

const whole = z.number().int().nonnegative();

export const configTableSchema: z.ZodType<ConfigTable> = z.object({
  backupAdapters: z.string(),
  entries: z.array(z.object({ volume: whole, adapter: whole, device: whole, label: z.string(), start: whole }).strict()),
}).strict();

const onDevice = <T extends string>(type: T) => z.object({ type: z.literal(type), device: whole }).strict();
const bare = <T extends string>(type: T) => z.object({ type: z.literal(type) }).strict();

export const backupEventSchema: z.ZodType<BackupEvent> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('timer.tick'), by: whole }).strict(),
  z.object({ type: z.literal('host.write'), volume: whole, offset: whole, data: z.string() }).strict(),
  bare('config.request'),
  z.object({ type: z.literal('config.set'), table: configTableSchema }).strict(),
  bare('reboot.complete'),
  bare('reboot.fail'),
  onDevice('stage.complete'),
  onDevice('device.answer'),
  onDevice('device.eot'),
  onDevice('device.eom'),
  onDevice('device.error'),
  z.object({ type: z.literal('operator.mount'), device: whole, label: z.string() }).strict(),
  onDevice('operator.mount-requested'),
  onDevice('operator.unload'),
  z.object({ type: z.literal('backup.restore'), entry: whole }).strict(),
]);

/** A table as `102=01 [v0→c1/d0 BK8 @1, …]`. */
export function formatTable(table: ConfigTable): string {
  const entries = table.entries.map((e) => `v${e.volume}→c${e.adapter}/d${e.device} ${e.label} @${e.start}`);
  return `102=${table.backupAdapters} [${entries.join(', ')}]`;
}

/** A one-line form of a command for traces: `tick(+1)`, `host.write(v0 @1 01)`, `d0.answer`. */
export function formatBackupEvent(event: BackupEvent): string {
  switch (event.type) {
    case 'timer.tick':
      return `tick(+${event.by})`;
    case 'host.write':
      return `host.write(v${event.volume} @${event.offset} ${event.data})`;
    case 'config.set':
      return `config.set(${formatTable(event.table)})`;
    case 'operator.mount':
      return `d${event.device}.mount(${event.label})`;
    case 'backup.restore':
      return `restore(entry ${event.entry})`;
    case 'stage.complete':
      return `d${event.device}.staged`;
    case 'device.answer':
    case 'device.eot':
    case 'device.eom':
    case 'device.error':
    case 'operator.mount-requested':
    case 'operator.unload':
      return `d${event.device}.${event.type.slice(event.type.indexOf('.') + 1)}`;
    default:
      return event.type;
  }
}
