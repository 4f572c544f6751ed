import { defineConfig } from 'vitest/config';

// Exhaustive searches take seconds each; tests set their own longer timeouts where they need them.
// The JSON report lets .ci/run print the one-line total CI reads.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', 'json'],
    outputFile: { json: '.copyspec/vitest-results.json' },
  },
});
