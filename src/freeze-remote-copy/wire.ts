/**
 * The link and retransmission as both controllers of seed 001 use them, in one place: the lists of
 * unacknowledged messages, acknowledgements (受領報告, 2420; and of the control messages, spec/001 D5),
 * retransmission after a loss (§6 "link down"), and the link commands of the fault injector. The link itself
 * (src/link.ts) is generic; which message is which is events.ts's business.
 */
import { assert } from '../assert.js';
import * as link from '../link.js';
import { reject, type Rejection } from '../rejection.js';
import type { Block } from './block.js';
import type { Action, Draft } from './algorithm.js';
import { compareMessages, type DataMessage, type FreezeEvent, type Message } from './events.js';
import type { FreezeSystem, PrimaryControl, SecondaryControl } from './system.js';

/**
 * The unacknowledged messages that are really lost: neither a copy of them nor their ACK is in flight. The
 * retransmission timer is modelled as exact (longer than any round trip), so it never fires spuriously;
 * spurious copies are what `link.duplicate` makes, and that explores the same duplicates.
 */
export function lostMessages(wire: link.Link<Message<Block>>, outstanding: readonly Message<Block>[]): Message<Block>[] {
  return outstanding.filter((m) => !wire.inFlight.some((f) => (f.kind === m.kind && f.gen === m.gen && f.seq === m.seq && f.to === m.to)
    || (f.kind === 'ack' && f.to !== m.to && f.of === m.kind && f.gen === m.gen && f.seq === m.seq)));
}

/** An outstanding list with one more message, kept in the message order (events.ts) and without repeats. */
export function withOutstanding(messages: readonly Message<Block>[], message: Message<Block>): Message<Block>[] {
  if (messages.some((m) => compareMessages(m, message) === 0)) return messages.slice();
  return [...messages, message].sort(compareMessages);
}

/**
 * The ACK for a received message (受領報告, 2420): after the store (D7 fix), or again for a stale duplicate.
 * An ACK is never acknowledged, and in E1 neither is FREEZE, which commits nothing there.
 */
export function acknowledge(draft: Draft<FreezeSystem<Block>, unknown>, message: Message<Block> | undefined, from: PrimaryControl<Block> | SecondaryControl<Block>): void {
  assert(message !== undefined, 'an acknowledgement needs the message it acknowledges');
  if (message.kind === 'ack' || (message.kind === 'freeze' && !draft.algorithm.freezeCommits)) return;
  const ack: Message<Block> = message.to === 'secondary'
    ? { to: 'primary', kind: 'ack', of: message.kind, gen: message.gen, seq: message.seq }
    : { to: 'secondary', kind: 'ack', of: 'secondary-done', gen: message.gen, seq: 0 };
  draft.send(ack, false, from);
}

/** DATA(b) of generation `gen` with the next sequence number, kept until its ACK (2270, 2280; 3700; 4860, 4900). */
export function transmitData(draft: Draft<FreezeSystem<Block>, unknown>, block: number, data: Block, gen: number): void {
  const p = draft.primary;
  const message: DataMessage<Block> = { to: 'secondary', kind: 'data', gen, seq: p.seq, block, data };
  p.seq += 1;
  draft.send(message, true, p);
}

/** An ACK arrives: what it acknowledges leaves the outstanding list and is not sent again (2280). */
function receiveAck(draft: Draft<FreezeSystem<Block>, unknown>, owner: PrimaryControl<Block> | SecondaryControl<Block>, message: Message<Block> | undefined): void {
  assert(message !== undefined && message.kind === 'ack', 'receiveAck runs on an ACK');
  owner.outstanding = owner.outstanding.filter((m) => !draft.shared.acknowledges(message, m));
}

/** The operations both machines name for the link, with the controller (primary or secondary) they run on. */
export function linkActions(side: 'primary' | 'secondary'): Readonly<Record<string, Action<FreezeSystem<Block>, unknown>>> {
  return {
    receiveAck: (draft, _operation, context) => receiveAck(draft, draft[side], context.message),
    acknowledgeStale: (draft, _operation, context) => acknowledge(draft, context.message, draft[side]),
    dropMessage: () => undefined,
    retransmit: (draft) => {
      const owner = draft[side];
      for (const message of lostMessages(draft.link, owner.outstanding)) draft.send(message, false, owner);
    },
  };
}

/** A link command of the fault injector: the link after it, or why it is refused. */
export function linkCommand(wire: link.Link<Message<Block>>, event: FreezeEvent<Block>): link.Link<Message<Block>> | Rejection {
  switch (event.type) {
    case 'link.duplicate':
      if (!link.hasMessage(wire, event.index)) return reject('wrong-state', `no message #${event.index} in flight`);
      if (!link.canDuplicate(wire, event.index)) return reject('busy', 'the link is full');
      return link.duplicate(wire, event.index, compareMessages);
    case 'link.lose':
      if (!link.hasMessage(wire, event.index)) return reject('wrong-state', `no message #${event.index} in flight`);
      return link.lose(wire, event.index);
    case 'link.down':
      return wire.up ? link.down(wire) : reject('wrong-state', 'the link is already down');
    case 'link.up':
      return wire.up ? reject('wrong-state', 'the link is already up') : link.up(wire);
    default:
      throw new Error(`${event.type} is not a link command`);
  }
}
