import { describe, expect, test } from 'vitest';
import type { FreezeWorld } from '../../src/freeze-remote-copy/abstraction.js';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { observe, observeOutcome } from '../../src/freeze-remote-copy/observe.js';

/** Runs commands from the initial world, each of which must be accepted. */
function drive(variant: string, events: readonly FreezeEvent[]): FreezeWorld {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  for (const event of events) {
    const { after, outcome } = lifecycle.step(world, event);
    expect(outcome.controller.accepted, lifecycle.formatEvent(event)).toBe(true);
    world = after;
  }
  return world;
}

/** Plain JSON survives a round trip unchanged: no undefined, no Map, no class instance. */
const roundTrips = (value: unknown): void => expect(JSON.parse(JSON.stringify(value))).toEqual(value);

describe('freeze-remote-copy: observe', () => {
  test('freeze-remote-copy: observe: the initial E1 world, field by field', () => {
    expect(observe(lifecycle.initial('e1', lifecycle.presets.minimal))).toEqual({
      algorithm: 'log',
      primaryState: 'normal', primaryGeneration: 0, primarySequence: 1, primaryOutstanding: [], verifyCursor: 0, verifyFound: '00',
      pvol: ['00', '00'], pdiff: [null, null], pbm: '00', pdbm: '00', next: '00', staged: null,
      secondaryState: 'receiving', secondaryGeneration: 0, secondaryOutstanding: [],
      svol: ['00', '00'], sdiffA: [null, null], sdiffASequence: [null, null], sdiffB: [null, null], sdiffBSequence: [null, null], sbm: '00', sdbm: '00',
      linkUp: true, inFlight: [],
    });
  });

  test('freeze-remote-copy: observe: the initial E2 world has only the split algorithm\'s fields', () => {
    expect(observe(lifecycle.initial('e2', lifecycle.presets.minimal))).toEqual({
      algorithm: 'split',
      primaryState: 'normal', primaryGeneration: 0, primarySequence: 1, primaryOutstanding: [], verifyCursor: 0, verifyFound: '00',
      pp: ['00', '00'], ps: ['00', '00'], bitmapA: '00', bitmapB: '00', bitmapC: '00', bitmapD: '00',
      secondaryState: 'receiving', secondaryGeneration: 0, secondaryOutstanding: [],
      sp: ['00', '00'], spSequence: [0, 0], ss: ['00', '00'], sa: '00', sb: '00',
      linkUp: true, inFlight: [],
    });
  });

  test('freeze-remote-copy: observe: messages, outstanding lists and logs are plain JSON in the link\'s order', () => {
    const world = drive('e1', [
      { type: 'host.write', volume: 1, block: 0, data: '02' }, { type: 'primary.copy' }, { type: 'link.deliver', index: 0 },
      { type: 'host.freeze' },
    ]);
    const observed = observe(world);
    roundTrips(observed);
    expect(observed['linkUp']).toBe(true);
    expect(observed['inFlight']).toEqual([
      { to: 'primary', kind: 'ack', of: 'data', gen: 1, seq: 1 },
      { to: 'secondary', kind: 'freeze', gen: 1, seq: 0 },
    ]);
    expect(observed).toMatchObject({
      primaryState: 'freezing.draining', primaryGeneration: 1, primarySequence: 2,
      primaryOutstanding: [{ to: 'secondary', kind: 'data', gen: 1, seq: 1, block: 1, data: '02' }],
      sdiffA: [null, '02'], sdiffASequence: [null, 1], sbm: '01',
    });
    world.system.link.inFlight.forEach((message, index) => expect((observed['inFlight'] as unknown[])[index]).toMatchObject({ kind: message.kind }));
  });

  test('freeze-remote-copy: observe: outcomes, accepted with transitions and results or refused with reason and code', () => {
    const world = drive('e1', [{ type: 'host.write', volume: 0, block: 0, data: '01' }]);
    const read = lifecycle.step(world, { type: 'host.read', volume: 0, block: 0 }).outcome;
    expect(observeOutcome(read)).toEqual({ accepted: true, transitions: ['primary: normal --host.read--> normal'], results: [{ kind: 'read', block: 0, data: '01' }] });
    const refused = lifecycle.step(world, { type: 'host.write', volume: 0, block: 1, data: '01' });
    expect(observeOutcome(refused.outcome)).toEqual({ accepted: false, reason: 'track-out-of-range', code: 4 });
    expect(observe(refused.after)).toEqual(observe(world)); // a refused command changes nothing a port observes
    const recovered = lifecycle.step(world, { type: 'secondary.recover' }).outcome;
    expect(observeOutcome(recovered)).toEqual({
      accepted: true, transitions: ['secondary: receiving --secondary.recover--> recovered'], results: [{ kind: 'recovered', gen: 0, image: ['00', '00'] }],
    });
  });

  test('freeze-remote-copy: observe: every world of a freeze cycle of each embodiment is plain JSON', () => {
    for (const variant of ['e1', 'e2', 'e3', 'e4']) {
      let world = drive(variant, [{ type: 'host.write', volume: 0, block: 0, data: '01' }, { type: 'host.freeze' }]);
      for (let i = 0; i < 40; i += 1) {
        for (const event of [{ type: 'primary.copy' }, { type: 'primary.step' }, { type: 'secondary.apply' }, { type: 'link.deliver', index: 0 }] as FreezeEvent[]) {
          const { after, outcome } = lifecycle.step(world, event);
          roundTrips(observe(after));
          roundTrips(observeOutcome(outcome));
          world = after;
        }
      }
      expect(observe(world)).toMatchObject({ primaryState: 'normal', primaryGeneration: 1 });
    }
  });
});
