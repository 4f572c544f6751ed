import { describe, expect, test } from 'vitest';
import { mirrorPairLifecycle } from '../../src/mirror-pair/lifecycle.js';
import { modelBased } from '../../src/verify/model-based.js';

/** Seeded so a failure replays; the seed, path and replay command are in the failure message. */
const SEED = Number(process.env['COPYSPEC_SEED'] ?? 20261121);
const RUNS = Number(process.env['COPYSPEC_RUNS'] ?? 300);

describe('mirror-pair: model-based', () => {
  const embodiments = mirrorPairLifecycle.variants.filter((variant) => variant.kind === 'embodiment');
  test.each(embodiments.map((v) => v.name))('mirror-pair: model-based: %s agrees with the model over long random interleavings', (variant) => {
    const result = modelBased(mirrorPairLifecycle, variant, { runs: RUNS, seed: SEED, maxCommands: 200 });
    const report = result.violations.map((v) => `${v.property}: seed ${v.seed} path ${v.path}\n${v.trace.join('\n')}\nreplay: ${v.replay}`).join('\n');
    expect(report).toBe('');
    expect(result.runs).toBe(RUNS);
    expect(result.steps).toBeGreaterThan(RUNS * 50); // the runs are long, not a handful of commands
  }, 120_000);
});
