/**
 * The conformance suite every registered lifecycle must pass, with no lifecycle-specific test code
 * (docs/lifecycles.md). test/conformance/*.test.ts run it over LIFECYCLES, split in three files so that
 * vitest runs them side by side; test/harness/toggle.test.ts runs it over a throwaway one-bit lifecycle to
 * show that a lifecycle needs only its own files and one registry line.
 *
 * - `embodimentChecks`: every embodiment holds every property in every reachable world of the minimal
 *   preset, takes every machine transition, keeps its pinned counts, and agrees with the model over
 *   model-based runs.
 * - `defectChecks`: every literal-defect and broken variant is caught, each property it names found with a
 *   trace and a replay command; every property is violated by some defective variant; the errata pages
 *   match what the verifier finds.
 * - `artifactChecks`: vectors, docs/vectors.md and diagrams are current; the reference consumer replays every
 *   vector; every rejection reason appears; a refused command changes nothing; the control tables answer as
 *   XState does; every transition carries a description and a seed reference; commands parse back; every
 *   diagram's labels can be read (src/diagram-layout.ts); the
 *   report's grids and marks (`observedKinds`, `differences`) name only cells that exist.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transition, initialTransition } from 'xstate';
import { describe, expect, test } from 'vitest';
import { ControlTable, stateKey, type TransitionMeta } from '../../src/control.js';
import { checkLayout } from '../../src/diagram-layout.js';
import { renderDiagrams, toDot, toSvg } from '../../src/diagrams.js';
import { errataPages, errataSearch, withoutWorkloadSection, type ErrataInput } from '../../src/errata.js';
import { realizeControlPath } from '../../src/harness/control-paths.js';
import { eventTypesOf } from '../../src/harness/machines.js';
import type { AnyLifecycle, MachineEntry, ObservedKind, VariantInfo } from '../../src/lifecycle.js';
import { consumeVectors, generateVectors, type VectorFile } from '../../src/vectors.js';
import { exhaustive } from '../../src/verify/exhaustive.js';
import { modelBased } from '../../src/verify/model-based.js';
import { TRANSITION_COVERAGE, type CheckResult } from '../../src/verify/report.js';
import { failures } from '../../src/verify/trace.js';

/** Seeded so a failure replays; the seed, path and replay command are in the failure message. */
const SEED = Number(process.env['COPYSPEC_SEED'] ?? 20261121);
const RUNS = Number(process.env['COPYSPEC_RUNS'] ?? 300);
/** Model-based runs that each defective variant gets to be caught in, and their seed. */
const DEFECT_RUNS = 2000;
const DEFECT_SEED = 7;
const MAX_STATES = 2_000_000;

const embodimentsOf = (lifecycle: AnyLifecycle): VariantInfo[] => lifecycle.variants.filter((v) => v.kind === 'embodiment');
const defectiveOf = (lifecycle: AnyLifecycle): VariantInfo[] => lifecycle.variants.filter((v) => v.kind !== 'embodiment');

/**
 * Exhaustive results of defective variants, each computed once per test file. A literal defect is searched
 * as its errata page shows it: until every property it names is found, which keeps every shortest trace of
 * them. A broken variant is searched for what its model-based runs (`sampled`) did not find: until those
 * properties are found, and not past the initial world when the runs found them all (two of
 * freeze-remote-copy's are found by no search of the minimal preset and were 40 s of this file).
 */
function defectSearches(sampled: (lifecycle: AnyLifecycle, variant: string) => CheckResult): (lifecycle: AnyLifecycle, variant: string) => CheckResult {
  const results = new Map<string, CheckResult>();
  return (lifecycle, variant) => {
    const id = `${lifecycle.id}/${variant}`;
    let result = results.get(id);
    if (result === undefined) {
      const info = lifecycle.variant(variant);
      if (info.kind === 'literal-defect') {
        result = errataSearch(lifecycle, info, MAX_STATES);
      } else {
        const found = new Set(sampled(lifecycle, variant).violations.map((v) => v.property));
        result = exhaustive(lifecycle, variant, { maxStates: MAX_STATES, stopWhenViolated: info.catches.filter((name) => !found.has(name)) });
      }
      results.set(id, result);
    }
    return result;
  };
}

