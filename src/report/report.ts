/**
 * `copyspec report` and `copyspec verify --report`: a static HTML site made from a verifier document (the
 * `--json` shape) over every lifecycle in it, written through the generic seam only (the `Lifecycle`
 * interface), so a lifecycle added to `LIFECYCLES` appears in it with no change here.
 *
 * The site is written to a staging folder beside the target and renamed into place, so a failure leaves
 * the previous report whole; a target folder that holds anything but an earlier report is refused, so the
 * command never deletes a user's files.
 */
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { diagramOf, toDot, toSvg } from '../diagrams.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { errataPage, indexPage, lifecyclePage, tracePage } from './pages.js';
import { lifecycleModel, PAGES, tracesOf, transitionOfEdge, type LifecycleModel, type VerifyDocument } from './model.js';
import { playerSteps, type PlayerStep } from './trace.js';

/** The file that marks a folder as a copyspec report, so that writing a new one may replace it. */
export const REPORT_MARKER = '.copyspec-report';

/** Replays every counterexample of a lifecycle, once per trace page. */
function replayAll(lifecycle: AnyLifecycle, document: VerifyDocument): Map<string, PlayerStep[]> {
  const diagrams = lifecycle.machines.map(diagramOf);
  const edgesByVariant = new Map<string, ReturnType<typeof transitionOfEdge>>();
  const replayed = new Map<string, PlayerStep[]>();
  for (const plan of tracesOf(lifecycle, document)) {
    let edges = edgesByVariant.get(plan.variant);
    if (edges === undefined) {
      edges = transitionOfEdge(diagrams, lifecycle.machineTransitions(plan.variant));
      edgesByVariant.set(plan.variant, edges);
    }
    const known = edges;
    replayed.set(plan.page, playerSteps(lifecycle, plan.variant, plan.preset, plan.violation.events, (edge) => known.get(edge)?.id));
  }
  return replayed;
}

async function lifecycleFiles(lifecycle: AnyLifecycle, document: VerifyDocument, generator: string, files: Map<string, string>): Promise<LifecycleModel> {
  const replayed = replayAll(lifecycle, document);
  const taken = new Map([...replayed].map(([name, steps]) => [name, [...new Set(steps.flatMap((s) => s.taken))]]));
  const model = lifecycleModel(lifecycle, document, taken);
  const svgs = new Map<string, string>();
  for (const entry of lifecycle.machines) svgs.set(entry.name, await toSvg(toDot(entry)));
  files.set(model.page, lifecyclePage(model, svgs, generator));
  for (const row of model.variants.filter((v) => v.kind === 'literal-defect')) {
    const searched = row.results.find((r) => r.check === 'exhaustive');
    if (searched !== undefined) files.set(PAGES.errata(lifecycle.id, row.name), errataPage(model, lifecycle.variant(row.name), searched, generator));
  }
  for (const plan of model.traces) files.set(plan.page, tracePage(model, plan, replayed.get(plan.page)!, svgs, generator));
  return model;
}

/**
 * Every page of the report, by file name. Only the lifecycles the document has results for get pages; the
 * index lists them all.
 */
export async function buildReport(lifecycles: readonly AnyLifecycle[], document: VerifyDocument, generator: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const models: LifecycleModel[] = [];
  for (const lifecycle of lifecycles.filter((l) => document.results.some((r) => r.lifecycle === l.id))) {
    models.push(await lifecycleFiles(lifecycle, document, generator, files));
  }
  files.set(PAGES.index, indexPage(document, models, generator));
  return files;
}

/** Why `folder` cannot take a report, or null: it must be new, empty, or an earlier report. */
export async function refusalToWrite(folder: string): Promise<string | null> {
  const found = await stat(folder).catch(() => null);
  if (found === null) return null;
  if (!found.isDirectory()) return `${folder} is a file, not a folder`;
  const names = await readdir(folder);
  if (names.length > 0 && !names.includes(REPORT_MARKER)) return `${folder} holds files that are not a copyspec report; name a new or empty folder`;
  return null;
}

/** A folder the report may not be written to: the command line reports it as bad usage. */
export class ReportFolderRefused extends Error {}

/**
 * Writes the report's files into `folder`, replacing an earlier report there whole, or changes nothing: on a
 * refused folder it throws `ReportFolderRefused` before writing anything.
 */
export async function writeReport(folder: string, files: ReadonlyMap<string, string>): Promise<void> {
  const refused = await refusalToWrite(folder);
  if (refused !== null) throw new ReportFolderRefused(refused);
  const target = resolve(folder);
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, content] of files) await writeFile(join(staging, name), content);
    await writeFile(join(staging, REPORT_MARKER), 'A copyspec report: `copyspec report` may replace this folder whole.\n');
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
