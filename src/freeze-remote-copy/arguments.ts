/**
 * The controllers' own argument check (seed 001): a command's arguments against the group's geometry, in the
 * order of src/rejection.ts (malformed, unknown volume, block out of range, length out of range). The state
 * check (wrong-state, busy) comes after it, from the machines. This is controller code: the model decides the
 * same question by its own rules (model/freeze-remote-copy.ts), so that `acceptance-agrees-with-model`
 * compares two independent answers, and neither model/ nor properties/ may import this file.
 */
import { reject, type Rejection } from '../rejection.js';
import { blockBytes, wellFormedBlock, type Block } from './block.js';
import type { FreezeEvent, FreezeGeometry } from './events.js';

function isWhole(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function wellFormed(event: FreezeEvent<Block>): boolean {
  switch (event.type) {
    case 'host.write':
      return isWhole(event.volume) && isWhole(event.block) && wellFormedBlock(event.data);
    case 'host.read':
    case 'block.corrupt':
      return isWhole(event.volume) && isWhole(event.block);
    case 'link.deliver':
    case 'link.duplicate':
    case 'link.lose':
      return isWhole(event.index);
    default:
      return true;
  }
}

/**
 * Checks already made, by command. validateArguments is a pure function of the command and the geometry, both
 * readonly data, and the exhaustive checker sends the same command objects to every world; a repeated check
 * returns the first answer, the same rejection object. A WeakMap keeps no command alive.
 */
const checked = new WeakMap<FreezeEvent<Block>, { readonly geometry: FreezeGeometry; readonly rejection: Rejection | null }>();

/** Checks a command's arguments against the group's geometry; null when they are valid. */
export function validateArguments(event: FreezeEvent<Block>, geometry: FreezeGeometry): Rejection | null {
  // A write of bytes (the workload's data path) is a new command every time: remembered, it would only fill the map.
  if (event.type === 'host.write' && typeof event.data !== 'string') return check(event, geometry);
  const known = checked.get(event);
  if (known !== undefined && known.geometry === geometry) return known.rejection;
  const rejection = check(event, geometry);
  checked.set(event, { geometry, rejection });
  return rejection;
}

function check(event: FreezeEvent<Block>, geometry: FreezeGeometry): Rejection | null {
  if (!wellFormed(event)) return reject('malformed-command', `${event.type} needs whole numbers and lowercase hex data`);
  if (event.type !== 'host.write' && event.type !== 'host.read' && event.type !== 'block.corrupt') return null;
  if (event.volume >= geometry.volumeCount) return reject('unknown-volume', `no volume ${event.volume} in the group of ${geometry.volumeCount}`);
  if (event.block >= geometry.blocksPerVolume) return reject('track-out-of-range', `block ${event.block} is not in 0..${geometry.blocksPerVolume - 1}`);
  if (event.type === 'host.write' && blockBytes(event.data) !== geometry.blockSize) {
    return reject('length-out-of-range', `a write is one whole block of ${geometry.blockSize} bytes`);
  }
  return null;
}
