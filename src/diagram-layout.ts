/**
 * A check of a rendered diagram's labels, read from the SVG Graphviz writes (src/diagrams.ts): every label's
 * box lies inside the picture's view box, no two labels' boxes overlap, no edge runs through a label, and
 * every character is one the diagram's font has (a character it lacks comes out as a missing-glyph box, as
 * the seed's 【】 did).
 *
 * Graphviz places text by its own estimate of the font's widths; a browser draws it with whatever font it
 * substitutes for Helvetica (Liberation Sans or Arimo, metric-compatible with Arial, on Debian). The boxes
 * here use Helvetica's widths from Adobe's core font metrics (Helvetica.afm, Helvetica-Bold.afm), which
 * Arial's and so Liberation Sans' match, so a box here is the box a reader sees to within a fraction of a
 * point. The browser test (test/report/browser.test.ts) measures the same labels in Chromium itself.
 */

export interface Box {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface Label {
  readonly text: string;
  /** The id of the SVG group it belongs to (a node, edge or cluster). */
  readonly owner: string;
  readonly box: Box;
}

export interface LayoutReport {
  readonly width: number;
  readonly height: number;
  readonly labels: readonly Label[];
  /** One sentence per problem; empty when every label can be read. */
  readonly problems: readonly string[];
}

/** Widths in thousandths of an em of the printable ASCII characters, space (32) to tilde (126). */
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
const HELVETICA_BOLD = [
  278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611,
  611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
];
/**
 * The few characters beyond ASCII a diagram may draw, with their width in both weights; Liberation Sans and
 * DejaVu Sans have each. A label with any other character fails the check, naming it: add it here, with its
 * width, once a font that browsers substitute for Helvetica is known to have it.
 */
const EXTRA: Readonly<Record<string, number>> = { '·': 278, '§': 556, '–': 556, '—': 1000, '→': 1000, '≠': 549, '≤': 549, '≥': 549, '×': 584 };

/** Ascent and descent of Helvetica, in ems: the vertical extent of a line of text around its baseline. */
const ASCENT = 0.77;
const DESCENT = 0.23;

/** How far, in points, two boxes may touch before they count as overlapping (rounding in Graphviz's output). */
const TOLERANCE = 0.5;

/**
 * The width of `text` in points at `size`, and the characters the font has no width for (measured as one
 * em, about what a missing-glyph box takes).
 */
export function textWidth(text: string, size: number, bold: boolean): { readonly width: number; readonly missing: readonly string[] } {
  const table = bold ? HELVETICA_BOLD : HELVETICA;
  let em = 0;
  const missing: string[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const width = code >= 32 && code <= 126 ? table[code - 32]! : EXTRA[char];
    if (width === undefined && !missing.includes(char)) missing.push(char);
    em += width ?? 1000;
  }
  return { width: (em * size) / 1000, missing };
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/** The graph's transform (`scale(s s) rotate(0) translate(x y)`) as a function of a point. */
function transformOf(svg: string): (x: number, y: number) => [number, number] {
  const tag = /<g id="graph0"[^>]*>/.exec(svg)?.[0] ?? '';
  const scale = /scale\(([\d.]+)/.exec(tag);
  const translate = /translate\(([-\d.]+)[ ,]([-\d.]+)\)/.exec(tag);
  const s = scale === null ? 1 : Number(scale[1]);
  const tx = translate === null ? 0 : Number(translate[1]);
  const ty = translate === null ? 0 : Number(translate[2]);
  return (x, y) => [s * (x + tx), s * (y + ty)];
}

interface Group {
  readonly id: string;
  readonly body: string;
}

/** The top-level node, edge and cluster groups of the graph, each with its markup. */
function groupsOf(svg: string): Group[] {
  const groups: Group[] = [];
  const opening = /<g id="([^"]*)" class="(node|edge|cluster)">/g;
  const starts = [...svg.matchAll(opening)];
  starts.forEach((match, index) => {
    const end = index + 1 < starts.length ? starts[index + 1]!.index : svg.length;
    groups.push({ id: decode(match[1]!), body: svg.slice(match.index, end) });
  });
  const first = starts[0]?.index ?? svg.length;
  groups.unshift({ id: 'graph', body: svg.slice(0, first) });
  return groups;
}

function labelsOf(group: Group, at: (x: number, y: number) => [number, number], problems: string[]): Label[] {
  const labels: Label[] = [];
  for (const match of group.body.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const tag = match[1]!;
    const text = decode(match[2]!);
    const size = Number(attribute(tag, 'font-size') ?? 14);
    const { width, missing } = textWidth(text, size, attribute(tag, 'font-weight') === 'bold');
    for (const char of missing) {
      problems.push(`'${text}' in ${group.id} has '${char}' (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}), which the diagram font lacks`);
    }
    const anchor = attribute(tag, 'text-anchor') ?? 'start';
    const x = Number(attribute(tag, 'x'));
    const y = Number(attribute(tag, 'y'));
    const left = anchor === 'middle' ? x - width / 2 : anchor === 'end' ? x - width : x;
    const [l, t] = at(left, y - ASCENT * size);
    const [r, b] = at(left + width, y + DESCENT * size);
    labels.push({ text, owner: group.id, box: { left: l, top: t, right: r, bottom: b } });
  }
  return labels;
}

/** Points along every path and polygon of an edge group: the curve of the edge and its arrowhead. */
function edgePoints(group: Group, at: (x: number, y: number) => [number, number]): [number, number][] {
  const points: [number, number][] = [];
  for (const match of group.body.matchAll(/<path[^>]* d="M([^"]*)"/g)) {
    const numbers = match[1]!.split(/[\sC,]+/).filter((n) => n !== '').map(Number);
    for (let i = 0; i + 7 < numbers.length; i += 6) {
      const [x0, y0, x1, y1, x2, y2, x3, y3] = numbers.slice(i, i + 8) as [number, number, number, number, number, number, number, number];
      for (let step = 0; step <= 20; step += 1) {
        const t = step / 20;
        const u = 1 - t;
        const x = u * u * u * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t * t * t * x3;
        const y = u * u * u * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y3;
        points.push(at(x, y));
      }
    }
  }
  for (const match of group.body.matchAll(/<polygon[^>]* points="([^"]*)"/g)) {
    for (const pair of match[1]!.trim().split(/\s+/)) {
      const [x, y] = pair.split(',').map(Number) as [number, number];
      points.push(at(x, y));
    }
  }
  return points;
}

