import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import type { MirrorWorld } from '../../src/mirror-pair/abstraction.js';
import { dumpCycle, restore, type Dump, type DumpKind } from '../../src/mirror-pair/dump.js';
import { MIRROR_PRESETS, mirrorPairLifecycle as lifecycle } from '../../src/mirror-pair/lifecycle.js';
import { toHex } from '../../src/hex.js';
import { MirrorPairController } from '../../src/mirror-pair/controller.js';
import { mirrorVariant } from '../../src/mirror-pair/variants.js';
import { failures } from '../../src/verify/trace.js';

const geometry = MIRROR_PRESETS.standard;
const bytes = geometry.trackCount * geometry.trackSize;
const SEED = Number(process.env['COPYSPEC_SEED'] ?? 20261121);

/** Applies one command, checking every property; returns the controller's outcome. */
function apply(box: { world: MirrorWorld }, event: MirrorEvent) {
  const { after, outcome } = lifecycle.step(box.world, event);
  const failed = failures(lifecycle, { before: box.world, event, outcome, after });
  expect(failed, `${lifecycle.formatEvent(event)} violated ${failed.join(', ')}`).toEqual([]);
  box.world = after;
  return outcome.controller;
}

function untilSynced(box: { world: MirrorWorld }): void {
  for (let i = 0; i <= geometry.trackCount && box.world.controller.state === 'mirror.syncing'; i += 1) apply(box, { type: 'copy.step', pair: 0 });
  expect(box.world.controller.state).toBe('mirror.synced');
}

const write = fc.record({ offset: fc.integer({ min: 0, max: bytes - 1 }), data: fc.uint8Array({ minLength: 1, maxLength: 6 }) })
  .map(({ offset, data }): MirrorEvent => ({ type: 'host.write', volume: 0, offset, data: toHex(data.subarray(0, bytes - offset)) }));

/** One dump cycle's plan: writes before it, and writes slipped in after each of its commands. */
const cyclePlan = fc.record({ before: fc.array(write, { maxLength: 6 }), during: fc.array(fc.array(write, { maxLength: 2 }), { maxLength: 8 }), batch: fc.integer({ min: 1, max: 3 }) });

interface CyclePlan {
  readonly before: readonly MirrorEvent[];
  readonly during: readonly (readonly MirrorEvent[])[];
  readonly batch: number;
}

function runCycle(box: { world: MirrorWorld }, sequence: number, kind: DumpKind, plan: CyclePlan): { dump: Dump; image: readonly number[] } {
  for (const event of plan.before) apply(box, event);
  untilSynced(box);
  const cycle = dumpCycle(sequence, kind, geometry, plan.batch);
  let next = cycle.next();
  let image: readonly number[] | null = null;
  for (let index = 0; next.done !== true; index += 1) {
    const outcome = apply(box, next.value);
    image ??= box.world.model.releaseImage; // the model records the primary at the release (R_k)
    for (const event of plan.during[index] ?? []) apply(box, event);
    next = cycle.next(outcome);
  }
  expect(image).not.toBeNull();
  return { dump: next.value, image: image! };
}

