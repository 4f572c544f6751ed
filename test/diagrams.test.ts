import { describe, expect, test } from 'vitest';
import { freezeRemoteCopyLifecycle } from '../src/freeze-remote-copy/lifecycle.js';
import { edgesOf, toDot, toMermaid } from '../src/diagrams.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';

// That the committed diagrams are current is the conformance suite's; these check what a diagram shows.
describe('diagrams', () => {
  test('diagrams: every transition of the mirror-pair machine is drawn with its seed reference', () => {
    const source = mirrorPairLifecycle.machines[0]!;
    const mermaid = toMermaid(source);
    const dot = toDot(source);
    const edges = edgesOf(source.machine);
    expect(edges.length).toBe(26);
    for (const edge of edges) {
      expect(edge.refs, `${edge.source} ${edge.event} has no seed reference`).not.toBe('');
      expect(mermaid).toContain(edge.event);
      expect(dot).toContain(edge.event);
    }
    expect(mermaid).toContain('suspended --> mirror_syncing : pair.resync [embodiment1 and differentialResync] (5010,5020,5030,5040,5050,5060)');
    expect(dot).toMatch(/LITERAL §8\.3 pair\.suspend \[literalGuards\]/);
  });

  test('diagrams: literal edges are the ones meta.literal marks, in every lifecycle, not those of a guard name', () => {
    const literal = freezeRemoteCopyLifecycle.machines.flatMap((m) => edgesOf(m.machine)).filter((e) => e.literal !== null);
    expect(new Set(literal.map((e) => e.literal))).toEqual(new Set(['D1', 'D3', 'D20']));
    const dot = toDot(freezeRemoteCopyLifecycle.machines[0]!);
    expect(dot).toMatch(/LITERAL D1 host\.write \[literalD1\][^\n]*style=dashed/);
  });
});
