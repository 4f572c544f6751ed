import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderDiagrams } from '../../src/diagrams.js';
import { errataPages, errataSearch } from '../../src/errata.js';
import { generateVectors } from '../../src/vectors.js';
import { toggleLifecycle } from '../toggle/toggle.js';
import { artifactChecks, defectChecks, embodimentChecks, refusalsThatChange } from './conformance.js';

/**
 * The seam, shown: a lifecycle written in one file of its own (test/toggle/toggle.ts), registered nowhere,
 * passes the same conformance suite as every registered lifecycle. Its generated files are committed under
 * test/toggle/fixtures/ as a registered lifecycle's are under vectors/ and docs/; after changing the toggle,
 * `COPYSPEC_WRITE_FIXTURES=1 npx vitest run test/harness/toggle.test.ts` rewrites them.
 */
const FIXTURES = 'test/toggle/fixtures';
const GENERATOR = 'copyspec toggle fixtures';
const lifecycles = [toggleLifecycle];

async function writeAll(folder: string, files: ReadonlyMap<string, string>): Promise<void> {
  for (const [name, text] of files) {
    await mkdir(dirname(join(folder, name)), { recursive: true });
    await writeFile(join(folder, name), text);
  }
}

if (process.env['COPYSPEC_WRITE_FIXTURES'] === '1') {
  const { files, doc } = generateVectors(lifecycles, GENERATOR);
  await writeAll(join(FIXTURES, 'vectors'), files);
  await writeAll(FIXTURES, new Map([['vectors.md', doc]]));
  await writeAll(join(FIXTURES, 'diagrams'), await renderDiagrams(toggleLifecycle.machines));
  const literal = toggleLifecycle.variants.filter((v) => v.kind === 'literal-defect');
  await writeAll(join(FIXTURES, 'errata'), errataPages(literal.map((variant) => ({ lifecycle: toggleLifecycle, variant, result: errataSearch(toggleLifecycle, variant, 1000) }))));
}

embodimentChecks(lifecycles);
defectChecks(lifecycles, { errataFolder: join(FIXTURES, 'errata') });
artifactChecks(lifecycles, { vectorsFolder: join(FIXTURES, 'vectors'), vectorsDoc: join(FIXTURES, 'vectors.md'), diagramsFolder: join(FIXTURES, 'diagrams'), generator: GENERATOR });

describe('toggle: seam', () => {
  test('toggle: seam: the generic refusal check catches a controller whose refusal changes the world', () => {
    expect(refusalsThatChange(toggleLifecycle, 'refusal-sets-bit')).toEqual(['bit.set(bit=1) in off bit=0 | model off']);
    expect(refusalsThatChange(toggleLifecycle, 'plain')).toEqual([]);
  });
});
