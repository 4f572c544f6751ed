/**
 * scheduled-backup (seed 004): every rejection reason and every guard by a named negative test, and the
 * seed's worked examples: a disk backup, a tape backup over a chain of tapes (SSC001 → SSC002, 【0096】),
 * end of tape both ways (A11), label overflow (A12), the crossing trigger with a skipped tick (A1), the FIFO
 * queue (A9), the deferred configuration request (A7), check 208 (T2), and restore (A17).
 */
import { describe, expect, test } from 'vitest';
import { adapterMachine } from '../../machines/scheduled-backup.js';
import { ControlTable } from '../../src/control.js';
import { REJECTION_REASONS } from '../../src/rejection.js';
import type { BackupWorld } from '../../src/scheduled-backup/abstraction.js';
import type { BackupEvent, ConfigTable } from '../../src/scheduled-backup/events.js';
import { BACKUP_PRESETS, scheduledBackupLifecycle as lifecycle } from '../../src/scheduled-backup/lifecycle.js';
import { incrementLabel } from '../../src/scheduled-backup/system.js';
import { backupVariant } from '../../src/scheduled-backup/variants.js';

const minimal = BACKUP_PRESETS.minimal;
const tick = (by = 1): BackupEvent => ({ type: 'timer.tick', by });
const answer: BackupEvent = { type: 'device.answer', device: 0 };
const staged: BackupEvent = { type: 'stage.complete', device: 0 };
const mount = (label: string): BackupEvent => ({ type: 'operator.mount', device: 0, label });

/** Runs commands from the initial world, each accepted and every property holding; returns the world. */
function run(variant: string, events: readonly BackupEvent[], from?: BackupWorld): BackupWorld {
  let world = from ?? lifecycle.initial(variant, minimal);
  for (const event of events) {
    const { after, outcome } = lifecycle.step(world, event);
    expect(lifecycle.observeOutcome(outcome), lifecycle.formatEvent(event)).toMatchObject({ accepted: true });
    for (const property of lifecycle.properties) {
      const holds = property.state?.(after) ?? property.step!({ before: world, event, outcome, after });
      expect(holds, `${property.name} after ${lifecycle.formatEvent(event)}`).toBe(true);
    }
    world = after;
  }
  return world;
}

function expectRejected(world: BackupWorld, event: BackupEvent, reason: keyof typeof REJECTION_REASONS): void {
  const { after, outcome } = lifecycle.step(world, event);
  expect(lifecycle.observeOutcome(outcome)).toMatchObject({ accepted: false, reason, code: REJECTION_REASONS[reason] });
  expect(lifecycle.key(after)).toBe(lifecycle.key(world));
}

const adapterState = (world: BackupWorld, device = 0): string => world.system.adapters[device]!.state;

/** The whole disk backup of entry 0 (volume 0, 3 chunks), from tick 1 to its collected normal end. */
const DISK_BACKUP: readonly BackupEvent[] = [tick(), answer, answer, staged, answer, staged, answer, staged, answer];

