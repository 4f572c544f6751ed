import { describe, expect, test } from 'vitest';
import type { ExtentEvent } from '../../src/extent-copy/events.js';
import { extentCopyLifecycle } from '../../src/extent-copy/lifecycle.js';
import { errataSearch } from '../../src/errata.js';

/**
 * The shortest traces of extent-copy's literal flows that its errata pages quote (docs/errata/extent-copy--*),
 * pinned here so that a change to one shows in review. That every defective variant is caught, and every
 * property bites, is the conformance suite's (test/conformance/).
 */
const lifecycle = extentCopyLifecycle;
const step: ExtentEvent = { type: 'copy.step', pair: 0 };
const formed: ExtentEvent[] = [{ type: 'pair.create', original: 0, copy: 1 }, step, step, step];
const split: ExtentEvent[] = [...formed, { type: 'pair.split', pairs: [0] }, step, step, step];

function shortest(variant: string, property: string): readonly unknown[] | undefined {
  const result = errataSearch(lifecycle, lifecycle.variant(variant), 1_000_000);
  return result.violations.find((v) => v.property === property)?.events;
}

describe('extent-copy: defects', () => {
  test('extent-copy: defects: A11: an Extent Update of [4, 1] is accepted unchecked, and its job over no track never finishes', () => {
    expect(shortest('literal-a11-unvalidated-extent', 'copy-job-bounded')).toEqual([...split, { type: 'extent.update', pair: 0, extents: [{ start: 4, end: 1 }] }]);
    let world = lifecycle.initial('literal-a11-unvalidated-extent', lifecycle.presets.minimal);
    for (const event of [...split, { type: 'extent.update', pair: 0, extents: [{ start: 4, end: 1 }] }, { type: 'copy.step', pair: 0, extent: 0 }] as ExtentEvent[]) {
      world = lifecycle.step(world, event).after;
    }
    // The cursor starts at T(4) = 2, passes the last track and can never meet T(1) = 0: the seed's loop runs away.
    const job = world.controller.pairs[0]!.slots[0]!.job!;
    expect({ cursor: job.cursor, stepsTaken: job.stepsTaken, status: job.status }).toEqual({ cursor: 3, stepsTaken: 1, status: 'running' });
  }, 60_000);

  test('extent-copy: defects: A8: one write outside the extent during an Extent Split is marked in SB, where nothing reads it', () => {
    expect(shortest('literal-a8-outside-writes-lost', 'e3-outside-differences-tracked')).toEqual([
      ...formed,
      { type: 'extent.split', pair: 0, extents: [{ start: 1, end: 2 }] },
      { type: 'host.write', volume: 0, address: 4, data: '0101' },
    ]);
  }, 60_000);

  test('extent-copy: defects: A7: a track written during one Extent Update stays in UB after 1007', () => {
    expect(shortest('literal-a7-update-bits-never-cleared', 'e1-differences-exact')).toEqual([
      ...split,
      { type: 'extent.update', pair: 0, extents: [{ start: 4, end: 5 }] },
      { type: 'host.write', volume: 0, address: 4, data: '0101' },
      { type: 'copy.step', pair: 0, extent: 0 },
    ]);
  }, 60_000);

  test('extent-copy: defects: A15: a write to address 0, outside [1, 2] but on its boundary track 0, skips the copy-before-write', () => {
    expect(shortest('literal-a15-e1-address-membership', 'e1-update-image-intact')).toEqual([
      ...split,
      { type: 'extent.update', pair: 0, extents: [{ start: 1, end: 2 }] },
      { type: 'host.write', volume: 0, address: 0, data: '0101' },
    ]);
  }, 60_000);

  test('extent-copy: defects: A4: a split while forming starts a second job beside the create copy, which then sets formed (807)', () => {
    const events = shortest('literal-a4-split-during-forming', 'pair-state-refines-model');
    expect(events).toEqual([{ type: 'pair.create', original: 0, copy: 1 }, { type: 'pair.split', pairs: [0] }, step, step, step]);
  }, 60_000);
});
