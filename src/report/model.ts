/**
 * What `copyspec report` shows, worked out from the lifecycles and the verifier's results, before any HTML:
 * for each lifecycle its machines' states and transitions (from the machine definitions, src/diagrams.ts),
 * which exhaustive search took each transition (each variant's `machineTransitions` less its
 * `uncoveredTransitions`), the properties each state or transition concerns, the properties each defective
 * variant violated, and the pages of the counterexamples. Everything here is plain JSON: the pages embed it
 * for their panels.
 *
 * "The properties that concern" a state or a transition is read from the words the properties are written
 * in, the same way for every lifecycle: a property concerns a state its name or description names, and a
 * transition whose event its description names or whose seed steps, paragraphs or rows its reference cites.
 */
import { canonicalJson } from '../harness/canonical.js';
import { diagramOf, refsText, type Diagram, type DiagramTransition, type TransitionKind } from '../diagrams.js';
import type { AnyLifecycle, MachineTransition, VariantInfo, VariantKind } from '../lifecycle.js';
import { TRANSITION_COVERAGE, type CheckKind, type CheckResult, type Violation } from '../verify/report.js';

/** The document `copyspec verify --json` prints; the report is made from exactly this. */
export interface VerifyDocument {
  readonly ok: boolean;
  readonly seed: number;
  readonly results: readonly CheckResult[];
}

/**
 * Whether one variant's exhaustive search took the edges of one transition: `full` a whole search (covered
 * false is a gap), `stopped` one that stopped once its defect was found (covered null: not taken before it
 * stopped), `none` no search in this run (covered null).
 */
export interface Coverage {
  readonly variant: string;
  /** Only an embodiment must take every transition; a defective variant's search stops at its violations. */
  readonly kind: VariantKind;
  readonly search: 'full' | 'stopped' | 'none';
  readonly edges: readonly { readonly edge: string; readonly covered: boolean | null }[];
}

export interface TraceLink {
  readonly page: string;
  readonly label: string;
}

export interface TransitionInfo {
  readonly id: string;
  readonly diagram: string;
  readonly source: string;
  readonly target: string | null;
  readonly event: string;
  readonly guard: string;
  readonly description: string;
  readonly refs: string;
  readonly kind: TransitionKind;
  readonly properties: readonly string[];
  readonly coverage: readonly Coverage[];
  readonly traces: readonly TraceLink[];
}

export interface StateInfo {
  readonly id: string;
  readonly diagram: string;
  readonly key: string;
  readonly description: string;
  readonly parent: string | null;
  /** The transitions defined on it or on a state around it. */
  readonly transitions: readonly string[];
  readonly properties: readonly string[];
  /** Per variant with an exhaustive result: whether its search reached the state (null: not searched). */
  readonly reached: Readonly<Record<string, boolean | null>>;
}

export interface PropertyInfo {
  readonly name: string;
  readonly ref: string;
  readonly description: string;
  readonly kind: 'state' | 'step';
  /** Defective variants whose check violated it, with the counterexample's page. */
  readonly violatedBy: readonly TraceLink[];
  /** Embodiments whose check violated it: each a failure of the spec. */
  readonly failedBy: readonly TraceLink[];
  /** Defective variants that name it in `catches` but whose checks in this run did not violate it. */
  readonly missedBy: readonly string[];
}

export interface VariantRow {
  readonly name: string;
  readonly kind: VariantKind;
  readonly description: string;
  readonly ref: string;
  readonly catches: readonly string[];
  readonly results: readonly CheckResult[];
  /** Defective variants: the properties of `catches` no check of this run violated. */
  readonly missed: readonly string[];
}

export interface TracePlan {
  readonly page: string;
  readonly lifecycle: string;
  readonly variant: string;
  readonly check: CheckKind;
  readonly preset: string;
  readonly violation: Violation;
}

export interface LifecycleModel {
  readonly lifecycle: AnyLifecycle;
  readonly page: string;
  readonly diagrams: readonly Diagram[];
  readonly states: readonly StateInfo[];
  readonly transitions: readonly TransitionInfo[];
  readonly properties: readonly PropertyInfo[];
  readonly variants: readonly VariantRow[];
  readonly traces: readonly TracePlan[];
}

/** File names in the report folder: flat, so every page links to every other by its bare name. */
export const PAGES = {
  index: 'index.html',
  lifecycle: (id: string) => `${id}.html`,
  errata: (id: string, variant: string) => `errata--${id}--${variant}.html`,
  trace: (id: string, variant: string, check: CheckKind, property: string) => `trace--${id}--${variant}--${check}--${property}.html`,
} as const;

/** The preset a check ran on: the exhaustive search and control paths on minimal, model-based runs on standard. */
export const presetOf = (check: CheckKind): string => (check === 'exhaustive' ? 'minimal' : 'standard');

const within = (key: string, scope: string): boolean => scope === '' || key === scope || key.startsWith(`${scope}.`);

