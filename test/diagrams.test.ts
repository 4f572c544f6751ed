import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { checkLayout } from '../src/diagram-layout.js';
import { diagramOf, html, KIND_STYLE, refsText, tooltipOf, toDot, toMarkdown, toMermaid, toSvg } from '../src/diagrams.js';
import { LIFECYCLES } from '../src/lifecycles.js';
import { mirrorPairLifecycle } from '../src/mirror-pair/lifecycle.js';

// That the committed diagrams are current, and that every diagram's labels can be read, is the conformance
// suite's (test/harness/conformance.ts); these check what a diagram shows, and that the layout check bites.
describe('diagrams', () => {
  const sources = LIFECYCLES.flatMap((l) => l.machines);

  test('diagrams: every transition of every machine is one short line, with its references in its tooltip and the page table', () => {
    for (const source of sources) {
      const dot = toDot(source);
      const page = toMarkdown(source, toMermaid(source));
      for (const t of diagramOf(source).transitions) {
        const line = `${t.event}${t.guard === '' ? '' : ` [${t.guard}]`}`;
        expect(refsText(t.meta), `${t.id} has no seed reference`).not.toBe('');
        expect(tooltipOf(t)).toContain(refsText(t.meta));
        expect(dot, `${t.id} is not drawn as '${line}' with its tooltip`).toContain(`ID="${t.id}" HREF="#${t.id}" TOOLTIP="${html(tooltipOf(t))}"><FONT POINT-SIZE="10" COLOR="${KIND_STYLE[t.kind].color}">${html(line)}</FONT>`);
        expect(page).toContain(`\`${line}\``);
      }
      expect(dot).not.toMatch(/[【】]/);
    }
  });

  test('diagrams: mirror-pair draws its 45 transitions, the seed\'s paragraphs as [0024]', () => {
    const source = mirrorPairLifecycle.machines[0]!;
    const diagram = diagramOf(source);
    expect(diagram.transitions.length).toBe(45);
    const resync = diagram.transitions.find((t) => t.source === 'suspended' && t.event === 'pair.resync' && t.guard === 'embodiment1 and differentialResync');
    expect(resync?.target).toBe('mirror.syncing');
    expect(refsText(resync!.meta)).toBe('(5010,5020,5030,5040,5050,5060) [0032][0033] §8.8');
    expect(toMarkdown(source, toMermaid(source))).toContain('| suspended | `pair.resync [embodiment1 and differentialResync]` | mirror.syncing | seed | (5010,5020,5030,5040,5050,5060) [0032][0033] §8.8 |');
  });

  test('diagrams: literal edges are the ones meta.literal marks and ext edges the ones meta.ext marks, each in its own style', () => {
    for (const source of sources) {
      const dot = toDot(source);
      for (const t of diagramOf(source).transitions) {
        expect(t.kind).toBe(t.meta.literal !== undefined ? 'literal' : t.meta.ext !== undefined ? 'ext' : 'seed');
        expect(dot).toMatch(new RegExp(`ID="${t.id}"[^>]*><FONT POINT-SIZE="\\d+" COLOR="${KIND_STYLE[t.kind].color}">`));
      }
    }
    const dot = toDot(mirrorPairLifecycle.machines[0]!);
    expect(dot).toMatch(/mirror\.syncing" -> "mirror-pair--e\d+" \[[^\]]*style=dashed, color="#b03030"/);
    expect(dot).toMatch(/"separated" -> "mirror-pair--e\d+" \[[^\]]*style=dotted, color="#2060a0"/);
    expect(new Set(Object.values(KIND_STYLE).map((s) => `${s.line} ${s.color}`)).size).toBe(3);
  });
});

describe('diagram layout', () => {
  test('diagram layout: the diagrams before issue 13 fail the check: labels over labels, off the picture, and missing glyphs', async () => {
    const before = await readFile('test/fixtures/mirror-pair-before-issue-13.dot', 'utf8');
    const { problems } = checkLayout(await toSvg(before));
    expect(problems.filter((p) => p.includes(' overlaps ')).length).toBeGreaterThan(0);
    expect(problems.filter((p) => p.includes(' leaves the picture')).length).toBeGreaterThan(0);
    expect(problems).toContain("'host.write (3010,3020,3030,3040,3060,3070) 【0024】' in edge4 has '【' (U+3010), which the diagram font lacks");
  });

  test('diagram layout: a planted layout with one label over another and an edge through a third fails the check', async () => {
    const planted = [
      'digraph planted { layout=neato; node [shape=plaintext, fontname="Helvetica"];',
      '  a [pos="0,0!", label="pair.suspend [literalGuards]"]; b [pos="0.3,0.05!", label="pair.resync [embodiment1]"];',
      '  c [pos="0,2!", label="top"]; d [pos="4,2!", label="right"]; e [pos="2,2!", label="in the way"]; c -> d;',
      '}',
    ].join('\n');
    const { problems, labels } = checkLayout(await toSvg(planted));
    expect(labels.map((l) => l.text)).toEqual(['pair.suspend [literalGuards]', 'pair.resync [embodiment1]', 'top', 'right', 'in the way']);
    expect(problems).toEqual([
      "'pair.suspend [literalGuards]' (node1) overlaps 'pair.resync [embodiment1]' (node2)",
      "edge edge1 runs through 'in the way' (node5)",
    ]);
  });

  test('diagram layout: a label moved past the left edge of the picture fails the check', async () => {
    const svg = await toSvg(toDot(mirrorPairLifecycle.machines[0]!));
    expect(checkLayout(svg).problems).toEqual([]);
    const moved = svg.replace(/(<text[^>]*?) x="[^"]*"([^>]*>copy\.step<)/, '$1 x="-60"$2');
    expect(moved).not.toBe(svg);
    expect(checkLayout(moved).problems).toEqual([expect.stringMatching(/^'copy\.step' \(mirror-pair--s-mirror\.syncing\) leaves the picture/)]);
  });
});
