/**
 * Cable 600 (seed 003 【0028】) for failover-failback: the messages the two controllers exchange and the one
 * place this lifecycle reaches the project's unordered link (src/link.ts). Transfers on it can be delayed
 * (any message may be delivered at any later step), reordered, lost one at a time (`lose`), or all at once
 * when the link goes down; a send while it is down or full is lost at once.
 *
 * The seed names only the data that crosses cable 600 (the async copy 【0025】, the DT1 read of 3020 and
 * the differential copy of 3070). The acknowledgements, the DELPAIR handshake and the generation every
 * message carries are copyspec's (machines/failover-failback.ts header): they are what lets a sender tell a
 * lost transfer from a slow one and a receiver drop one delayed across a role change.
 *
 * Every message has the same four fields, in this documented order, which is also the order `compareMessages`
 * sorts by and so the canonical order of the link (the index `link.deliver` names):
 *   1. `kind`  one of MESSAGE_KINDS, compared by its position in that list;
 *   2. `track` the track a transfer or its acknowledgement is about; null for DELPAIR and its acknowledgement
 *              (null sorts first);
 *   3. `gen`   the sender's generation (the echoed one in an acknowledgement);
 *   4. `data`  the track's bytes as lowercase hex for a transfer; null otherwise (null sorts first). The
 *              workload driver (src/failover-failback/workload.ts) steps the controllers with bytes instead
 *              (a `Uint8Array`, compared byte by byte); one link never holds both forms.
 * The link keeps its messages in the order of the comparator its sender passes (`send`), here
 * `compareMessages`, so every vector's `link.deliver` index follows these fields.
 */
import { fromHex } from '../hex.js';
import * as link from '../link.js';

export const MESSAGE_KINDS = ['copy', 'copy-ack', 'failback', 'failback-ack', 'delpair', 'delpair-ack'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** A track's bytes: lowercase hex in commands, vectors and the verifier; bytes on the workload's data path. */
export type TrackData = string | Uint8Array;

export interface Message {
  readonly kind: MessageKind;
  readonly track: number | null;
  readonly gen: number;
  readonly data: TrackData | null;
}

/** Every message is built here, its fields always in the documented order. */
export function messageOf(kind: MessageKind, track: number | null, gen: number, data: TrackData | null): Message {
  return { kind, track, gen, data };
}

/** The bytes of track data; decoded hex may be shared and must not be changed. */
export function trackBytes(data: TrackData): Uint8Array {
  return typeof data === 'string' ? fromHex(data) : data;
}

/** Track data as lowercase hex (Buffer encodes bytes, for traces and vectors). */
export function trackHex(data: TrackData): string {
  return typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

/** Hex by code unit, bytes by Buffer.compare; hex (the verifier's) before bytes, which never share a link. */
function compareData(x: TrackData, y: TrackData): number {
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' || typeof y === 'string') return typeof x === 'string' ? -1 : 1;
  return Buffer.compare(x, y);
}

/** Who receives a message of each kind. */
export function receiverOf(message: Message): 'master' | 'backup' {
  return message.kind === 'copy' || message.kind === 'failback-ack' || message.kind === 'delpair-ack' ? 'backup' : 'master';
}

function compareNullable<T>(a: T | null, b: T | null, compare: (x: T, y: T) => number): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compare(a, b);
}

/** The canonical order: kind (by MESSAGE_KINDS), track, gen, data, in that order (see the header). */
export function compareMessages(a: Message, b: Message): number {
  const byKind = MESSAGE_KINDS.indexOf(a.kind) - MESSAGE_KINDS.indexOf(b.kind);
  if (byKind !== 0) return byKind;
  const byTrack = compareNullable(a.track, b.track, (x, y) => x - y);
  if (byTrack !== 0) return byTrack;
  if (a.gen !== b.gen) return a.gen - b.gen;
  return compareNullable(a.data, b.data, compareData);
}

export type Wire = link.Link<Message>;

export function emptyWire(capacity: number): Wire {
  return link.emptyLink<Message>(capacity);
}

/** Sends a message; it is lost at once when the link is down or full. */
export function send(wire: Wire, message: Message): Wire {
  return link.send(wire, message, compareMessages).link;
}

export function hasMessage(wire: Wire, index: number): boolean {
  return link.hasMessage(wire, index);
}

/** Takes message `index` out of the link for delivery. */
export function deliver(wire: Wire, index: number): { readonly wire: Wire; readonly message: Message } {
  const taken = link.deliver(wire, index);
  return { wire: taken.link, message: taken.message };
}

export function lose(wire: Wire, index: number): Wire {
  return link.lose(wire, index);
}

export function down(wire: Wire): Wire {
  return link.down(wire);
}

export function up(wire: Wire): Wire {
  return link.up(wire);
}

/** Whether a message of this kind, track and generation is in flight. */
export function inFlight(wire: Wire, kind: MessageKind, track: number | null, gen: number): boolean {
  return wire.inFlight.some((m) => m.kind === kind && m.track === track && m.gen === gen);
}

/** `FAILBACK(t1 g1 02)`, `ACK(copy t0 g0)`, `DELPAIR(g1)`: a message for traces. */
export function formatMessage(message: Message): string {
  switch (message.kind) {
    case 'copy':
    case 'failback':
      return `${message.kind.toUpperCase()}(t${message.track} g${message.gen} ${trackHex(message.data!)})`;
    case 'copy-ack':
    case 'failback-ack':
      return `ACK(${message.kind.slice(0, -4)} t${message.track} g${message.gen})`;
    case 'delpair':
      return `DELPAIR(g${message.gen})`;
    case 'delpair-ack':
      return `ACK(delpair g${message.gen})`;
  }
}
