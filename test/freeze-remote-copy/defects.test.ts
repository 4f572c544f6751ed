import { describe, expect, test } from 'vitest';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { FREEZE_PRESETS, freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import type { CheckResult } from '../../src/verify/report.js';
import { failures } from '../../src/verify/trace.js';

/**
 * The specific shortest traces of freeze-remote-copy's defects that the errata pages quote. That every
 * defective variant is caught, and every property bites, is the conformance suite's (test/conformance/).
 */
const exhaustiveResults = new Map<string, CheckResult>();

function exhaustiveOf(variant: string): CheckResult {
  let result = exhaustiveResults.get(variant);
  if (result === undefined) {
    result = exhaustive(lifecycle, variant, { maxStates: 1_000_000, stopWhenViolated: lifecycle.variant(variant).catches });
    exhaustiveResults.set(variant, result);
  }
  return result;
}

/**
 * The shortest counterexamples the exhaustive search finds for the two bugs that need two DATA of one image
 * in flight at once (`copyspec verify --lifecycle freeze-remote-copy --variant <name> --check exhaustive`
 * prints them; 7 and 6 steps). Replayed rather than searched again here, to keep the suite's time.
 */
const WINDOW_TWO_TRACES: Readonly<Record<string, readonly FreezeEvent[]>> = {
  'sequence-number-unchecked': [
    { type: 'host.write', volume: 0, block: 0, data: '01' }, { type: 'primary.copy' }, { type: 'host.write', volume: 0, block: 0, data: '02' },
    { type: 'primary.copy' }, { type: 'link.deliver', index: 1 }, { type: 'link.deliver', index: 0 }, { type: 'link.deliver', index: 0 },
  ],
  'ack-matched-by-generation': [
    { type: 'host.write', volume: 0, block: 0, data: '01' }, { type: 'host.write', volume: 1, block: 0, data: '01' }, { type: 'primary.copy' },
    { type: 'primary.copy' }, { type: 'link.deliver', index: 0 }, { type: 'link.deliver', index: 0 },
  ],
};

describe('freeze-remote-copy: defects', () => {
  test('freeze-remote-copy: defects: D1, a write just after the freeze lands in the frozen image in two steps', () => {
    const violation = exhaustiveOf('literal-d1-post-freeze-write-leaks').violations.find((v) => v.property === 'frozen-image-preserved');
    expect(violation?.events).toEqual([{ type: 'host.freeze' }, { type: 'host.write', volume: 0, block: 0, data: '01' }]);
  }, 300_000);

  test('freeze-remote-copy: defects: D2, ALL_SENT overtakes the last DATA and the secondary commits a mixture', () => {
    const violation = exhaustiveOf('literal-d2-all-sent-overtakes-data').violations.find((v) => v.property === 'recovery-image-is-committed-freeze');
    const types = (violation?.events as FreezeEvent[] | undefined)?.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['host.write', 'host.freeze', 'primary.copy', 'primary.step', 'link.deliver']));
  }, 300_000);

  test.each(Object.keys(WINDOW_TWO_TRACES))('freeze-remote-copy: defects: with window 2 the search\'s shortest trace for %s breaks no-update-lost, and window 1 refuses it', (variant) => {
    const events = WINDOW_TWO_TRACES[variant]!;
    const replay = (name: string, window: number) => {
      let world = lifecycle.initial(name, lifecycle.presets.minimal);
      world = { ...world, geometry: { ...world.geometry, window } };
      return events.map((event) => {
        const { after, outcome } = lifecycle.step(world, event);
        const failed = failures(lifecycle, { before: world, event, outcome, after });
        world = after;
        return { accepted: outcome.controller.accepted, failed };
      });
    };
    expect(FREEZE_PRESETS.minimal.window).toBe(2);
    const broken = replay(variant, 2);
    expect(broken.every((step) => step.accepted)).toBe(true);
    expect(broken.slice(0, -1).flatMap((step) => step.failed)).toEqual([]);
    expect(broken.at(-1)!.failed).toContain('no-update-lost');
    expect(replay('e1', 2).flatMap((step) => step.failed)).toEqual([]); // the reference passes the same trace
    expect(replay(variant, 1)[3]).toMatchObject({ accepted: false }); // window 1: the second DATA waits for the first's ACK
  });


  test('freeze-remote-copy: defects: volatile secondary memory forgets the committed generation at a restart (D17)', () => {
    const events: FreezeEvent[] = [{ type: 'host.freeze' }, { type: 'primary.step' }, { type: 'link.deliver', index: 0 }, { type: 'secondary.restart' }];
    let world = lifecycle.initial('volatile-secondary-memory', lifecycle.presets.minimal);
    let failed: string[] = [];
    for (const event of events) {
      const { after, outcome } = lifecycle.step(world, event);
      failed = failures(lifecycle, { before: world, event, outcome, after });
      world = after;
    }
    expect(failed).toEqual(expect.arrayContaining(['restart-changes-nothing', 'committed-generation-never-decreases']));
  });

});
