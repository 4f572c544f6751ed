import { defineConfig } from 'vitest/config';

// Exhaustive searches take seconds each; tests set their own longer timeouts where they need them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
