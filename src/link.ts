/**
 * A generic unordered link between two controllers (seed 001 【0029】: network 1050 is shared, slow and gives
 * no ordering guarantee, 順序無保証). Messages in flight are plain data; nothing happens to them except by an
 * explicit choice, so the exhaustive search and fast-check explore every ordering and every fault:
 *
 *   deliver(i)    hand message i to its receiver (any message, not the oldest: the link reorders);
 *   duplicate(i)  a second copy of message i appears in flight (retransmission below us, a routing loop);
 *   lose(i)       message i vanishes; the sender finds out only by its own timeout and retransmits;
 *   down / up     the link fails, losing everything in flight, and is repaired. While down, a send is lost.
 *
 * The link is a multiset: two worlds whose messages differ only in order are the same world. It is kept in a
 * canonical order, the total order of messages the caller passes to `send` and `duplicate` (for
 * freeze-remote-copy, `compareMessages` in src/freeze-remote-copy/events.ts, a documented order of named
 * fields), so that `deliver(i)` names the same message in equal worlds and in every port. The order is an
 * argument, not a field: the link stays plain data. Capacity bounds the multiset; a message sent into a full
 * link is lost, as a congested network drops it. Every function is pure and returns a new link.
 */
import { assert } from './assert.js';

export interface Link<M> {
  readonly up: boolean;
  readonly capacity: number;
  /** In canonical order: sorted by the message order the senders pass. */
  readonly inFlight: readonly M[];
}

/**
 * A total order of messages: negative when `a` comes first, positive when `b` does, zero exactly when the two
 * are the same message. Every call on one link must pass the same order.
 */
export type MessageOrder<M> = (a: M, b: M) => number;

/**
 * Every link is built here, its fields always in this order: spread copies (`{ ...link, inFlight }`) gave
 * the three fields a score of engine shapes, and every function reading a link slowed down to a generic lookup.
 */
function linkOf<M>(up: boolean, capacity: number, inFlight: readonly M[]): Link<M> {
  return { up, capacity, inFlight };
}

export function emptyLink<M>(capacity: number): Link<M> {
  assert(Number.isSafeInteger(capacity) && capacity > 0, `link capacity must be positive, got ${capacity}`);
  return linkOf(true, capacity, []);
}

/** The messages with one more, after every message that does not come after it. */
function insertSorted<M>(messages: readonly M[], message: M, order: MessageOrder<M>): M[] {
  const next = messages.slice();
  let at = 0;
  while (at < next.length && order(next[at]!, message) <= 0) at += 1;
  next.splice(at, 0, message);
  return next;
}

/** Sends a message; it is lost at once when the link is down or full. `accepted` says whether it is in flight. */
export function send<M>(link: Link<M>, message: M, order: MessageOrder<M>): { readonly link: Link<M>; readonly accepted: boolean } {
  if (!link.up || link.inFlight.length >= link.capacity) return { link, accepted: false };
  return { link: linkOf(link.up, link.capacity, insertSorted(link.inFlight, message, order)), accepted: true };
}

export function hasMessage<M>(link: Link<M>, index: number): boolean {
  return Number.isSafeInteger(index) && index >= 0 && index < link.inFlight.length;
}

/** Takes message `index` out of the link for delivery to its receiver. */
export function deliver<M>(link: Link<M>, index: number): { readonly link: Link<M>; readonly message: M } {
  assert(hasMessage(link, index), `no message ${index} in flight`);
  const inFlight = link.inFlight.slice();
  const [message] = inFlight.splice(index, 1);
  return { link: linkOf(link.up, link.capacity, inFlight), message: message! };
}

/** Whether a duplicate of message `index` fits: the copy obeys the capacity like any send. */
export function canDuplicate<M>(link: Link<M>, index: number): boolean {
  return hasMessage(link, index) && link.inFlight.length < link.capacity;
}

export function duplicate<M>(link: Link<M>, index: number, order: MessageOrder<M>): Link<M> {
  assert(canDuplicate(link, index), `message ${index} cannot be duplicated`);
  return linkOf(link.up, link.capacity, insertSorted(link.inFlight, link.inFlight[index]!, order));
}

export function lose<M>(link: Link<M>, index: number): Link<M> {
  return deliver(link, index).link;
}

/** The link fails: everything in flight is lost. */
export function down<M>(link: Link<M>): Link<M> {
  return linkOf(false, link.capacity, []);
}

export function up<M>(link: Link<M>): Link<M> {
  return linkOf(true, link.capacity, link.inFlight);
}
