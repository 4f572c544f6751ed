import { describe, expect, test } from 'vitest';
import { compareMessages, type FreezeEvent, type Message } from '../../src/freeze-remote-copy/events.js';
import { open } from '../../src/freeze-remote-copy/crypto.js';
import { FREEZE_PRESETS, freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import * as link from '../../src/link.js';
import { REJECTION_REASONS } from '../../src/rejection.js';
import { recoveryImage, type FreezeWorld } from '../../src/freeze-remote-copy/abstraction.js';
import type { LogSystem, SplitSystem } from '../../src/freeze-remote-copy/system.js';

const write = (volume: number, block: number, data: string): FreezeEvent => ({ type: 'host.write', volume, block, data });
const deliver = (index: number): FreezeEvent => ({ type: 'link.deliver', index });
const bare = (type: 'host.freeze' | 'primary.copy' | 'primary.step' | 'primary.timeout' | 'primary.fail' | 'secondary.apply'
  | 'secondary.timeout' | 'secondary.restart' | 'secondary.recover' | 'link.down' | 'link.up'): FreezeEvent => ({ type });

/** Runs commands that must all be accepted. */
function drive(variant: string, events: readonly FreezeEvent[], preset: 'minimal' | 'standard' = 'minimal'): FreezeWorld {
  let world = lifecycle.initial(variant, lifecycle.presets[preset]);
  for (const event of events) {
    const { after, outcome } = lifecycle.step(world, event);
    expect(outcome.controller.accepted, `${lifecycle.formatEvent(event)} in ${lifecycle.formatWorld(world)}`).toBe(true);
    world = after;
  }
  return world;
}

function expectRejected(world: FreezeWorld, event: FreezeEvent, reason: keyof typeof REJECTION_REASONS): void {
  const { after, outcome } = lifecycle.step(world, event);
  expect(outcome.controller).toMatchObject({ accepted: false, rejection: { reason, code: REJECTION_REASONS[reason] } });
  expect(after.system).toBe(world.system);
}

/** The world's system, which must be E1's log algorithm. */
function log(world: FreezeWorld): LogSystem {
  if (world.system.algorithm !== 'log') throw new Error(`${world.variant.name} runs the ${world.system.algorithm} algorithm`);
  return world.system;
}

/** The world's system, which must be E2-E4's split algorithm. */
function split(world: FreezeWorld): SplitSystem {
  if (world.system.algorithm !== 'split') throw new Error(`${world.variant.name} runs the ${world.system.algorithm} algorithm`);
  return world.system;
}

/** Delivers whatever is in flight, first message first, until the link is empty (bounded). */
function drain(world: FreezeWorld): FreezeWorld {
  let w = world;
  for (let i = 0; i < 32 && w.system.link.inFlight.length > 0; i += 1) w = lifecycle.step(w, deliver(0)).after;
  return w;
}

describe('freeze-remote-copy: commands', () => {
  test('freeze-remote-copy: commands: malformed arguments are refused as malformed-command', () => {
    const world = drive('e1', []);
    expectRejected(world, write(0, 0, 'zz'), 'malformed-command');
    expectRejected(world, write(0, 0.5, '01'), 'malformed-command');
    expectRejected(world, { type: 'host.read', volume: -1, block: 0 }, 'malformed-command');
    expectRejected(world, { type: 'link.deliver', index: 1.5 }, 'malformed-command');
  });

  test('freeze-remote-copy: commands: a volume outside the group is refused as unknown-volume', () => {
    expectRejected(drive('e2', []), write(2, 0, '01'), 'unknown-volume');
    expectRejected(drive('e2', []), { type: 'host.read', volume: 7, block: 0 }, 'unknown-volume');
  });

  test('freeze-remote-copy: commands: a block outside the volume is refused as track-out-of-range', () => {
    expectRejected(drive('e3', []), write(0, 1, '01'), 'track-out-of-range');
    expectRejected(drive('e3', []), { type: 'host.read', volume: 1, block: 4 }, 'track-out-of-range');
  });

  test('freeze-remote-copy: commands: a write that is not one whole block is refused as length-out-of-range', () => {
    expectRejected(drive('e4', []), write(0, 0, '0102'), 'length-out-of-range');
    expectRejected(drive('e4', []), write(0, 0, ''), 'length-out-of-range');
  });

  test('freeze-remote-copy: commands: reasons are checked in the documented order', () => {
    const failed = drive('e1', [bare('primary.fail')]);
    expectRejected(failed, write(5, 9, '0102'), 'unknown-volume'); // arguments before state
    expectRejected(failed, write(0, 9, '0102'), 'track-out-of-range');
    expectRejected(failed, write(0, 0, '01'), 'wrong-state');
  });

  test('freeze-remote-copy: commands: a freeze while one is in progress is busy, never queued (D9)', () => {
    for (const variant of ['e1', 'e2', 'e3', 'e4']) {
      const world = drive(variant, [bare('host.freeze')]);
      expectRejected(world, bare('host.freeze'), 'busy');
      expect(world.system.primary.gen).toBe(1);
    }
  });

  test('freeze-remote-copy: commands: duplicating into a full link is busy', () => {
    const full = drive('e1', [write(0, 0, '01'), bare('primary.copy'), bare('host.freeze')]);
    expect(full.system.link.inFlight).toHaveLength(FREEZE_PRESETS.minimal.linkCapacity);
    expectRejected(full, { type: 'link.duplicate', index: 0 }, 'busy');
  });

  const wrongState: [string, FreezeEvent[], FreezeEvent][] = [
    ['nothing to copy', [], bare('primary.copy')],
    ['no freeze step in normal', [], bare('primary.step')],
    ['drain not finished while a DATA is unacknowledged (D2 fix)', [write(0, 0, '01'), bare('host.freeze'), bare('primary.copy')], bare('primary.step')],
    ['nothing to retransmit', [], bare('primary.timeout')],
    ['nothing lost while the DATA is still in flight', [write(0, 0, '01'), bare('primary.copy')], bare('primary.timeout')],
    ['secondary not applying', [], bare('secondary.apply')],
    ['secondary has nothing to retransmit', [], bare('secondary.timeout')],
    ['no message in flight', [], deliver(0)],
    ['no message to lose', [], { type: 'link.lose', index: 0 }],
    ['link already up', [], bare('link.up')],
    ['link already down', [bare('link.down')], bare('link.down')],
    ['write to a failed primary', [bare('primary.fail')], write(0, 0, '01')],
    ['second primary failure', [bare('primary.fail')], bare('primary.fail')],
    ['second recovery', [bare('secondary.recover')], bare('secondary.recover')],
    ['restart after recovery', [bare('secondary.recover')], bare('secondary.restart')],
    ['E2 sends nothing before a freeze', [write(0, 0, '01')], bare('primary.copy')],
  ];
  test.each(wrongState)('freeze-remote-copy: commands: %s is refused as wrong-state and changes nothing', (_name, events, event) => {
    const variant = _name.startsWith('E2') ? 'e2' : 'e1';
    expectRejected(drive(variant, events), event, 'wrong-state');
  });

  test('freeze-remote-copy: commands: reads return the newest write in every mode (I5)', () => {
    let world = drive('e1', [write(0, 0, '01'), bare('host.freeze'), write(0, 0, '02')]);
    expect(log(world).primary.pdiff[0]).toBe('02'); // redirect-on-write: PBM[b] was set (2070, 2080)
    const read = lifecycle.step(world, { type: 'host.read', volume: 0, block: 0 }).outcome.controller;
    expect(read.accepted && read.results[0]).toEqual({ kind: 'read', block: 0, data: '02' });
    world = drive('e3', [write(1, 0, '02'), bare('host.freeze'), write(1, 0, '01')]);
    const split = lifecycle.step(world, { type: 'host.read', volume: 1, block: 0 }).outcome.controller;
    expect(split.accepted && split.results[0]).toEqual({ kind: 'read', block: 1, data: '01' });
  });

  test('freeze-remote-copy: commands: guard embodiment1 sends FREEZE at once; E2 splits first', () => {
    expect(drive('e1', [bare('host.freeze')]).system.primary.state).toBe('freezing.draining');
    expect(drive('e2', [bare('host.freeze')]).system.primary.state).toBe('freezing.splitting');
    expect(drive('e2', [bare('host.freeze')]).system.link.inFlight).toHaveLength(0);
  });

  test('freeze-remote-copy: commands: guard sendAhead lets E3 send ahead from PP before any freeze', () => {
    const world = drive('e3', [write(0, 0, '01'), bare('primary.copy')]);
    expect(split(world).primary.bitmapD).toEqual([true, false]);
    expect(world.system.link.inFlight[0]).toMatchObject({ kind: 'data', gen: 1, data: '01' });
  });

  test('freeze-remote-copy: commands: guard literalD1 routes a post-freeze write to PVOL and PBM', () => {
    const literal = drive('literal-d1-post-freeze-write-leaks', [bare('host.freeze'), write(0, 0, '01')]);
    const fixed = drive('e1', [bare('host.freeze'), write(0, 0, '01')]);
    expect(log(literal).primary.pbm).toEqual([true, false]);
    expect(log(fixed).primary.pbm).toEqual([false, false]);
    expect(log(fixed).primary.next).toEqual([true, false]);
  });

  test('freeze-remote-copy: commands: guard literalD20 reads into RAM before PBM is cleared', () => {
    const world = drive('literal-d20-update-lost-between-read-and-clear', [write(0, 0, '01'), bare('primary.copy')]);
    expect(log(world).primary.staged).toEqual({ block: 0, data: '01' });
    expect(log(world).primary.pbm).toEqual([true, false]);
  });

  test('freeze-remote-copy: commands: guard literalD3 leaves SDIFFB behind at S2→S0', () => {
    const events = [bare('host.freeze'), bare('primary.step'), deliver(0), deliver(0), write(0, 0, '01'), bare('primary.copy'), deliver(0), bare('secondary.apply')];
    const literal = drive('literal-d3-second-log-never-folded', events);
    const fixed = drive('e1', events);
    expect(log(literal).secondary.logB[0]).toMatchObject({ data: '01' });
    expect(log(fixed).secondary.logB[0]).toBeNull();
    expect(log(fixed).secondary.logA[0]).toMatchObject({ data: '01' });
  });

  test('freeze-remote-copy: commands: generation numbers route next-image DATA that overtakes ALL_SENT (D5)', () => {
    // Freeze, ALL_SENT goes out, then a write and its DATA: literally it is sent at once and stored in SDIFFA.
    const events = [bare('host.freeze'), deliver(0), bare('primary.step'), write(0, 0, '01'), bare('primary.copy')];
    const literal = drive('literal-d5-no-generations', events);
    expect(literal.system.link.inFlight.map((m) => m.kind)).toEqual(['all-sent', 'data']);
    const stored = drive('literal-d5-no-generations', [...events, deliver(1)]);
    expect(log(stored).secondary.logA[0]).toMatchObject({ data: '01' }); // joins the image being committed
    expectRejected(drive('e1', events.slice(0, -1)), bare('primary.copy'), 'wrong-state'); // held until ALL_SENT is acknowledged
  });

  test('freeze-remote-copy: commands: a delayed duplicate of an older DATA is recognised by its sequence number', () => {
    let world = drive('e1', [write(0, 0, '0001'), bare('primary.copy'), { type: 'link.duplicate', index: 0 }, write(0, 0, '0002'), bare('primary.copy')], 'standard');
    const newer = world.system.link.inFlight.findIndex((m) => m.kind === 'data' && m.data === '0002');
    world = lifecycle.step(world, deliver(newer)).after;
    const older = world.system.link.inFlight.findIndex((m) => m.kind === 'data' && m.data === '0001');
    const { after, outcome } = lifecycle.step(world, deliver(older));
    expect(outcome.controller.accepted && outcome.controller.transitions[0]!.eventType).toBe('message.stale');
    expect(log(after).secondary.logA[0]).toMatchObject({ data: '0002' });
  });

  test('freeze-remote-copy: commands: E4 keeps ciphertext in PS, on the link and in SP, and plaintext in SS', () => {
    let world = drive('e4', [write(0, 0, '01'), bare('host.freeze'), bare('primary.step'), bare('primary.step'), bare('primary.copy')]);
    const sealed = world.system.link.inFlight.flatMap((m) => (m.kind === 'data' ? [m.data] : []));
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).not.toBe('01');
    expect(open(sealed[0]!)).toBe('01');
    expect(open(split(world).primary.ps[0]!)).toBe('01');
    expect(open('01')).toBeNull(); // plaintext does not authenticate
    world = drain(world);
    expect(open(split(world).secondary.sp[0]!)).toBe('01');
    world = drain(drive('e4', [], 'minimal'));
    expect(split(world).secondary.ss).toEqual(['00', '00']);
  });

  test('freeze-remote-copy: commands: link.down loses everything in flight; the timeout retransmits what was lost', () => {
    let world = drive('e1', [write(0, 0, '01'), bare('primary.copy'), bare('link.down')]);
    expect(world.system.link.inFlight).toEqual([]);
    expectRejected(world, bare('primary.copy'), 'wrong-state'); // the window is full: one DATA unacknowledged
    world = drive('e1', [write(0, 0, '01'), bare('primary.copy'), bare('link.down'), bare('link.up'), bare('primary.timeout')]);
    expect(world.system.link.inFlight).toHaveLength(1);
  });

  test('freeze-remote-copy: commands: the link keeps messages in canonical order and loses a send when full', () => {
    const order = (a: { n: number }, b: { n: number }) => a.n - b.n;
    let wire = link.emptyLink<{ n: number }>(2);
    wire = link.send(wire, { n: 10 }, order).link;
    wire = link.send(wire, { n: 9 }, order).link;
    expect(wire.inFlight).toEqual([{ n: 9 }, { n: 10 }]); // the order given, not the JSON text's
    expect(link.send(wire, { n: 3 }, order).accepted).toBe(false);
    expect(link.send(link.down(wire), { n: 3 }, order).accepted).toBe(false);
  });

  test('freeze-remote-copy: commands: messages are ordered by to, kind, of, gen, seq, block and data, numbers as numbers', () => {
    const data = (gen: number, seq: number, block: number, bytes: string): Message => ({ to: 'secondary', kind: 'data', gen, seq, block, data: bytes });
    const ack = (of: 'data' | 'all-sent', gen: number, seq: number): Message => ({ to: 'primary', kind: 'ack', of, gen, seq });
    const ordered: Message[] = [
      ack('all-sent', 1, 0), ack('data', 1, 9), ack('data', 1, 10), ack('data', 2, 1), { to: 'primary', kind: 'secondary-done', gen: 1, seq: 0 },
      { to: 'secondary', kind: 'all-sent', gen: 1, seq: 0 }, data(1, 2, 0, '00'), data(1, 10, 0, '00'), data(2, 1, 0, '00'), data(2, 11, 2, '00'),
      { to: 'secondary', kind: 'freeze', gen: 1, seq: 0 },
    ];
    for (let i = 0; i < ordered.length; i += 1) {
      for (let j = 0; j < ordered.length; j += 1) expect(Math.sign(compareMessages(ordered[i]!, ordered[j]!)), `${i} ${j}`).toBe(Math.sign(i - j));
    }
    expect(compareMessages(data(1, 2, 0, '00'), data(1, 2, 1, '00'))).toBeLessThan(0);
    expect(compareMessages(data(1, 2, 1, '00'), data(1, 2, 1, '0a'))).toBeLessThan(0);
    expect(compareMessages(data(1, 2, 1, '0a'), { ...data(1, 2, 1, '0a') })).toBe(0);
  });

  test('freeze-remote-copy: commands: recovery at any moment yields the committed image', () => {
    const events = [write(0, 0, '01'), bare('primary.copy'), deliver(0), deliver(0), bare('host.freeze'), bare('primary.step'), deliver(0)];
    let world = drive('e1', events);
    expect(world.system.secondary.state).toBe('applying');
    const { outcome } = lifecycle.step(world, bare('secondary.recover'));
    expect(outcome.controller.accepted && outcome.controller.results[0]).toEqual({ kind: 'recovered', gen: 1, image: ['01', '00'] });
    world = drive('e1', events.slice(0, 4));
    expect(recoveryImage(world.system, world.variant)).toEqual(['00', '00']); // SDIFFA is discarded before the commit
  });

  test('freeze-remote-copy: commands: scenario events are parsed strictly', () => {
    expect(lifecycle.parseEvent({ type: 'link.deliver', index: 2 })).toEqual({ type: 'link.deliver', index: 2 });
    expect(lifecycle.parseEvent({ type: 'host.write', volume: 0, block: 0 })).toMatch(/data/);
    expect(lifecycle.parseEvent({ type: 'host.freeze', extra: 1 })).toMatch(/extra|unrecognized/i);
    expect(lifecycle.parseEvent({ type: 'host.explode' })).toMatch(/type/);
  });
});
