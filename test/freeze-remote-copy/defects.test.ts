import { describe, expect, test } from 'vitest';
import type { FreezeEvent } from '../../src/freeze-remote-copy/commands.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
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
    result = exhaustive(lifecycle, variant, { maxStates: 1_000_000 });
    exhaustiveResults.set(variant, result);
  }
  return result;
}

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
