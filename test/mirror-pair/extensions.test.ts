/**
 * mirror-pair beyond seed 000 (issue 15): suspension by a track error (PSUE), the reverse resync
 * (`pair.restore`, ShadowImage's `pairresync -restore`) and online verify (`pair.verify`, DRBD's `drbdadm
 * verify`) with the silent corruption it finds (`track.corrupt`), command by command, on a controller of 4 tracks of 2
 * bytes. The exhaustive and model-based checks of every property run in test/conformance/; these tests name
 * each new guard, routing rule and refusal, so a change to one shows by name.
 */
import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { MirrorPairController } from '../../src/mirror-pair/controller.js';
import { mirrorVariant } from '../../src/mirror-pair/variants.js';
import { REJECTION_REASONS } from '../../src/rejection.js';

const geometry = { trackCount: 4, trackSize: 2 };
const COPY: MirrorEvent = { type: 'copy.step', pair: 0 };

/** A controller of `variant` after the events, each of which must be accepted. */
function after(variant: string, events: readonly MirrorEvent[]): MirrorPairController {
  const controller = new MirrorPairController(mirrorVariant(variant)!, geometry);
  for (const event of events) expect(controller.handle(event), JSON.stringify(event)).toMatchObject({ accepted: true });
  return controller;
}

/** Synced, with 'aabb' on track 0 and 'ccdd' on track 1 of both volumes. */
const SYNCED: readonly MirrorEvent[] = [
  { type: 'host.write', volume: 0, offset: 0, data: 'aabbccdd' },
  { type: 'pair.establish', pair: 0 },
  COPY, COPY, COPY, COPY,
];

function read(controller: MirrorPairController, offset: number, length: number): string {
  const outcome = controller.handle({ type: 'host.read', volume: 0, offset, length });
  expect(outcome.accepted).toBe(true);
  return outcome.accepted && outcome.result.kind === 'read' ? outcome.result.data : '';
}

function snapshotOf(controller: MirrorPairController): string {
  return JSON.stringify({ ...controller.image(), p: [...controller.primary.contents()], s: [...controller.secondary.contents()] });
}

function expectRejected(controller: MirrorPairController, event: MirrorEvent, reason: keyof typeof REJECTION_REASONS): void {
  const before = snapshotOf(controller);
  expect(controller.handle(event)).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(snapshotOf(controller)).toBe(before);
}

