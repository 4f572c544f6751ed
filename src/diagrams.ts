/**
 * State diagrams generated from the machine definitions, never drawn by hand (STYLE.md): Mermaid source
 * (GitHub renders it inline in docs/diagrams/*.md) and Graphviz DOT rendered to SVG offline by
 * @hpcc-js/wasm-graphviz, which ships Graphviz as WebAssembly inside the npm package, so no browser and no
 * download is needed (the Mermaid CLI needs a browser; anchors/formal_tools.md §5).
 *
 * What a reviewer reads first is the picture, so the picture carries only what fits: each transition is one
 * short line, its event and its guard (the variant parameter that enables it). Its description and seed
 * references go into the transition's tooltip, the markdown page's table and the report's panels
 * (src/report/). A transition that stays in its state is listed inside the state's box, under a rule, as UML
 * lists internal transitions, instead of as a self-loop: Graphviz places self-loop labels beside the node,
 * where they overlap each other and run off the picture. src/diagram-layout.ts checks the rendered SVG:
 * no label outside the picture, none on top of another or of an edge.
 *
 * A transition whose `meta.literal` names a seed defect (only a literal-defect variant takes it) is drawn
 * dashed and red; one whose `meta.ext` says the seed has no such transition is drawn dotted and blue. The
 * marks, never guard names, decide that. The seed's paragraph brackets 【0024】 are written [0024] in the
 * picture: the CJK brackets are missing from the fonts a browser substitutes for Helvetica.
 */
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { TransitionMeta } from './control.js';

export interface DiagramSource {
  /** File name stem in docs/diagrams/. */
  readonly name: string;
  readonly title: string;
  readonly machine: AnyStateMachine;
}

/** `literal` (meta.literal), `ext` (meta.ext) or `seed`: decides an edge's style. */
export type TransitionKind = 'seed' | 'ext' | 'literal';

/** One transition as the machine definition states it, with the id its picture gives it. */
export interface DiagramTransition {
  /** `<diagram name>--t<n>`: the SVG element of its label line, and its row in tables. */
  readonly id: string;
  /** The state node it is defined on, as a dotted key; `''` for the machine itself (any state). */
  readonly source: string;
  /** Its target's dotted key; null when it stays where it is (no `target`). */
  readonly target: string | null;
  readonly event: string;
  /** The guard's name (`embodiment1 and differentialResync`), or `''`. */
  readonly guard: string;
  readonly description: string;
  readonly meta: TransitionMeta;
  readonly kind: TransitionKind;
}

export interface DiagramState {
  /** `<diagram name>--s-<key>`: the SVG element of the state. */
  readonly id: string;
  /** The dotted state key (`mirror.syncing`), as `controlStates` names it. */
  readonly key: string;
  readonly label: string;
  readonly description: string;
  /** The enclosing compound state's key, or null at the top. */
  readonly parent: string | null;
  readonly compound: boolean;
}

export interface Diagram {
  readonly name: string;
  readonly title: string;
  /** The machine's id, which names its transitions in coverage. */
  readonly machine: string;
  readonly states: readonly DiagramState[];
  readonly transitions: readonly DiagramTransition[];
}

function guardName(guard: unknown): string {
  if (guard === undefined) return '';
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function' && Array.isArray((guard as { guards?: unknown }).guards)) {
    return (guard as unknown as { guards: unknown[] }).guards.map(guardName).join(' and ');
  }
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String((guard as { type: unknown }).type);
  return 'guard';
}

/** The seed's 【0024】 as [0024]: for text a browser draws with Latin fonts. */
export function plainBrackets(text: string): string {
  return text.replace(/【/g, '[').replace(/】/g, ']');
}

