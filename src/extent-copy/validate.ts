/**
 * The extent-copy controller's argument check (spec/002 A3 "unknown pair", A11 validation), in the order of
 * src/rejection.ts: malformed, unknown pair, unknown volume, track out of range, length out of range. The state
 * (wrong-state) is the machines' to refuse, and what is held by another pair or extent (busy) is decided after
 * it, by the controller. The model (model/extent-copy.ts) decides the same questions by its own rules, never by
 * calling this: `acceptance-agrees-with-model` compares the two.
 *
 * How spec/002's checks map onto the closed list: an address past the volume is track-out-of-range; an extent
 * whose end is past the volume, whose start is after its end (A11), a list of no extents or of more than the
 * preset allows, a copy volume too small for the original or the extent (A11), and a host I/O that leaves its
 * track are length-out-of-range; a pair list that names a pair twice is malformed.
 */
import type { ExtentControlInput } from '../../machines/extent-copy.js';
import { isHex } from '../hex.js';
import { reject, type Rejection } from '../rejection.js';
import { capacityOf, trackOf, type Extent, type ExtentEvent, type ExtentGeometry } from './events.js';

/** What the check needs of a pair record: whether it is in use (not `free`), and its volumes. */
export interface RecordView {
  readonly state: string;
  readonly original: number;
  readonly copy: number;
}