function report(result: CheckResult): string {
  return result.violations.map((v) => `${v.property} (${v.ref})\n${v.trace.join('\n')}\nreplay: ${v.replay}`).join('\n\n');
}

export function embodimentChecks(lifecycles: readonly AnyLifecycle[]): void {
  for (const lifecycle of lifecycles) {
    describe(`${lifecycle.id}: conformance`, () => {
      const embodiments = embodimentsOf(lifecycle).map((v) => v.name);

      test(`${lifecycle.id}: conformance: every embodiment variant is pinned, and only those`, () => {
        expect(embodiments.length).toBeGreaterThan(0);
        expect([...embodiments].sort()).toEqual(Object.keys(lifecycle.pinned).sort());
      });

      // With a layout the same search also shows that the packed form stands for the key in the checker's
      // visited set (src/harness/layout.ts): over every world it makes, two worlds pack alike exactly when
      // their keys are equal, and a world rebuilt from its packed words has its key. A lifecycle without a
      // layout is stored by its key itself.
      const packs = lifecycle.layout === undefined ? '' : ', and packs worlds alike exactly when their keys are equal';
      test.each(embodiments)(`${lifecycle.id}: conformance: exhaustive: %s holds every property, takes every transition, keeps its pins${packs}`, (variant) => {
        const packing = lifecycle.layout === undefined ? null : packingAgreesWithKey(lifecycle, variant);
        const result = packing?.result ?? exhaustive(lifecycle, variant, { maxStates: MAX_STATES });
        expect(report(result)).toBe('');
        expect(result.uncoveredTransitions).toEqual([]);
        expect({ states: result.states, transitions: result.transitions }).toEqual(lifecycle.pinned[variant]);
        expect(result.transitionsCovered).toBe(result.transitions);
        expect(result.runs).toBe(lifecycle.controlPaths(variant).length);
        if (packing !== null) expect({ mismatches: packing.mismatches, worlds: packing.worlds }).toEqual({ mismatches: [], worlds: result.states });
      }, 300_000);

      test(`${lifecycle.id}: conformance: exhaustive: a search larger than its bound fails loudly instead of passing`, () => {
        expect(() => exhaustive(lifecycle, embodiments[0]!, { maxStates: 1 })).toThrow(/more than 1 states/);
      });

      test.each(embodiments)(`${lifecycle.id}: conformance: model-based: %s agrees with the model over long random interleavings`, (variant) => {
        const result = modelBased(lifecycle, variant, { runs: RUNS, seed: SEED, maxCommands: 200 });
        const failures = result.violations.map((v) => `${v.property}: seed ${v.seed} path ${v.path}\n${v.trace.join('\n')}\nreplay: ${v.replay}`);
        expect(failures.join('\n')).toBe('');
        expect(result.runs).toBe(RUNS);
        expect(result.steps).toBeGreaterThan(RUNS * 20); // the runs are long, not a handful of commands
      }, 300_000);
    });
  }
}

/**
 * The variant's minimal search, stored packed by its layout, with every world it makes keyed too: the first
 * few worlds of each kind where packing and key disagree (two keys, one packing: a world found as a state
 * whose first world had another key; one key, two packings: a new state with the key of an earlier one; a
 * rebuilt world with another key: a state's world, rebuilt from its words to be expanded, whose key is not
 * the key of the world stored), how many distinct keys the search produced, and the search's result.
 */
export function packingAgreesWithKey(lifecycle: AnyLifecycle, variant: string): { mismatches: string[]; worlds: number; result: CheckResult } {
  expect(lifecycle.packer(variant, lifecycle.presets.minimal)).not.toBeNull();
  /** The key of each state's first world, by state number, and the first state of each key. */
  const keys: string[] = [];
  const stateOf = new Map<string, number>();
  const mismatches: string[] = [];
  // The first few of each kind of problem, so that one kind found often does not hide another.
  const noted = new Map<string, number>();
  const note = (kind: string, problem: string): void => {
    const count = noted.get(kind) ?? 0;
    if (count < 3) mismatches.push(problem);
    noted.set(kind, count + 1);
  };
  const result = exhaustive(lifecycle, variant, {
    maxStates: MAX_STATES,
    onLookup: (world, state, added) => {
      if (state === -1) return; // a violating world is not stored
      const key = lifecycle.key(world);
      if (!added) {
        if (keys[state] !== key) note('two keys', `two keys, one packing: state ${state} is ${keys[state]} and ${key}`);
        return;
      }
      keys[state] = key;
      const earlier = stateOf.get(key);
      if (earlier === undefined) stateOf.set(key, state);
      else note('one key', `one key, two packings: states ${earlier} and ${state} are ${key}`);
    },
    onExpand: (state, world) => {
      if (lifecycle.key(world) !== keys[state]) note('rebuilt', `the world rebuilt from state ${state}'s words has another key than ${keys[state]}`);
    },
  });
  return { mismatches, worlds: stateOf.size, result };
}

