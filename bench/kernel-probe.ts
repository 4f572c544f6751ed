/**
 * A standalone run of bench section "kernel" (bench/sections/kernel.ts), for measuring the WebAssembly kernel
 * without the rest of the bench: B, the JavaScript merge and popcount, the staged kernel at each chunk size,
 * the public kernel on maps from the word pool (src/fast-bitmap/word-pool.ts) and the raw kernel on maps resident in a
 * wasm memory of their own, all as ratios to B taken in the same process; then random set and test on a plain
 * map against a pool-resident one. It prints the harness's table and writes nothing (the section is not yet
 * among bench/run.ts's sections).
 *
 *   npx tsc -p bench/tsconfig.json && node dist/bench/kernel-probe.js           2^28-bit maps, 9 runs
 *   npx tsc -p bench/tsconfig.json && node dist/bench/kernel-probe.js --smoke   2^20-bit maps, 3 runs
 */
import { BenchContext, formatTable } from './harness.js';
import { kernelSection } from './sections/kernel.js';

function main(): void {
  const smoke = process.argv.includes('--smoke');
  const unknown = process.argv.slice(2).filter((argument) => argument !== '--smoke');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}; see bench/kernel-probe.ts`);
  // The same settings as bench/run.ts, so the figures compare with a full bench run's.
  const context = new BenchContext(smoke
    ? { smoke: true, runs: 3, warmup: 1, bitCount: 2 ** 20 }
    : { smoke: false, runs: 9, warmup: 2, bitCount: 2 ** 28 });
  context.yardstick(9);
  context.log(`== ${kernelSection.name}: ${kernelSection.description}`);
  void kernelSection.run(context);
  context.yardstick(9);
  process.stdout.write(`${formatTable(context.finalResults(), context.yardstickMs)}\n`);
}

main();
