/**
 * Bench section "exhaustive" (issue 4 items 2 and 3): the exhaustive checker's throughput, in states per
 * second, for the first embodiment of each lifecycle on its minimal preset (src/verify/exhaustive.ts). The
 * issue's target, at least 50 000 states per second, is for mirror-pair. A lifecycle whose search fails (for
 * instance one still being written) is reported with the error, so the other figures still come out.
 */
import { LIFECYCLES } from '../../src/lifecycles.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import type { BenchSection } from '../harness.js';

/** A bound on the search: a bigger minimal preset is a configuration error, not something to wait for. */
const MAX_STATES = 1_000_000;
/** A search this long is timed once. */
const LONG_SEARCH_MS = 10_000;

export const exhaustiveSection: BenchSection = {
  name: 'exhaustive',
  description: 'exhaustive checker throughput (states per second) per lifecycle, minimal preset',
  run(context) {
    const lifecycles = context.smoke ? LIFECYCLES.slice(0, 1) : LIFECYCLES;
    for (const lifecycle of lifecycles) {
      const variant = lifecycle.variants.find((candidate) => candidate.kind === 'embodiment');
      if (variant === undefined) continue;
      context.log(`exhaustive: ${lifecycle.id}/${variant.name}`);
      const name = `exhaustive: ${lifecycle.id}/${variant.name}, minimal preset`;
      const target = lifecycle.id === 'mirror-pair' ? { target: { kind: 'value-at-least', value: 50_000, unit: 'states/s' } as const } : {};
      try {
        let states = 0;
        const search = (): number => {
          states = exhaustive(lifecycle, variant.name, { maxStates: MAX_STATES }).states;
          return states;
        };
        // A search that runs for seconds is its own warm-up; a short one is timed again after a warm-up run.
        const first = context.measure(search, { runs: 1, warmup: 0 });
        const measured = context.smoke || first.medianMs > LONG_SEARCH_MS ? first : context.measure(search, { runs: 3, warmup: 0 });
        context.record({ name, value: states / (measured.medianMs / 1000), unit: 'states/s', ms: measured.medianMs, ...target,
          note: `${states} states in ${measured.medianMs.toFixed(0)} ms (median of ${measured.runs})` });
      } catch (error) {
        context.record({ name, value: 0, unit: 'states/s', ms: 0, ...target, note: `search failed: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  },
};
