/**
 * The shortest traces the errata pages quote, replayed: each literal flow of seed 004 ends in the violation
 * its page names, at the step count the page gives. The pages themselves are checked against the verifier by
 * the conformance suite; this replays their commands, which is cheap, so a change to the controller that
 * moves a trace shows here by name.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { scheduledBackupLifecycle as lifecycle } from '../../src/scheduled-backup/lifecycle.js';
import { backupVariant } from '../../src/scheduled-backup/variants.js';
import { replayTrace } from '../../src/verify/trace.js';

const PAGES: readonly [variant: string, property: string, steps: number][] = [
  ['literal-a1-equality-trigger', 'every-due-entry-runs-once-in-order', 1],
  ['literal-a15-zero-length-tape', 'staging-reads-bounded', 6],
  ['literal-a6-a7-config-mid-save', 'table-used-only-after-check-and-reboot', 3],
  ['literal-a11-eot-unit-resent', 'destination-holds-every-unit-once', 17],
  ['literal-a11-eot-unit-lost', 'destination-holds-every-unit-once', 11],
];

describe('scheduled-backup: defects', () => {
  test.each(PAGES)('scheduled-backup: defects: the errata page of %s replays to %s after %i steps', async (variant, property, steps) => {
    const page = await readFile(`docs/errata/scheduled-backup--${variant}.md`, 'utf8');
    expect(page).toContain(`**${property}**`);
    const events = JSON.parse(/--events '(.*)'$/m.exec(page)![1]!) as unknown[];
    expect(events).toHaveLength(steps);
    const { lines, failed } = replayTrace(lifecycle, variant, 'minimal', events.map((e) => lifecycle.parseEvent(e)));
    expect(lines.at(-1)).toContain(`✗ ${property}`);
    expect(failed).toContain(property);
    // The embodiment the literal flow departs from holds every property on the same commands, or refuses one.
    const embodiment = backupVariant(variant)!.control.destination;
    expect(replayTrace(lifecycle, embodiment, 'minimal', events.map((e) => lifecycle.parseEvent(e))).failed).toEqual([]);
  });
});
