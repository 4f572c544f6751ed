/**
 * The pages of `copyspec report`, each a pure function of the report model (src/report/model.ts) and the
 * rendered diagrams: the index (the summary table of every check, as `copyspec verify` prints it), one page
 * per lifecycle (its machines drawn, its transitions, properties and variants), one per errata page, and
 * one trace player per counterexample.
 */
import { shortestViolation } from '../errata.js';
import { KIND_STYLE, shortLabel, type DiagramTransition } from '../diagrams.js';
import type { VariantInfo } from '../lifecycle.js';
import { TRANSITION_COVERAGE, type CheckResult, type Violation } from '../verify/report.js';
import { inlineSvg, jsonScript, link, page, table, text } from './html.js';
import { PAGES, type LifecycleModel, type TraceLink, type TracePlan, type VariantRow, type VerifyDocument } from './model.js';
import type { PlayerStep } from './trace.js';

/** Rendered SVG by diagram name. */
export type Svgs = ReadonlyMap<string, string>;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const links = (list: readonly TraceLink[]): string => (list.length === 0 ? '' : list.map((l) => link(l.page, l.label)).join('<br>'));

/** A check's verdict as a reader wants it: an embodiment holds or is violated; a defective variant is caught or not. */
function verdictOf(row: VariantRow | undefined, result: CheckResult): string {
  const violated = result.violations.length > 0;
  if (row === undefined || row.kind === 'embodiment') {
    return violated ? '<span class="verdict-violated">VIOLATED</span>' : '<span class="verdict-holds">holds</span>';
  }
  if (row.missed.length > 0) return `<span class="verdict-missed">not caught: ${text(row.missed.join(', '))}</span>`;
  return violated ? '<span class="verdict-caught">caught</span>' : '<span class="hint">nothing found by this check</span>';
}

function violationCell(lifecycle: string, result: CheckResult): string {
  return result.violations.map((v) => (v.property === TRANSITION_COVERAGE
    ? `${text(v.property)}: ${text(v.ref)}`
    : link(PAGES.trace(lifecycle, result.variant, result.check, v.property), `${v.property} (${v.events.length} steps)`))).join('<br>');
}

export function indexPage(document: VerifyDocument, models: readonly LifecycleModel[], generator: string): string {
  const rows = models.flatMap((m) => m.variants.flatMap((row) => row.results.map((r) => [
    link(m.page, m.lifecycle.id), link(`${m.page}#variant-${r.variant}`, r.variant), text(row.kind), text(r.check),
    r.check === 'exhaustive' ? `${r.states}${r.stoppedEarly === true ? ' (stopped once caught)' : ''}` : '-',
    r.check === 'exhaustive' ? `${r.transitionsCovered}/${r.transitions}` : '-',
    String(r.runs), String(r.steps), String(r.properties.length), violationCell(m.lifecycle.id, r), seconds(r.ms), verdictOf(row, r),
  ])));
  const checks = models.reduce((n, m) => n + m.variants.reduce((k, v) => k + v.results.length, 0), 0);
  const failing = models.flatMap((m) => m.variants.filter((v) => (v.kind === 'embodiment' && v.results.some((r) => r.violations.length > 0)) || v.missed.length > 0));
  const errata = models.flatMap((m) => m.variants.filter((v) => v.kind === 'literal-defect' && v.results.some((r) => r.check === 'exhaustive'))
    .map((v) => `<li>${link(PAGES.errata(m.lifecycle.id, v.name), `${m.lifecycle.id} / ${v.name}`)}: ${text(v.description)}</li>`));
  const traces = models.flatMap((m) => m.traces.map((t) => [
    text(t.lifecycle), text(t.variant), text(t.check), text(t.violation.property), String(t.violation.events.length), link(t.page, 'step through'),
  ]));
  const body = [
    `<p>${failing.length === 0 ? '<span class="verdict-holds">Every embodiment holds every property, and every defective variant checked is caught.</span>' : `<span class="verdict-violated">${failing.length} variants fail: ${text(failing.map((v) => v.name).join(', '))}.</span>`}`
      + ` ${checks} checks; model-based seed ${document.seed}. Each lifecycle page draws its machines: click a state or a transition.</p>`,
    '<h2>Lifecycles</h2>',
    `<ul>${models.map((m) => `<li>${link(m.page, m.lifecycle.id)} (seed ${text(m.lifecycle.seed)}): ${text(m.lifecycle.title)}; ${m.diagrams.length} machine${m.diagrams.length === 1 ? '' : 's'}, ${m.properties.length} properties</li>`).join('')}</ul>`,
    '<h2 id="checks">Checks</h2>',
    table(['lifecycle', 'variant', 'kind', 'check', 'states', 'transitions', 'runs', 'steps', 'properties', 'violations', 'time', 'verdict'], rows, 'checks'),
    '<h2 id="errata">Errata</h2>',
    errata.length === 0 ? '<p class="hint">No literal-defect variant was searched in this run.</p>' : `<ul>${errata.join('')}</ul>`,
    '<h2 id="counterexamples">Counterexamples</h2>',
    traces.length === 0 ? '<p class="hint">No property was violated in this run.</p>' : table(['lifecycle', 'variant', 'check', 'property', 'steps', 'trace player'], traces),
  ].join('\n');
  return page({ title: 'copyspec report', kind: 'index', crumbs: [], body, generator });
}