describe('mirror-pair: error suspension', () => {
  test('mirror-pair: error suspension: an error on a secondary track when synced destroys it and puts that track alone on the resync list', () => {
    const controller = after('e1-differential', [...SYNCED, { type: 'track.fail', volume: 1, track: 1 }]);
    expect(controller.state).toBe('suspended-error');
    expect([...controller.secondary.contents().subarray(2, 4)]).toEqual([0xee, 0xee]);
    expect(controller.copyPending.toString()).toBe('0100');
    expect(controller.primaryFailed.toString()).toBe('0000');
    expect(read(controller, 0, 4)).toBe('aabbccdd');
  });

  test('mirror-pair: error suspension: an error on a primary track is served from the secondary, for reads and writes alike', () => {
    const controller = after('e1-differential', [...SYNCED, { type: 'track.fail', volume: 0, track: 0 }]);
    expect(controller.primaryFailed.toString()).toBe('1000');
    expect(read(controller, 0, 4)).toBe('aabbccdd');
    // A write across tracks 0 and 1: track 0's byte goes to the secondary, track 1's to the primary, which puts track 1 on the list.
    expect(controller.handle({ type: 'host.write', volume: 0, offset: 1, data: '1122' })).toMatchObject({ accepted: true, physicalWrites: 2, physicalReads: 0 });
    expect(read(controller, 0, 4)).toBe('aa1122dd');
    expect([...controller.primary.contents().subarray(0, 2)]).toEqual([0xee, 0xee]);
    expect(controller.copyPending.toString()).toBe('0100');
    expect(controller.primaryBitmap.toString()).toBe('1100');
  });

  test('mirror-pair: error suspension: a differential resync rewrites the failed primary tracks, then copies only the uncertain ones', () => {
    const controller = after('e1-differential', [
      ...SYNCED, { type: 'track.fail', volume: 0, track: 0 }, { type: 'host.write', volume: 0, offset: 6, data: '77' }, { type: 'pair.resync', pair: 0 },
    ]);
    expect(controller.state).toBe('mirror.syncing');
    expect(controller.primaryFailed.toString()).toBe('0000');
    expect([...controller.primary.contents().subarray(0, 2)]).toEqual([0xaa, 0xbb]);
    expect(controller.copyPending.toString()).toBe('0001');
    controller.handle(COPY);
    expect(controller.state).toBe('mirror.synced');
    expect([...controller.secondary.contents()]).toEqual([...controller.primary.contents()]);
  });

  test('mirror-pair: error suspension: a full resync copies every track, as ShadowImage does from PSUE', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.fail', volume: 1, track: 2 }, { type: 'pair.resync', pair: 0 }]);
    expect(controller.copyPending.toString()).toBe('1111');
  });

  test('mirror-pair: error suspension: an error during the copy keeps the tracks still to copy on the list', () => {
    const controller = after('e1-differential', [{ type: 'pair.establish', pair: 0 }, COPY, { type: 'track.fail', volume: 1, track: 0 }]);
    expect(controller.copyPending.toString()).toBe('1111');
  });

  test('mirror-pair: error suspension: an error on the primary during the copy is refused as wrong-state (it holds the only current copy)', () => {
    expectRejected(after('e1', [{ type: 'pair.establish', pair: 0 }]), { type: 'track.fail', volume: 0, track: 3 }, 'wrong-state');
  });

  test('mirror-pair: error suspension: a track error names a known volume and track', () => {
    const controller = after('e1', SYNCED);
    expectRejected(controller, { type: 'track.fail', volume: 2, track: 0 }, 'unknown-volume');
    expectRejected(controller, { type: 'track.fail', volume: 1, track: 4 }, 'track-out-of-range');
    expectRejected(controller, { type: 'track.fail', volume: 1, track: 0.5 }, 'malformed-command');
  });

  const refusedInError: MirrorEvent[] = [
    { type: 'pair.suspend', pair: 0 },
    { type: 'pair.separate', pair: 0 },
    { type: 'pair.restore', pair: 0 },
    { type: 'dump.read', pair: 0, tracks: [0] },
    { type: 'dump.update-info', pair: 0 },
    { type: 'track.fail', volume: 1, track: 0 },
    COPY,
  ];
  test.each(refusedInError)('mirror-pair: error suspension: in suspended-error, %o is refused as wrong-state and changes nothing', (event) => {
    expectRejected(after('e1', [...SYNCED, { type: 'track.fail', volume: 0, track: 1 }]), event, 'wrong-state');
  });

  test('mirror-pair: error suspension: a power cycle keeps the failed-track record in non-volatile control memory (claim 10)', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.fail', volume: 0, track: 1 }]);
    const before = controller.image();
    controller.handle({ type: 'power.cycle' });
    expect(controller.image()).toEqual(before);
    expect(before.primaryFailed).toBe('0100');
  });

  test('mirror-pair: error suspension: BROKEN error-read-from-failed-primary returns the failed bytes', () => {
    const controller = after('error-read-from-failed-primary', [...SYNCED, { type: 'track.fail', volume: 0, track: 0 }]);
    expect(read(controller, 0, 2)).toBe('eeee');
  });
});

/** Suspended after SYNCED, then track 2 written on the primary: Pbm 0010, the release image aabbccdd0000. */
const SPLIT_AND_WRITTEN: readonly MirrorEvent[] = [...SYNCED, { type: 'pair.suspend', pair: 0 }, { type: 'host.write', volume: 0, offset: 4, data: '5566' }];

