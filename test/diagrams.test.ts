import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { mirrorPairMachine } from '../machines/mirror-pair.js';
import { edgesOf, renderDiagrams, toDot, toMermaid } from '../src/diagrams.js';
import { LIFECYCLES } from '../src/lifecycles.js';

describe('diagrams', () => {
  test('diagrams: the committed docs/diagrams are exactly what the machines generate', async () => {
    const files = await renderDiagrams(LIFECYCLES.flatMap((lifecycle) => lifecycle.machines));
    expect(files.size).toBeGreaterThan(0);
    for (const [name, text] of files) {
      const committed = await readFile(`docs/diagrams/${name}`, 'utf8').catch(() => `(missing docs/diagrams/${name}: run copyspec diagrams)`);
      expect(committed, `docs/diagrams/${name} is stale: run copyspec diagrams`).toBe(text);
    }
  }, 30_000);

  test('diagrams: every transition of the mirror-pair machine is drawn with its seed reference', () => {
    const source = { name: 'mirror-pair', title: 'mirror-pair', machine: mirrorPairMachine };
    const mermaid = toMermaid(source);
    const dot = toDot(source);
    const edges = edgesOf(mirrorPairMachine);
    expect(edges.length).toBe(26);
    for (const edge of edges) {
      expect(edge.refs, `${edge.source} ${edge.event} has no seed reference`).not.toBe('');
      expect(mermaid).toContain(edge.event);
      expect(dot).toContain(edge.event);
    }
    expect(mermaid).toContain('suspended --> mirror_syncing : pair.resync [embodiment1 and differentialResync] (5010,5020,5030,5040,5050,5060)');
    expect(dot).toMatch(/LITERAL pair\.suspend \[literalGuards\]/);
  });
});
