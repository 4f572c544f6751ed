import { describe, expect, test } from 'vitest';
import { FREEZE_PRESETS, freezeRemoteCopyLifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { exhaustive } from '../../src/verify/exhaustive.js';

/**
 * Reachable worlds and machine transitions (primary and secondary machines together) of every embodiment
 * over the minimal preset: a group of 2 volumes of 1 one-byte block, values 1 and 2, at most 2 host writes
 * and 2 freezes per history, 2 messages in flight, 2 DATA unacknowledged, every delivery order, loss by link
 * failure and retransmission. Pinned so that a change to the spec shows in review: if one of these moves, say
 * why in the commit. (Window 1 gave e1 167 704, e2 36 417, e3 97 273, e4 37 397 worlds.)
 */
const PINNED: Record<string, { states: number; transitions: number }> = {
  e1: { states: 213208, transitions: 59 },
  e2: { states: 37809, transitions: 46 },
  e3: { states: 138917, transitions: 50 },
  e4: { states: 38789, transitions: 46 },
};

describe('freeze-remote-copy: exhaustive', () => {
  const embodiments = freezeRemoteCopyLifecycle.variants.filter((variant) => variant.kind === 'embodiment');

  test('freeze-remote-copy: exhaustive: every embodiment variant is pinned', () => {
    expect(embodiments.map((variant) => variant.name).sort()).toEqual(Object.keys(PINNED).sort());
  });

  test.each(embodiments.map((variant) => variant.name))('freeze-remote-copy: exhaustive: %s holds every property in every reachable world', (variant) => {
    const result = exhaustive(freezeRemoteCopyLifecycle, variant, { maxStates: 500_000 });
    const report = result.violations.map((v) => `${v.property}\n${v.trace.join('\n')}\n${v.replay}`).join('\n\n');
    expect(report).toBe('');
    expect(result.uncoveredTransitions).toEqual([]);
    expect({ states: result.states, transitions: result.transitions }).toEqual(PINNED[variant]);
    expect(result.transitionsCovered).toBe(result.transitions);
    expect(result.runs).toBeGreaterThan(0); // the fair-schedule control path was replayed against the machine
  }, 300_000);

  test('freeze-remote-copy: exhaustive: the alphabet holds every argument boundary, refused for the right reason', () => {
    const preset = FREEZE_PRESETS.minimal;
    const world = freezeRemoteCopyLifecycle.initial('e1', 'minimal');
    const refused = freezeRemoteCopyLifecycle.exhaustiveEvents(world).flatMap((event) => {
      const { outcome } = freezeRemoteCopyLifecycle.step(world, event);
      return outcome.controller.accepted ? [] : [`${freezeRemoteCopyLifecycle.formatEvent(event)} ${outcome.controller.rejection.reason}`];
    });
    const last = preset.volumeCount - 1;
    expect(refused).toEqual(expect.arrayContaining([
      `host.write(v${preset.volumeCount}b0=01) unknown-volume`,
      `host.write(v0b${preset.blocksPerVolume}=01) track-out-of-range`,
      `host.write(v${last}b${preset.blocksPerVolume}=01) track-out-of-range`,
      `host.read(v${preset.volumeCount}b0) unknown-volume`,
      `host.read(v${last}b${preset.blocksPerVolume}) track-out-of-range`,
      'host.write(v0b0=) length-out-of-range', // one byte short
      'host.write(v0b0=0101) length-out-of-range', // one byte long
      'host.write(v0b0=zz) malformed-command',
    ]));
    const accepted = freezeRemoteCopyLifecycle.exhaustiveEvents(world).filter((event) => event.type === 'host.write' && event.volume === last
      && event.block === preset.blocksPerVolume - 1 && freezeRemoteCopyLifecycle.step(world, event).outcome.controller.accepted);
    expect(accepted.length).toBe(preset.values.length); // the last valid volume and block, each value
  });

  test('freeze-remote-copy: exhaustive: a search larger than its bound fails loudly instead of passing', () => {
    expect(() => exhaustive(freezeRemoteCopyLifecycle, 'e2', { maxStates: 100 })).toThrow(/more than 100 states/);
  });
});
