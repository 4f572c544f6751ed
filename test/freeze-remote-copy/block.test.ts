import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compareBlocks } from '../../src/freeze-remote-copy/block.js';
import { initialSystem, stepSystem } from '../../src/freeze-remote-copy/controller.js';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { freezeVariant } from '../../src/freeze-remote-copy/variants.js';
import { fromHex, toHex } from '../../src/hex.js';

/**
 * One protocol, two block representations (src/freeze-remote-copy/block.ts): the workload driver's binary
 * system, stepped in place, must be after every command what the verifier's hex system is, read as hex. The
 * commands are the model-based runs' (lifecycle.arbitrary on the standard preset), with each write's data
 * given as bytes to the binary system.
 */
const SEED = 20261202;
const RUNS = 40;

/** A system or an outcome as JSON with every block as hex: equal for equal ones of either representation. */
const asHex = (value: unknown): string =>
  JSON.stringify(value, (_key, field: unknown) => (field instanceof Uint8Array ? toHex(field) : field));

function binaryEvent(event: FreezeEvent): FreezeEvent<Uint8Array> {
  return event.type === 'host.write' ? { ...event, data: fromHex(event.data).slice() } : event;
}

describe('freeze-remote-copy: block', () => {
  test('freeze-remote-copy: block: bytes compare as their hex does', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 4 }), (a, b) => {
      expect(Math.sign(compareBlocks(a, b))).toBe(Math.sign(compareBlocks(toHex(a), toHex(b))));
    }), { seed: SEED, numRuns: 500 });
  });

  test('freeze-remote-copy: block: a hex block compared with a binary one is a broken expectation', () => {
    expect(() => compareBlocks('00', new Uint8Array(1))).toThrow(/hex block compared with a binary one/);
  });

  test.each(['e1', 'e2', 'e3', 'e4', 'literal-d20-update-lost-between-read-and-clear'])(
    'freeze-remote-copy: block: %s steps the same in binary, in place, as in hex',
    (name) => {
      const variant = freezeVariant(name)!;
      const preset = lifecycle.presets.standard;
      fc.assert(fc.property(fc.array(lifecycle.arbitrary(name, preset), { maxLength: 150 }), (events) => {
        let hex = initialSystem(variant, preset);
        let binary = initialSystem(variant, preset, 'binary');
        for (const event of events) {
          const stepped = stepSystem(hex, event, variant, preset);
          const inPlace = stepSystem(binary, binaryEvent(event), variant, preset, true);
          expect(inPlace.outcome.accepted).toBe(stepped.outcome.accepted);
          expect(asHex(inPlace.outcome)).toBe(asHex(stepped.outcome));
          hex = stepped.system;
          binary = inPlace.system;
          expect(asHex(binary)).toBe(asHex(hex));
        }
      }), { seed: SEED, numRuns: RUNS });
    },
  );
});
