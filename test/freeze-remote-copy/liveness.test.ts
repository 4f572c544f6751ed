import { describe, expect, test } from 'vitest';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import type { FreezeWorld } from '../../properties/freeze-remote-copy.js';
import { failures } from '../../src/verify/trace.js';

/**
 * I9 (spec/001 §5): with the link up, a freeze completes within a bounded number of steps even under
 * continuous writes, because the drain set never grows (the property drain-set-never-grows checks that in
 * every reachable world; here the bound itself is shown). Each round writes one block, then runs one copy
 * step, one freeze-task step, one apply step and delivers what is in flight; the bound is a few rounds per
 * block of the group, independent of how long the writes go on.
 */
const ROUNDS_PER_BLOCK = 4;
const EXTRA_ROUNDS = 8;

function round(world: FreezeWorld, index: number): { world: FreezeWorld; done: boolean } {
  const { volumeCount, blocksPerVolume } = world.geometry;
  const block = (index * 7) % (volumeCount * blocksPerVolume);
  const events: FreezeEvent[] = [
    { type: 'host.write', volume: Math.floor(block / blocksPerVolume), block: block % blocksPerVolume, data: (index % 256).toString(16).padStart(2, '0').repeat(2) },
    { type: 'primary.copy' }, { type: 'primary.step' }, { type: 'secondary.apply' },
  ];
  let w = world;
  let done = false;
  const apply = (event: FreezeEvent): void => {
    const { after, outcome } = lifecycle.step(w, event);
    expect(failures(lifecycle, { before: w, event, outcome, after })).toEqual([]);
    if (outcome.controller.accepted && outcome.controller.results.some((r) => r.kind === 'freeze-done')) done = true;
    w = after;
  };
  events.forEach(apply);
  for (let i = 0; i < 32 && w.system.link.inFlight.length > 0; i += 1) apply({ type: 'link.deliver', index: 0 });
  return { world: w, done };
}

describe('freeze-remote-copy: liveness', () => {
  test.each(['e1', 'e2', 'e3', 'e4'])('freeze-remote-copy: liveness: %s completes each freeze within a bound under continuous writes', (variant) => {
    let world = lifecycle.initial(variant, lifecycle.presets.standard);
    const blocks = world.geometry.volumeCount * world.geometry.blocksPerVolume;
    const bound = ROUNDS_PER_BLOCK * blocks + EXTRA_ROUNDS;
    let index = 0;
    for (let warm = 0; warm < 2 * blocks; warm += 1) world = round(world, index++).world; // dirty the group first
    for (let freeze = 1; freeze <= 3; freeze += 1) {
      const accepted = lifecycle.step(world, { type: 'host.freeze' });
      expect(accepted.outcome.controller.accepted).toBe(true);
      world = accepted.after;
      let rounds = 0;
      let done = false;
      while (!done && rounds < bound) {
        ({ world, done } = round(world, index++));
        rounds += 1;
      }
      expect(done, `${variant}: freeze ${freeze} not complete after ${bound} rounds of continuous writes`).toBe(true);
      expect(world.system.secondary.gen).toBe(freeze);
    }
  });
});
