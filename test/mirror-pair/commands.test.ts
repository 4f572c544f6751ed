import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import type { MirrorStateKey } from '../../machines/mirror-pair.js';
import { MirrorPairController } from '../../src/mirror-pair/controller.js';
import { mirrorVariant } from '../../src/mirror-pair/variants.js';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { REJECTION_REASONS } from '../../src/rejection.js';

const geometry = { trackCount: 4, trackSize: 2 };

function controllerIn(state: MirrorStateKey, variant = 'e1'): MirrorPairController {
  const controller = new MirrorPairController(mirrorVariant(variant)!, geometry);
  const drive: Record<MirrorStateKey, MirrorEvent[]> = {
    separated: [],
    'mirror.syncing': [{ type: 'pair.establish', pair: 0 }],
    'mirror.synced': [{ type: 'pair.establish', pair: 0 }, ...new Array<MirrorEvent>(4).fill({ type: 'copy.step', pair: 0 })],
    suspended: [{ type: 'pair.establish', pair: 0 }, ...new Array<MirrorEvent>(4).fill({ type: 'copy.step', pair: 0 }), { type: 'pair.suspend', pair: 0 }],
    restoring: [
      { type: 'pair.establish', pair: 0 }, ...new Array<MirrorEvent>(4).fill({ type: 'copy.step', pair: 0 }), { type: 'pair.suspend', pair: 0 },
      { type: 'host.write', volume: 0, offset: 0, data: '0102' }, { type: 'pair.restore', pair: 0 },
    ],
    'suspended-error': [
      { type: 'pair.establish', pair: 0 }, ...new Array<MirrorEvent>(4).fill({ type: 'copy.step', pair: 0 }), { type: 'track.fail', volume: 1, track: 3 },
    ],
    'mirror.verifying': [
      { type: 'pair.establish', pair: 0 }, ...new Array<MirrorEvent>(4).fill({ type: 'copy.step', pair: 0 }), { type: 'pair.verify', pair: 0 },
    ],
  };
  controller.handle({ type: 'host.write', volume: 0, offset: 0, data: 'aabb' });
  for (const event of drive[state]) expect(controller.handle(event).accepted).toBe(true);
  controller.handle({ type: 'host.write', volume: 0, offset: 2, data: 'ccdd' });
  expect(controller.state).toBe(state);
  return controller;
}

/** Everything a command could change, for "a rejected command changes nothing". */
function snapshotOf(controller: MirrorPairController): string {
  return JSON.stringify({ ...controller.image(), p: [...controller.primary.contents()], s: [...controller.secondary.contents()] });
}

function expectRejected(controller: MirrorPairController, event: MirrorEvent, reason: keyof typeof REJECTION_REASONS): void {
  const before = snapshotOf(controller);
  const outcome = controller.handle(event);
  expect(outcome).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(snapshotOf(controller)).toBe(before);
}

