/**
 * Errata pages generated from the verifier, never written by hand (STYLE.md "Generated, never drawn"): for
 * each literal-defect variant, what the seed says, the shortest counterexample the exhaustive search found,
 * and the fix the embodiment variants carry. `copyspec errata` writes them to docs/errata/ and
 * `copyspec errata --check` fails when the committed pages differ, so a page can never describe a trace the
 * verifier no longer finds.
 *
 * For a lifecycle with a workload driver, a page also shows the built-in ext4 workload on the flow
 * (`ErrataWorkload`, made by src/workload/errata.ts): how many recovered images were wrong, one e2fsck
 * message, the first failure and its replay command.
 *
 * `errataPages` is pure: it takes the exhaustive results and returns file contents by name. Nothing in a
 * page depends on timing (the search's `ms` is left out), so the pages are byte-for-byte reproducible.
 */
import type { AnyLifecycle, VariantInfo, WorkloadFault } from './lifecycle.js';
import { exhaustive } from './verify/exhaustive.js';
import { TRANSITION_COVERAGE, type CheckResult, type Violation } from './verify/report.js';

export interface ErrataInput {
  readonly lifecycle: AnyLifecycle;
  readonly variant: VariantInfo;
  /** The exhaustive result of the variant over the minimal preset. */
  readonly result: CheckResult;
  /**
   * The built-in ext4 workload on the variant (src/workload/errata.ts); undefined leaves the page's
   * workload section out, as the tests that do not run e2fsprogs compare pages without it.
   */
  readonly workload?: ErrataWorkload;
}

/** What a page says about real data through the literal flow: `copyspec workload --ext4` on the variant. */
export type ErrataWorkload =
  | { readonly driven: false }
  | {
    readonly driven: true;
    /** The command that makes the run: `copyspec workload --lifecycle ... --variant ... --ext4 ...`. */
    readonly command: string;
    /** The workload's title and the e2fsprogs that made and checked it. */
    readonly title: string;
    readonly e2fsprogs: string;
    /** The faults the run injected: those of the command that the lifecycle's driver can inject, in its order. */
    readonly faults: readonly WorkloadFault[];
    readonly failurePoints: number;
    readonly mismatches: number;
    readonly fsckDirty: number;
    /** Why the run stopped early, or null. */
    readonly stalled: string | null;
    /** The first failure point at which the image was wrong, and the command that replays it alone. */
    readonly first: { readonly text: string; readonly replay: string } | null;
    /** The first e2fsck complaint about a recovered file system, or null when none was rejected. */
    readonly fsckMessage: string | null;
  };

/** The heading of the workload section, by which tests that do not run e2fsprogs leave it out of a page. */
export const WORKLOAD_SECTION = '## Real data: the built-in ext4 workload';

/** A page without its workload section (the tests compare the rest of the page without running e2fsprogs). */
export function withoutWorkloadSection(page: string): string {
  const start = page.indexOf(`${WORKLOAD_SECTION}\n`);
  if (start === -1) return page;
  const end = page.indexOf('\n## ', start + WORKLOAD_SECTION.length);
  return page.slice(0, start) + (end === -1 ? '' : page.slice(end + 1));
}

/**
 * The faults a page says the run injected. "every fault" was said of drivers that inject none (extent-copy,
 * scheduled-backup: their copies have no link) or one (mirror-pair: power cycles), which overstated the run.
 */
function faultsText(faults: readonly WorkloadFault[]): string {
  return faults.length === 0 ? 'with no fault but the failure itself (its driver injects none)' : `with the ${faults.length === 1 ? 'fault' : 'faults'} ${faults.join(', ')}`;
}

/** The workload section of a page. */
function workloadSection(lifecycle: AnyLifecycle, workload: ErrataWorkload): string[] {
  const lines = [WORKLOAD_SECTION, ''];
  if (!workload.driven) {
    lines.push(`${lifecycle.id} has no workload driver (docs/lifecycles.md), so no real data is replayed through this flow yet.`, '');
    return lines;
  }
  lines.push(
    `The built-in ext4 workload (${workload.title}; e2fsprogs ${workload.e2fsprogs}), replayed through this flow ${faultsText(workload.faults)},`,
    `fails the primary at ${workload.failurePoints} points and checks what is recovered: **${workload.mismatches}** recovered images were not,`,
    `byte for byte, the image of a commit the lifecycle may hand back, and \`e2fsck -fn\` rejected **${workload.fsckDirty}** of the`,
    'recovered file systems.',
    '',
    '```sh',
    workload.command,
    '```',
    '',
  );
  if (workload.stalled !== null) lines.push(`The run stalled: ${workload.stalled}.`, '');
  if (workload.fsckMessage !== null) lines.push('e2fsck on one of them:', '', '```text', workload.fsckMessage, '```', '');
  if (workload.first === null) {
    lines.push('This real-data run does not reach the defect; the exhaustive search above does.', '');
  } else {
    lines.push(`The first wrong one, ${workload.first.text}; replay it alone:`, '', '```sh', workload.first.replay, '```', '');
  }
  return lines;
}

