/**
 * Which machine event a delivered message is (seed 001 Fig 6, 8, 11; spec/001 D5), decided by named
 * predicates, each cited in the `meta.classify` of the machine transitions it decides
 * (machines/freeze-remote-copy.ts). The link reorders, duplicates and loses messages, and the seed's messages
 * carry block numbers only (【0039】【0045】); copyspec tags them with a generation and DATA with a sequence
 * number (D5), so a receiver can tell a message of an image already committed, a delayed older DATA and a
 * repeated control message from new ones, and acknowledge those again without acting on them.
 */
import type { PrimaryEventType, SecondaryEventType } from '../../machines/freeze-remote-copy.js';
import { assert } from '../assert.js';
import type { Block } from './block.js';
import type { Algorithm, MessageTag, SharedOperations } from './algorithm.js';
import type { Message } from './events.js';
import { betweenFreezes, type FreezeSystem, type PrimaryControl, type SecondaryControl } from './system.js';

/** The primary has failed (【0025】): nothing it is sent is received. */
export const receiverFailed = (primary: PrimaryControl<Block>): boolean => primary.state === 'failed';

/** The secondary host has taken over (Fig 9): nothing is received any more. */
export const receiverRecovered = (secondary: SecondaryControl<Block>): boolean => secondary.state === 'recovered';

/** An acknowledgement, of DATA, FREEZE or ALL_SENT (to the primary) or of S_DONE (to the secondary). */
export const isAck = (message: Message<Block>): message is Extract<Message<Block>, { kind: 'ack' }> => message.kind === 'ack';

/** A message of an image the secondary has already committed: a duplicate or a late retransmission. */
export const ofCommittedImage = (secondary: SecondaryControl<Block>, tag: MessageTag): boolean => tag.gen <= secondary.gen;

/** A message of the image after the committed one: the only other kind the primary ever sends (I2). */
export const ofNextImage = (secondary: SecondaryControl<Block>, tag: MessageTag): boolean => tag.gen === secondary.gen + 1;

/** FREEZE once the secondary has noted it (E1) or committed to it (E2-E4): a repeat. */
export const repeatedFreeze = (secondary: SecondaryControl<Block>): boolean => secondary.state !== 'receiving';

/** ALL_SENT once the secondary has committed to its image (E1 SFM=2): a repeat. */
export const repeatedAllSent = (secondary: SecondaryControl<Block>): boolean => secondary.state === 'applying';

/** S_DONE of an earlier freeze, or while no freeze is in progress (normal, or verifying online): a repeat. */
export const doneOfEarlierFreeze = (primary: PrimaryControl<Block>, message: Message<Block>): boolean => message.gen < primary.gen || betweenFreezes(primary.state);

/** S_DONE before the primary listens for it (2700): E1's merge has not finished yet. */
export const doneBeforeAwaited = (primary: PrimaryControl<Block>): boolean => primary.state !== 'freezing.awaiting';

/**
 * Every predicate a machine's `meta.classify` may cite, by name. `olderThanStored` is a shared operation
 * (a variant may replace it, src/freeze-remote-copy/defects.ts), decided from the algorithm's stored copy.
 */
export const MESSAGE_PREDICATES: readonly string[] = [
  'receiverFailed', 'receiverRecovered', 'isAck', 'ofCommittedImage', 'ofNextImage', 'olderThanStored', 'repeatedFreeze',
  'repeatedAllSent', 'doneOfEarlierFreeze', 'doneBeforeAwaited',
];

/** What a delivered message is to the primary's machine. */
export function primaryEventFor(primary: PrimaryControl<Block>, message: Message<Block>): PrimaryEventType {
  if (receiverFailed(primary)) return 'message.drop';
  if (isAck(message)) return 'message.ack';
  assert(message.kind === 'secondary-done', () => `the primary never receives ${message.kind}`);
  if (doneOfEarlierFreeze(primary, message)) return 'message.stale';
  return doneBeforeAwaited(primary) ? 'message.early' : 'secondary.done';
}

/**
 * What a delivered message is to the secondary's machine. Without tags (LITERAL D5, `tagOf` gives null)
 * nothing can be recognised as stale, so every DATA is stored and the mode alone routes it (2430).
 */
export function secondaryEventFor<Sys extends FreezeSystem<Block>, Ops>(
  secondary: Sys['secondary'],
  message: Message<Block>,
  shared: SharedOperations,
  algorithm: Algorithm<Sys, Ops>,
): SecondaryEventType {
  if (receiverRecovered(secondary)) return 'message.drop';
  if (isAck(message)) return 'message.ack';
  const tag = shared.tagOf(message);
  if (tag !== null) {
    if (ofCommittedImage(secondary, tag)) return 'message.stale';
    assert(ofNextImage(secondary, tag), () => `the secondary at generation ${secondary.gen} received ${message.kind} of generation ${tag.gen}`);
  }
  switch (message.kind) {
    case 'data':
      return tag !== null && shared.olderThanStored(tag, algorithm.storedSeq(secondary, message.block)) ? 'message.stale' : 'data.receive';
    case 'freeze':
      return repeatedFreeze(secondary) ? 'message.stale' : 'freeze.receive';
    case 'all-sent':
      return repeatedAllSent(secondary) ? 'message.stale' : 'all-sent.receive';
    default:
      throw new Error(`the secondary never receives ${message.kind}`);
  }
}