/** `(5030,5040) [0013][0033] §8.5 · ext: why`: a transition's seed references, in plain brackets. */
export function refsText(meta: TransitionMeta): string {
  const parts: string[] = [];
  if (meta.steps !== undefined && meta.steps.length > 0) parts.push(`(${meta.steps.join(',')})`);
  if (meta.paras !== undefined && meta.paras.length > 0) parts.push(meta.paras.map((p) => `[${p}]`).join(''));
  if (meta.rows !== undefined && meta.rows.length > 0) parts.push(meta.rows.join(' '));
  const cited = parts.join(' ');
  const notes = [meta.literal === undefined ? '' : `literal defect ${meta.literal}`, meta.ext === undefined ? '' : `ext: ${meta.ext}`].filter((n) => n !== '');
  return [cited, ...notes].filter((part) => part !== '').join(' · ');
}

export function kindOf(meta: TransitionMeta): TransitionKind {
  if (meta.literal !== undefined) return 'literal';
  return meta.ext !== undefined ? 'ext' : 'seed';
}

/** A state node's id without the machine prefix: `mirror-pair.mirror.syncing` is `mirror.syncing`. */
function localId(node: AnyStateNode): string {
  return node.path.join('.');
}

const stateId = (name: string, key: string): string => `${name}--s-${key}`;

function collect(name: string, node: AnyStateNode, states: DiagramState[], transitions: DiagramTransition[]): void {
  for (const [event, list] of node.transitions) {
    for (const transition of list) {
      const meta = (transition.meta ?? {}) as TransitionMeta;
      const [target] = transition.target ?? [];
      transitions.push({
        id: `${name}--t${transitions.length}`,
        source: localId(node),
        target: target === undefined ? null : localId(target),
        event,
        guard: guardName(transition.guard),
        description: transition.description ?? '',
        meta,
        kind: kindOf(meta),
      });
    }
  }
  for (const child of Object.values(node.states)) {
    const key = localId(child);
    states.push({
      id: stateId(name, key),
      key,
      label: child.key,
      description: child.description ?? '',
      parent: node.path.length === 0 ? null : localId(node),
      compound: Object.keys(child.states).length > 0,
    });
    collect(name, child, states, transitions);
  }
}

/** Every state and transition of the machine, in definition order, with the ids the picture uses. */
export function diagramOf(source: DiagramSource): Diagram {
  const states: DiagramState[] = [];
  const transitions: DiagramTransition[] = [];
  collect(source.name, source.machine.root, states, transitions);
  return { name: source.name, title: source.title, machine: source.machine.id, states, transitions };
}

/** `event [guard]`: the one line a transition gets in the picture. */
export function shortLabel(transition: DiagramTransition): string {
  return `${transition.event}${transition.guard === '' ? '' : ` [${transition.guard}]`}`;
}

/** A transition that stays in the state it is defined on: listed inside that state's box. */
export function isInternal(transition: DiagramTransition): boolean {
  return transition.target === null || transition.target === transition.source;
}

// ---------------------------------------------------------------- Mermaid

const mermaidId = (id: string): string => id.replace(/\W/g, '_');

function mermaidState(diagram: Diagram, state: DiagramState, indent: string, lines: string[], initialOf: (key: string) => string | undefined): void {
  const id = mermaidId(state.key);
  if (!state.compound) {
    lines.push(`${indent}${id} : ${state.label}`);
    return;
  }
  lines.push(`${indent}state "${state.label}" as ${id} {`);
  const initial = initialOf(state.key);
  if (initial !== undefined) lines.push(`${indent}  [*] --> ${mermaidId(initial)}`);
  for (const child of diagram.states.filter((s) => s.parent === state.key)) mermaidState(diagram, child, `${indent}  `, lines, initialOf);
  lines.push(`${indent}}`);
}

