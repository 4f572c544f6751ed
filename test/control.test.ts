import { describe, expect, test } from 'vitest';
import { mirrorPairMachine, type MirrorEvent } from '../machines/mirror-pair.js';
import { ControlTable, stateKey, stateValueOf } from '../src/control.js';
import { MIRROR_VARIANTS } from '../src/mirror-pair/variants.js';

const EVENTS: MirrorEvent[] = [
  { type: 'host.write', volume: 0, offset: 0, data: '01' },
  { type: 'host.read', volume: 1, offset: 0, length: 1 },
  { type: 'pair.establish', pair: 0 },
  { type: 'pair.suspend', pair: 0 },
  { type: 'pair.resync', pair: 0 },
  { type: 'pair.separate', pair: 0 },
  { type: 'copy.step', pair: 0 },
  { type: 'copy.complete', pair: 0 },
  { type: 'dump.update-info', pair: 0 },
  { type: 'dump.read', pair: 0, tracks: [0] },
  { type: 'power.cycle' },
];

// That every memoized table answers as transition() does, for every machine of every lifecycle, is the
// conformance suite's (test/harness/conformance.ts); these are the facts the memo rests on.
describe('control', () => {
  test('control: state keys round-trip through state values', () => {
    for (const key of ['separated', 'mirror.syncing', 'mirror.synced', 'suspended']) expect(stateKey(stateValueOf(key))).toBe(key);
  });

  test('control: no guard of the mirror-pair machine reads an event payload, so the memo per event type is exact', () => {
    const table = new ControlTable(mirrorPairMachine, MIRROR_VARIANTS[0]!.control);
    for (const source of ['separated', 'mirror.syncing', 'mirror.synced', 'suspended']) {
      const snapshot = mirrorPairMachine.resolveState({ value: stateValueOf(source), context: MIRROR_VARIANTS[0]!.control });
      for (const event of EVENTS) {
        const other = { ...event, pair: 7, volume: 9, offset: 99, tracks: [] } as unknown as MirrorEvent;
        expect(snapshot.can(other)).toBe(snapshot.can(event));
        expect(table.evaluate(source, event.type)?.target).toBe(table.step(source, other.type)?.target);
      }
    }
  });

  test('control: a transition carries its description and meta from the machine', () => {
    const table = new ControlTable(mirrorPairMachine, { ...MIRROR_VARIANTS[0]!.control, guards: 'literal' });
    const literal = table.evaluate('mirror.syncing', 'pair.suspend');
    expect(literal?.meta.literal).toBe('§8.3');
    expect(literal?.description).toMatch(/^LITERAL/);
    expect(table.evaluate('separated', 'pair.establish')?.meta.ext).toMatch(/no command in the seed/);
  });
});
