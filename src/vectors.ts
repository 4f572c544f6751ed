/**
 * Conformance vectors: what a port in C, Rust, Go or Python replays to show it behaves as this reference does
 * (docs/vectors.md, generated here too). They are made from the same lifecycles the verifier checks, never
 * written by hand, after the pattern of Ethereum's consensus and execution spec tests and Wycheproof
 * (anchors/formal_tools.md §6): one file per lifecycle and embodiment variant, a schema id, the presets and
 * the variant's parameters in the file, and per test the commands with what must be observed after each.
 *
 * Each embodiment variant gets three suites:
 * - `control-path`: every simple path of every machine (@xstate/graph), as the commands that drive it;
 * - `command-in-state`: from the shortest control-path prefix that reaches each machine state, every command
 *   of the exhaustive alphabet once, accepted or refused, so every rejection reason appears in every state;
 * - `random`: a few seeded fast-check sequences on the standard preset.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { assert } from './assert.js';
import { canonicalJson } from './harness/canonical.js';
import { realizeControlPath } from './harness/control-paths.js';
import type { AnyLifecycle, ObservedOutcome } from './lifecycle.js';
import { describeDifference, expectInitial, expectStep, observationDifferences, stepDifferences } from './observation.js';
import { REJECTION_REASONS } from './rejection.js';

export const VECTOR_SCHEMA = 'copyspec-vector-v2';
const RANDOM_SEED = 20261121;
const RANDOM_TESTS = 3;
const RANDOM_LENGTH = 40;

export type VectorSuite = 'control-path' | 'command-in-state' | 'random';

export interface VectorStep {
  readonly command: unknown;
  readonly expect: { readonly outcome: Readonly<Record<string, unknown>>; readonly observed: Readonly<Record<string, unknown>> };
}

export interface VectorTest {
  readonly id: number;
  readonly suite: VectorSuite;
  readonly comment: string;
  /** A key of the file's `presets`. */
  readonly preset: string;
  readonly initial: Readonly<Record<string, unknown>>;
  readonly steps: readonly VectorStep[];
}

export interface VectorFile {
  readonly schema: typeof VECTOR_SCHEMA;
  readonly generator: string;
  readonly lifecycle: string;
  readonly seed: string;
  readonly variant: string;
  /** The machines' input: the variant's fixed parameters. */
  readonly parameters: unknown;
  /** The geometry of every preset the tests use, by name. */
  readonly presets: Readonly<Record<string, unknown>>;
  /** sha256 of the canonical JSON of `tests` (keys sorted), so a port can tell a changed file at a glance. */
  readonly testsSha256: string;
  readonly numberOfTests: number;
  readonly tests: readonly VectorTest[];
}