describe('scheduled-backup: commands', () => {
  test('scheduled-backup: commands: malformed numbers, data, labels and flags are refused as malformed-command', () => {
    const world = lifecycle.initial('disk', minimal);
    expectRejected(world, { type: 'timer.tick', by: 1.5 }, 'malformed-command');
    expectRejected(world, { type: 'host.write', volume: 0, offset: 0, data: 'zz' }, 'malformed-command');
    expectRejected(world, { type: 'config.set', table: { backupAdapters: '2', entries: [] } }, 'malformed-command');
    expectRejected(world, { type: 'config.set', table: { backupAdapters: '01', entries: [{ volume: 0, adapter: 1, device: 0, label: 'NODIGITS', start: 1 }] } }, 'malformed-command');
    expectRejected(world, { type: 'device.answer', device: -1 }, 'malformed-command');
  });

  test('scheduled-backup: commands: a restore of an entry table 103 does not have is refused as unknown-pair', () => {
    expectRejected(lifecycle.initial('disk', minimal), { type: 'backup.restore', entry: 9 }, 'unknown-pair');
  });

  test('scheduled-backup: commands: an unknown volume, device, CHA or cartridge is refused as unknown-volume', () => {
    const world = lifecycle.initial('tape', minimal);
    expectRejected(world, { type: 'host.write', volume: 4, offset: 0, data: '01' }, 'unknown-volume');
    expectRejected(world, { type: 'device.answer', device: 2 }, 'unknown-volume');
    expectRejected(world, mount('BK7'), 'unknown-volume');
    const table: ConfigTable = { backupAdapters: '01', entries: [{ volume: 0, adapter: 5, device: 0, label: 'BK8', start: 1 }] };
    expectRejected(world, { type: 'config.set', table }, 'unknown-volume');
  });

  test('scheduled-backup: commands: a write past the end, or to the zero-length volume, is refused as track-out-of-range', () => {
    const world = lifecycle.initial('disk', minimal);
    expectRejected(world, { type: 'host.write', volume: 0, offset: 3, data: '01' }, 'track-out-of-range');
    expectRejected(world, { type: 'host.write', volume: 1, offset: 0, data: '01' }, 'track-out-of-range');
  });

  test('scheduled-backup: commands: a zero tick, an empty write or one running past the end is refused as length-out-of-range', () => {
    const world = lifecycle.initial('disk', minimal);
    expectRejected(world, { type: 'timer.tick', by: 0 }, 'length-out-of-range');
    expectRejected(world, { type: 'host.write', volume: 0, offset: 0, data: '' }, 'length-out-of-range');
    expectRejected(world, { type: 'host.write', volume: 0, offset: 2, data: '0101' }, 'length-out-of-range');
  });

  test('scheduled-backup: commands: an answer no request waits for, or a command the SVP is not ready for, is refused as wrong-state', () => {
    const world = lifecycle.initial('tape', minimal);
    expectRejected(world, answer, 'wrong-state');
    expectRejected(world, staged, 'wrong-state');
    expectRejected(world, { type: 'config.set', table: minimal.tables[0]! }, 'wrong-state');
    expectRejected(world, { type: 'reboot.complete' }, 'wrong-state');
    expectRejected(world, { type: 'backup.restore', entry: 0 }, 'wrong-state');
    expectRejected(world, { type: 'operator.unload', device: 0 }, 'wrong-state');
    const probing = run('tape', [tick()]);
    expectRejected(probing, { type: 'device.eot', device: 0 }, 'wrong-state');
    expectRejected(run('disk', [tick(), answer, answer, staged]), { type: 'device.eot', device: 0 }, 'wrong-state');
  });

  test('scheduled-backup: commands: a second configuration request, a restore or an unload while the device works is refused as busy', () => {
    const saving = run('tape', [tick(), mount('BK8'), answer, { type: 'config.request' }]);
    expect(saving.system.svp.requestPending).toBe(true);
    expectRejected(saving, { type: 'config.request' }, 'busy');
    expectRejected(saving, { type: 'operator.unload', device: 0 }, 'busy');
    const done = run('disk', [...DISK_BACKUP, tick()]);
    expect(adapterState(done)).toBe('probe'); // entry 1 runs now
    const restorable = run('disk', DISK_BACKUP);
    expect(lifecycle.observeOutcome(lifecycle.step(restorable, { type: 'backup.restore', entry: 0 }).outcome)).toMatchObject({ accepted: true, restored: '000000' });
    expectRejected(run('disk', [tick(2), answer, answer, staged, answer, staged, answer, staged, answer, tick()]), { type: 'backup.restore', entry: 0 }, 'wrong-state');
  });
});

describe('scheduled-backup: guards', () => {
  const tables = (variant: string) => new ControlTable(adapterMachine, backupVariant(variant)!.control);

  test('scheduled-backup: guards: diskDestination and tapeDestination: each variant\'s probe takes only its class', () => {
    expect(tables('disk').step('probe', 'type.tape-ready')).toBeNull();
    expect(tables('disk').step('probe', 'type.tape-not-ready')).toBeNull();
    expect(tables('tape').step('probe', 'type.disk')).toBeNull();
    expect(tables('tape').step('probe', 'type.tape-ready')?.target).toBe('tape.label-check');
  });

  test('scheduled-backup: guards: finishAt610 and literalA15: only the literal flow stages a finished tape again', () => {
    expect(tables('tape').step('tape.label-check', 'label.match-finished')?.target).toBe('tape.end-rewind');
    expect(tables('tape').step('tape.staging', 'stage.empty')).toBeNull();
    expect(tables('literal-a15-zero-length-tape').step('tape.label-check', 'label.match-finished')).toBeNull();
    expect(tables('literal-a15-zero-length-tape').step('tape.staging', 'stage.empty')?.target).toBe('tape.staging');
  });

  test('scheduled-backup: guards: literalA11Resent and literalA11Stored: only the literal flows misread end of tape', () => {
    expect(tables('tape').step('tape.writing', 'unit.written-eot')?.operations.map((o) => o.type)).toEqual(['unitStored', 'rewind']);
    expect(tables('tape').step('tape.writing', 'unit.refused-eot')?.operations.map((o) => o.type)).toEqual(['keepUnit', 'rewind']);
    expect(tables('literal-a11-eot-unit-resent').step('tape.writing', 'unit.written-eot')?.operations.map((o) => o.type)).toEqual(['keepUnit', 'rewind']);
    expect(tables('literal-a11-eot-unit-lost').step('tape.writing', 'unit.refused-eot')?.operations.map((o) => o.type)).toEqual(['unitStored', 'rewind']);
  });
});

