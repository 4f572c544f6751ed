import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Exhaustive searches take seconds each; tests set their own longer timeouts where they need them.
// The JSON report lets .ci/run print the one-line total CI reads. Test files run on every core: vitest's
// default leaves one core to its main process, which only collects results, so on CI's 2 cores it ran one
// file at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: availableParallelism(),
    reporters: ['default', 'json'],
    outputFile: { json: '.copyspec/vitest-results.json' },
  },
});