describe('mirror-pair: dump', () => {
  // A dump chain is of one pair; a group's pairs each keep their own (a group variant's pair 0 is such a pair, but at another geometry).
  const embodiments = lifecycle.variants.filter((variant) => variant.kind === 'embodiment' && !('pairCount' in variant.control)).map((variant) => variant.name);

  test.each(embodiments)('mirror-pair: dump: %s: a full dump and the differentials after it restore the image at each release (spec/000 §5.8)', (variant) => {
    fc.assert(fc.property(fc.array(cyclePlan, { minLength: 1, maxLength: 5 }), (plans) => {
      const box = { world: lifecycle.initial(variant, lifecycle.presets.standard) };
      apply(box, { type: 'pair.establish', pair: 0 });
      const tape: Dump[] = [];
      plans.forEach((plan, sequence) => {
        const { dump, image } = runCycle(box, sequence, sequence === 0 ? 'full' : 'differential', plan);
        tape.push(dump);
        expect(Array.from(restore(tape, geometry) ?? [])).toEqual([...image]);
      });
    }), { seed: SEED, numRuns: 60 });
  }, 60_000);

  test('mirror-pair: dump: a differential dump holds only the tracks written in its interval (spec/000 §5.6)', () => {
    const box = { world: lifecycle.initial('e1', lifecycle.presets.standard) };
    apply(box, { type: 'pair.establish', pair: 0 });
    runCycle(box, 0, 'full', { before: [], during: [], batch: 8 });
    const { dump } = runCycle(box, 1, 'differential', {
      before: [{ type: 'host.write', volume: 0, offset: 5, data: '0102030405' }],
      during: [[{ type: 'host.write', volume: 0, offset: 0, data: 'ff' }]], // after the release: belongs to the next dump
      batch: 1,
    });
    expect(dump.records.map((record) => record.track)).toEqual([1, 2]);
    const next = runCycle(box, 2, 'differential', { before: [], during: [], batch: 4 });
    expect(next.dump.records.map((record) => record.track)).toEqual([0]); // the write made during dump 1 is in dump 2 (§5.7)
  });

  test('mirror-pair: dump: restore refuses a tape with no full dump or a missing differential', () => {
    const dump = (sequence: number, kind: DumpKind): Dump => ({ sequence, kind, records: [{ track: 0, data: '00000000' }] });
    expect(restore([dump(1, 'differential')], geometry)).toBeNull();
    expect(restore([dump(0, 'full'), dump(2, 'differential')], geometry)).toBeNull();
    expect(restore([dump(0, 'full'), { sequence: 1, kind: 'differential', records: [] }], geometry)).not.toBeNull();
  });

  test('mirror-pair: dump: without claim 10, a power cycle between dumps loses a track from the chain', () => {
    const box = { world: lifecycle.initial('volatile-control-memory', lifecycle.presets.standard) };
    const step = (event: MirrorEvent) => lifecycle.step(box.world, event);
    const send = (event: MirrorEvent) => { const { after, outcome } = step(event); box.world = after; return outcome.controller; };
    const dump = (sequence: number, kind: DumpKind): Dump => {
      const cycle = dumpCycle(sequence, kind, geometry, 8);
      let next = cycle.next();
      while (next.done !== true) next = cycle.next(send(next.value));
      return next.value;
    };
    const copyAll = () => { for (let i = 0; i < geometry.trackCount; i += 1) send({ type: 'copy.step', pair: 0 }); };
    send({ type: 'pair.establish', pair: 0 });
    copyAll();
    const tape = [dump(0, 'full')];
    copyAll();
    send({ type: 'host.write', volume: 0, offset: 4, data: '77' });
    send({ type: 'power.cycle' }); // control memory is erased: Pbm forgets track 1
    expect(box.world.controller.state).toBe('separated');
    expect(box.world.controller.primaryBitmap.count).toBe(0);
    send({ type: 'pair.establish', pair: 0 });
    copyAll();
    tape.push(dump(1, 'differential'));
    expect(tape[1]!.records).toEqual([]);
    expect(box.world.controller.secondary.contents()[4]).toBe(0x77); // the image at release 1 has the write...
    expect(restore(tape, geometry)?.[4]).toBe(0); // ...and the restored image does not
  });
});

describe('mirror-pair: dump: binary', () => {
  test('mirror-pair: dump: dumpRead hands back the same tracks as a dump.read command, in bytes, and refuses as it does', () => {
    const make = () => new MirrorPairController(mirrorVariant('e1')!, geometry);
    const [hex, binary] = [make(), make()];
    expect(binary.dumpRead([0]).outcome.accepted).toBe(false); // no pair yet: refused the same way
    for (const controller of [hex, binary]) {
      controller.handle({ type: 'pair.establish', pair: 0 });
      for (let i = 0; i <= geometry.trackCount; i += 1) controller.handle({ type: 'copy.step', pair: 0 });
      controller.hostWrite(0, 1, new Uint8Array([7, 8, 9]));
      controller.handle({ type: 'pair.suspend', pair: 0 });
    }
    const tracks = [0, geometry.trackCount - 1];
    const byCommand = hex.handle({ type: 'dump.read', pair: 0, tracks });
    const { outcome, records } = binary.dumpRead(tracks);
    expect(outcome.accepted).toBe(true);
    expect(byCommand.accepted && byCommand.result.kind === 'dump' ? byCommand.result.records : null).toEqual(records.map((r) => ({ track: r.track, data: toHex(r.bytes) })));
    expect(records[0]!.bytes[1]).toBe(7);
  });
});
