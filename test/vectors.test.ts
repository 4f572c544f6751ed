import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { GENERATOR } from '../src/cli.js';
import { LIFECYCLES } from '../src/lifecycles.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';
import { consumeVectors, generateVectors, VECTOR_SCHEMA, type VectorFile } from '../src/vectors.js';

describe('vectors', () => {
  const files = generateVectors(LIFECYCLES, GENERATOR);

  test('vectors: the committed vectors are exactly what the lifecycles generate', async () => {
    expect([...files.keys()]).toContain('mirror-pair/e1.json');
    for (const [name, text] of files) {
      const committed = await readFile(`vectors/${name}`, 'utf8').catch(() => `(missing vectors/${name}: run copyspec vectors)`);
      expect(committed === text, `vectors/${name} is stale: run copyspec vectors`).toBe(true);
    }
  }, 60_000);

  test('vectors: the reference consumer replays every mirror-pair vector without a mismatch', () => {
    for (const [name, text] of files) {
      if (!name.startsWith('mirror-pair/')) continue;
      const file = JSON.parse(text) as VectorFile;
      expect(file.schema).toBe(VECTOR_SCHEMA);
      expect(file.numberOfTests).toBe(file.tests.length);
      expect(new Set(file.tests.map((t) => t.suite))).toEqual(new Set(['control-path', 'command-in-state', 'random']));
      expect(consumeVectors(mirrorPairLifecycle, file)).toEqual([]);
    }
  });

  test('vectors: every rejection reason of mirror-pair appears in the vectors', () => {
    const file = JSON.parse(files.get('mirror-pair/e1.json')!) as VectorFile;
    const reasons = new Set(file.tests.flatMap((t) => t.steps.map((s) => s.expect.outcome['reason'])).filter((r) => r !== undefined));
    expect([...reasons].sort()).toEqual(['length-out-of-range', 'malformed-command', 'track-out-of-range', 'unknown-pair', 'unknown-volume', 'wrong-state']);
  });

  test('vectors: a port that differs in one bit is reported, step and field named', () => {
    const file = JSON.parse(files.get('mirror-pair/e2.json')!) as VectorFile;
    const broken = JSON.parse(JSON.stringify(file)) as { tests: { steps: { expect: { observed: Record<string, unknown> } }[] }[] };
    broken.tests[2]!.steps[0]!.expect.observed['copyPending'] = '011';
    expect(consumeVectors(mirrorPairLifecycle, broken as unknown as VectorFile)).toEqual(['test 3 step 1 observed: copyPending is "111", expected "011"']);
  });
});
