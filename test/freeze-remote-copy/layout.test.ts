import { describe, expect, test } from 'vitest';
import type { FreezeWorld } from '../../src/freeze-remote-copy/abstraction.js';
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { FREEZE_PRESETS, freezeRemoteCopyLifecycle as lifecycle, type FreezePreset } from '../../src/freeze-remote-copy/lifecycle.js';
import { SeededRandom } from '../../src/workload/random.js';

/**
 * The world layout (src/freeze-remote-copy/layout.ts) over geometries the conformance suite does not search:
 * the conformance tests check every world of each embodiment's minimal search; these walk the deep preset
 * and a preset file's geometry of two-byte blocks and three values at random through the exhaustive
 * alphabet (a fixed seed, a bounded walk), and check at every world that the world rebuilt from its words
 * has its key, packs to the same words, and steps as it does.
 */
const STEPS = 3_000;
const WIDE: FreezePreset = { ...FREEZE_PRESETS.minimal, blockSize: 2, values: [1, 2, 3], maxWrites: 3, window: 3, linkCapacity: 3 };

function walk(variant: string, preset: FreezePreset, seed: number): string[] {
  const packer = lifecycle.packer(variant, preset)!;
  const words = new Uint32Array(packer.words);
  const again = new Uint32Array(packer.words);
  const random = new SeededRandom(seed);
  const problems: string[] = [];
  let world: FreezeWorld = lifecycle.initial(variant, preset);
  for (let i = 0; i < STEPS && problems.length < 3; i += 1) {
    packer.encode(world, words);
    const rebuilt = packer.decode(words);
    packer.encode(rebuilt, again);
    if (lifecycle.key(rebuilt) !== lifecycle.key(world)) problems.push(`step ${i}: the rebuilt world has another key`);
    if (again.join(',') !== words.join(',')) problems.push(`step ${i}: the rebuilt world packs to other words`);
    const alphabet = lifecycle.alphabet(world);
    if (alphabet.length === 0) {
      world = lifecycle.initial(variant, preset); // the history ended: start another
      continue;
    }
    const event: FreezeEvent = alphabet[random.below(alphabet.length)]!;
    const after = lifecycle.step(world, event).after;
    if (lifecycle.key(lifecycle.step(rebuilt, event).after) !== lifecycle.key(after)) problems.push(`step ${i}: the rebuilt world steps elsewhere on ${JSON.stringify(event)}`);
    world = after;
  }
  return problems;
}

describe('freeze-remote-copy: layout', () => {
  test.each([
    ['e1', 'deep', FREEZE_PRESETS.deep!],
    ['e3', 'deep', FREEZE_PRESETS.deep!],
    ['e4', 'deep', FREEZE_PRESETS.deep!],
    ['e1', 'two-byte blocks, three values', WIDE],
    ['e4', 'two-byte blocks, three values', WIDE],
  ] as const)('freeze-remote-copy: layout: %s over %s rebuilds every world of a random walk with its key, its words and its steps', (variant, _name, preset) => {
    for (const seed of [1, 2, 3]) expect(walk(variant, preset, seed)).toEqual([]);
  }, 120_000);
});