describe('mirror-pair: reverse resync', () => {
  test('mirror-pair: reverse resync: pair.restore copies Pbm OR Sbm back from the secondary and clears Pbm', () => {
    // e1: Sbm is Pbm as the copy completed, tracks 0 and 1 (written before the establish).
    const controller = after('e1', [...SPLIT_AND_WRITTEN, { type: 'pair.restore', pair: 0 }]);
    expect(controller.state).toBe('restoring');
    expect(controller.secondaryBitmap.toString()).toBe('1100');
    expect(controller.copyPending.toString()).toBe('1110');
    expect(controller.primaryBitmap.toString()).toBe('0000');
  });

  test('mirror-pair: reverse resync: host writes are refused busy and reads come from the secondary while restoring', () => {
    const controller = after('e1', [...SPLIT_AND_WRITTEN, { type: 'pair.restore', pair: 0 }]);
    expectRejected(controller, { type: 'host.write', volume: 0, offset: 0, data: '01' }, 'busy');
    expect(read(controller, 0, 8)).toBe('aabbccdd00000000');
  });

  test('mirror-pair: reverse resync: a track not to copy back is read from the primary, so a corrupted secondary copy of it is not served', () => {
    // Track 3 is corrupted on the secondary while synced, and neither Pbm nor Sbm holds it.
    const controller = after('e1', [...SYNCED, { type: 'track.corrupt', track: 3 }, { type: 'pair.suspend', pair: 0 }, { type: 'pair.restore', pair: 0 }]);
    expect(controller.copyPending.toString()).toBe('1100');
    expect(read(controller, 0, 8)).toBe('aabbccdd00000000');
  });

  test('mirror-pair: reverse resync: the last copy step ends in suspended at the same release, the primary its split image', () => {
    const controller = after('e1', [...SPLIT_AND_WRITTEN, { type: 'pair.restore', pair: 0 }, COPY, COPY]);
    expect(controller.state).toBe('restoring');
    const outcome = controller.handle(COPY);
    expect(outcome.accepted && outcome.transitions.map((t) => t.edge)).toEqual(['restoring --copy.step--> restoring', 'restoring --restore.complete--> suspended']);
    expect([...controller.primary.contents()]).toEqual([...controller.secondary.contents()]);
    expect(controller.handle({ type: 'dump.update-info', pair: 0 })).toMatchObject({ accepted: true, result: { kind: 'update-info', bitmap: '1100' } });
  });

  test('mirror-pair: reverse resync: pair.restore is taken only from suspended', () => {
    expectRejected(after('e1', SYNCED), { type: 'pair.restore', pair: 0 }, 'wrong-state');
    expectRejected(after('e1', [{ type: 'pair.establish', pair: 0 }]), { type: 'pair.restore', pair: 0 }, 'wrong-state');
    expectRejected(after('e1', []), { type: 'pair.restore', pair: 0 }, 'wrong-state');
    expectRejected(after('e1', [...SPLIT_AND_WRITTEN, { type: 'pair.restore', pair: 0 }]), { type: 'pair.restore', pair: 0 }, 'wrong-state');
  });

  test('mirror-pair: reverse resync: BROKEN restore-skips-primary-bitmap leaves a track written since the release', () => {
    const controller = after('restore-skips-primary-bitmap', [...SPLIT_AND_WRITTEN, { type: 'pair.restore', pair: 0 }, COPY, COPY]);
    expect(controller.state).toBe('suspended');
    expect(read(controller, 4, 2)).toBe('5566');
  });
});

const VERIFY: MirrorEvent = { type: 'pair.verify', pair: 0 };
const STEP: MirrorEvent = { type: 'verify.step', pair: 0 };

/** The outcome of the verify step that completes a verify: the tracks reported, as a bitmap. */
function lastStep(controller: MirrorPairController): string {
  const outcome = controller.handle(STEP);
  expect(outcome.accepted && outcome.transitions.map((t) => t.edge)).toEqual([
    'mirror.verifying --verify.step--> mirror.verifying', 'mirror.verifying --verify.complete--> mirror.synced',
  ]);
  return outcome.accepted && outcome.result.kind === 'verify' ? outcome.result.bitmap : 'no report';
}

