import { describe, expect, test } from 'vitest';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import { modelBased } from '../../src/verify/model-based.js';
import type { CheckResult } from '../../src/verify/report.js';

/**
 * Every check must be able to fail: each literal-defect and broken variant is run through both checkers,
 * which must report the properties it names, with a short trace and a replay command.
 */
const defective = mirrorPairLifecycle.variants.filter((variant) => variant.kind !== 'embodiment');
const exhaustiveResults = new Map<string, CheckResult>();

function exhaustiveOf(variant: string): CheckResult {
  let result = exhaustiveResults.get(variant);
  if (result === undefined) {
    result = exhaustive(mirrorPairLifecycle, variant, { maxStates: 500_000 });
    exhaustiveResults.set(variant, result);
  }
  return result;
}

describe('mirror-pair: defects', () => {
  test.each(defective.map((v) => [v.name, v.catches] as const))('mirror-pair: defects: exhaustive search catches %s', (variant, catches) => {
    const result = exhaustiveOf(variant);
    const found = result.violations.map((v) => v.property);
    expect(found).toEqual(expect.arrayContaining([...catches]));
    for (const violation of result.violations) {
      expect(violation.trace.length - 1).toBeLessThanOrEqual(8);
      expect(violation.trace.at(-1)).toContain(`✗`);
      expect(violation.replay).toMatch(/^copyspec replay --lifecycle mirror-pair --variant \S+ --preset minimal --events '\[/);
    }
  }, 120_000);

  test.each(defective.map((v) => v.name))('mirror-pair: defects: model-based runs catch %s', (variant) => {
    const result = modelBased(mirrorPairLifecycle, variant, { runs: 2000, seed: 7, maxCommands: 200 });
    expect(result.violations).toHaveLength(1);
    const [violation] = result.violations;
    expect(violation!.seed).toBe(7);
    expect(violation!.replay).toContain('--seed 7 --path ');
    expect(violation!.replay).toContain('--replay-path ');
    // Replaying with the reported seed, path and replay path fails the same way in one run.
    const replayed = modelBased(mirrorPairLifecycle, variant, {
      runs: 1, seed: 7, maxCommands: 200, path: violation!.path!, replayPath: violation!.replayPath!,
    });
    expect(replayed.violations.map((v) => v.property)).toEqual([violation!.property]);
  }, 60_000);

  test('mirror-pair: defects: every property is violated by at least one defective variant', () => {
    const caught = new Set(defective.flatMap((variant) => exhaustiveOf(variant.name).violations.map((v) => v.property)));
    const uncaught = mirrorPairLifecycle.properties.map((p) => p.name).filter((name) => !caught.has(name));
    expect(uncaught).toEqual([]);
  }, 300_000);

  test('mirror-pair: defects: the literal flow freezes a half-copied secondary in three steps', () => {
    const violation = exhaustiveOf('literal-unguarded').violations.find((v) => v.property === 'frozen-secondary');
    expect(violation?.events).toEqual([
      { type: 'host.write', volume: 0, offset: 0, data: '01' },
      { type: 'pair.establish', pair: 0 },
      { type: 'pair.suspend', pair: 0 },
    ]);
  });

  test('mirror-pair: defects: volatile control memory loses the dirty track of a write at the next power cycle', () => {
    const violation = exhaustiveOf('volatile-control-memory').violations.find((v) => v.property === 'primary-bitmap-exact');
    expect(violation?.events).toEqual([{ type: 'host.write', volume: 0, offset: 0, data: '01' }, { type: 'power.cycle' }]);
  });
});
