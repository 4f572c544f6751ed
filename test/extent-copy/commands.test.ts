import { describe, expect, test } from 'vitest';
import type { ExtentEvent } from '../../src/extent-copy/events.js';
import type { ExtentStepOutcome, ExtentWorld } from '../../src/extent-copy/abstraction.js';
import { extentCopyLifecycle } from '../../src/extent-copy/lifecycle.js';
import { REJECTION_REASONS, type RejectionReason } from '../../src/rejection.js';

/**
 * extent-copy's commands one by one: every guard of the machines and every rejection reason by a named
 * negative test, in the documented order, and the seed's flows as worked examples on the minimal preset
 * (3 tracks of 2 bytes; extents A = [1, 2], tracks 0-1, and B = [4, 5], track 2).
 */
const lifecycle = extentCopyLifecycle;
const preset = lifecycle.presets.minimal;
const A = { start: 1, end: 2 };
const B = { start: 4, end: 5 };
const step: ExtentEvent = { type: 'copy.step', pair: 0 };

function run(variant: string, events: readonly ExtentEvent[]): { world: ExtentWorld; last: ExtentStepOutcome } {
  let world = lifecycle.initial(variant, preset);
  let last: ExtentStepOutcome | null = null;
  for (const event of events) {
    const next = lifecycle.step(world, event);
    world = next.after;
    last = next.outcome;
  }
  expect(last).not.toBeNull();
  return { world, last: last! };
}

/** Every command of `events` accepted. */
function accepted(variant: string, events: readonly ExtentEvent[]): ExtentWorld {
  let world = lifecycle.initial(variant, preset);
  for (const event of events) {
    const next = lifecycle.step(world, event);
    expect(next.outcome.controller, `${lifecycle.formatEvent(event)} in ${variant}`).toMatchObject({ accepted: true });
    world = next.after;
  }
  return world;
}

/** The last command is refused for `reason`, by controller and model alike, and changes nothing. */
function expectRejected(variant: string, prefix: readonly ExtentEvent[], event: ExtentEvent, reason: RejectionReason): void {
  const world = accepted(variant, prefix);
  const { after, outcome } = lifecycle.step(world, event);
  expect(outcome.controller).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(outcome.model).toMatchObject({ accepted: false, rejection: { reason } });
  expect(lifecycle.key(after)).toBe(lifecycle.key(world));
}

const steps = (count: number, event: ExtentEvent = step): ExtentEvent[] => new Array<ExtentEvent>(count).fill(event);
const create: ExtentEvent = { type: 'pair.create', original: 0, copy: 1 };
const formed: ExtentEvent[] = [create, ...steps(3)];
const split: ExtentEvent[] = [...formed, { type: 'pair.split', pairs: [0] }, ...steps(3)];
const write = (track: number, value = 1): ExtentEvent => ({ type: 'host.write', volume: 0, address: track * 2, data: `0${value}0${value}` });
const readCopy = (track: number): ExtentEvent => ({ type: 'host.read', volume: 1, address: track * 2, length: 2 });

/** The copy volume's bytes as hex. */
function copyBytes(world: ExtentWorld): string {
  return (lifecycle.observe(world)['volumes'] as string[])[1]!;
}

function record0(world: ExtentWorld): Record<string, unknown> {
  return (lifecycle.observe(world)['records'] as Record<string, unknown>[])[0]!;
}

