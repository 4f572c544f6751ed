import { describe, expect, test } from 'vitest';
import { phaseOf } from '../../machines/failover-failback.js';
import type { FailoverWorld } from '../../src/failover-failback/abstraction.js';
import type { FailoverEvent } from '../../src/failover-failback/events.js';
import { failoverFailbackLifecycle as lifecycle } from '../../src/failover-failback/lifecycle.js';
import { failures } from '../../src/verify/trace.js';

/**
 * I10 of spec/003 §5 is a non-claim: the seed promises no write-order consistency while tracks are copied.
 * Both copies follow bitmap search order (lowest track first), not write order, so the backup's image at a
 * failover and the master's during G4/G5 can be images that never existed at the writer. These tests show
 * such worlds are reachable with every property holding, so that nobody adds "the image is some past
 * image" as a property by mistake; only G6, and G0 after pair recovery, promise equal sites.
 */
interface Walk {
  readonly world: FailoverWorld;
  /** Every image the writer's volume held, oldest first. */
  readonly writerImages: readonly string[];
}

const image = (bytes: Uint8Array): string => [...bytes].join('.');

function walk(variant: string, events: readonly FailoverEvent[]): Walk {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  const writerImages = [image(world.system.master.volume.contents())];
  for (const event of events) {
    const { after, outcome } = lifecycle.step(world, event);
    expect(outcome.controller.accepted, lifecycle.formatEvent(event)).toBe(true);
    expect(failures(lifecycle, { before: world, event, outcome, after })).toEqual([]);
    world = after;
    if (event.type === 'host.write') {
      const writer = event.site === 1 ? world.system.master : world.system.backup;
      writerImages.push(image(writer.volume.contents()));
    }
  }
  return { world, writerImages };
}

const write = (site: number, track: number, data: string): FailoverEvent => ({ type: 'host.write', site, track, data });
const deliver: FailoverEvent = { type: 'link.deliver', index: 0 };

describe('failover-failback: non-claims', () => {
  test.each(['e1', 'e2', 'e3'])('failover-failback: non-claims: %s: during G4 the master holds an image host 410 never had (I10)', (variant) => {
    // Host 410 writes track 1, then track 0; the diff job copies track 0 first.
    const { world, writerImages } = walk(variant, [
      { type: 'host.swap' }, write(2, 1, '01'), write(2, 0, '02'),
      { type: 'master.recover' }, { type: 'host.resync' }, { type: 'backup.copy' }, deliver,
    ]);
    expect(phaseOf(world.system.master.state, world.system.backup.state)).toBe('G4');
    expect(writerImages).toEqual(['0.0.0', '0.1.0', '2.1.0']);
    expect(image(world.system.master.volume.contents())).toBe('2.0.0');
    expect(writerImages).not.toContain(image(world.system.master.volume.contents()));
  });

  test.each(['e1', 'e2'])('failover-failback: non-claims: %s: at a failover the backup holds an image host 110 never had (I10)', (variant) => {
    // Host 110 writes track 1, then track 0; the asynchronous copy sends track 0 first, and the master fails.
    const { world, writerImages } = walk(variant, [write(1, 1, '01'), write(1, 0, '02'), { type: 'master.copy' }, deliver, { type: 'master.fail' }]);
    expect(phaseOf(world.system.master.state, world.system.backup.state)).toBe('G1');
    expect(writerImages).toEqual(['0.0.0', '0.1.0', '2.1.0']);
    expect(image(world.system.backup.volume.contents())).toBe('2.0.0');
    expect(writerImages).not.toContain(image(world.system.backup.volume.contents()));
  });
});