function transitionRow(t: DiagramTransition, m: LifecycleModel): string[] {
  const info = m.transitions.find((x) => x.id === t.id)!;
  const covered = info.coverage.filter((c) => c.search !== 'none' && c.kind === 'embodiment').map((c) => {
    const taken = c.edges.filter((e) => e.covered === true).length;
    const all = taken === c.edges.length;
    const className = all ? 'covered-yes' : c.search === 'full' ? 'covered-no' : 'hint';
    return `<span class="${className}">${text(c.variant)}${all ? '' : ` ${taken}/${c.edges.length}${c.search === 'stopped' ? ' (stopped)' : ''}`}</span>`;
  }).join(' ');
  return [
    `<a href="#${text(t.id)}">${text(t.source === '' ? 'any state' : t.source)}</a>`,
    `<code class="kind-${t.kind}">${text(shortLabel(t))}</code>`,
    text(t.target ?? '(stays)'), text(t.kind), text(info.refs), text(t.description), covered,
  ];
}

function machinesSection(m: LifecycleModel, svgs: Svgs): string {
  const figures = m.diagrams.map((d) => [
    `<figure class="machine" id="machine-${text(d.name)}"><figcaption>${text(d.title)}</figcaption>`,
    `<div class="diagram-box">${inlineSvg(svgs.get(d.name)!, d.name)}</div></figure>`,
  ].join('\n'));
  const legend = Object.values(KIND_STYLE).map((s) => s.legend).join(' · ');
  return [
    '<section id="machines"><h2>Machines</h2>',
    `<p class="hint">Click a state or a transition, or Tab to it and press Enter, to see what it does, its seed references, its guard, the properties it concerns and whether the exhaustive search took it; Escape closes the panel. A transition that stays in its state is listed inside the state's box. ${text(legend)}; a wavy underline marks a transition the exhaustive search of an embodiment never took (a gap in the check).</p>`,
    ...figures,
    '</section>',
  ].join('\n');
}

function transitionsSection(m: LifecycleModel): string {
  const tables = m.diagrams.map((d) => {
    const rows = d.transitions.map((t) => transitionRow(t, m));
    // Each row carries its transition's id, so that the panel can mark it.
    const html = table(['from', 'transition', 'to', 'kind', 'seed', 'what it does', 'taken by the search of (embodiments)'], rows, 'transitions', d.transitions.map((t) => `row-${t.id}`));
    return `<h3>${text(d.title)}</h3>\n${html}`;
  });
  return ['<section id="transitions"><h2>Transitions</h2>', ...tables, '</section>'].join('\n');
}

function propertiesSection(m: LifecycleModel): string {
  const rows = m.properties.map((p) => [
    `<span id="property-${text(p.name)}"><b>${text(p.name)}</b></span>`, text(p.kind), text(p.ref), text(p.description),
    links(p.violatedBy) || '<span class="hint">none in this run</span>',
    [links(p.failedBy) === '' ? '' : `<span class="verdict-violated">embodiment:</span> ${links(p.failedBy)}`,
      p.missedBy.length === 0 ? '' : `<span class="verdict-missed">named but not found by ${text(p.missedBy.join(', '))}</span>`].filter((x) => x !== '').join('<br>'),
  ]);
  return [
    '<section id="properties"><h2>Properties</h2>',
    '<p class="hint">Each invariant the checks test after every step, with the counterexamples that violate it. A state property holds in every world, a step property for every step.</p>',
    table(['property', 'kind', 'seed', 'what it says', 'violated by (defective variants)', 'problems'], rows),
    '</section>',
  ].join('\n');
}

