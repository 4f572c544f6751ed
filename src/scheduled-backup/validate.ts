/**
 * The scheduled-backup controller's argument check, in the documented order of src/rejection.ts
 * (malformed, unknown entry, unknown volume or device, offset out of range, length out of range). The state
 * checks (wrong-state, busy) come after it, in the controller. The model decides the same questions by its
 * own rules, never by calling this: `acceptance-agrees-with-model` compares the two.
 *
 * Reasons as this lifecycle uses them: an entry of table 103 pairs a target volume with a destination, so an
 * entry index that names none is `unknown-pair`; a target volume, a device address, a CHA or a cartridge
 * label that names none is `unknown-volume`; a tick of zero ticks is a zero length (`length-out-of-range`).
 */
import { isHex } from '../hex.js';
import { reject, type Rejection } from '../rejection.js';
import type { BackupEvent, BackupGeometry, ConfigTable } from './events.js';

const whole = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

/** A label is a non-empty prefix-free run of letters and digits ending in a decimal field (A12). */
function wellFormedLabel(label: string): boolean {
  return /^[A-Z]*[0-9]+$/.test(label) && label.length <= 16;
}

function checkTable(table: ConfigTable, geometry: BackupGeometry): Rejection | null {
  if (!/^[01]*$/.test(table.backupAdapters) || table.backupAdapters.length !== geometry.adapterCount) {
    return reject('malformed-command', `flag 102 must be ${geometry.adapterCount} digits 0 or 1`);
  }
  for (const entry of table.entries) {
    if (![entry.volume, entry.adapter, entry.device, entry.start].every(whole) || !wellFormedLabel(entry.label)) {
      return reject('malformed-command', 'an entry needs whole numbers and a label ending in digits');
    }
  }
  for (const entry of table.entries) {
    if (entry.volume >= geometry.volumeChunks.length) return reject('unknown-volume', `no volume ${entry.volume}`);
    if (entry.adapter >= geometry.adapterCount) return reject('unknown-volume', `no CHA ${entry.adapter}`);
    if (entry.device >= geometry.devices.length) return reject('unknown-volume', `no backup device ${entry.device}`);
  }
  return null;
}

/** `writeLength`: the length of a write whose bytes come as they are, with no hex to check. */
function checkWrite(event: Extract<BackupEvent, { type: 'host.write' }>, geometry: BackupGeometry, writeLength: number | undefined): Rejection | null {
  if (!whole(event.volume) || !whole(event.offset) || (writeLength === undefined && !isHex(event.data))) return reject('malformed-command', 'a write needs whole numbers and hex data');
  if (event.volume >= geometry.volumeChunks.length) return reject('unknown-volume', `no volume ${event.volume}`);
  const bytes = geometry.volumeChunks[event.volume]! * geometry.chunkSize;
  if (event.offset >= bytes) return reject('track-out-of-range', `offset ${event.offset} is past the volume's ${bytes} bytes`);
  const length = writeLength ?? event.data.length / 2;
  if (length === 0 || event.offset + length > bytes) return reject('length-out-of-range', `${length} bytes at ${event.offset} do not fit in ${bytes}`);
  return null;
}

/**
 * Checks a command's arguments against the preset's geometry and the active table; null when they are valid.
 * `writeLength` is the length of a host write whose bytes come as they are (the workload's `stepSystemInPlace`).
 */
export function validateArguments(event: BackupEvent, geometry: BackupGeometry, active: ConfigTable, writeLength?: number): Rejection | null {
  switch (event.type) {
    case 'timer.tick':
      if (!whole(event.by)) return reject('malformed-command', 'a tick needs a whole number');
      return event.by === 0 ? reject('length-out-of-range', 'a tick of zero ticks') : null;
    case 'host.write':
      return checkWrite(event, geometry, writeLength);
    case 'config.set':
      return checkTable(event.table, geometry);
    case 'stage.complete':
    case 'device.answer':
    case 'device.eot':
    case 'device.eom':
    case 'device.error':
    case 'operator.mount-requested':
    case 'operator.unload':
      if (!whole(event.device)) return reject('malformed-command', 'a device address is a whole number');
      return event.device < geometry.devices.length ? null : reject('unknown-volume', `no backup device ${event.device}`);
    case 'operator.mount':
      if (!whole(event.device)) return reject('malformed-command', 'a device address is a whole number');
      if (event.device >= geometry.devices.length) return reject('unknown-volume', `no backup device ${event.device}`);
      return geometry.tape.library.includes(event.label) ? null : reject('unknown-volume', `no cartridge ${event.label} in the library`);
    case 'backup.restore':
      if (!whole(event.entry)) return reject('malformed-command', 'an entry index is a whole number');
      return event.entry < active.entries.length ? null : reject('unknown-pair', `no entry ${event.entry} in table 103`);
    default:
      return null;
  }
}