export interface DefectOptions {
  /** Where the committed errata pages are; null for a lifecycle that has none committed (the toggle). */
  readonly errataFolder: string | null;
}

export function defectChecks(lifecycles: readonly AnyLifecycle[], options: DefectOptions): void {
  const modelBasedResults = new Map<string, CheckResult>();
  const modelBasedOf = (lifecycle: AnyLifecycle, variant: string): CheckResult => {
    const id = `${lifecycle.id}/${variant}`;
    if (!modelBasedResults.has(id)) modelBasedResults.set(id, modelBased(lifecycle, variant, { runs: DEFECT_RUNS, seed: DEFECT_SEED, maxCommands: 200 }));
    return modelBasedResults.get(id)!;
  };
  const exhaustiveOf = defectSearches(modelBasedOf);

  for (const lifecycle of lifecycles) {
    describe(`${lifecycle.id}: conformance`, () => {
      const defective = defectiveOf(lifecycle);

      test(`${lifecycle.id}: conformance: there are literal-defect or broken variants, and each names what it breaks`, () => {
        expect(defective.length).toBeGreaterThan(0);
        const names = new Set(lifecycle.properties.map((p) => p.name));
        for (const variant of defective) {
          expect(variant.catches.length, `${variant.name} names no property`).toBeGreaterThan(0);
          for (const name of variant.catches) expect(names.has(name), `${variant.name} catches an unknown property ${name}`).toBe(true);
        }
      });

      test.each(defective.map((v) => v.name))(`${lifecycle.id}: conformance: defects: %s is caught, every property it names with a trace`, (variant) => {
        const found = exhaustiveOf(lifecycle, variant);
        const sampled = modelBasedOf(lifecycle, variant);
        const caught = new Set([...found.violations, ...sampled.violations].map((v) => v.property).filter((p) => p !== TRANSITION_COVERAGE));
        expect([...caught]).toEqual(expect.arrayContaining([...lifecycle.variant(variant).catches]));
        for (const violation of found.violations.filter((v) => v.property !== TRANSITION_COVERAGE)) {
          expect(violation.trace.at(-1)).toContain('✗');
          expect(violation.replay).toMatch(new RegExp(`^copyspec replay --lifecycle ${lifecycle.id} --variant ${variant} --preset minimal --events '\\[`));
        }
      }, 300_000);

      test.each(defective.map((v) => v.name))(`${lifecycle.id}: conformance: defects: a model-based failure of %s replays from its seed and path`, (variant) => {
        const [violation] = modelBasedOf(lifecycle, variant).violations;
        if (violation === undefined) {
          // Not every defect is within reach of random runs; the exhaustive search must then find it.
          expect(exhaustiveOf(lifecycle, variant).violations.filter((v) => v.property !== TRANSITION_COVERAGE).length).toBeGreaterThan(0);
          return;
        }
        expect(violation.seed).toBe(DEFECT_SEED);
        expect(violation.replay).toContain(`--seed ${DEFECT_SEED} --path `);
        const replayed = modelBased(lifecycle, variant, { runs: 1, seed: DEFECT_SEED, maxCommands: 200, path: violation.path!, replayPath: violation.replayPath! });
        expect(replayed.violations.map((v) => v.property)).toEqual([violation.property]);
      }, 300_000);

      // Packing must not change what the search finds: every literal defect, searched with the layout (as
      // the errata pages are) and again stored by key alone, has the same states and the same shortest
      // counterexamples, event for event, rebuilt from the parent pointers of packed states.
      const literal = lifecycle.layout === undefined ? [] : defective.filter((v) => v.kind === 'literal-defect').map((v) => v.name);
      test.each(literal)(`${lifecycle.id}: conformance: layout: %s finds the same states and counterexamples packed as keyed`, (variant) => {
        const packed = exhaustiveOf(lifecycle, variant);
        const keyed = errataSearch({ ...lifecycle, packer: () => null }, lifecycle.variant(variant), MAX_STATES);
        const found = (result: CheckResult) => ({ states: result.states, violations: result.violations.map((v) => ({ property: v.property, events: v.events })) });
        expect(found(packed)).toEqual(found(keyed));
      }, 300_000);

      test(`${lifecycle.id}: conformance: defects: every property is violated by at least one defective variant`, () => {
        const caught = new Set(defective.flatMap((v) => [...exhaustiveOf(lifecycle, v.name).violations, ...modelBasedOf(lifecycle, v.name).violations].map((x) => x.property)));
        expect(lifecycle.properties.map((p) => p.name).filter((name) => !caught.has(name))).toEqual([]);
      }, 600_000);
    });
  }

  if (options.errataFolder !== null) {
    const folder = options.errataFolder;
    // The pages' ext4 workload sections need e2fsprogs and seconds a page: test/workload/errata.test.ts checks
    // them, and `copyspec errata --check` in .ci/run checks every one; here the rest of each page is compared.
    test('conformance: the committed errata pages match what the verifier finds now', async () => {
      const inputs: ErrataInput[] = lifecycles.flatMap((lifecycle) => lifecycle.variants.filter((v) => v.kind === 'literal-defect')
        .map((variant) => ({ lifecycle, variant, result: exhaustiveOf(lifecycle, variant.name) })));
      for (const [name, text] of errataPages(inputs)) {
        const committed = withoutWorkloadSection(await readFile(join(folder, name), 'utf8').catch(() => `(missing ${folder}/${name})`));
        expect(committed === text, `${folder}/${name} is stale: run copyspec errata`).toBe(true);
      }
    }, 600_000);
  }
}