function presetOf(lifecycle: AnyLifecycle, name: string): unknown {
  const preset = lifecycle.preset(name);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${name}`);
  return preset;
}

/**
 * Runs commands from the initial world and records what must be observed after each, by the definition
 * `copyspec conform` checks a live port against (src/observation.ts).
 */
function record(lifecycle: AnyLifecycle, variant: string, preset: string, commands: readonly unknown[]): Omit<VectorTest, 'id' | 'suite' | 'comment'> {
  const start = expectInitial(lifecycle, variant, presetOf(lifecycle, preset));
  let world = start.world;
  const steps = commands.map((command) => {
    const { after, expected } = expectStep(lifecycle, world, command);
    world = after;
    return { command, expect: expected };
  });
  return { preset, initial: start.observed, steps };
}

/** The shortest control-path prefix reaching each machine state, one per distinct prefix, by `machine:state`. */
function statePrefixes(lifecycle: AnyLifecycle, variant: string, paths: readonly (readonly unknown[][])[]): [string, unknown[]][] {
  const initial = lifecycle.controlStates(lifecycle.initial(variant, lifecycle.presets.minimal));
  const best = new Map<string, unknown[]>(Object.entries(initial).map(([machine, state]) => [`${machine}:${state}`, []]));
  lifecycle.controlPaths(variant).forEach((path, index) => {
    const commands: unknown[] = [];
    path.steps.forEach((step, at) => {
      commands.push(...(paths[index]![at] ?? []));
      const label = `${path.machine}:${step.target}`;
      const known = best.get(label);
      if (known === undefined || known.length > commands.length) best.set(label, [...commands]);
    });
  });
  const distinct = new Map<string, [string, unknown[]]>();
  for (const [label, prefix] of [...best].sort(([a], [b]) => a.localeCompare(b))) {
    const id = canonicalJson(prefix);
    if (!distinct.has(id)) distinct.set(id, [label, prefix]);
  }
  return [...distinct.values()];
}

function testsFor(lifecycle: AnyLifecycle, variant: string): VectorTest[] {
  const tests: VectorTest[] = [];
  const add = (suite: VectorSuite, comment: string, preset: string, commands: readonly unknown[]): void => {
    tests.push({ id: tests.length + 1, suite, comment, ...record(lifecycle, variant, preset, commands) });
  };
  const realized = lifecycle.controlPaths(variant).map((path) => realizeControlPath(lifecycle, variant, path));
  for (const path of realized) {
    assert(path.failure === null, () => `${lifecycle.id}/${variant}: control path ${path.path.description}: ${path.failure}`);
    add('control-path', `${path.path.machine}: ${path.path.description}`, 'minimal', path.events);
  }
  for (const [label, prefix] of statePrefixes(lifecycle, variant, realized.map((path) => path.steps.map((s) => [...s.events])))) {
    let world = lifecycle.initial(variant, lifecycle.presets.minimal);
    for (const command of prefix) world = lifecycle.step(world, command).after;
    for (const command of lifecycle.alphabet(world)) add('command-in-state', `in ${label}: ${lifecycle.formatEvent(command)}`, 'minimal', [...prefix, command]);
  }
  const arbitrary = fc.array(lifecycle.arbitrary(variant, lifecycle.presets.standard), { minLength: RANDOM_LENGTH, maxLength: RANDOM_LENGTH });
  fc.sample(arbitrary, { seed: RANDOM_SEED, numRuns: RANDOM_TESTS })
    .forEach((commands, index) => add('random', `fast-check seed ${RANDOM_SEED}, sequence ${index + 1}`, 'standard', commands));
  return tests;
}

/** JSON with keys in a fixed order and one test a line, so diffs of vector files stay readable. */
function serialize(file: VectorFile): string {
  const { tests, ...header } = file;
  const lines = tests.map((test) => `    ${JSON.stringify(test)}`);
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "tests": [\n');
  return `${head}${lines.join(',\n')}\n  ]\n}\n`;
}

export function vectorFile(lifecycle: AnyLifecycle, variant: string, generator: string): VectorFile {
  const tests = testsFor(lifecycle, variant);
  const used = [...new Set(tests.map((test) => test.preset))].sort();
  return {
    schema: VECTOR_SCHEMA,
    generator,
    lifecycle: lifecycle.id,
    seed: lifecycle.seed,
    variant,
    parameters: lifecycle.variant(variant).control,
    presets: Object.fromEntries(used.map((name) => [name, presetOf(lifecycle, name)])),
    testsSha256: createHash('sha256').update(canonicalJson(tests)).digest('hex'),
    numberOfTests: tests.length,
    tests,
  };
}

/** Every vector file, by path relative to the vectors folder (`<lifecycle>/<variant>.json`), and docs/vectors.md. */
export function generateVectors(lifecycles: readonly AnyLifecycle[], generator: string): { files: Map<string, string>; doc: string } {
  const files = new Map<string, string>();
  const made: VectorFile[] = [];
  for (const lifecycle of lifecycles) {
    for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment')) {
      const file = vectorFile(lifecycle, variant.name, generator);
      made.push(file);
      files.set(`${lifecycle.id}/${variant.name}.json`, serialize(file));
    }
  }
  return { files, doc: vectorsDoc(lifecycles, made) };
}

/**
 * The reference consumer: replays a vector file through a lifecycle the way a port replays it through its
 * own controller, and lists every mismatch (`test 12 step 3 observed: primaryBitmap is "010", expected "011"`).
 * The comparison is src/observation.ts's, the one `copyspec conform` applies to a live port.
 */
export function consumeVectors(lifecycle: AnyLifecycle, file: VectorFile): string[] {
  const mismatches: string[] = [];
  for (const [name, geometry] of Object.entries(file.presets)) {
    if (canonicalJson(lifecycle.preset(name) ?? null) !== canonicalJson(geometry)) mismatches.push(`preset ${name}: the file's geometry is not this lifecycle's`);
  }
  for (const test of file.tests) {
    const start = expectInitial(lifecycle, file.variant, presetOf(lifecycle, test.preset));
    let world = start.world;
    for (const difference of observationDifferences(test.initial, start.observed)) mismatches.push(`test ${test.id} initial ${describeDifference(difference)}`);
    test.steps.forEach((step, index) => {
      const command = lifecycle.parseEvent(step.command);
      if (typeof command === 'string') {
        mismatches.push(`test ${test.id} step ${index + 1}: command does not parse: ${command}`);
        return;
      }
      const { after, expected } = expectStep(lifecycle, world, command);
      for (const difference of stepDifferences({ outcome: step.expect.outcome as ObservedOutcome, observed: step.expect.observed }, expected)) {
        mismatches.push(`test ${test.id} step ${index + 1} ${describeDifference(difference)}`);
      }
      world = after;
    });
  }
  return mismatches;
}

// ---------------------------------------------------------------- docs/vectors.md

interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
}

/** A field's JSON type in words: `whole number`, `string`, `array of whole number`. */
function typeText(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.type === 'integer') return schema.minimum === 0 ? 'whole number' : 'integer';
  if (schema.type === 'array') return `array of ${typeText(schema.items ?? {})}`;
  return schema.type ?? 'any';
}

/** One line per command type: `host.write {volume: whole number, offset: whole number, data: string}`. */
function commandLines(lifecycle: AnyLifecycle): string[] {
  const root = z.toJSONSchema(lifecycle.eventSchema as z.ZodType) as JsonSchema;
  const shapes = root.oneOf ?? root.anyOf ?? [root];
  return shapes.map((shape) => {
    const properties = shape.properties ?? {};
    const type = properties['type']?.const;
    const fields = Object.entries(properties).filter(([name]) => name !== 'type').map(([name, field]) => `${name}: ${typeText(field)}`);
    return `- \`${String(type)}\`${fields.length === 0 ? '' : ` \`{${fields.join(', ')}}\``}`;
  });
}

/** The observed fields of a lifecycle's initial world, with their JSON types and initial values. */
function observedLines(lifecycle: AnyLifecycle, variant: string): string[] {
  const observed = lifecycle.observe(lifecycle.initial(variant, lifecycle.presets.minimal));
  return Object.entries(observed).map(([name, value]) => {
    const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    return `- \`${name}\` (${kind}): initially \`${JSON.stringify(value)}\``;
  });
}

