import { describe, expect, test } from 'vitest';
import { freezeRemoteCopyLifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import { modelBased } from '../../src/verify/model-based.js';

/**
 * Long random interleavings on the standard preset (3 volumes of 4 two-byte blocks, 8 messages in flight, 3
 * DATA unacknowledged): every command in every state, with duplication, loss, link failures, retransmission,
 * restarts, primary failure and recovery at random points. Seeded so a failure replays; the seed, path and
 * replay command are in the failure message.
 */
const SEED = Number(process.env['COPYSPEC_SEED'] ?? 20261121);
const RUNS = Number(process.env['COPYSPEC_RUNS'] ?? 500);

describe('freeze-remote-copy: model-based', () => {
  const embodiments = freezeRemoteCopyLifecycle.variants.filter((variant) => variant.kind === 'embodiment');
  test.each(embodiments.map((v) => v.name))('freeze-remote-copy: model-based: %s agrees with the model under link faults and failures', (variant) => {
    const result = modelBased(freezeRemoteCopyLifecycle, variant, { runs: RUNS, seed: SEED, maxCommands: 200 });
    const report = result.violations.map((v) => `${v.property}: seed ${v.seed} path ${v.path}\n${v.trace.join('\n')}\nreplay: ${v.replay}`).join('\n');
    expect(report).toBe('');
    expect(result.runs).toBe(RUNS);
    expect(result.steps).toBeGreaterThan(RUNS * 50);
  }, 120_000);
});
