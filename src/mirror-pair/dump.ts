/**
 * The host side of seed 000's differential dump (Fig.4, 1000; 【0017】-【0019】) and the restore it makes
 * possible (【0015】). CPU 100 releases the mirror, asks which tracks changed, reads them from the frozen
 * secondary, writes them to tape as records, and resyncs. The tape unit is abstracted to a list of records
 * (spec/000 §8.15: sequence, track, bytes, full or differential).
 *
 * The procedure is a generator: it yields each command and receives the controller's answer, so a caller
 * can interleave host writes, copy steps or power cycles between any two of its commands, as real I/O would.
 */
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { assert } from '../assert.js';
import { fromHex } from '../hex.js';
import { PAIR_ID, type MirrorGeometry } from './events.js';
import type { MirrorOutcome } from './controller.js';

export type DumpKind = 'full' | 'differential';

export interface DumpRecord {
  readonly track: number;
  /** The track's bytes, lowercase hex. */
  readonly data: string;
}

/**
 * One dump on tape: its sequence number (the k-th temporary release), its kind, and its track records.
 * A differential dump of an interval with no writes has no records but is still on tape, so a restore can
 * tell it from a missing one.
 */
export interface Dump {
  readonly sequence: number;
  readonly kind: DumpKind;
  readonly records: readonly DumpRecord[];
}

/** Why a dump cycle stopped; the records already written are kept by the caller. */
export class DumpFailed extends Error {}

function accepted(outcome: MirrorOutcome, step: string): Extract<MirrorOutcome, { accepted: true }> {
  if (!outcome.accepted) throw new DumpFailed(`${step}: ${outcome.rejection.reason} (${outcome.rejection.message})`);
  return outcome;
}

/**
 * One dump cycle (1010-1070). A full dump reads every track (the first dump must be full, 【0015】);
 * a differential one reads the tracks the update info names. Reads go in batches of `batchTracks` (1060).
 */
export function* dumpCycle(
  sequence: number,
  kind: DumpKind,
  geometry: MirrorGeometry,
  batchTracks: number,
): Generator<MirrorEvent, Dump, MirrorOutcome> {
  assert(batchTracks > 0, 'a dump reads at least one track at a time');
  accepted(yield { type: 'pair.suspend', pair: PAIR_ID }, 'MirrorTempRelease (1010)');
  const info = accepted(yield { type: 'dump.update-info', pair: PAIR_ID }, 'UpdateInfoTransfer (1020)');
  assert(info.result.kind === 'update-info', 'update-info answers with a bitmap');
  const targets = kind === 'full'
    ? Array.from({ length: geometry.trackCount }, (_, track) => track)
    : [...info.result.bitmap].flatMap((bit, track) => (bit === '1' ? [track] : [])); // (1030)
  const records: DumpRecord[] = [];
  for (let start = 0; start < targets.length; start += batchTracks) {
    const read = accepted(yield { type: 'dump.read', pair: PAIR_ID, tracks: targets.slice(start, start + batchTracks) }, 'DumpRead (1040)');
    assert(read.result.kind === 'dump', 'dump.read answers with records');
    records.push(...read.result.records); // (1050)
  }
  accepted(yield { type: 'pair.resync', pair: PAIR_ID }, 'MirrorResync (1070)');
  return { sequence, kind, records };
}

/**
 * Restores a volume image from tape (【0015】; spec/000 §4.C): the last full dump, then every later
 * differential in sequence order. Returns null when the tape has no full dump or a sequence is missing
 * after it, because then the image at the last release cannot be rebuilt (spec/000 §8.14).
 */
export function restore(tape: readonly Dump[], geometry: MirrorGeometry): Uint8Array | null {
  const fulls = tape.filter((dump) => dump.kind === 'full').map((dump) => dump.sequence);
  if (fulls.length === 0) return null;
  const base = Math.max(...fulls);
  const chain = tape.filter((dump) => dump.sequence >= base).sort((a, b) => a.sequence - b.sequence);
  if (chain.some((dump, i) => dump.sequence !== base + i)) return null;
  const image = new Uint8Array(geometry.trackCount * geometry.trackSize);
  for (const dump of chain) for (const record of dump.records) image.set(fromHex(record.data), record.track * geometry.trackSize);
  return image;
}
