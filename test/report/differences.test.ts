import { describe, expect, test } from 'vitest';
import { freezeRemoteCopyLifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import type { AnyLifecycle } from '../../src/lifecycle.js';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import { gridProblems } from '../harness/conformance.js';

/** The world after `events`, from the variant's initial world over the minimal preset. */
function after(lifecycle: AnyLifecycle, variant: string, events: readonly unknown[]): ReturnType<AnyLifecycle['initial']> {
  let world = lifecycle.initial(variant, lifecycle.presets.minimal);
  for (const event of events) world = lifecycle.step(world, event).after;
  return world;
}

/** The events of the shortest violation of `property` the exhaustive search finds in the variant. */
function shortest(lifecycle: AnyLifecycle, variant: string, property: string): readonly unknown[] {
  const found = exhaustive(lifecycle, variant, { maxStates: 2_000_000, stopWhenViolated: [property] }).violations.find((v) => v.property === property);
  expect(found, `${variant} violates ${property}`).toBeDefined();
  return found!.events;
}

// The seam's `differences` hook (docs/lifecycles.md): what the report's trace player marks as differing from
// the model. The conformance suite checks it marks nothing where the properties hold; these check it marks
// what a defect breaks.
describe('report: differences', () => {
  test('mirror-pair: report: the literal release marks the secondary that is not the release image, and Sbm', () => {
    const events = shortest(mirrorPairLifecycle, 'literal-unguarded', 'frozen-secondary');
    expect(events.map((e) => (e as { type: string }).type)).toEqual(['host.write', 'pair.establish', 'pair.suspend']);
    expect(mirrorPairLifecycle.differences(after(mirrorPairLifecycle, 'literal-unguarded', events))).toEqual({
      primary: [], secondary: [0, 1], primaryBitmap: [], secondaryBitmap: [0],
    });
    expect(mirrorPairLifecycle.differences(after(mirrorPairLifecycle, 'literal-unguarded', events.slice(0, 2)))).toEqual({
      primary: [], secondary: [], primaryBitmap: [], secondaryBitmap: [],
    });
  });

  test('freeze-remote-copy: report: ALL_SENT overtaking DATA marks the SVOL block recovery would get wrong', () => {
    const events = shortest(freezeRemoteCopyLifecycle, 'literal-d2-all-sent-overtakes-data', 'recovery-image-is-committed-freeze');
    expect(freezeRemoteCopyLifecycle.differences(after(freezeRemoteCopyLifecycle, 'literal-d2-all-sent-overtakes-data', events))).toEqual({ svol: [0] });
  });

  test('freeze-remote-copy: report: a write that is partly applied before its range error marks the PVOL block', () => {
    const events = shortest(freezeRemoteCopyLifecycle, 'partial-write-on-range-error', 'host-view-is-every-acknowledged-write');
    expect(freezeRemoteCopyLifecycle.differences(after(freezeRemoteCopyLifecycle, 'partial-write-on-range-error', events))).toEqual({ pvol: [0] });
  });

  test('report: the grid check catches marks on a cell that does not exist, on a field without a grid, and where every property holds', () => {
    const planted = (differences: AnyLifecycle['differences']): AnyLifecycle => ({ ...mirrorPairLifecycle, differences });
    expect(gridProblems(mirrorPairLifecycle, 'e1')).toEqual([]);
    expect(gridProblems(planted(() => ({ primary: [4] })), 'e1')[0]).toMatch(/^differences marks primary \[4\] of 4 cells after /);
    expect(gridProblems(planted(() => ({ state: [] })), 'e1')[0]).toMatch(/^differences marks state, which has no grid after /);
    expect(gridProblems(planted(() => ({ primary: [0] })), 'e1')[0]).toMatch(/^differences marks primary \[0\] where every property holds after /);
    const misdeclared: AnyLifecycle = { ...mirrorPairLifecycle, observedKinds: { ...mirrorPairLifecycle.observedKinds, state: 'bits' } };
    expect(gridProblems(misdeclared, 'e1')[0]).toMatch(/^state is not bits: "[a-z.]+" after /);
  });
});