const overlap = (a: Box, b: Box): boolean => Math.min(a.right, b.right) - Math.max(a.left, b.left) > TOLERANCE
  && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > TOLERANCE;

const inside = (box: Box, [x, y]: [number, number]): boolean => x > box.left + TOLERANCE && x < box.right - TOLERANCE
  && y > box.top + TOLERANCE && y < box.bottom - TOLERANCE;

const shown = (label: Label): string => `'${label.text}' (${label.owner})`;

/** Every label of a Graphviz SVG with its box, and every way in which one cannot be read. */
export function checkLayout(svg: string): LayoutReport {
  const viewBox = (attribute(/<svg[^>]*>/.exec(svg)?.[0] ?? '', 'viewBox') ?? '0 0 0 0').split(/\s+/).map(Number);
  const [vx, vy, width, height] = viewBox as [number, number, number, number];
  const at = transformOf(svg);
  const problems: string[] = [];
  const groups = groupsOf(svg);
  const labels = groups.flatMap((group) => labelsOf(group, at, problems));
  for (const label of labels) {
    const { box } = label;
    if (box.left < vx - TOLERANCE || box.top < vy - TOLERANCE || box.right > vx + width + TOLERANCE || box.bottom > vy + height + TOLERANCE) {
      problems.push(`${shown(label)} leaves the picture: [${box.left.toFixed(1)}, ${box.top.toFixed(1)}, ${box.right.toFixed(1)}, ${box.bottom.toFixed(1)}] outside 0 0 ${width} ${height}`);
    }
  }
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1)) if (overlap(a.box, b.box)) problems.push(`${shown(a)} overlaps ${shown(b)}`);
  });
  for (const group of groups.filter((g) => /class="edge"/.test(g.body.slice(0, 80)))) {
    const points = edgePoints(group, at);
    for (const label of labels) {
      if (points.some((point) => inside(label.box, point))) problems.push(`edge ${group.id} runs through ${shown(label)}`);
    }
  }
  return { width, height, labels, problems };
}