function variantsSection(m: LifecycleModel): string {
  const rows = m.variants.map((v) => [
    `<span id="variant-${text(v.name)}"><b>${text(v.name)}</b></span>`, text(v.kind), text(v.description), text(v.ref), text(v.catches.join(', ')),
    v.results.length === 0 ? '<span class="hint">not checked in this run</span>'
      : v.results.map((r) => `${text(r.check)}: ${r.check === 'exhaustive' ? `${r.states} worlds${r.stoppedEarly === true ? ' (stopped once caught)' : ''}, ` : ''}${r.violations.length} violations ${verdictOf(v, r)}`).join('<br>'),
    v.kind === 'literal-defect' && v.results.some((r) => r.check === 'exhaustive') ? link(PAGES.errata(m.lifecycle.id, v.name), 'errata page') : '',
  ]);
  return ['<section id="variants"><h2>Variants</h2>', table(['variant', 'kind', 'what it is', 'seed', 'must violate', 'checks in this run', ''], rows), '</section>'].join('\n');
}

export function lifecyclePage(m: LifecycleModel, svgs: Svgs, generator: string): string {
  const { lifecycle } = m;
  const byId = <T extends { id: string }>(list: readonly T[]): Record<string, T> => Object.fromEntries(list.map((x) => [x.id, x]));
  const panelData = {
    states: byId(m.states),
    transitions: byId(m.transitions),
    properties: Object.fromEntries(m.properties.map((p) => [p.name, { ref: p.ref, description: p.description }])),
  };
  const traces = m.traces.map((t) => `<li>${link(t.page, `${t.variant} / ${t.check}: ${t.violation.property} in ${t.violation.events.length} steps`)}</li>`);
  const body = [
    `<p>Seed ${text(lifecycle.seed)}. ${text(lifecycle.title)}. Jump to ${['machines', 'transitions', 'properties', 'variants', 'counterexamples'].map((id) => link(`#${id}`, id)).join(' · ')}.</p>`,
    machinesSection(m, svgs),
    transitionsSection(m),
    propertiesSection(m),
    variantsSection(m),
    `<section id="counterexamples"><h2>Counterexamples</h2>${traces.length === 0 ? '<p class="hint">None in this run.</p>' : `<ul>${traces.join('')}</ul>`}</section>`,
    '<aside id="panel" hidden aria-label="details" aria-live="polite"></aside>',
    jsonScript('report-data', panelData),
  ].join('\n');
  return page({ title: `${lifecycle.id} (seed ${lifecycle.seed})`, kind: 'lifecycle', crumbs: [link(m.page, lifecycle.id)], body, generator });
}

/** The errata page of a literal-defect variant, with the same content as docs/errata/ and a link to its player. */
export function errataPage(m: LifecycleModel, variant: VariantInfo, result: CheckResult, generator: string): string {
  const shortest: Violation | null = shortestViolation(result, variant.catches);
  const literal = m.lifecycle.machineTransitions(variant.name).filter((t) => t.meta.literal !== undefined);
  const others = result.violations.filter((v) => v !== shortest && v.property !== TRANSITION_COVERAGE);
  const trace = shortest === null ? '<p class="verdict-missed">The exhaustive search finds no violation: the variant is no longer defective.</p>' : [
    `<p>The exhaustive search over the minimal preset (breadth first, so no trace is shorter) violates <b>${text(shortest.property)}</b> (${text(shortest.ref)}) after ${shortest.events.length} steps. ${link(PAGES.trace(m.lifecycle.id, variant.name, 'exhaustive', shortest.property), 'Step through it on the diagram')}.</p>`,
    `<pre>${text(shortest.trace.join('\n'))}</pre>`,
    `<p>Replay it step by step:</p><pre>${text(shortest.replay)}</pre>`,
    others.length === 0 ? '' : `<p>The same search also violates:</p><ul>${others.map((v) => `<li>${link(PAGES.trace(m.lifecycle.id, variant.name, 'exhaustive', v.property), `${v.property} after ${v.events.length} steps`)}</li>`).join('')}</ul>`,
  ].join('\n');
  const body = [
    '<h2>What the seed says</h2>', `<p>${text(variant.description)}</p>`, `<p>Seed reference: ${text(variant.ref)}.</p>`,
    literal.length === 0 ? '' : `<p>The machine transitions that only this literal flow takes (<code>meta.literal</code>):</p><ul>${literal.map((t) => `<li><code>${text(t.edge)}</code> (${text(t.meta.literal!)}): ${text(t.description)}</li>`).join('')}</ul>`,
    '<h2>The shortest trace</h2>', trace,
    '<h2>The fix</h2>', `<p>${text(variant.fix ?? 'The embodiment variants of this lifecycle carry the recommended behaviour; see the spec notes.')}</p>`,
  ].join('\n');
  return page({ title: `Errata: ${m.lifecycle.id} / ${variant.name}`, kind: 'errata', crumbs: [link(m.page, m.lifecycle.id), link(PAGES.errata(m.lifecycle.id, variant.name), variant.name)], body, generator });
}