describe('mirror-pair: online verify', () => {
  test('mirror-pair: online verify: a silent corruption changes the secondary only, and the controller records nothing', () => {
    const controller = after('e1', SYNCED);
    const image = controller.image();
    expect(controller.handle({ type: 'track.corrupt', track: 1 })).toMatchObject({ accepted: true, result: { kind: 'none' } });
    expect(controller.image()).toEqual(image);
    expect([...controller.secondary.contents().subarray(2, 4)]).toEqual([0xcc, 0xcc]);
    expect(read(controller, 0, 4)).toBe('aabbccdd');
  });

  test('mirror-pair: online verify: the walk compares one track a step and reports the corrupted tracks when it completes', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.corrupt', track: 1 }, { type: 'track.corrupt', track: 3 }, VERIFY]);
    expect(controller.state).toBe('mirror.verifying');
    expect(controller.copyPending.toString()).toBe('1111');
    controller.handle(STEP);
    controller.handle(STEP);
    expect(controller.verifyFound.toString()).toBe('0100');
    controller.handle(STEP);
    expect(lastStep(controller)).toBe('0101');
    expect(controller.state).toBe('mirror.synced');
    expect(controller.verifyFound.toString()).toBe('0000');
  });

  test('mirror-pair: online verify: host writes are duplexed during the verify; one that rewrites a corrupted track before the walk reaches it leaves nothing to report', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.corrupt', track: 2 }, VERIFY, STEP]);
    expect(controller.handle({ type: 'host.write', volume: 0, offset: 4, data: '1234' })).toMatchObject({ accepted: true, physicalWrites: 2 });
    controller.handle(STEP);
    controller.handle(STEP);
    expect(lastStep(controller)).toBe('0000');
  });

  test('mirror-pair: online verify: a corruption of a track the walk has passed is not reported by this verify, and is by the next', () => {
    const controller = after('e1', [...SYNCED, VERIFY, STEP, { type: 'track.corrupt', track: 0 }, STEP, STEP]);
    expect(lastStep(controller)).toBe('0000');
    controller.handle(VERIFY);
    for (let step = 0; step < 3; step += 1) controller.handle(STEP);
    expect(lastStep(controller)).toBe('1000');
  });

  test('mirror-pair: online verify: a track error abandons the verify, leaving only the failed track on the resync list', () => {
    const controller = after('e1-differential', [...SYNCED, VERIFY, STEP, { type: 'track.fail', volume: 1, track: 3 }]);
    expect(controller.state).toBe('suspended-error');
    expect(controller.copyPending.toString()).toBe('0001');
    expect(controller.verifyFound.toString()).toBe('0000');
  });

  test('mirror-pair: online verify: pair.separate abandons the verify', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.corrupt', track: 0 }, VERIFY, STEP, { type: 'pair.separate', pair: 0 }]);
    expect(controller.state).toBe('separated');
    expect(controller.copyPending.toString()).toBe('0000');
    expect(controller.verifyFound.toString()).toBe('0000');
  });

  test('mirror-pair: online verify: a power cycle keeps the walk and its findings in non-volatile control memory (claim 10)', () => {
    const controller = after('e1', [...SYNCED, { type: 'track.corrupt', track: 0 }, VERIFY, STEP]);
    const before = controller.image();
    controller.handle({ type: 'power.cycle' });
    expect(controller.image()).toEqual(before);
    expect(before.verifyFound).toBe('1000');
  });

  test('mirror-pair: online verify: a split waits for the verify, and verify and corruption are refused where the bitmaps promise no equal copies', () => {
    expectRejected(after('e1', [...SYNCED, VERIFY]), { type: 'pair.suspend', pair: 0 }, 'wrong-state');
    expectRejected(after('e1', [{ type: 'pair.establish', pair: 0 }]), VERIFY, 'wrong-state');
    expectRejected(after('e1', [...SYNCED, { type: 'pair.suspend', pair: 0 }]), { type: 'track.corrupt', track: 0 }, 'wrong-state');
    expectRejected(after('e1', SYNCED), STEP, 'wrong-state');
    expectRejected(after('e1', SYNCED), { type: 'track.corrupt', track: 4 }, 'track-out-of-range');
    expectRejected(after('e1', SYNCED), { type: 'track.corrupt', track: -1 }, 'malformed-command');
    expectRejected(after('e1', SYNCED), { type: 'pair.verify', pair: 1 }, 'unknown-pair');
  });

  test('mirror-pair: online verify: a broken controller\'s own silent corruption, BROKEN duplex-write-lost-on-secondary, is reported by the verify', () => {
    const controller = after('duplex-write-lost-on-secondary', [...SYNCED, { type: 'host.write', volume: 0, offset: 6, data: '7788' }, VERIFY, STEP, STEP, STEP]);
    expect(read(controller, 6, 2)).toBe('7788');
    expect(lastStep(controller)).toBe('0001');
  });

  test('mirror-pair: online verify: BROKEN verify-skips-last-track never compares the last track', () => {
    const controller = after('verify-skips-last-track', [...SYNCED, { type: 'track.corrupt', track: 3 }, VERIFY, STEP, STEP]);
    expect(lastStep(controller)).toBe('0000');
  });
});