export interface ArtifactOptions {
  readonly vectorsFolder: string;
  /** docs/vectors.md as committed. */
  readonly vectorsDoc: string;
  readonly diagramsFolder: string;
  readonly generator: string;
}

/** Every transition of a machine with its meta, as XState holds them. */
function transitionsOf(entry: MachineEntry): { readonly where: string; readonly description?: string; readonly meta?: TransitionMeta }[] {
  const found: { where: string; description?: string; meta?: TransitionMeta }[] = [];
  const walk = (node: MachineEntry['machine']['root']): void => {
    for (const [event, transitions] of node.transitions) {
      for (const t of transitions) found.push({ where: `${entry.machine.id} ${node.path.join('.') || '(root)'} ${event}`, description: t.description, meta: t.meta as TransitionMeta | undefined });
    }
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(entry.machine.root);
  return found;
}

/**
 * Every refused command that changed the world, tried in every world along the variant's control paths with
 * every command of the alphabet: `<command> in <world>`. Empty for a correct controller.
 */
export function refusalsThatChange(lifecycle: AnyLifecycle, variant: string): string[] {
  const found: string[] = [];
  for (const path of lifecycle.controlPaths(variant)) {
    realizeControlPath(lifecycle, variant, path, ({ before }) => {
      for (const event of lifecycle.alphabet(before)) {
        const { after, outcome } = lifecycle.step(before, event);
        if (!lifecycle.observeOutcome(outcome).accepted && lifecycle.key(after) !== lifecycle.key(before)) {
          found.push(`${lifecycle.formatEvent(event)} in ${lifecycle.formatWorld(before)}`);
        }
      }
    });
  }
  return [...new Set(found)];
}

/** How many cells a field of `observe` has as a grid of its kind, or null when the value is not of that kind. */
function cellCount(value: unknown, kind: ObservedKind): number | null {
  if (kind === 'bytes') return typeof value === 'string' && /^(?:[0-9a-f]{2})*$/.test(value) ? value.length / 2 : null;
  if (kind === 'bits') return typeof value === 'string' && /^[01]*$/.test(value) ? value.length : null;
  return Array.isArray(value) && value.every((v) => v === null || (typeof v === 'string' && /^(?:[0-9a-f]{2})*$/.test(v))) ? value.length : null;
}

/**
 * Every way the report's grids would misdraw a world along the variant's control paths: a field declared in
 * `observedKinds`, present in the observation, whose value is not of its kind, a mark on a field without a kind or on a cell that does not
 * exist, and any mark at all in a world where every property holds. Empty for a correct lifecycle.
 */
export function gridProblems(lifecycle: AnyLifecycle, variant: string): string[] {
  const found: string[] = [];
  for (const path of lifecycle.controlPaths(variant)) {
    realizeControlPath(lifecycle, variant, path, (step) => {
      const observed = lifecycle.observe(step.after);
      const where = `after ${lifecycle.formatEvent(step.event)} on ${path.machine} path ${path.description}`;
      for (const [field, kind] of Object.entries(lifecycle.observedKinds)) {
        // A field this world's observation leaves out (another algorithm's, in a tagged union) is not drawn.
        if (!Object.hasOwn(observed, field)) continue;
        if (cellCount(observed[field], kind) === null) found.push(`${field} is not ${kind}: ${JSON.stringify(observed[field])} ${where}`);
      }
      const holds = failures(lifecycle, step).length === 0;
      for (const [field, cells] of Object.entries(lifecycle.differences(step.after))) {
        const kind = lifecycle.observedKinds[field];
        const count = kind === undefined ? null : cellCount(observed[field], kind);
        if (count === null) found.push(`differences marks ${field}, which has no grid ${where}`);
        else if (cells.some((cell) => !Number.isInteger(cell) || cell < 0 || cell >= count)) found.push(`differences marks ${field} [${cells.join(',')}] of ${count} cells ${where}`);
        if (holds && cells.length > 0) found.push(`differences marks ${field} [${cells.join(',')}] where every property holds ${where}`);
      }
    });
  }
  return [...new Set(found)];
}

export function artifactChecks(lifecycles: readonly AnyLifecycle[], options: ArtifactOptions): void {
  const generated = generateVectors(lifecycles, options.generator);

  test('conformance: the committed vectors and docs/vectors.md are exactly what the lifecycles generate', async () => {
    for (const [name, text] of generated.files) {
      const committed = await readFile(join(options.vectorsFolder, name), 'utf8').catch(() => `(missing ${name}: run copyspec vectors)`);
      expect(committed === text, `${options.vectorsFolder}/${name} is stale: run copyspec vectors`).toBe(true);
    }
    const doc = await readFile(options.vectorsDoc, 'utf8').catch(() => '(missing)');
    expect(doc === generated.doc, `${options.vectorsDoc} is stale: run copyspec vectors`).toBe(true);
  }, 120_000);

  test('conformance: the committed diagrams are exactly what the machines generate', async () => {
    for (const [name, text] of await renderDiagrams(lifecycles.flatMap((l) => l.machines))) {
      const committed = await readFile(join(options.diagramsFolder, name), 'utf8').catch(() => `(missing ${name}: run copyspec diagrams)`);
      expect(committed === text, `${options.diagramsFolder}/${name} is stale: run copyspec diagrams`).toBe(true);
    }
  }, 60_000);

  test('conformance: every diagram can be read: no label outside the picture, over another or under an edge, none in a missing glyph', async () => {
    for (const entry of lifecycles.flatMap((l) => l.machines)) {
      const { labels, problems } = checkLayout(await toSvg(toDot(entry)));
      expect(labels.length, entry.name).toBeGreaterThan(0);
      expect(problems, `${entry.name}: ${problems.join('; ')}`).toEqual([]);
    }
  }, 60_000);

  for (const lifecycle of lifecycles) {
    describe(`${lifecycle.id}: conformance`, () => {
      const files = [...generated.files].filter(([name]) => name.startsWith(`${lifecycle.id}/`)).map(([, text]) => JSON.parse(text) as VectorFile);

      test(`${lifecycle.id}: conformance: vectors: the reference consumer replays every vector, and a one-field difference is named`, () => {
        expect(files.length).toBe(embodimentsOf(lifecycle).length);
        for (const file of files) {
          expect(new Set(file.tests.map((t) => t.suite))).toEqual(new Set(['control-path', 'command-in-state', 'random']));
          expect(consumeVectors(lifecycle, file)).toEqual([]);
        }
        const broken = JSON.parse(JSON.stringify(files[0])) as { tests: { steps: { expect: { observed: Record<string, unknown> } }[] }[] };
        const step = broken.tests.find((t) => t.steps.length > 0)!;
        const [field] = Object.keys(step.steps[0]!.expect.observed);
        step.steps[0]!.expect.observed[field!] = 'a value no controller reports';
        const mismatches = consumeVectors(lifecycle, broken as unknown as VectorFile);
        expect(mismatches).toHaveLength(1);
        expect(mismatches[0]).toMatch(new RegExp(`step 1 observed: ${field} is .*, expected "a value no controller reports"`));
      }, 120_000);

      test(`${lifecycle.id}: conformance: vectors: every rejection reason the lifecycle declares is shown by a negative case, and no other`, () => {
        for (const file of files) {
          const reasons = new Set(file.tests.flatMap((t) => t.steps.map((s) => s.expect.outcome['reason'])).filter((r) => r !== undefined));
          expect([...reasons].sort()).toEqual([...lifecycle.reasons].sort());
        }
      });

      test(`${lifecycle.id}: conformance: a refused command changes nothing (the world key is the same before and after)`, () => {
        for (const variant of embodimentsOf(lifecycle)) expect(refusalsThatChange(lifecycle, variant.name)).toEqual([]);
      }, 120_000);

      test(`${lifecycle.id}: conformance: report: grid fields hold their kind, and differences mark only cells that exist, none where every property holds`, () => {
        for (const variant of embodimentsOf(lifecycle)) expect(gridProblems(lifecycle, variant.name)).toEqual([]);
      }, 120_000);

      test(`${lifecycle.id}: conformance: every command of the alphabet parses back from its JSON, and an unknown type is refused`, () => {
        const world = lifecycle.initial(embodimentsOf(lifecycle)[0]!.name, lifecycle.presets.minimal);
        for (const event of lifecycle.alphabet(world)) expect(lifecycle.parseEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
        expect(lifecycle.parseEvent({ type: 'no.such-command' })).toMatch(/type/);
        expect(lifecycle.parseEvent('not an object')).toEqual(expect.any(String));
      });

      test(`${lifecycle.id}: conformance: every machine transition has a description and a seed reference or an ext reason`, () => {
        for (const entry of lifecycle.machines) {
          for (const t of transitionsOf(entry)) {
            expect(t.description ?? '', `${t.where} has no description`).not.toBe('');
            const meta = t.meta ?? {};
            const cited = (meta.steps?.length ?? 0) + (meta.paras?.length ?? 0) + (meta.rows?.length ?? 0) > 0 || meta.ext !== undefined;
            expect(meta.seed === lifecycle.seed && cited, `${t.where}: meta cites no step, paragraph, row or ext reason of seed ${lifecycle.seed}`).toBe(true);
          }
        }
      });

      test(`${lifecycle.id}: conformance: the memoized control tables answer exactly as transition() on each machine`, () => {
        for (const variant of lifecycle.variants) {
          for (const entry of lifecycle.machines) {
            const table = new ControlTable(entry.machine, variant.control);
            const [first] = initialTransition(entry.machine, variant.control);
            const queue = [first];
            const seen = new Set([stateKey(first.value)]);
            while (queue.length > 0) {
              const snapshot = queue.shift()!;
              for (const type of eventTypesOf(entry.machine)) {
                const memo = table.step(stateKey(snapshot.value), type);
                if (!snapshot.can({ type })) {
                  expect(memo, `${variant.name} ${entry.machine.id} ${stateKey(snapshot.value)} ${type}`).toBeNull();
                  continue;
                }
                const [next, actions] = transition(entry.machine, snapshot, { type });
                expect(memo?.target).toBe(stateKey(next.value));
                expect(memo?.operations.map((o) => o.type)).toEqual(actions.map((a) => a.type).filter((t) => !t.startsWith('xstate.')));
                if (!seen.has(stateKey(next.value))) {
                  seen.add(stateKey(next.value));
                  queue.push(next);
                }
              }
            }
          }
        }
      });
    });
  }
}
