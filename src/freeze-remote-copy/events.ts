/**
 * freeze-remote-copy commands and messages (seed 001, Fig 11 【0102】-【0105】): the external events a host, an
 * operator, the two controllers' background tasks and the link's fault injector send, the messages that
 * travel between the controllers, the shape of a command in a scenario file, the group's geometry, and how
 * commands and messages are written in traces. Every layer shares this file; it decides nothing. Whether a
 * command is accepted is decided twice, independently: by the controllers (src/freeze-remote-copy/arguments.ts
 * and the machines) and by the model (model/freeze-remote-copy.ts).
 *
 * A consistency group of `volumeCount` volumes of `blocksPerVolume` blocks is frozen as one (【0032】: a
 * volume may be a logical disk; anchors/replication_systems.md §1.5 CTG at-time split). Inside the
 * controllers a block is addressed by its index in the group, `volume * blocksPerVolume + block`.
 */
import { z } from 'zod';
import { compareBlocks, compareText, type Block } from './block.js';

export interface FreezeGeometry {
  readonly volumeCount: number;
  readonly blocksPerVolume: number;
  /** Bytes per block. */
  readonly blockSize: number;
  /** Messages the link holds at once; a send into a full link is lost. */
  readonly linkCapacity: number;
  /** DATA messages a primary leaves unacknowledged at once (1 is Fig 5's stop-and-wait at 2280). */
  readonly window: number;
}

/**
 * A command. `B` is how a write's block is held (src/freeze-remote-copy/block.ts): hex text in the verifier,
 * scenario files and vectors, bytes in the workload driver.
 */
export type FreezeEvent<B extends Block = string> =
  | { readonly type: 'host.write'; readonly volume: number; readonly block: number; readonly data: B }
  | { readonly type: 'host.read'; readonly volume: number; readonly block: number }
  | { readonly type: 'host.freeze' }
  | { readonly type: 'primary.copy' }
  | { readonly type: 'primary.step' }
  | { readonly type: 'primary.timeout' }
  | { readonly type: 'primary.fail' }
  | { readonly type: 'secondary.apply' }
  | { readonly type: 'secondary.timeout' }
  | { readonly type: 'secondary.restart' }
  | { readonly type: 'secondary.recover' }
  | { readonly type: 'link.deliver'; readonly index: number }
  | { readonly type: 'link.duplicate'; readonly index: number }
  | { readonly type: 'link.lose'; readonly index: number }
  | { readonly type: 'link.down' }
  | { readonly type: 'link.up' }
  // Online verify (issue 15 item 4, DRBD's `drbdadm verify`) and the silent corruption it exists to find.
  | { readonly type: 'pair.verify' }
  | { readonly type: 'verify.step' }
  | { readonly type: 'block.corrupt'; readonly volume: number; readonly block: number };

/**
 * The byte every byte of a block of the secondary's committed image becomes at a silent corruption
 * (`block.corrupt`): a fixed value, as mirror-pair's CORRUPT_BYTE is, so that ports agree; corrupting a
 * block again changes nothing, so repeated corruption stays bounded.
 */
export const CORRUPT_BYTE = 0xcc;

export type FreezeEventType = FreezeEvent['type'];

/**
 * What travels on the link. Every message carries the generation it belongs to (an addition to the seed,
 * spec/001 D5): DATA of image N, FREEZE(N), ALL_SENT(N), S_DONE(N). DATA also carries a sequence number, unique
 * per primary and increasing, so that a delayed duplicate of an older DATA of the same block is recognised.
 */
export type Message<B extends Block = string> =
  | { readonly to: 'secondary'; readonly kind: 'data'; readonly gen: number; readonly seq: number; readonly block: number; readonly data: B }
  | { readonly to: 'secondary'; readonly kind: 'freeze'; readonly gen: number; readonly seq: 0 }
  | { readonly to: 'secondary'; readonly kind: 'all-sent'; readonly gen: number; readonly seq: 0 }
  | { readonly to: 'secondary'; readonly kind: 'ack'; readonly of: 'secondary-done'; readonly gen: number; readonly seq: 0 }
  | { readonly to: 'primary'; readonly kind: 'ack'; readonly of: 'data' | 'freeze' | 'all-sent'; readonly gen: number; readonly seq: number }
  | { readonly to: 'primary'; readonly kind: 'secondary-done'; readonly gen: number; readonly seq: 0 };