describe('mirror-pair: commands', () => {
  test('mirror-pair: commands: malformed numbers and data are refused as malformed-command', () => {
    const controller = controllerIn('mirror.synced');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 1.5, data: '01' }, 'malformed-command');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 0, data: 'zz' }, 'malformed-command');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 0, data: 'ABC' }, 'malformed-command');
    expectRejected(controller, { type: 'host.read', volume: -1, offset: 0, length: 1 }, 'malformed-command');
    expectRejected(controller, { type: 'dump.read', pair: 0, tracks: [0.5] }, 'malformed-command');
  });

  test('mirror-pair: commands: an unknown pair is refused as unknown-pair', () => {
    const controller = controllerIn('mirror.synced');
    for (const type of ['pair.establish', 'pair.suspend', 'pair.resync', 'pair.separate', 'copy.step', 'dump.update-info'] as const) {
      expectRejected(controller, { type, pair: 1 }, 'unknown-pair');
    }
    expectRejected(controller, { type: 'dump.read', pair: 3, tracks: [0] }, 'unknown-pair');
  });

  test('mirror-pair: commands: an unknown volume is refused as unknown-volume', () => {
    const controller = controllerIn('separated');
    expectRejected(controller, { type: 'host.write', volume: 2, offset: 0, data: '01' }, 'unknown-volume');
    expectRejected(controller, { type: 'host.read', volume: 9, offset: 0, length: 1 }, 'unknown-volume');
  });

  test('mirror-pair: commands: a track out of range is refused as track-out-of-range', () => {
    const controller = controllerIn('suspended');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 8, data: '01' }, 'track-out-of-range');
    expectRejected(controller, { type: 'host.read', volume: 1, offset: 100, length: 1 }, 'track-out-of-range');
    expectRejected(controller, { type: 'dump.read', pair: 0, tracks: [0, 4] }, 'track-out-of-range');
  });

  test('mirror-pair: commands: a length out of range is refused as length-out-of-range', () => {
    const controller = controllerIn('suspended');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 7, data: '0102' }, 'length-out-of-range');
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 0, data: '' }, 'length-out-of-range');
    expectRejected(controller, { type: 'host.read', volume: 0, offset: 0, length: 0 }, 'length-out-of-range');
    expectRejected(controller, { type: 'dump.read', pair: 0, tracks: [] }, 'length-out-of-range');
  });

  test('mirror-pair: commands: reasons are checked in the documented order', () => {
    const controller = controllerIn('mirror.synced');
    // Bad volume and bad offset: the volume is named first.
    expectRejected(controller, { type: 'host.write', volume: 5, offset: 100, data: '01' }, 'unknown-volume');
    // Bad track in a state that refuses dump reads: the argument is named before the state.
    expectRejected(controller, { type: 'dump.read', pair: 0, tracks: [9] }, 'track-out-of-range');
    // Unknown pair in the wrong state: the pair is named first.
    expectRejected(controller, { type: 'pair.resync', pair: 4 }, 'unknown-pair');
  });

  const wrongState: [MirrorStateKey, MirrorEvent][] = [
    ['separated', { type: 'pair.suspend', pair: 0 }],
    ['separated', { type: 'pair.resync', pair: 0 }],
    ['separated', { type: 'pair.separate', pair: 0 }],
    ['separated', { type: 'copy.step', pair: 0 }],
    ['separated', { type: 'dump.update-info', pair: 0 }],
    ['separated', { type: 'dump.read', pair: 0, tracks: [0] }],
    ['mirror.syncing', { type: 'pair.establish', pair: 0 }],
    ['mirror.syncing', { type: 'pair.suspend', pair: 0 }],
    ['mirror.syncing', { type: 'pair.resync', pair: 0 }],
    ['mirror.syncing', { type: 'dump.update-info', pair: 0 }],
    ['mirror.syncing', { type: 'dump.read', pair: 0, tracks: [0] }],
    ['mirror.synced', { type: 'pair.establish', pair: 0 }],
    ['mirror.synced', { type: 'pair.resync', pair: 0 }],
    ['mirror.synced', { type: 'copy.step', pair: 0 }],
    ['mirror.synced', { type: 'dump.update-info', pair: 0 }],
    ['mirror.synced', { type: 'dump.read', pair: 0, tracks: [0] }],
    ['suspended', { type: 'pair.establish', pair: 0 }],
    ['suspended', { type: 'pair.suspend', pair: 0 }],
    ['suspended', { type: 'copy.step', pair: 0 }],
    ['mirror.syncing', { type: 'copy.complete', pair: 0 }],
    ['mirror.syncing', { type: 'pair.verify', pair: 0 }],
    ['mirror.syncing', { type: 'verify.step', pair: 0 }],
    ['mirror.syncing', { type: 'track.corrupt', track: 0 }],
    ['mirror.synced', { type: 'verify.step', pair: 0 }],
    ['suspended', { type: 'pair.verify', pair: 0 }],
    ['suspended', { type: 'track.corrupt', track: 0 }],
    ['mirror.verifying', { type: 'pair.verify', pair: 0 }],
    ['mirror.verifying', { type: 'pair.suspend', pair: 0 }],
    ['mirror.verifying', { type: 'copy.step', pair: 0 }],
    ['mirror.verifying', { type: 'verify.complete', pair: 0 }],
    ['mirror.verifying', { type: 'dump.read', pair: 0, tracks: [0] }],
  ];
  test.each(wrongState)('mirror-pair: commands: in %s, %o is refused as wrong-state and changes nothing', (state, event) => {
    expectRejected(controllerIn(state), event, 'wrong-state');
  });

  test('mirror-pair: commands: the literal variant accepts what the recommended guards refuse (spec/000 §8.3, §8.5)', () => {
    expect(controllerIn('mirror.syncing', 'literal-unguarded').handle({ type: 'pair.suspend', pair: 0 }).accepted).toBe(true);
    expect(controllerIn('mirror.synced', 'literal-unguarded').handle({ type: 'dump.read', pair: 0, tracks: [0] }).accepted).toBe(true);
    expect(controllerIn('suspended', 'literal-unguarded').handle({ type: 'pair.suspend', pair: 0 }).accepted).toBe(true);
  });

  test('mirror-pair: commands: guard embodiment1 chooses where Sbm is matched (5070 against 4540)', () => {
    const e1 = controllerIn('mirror.synced', 'e1');
    const e2 = controllerIn('mirror.synced', 'e2');
    expect(e1.secondaryBitmap.toString()).toBe(e1.primaryBitmap.toString()); // 5070 ran when the copy completed
    e2.secondaryBitmap.clearAll();
    e2.handle({ type: 'pair.suspend', pair: 0 });
    expect(e2.secondaryBitmap.toString()).toBe('1100'); // 4540 copied Pbm at the release
  });

  test('mirror-pair: commands: guard differentialResync copies only the tracks in Pbm', () => {
    const full = controllerIn('suspended', 'e1');
    const differential = controllerIn('suspended', 'e1-differential');
    for (const controller of [full, differential]) controller.handle({ type: 'host.write', volume: 0, offset: 6, data: '01' });
    full.handle({ type: 'pair.resync', pair: 0 });
    differential.handle({ type: 'pair.resync', pair: 0 });
    expect(full.copyPending.toString()).toBe('1111');
    expect(differential.copyPending.toString()).toBe('0101'); // track 1 written after the release, track 3 just now
  });

  test('mirror-pair: commands: guard volatileControlMemory makes a power cycle forget state and bitmaps', () => {
    const kept = controllerIn('suspended', 'e1');
    const lost = controllerIn('suspended', 'volatile-control-memory');
    const before = kept.image();
    kept.handle({ type: 'power.cycle' });
    lost.handle({ type: 'power.cycle' });
    expect(kept.image()).toEqual(before);
    expect(lost.image()).toEqual({ state: 'separated', primaryBitmap: '0000', secondaryBitmap: '0000', copyPending: '0000', primaryFailed: '0000', verifyFound: '0000' });
  });

  test('mirror-pair: commands: the Fig.14 write records only Pbm', () => {
    const fig6 = controllerIn('mirror.synced', 'e2');
    const fig14 = controllerIn('mirror.synced', 'e2-fig14');
    for (const controller of [fig6, fig14]) controller.handle({ type: 'host.write', volume: 0, offset: 5, data: '0102' });
    expect(fig6.secondaryBitmap.test(2) && fig6.secondaryBitmap.test(3)).toBe(true);
    expect(fig14.secondaryBitmap.count).toBe(0);
  });

  test('mirror-pair: commands: a partial-track write marks every track it touches (spec/000 §8.12)', () => {
    const controller = controllerIn('suspended');
    controller.handle({ type: 'host.write', volume: 0, offset: 3, data: '0102' });
    expect(controller.primaryBitmap.toString()).toBe('0110');
  });

  test('mirror-pair: commands: a binary host write takes the same path as the hex command', () => {
    for (const state of ['separated', 'mirror.syncing', 'mirror.synced', 'suspended'] as const) {
      const viaHex = controllerIn(state);
      const viaBytes = controllerIn(state);
      const hexOutcome = viaHex.handle({ type: 'host.write', volume: 1, offset: 3, data: '0a0b0c' });
      const byteOutcome = viaBytes.hostWrite(1, 3, Uint8Array.of(10, 11, 12));
      expect(byteOutcome).toEqual(hexOutcome);
      expect(snapshotOf(viaBytes)).toBe(snapshotOf(viaHex));
    }
    const controller = controllerIn('suspended');
    const before = snapshotOf(controller);
    expect(controller.hostWrite(0, 7, Uint8Array.of(1, 2))).toMatchObject({ accepted: false, rejection: { reason: 'length-out-of-range' } });
    expect(controller.hostWrite(4, 0, Uint8Array.of(1))).toMatchObject({ accepted: false, rejection: { reason: 'unknown-volume' } });
    expect(snapshotOf(controller)).toBe(before);
  });

  test('mirror-pair: commands: a clone and its original change independently though they share volumes and bitmaps', () => {
    const events: MirrorEvent[] = [
      { type: 'host.write', volume: 0, offset: 0, data: '0909' },
      { type: 'host.write', volume: 1, offset: 6, data: '0808' },
      { type: 'host.read', volume: 1, offset: 0, length: 8 },
      { type: 'pair.suspend', pair: 0 },
      { type: 'dump.read', pair: 0, tracks: [0, 1] },
      { type: 'pair.resync', pair: 0 },
      { type: 'pair.establish', pair: 0 },
      { type: 'copy.step', pair: 0 },
      { type: 'power.cycle' },
      { type: 'pair.separate', pair: 0 },
    ];
    for (const state of ['separated', 'mirror.syncing', 'mirror.synced', 'suspended'] as const) {
      const original = controllerIn(state);
      const untouched = snapshotOf(original);
      const clone = original.clone();
      const reference = controllerIn(state); // never cloned: what the clone must do
      for (const event of events) expect(clone.handle(event)).toEqual(reference.handle(event));
      expect(snapshotOf(clone)).toBe(snapshotOf(reference));
      expect(snapshotOf(original)).toBe(untouched);
      const second = original.clone();
      for (const event of events) original.handle(event);
      expect(snapshotOf(original)).toBe(snapshotOf(reference));
      expect(snapshotOf(second)).toBe(untouched);
    }
  });

  test('mirror-pair: commands: scenario events are parsed strictly', () => {
    expect(mirrorPairLifecycle.parseEvent({ type: 'pair.suspend', pair: 0 })).toEqual({ type: 'pair.suspend', pair: 0 });
    expect(mirrorPairLifecycle.parseEvent({ type: 'pair.explode', pair: 0 })).toMatch(/type/);
    expect(mirrorPairLifecycle.parseEvent({ type: 'host.write', volume: 0, offset: 0 })).toMatch(/data/);
    expect(mirrorPairLifecycle.parseEvent({ type: 'copy.complete', pair: 0 })).toMatch(/type/); // internal: never sent
    expect(mirrorPairLifecycle.parseEvent({ type: 'power.cycle', extra: 1 })).toMatch(/extra|unrecognized/i);
  });
});