describe('scheduled-backup: the seed\'s examples', () => {
  test('scheduled-backup: examples: inc() of 703 keeps the width, and overflow has no successor (【0096】, A12)', () => {
    expect(incrementLabel('SSC001')).toBe('SSC002');
    expect(incrementLabel('SSC009')).toBe('SSC010');
    expect(incrementLabel('BK8')).toBe('BK9');
    expect(incrementLabel('SSC999')).toBeNull();
    expect(incrementLabel('NODIGITS')).toBeNull();
  });

  test('scheduled-backup: examples: a disk backup takes a host write made mid-save (P12), and a restore gives it back', () => {
    const world = run('disk', [tick(), answer, answer, staged, { type: 'host.write', volume: 0, offset: 2, data: '07' }, answer, staged, answer, staged, answer]);
    expect(adapterState(world)).toBe('normal-end');
    expect(world.system.devices[0]).toMatchObject({ class: 'disk' });
    expect(lifecycle.observe(world)['media']).toEqual([{ disk: '000007' }, { other: true }]);
    expect(lifecycle.observeOutcome(lifecycle.step(world, { type: 'backup.restore', entry: 0 }).outcome)).toMatchObject({ restored: '000007' });
  });

  test('scheduled-backup: examples: point-in-time keeps the image of the trigger under a host write (P11)', () => {
    const world = run('point-in-time', [tick(), answer, answer, staged, { type: 'host.write', volume: 0, offset: 2, data: '07' }, answer, staged, answer, staged, answer]);
    expect(lifecycle.observe(world)['media']).toEqual([{ disk: '000000' }, { other: true }]);
    expect(world.system.volumes[0]!.contents()[2]).toBe(7);
  });

  test('scheduled-backup: examples: a tape backup fills BK8, asks for BK9 at end of tape, and unloads at the end', () => {
    const eot: BackupEvent = { type: 'device.eot', device: 0 };
    const world = run('tape', [tick(), answer, mount('BK8'), answer, answer, staged, answer, staged, eot, answer, mount('BK9'), answer, answer, staged, answer, answer]);
    expect(adapterState(world)).toBe('normal-end');
    const tapes = (lifecycle.observe(world)['media'] as { tapes: { label: string; units: string }[]; loaded: string | null }[])[0]!;
    expect(tapes.loaded).toBeNull();
    expect(tapes.tapes).toEqual([{ label: 'BK8', units: '0000' }, { label: 'BK9', units: '00' }]);
  });

  test('scheduled-backup: examples: a unit refused at the end of medium is written first on the next tape (A11)', () => {
    const eom: BackupEvent = { type: 'device.eom', device: 0 };
    const world = run('tape', [tick(), answer, mount('BK8'), answer, answer, staged, eom, answer, mount('BK9'), answer, answer]);
    expect(adapterState(world)).toBe('tape.writing');
    expect(world.system.adapters[0]!.cacheChunk).toBe(0);
  });

  test('scheduled-backup: examples: a third tape overflows the label BK9 and the backup ends abnormally (A12)', () => {
    const eot: BackupEvent = { type: 'device.eot', device: 0 };
    const world = run('tape', [tick(), answer, mount('BK8'), answer, answer, staged, eot, answer, mount('BK9'), answer, answer, staged, eot, answer]);
    expect(adapterState(world)).toBe('abnormal-end');
    const reported = run('tape', [tick()], world);
    expect(reported.system.svp.state).toBe('error');
    expect(run('tape', [tick()], reported).system.errorReports).toEqual([1, 0]);
  });

  test('scheduled-backup: examples: a skipped tick makes both entries due at once, and they run first in, first out (A1, A9)', () => {
    const world = run('disk', [tick(2)]);
    expect(world.system.adapters[0]!.queue.map((i) => i.ref.index)).toEqual([0, 1]);
    expect(adapterState(world)).toBe('probe');
  });

  test('scheduled-backup: examples: a configuration request waits for the running save, then check 208 refuses table C (A7, T2)', () => {
    const waiting = run('disk', [tick(), { type: 'config.request' }]);
    expect(waiting.system.svp.state).toBe('idle');
    const asking = run('disk', [answer, answer, staged, answer, staged, answer, staged, answer, tick()], waiting);
    expect(asking.system.svp.state).toBe('idle'); // entry 1 was due at tick 2 and runs first
    // Entry 1's label BK9 is not the disk's: its abnormal end is reported (211) before the request is served.
    const reported = run('disk', [answer, answer, tick()], asking);
    expect(reported.system.svp.state).toBe('error');
    const config = run('disk', [tick(), tick()], reported);
    expect(config.system.svp.state).toBe('config');
    expect(config.system.errorReports).toEqual([1, 0]);
    const refused = run('disk', [{ type: 'config.set', table: minimal.tables[1]! }], config);
    expect(refused.system.svp.state).toBe('config');
    expect(refused.system.sharedMemory.generation).toBe(0);
  });
});