function isWhole(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function wellFormedExtents(extents: unknown): boolean {
  return Array.isArray(extents) && extents.every((e: Extent) => isWhole(e.start) && isWhole(e.end));
}

/**
 * Every number whole and non-negative, data hex, lists lists (a scenario file or a port may send anything).
 * A write whose bytes come as they are (`writeLength`) has no hex to check.
 */
function malformed(event: ExtentEvent, writeLength: number | undefined): Rejection | null {
  const ok = (() => {
    switch (event.type) {
      case 'host.write':
        return isWhole(event.volume) && isWhole(event.address) && (writeLength !== undefined || (typeof event.data === 'string' && isHex(event.data)));
      case 'host.read':
        return isWhole(event.volume) && isWhole(event.address) && isWhole(event.length);
      case 'pair.create':
        return isWhole(event.original) && isWhole(event.copy) && (event.extents === undefined || wellFormedExtents(event.extents));
      case 'pair.split':
        return Array.isArray(event.pairs) && event.pairs.every(isWhole) && new Set(event.pairs).size === event.pairs.length;
      case 'extent.update':
      case 'extent.split':
        return isWhole(event.pair) && wellFormedExtents(event.extents);
      case 'copy.step':
        return isWhole(event.pair) && (event.extent === undefined || isWhole(event.extent));
      case 'copy.fault':
        return isWhole(event.pair) && isWhole(event.volume) && (event.extent === undefined || isWhole(event.extent));
      default:
        return isWhole(event.pair);
    }
  })();
  return ok ? null : reject('malformed-command', `${event.type} needs whole numbers, hex data and a pair list without repeats`);
}

/** Extent slots per pair: E1's extent info entries; E2 and E3 have none. */
function slotsOf(geometry: ExtentGeometry, control: ExtentControlInput): number {
  return control.embodiment === 1 ? geometry.extentSlots : 0;
}

function checkPair(pair: number, records: readonly RecordView[]): Rejection | null {
  return records[pair] !== undefined && records[pair].state !== 'free' ? null : reject('unknown-pair', `pair ${pair} is not a record in use`);
}

function checkVolume(volume: number, geometry: ExtentGeometry): Rejection | null {
  return volume < geometry.volumeTracks.length ? null : reject('unknown-volume', `no volume ${volume}`);
}

/** A host I/O: inside the volume, at least one byte, and within the track of its address (【0016】). */
function checkHostRange(volume: number, address: number, length: number, geometry: ExtentGeometry): Rejection | null {
  const capacity = capacityOf(volume, geometry);
  if (address >= capacity) return reject('track-out-of-range', `address ${address} is past volume ${volume}'s ${capacity}`);
  const trackEnd = (trackOf(address, geometry) + 1) * geometry.trackSize;
  if (length === 0 || address + length > trackEnd) return reject('length-out-of-range', `${length} bytes at ${address} leave the track`);
  return null;
}

/** A11: each extent inside the original, start ≤ end (unless the literal flow), the list not empty nor too long. */
function checkExtents(extents: readonly Extent[], original: number, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  const capacity = capacityOf(original, geometry);
  for (const extent of extents) {
    if (extent.start >= capacity) return reject('track-out-of-range', `extent start ${extent.start} is past the original's ${capacity}`);
  }
  if (extents.length === 0 || extents.length > geometry.extentsMax) {
    return reject('length-out-of-range', `a request names 1 to ${geometry.extentsMax} extents, not ${extents.length}`);
  }
  for (const extent of extents) {
    if (extent.end >= capacity) return reject('length-out-of-range', `extent end ${extent.end} is past the original's ${capacity}`);
    if (control.validation === 'full' && extent.start > extent.end) return reject('length-out-of-range', `extent start ${extent.start} is after its end ${extent.end}`);
  }
  return null;
}

function checkCreate(event: Extract<ExtentEvent, { type: 'pair.create' }>, geometry: ExtentGeometry, control: ExtentControlInput): Rejection | null {
  const volumes = checkVolume(event.original, geometry) ?? checkVolume(event.copy, geometry);
  if (volumes !== null) return volumes;
  const copyTracks = geometry.volumeTracks[event.copy]!;
  if (control.embodiment !== 2) {
    if (event.extents !== undefined) return reject('malformed-command', 'an E1 or E3 Pair Create names no extents');
    const needed = geometry.volumeTracks[event.original]!;
    return copyTracks >= needed ? null : reject('length-out-of-range', `copy volume ${event.copy} has ${copyTracks} tracks, the original ${needed}`);
  }
  const extents = event.extents ?? [];
  const invalid = checkExtents(extents, event.original, geometry, control);
  if (invalid !== null) return invalid;
  const tooFar = extents.find((extent) => trackOf(Math.max(extent.start, extent.end), geometry) >= copyTracks);
  return tooFar === undefined ? null : reject('length-out-of-range', `copy volume ${event.copy} has no track for address ${tooFar.end}`);
}

/**
 * The arguments of a command, against the geometry and the records in use; null when they are valid.
 * `writeLength` is the length of a host write whose bytes come as they are (ExtentCopyController.handleInPlace).
 */
export function validateArguments(
  event: ExtentEvent,
  geometry: ExtentGeometry,
  control: ExtentControlInput,
  records: readonly RecordView[],
  writeLength?: number,
): Rejection | null {
  const bad = malformed(event, writeLength);
  if (bad !== null) return bad;
  switch (event.type) {
    case 'host.write':
      return checkVolume(event.volume, geometry) ?? checkHostRange(event.volume, event.address, writeLength ?? event.data.length / 2, geometry);
    case 'host.read':
      return checkVolume(event.volume, geometry) ?? checkHostRange(event.volume, event.address, event.length, geometry);
    case 'pair.create':
      return checkCreate(event, geometry, control);
    case 'pair.split':
      for (const pair of event.pairs) {
        const unknown = checkPair(pair, records);
        if (unknown !== null) return unknown;
      }
      return event.pairs.length === 0 ? reject('length-out-of-range', 'a Pair Split names at least one pair') : null;
    case 'extent.update':
    case 'extent.split':
      return checkPair(event.pair, records) ?? checkExtents(event.extents, records[event.pair]!.original, geometry, control);
    case 'copy.step':
      if (checkPair(event.pair, records) !== null) return checkPair(event.pair, records);
      return event.extent === undefined || event.extent < slotsOf(geometry, control) ? null : reject('unknown-pair', `pair ${event.pair} has no extent slot ${event.extent}`);
    case 'copy.fault': {
      if (checkPair(event.pair, records) !== null) return checkPair(event.pair, records);
      if (event.extent !== undefined && event.extent >= slotsOf(geometry, control)) return reject('unknown-pair', `pair ${event.pair} has no extent slot ${event.extent}`);
      const record = records[event.pair]!;
      return event.volume === record.original || event.volume === record.copy ? null : reject('unknown-volume', `volume ${event.volume} is not in pair ${event.pair}`);
    }
    default:
      return checkPair(event.pair, records);
  }
}
