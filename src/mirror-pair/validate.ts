/**
 * The mirror-pair controller's argument check, in the documented order of src/rejection.ts (malformed,
 * unknown pair (or consistency group), unknown volume, track out of range, length out of range). The state check comes after it and
 * is the machine's. The model (model/mirror-pair.ts) decides the same questions by its own rules, never by
 * calling this: `acceptance-agrees-with-model` compares the two.
 */
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { isHex } from '../hex.js';
import { reject, type Rejection } from '../rejection.js';
import { PAIR_ID, PRIMARY_VOLUME, SECONDARY_VOLUME, type MirrorGeometry } from './events.js';

function checkExtent(offset: number, length: number, geometry: MirrorGeometry): Rejection | null {
  const byteLength = geometry.trackCount * geometry.trackSize;
  if (offset >= byteLength) return reject('track-out-of-range', `offset ${offset} is past the volume's ${byteLength} bytes`);
  if (length === 0 || offset + length > byteLength) {
    return reject('length-out-of-range', `${length} bytes at offset ${offset} do not fit in ${byteLength} bytes`);
  }
  return null;
}

function checkVolume(volume: number): Rejection | null {
  return volume === PRIMARY_VOLUME || volume === SECONDARY_VOLUME ? null : reject('unknown-volume', `no volume ${volume} in pair ${PAIR_ID}`);
}

function isWhole(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** A volume or track command's `pair`: absent (pair 0) or a whole number. */
function pairWellFormed(pair: number | undefined): boolean {
  return pair === undefined || isWhole(pair);
}

/** Every number in the command is a whole number (a scenario file or a port may send anything). */
function wellFormed(event: MirrorEvent): boolean {
  switch (event.type) {
    case 'host.write':
    case 'host.read':
    case 'track.fail':
    case 'track.corrupt':
      return pairWellFormed(event.pair) && wellFormedArguments(event);
    default:
      return wellFormedArguments(event);
  }
}

function wellFormedArguments(event: MirrorEvent): boolean {
  switch (event.type) {
    case 'group.suspend':
      return isWhole(event.group);
    case 'host.write':
      return isWhole(event.volume) && isWhole(event.offset) && typeof event.data === 'string';
    case 'host.read':
      return isWhole(event.volume) && isWhole(event.offset) && isWhole(event.length);
    case 'power.cycle':
      return true;
    case 'dump.read':
      return isWhole(event.pair) && Array.isArray(event.tracks) && event.tracks.every(isWhole);
    case 'track.fail':
      return isWhole(event.volume) && isWhole(event.track);
    case 'track.corrupt':
      return isWhole(event.track);
    default:
      return isWhole(event.pair);
  }
}

/**
 * Checks already made, by command. validateArguments is a pure function of the command and the geometry, both
 * readonly data, and the exhaustive checker sends the same few command objects hundreds of thousands of times,
 * each checked by the controller and again by the model; a repeated check returns the first answer, the same
 * rejection object. A command that came in binary (`bytes`) is always checked afresh. A WeakMap keeps no
 * command alive.
 */
const checked = new WeakMap<MirrorEvent, { readonly geometry: MirrorGeometry; readonly rejection: Rejection | null }>();

/**
 * Checks a command's arguments against the pair's geometry; null when they are valid. `bytes` is a host
 * write's data when it came in binary (`MirrorPairController.hostWrite`), in place of the command's hex.
 */
export function validateArguments(event: MirrorEvent, geometry: MirrorGeometry, bytes: Uint8Array | null = null): Rejection | null {
  if (bytes !== null) return check(event, geometry, bytes);
  const known = checked.get(event);
  if (known !== undefined && known.geometry === geometry) return known.rejection;
  const rejection = check(event, geometry, null);
  checked.set(event, { geometry, rejection });
  return rejection;
}

/**
 * A volume or track command of another pair than this controller's one: unknown here. A consistency group
 * (src/mirror-pair/group.ts) routes such a command to its pair as a command of pair 0, so each pair's
 * controller sees only its own.
 */
function checkPair(pair: number | undefined): Rejection | null {
  return pair === undefined || pair === PAIR_ID ? null : reject('unknown-pair', `no pair ${pair}`);
}

function check(event: MirrorEvent, geometry: MirrorGeometry, bytes: Uint8Array | null): Rejection | null {
  if (!wellFormed(event)) return reject('malformed-command', `${event.type} needs whole, non-negative numbers`);
  switch (event.type) {
    case 'host.write':
      if (bytes === null && !isHex(event.data)) return reject('malformed-command', 'write data must be lowercase hex, two digits a byte');
      return checkPair(event.pair) ?? checkVolume(event.volume) ?? checkExtent(event.offset, bytes?.length ?? event.data.length / 2, geometry);
    case 'host.read':
      return checkPair(event.pair) ?? checkVolume(event.volume) ?? checkExtent(event.offset, event.length, geometry);
    // A single pair is in no consistency group: there is no group to split (a group variant's controller
    // takes group.suspend itself and never passes it to a pair).
    case 'group.suspend':
      return reject('unknown-pair', `no consistency group ${event.group}: the pair is in none`);
    case 'power.cycle':
      return null;
    case 'dump.read':
      if (event.pair !== PAIR_ID) return reject('unknown-pair', `no pair ${event.pair}`);
      if (event.tracks.some((track) => track >= geometry.trackCount)) {
        return reject('track-out-of-range', `a requested track is not in 0..${geometry.trackCount - 1}`);
      }
      return event.tracks.length === 0 ? reject('length-out-of-range', 'a dump read names at least one track') : null;
    case 'track.fail':
      return checkPair(event.pair) ?? checkVolume(event.volume)
        ?? (event.track < geometry.trackCount ? null : reject('track-out-of-range', `track ${event.track} is not in 0..${geometry.trackCount - 1}`));
    case 'track.corrupt':
      return checkPair(event.pair)
        ?? (event.track < geometry.trackCount ? null : reject('track-out-of-range', `track ${event.track} is not in 0..${geometry.trackCount - 1}`));
    default:
      return event.pair === PAIR_ID ? null : reject('unknown-pair', `no pair ${event.pair}`);
  }
}
