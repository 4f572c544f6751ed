import { describe, expect, test } from 'vitest';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';

/**
 * The specific shortest traces of mirror-pair's defects that the README and the errata pages quote. That every
 * defective variant is caught, and every property bites, is the conformance suite's (test/conformance/).
 */
describe('mirror-pair: defects', () => {
  test('mirror-pair: defects: the literal flow freezes a half-copied secondary in three steps', () => {
    const violation = exhaustive(mirrorPairLifecycle, 'literal-unguarded', { maxStates: 500_000, stopWhenViolated: ['frozen-secondary'] }).violations.find((v) => v.property === 'frozen-secondary');
    expect(violation?.events).toEqual([
      { type: 'host.write', volume: 0, offset: 0, data: '0101' },
      { type: 'pair.establish', pair: 0 },
      { type: 'pair.suspend', pair: 0 },
    ]);
  }, 60_000);

  test('mirror-pair: defects: volatile control memory loses the dirty track of a write at the next power cycle', () => {
    const violation = exhaustive(mirrorPairLifecycle, 'volatile-control-memory', { maxStates: 500_000, stopWhenViolated: ['primary-bitmap-exact'] }).violations.find((v) => v.property === 'primary-bitmap-exact');
    expect(violation?.events).toEqual([{ type: 'host.write', volume: 0, offset: 0, data: '0101' }, { type: 'power.cycle' }]);
  }, 60_000);

  test('mirror-pair: defects: a write that spans two tracks exposes a track range rounded down in one step', () => {
    const violation = exhaustive(mirrorPairLifecycle, 'write-span-rounds-down', { maxStates: 500_000, stopWhenViolated: ['primary-bitmap-exact'] }).violations.find((v) => v.property === 'primary-bitmap-exact');
    expect(violation?.events).toEqual([{ type: 'host.write', volume: 0, offset: 1, data: '0101' }]);
  }, 60_000);
});