export type DataMessage<B extends Block = string> = Extract<Message<B>, { kind: 'data' }>;

/**
 * The order of messages on the link and in the outstanding lists, so the index `link.deliver` names is the
 * same in every port. Messages compare field by field, the first difference deciding:
 *   1. `to`: `primary` before `secondary`;
 *   2. `kind`: by name, `ack`, `all-sent`, `data`, `freeze`, `secondary-done`;
 *   3. `of` (ACKs only): by name, `all-sent`, `data`, `freeze`, `secondary-done`;
 *   4. `gen`, then 5. `seq`: as numbers, smaller first;
 *   6. `block`, then 7. `data` (DATA only): the block as a number, the data as lowercase hex, by character code.
 * Names and hex compare by character code (ASCII), as bytes do (a binary block compares as its hex would,
 * block.ts). Two messages compare equal exactly when every field is equal, so a list kept in this order is
 * canonical: equal multisets give equal lists.
 */
export function compareMessages(a: Message<Block>, b: Message<Block>): number {
  return compareText(a.to, b.to)
    || compareText(a.kind, b.kind)
    || compareText(a.kind === 'ack' ? a.of : '', b.kind === 'ack' ? b.of : '')
    || a.gen - b.gen
    || a.seq - b.seq
    || (a.kind === 'data' ? a.block : -1) - (b.kind === 'data' ? b.block : -1)
    || (a.kind === 'data' && b.kind === 'data' ? compareBlocks(a.data, b.data) : 0);
}

const whole = z.number().int().nonnegative();
const bare = <T extends string>(type: T) => z.object({ type: z.literal(type) }).strict();
const indexed = <T extends string>(type: T) => z.object({ type: z.literal(type), index: whole }).strict();

/** The shape of a command as read from a scenario file. */
export const freezeEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host.write'), volume: whole, block: whole, data: z.string() }).strict(),
  z.object({ type: z.literal('host.read'), volume: whole, block: whole }).strict(),
  bare('host.freeze'),
  bare('primary.copy'),
  bare('primary.step'),
  bare('primary.timeout'),
  bare('primary.fail'),
  bare('secondary.apply'),
  bare('secondary.timeout'),
  bare('secondary.restart'),
  bare('secondary.recover'),
  indexed('link.deliver'),
  indexed('link.duplicate'),
  indexed('link.lose'),
  bare('link.down'),
  bare('link.up'),
  bare('pair.verify'),
  bare('verify.step'),
  z.object({ type: z.literal('block.corrupt'), volume: whole, block: whole }).strict(),
]);

/** The block's index in the group. */
export function groupBlock(geometry: FreezeGeometry, volume: number, block: number): number {
  return volume * geometry.blocksPerVolume + block;
}

export function blockCount(geometry: FreezeGeometry): number {
  return geometry.volumeCount * geometry.blocksPerVolume;
}

/** `v1b0` for group block 1 of a group with one block per volume. */
export function blockName(geometry: FreezeGeometry, index: number): string {
  return `v${Math.floor(index / geometry.blocksPerVolume)}b${index % geometry.blocksPerVolume}`;
}

export function formatFreezeEvent(event: FreezeEvent): string {
  switch (event.type) {
    case 'host.write':
      return `host.write(v${event.volume}b${event.block}=${event.data})`;
    case 'host.read':
      return `host.read(v${event.volume}b${event.block})`;
    case 'block.corrupt':
      return `block.corrupt(v${event.volume}b${event.block})`;
    case 'link.deliver':
    case 'link.duplicate':
    case 'link.lose':
      return `${event.type}(#${event.index})`;
    default:
      return event.type;
  }
}

export function formatMessage(message: Message, geometry: FreezeGeometry): string {
  switch (message.kind) {
    case 'data':
      return `DATA(g${message.gen} s${message.seq} ${blockName(geometry, message.block)}=${message.data.length > 8 ? `${message.data.slice(0, 8)}…` : message.data})`;
    case 'ack':
      return `ACK(${message.of} g${message.gen}${message.of === 'data' ? ` s${message.seq}` : ''})→${message.to === 'primary' ? 'P' : 'S'}`;
    case 'freeze':
      return `FREEZE(g${message.gen})`;
    case 'all-sent':
      return `ALL_SENT(g${message.gen})`;
    case 'secondary-done':
      return `S_DONE(g${message.gen})`;
  }
}