/**
 * Every machine transition of the lifecycle's embodiments, once per distinct description, with the
 * embodiments that enable it: what a port must do for each command in each state, as the machines say it.
 */
function transitionLines(lifecycle: AnyLifecycle): string[] {
  const embodiments = lifecycle.variants.filter((v) => v.kind === 'embodiment').map((v) => v.name);
  const rows = new Map<string, { edge: string; description: string; variants: string[] }>();
  for (const variant of embodiments) {
    for (const transition of lifecycle.machineTransitions(variant)) {
      const id = `${transition.edge}\n${transition.description}`;
      const row = rows.get(id) ?? { edge: transition.edge, description: transition.description, variants: [] };
      row.variants.push(variant);
      rows.set(id, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.edge.localeCompare(b.edge)).map((row) => {
    const variants = row.variants.length === embodiments.length ? 'all' : row.variants.join(', ');
    return `| \`${row.edge}\` | ${variants} | ${row.description.replace(/\|/g, '\\|')} |`;
  });
}

function lifecycleSection(lifecycle: AnyLifecycle, files: readonly VectorFile[]): string[] {
  const counts = (file: VectorFile, suite: VectorSuite): number => file.tests.filter((t) => t.suite === suite).length;
  const first = files[0];
  return [
    `## ${lifecycle.id} (seed ${lifecycle.seed})`,
    '',
    lifecycle.title + '.',
    '',
    '| file | control-path | command-in-state | random | tests |',
    '|---|---|---|---|---|',
    ...files.map((file) => `| \`vectors/${file.lifecycle}/${file.variant}.json\` | ${counts(file, 'control-path')} | ${counts(file, 'command-in-state')} | ${counts(file, 'random')} | ${file.numberOfTests} |`),
    '',
    'Presets (the geometry every vector file repeats in `presets`):',
    '',
    ...Object.entries(first?.presets ?? {}).map(([name, geometry]) => `- \`${name}\`: \`${JSON.stringify(geometry)}\``),
    '',
    'Commands (`command`, as `copyspec replay` reads them):',
    '',
    ...commandLines(lifecycle),
    '',
    `Refusals it gives: ${lifecycle.reasons.map((reason) => `\`${reason}\` (${REJECTION_REASONS[reason]})`).join(', ')}; `
      + 'they are checked in the order of their codes, so a command with two faults is refused with the smaller code.',
    '',
    'Machine transitions of the embodiments (what each command does in each state; a command that names none',
    'in its state is refused with `wrong-state`):',
    '',
    '| transition | embodiments | what it does |',
    '|---|---|---|',
    ...transitionLines(lifecycle),
    '',
    'Observed fields (`initial` and every step\'s `observed`):',
    '',
    ...observedLines(lifecycle, first?.variant ?? lifecycle.variants[0]!.name),
    '',
    ...(lifecycle.vectorNotes ?? []).flatMap((note) => [note, '']),
  ];
}

function vectorsDoc(lifecycles: readonly AnyLifecycle[], files: readonly VectorFile[]): string {
  return [
    '# Conformance vectors',
    '',
    'Generated by `copyspec vectors` from the lifecycles, with the vector files beside it; do not edit. A test',
    'fails when the committed files differ from what the code generates, so this page cannot go stale.',
    '',
    'A port in C, Rust, Go or Python replays `vectors/<lifecycle>/<variant>.json` against its own controller.',
    '`src/vectors.ts` (`consumeVectors`) is the reference consumer.',
    '',
    '## File',
    '',
    '```jsonc',
    '{',
    `  "schema": "${VECTOR_SCHEMA}",        // changes only when the format breaks`,
    '  "generator": "copyspec <version>",',
    '  "lifecycle": "<id>", "seed": "<seed>", "variant": "<name>",',
    '  "parameters": { … },                // the variant\'s control parameters: the machines\' input',
    '  "presets": { "minimal": { … }, "standard": { … } },   // the geometry of every preset the tests use',
    '  "testsSha256": "…",                 // sha256 of the canonical JSON of tests (keys sorted, no spaces)',
    '  "numberOfTests": N,',
    '  "tests": [ { "id", "suite", "comment", "preset", "initial", "steps": [ { "command", "expect": { "outcome", "observed" } } ] } ]',
    '}',
    '```',
    '',
    '- `suite`: `control-path` (every simple path of every machine, found by @xstate/graph, as commands),',
    '  `command-in-state` (every command of the exhaustive alphabet, accepted or refused, after the shortest',
    '  control-path prefix that reaches each machine state), `random` (seeded fast-check sequences).',
    '- `outcome`: `{"accepted": true, …}` with the lifecycle\'s results, or',
    '  `{"accepted": false, "reason": "wrong-state", "code": 6}`. Compare refusals by `code`.',
    '- Bytes are lowercase hexadecimal strings, two digits a byte; bitmaps are strings of `0` and `1`, track or',
    '  block 0 first; `null` is a value the state does not hold.',
    '',
    '## Checking procedure',
    '',
    'For each test: make a fresh controller with the file\'s `parameters` and the test\'s preset; check it',
    'matches `initial`; then for each step send `command`, and check the outcome and every field of `observed`',
    '(a refused command must leave `observed` unchanged, which the vector spells out). A port may skip a file',
    'whose parameters it does not implement, but not a test within a file.',
    '',
    ...lifecycles.flatMap((lifecycle) => lifecycleSection(lifecycle, files.filter((file) => file.lifecycle === lifecycle.id))),
  ].join('\n').replace(/\n+$/, '\n');
}
