import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { primaryMachine, secondaryMachine } from '../../machines/freeze-remote-copy.js';
import { argumentRejection } from '../../model/freeze-remote-copy.js';
import { SHARED_OPERATIONS } from '../../src/freeze-remote-copy/algorithm.js';
import { validateArguments } from '../../src/freeze-remote-copy/arguments.js';
import { MESSAGE_PREDICATES } from '../../src/freeze-remote-copy/classify.js';
import { BROKEN_OVERRIDES, LITERAL_OVERRIDES, overridesOf, type Override } from '../../src/freeze-remote-copy/defects.js';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { FREEZE_PRESETS } from '../../src/freeze-remote-copy/lifecycle.js';
import { LOG_OPERATIONS } from '../../src/freeze-remote-copy/log.js';
import { splitOperations } from '../../src/freeze-remote-copy/split.js';
import { FREEZE_VARIANTS } from '../../src/freeze-remote-copy/variants.js';
import { REJECTION_REASONS } from '../../src/rejection.js';

/**
 * The seams of freeze-remote-copy: the model decides acceptance by its own rules, the properties and the model
 * import only what issue 8 allows them, every message event of the machines names the predicates that decide
 * it, and every literal or broken variant of the controllers replaces named operations of the reference.
 */

type Transition = { readonly meta?: { readonly classify?: readonly string[] } };

function transitionsOf(node: AnyStateNode, found: { event: string; state: string; classify: readonly string[] | undefined }[]): void {
  for (const [event, transitions] of node.transitions) {
    for (const transition of transitions as Iterable<Transition>) found.push({ event, state: node.path.join('.'), classify: transition.meta?.classify });
  }
  for (const child of Object.values(node.states)) transitionsOf(child, found);
}

const everyTransition = (machine: AnyStateMachine) => {
  const found: { event: string; state: string; classify: readonly string[] | undefined }[] = [];
  transitionsOf(machine.root, found);
  return found;
};

const MESSAGE_EVENTS = ['message.ack', 'message.stale', 'message.early', 'message.drop', 'data.receive', 'freeze.receive', 'all-sent.receive', 'secondary.done'];

/** The module paths a source file imports, relative to the repository root. */
async function importsOf(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  const folder = path.split('/').slice(0, -1);
  return [...text.matchAll(/^import[^;]*?from '([^']+)';/gms)].map((m) => {
    const parts = [...folder];
    for (const part of m[1]!.split('/')) {
      if (part === '..') parts.pop();
      else if (part !== '.') parts.push(part);
    }
    return parts.join('/').replace(/\.js$/, '.ts');
  });
}

const replaced = (override: Override): string[] => Object.keys(Object.values(override)[0] as object);

