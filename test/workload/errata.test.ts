import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { errataPages, errataSearch, withoutWorkloadSection, WORKLOAD_SECTION } from '../../src/errata.js';
import { lifecycleNamed } from '../../src/lifecycles.js';
import { errataExt4Workload, errataWorkload } from '../../src/workload/errata.js';
import { E2FSPROGS_MISSING, findE2fsprogs, Fsck } from '../../src/workload/ext4.js';

/**
 * The errata pages' ext4 workload sections, as `copyspec errata` writes them; every page's is checked by
 * `copyspec errata --check` in .ci/run, four here (mirror-pair's literal flow, D3, failover-failback's A2 and
 * scheduled-backup's unit sent twice at end of tape, a few seconds each).
 */
const tools = findE2fsprogs();
const missing = typeof tools === 'string';
if (missing) console.warn(`workload: errata workload tests skipped: ${E2FSPROGS_MISSING}`);

describe('workload: errata', () => {
  test('workload: errata: a page without its workload section is the page errata writes without one', () => {
    const lifecycle = lifecycleNamed('mirror-pair')!;
    const variant = lifecycle.variant('literal-unguarded');
    const result = errataSearch(lifecycle, variant, 1_000_000);
    const bare = errataPages([{ lifecycle, variant, result }]).get('mirror-pair--literal-unguarded.md')!;
    const undriven = errataPages([{ lifecycle, variant, result, workload: { driven: false } }]).get('mirror-pair--literal-unguarded.md')!;
    expect(undriven).toContain(`${WORKLOAD_SECTION}\n\nmirror-pair has no workload driver`);
    expect(withoutWorkloadSection(undriven)).toBe(bare);
    expect(bare).not.toContain(WORKLOAD_SECTION);
  });

  describe.skipIf(missing)('workload: errata (needs e2fsprogs)', () => {
    const fsck = missing ? null : new Fsck();
    afterAll(() => fsck?.close());
    const workload = missing ? null : errataExt4Workload(fsck!);

    for (const [id, name] of [['mirror-pair', 'literal-unguarded'], ['freeze-remote-copy', 'literal-d3-second-log-never-folded'], ['failover-failback', 'literal-a2-swap-writes-untracked'], ['scheduled-backup', 'literal-a11-eot-unit-resent']] as const) {
      test(`${id}: workload: errata: the committed ${name} page quotes the ext4 run copyspec makes now`, () => {
        const lifecycle = lifecycleNamed(id)!;
        const variant = lifecycle.variant(name);
        const page = errataPages([{
          lifecycle, variant, result: errataSearch(lifecycle, variant, 2_000_000),
          workload: errataWorkload(lifecycle, name, workload!, fsck!, (tools as { version: string }).version),
        }]).get(`${id}--${name}.md`)!;
        const committed = readFileSync(`docs/errata/${id}--${name}.md`, 'utf8');
        const section = (text: string): string => text.slice(text.indexOf(WORKLOAD_SECTION), text.indexOf('## The fix'));
        expect(section(committed), `docs/errata/${id}--${name}.md is stale: run copyspec errata`).toBe(section(page));
        expect(section(page)).toMatch(/\*\*[1-9]\d*\*\* recovered images were not/);
      }, 120_000);
    }
  });
});