/** The trace player of one counterexample (its behaviour is the page script's, src/report/assets.ts). */
export function tracePage(m: LifecycleModel, plan: TracePlan, steps: readonly PlayerStep[], svgs: Svgs, generator: string): string {
  const { violation } = plan;
  const replay = violation.seed === undefined ? '' : `<p>Model-based run: seed ${violation.seed}, path <code>${text(violation.path ?? '')}</code>.</p>`;
  const stepList = steps.map((s) => `<li><button type="button" class="${s.failed.length > 0 ? 'failed' : ''}">${text(`${s.index}. ${s.line}${s.failed.length > 0 ? `  ✗ ${s.failed.join(', ')}` : ''}`)}</button></li>`).join('\n');
  const diagrams = m.diagrams.map((d) => `<div class="diagram-box" data-machine="${text(d.machine)}">${inlineSvg(svgs.get(d.name)!, d.name)}</div>`).join('\n');
  const legend = '<p class="legend">Grids: <span class="cell differs">01</span> differs from the model · <span class="cell changed">01</span> changed by this step · <span class="cell bit-1">1</span> a set bit · <span class="cell unknown">--</span> holds nothing.</p>';
  const body = [
    '<section class="player" aria-label="trace player">',
    '<div class="player-head">',
    `<p><b>${text(violation.property)}</b> (${text(violation.ref)}) is violated by <b>${text(plan.variant)}</b> (${text(plan.check)} check, ${text(plan.preset)} preset) after ${violation.events.length} steps.</p>`,
    `<p>Replay: <code>${text(violation.replay)}</code></p>`,
    replay,
    '</div>',
    '<div class="player-body">',
    `<div class="player-diagrams">${diagrams}</div>`,
    '<div class="player-side">',
    '<div class="controls" role="toolbar" aria-label="step through the trace">',
    '<button type="button" data-go="first" aria-label="first step (Home)">« first</button>',
    '<button type="button" data-go="prev" aria-label="back one step (left arrow or k)">‹ back</button>',
    '<output id="step-count" aria-live="polite"></output>',
    '<button type="button" data-go="next" aria-label="forward one step (right arrow or j)">forward ›</button>',
    '<button type="button" data-go="last" aria-label="last step (End)">last »</button>',
    '</div>',
    '<p class="keys">Keys: → or j forward, ← or k back, Home first, End last. The current state is outlined in orange, the step\'s transitions are highlighted.</p>',
    '<div id="step-detail"></div>',
    legend,
    '<div id="grids"></div>',
    `<ol id="step-list" aria-label="every step">${stepList}</ol>`,
    '</div>',
    '</div>',
    '</section>',
    jsonScript('trace-data', { steps, kinds: m.lifecycle.observedKinds, machines: m.diagrams.map((d) => ({ machine: d.machine, diagram: d.name })) }),
  ].join('\n');
  return page({
    title: `${m.lifecycle.id} / ${plan.variant}: ${violation.property}`,
    kind: 'trace',
    crumbs: [link(m.page, m.lifecycle.id), link(plan.page, `${plan.variant} ${plan.check} ${violation.property}`)],
    body,
    generator,
  });
}
