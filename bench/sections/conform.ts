/**
 * Bench section "conform" (issue 14): how fast `copyspec conform` drives a port through the process
 * boundary, in runs and port steps per second, for mirror-pair `e1` and the Python port of
 * examples/mirror-pair-py/. The yardstick is copyspec's own model-based runs of the same seed in this
 * process (src/verify/model-based.ts: the same commands, no port, every property checked), timed right after
 * each conform run; the note gives the ratio. Pipelined sending (the default) and `--lockstep` are both
 * measured, and in a full run the exhaustive check too.
 *
 * Nothing here is asserted. A machine without python3 records the error, and the other sections still run.
 */
import { conform, CONFORM_DEFAULTS, type ConformOptions } from '../../src/conform/run.js';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { modelBased } from '../../src/verify/model-based.js';
import type { BenchContext, BenchSection } from '../harness.js';

const PORT = ['python3', 'examples/mirror-pair-py/port.py'];
const SEED = 20261121;

function optionsFor(runs: number, lockstep: boolean, exhaustive: boolean): ConformOptions {
  const lifecycle = lifecycleNamed('mirror-pair');
  if (lifecycle === undefined) throw new Error('mirror-pair is not registered');
  return {
    lifecycle, variants: ['e1'], argv: PORT, checks: [exhaustive ? 'exhaustive' : 'model-based'], runs, seed: SEED,
    timeoutMs: CONFORM_DEFAULTS.timeoutMs, startupMs: CONFORM_DEFAULTS.startupMs, maxPortSteps: CONFORM_DEFAULTS.maxPortSteps,
    lockstep, extraOptions: [], progress: () => undefined,
  };
}

interface Timed {
  readonly runsPerSecond: number;
  readonly portStepsPerSecond: number;
  readonly portSteps: number;
  readonly ms: number;
}

async function timedConform(runs: number, lockstep: boolean): Promise<Timed> {
  const [result] = await conform(optionsFor(runs, lockstep, false));
  if (result === undefined || result.violations.length > 0) throw new Error(`conform ${lockstep ? '--lockstep' : ''}: the port did not match`);
  return result;
}

const medianBy = (values: readonly Timed[]): Timed => [...values].sort((a, b) => a.ms - b.ms)[values.length >> 1]!;

/**
 * Pipelined and lockstep runs in alternation (P L, L P, P L), after an untimed warm-up run, each figure the
 * median of its rounds: on the 2-core machine CI uses, with other work running, single runs of either
 * moved by 3x from one run to the next.
 */
async function modelBasedRows(context: BenchContext, runs: number, rounds: number): Promise<void> {
  await timedConform(Math.min(runs, 100), false);
  const timed: Record<'pipelined' | 'lockstep', Timed[]> = { pipelined: [], lockstep: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order: ('pipelined' | 'lockstep')[] = round % 2 === 0 ? ['pipelined', 'lockstep'] : ['lockstep', 'pipelined'];
    for (const mode of order) timed[mode].push(await timedConform(runs, mode === 'lockstep'));
  }
  const started = performance.now();
  const lifecycle = optionsFor(runs, false, false).lifecycle;
  const own = modelBased(lifecycle, 'e1', { runs, seed: SEED, maxCommands: CONFORM_DEFAULTS.maxCommands });
  const ownMs = performance.now() - started;
  for (const mode of ['pipelined', 'lockstep'] as const) {
    const result = medianBy(timed[mode]);
    context.record({
      name: `conform: mirror-pair/e1, Python port, ${runs} runs, ${mode}`, value: result.runsPerSecond, unit: 'runs/s', ms: result.ms,
      peers: { 'in-process': { value: own.runs / (ownMs / 1000), unit: 'runs/s', ms: ownMs } },
      note: `median of ${rounds}: ${result.portSteps} port steps at ${Math.round(result.portStepsPerSecond)} steps/s `
        + `(rounds: ${timed[mode].map((t) => Math.round(t.portStepsPerSecond)).join(', ')}); ${(result.ms / ownMs).toFixed(1)}x the time of `
        + `copyspec's own model-based runs of the same seed in process (${ownMs.toFixed(0)} ms, every property checked)`,
    });
  }
}

async function exhaustiveRow(context: BenchContext): Promise<void> {
  const [result] = await conform(optionsFor(0, false, true));
  if (result === undefined || result.violations.length > 0) throw new Error('conform --exhaustive: the port did not match');
  context.record({
    name: 'conform --exhaustive: mirror-pair/e1, Python port', value: result.portStepsPerSecond, unit: 'port steps/s', ms: result.ms,
    note: `${result.states} worlds, ${result.portSteps} port steps in ${result.runs} sequences (${(result.ms / 1000).toFixed(1)} s)`,
  });
}

export const conformSection: BenchSection = {
  name: 'conform',
  description: 'copyspec conform through the process boundary (Python port of mirror-pair), runs and port steps per second',
  async run(context) {
    const runs = context.smoke ? 20 : 1000;
    try {
      context.log(`conform: ${runs} runs, pipelined and lockstep`);
      await modelBasedRows(context, runs, context.smoke ? 1 : 3);
      if (!context.smoke) {
        context.log('conform: exhaustive');
        await exhaustiveRow(context);
      }
    } catch (error) {
      context.record({ name: 'conform: mirror-pair/e1, Python port', value: 0, unit: 'runs/s', ms: 0, note: `failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  },
};