/**
 * The violation a page shows: the shortest trace; among equally short ones, the property the variant lists
 * first in `catches` (the one that names the defect), then the first caught. Transition coverage is not a
 * trace (its lines are the transitions never taken), so it is shown only when nothing else was violated.
 */
export function shortestViolation(result: CheckResult, catches: readonly string[] = []): Violation | null {
  const rank = (v: Violation): number => (catches.includes(v.property) ? catches.indexOf(v.property) : catches.length);
  const traces = result.violations.filter((v) => v.property !== TRANSITION_COVERAGE);
  let best: Violation | null = null;
  for (const violation of traces.length > 0 ? traces : result.violations) {
    if (best === null || violation.trace.length < best.trace.length
      || (violation.trace.length === best.trace.length && rank(violation) < rank(best))) best = violation;
  }
  return best;
}

/** `1 step`, `3 steps`. */
export function stepsText(count: number): string {
  return `${count} ${count === 1 ? 'step' : 'steps'}`;
}

export function pageName(lifecycle: string, variant: string): string {
  return `${lifecycle}--${variant}.md`;
}

/**
 * The machine transitions only the literal flow takes: those the variant enables whose `meta.literal` marks
 * them (docs/lifecycles.md). A variant whose defect is in the data plane alone has none.
 */
function literalTransitions(lifecycle: AnyLifecycle, variant: VariantInfo): string[] {
  const marked = lifecycle.machineTransitions(variant.name).filter((t) => t.meta.literal !== undefined);
  if (marked.length === 0) return [];
  return [
    'The machine transitions that only this literal flow takes (`meta.literal`):',
    '',
    ...marked.map((t) => `- \`${t.edge}\` (${t.meta.literal}): ${t.description}`),
    '',
  ];
}

function page({ lifecycle, variant, result, workload }: ErrataInput): string {
  const shortest = shortestViolation(result, variant.catches);
  const lines = [
    `# ${lifecycle.id} (seed ${lifecycle.seed}): \`${variant.name}\``,
    '',
    `Generated by \`copyspec errata\` from the exhaustive search of the variant; do not edit.`,
    '',
    '## What the seed says',
    '',
    variant.description,
    '',
    `Seed reference: ${variant.ref}.`,
    '',
    ...literalTransitions(lifecycle, variant),
    '## The shortest trace',
    '',
  ];
  if (shortest === null) {
    lines.push('The exhaustive search over the minimal preset finds **no violation**: this page is stale or the variant is no longer defective.');
  } else {
    lines.push(
      `The exhaustive search over the minimal preset (breadth first, so no trace is shorter; ${result.states} worlds, up to the level`,
      `where every property the variant names is violated) violates`,
      `**${shortest.property}** (${shortest.ref}) after ${stepsText(shortest.trace.length - 1)}:`,
      '',
      '```text',
      ...shortest.trace,
      '```',
      '',
      'Replay it step by step:',
      '',
      '```sh',
      shortest.replay,
      '```',
    );
    const others = result.violations.filter((v) => v !== shortest && v.property !== TRANSITION_COVERAGE).map((v) => `- **${v.property}** after ${stepsText(v.trace.length - 1)}`);
    if (others.length > 0) lines.push('', 'The same search also violates:', '', ...others);
  }
  if (workload !== undefined) lines.push('', ...workloadSection(lifecycle, workload).slice(0, -1));
  lines.push('', '## The fix', '', variant.fix ?? 'The embodiment variants of this lifecycle carry the recommended behaviour; see the spec notes.', '');
  return lines.join('\n');
}

/**
 * The search an errata page shows: breadth first over the minimal preset, stopped at the end of the level by
 * which every property the variant names is violated, so that every shortest trace of them is found
 * without searching the whole space (a literal flow's space is often several times an embodiment's).
 */
export function errataSearch(lifecycle: AnyLifecycle, variant: VariantInfo, maxStates: number): CheckResult {
  return exhaustive(lifecycle, variant.name, { maxStates, stopWhenViolated: variant.catches });
}

function index(inputs: readonly ErrataInput[]): string {
  const rows = inputs.map(({ lifecycle, variant, result }) => {
    const shortest = shortestViolation(result, variant.catches);
    const found = shortest === null ? 'none (stale)' : `${shortest.property}, ${stepsText(shortest.trace.length - 1)}`;
    return `| [${lifecycle.id} / \`${variant.name}\`](${pageName(lifecycle.id, variant.name)}) | ${found} |`;
  });
  return [
    '# Errata: the seeds\' literal flows, checked',
    '',
    'Generated by `copyspec errata`; do not edit. One page per literal-defect variant: what the seed says, the',
    'shortest counterexample the exhaustive search finds, and the fix. `copyspec errata --check` fails when a',
    'page no longer matches the verifier.',
    '',
    '| defect | shortest violation |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** Every errata file, by name relative to docs/errata/. */
export function errataPages(inputs: readonly ErrataInput[]): Map<string, string> {
  const files = new Map<string, string>();
  files.set('README.md', index(inputs));
  for (const input of inputs) files.set(pageName(input.lifecycle.id, input.variant.name), page(input));
  return files;
}
