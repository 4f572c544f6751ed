import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that take longest, longest first (measured in CI: 126, 58, 48, 30, 26, 22 and 21 s of a
 * 437-s total). Vitest's own order on a fresh clone, with no durations cached, puts larger files first, and
 * these are a few lines each over the shared conformance suite: the longest started last and ran alone for
 * its last minute and more. Started first, they run beside the many short files.
 */
const LONGEST = [
  'test/conformance/embodiments.test.ts',
  'test/conformance/defects.test.ts',
  'test/conform/lifecycles.test.ts',
  'test/parallel.test.ts',
  'test/report/browser.test.ts',
  'test/report/report.test.ts',
  'test/cli.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification): number => {
      const at = LONGEST.findIndex((name) => file.moduleId.endsWith(`/${name}`));
      return at === -1 ? LONGEST.length : at;
    };
    // Array sort is stable: the other files keep vitest's order.
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: LongestFirst },
    reporters: ['default', 'json'],
    outputFile: { json: '.copyspec/vitest-results.json' },
  },
});