/** Mermaid stateDiagram-v2 source with short labels; transitions of the whole machine appear in a note. */
export function toMermaid(source: DiagramSource): string {
  const diagram = diagramOf(source);
  const initialOf = (key: string): string | undefined => {
    let node: AnyStateNode = source.machine.root;
    for (const part of key === '' ? [] : key.split('.')) node = node.states[part]!;
    const first = node.initial?.target?.[0];
    return first === undefined ? undefined : localId(first);
  };
  const lines = ['stateDiagram-v2', `  %% ${source.title}`, '  %% Generated by `copyspec diagrams` from the machine definition. Do not edit.'];
  const initial = initialOf('');
  if (initial !== undefined) lines.push(`  [*] --> ${mermaidId(initial)}`);
  for (const state of diagram.states.filter((s) => s.parent === null)) mermaidState(diagram, state, '  ', lines, initialOf);
  const anyState: string[] = [];
  for (const t of diagram.transitions) {
    const text = `${t.kind === 'literal' ? `LITERAL ${t.meta.literal} ` : ''}${shortLabel(t)}`.replace(/:/g, '');
    if (t.source === '') {
      anyState.push(`${text}${t.target === null ? '' : ` → ${t.target}`}`);
      continue;
    }
    lines.push(`  ${mermaidId(t.source)} --> ${mermaidId(t.target ?? t.source)} : ${text}`);
  }
  if (anyState.length > 0 && initial !== undefined) {
    lines.push(`  note right of ${mermaidId(initial)}`, '    In every state:', ...anyState.map((text) => `    ${text}`), '  end note');
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- Graphviz

/** The style of each kind of transition: line, colour, and the word the legend uses. */
export const KIND_STYLE: Readonly<Record<TransitionKind, { readonly line: string; readonly color: string; readonly legend: string }>> = {
  seed: { line: 'solid', color: '#202020', legend: 'solid: in the seed' },
  literal: { line: 'dashed', color: '#b03030', legend: 'dashed red: the seed\'s literal flow, a defect (meta.literal)' },
  ext: { line: 'dotted', color: '#2060a0', legend: 'dotted blue: copyspec\'s extension, not in the seed (meta.ext)' },
};

/** Sizes in points; at the SVG's own size a point is 4/3 of a CSS pixel, so 10 pt is 13 px on screen. */
const FONT = { title: 14, state: 12, transition: 10 } as const;

const dotQuote = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
/** Text for an HTML-like Graphviz label or attribute: plain brackets, markup escaped. */
export const html = (text: string): string => plainBrackets(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The tooltip of a transition: its description and seed references. */
export function tooltipOf(transition: DiagramTransition): string {
  const refs = refsText(transition.meta);
  return `${transition.description}${refs === '' ? '' : ` — ${refs}`}`;
}

/** One label line of an HTML-like Graphviz label: a link to the transition, its tooltip, its kind's colour. */
function transitionCell(transition: DiagramTransition): string {
  const { color } = KIND_STYLE[transition.kind];
  const text = `<FONT POINT-SIZE="${FONT.transition}" COLOR="${color}">${html(shortLabel(transition))}</FONT>`;
  return `<TR><TD ALIGN="LEFT" ID="${transition.id}" HREF="#${transition.id}" TOOLTIP="${html(tooltipOf(transition))}">${text}</TD></TR>`;
}

/** A state's box: its name, and under a rule the transitions that stay in it. */
function stateTable(title: string, titleId: string, tooltip: string, internal: readonly DiagramTransition[], border: string): string {
  const head = `<TR><TD ID="${titleId}" HREF="#${titleId}" TOOLTIP="${html(tooltip)}"><FONT POINT-SIZE="${FONT.state}"><B>${html(title)}</B></FONT></TD></TR>`;
  const rows = internal.length === 0 ? '' : `<HR/>${internal.map(transitionCell).join('')}`;
  return `<<TABLE BORDER="${border === 'none' ? 0 : 1}" ${border === 'none' ? '' : `STYLE="${border}" `}CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">${head}${rows}</TABLE>>`;
}

interface Anchor {
  /** The DOT node the edge is drawn from or to. */
  readonly node: string;
  /** The cluster it is clipped at, for a compound state. */
  readonly cluster?: string;
}

/**
 * The node an edge of state `key` is drawn from or to: a leaf is its own node; a compound state's edges
 * leave from its header node and arrive at its initial leaf, both clipped at the cluster's border, so that
 * they read as leaving or entering the whole compound state.
 */
function anchorOf(machine: AnyStateMachine, key: string, end: 'tail' | 'head'): Anchor {
  if (key === '') return { node: '(any)' };
  let node: AnyStateNode = machine.root;
  for (const part of key.split('.')) node = node.states[part]!;
  if (Object.keys(node.states).length === 0) return { node: key };
  if (end === 'tail') return { node: key, cluster: `cluster_${key}` };
  let leaf = node;
  while (Object.keys(leaf.states).length > 0) leaf = leaf.initial?.target?.[0] ?? Object.values(leaf.states)[0]!;
  return { node: localId(leaf), cluster: `cluster_${key}` };
}

/** One arrow: transitions between the same two states, of one kind, with one label node between its halves. */
interface EdgeGroup {
  readonly id: string;
  readonly transitions: readonly DiagramTransition[];
  readonly tail: Anchor;
  readonly head: Anchor;
  /** The compound state whose cluster holds the label node (the innermost one around both states), or ''. */
  readonly cluster: string;
  /** Drawn against the flow from the initial state: written head first, so that ranks follow the flow. */
  readonly reversed: boolean;
}

/** The compound states around `key`, innermost last (`freezing.draining` is inside `freezing`). */
function enclosing(diagram: Diagram, key: string): string[] {
  const chain: string[] = [];
  for (let at = diagram.states.find((s) => s.key === key)?.parent ?? null; at !== null; at = diagram.states.find((s) => s.key === at)?.parent ?? null) chain.unshift(at);
  return chain;
}

/**
 * Each DOT node's distance from the initial state (and the "any state" box), over the arrows and from each
 * compound state's header to its children: an arrow to a nearer node is drawn reversed, so Graphviz ranks
 * states in the order a reader follows them instead of breaking cycles wherever it meets them first.
 */
function depths(initial: string | undefined, arrows: readonly { tail: string; head: string }[]): Map<string, number> {
  const depth = new Map<string, number>([['(any)', 0]]);
  const queue = ['(any)'];
  if (initial !== undefined) {
    depth.set(initial, 0);
    queue.push(initial);
  }
  for (let at = 0; at < queue.length; at += 1) {
    const from = queue[at]!;
    for (const arrow of arrows) {
      if (arrow.tail !== from || depth.has(arrow.head)) continue;
      depth.set(arrow.head, depth.get(from)! + 1);
      queue.push(arrow.head);
    }
  }
  return depth;
}

function edgeGroups(source: DiagramSource, diagram: Diagram): EdgeGroup[] {
  const byEnds = new Map<string, DiagramTransition[]>();
  for (const t of diagram.transitions.filter((x) => !isInternal(x))) {
    const key = `${t.source}\u0000${t.target}\u0000${t.kind}`;
    byEnds.set(key, [...(byEnds.get(key) ?? []), t]);
  }
  const planned = [...byEnds.values()].map((transitions, index) => {
    const { source: from, target: to } = transitions[0]!;
    const outer = enclosing(diagram, from);
    const inner = enclosing(diagram, to!);
    const common = outer.filter((key, i) => inner[i] === key);
    return { id: `${diagram.name}--e${index}`, transitions, tail: anchorOf(source.machine, from, 'tail'), head: anchorOf(source.machine, to!, 'head'), cluster: common.at(-1) ?? '' };
  });
  const contains = diagram.states.filter((s) => s.parent !== null).map((s) => ({ tail: s.parent!, head: s.key }));
  const initial = source.machine.root.initial?.target?.[0];
  const depth = depths(initial === undefined ? undefined : anchorOf(source.machine, localId(initial), 'head').node,
    [...planned.map((g) => ({ tail: g.tail.node, head: g.head.node })), ...contains]);
  const far = Number.MAX_SAFE_INTEGER;
  return planned.map((g) => ({ ...g, reversed: (depth.get(g.head.node) ?? far) < (depth.get(g.tail.node) ?? far) }));
}

/** The label node of an arrow: one line per transition, each a link with its tooltip. */
function labelNode(group: EdgeGroup): string {
  const rows = group.transitions.map(transitionCell).join('');
  return `${dotQuote(group.id)} [id=${dotQuote(group.id)}, label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">${rows}</TABLE>>];`;
}

/**
 * The two halves of an arrow, tail to label node and label node to head, with the arrowhead at the head; a
 * reversed arrow is written head first with `dir=back`, which draws the same picture.
 */
function arrowLines(group: EdgeGroup): string[] {
  const style = KIND_STYLE[group.transitions[0]!.kind];
  const common = [`style=${style.line}`, `color=${dotQuote(style.color)}`,
    `tooltip=${dotQuote(group.transitions.map((t) => `${shortLabel(t)}: ${plainBrackets(tooltipOf(t))}`).join('; '))}`];
  const clip = (anchor: Anchor, side: 'ltail' | 'lhead'): string[] => (anchor.cluster === undefined ? [] : [`${side}=${dotQuote(anchor.cluster)}`]);
  const label = dotQuote(group.id);
  if (!group.reversed) {
    return [
      `  ${dotQuote(group.tail.node)} -> ${label} [${[`id=${dotQuote(`${group.id}--from`)}`, 'arrowhead=none', ...common, ...clip(group.tail, 'ltail')].join(', ')}];`,
      `  ${label} -> ${dotQuote(group.head.node)} [${[`id=${dotQuote(`${group.id}--to`)}`, ...common, ...clip(group.head, 'lhead')].join(', ')}];`,
    ];
  }
  return [
    `  ${dotQuote(group.head.node)} -> ${label} [${[`id=${dotQuote(`${group.id}--to`)}`, 'dir=back', ...common, ...clip(group.head, 'ltail')].join(', ')}];`,
    `  ${label} -> ${dotQuote(group.tail.node)} [${[`id=${dotQuote(`${group.id}--from`)}`, 'dir=none', ...common, ...clip(group.tail, 'lhead')].join(', ')}];`,
  ];
}

/**
 * States as nodes; a compound state as a cluster whose first node, its header, holds its name and the
 * transitions that stay in it, followed by the label nodes of the arrows between its children. A cluster's
 * own label would sit where edges leaving the cluster cross it; a header is a node, which Graphviz routes
 * edges around, and invisible edges keep it above the children.
 */
function dotStates(diagram: Diagram, groups: readonly EdgeGroup[], parent: string | null, indent: string, lines: string[]): void {
  for (const state of diagram.states.filter((s) => s.parent === parent)) {
    const internal = diagram.transitions.filter((t) => t.source === state.key && isInternal(t));
    const tooltip = plainBrackets(state.description || state.key);
    const label = stateTable(state.label, `${state.id}--name`, tooltip, internal, state.compound ? 'none' : 'rounded');
    if (!state.compound) {
      lines.push(`${indent}${dotQuote(state.key)} [id=${dotQuote(state.id)}, label=${label}];`);
      continue;
    }
    lines.push(
      `${indent}subgraph ${dotQuote(`cluster_${state.key}`)} {`,
      `${indent}  id=${dotQuote(`${state.id}--box`)}; label=""; style=rounded; color="#606060";`,
      `${indent}  ${dotQuote(state.key)} [id=${dotQuote(state.id)}, label=${label}];`,
    );
    dotStates(diagram, groups, state.key, `${indent}  `, lines);
    for (const group of groups.filter((g) => g.cluster === state.key)) lines.push(`${indent}  ${labelNode(group)}`);
    for (const child of diagram.states.filter((s) => s.parent === state.key)) {
      lines.push(`${indent}  ${dotQuote(state.key)} -> ${dotQuote(child.key)} [style=invis];`);
    }
    lines.push(`${indent}}`);
  }
}

/**
 * Graphviz DOT, drawn top to bottom from the initial state: compound states become clusters with a header
 * node; machine-wide transitions belong to a dashed box named "any state"; transitions between the same two
 * states of the same kind share one arrow, whose label is a node of its own, one line per transition, so
 * that Graphviz, which never lets two nodes overlap, cannot lay one label over another.
 */
export function toDot(source: DiagramSource): string {
  const diagram = diagramOf(source);
  const groups = edgeGroups(source, diagram);
  const legend = Object.values(KIND_STYLE).map((s) => s.legend).join(' · ');
  const lines = [
    `digraph ${dotQuote(source.machine.id)} {`,
    `  label=<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2"><TR><TD ALIGN="LEFT"><FONT POINT-SIZE="${FONT.title}">${html(source.title)}</FONT></TD></TR>`
      + `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="${FONT.transition}">${html(legend)}</FONT></TD></TR></TABLE>>;`,
    '  labelloc=t; labeljust=l; fontname="Helvetica"; compound=true; rankdir=TB; nodesep=0.4; ranksep=0.5; pad=0.2;',
    '  node [shape=plain, fontname="Helvetica"]; edge [fontname="Helvetica", arrowsize=0.8];',
    '  "(initial)" [shape=point, width=0.12];',
  ];
  const machineWide = diagram.transitions.filter((t) => t.source === '');
  if (machineWide.length > 0) {
    const table = stateTable('any state', `${diagram.name}--s---name`, 'Transitions the machine takes in every state.', machineWide.filter(isInternal), 'dashed');
    lines.push(`  "(any)" [id=${dotQuote(`${diagram.name}--s-`)}, label=${table}];`);
  }
  dotStates(diagram, groups, null, '  ', lines);
  for (const group of groups.filter((g) => g.cluster === '')) lines.push(`  ${labelNode(group)}`);
  const initial = source.machine.root.initial?.target?.[0];
  if (initial !== undefined) lines.push(`  "(initial)" -> ${dotQuote(anchorOf(source.machine, localId(initial), 'head').node)};`);
  for (const group of groups) lines.push(...arrowLines(group));
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

export async function toSvg(dot: string): Promise<string> {
  const graphviz = await Graphviz.load();
  return graphviz.dot(dot);
}

/** A markdown table cell: no pipes or line breaks. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The markdown page: the diagram inline (Mermaid) and every transition with its description and references. */
export function toMarkdown(source: DiagramSource, mermaid: string): string {
  const diagram = diagramOf(source);
  const where = (key: string | null, fallback: string): string => (key === null ? fallback : key === '' ? 'any state' : key);
  return [
    `# ${source.title}`,
    '',
    `Generated by \`copyspec diagrams\` from the machine definition; do not edit. The picture shows each`,
    'transition as `event [guard]`, where a guard names the variant parameter that enables it; the table below',
    'has each one\'s description and seed references (`(steps) [paragraphs] rows`). `LITERAL` transitions',
    'exist only in a literal-defect variant (`meta.literal`), and `ext` marks a transition the seed does not have',
    '(its `meta.ext` says why). The SVG beside this page is the same machine drawn by Graphviz, with the same',
    'references in each transition\'s tooltip; `copyspec report` draws it with clickable states and transitions.',
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
    '| from | transition | to | kind | seed | what it does |',
    '|---|---|---|---|---|---|',
    ...diagram.transitions.map((t) => `| ${cell(where(t.source, ''))} | \`${cell(shortLabel(t))}\` | ${cell(where(t.target, '(stays)'))} | ${t.kind} | ${cell(refsText(t.meta))} | ${cell(plainBrackets(t.description))} |`),
    '',
  ].join('\n');
}

/** Every file `copyspec diagrams` writes, by path relative to the output folder. */
export async function renderDiagrams(sources: readonly DiagramSource[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const source of sources) {
    const mermaid = toMermaid(source);
    const dot = toDot(source);
    files.set(`${source.name}.mmd`, mermaid);
    files.set(`${source.name}.dot`, dot);
    files.set(`${source.name}.md`, toMarkdown(source, mermaid));
    files.set(`${source.name}.svg`, await toSvg(dot));
  }
  return files;
}