describe('extent-copy: commands', () => {
  test('extent-copy: commands: malformed numbers, data and pair lists are refused as malformed-command', () => {
    expectRejected('e1', [], { type: 'host.write', volume: 0, address: 0, data: 'zz' }, 'malformed-command');
    expectRejected('e1', [], { type: 'host.write', volume: 0, address: 0.5, data: '01' }, 'malformed-command');
    expectRejected('e1', formed, { type: 'pair.split', pairs: [0, 0] }, 'malformed-command');
    expectRejected('e1', [], { type: 'pair.create', original: 0, copy: 1, extents: [A] }, 'malformed-command');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [{ start: -1, end: 2 }] }, 'malformed-command');
  });

  test('extent-copy: commands: a free record or a record id past the table is refused as unknown-pair (A3)', () => {
    expectRejected('e1', [], { type: 'pair.query', pair: 0 }, 'unknown-pair');
    expectRejected('e1', formed, { type: 'pair.split', pairs: [1] }, 'unknown-pair');
    expectRejected('e1', formed, { type: 'copy.step', pair: preset.pairCount }, 'unknown-pair');
    expectRejected('e1', split, { type: 'copy.step', pair: 0, extent: preset.extentSlots }, 'unknown-pair');
    expectRejected('e2', [{ type: 'pair.create', original: 0, copy: 1, extents: [A] }], { type: 'copy.step', pair: 0, extent: 0 }, 'unknown-pair');
  });

  test('extent-copy: commands: a volume that does not exist, or is not in the pair, is refused as unknown-volume', () => {
    expectRejected('e1', [], { type: 'host.write', volume: 3, address: 0, data: '01' }, 'unknown-volume');
    expectRejected('e1', [], { type: 'pair.create', original: 0, copy: 7 }, 'unknown-volume');
    expectRejected('e1', [create], { type: 'copy.fault', pair: 0, volume: 2 }, 'unknown-volume');
  });

  test('extent-copy: commands: an address past the volume is refused as track-out-of-range', () => {
    expectRejected('e1', [], { type: 'host.write', volume: 0, address: 6, data: '01' }, 'track-out-of-range');
    expectRejected('e1', [], { type: 'host.read', volume: 2, address: 4, length: 1 }, 'track-out-of-range');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [{ start: 6, end: 7 }] }, 'track-out-of-range');
  });

  test('extent-copy: commands: a range that leaves its track, the volume or its order is refused as length-out-of-range (A11)', () => {
    expectRejected('e1', [], { type: 'host.write', volume: 0, address: 1, data: '0101' }, 'length-out-of-range');
    expectRejected('e1', [], { type: 'host.read', volume: 0, address: 0, length: 0 }, 'length-out-of-range');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [{ start: 4, end: 6 }] }, 'length-out-of-range');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [{ start: 4, end: 1 }] }, 'length-out-of-range');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [] }, 'length-out-of-range');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [A, B, A] }, 'length-out-of-range');
    expectRejected('e3', [], { type: 'pair.create', original: 0, copy: 2 }, 'length-out-of-range');
    expectRejected('e2', [], { type: 'pair.create', original: 0, copy: 2, extents: [B] }, 'length-out-of-range');
    expectRejected('e2', [], { type: 'pair.create', original: 0, copy: 1, extents: [] }, 'length-out-of-range');
    expectRejected('e1', formed, { type: 'pair.split', pairs: [] }, 'length-out-of-range');
  });

  test('extent-copy: commands: guard A3: split, Extent Update, Extent Split and Join only in their states', () => {
    expectRejected('e1', [create], { type: 'pair.split', pairs: [0] }, 'wrong-state');
    expectRejected('e1', formed, { type: 'extent.update', pair: 0, extents: [A] }, 'wrong-state');
    expectRejected('e2', [{ type: 'pair.create', original: 0, copy: 1, extents: [A] }, ...steps(2)], { type: 'extent.update', pair: 0, extents: [A] }, 'wrong-state');
    expectRejected('e3', [create], { type: 'extent.split', pair: 0, extents: [A] }, 'wrong-state');
    expectRejected('e3', [create, ...steps(3)], { type: 'extent.join', pair: 0 }, 'wrong-state');
    expectRejected('e3', [create, ...steps(3)], { type: 'pair.split', pairs: [0] }, 'wrong-state');
    expectRejected('e1', formed, step, 'wrong-state');
    expectRejected('e1', split, { type: 'copy.step', pair: 0, extent: 0 }, 'wrong-state');
  });

  test('extent-copy: commands: guard A13: a pair is deleted only when no job runs', () => {
    expectRejected('e1', [create], { type: 'pair.delete', pair: 0 }, 'wrong-state');
    expectRejected('e1', [...split, { type: 'extent.update', pair: 0, extents: [A] }], { type: 'pair.delete', pair: 0 }, 'busy');
    const deleted = accepted('e1', [create, { type: 'copy.fault', pair: 0, volume: 1 }, { type: 'pair.delete', pair: 0 }]);
    expect(record0(deleted)).toEqual({ state: 'free' });
  });

  test('extent-copy: commands: what another pair, extent or copy holds is refused as busy (A6, A9)', () => {
    expectRejected('e1', [create], { type: 'host.write', volume: 1, address: 0, data: '01' }, 'busy');
    expectRejected('e1', [create], create, 'busy');
    expectRejected('e1', [], { type: 'pair.create', original: 0, copy: 0 }, 'busy');
    expectRejected('e1', split, { type: 'extent.update', pair: 0, extents: [A, { start: 3, end: 4 }] }, 'busy');
    expectRejected('e1', [...split, { type: 'extent.update', pair: 0, extents: [A] }], { type: 'extent.update', pair: 0, extents: [{ start: 0, end: 0 }] }, 'busy');
    expectRejected('e1', [...split, { type: 'extent.update', pair: 0, extents: [A, B] }], { type: 'extent.update', pair: 0, extents: [B] }, 'busy');
    expectRejected('e2', [{ type: 'pair.create', original: 0, copy: 1, extents: [A] }], { type: 'pair.create', original: 0, copy: 1, extents: [{ start: 2, end: 5 }] }, 'busy');
    expectRejected('e2', [{ type: 'pair.create', original: 0, copy: 1, extents: [A] }], { type: 'pair.create', original: 1, copy: 2, extents: [{ start: 0, end: 0 }] }, 'busy');
    expectRejected('e3', [create, ...steps(3)], { type: 'extent.split', pair: 0, extents: [A, A] }, 'busy');
    const failedSplit = [create, ...steps(3), { type: 'extent.split', pair: 0, extents: [A] }, { type: 'copy.fault', pair: 0, volume: 0 }] as ExtentEvent[];
    expectRejected('e3', failedSplit, { type: 'extent.split', pair: 0, extents: [B] }, 'busy');
  });

  test('extent-copy: commands: reasons are checked in the documented order', () => {
    // An unknown volume and a bad address: the volume is named first.
    expectRejected('e1', [], { type: 'host.write', volume: 9, address: 100, data: '01' }, 'unknown-volume');
    // A bad extent in the wrong state: the argument first (the broken variant state-checked-before-arguments does the reverse).
    expectRejected('e1', formed, { type: 'extent.update', pair: 0, extents: [{ start: 9, end: 9 }] }, 'track-out-of-range');
    // Wrong state and an overlap: the state first.
    expectRejected('e1', formed, { type: 'extent.update', pair: 0, extents: [A, A] }, 'wrong-state');
  });

  test('extent-copy: commands: guards embodiment1/2/3: Pair Create sets CB over the volume (E1, E3) or the extent (E2)', () => {
    expect(record0(accepted('e1', [create]))).toMatchObject({ state: 'forming.copying', cb: '111', sb: '000', ub: '000' });
    expect(record0(accepted('e3', [create]))).toMatchObject({ state: 'forming.copying', cb: '111', sb: '000' });
    expect(record0(accepted('e2', [{ type: 'pair.create', original: 0, copy: 1, extents: [B] }]))).toMatchObject({ state: 'forming.copying', bitmap: '001' });
  });

  test('extent-copy: commands: guard literalA4: only the literal flow splits while forming, and its create copy then ends in formed (807)', () => {
    expectRejected('e1', [create], { type: 'pair.split', pairs: [0] }, 'wrong-state');
    const { world, last } = run('literal-a4-split-during-forming', [create, { type: 'pair.split', pairs: [0] }, ...steps(3)]);
    expect(last.controller).toMatchObject({ accepted: true });
    expect(record0(world)).toMatchObject({ state: 'formed' });
    expect(world.model.records[0]!.state).toBe('splitting.copying');
  });

  test('extent-copy: commands: guard literalA7: the fixed Extent Update clears UB at 1007, the literal one leaves it', () => {
    const events = [...split, { type: 'extent.update', pair: 0, extents: [A] }, write(0), ...steps(2, { type: 'copy.step', pair: 0, extent: 0 })] as ExtentEvent[];
    expect(record0(accepted('e1', events))).toMatchObject({ sb: '100', ub: '000' });
    expect(record0(accepted('literal-a7-update-bits-never-cleared', events))).toMatchObject({ sb: '100', ub: '100' });
  });

  test('extent-copy: commands: guard literalA8: a write outside the extents sets CB (fixed) or SB (literal)', () => {
    const events = [create, ...steps(3), { type: 'extent.split', pair: 0, extents: [A] }, write(2)] as ExtentEvent[];
    expect(record0(accepted('e3', events))).toMatchObject({ cb: '001', sb: '000' });
    expect(record0(accepted('literal-a8-outside-writes-lost', events))).toMatchObject({ cb: '000', sb: '001' });
  });

  test('extent-copy: commands: guard copyOnRead: a copy track of a running split answers NotReady, or its image after copy-on-read (A5)', () => {
    const events = [...formed, write(2), { type: 'pair.split', pairs: [0] }, write(2, 2)] as ExtentEvent[];
    expect(run('e1', [...events, readCopy(2)]).last.controller).toMatchObject({ accepted: true, result: { kind: 'not-ready' } });
    expect(run('e1-copy-on-read', [...events, readCopy(2)]).last.controller).toMatchObject({ accepted: true, result: { kind: 'read', data: '0101' } });
    // Track 1 is still pending (CB set by the write in formed): copy-on-read copies it first, and clears its bit.
    const pending = [...formed, write(1), { type: 'pair.split', pairs: [0] }, write(1, 2)] as ExtentEvent[];
    const { world, last } = run('e1-copy-on-read', [...formed, write(1), { type: 'pair.split', pairs: [0] }, readCopy(1)]);
    expect(last.controller).toMatchObject({ result: { kind: 'read', data: '0101' } });
    expect(record0(world)).toMatchObject({ cb: '000' });
    expect(run('e1', [...pending, step, step, step, readCopy(1)]).last.controller).toMatchObject({ result: { kind: 'read', data: '0101' } });
  });
});