/** Whether a transition a variant enables is this transition of the machine definition. */
function matches(t: DiagramTransition, enabled: MachineTransition): boolean {
  if (t.event !== enabled.eventType || t.description !== enabled.description || canonicalJson(t.meta) !== canonicalJson(enabled.meta)) return false;
  if (!within(enabled.source, t.source)) return false;
  return t.target === null ? enabled.target === enabled.source : within(enabled.target, t.target);
}

/**
 * For each edge a variant enables, the transition of the machine definition it is: the innermost one that
 * matches, since XState takes the transition of the deepest state that has one.
 */
export function transitionOfEdge(diagrams: readonly Diagram[], enabled: readonly MachineTransition[]): Map<string, DiagramTransition> {
  const found = new Map<string, DiagramTransition>();
  for (const edge of enabled) {
    const candidates = diagrams.filter((d) => d.machine === edge.machine).flatMap((d) => d.transitions).filter((t) => matches(t, edge));
    const innermost = candidates.sort((a, b) => b.source.length - a.source.length)[0];
    if (innermost !== undefined) found.set(edge.edge, innermost);
  }
  return found;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const namesWord = (text: string, word: string): boolean => new RegExp(`(^|[^\\w.-])${escapeRegExp(word)}($|[^\\w-])`).test(text);

type AnyProperty = AnyLifecycle['properties'][number];

export function concernsState(property: AnyProperty, key: string): boolean {
  return namesWord(property.description, key) || (!key.includes('.') && property.name.split('-').includes(key));
}

export function concernsTransition(property: AnyProperty, t: DiagramTransition): boolean {
  const { ref } = property;
  if (property.description.includes(t.event)) return true;
  if ((t.meta.steps ?? []).some((step) => ref.includes(`(${step})`))) return true;
  if ((t.meta.paras ?? []).some((para) => ref.includes(`【${para}】`))) return true;
  // A row is cited alone or as the start of a range: `§8.3` in `§8.3-8.5`, never `D2` in `D20`.
  return (t.meta.rows ?? []).some((row) => new RegExp(`(^|[^\\w.])${escapeRegExp(row)}($|[^\\w])`).test(ref));
}

function traceLabel(plan: TracePlan): string {
  const steps = plan.violation.events.length;
  return `${plan.variant} / ${plan.check}: ${plan.violation.property} in ${steps} step${steps === 1 ? '' : 's'}`;
}

/** Every counterexample of the lifecycle's results that has a trace to step through (coverage gaps have none). */
function tracePlans(lifecycle: AnyLifecycle, results: readonly CheckResult[]): TracePlan[] {
  return results.flatMap((r) => r.violations.filter((v) => v.property !== TRANSITION_COVERAGE).map((violation) => ({
    page: PAGES.trace(lifecycle.id, r.variant, r.check, violation.property),
    lifecycle: lifecycle.id,
    variant: r.variant,
    check: r.check,
    preset: presetOf(r.check),
    violation,
  })));
}

function coverageOf(lifecycle: AnyLifecycle, diagrams: readonly Diagram[], results: readonly CheckResult[]): Map<string, Coverage[]> {
  const byTransition = new Map<string, Coverage[]>();
  for (const variant of lifecycle.variants) {
    const searched = results.find((r) => r.variant === variant.name && r.check === 'exhaustive');
    const search = searched === undefined ? 'none' : searched.stoppedEarly === true ? 'stopped' : 'full';
    const edges = new Map<string, { edge: string; covered: boolean | null }[]>();
    for (const [edge, t] of transitionOfEdge(diagrams, lifecycle.machineTransitions(variant.name))) {
      const taken = searched !== undefined && !searched.uncoveredTransitions.includes(edge);
      const covered = taken ? true : search === 'full' ? false : null;
      edges.set(t.id, [...(edges.get(t.id) ?? []), { edge, covered }]);
    }
    for (const [id, list] of edges) byTransition.set(id, [...(byTransition.get(id) ?? []), { variant: variant.name, kind: variant.kind, search, edges: list }]);
  }
  return byTransition;
}

/** The transitions each counterexample takes: replayed by the trace pages, so only named here. */
export type TakenByTrace = ReadonlyMap<string, readonly string[]>;

function transitionInfos(lifecycle: AnyLifecycle, diagrams: readonly Diagram[], results: readonly CheckResult[], traces: readonly TracePlan[], taken: TakenByTrace): TransitionInfo[] {
  const coverage = coverageOf(lifecycle, diagrams, results);
  return diagrams.flatMap((d) => d.transitions.map((t) => ({
    id: t.id,
    diagram: d.name,
    source: t.source,
    target: t.target,
    event: t.event,
    guard: t.guard,
    description: t.description,
    refs: refsText(t.meta),
    kind: t.kind,
    properties: lifecycle.properties.filter((p) => concernsTransition(p, t)).map((p) => p.name),
    coverage: coverage.get(t.id) ?? [],
    traces: traces.filter((plan) => (taken.get(plan.page) ?? []).includes(t.id)).map((plan) => ({ page: plan.page, label: traceLabel(plan) })),
  })));
}

/** Each machine's state in each variant's initial world, by variant name and machine id. */
function initialStates(lifecycle: AnyLifecycle): Map<string, Readonly<Record<string, string>>> {
  return new Map(lifecycle.variants.map((v) => [v.name, lifecycle.controlStates(lifecycle.initial(v.name, lifecycle.presets.minimal))]));
}

/** Whether a variant's search reached a state: it starts there, or took a transition into it; null when not searched. */
function reachedBy(variant: string, key: string, initial: string | undefined, into: readonly TransitionInfo[]): boolean | null | undefined {
  if (initial !== undefined && within(initial, key)) return true;
  const edges = into.flatMap((t) => t.coverage.filter((c) => c.variant === variant)).flatMap((c) => c.edges);
  if (edges.length === 0) return undefined;
  if (edges.some((e) => e.covered === true)) return true;
  return edges.some((e) => e.covered === null) ? null : false;
}

/** The states of every diagram, and its "any state" box when the machine has transitions of its own. */
function stateInfos(lifecycle: AnyLifecycle, diagrams: readonly Diagram[], transitions: readonly TransitionInfo[]): StateInfo[] {
  const initial = initialStates(lifecycle);
  return diagrams.flatMap((d) => {
    const anyState = d.transitions.some((t) => t.source === '')
      ? [{ id: `${d.name}--s-`, key: '', label: 'any state', description: 'The transitions the machine takes in every state.', parent: null, compound: true }]
      : [];
    return [...anyState, ...d.states].map((s) => {
      const into = transitions.filter((t) => t.diagram === d.name && t.target !== null && within(t.target, s.key));
      const reached: Record<string, boolean | null> = {};
      for (const variant of lifecycle.variants) {
        const found = s.key === '' ? undefined : reachedBy(variant.name, s.key, initial.get(variant.name)?.[d.machine], into);
        if (found !== undefined) reached[variant.name] = found;
      }
      return {
        id: s.id, diagram: d.name, key: s.key, description: s.description, parent: s.parent, reached,
        transitions: transitions.filter((t) => t.diagram === d.name && within(s.key, t.source)).map((t) => t.id),
        properties: s.key === '' ? [] : lifecycle.properties.filter((p) => concernsState(p, s.key)).map((p) => p.name),
      };
    });
  });
}

function propertyInfos(lifecycle: AnyLifecycle, traces: readonly TracePlan[], variants: readonly VariantRow[]): PropertyInfo[] {
  const kindOf = (name: string): VariantKind => lifecycle.variant(name).kind;
  return lifecycle.properties.map((p) => {
    const links = traces.filter((plan) => plan.violation.property === p.name).map((plan) => ({ plan, link: { page: plan.page, label: traceLabel(plan) } }));
    return {
      name: p.name, ref: p.ref, description: p.description, kind: p.state === undefined ? 'step' as const : 'state' as const,
      violatedBy: links.filter(({ plan }) => kindOf(plan.variant) !== 'embodiment').map(({ link }) => link),
      failedBy: links.filter(({ plan }) => kindOf(plan.variant) === 'embodiment').map(({ link }) => link),
      missedBy: variants.filter((v) => v.missed.includes(p.name)).map((v) => v.name),
    };
  });
}

/**
 * The properties a defective variant names in `catches` that none of its checks in `results` violated: a
 * defect the checks no longer catch. Empty for an embodiment, and for a variant with no check in `results`.
 */
export function missedCatches(variant: VariantInfo, results: readonly CheckResult[]): string[] {
  if (variant.kind === 'embodiment' || results.length === 0) return [];
  const found = new Set(results.flatMap((r) => r.violations.map((x) => x.property)));
  return variant.catches.filter((name) => !found.has(name));
}

function variantRows(lifecycle: AnyLifecycle, results: readonly CheckResult[]): VariantRow[] {
  return lifecycle.variants.map((v) => {
    const own = results.filter((r) => r.variant === v.name);
    return { name: v.name, kind: v.kind, description: v.description, ref: v.ref, catches: v.catches, results: own, missed: missedCatches(v, own) };
  });
}

/**
 * The model of one lifecycle's pages. `taken` names, per trace page, the transitions its counterexample
 * takes (src/report/trace.ts replays them); the transitions' panels link to those pages.
 */
export function lifecycleModel(lifecycle: AnyLifecycle, document: VerifyDocument, taken: TakenByTrace): LifecycleModel {
  const results = document.results.filter((r) => r.lifecycle === lifecycle.id);
  const diagrams = lifecycle.machines.map(diagramOf);
  const traces = tracePlans(lifecycle, results);
  const transitions = transitionInfos(lifecycle, diagrams, results, traces, taken);
  const variants = variantRows(lifecycle, results);
  return {
    lifecycle,
    page: PAGES.lifecycle(lifecycle.id),
    diagrams,
    states: stateInfos(lifecycle, diagrams, transitions),
    transitions,
    properties: propertyInfos(lifecycle, traces, variants),
    variants,
    traces,
  };
}

/** The trace pages a lifecycle's results call for, before anything is replayed. */
export function tracesOf(lifecycle: AnyLifecycle, document: VerifyDocument): TracePlan[] {
  return tracePlans(lifecycle, document.results.filter((r) => r.lifecycle === lifecycle.id));
}
