/**
 * `npm run bench`: runs every benchmark section in one process, prints the table and writes
 * bench/results.json (`{"machine": ..., "results": [{"name", "value", "unit", "ratio", "target", "meets",
 * "peers"}]}`), issue 4 item 2.
 *
 *   npm run bench                      full run (2^28-bit maps; a few minutes)
 *   npm run bench -- --smoke           seconds-long run on 2^20-bit maps, for CI (also COPYSPEC_BENCH_SMOKE=1)
 *   npm run bench -- --only bitmap     only the named sections (comma-separated)
 *   npm run bench -- --out <file>      write the JSON elsewhere
 *
 * Smoke figures only show that the bench runs and its JSON is well formed; their ratios mean nothing.
 * Nothing here is ever asserted by a test.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { thrownText } from '../src/assert.js';
import { BenchContext, describeMachine, formatTable, type BenchSection } from './harness.js';
import { bitmapSection } from './sections/bitmap.js';
import { conformSection } from './sections/conform.js';
import { hostWriteSection, resyncSection } from './sections/controller.js';
import { exhaustiveSection } from './sections/exhaustive.js';
import { failoverFailbackSection } from './sections/failover-failback.js';
import { freezeRemoteCopySection } from './sections/freeze-remote-copy.js';
import { kernelSection } from './sections/kernel.js';
import { parallelSection } from './sections/parallel.js';
import { spinSection } from './sections/spin.js';
import { workloadSection } from './sections/workload.js';

/**
 * The registration point: every section, in the order it runs. A new section is a module under
 * bench/sections/ exporting a `BenchSection`, added here.
 */
const SECTIONS: readonly BenchSection[] = [
  bitmapSection,
  kernelSection,
  resyncSection,
  hostWriteSection,
  exhaustiveSection,
  parallelSection,
  spinSection,
  freezeRemoteCopySection,
  failoverFailbackSection,
  conformSection,
  workloadSection,
];

interface Arguments {
  readonly smoke: boolean;
  readonly only: readonly string[] | null;
  readonly out: string;
}

function parseArguments(argv: readonly string[]): Arguments {
  const benchDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
  let smoke = process.env['COPYSPEC_BENCH_SMOKE'] === '1';
  let only: string[] | null = null;
  let out = resolve(benchDirectory, 'results.json');
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--smoke') smoke = true;
    else if (argument === '--only') only = (argv[++index] ?? '').split(',').filter((name) => name !== '');
    else if (argument === '--out') out = resolve(argv[++index] ?? out);
    else throw new UsageError(`unknown argument ${argument}; arguments: --smoke, --only <sections>, --out <file>`);
  }
  return { smoke, only, out };
}

/**
 * A full collection between sections (the bench runs with --expose-gc), so that no section pays for the
 * garbage of the one before it: the bitmap sections leave gigabytes of dropped 32 MiB maps, and the
 * exhaustive checker, which allocates a small object per step, measured 46-56k states/s after them in the
 * same process against 51-58k alone. Without the flag (a plain `node dist/bench/run.js`) nothing is collected.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  const unknown = (args.only ?? []).filter((name) => !SECTIONS.some((section) => section.name === name));
  if (unknown.length > 0) throw new UsageError(`unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const context = new BenchContext(args.smoke
    ? { smoke: true, runs: 3, warmup: 1, bitCount: 2 ** 20 }
    : { smoke: false, runs: 9, warmup: 2, bitCount: 2 ** 28 });
  context.yardstick(9);
  for (const section of SECTIONS) {
    if (args.only !== null && !args.only.includes(section.name)) continue;
    context.log(`== ${section.name}: ${section.description}`);
    collectGarbage();
    await section.run(context);
  }
  context.yardstick(9);
  const results = context.finalResults();
  process.stdout.write(`${formatTable(results, context.yardstickMs)}\n`);
  writeFileSync(args.out, `${JSON.stringify({ machine: describeMachine(context), results }, null, 2)}\n`);
  context.log(`wrote ${args.out}`);
}

/** Bad arguments: one line and exit code 2, as the command line does; anything else is a bench failure with its stack. */
class UsageError extends Error {}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`${thrownText(error)}\n`);
  process.exitCode = 1;
});