describe('freeze-remote-copy: layers', () => {
  const geometry = FREEZE_PRESETS.minimal;
  const write = (volume: number, block: number, data: string): FreezeEvent => ({ type: 'host.write', volume, block, data });

  test('freeze-remote-copy: layers: the model refuses each argument fault by its own rule, in the documented order', () => {
    const reason = (event: FreezeEvent) => argumentRejection(event, geometry)?.reason ?? null;
    expect(reason(write(0, 0, 'zz'))).toBe('malformed-command');
    expect(reason(write(0, 0.5, '01'))).toBe('malformed-command');
    expect(reason({ type: 'host.read', volume: -1, block: 0 })).toBe('malformed-command');
    expect(reason({ type: 'link.lose', index: 1.5 })).toBe('malformed-command');
    expect(reason(write(geometry.volumeCount, 0, '01'))).toBe('unknown-volume');
    expect(reason(write(geometry.volumeCount, geometry.blocksPerVolume, '0102'))).toBe('unknown-volume'); // volume before block and length
    expect(reason(write(geometry.volumeCount - 1, geometry.blocksPerVolume, '0102'))).toBe('track-out-of-range'); // block before length
    expect(reason({ type: 'host.read', volume: 0, block: geometry.blocksPerVolume })).toBe('track-out-of-range');
    expect(reason(write(0, 0, ''))).toBe('length-out-of-range');
    expect(reason(write(0, 0, '0102'))).toBe('length-out-of-range');
    expect(argumentRejection(write(0, 0, '0102'), geometry)?.code).toBe(REJECTION_REASONS['length-out-of-range']);
  });

  test('freeze-remote-copy: layers: the model accepts the last valid volume and block and every argument-free command', () => {
    expect(argumentRejection(write(geometry.volumeCount - 1, geometry.blocksPerVolume - 1, '01'), geometry)).toBeNull();
    expect(argumentRejection({ type: 'host.read', volume: geometry.volumeCount - 1, block: geometry.blocksPerVolume - 1 }, geometry)).toBeNull();
    expect(argumentRejection({ type: 'link.deliver', index: 99 }, geometry)).toBeNull(); // whether it is in flight is the controller's to say
    for (const type of ['host.freeze', 'primary.copy', 'primary.step', 'secondary.apply', 'link.down'] as const) expect(argumentRejection({ type }, geometry)).toBeNull();
  });

  test('freeze-remote-copy: layers: the controllers\' check and the model\'s agree on every boundary without sharing code', () => {
    const { volumeCount: v, blocksPerVolume: n, blockSize } = geometry;
    const data = (bytes: number) => '01'.repeat(bytes);
    const events: FreezeEvent[] = [];
    for (const volume of [0, v - 1, v, 1.5, -1]) for (const block of [0, n - 1, n]) for (const bytes of [blockSize - 1, blockSize, blockSize + 1]) events.push(write(volume, block, data(bytes)));
    for (const event of events) expect(validateArguments(event, geometry)?.reason ?? null, JSON.stringify(event)).toBe(argumentRejection(event, geometry)?.reason ?? null);
  });

  test('freeze-remote-copy: layers: a write of bytes (the workload\'s) is checked as the same write in hex, every time it is sent', () => {
    const { volumeCount: v, blocksPerVolume: n, blockSize } = geometry;
    for (const volume of [0, v]) {
      for (const block of [0, n]) {
        for (const bytes of [blockSize - 1, blockSize]) {
          const hex = write(volume, block, '01'.repeat(bytes));
          const binary: FreezeEvent<Uint8Array> = { type: 'host.write', volume, block, data: new Uint8Array(bytes).fill(1) };
          const expected = argumentRejection(hex, geometry)?.reason ?? null;
          // Twice: a write of bytes is not remembered, so the second check is a check, not a lookup.
          for (let time = 0; time < 2; time += 1) expect(validateArguments(binary, geometry)?.reason ?? null, JSON.stringify(hex)).toBe(expected);
        }
      }
    }
  });

  test('freeze-remote-copy: layers: the model and the properties import only what issue 8 allows', async () => {
    expect((await importsOf('model/freeze-remote-copy.ts')).sort()).toEqual(['src/freeze-remote-copy/events.ts', 'src/hex.ts', 'src/rejection.ts']);
    const allowed = ['model/freeze-remote-copy.ts', 'machines/freeze-remote-copy.ts', 'src/freeze-remote-copy/events.ts', 'src/freeze-remote-copy/abstraction.ts', 'src/lifecycle.ts', 'src/hex.ts'];
    expect((await importsOf('properties/freeze-remote-copy.ts')).filter((path) => !allowed.includes(path))).toEqual([]);
  });

  test('freeze-remote-copy: layers: every message event of both machines names the predicates that decide it', () => {
    const cited = new Set<string>();
    for (const machine of [primaryMachine, secondaryMachine]) {
      for (const { event, state, classify } of everyTransition(machine)) {
        if (!MESSAGE_EVENTS.includes(event)) continue;
        expect(classify, `${machine.id} ${state} ${event}`).toBeDefined();
        for (const name of classify!) {
          expect(MESSAGE_PREDICATES, `${machine.id} ${state} ${event} cites ${name}`).toContain(name);
          cited.add(name);
        }
      }
    }
    expect(MESSAGE_PREDICATES.filter((name) => !cited.has(name))).toEqual([]);
    expect(Object.keys(SHARED_OPERATIONS)).toContain('olderThanStored');
  });

  test('freeze-remote-copy: layers: each broken variant replaces one named operation of the reference', () => {
    const reference = { shared: SHARED_OPERATIONS, log: LOG_OPERATIONS, split: splitOperations(FREEZE_VARIANTS[0]!.control) };
    for (const [defect, override] of Object.entries(BROKEN_OVERRIDES)) {
      const [side] = Object.keys(override) as (keyof typeof reference)[];
      expect(replaced(override), defect).toHaveLength(1);
      expect(Object.keys(reference[side!]), defect).toContain(replaced(override)[0]);
    }
    const broken = FREEZE_VARIANTS.filter((variant) => variant.kind === 'broken');
    expect(broken.map((variant) => variant.defect).sort()).toEqual(Object.keys(BROKEN_OVERRIDES).sort());
  });

  test('freeze-remote-copy: layers: each literal variant is a machine guard or replaces named operations; embodiments replace none', () => {
    expect(Object.fromEntries(Object.entries(LITERAL_OVERRIDES).map(([parameter, override]) => [parameter, replaced(override)]))).toEqual({
      allSentWhen: ['drainComplete'],
      copyOrder: ['copyEvent'],
      generations: ['tagOf', 'awaitsCommitAck'], // D5's fix has a half in each controller
    });
    for (const variant of FREEZE_VARIANTS) {
      const expected = variant.kind === 'embodiment' ? 0 : variant.kind === 'broken' ? 1 : ['drainWrite', 'secondLog'].some((p) => variant.control[p as 'drainWrite'] === 'literal') ? 0 : 1;
      expect(overridesOf(variant), variant.name).toHaveLength(expected);
    }
  });
});