describe('extent-copy: worked examples', () => {
  test('extent-copy: worked examples: E1 Extent Update re-matches only the extent, as of its instant (claims 1-2, 1007)', () => {
    const world = accepted('e1', [
      ...split, write(0, 2), write(2), // the copy now differs on tracks 0 and 2: SB = 101
      { type: 'extent.update', pair: 0, extents: [A] }, // A's instant: tracks 0-1 of the original are 02.00
      write(1), // copy-before-write: track 1 is not pending, so only UB marks it
      ...steps(2, { type: 'copy.step', pair: 0, extent: 0 }),
      { type: 'pair.query', pair: 0 },
    ]);
    expect(copyBytes(world)).toBe('020200000000'); // track 0 re-matched; track 1 kept its image; track 2 not touched
    expect(record0(world)).toMatchObject({ state: 'split', sb: '011', ub: '000' });
  });

  test('extent-copy: worked examples: E2 creates one record per extent and splits a list at one instant (A10)', () => {
    const world = accepted('e2', [
      { type: 'pair.create', original: 0, copy: 1, extents: [A, B] }, ...steps(2), ...steps(1, { type: 'copy.step', pair: 1 }),
      write(0, 2), write(2),
      { type: 'pair.split', pairs: [0, 1] },
      write(2, 2), // record 1 copies track 2 (value 1) before the write
    ]);
    expect(world.model.records.map((r) => r.state)).toEqual(['splitting.copying', 'splitting.copying']);
    const after = accepted('e2', [
      { type: 'pair.create', original: 0, copy: 1, extents: [A, B] }, ...steps(2), ...steps(1, { type: 'copy.step', pair: 1 }),
      write(0, 2), write(2), { type: 'pair.split', pairs: [0, 1] }, write(2, 2), ...steps(2), ...steps(1, { type: 'copy.step', pair: 1 }),
    ]);
    expect(copyBytes(after)).toBe('020200000101');
  });

  test('extent-copy: worked examples: E3 Extent Split freezes the extents and Extent Join brings them back (【0137】, 2807)', () => {
    const splitWorld = accepted('e3', [create, ...steps(3), { type: 'extent.split', pair: 0, extents: [B] }, write(2), ...steps(1), write(2, 2)]);
    expect(record0(splitWorld)).toMatchObject({ state: 'xsplit', sb: '001', extents: [B] });
    expect(run('e3', [create, ...steps(3), { type: 'extent.split', pair: 0, extents: [B] }, write(2), ...steps(1), readCopy(2)]).last.controller)
      .toMatchObject({ result: { kind: 'read', data: '0000' } });
    const joined = accepted('e3', [create, ...steps(3), { type: 'extent.split', pair: 0, extents: [B] }, write(2), ...steps(1), write(2, 2), { type: 'extent.join', pair: 0 }, ...steps(1)]);
    expect(record0(joined)).toMatchObject({ state: 'formed', sb: '000', extents: [] });
    expect(copyBytes(joined)).toBe('000000000202');
  });

  test('extent-copy: worked examples: a copy I/O error keeps the bit and the cursor; the reissued request resumes (A12)', () => {
    const failed = accepted('e1', [...formed, write(1), { type: 'pair.split', pairs: [0] }, step, { type: 'copy.fault', pair: 0, volume: 1 }]);
    expect(record0(failed)).toMatchObject({ state: 'splitting.failed', cb: '010', jobs: [{ kind: 'split', cursor: 1, status: 'failed', error: 'copy-error' }] });
    expect(run('e1', [...formed, write(1), { type: 'pair.split', pairs: [0] }, step, { type: 'copy.fault', pair: 0, volume: 1 }, { type: 'pair.query', pair: 0 }]).last.controller)
      .toMatchObject({ result: { kind: 'query', report: { jobs: [{ kind: 'split', status: 'failed', error: 'copy-error' }] } } });
    expectRejected('e1', [...formed, write(1), { type: 'pair.split', pairs: [0] }, step, { type: 'copy.fault', pair: 0, volume: 1 }], step, 'wrong-state');
    const resumed = accepted('e1', [...formed, write(1), { type: 'pair.split', pairs: [0] }, step, { type: 'copy.fault', pair: 0, volume: 1 }, { type: 'pair.split', pairs: [0] }, ...steps(2)]);
    expect(record0(resumed)).toMatchObject({ state: 'split', cb: '000' });
    expect(copyBytes(resumed)).toBe('000001010000');
  });

  test('extent-copy: worked examples: copy-before-write copies only the written track, and only once', () => {
    const world = accepted('e1', [...formed, write(0), write(1), write(2), { type: 'pair.split', pairs: [0] }, write(1, 1), write(1, 1)]);
    expect(copyBytes(world)).toBe('000001010000');
    expect(record0(world)).toMatchObject({ cb: '101', sb: '010' });
  });
});
