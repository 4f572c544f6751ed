/**
 * conform over every registered lifecycle, with no test code for any of them: copyspec's own controller
 * behind the protocol (src/conform/reference-port.ts, run from dist/ as `npm test` builds it) must match
 * every embodiment, in the model-based runs and over a command-in-state vector test, and must be caught when
 * it serves a defective variant of the same parameters, so conform bites for every lifecycle, including the
 * ones added after it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { conform, CONFORM_DEFAULTS, type ConformOptions } from '../../src/conform/run.js';
import { canonicalJson } from '../../src/harness/canonical.js';
import type { AnyLifecycle } from '../../src/lifecycle.js';
import { LIFECYCLES } from '../../src/lifecycles.js';
import { vectorFile } from '../../src/vectors.js';

const REFERENCE_PORT = 'dist/src/conform/reference-port.js';
const RUNS = 20;

function options(lifecycle: AnyLifecycle, variants: readonly string[], argv: readonly string[], overrides: Partial<ConformOptions> = {}): ConformOptions {
  return {
    lifecycle, variants, argv, checks: ['model-based'], runs: RUNS, seed: 20261121, timeoutMs: 20_000, startupMs: CONFORM_DEFAULTS.startupMs,
    maxPortSteps: CONFORM_DEFAULTS.maxPortSteps, lockstep: false, extraOptions: [], progress: () => undefined, ...overrides,
  };
}

const port = (serveVariant?: string): string[] => ['node', REFERENCE_PORT, ...(serveVariant === undefined ? [] : ['--serve-variant', serveVariant])];

describe('conform: every registered lifecycle', () => {
  test('conform: the reference port is built', () => {
    expect(existsSync(REFERENCE_PORT), `${REFERENCE_PORT} is missing: npm run build`).toBe(true);
  });

  for (const lifecycle of LIFECYCLES) {
    const embodiments = lifecycle.variants.filter((v) => v.kind === 'embodiment').map((v) => v.name);

    test(`${lifecycle.id}: conform: copyspec's own controller behind the protocol matches every embodiment`, async () => {
      const results = await conform(options(lifecycle, embodiments, port()));
      expect(results.map((r) => [r.variant, r.violations.map((v) => `${v.ref}\n${v.trace.join('\n')}`)])).toEqual(embodiments.map((v) => [v, []]));
      expect(results.every((r) => r.runs === RUNS && r.portSteps > RUNS * 20)).toBe(true);
    }, 300_000);

    test(`${lifecycle.id}: conform: lockstep and pipelined sending agree, over the commands of a vector test`, async () => {
      const file = vectorFile(lifecycle, embodiments[0]!, 'test');
      const longest = [...file.tests].sort((a, b) => b.steps.length - a.steps.length)[0]!;
      const events = longest.steps.map((step) => step.command);
      for (const lockstep of [false, true]) {
        const [result] = await conform(options(lifecycle, [file.variant], port(), { checks: ['replay'], events, preset: longest.preset, lockstep }));
        expect(result!.violations).toEqual([]);
        expect(result!.portSteps).toBe(events.length);
      }
    }, 120_000);

    test(`${lifecycle.id}: conform: a defective controller of an embodiment's parameters is caught`, async () => {
      // A defective variant whose parameters are an embodiment's: served in its place, it is a port with a bug.
      const candidates = lifecycle.variants.filter((v) => v.kind !== 'embodiment').flatMap((defective) => {
        const twin = lifecycle.variants.find((v) => v.kind === 'embodiment' && canonicalJson(v.control) === canonicalJson(defective.control));
        return twin === undefined ? [] : [{ defective: defective.name, embodiment: twin.name }];
      });
      expect(candidates.length, `${lifecycle.id} has no defective variant with an embodiment's parameters`).toBeGreaterThan(0);
      // One caught is enough to show conform bites for this lifecycle. Most defects are caught in a few runs,
      // some only in many: a first pass of 20 runs over every candidate finds one sooner than 200 runs of each
      // in turn (scheduled-backup's took 54 s so), and the second pass gives every candidate its 200.
      let caught: string | null = null;
      for (const runs of [20, 200]) {
        for (const { defective, embodiment } of candidates) {
          const [result] = await conform(options(lifecycle, [embodiment], port(defective), { runs }));
          if (result!.violations.length > 0) {
            caught = defective;
            break;
          }
        }
        if (caught !== null) break;
      }
      expect(caught, `none of ${candidates.map((c) => c.defective).join(', ')} was caught`).not.toBeNull();
    }, 300_000);
  }
});
