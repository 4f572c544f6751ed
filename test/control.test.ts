import { initialTransition, transition } from 'xstate';
import { describe, expect, test } from 'vitest';
import { mirrorPairMachine, type MirrorEvent } from '../machines/mirror-pair.js';
import { ControlTable, stateKey, stateValueOf } from '../src/control.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';
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

describe('control', () => {
  test('control: state keys round-trip through state values', () => {
    for (const key of ['separated', 'mirror.syncing', 'mirror.synced', 'suspended']) expect(stateKey(stateValueOf(key))).toBe(key);
  });

  test.each(MIRROR_VARIANTS.map((v) => v.name))('control: %s: the memoized table answers exactly as transition() on the machine', (name) => {
    const variant = MIRROR_VARIANTS.find((v) => v.name === name)!;
    const table = new ControlTable(mirrorPairMachine, variant.control);
    // Walk the machine itself, from its initial snapshot, with every event in every reached state.
    const [initial] = initialTransition(mirrorPairMachine, variant.control);
    const queue = [initial];
    const seen = new Set([stateKey(initial.value)]);
    while (queue.length > 0) {
      const snapshot = queue.shift()!;
      for (const event of EVENTS) {
        const memo = table.step(stateKey(snapshot.value), event.type);
        if (!snapshot.can(event)) {
          expect(memo, `${stateKey(snapshot.value)} ${event.type}`).toBeNull();
          continue;
        }
        const [next, actions] = transition(mirrorPairMachine, snapshot, event);
        expect(memo?.target).toBe(stateKey(next.value));
        expect(memo?.operations.map((o) => o.type)).toEqual(actions.map((a) => a.type));
        if (!seen.has(stateKey(next.value))) {
          seen.add(stateKey(next.value));
          queue.push(next);
        }
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(4);
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

  test('control: the @xstate/graph control paths reach every state of the machine from separated', () => {
    const paths = mirrorPairLifecycle.controlPaths('e1');
    const states = new Set(paths.flatMap((path) => path.steps.map((step) => step.state)));
    expect([...states].sort()).toEqual(['mirror.synced', 'mirror.syncing', 'suspended']);
    expect(mirrorPairLifecycle.controlState(mirrorPairLifecycle.initial('e1', 'minimal'))).toBe('separated');
    expect(paths.length).toBeGreaterThanOrEqual(3);
  });
});
