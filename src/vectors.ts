/**
 * Conformance vectors: what a port in C, Rust or Go replays to show it behaves as this reference does
 * (docs/vectors.md). They are generated from the same lifecycles the verifier checks, never written by
 * hand, after the pattern of Ethereum's consensus and execution spec tests and Wycheproof
 * (anchors/formal_tools.md §6): one file per lifecycle and variant, a schema id, and per test the commands
 * with what must be observed after each.
 *
 * Each embodiment variant gets three suites:
 * - `control-path`: every simple path of the machine (@xstate/graph), as concrete commands;
 * - `command-in-state`: from the shortest path to each control state, every command of the exhaustive
 *   alphabet once, accepted or refused, so every rejection reason appears in every state;
 * - `random`: a few seeded fast-check sequences on the standard preset, with partial-track writes.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { AnyLifecycle, PresetName } from './lifecycle.js';

export const VECTOR_SCHEMA = 'copyspec-vector-v1';
const RANDOM_SEED = 20261121;
const RANDOM_TESTS = 3;
const RANDOM_LENGTH = 40;

export interface VectorStep {
  readonly command: unknown;
  readonly expect: { readonly outcome: Readonly<Record<string, unknown>>; readonly observed: Readonly<Record<string, unknown>> };
}

export interface VectorTest {
  readonly id: number;
  readonly suite: 'control-path' | 'command-in-state' | 'random';
  readonly comment: string;
  readonly preset: PresetName;
  readonly initial: Readonly<Record<string, unknown>>;
  readonly steps: readonly VectorStep[];
}

export interface VectorFile {
  readonly schema: typeof VECTOR_SCHEMA;
  readonly generator: string;
  readonly lifecycle: string;
  readonly seed: string;
  readonly variant: string;
  readonly parameters: unknown;
  /** sha256 of the canonical JSON of `tests`, so a port can tell a changed file at a glance. */
  readonly testsSha256: string;
  readonly numberOfTests: number;
  readonly tests: readonly VectorTest[];
}

function observe(lifecycle: AnyLifecycle, world: unknown): Readonly<Record<string, unknown>> {
  return lifecycle.observe!(world);
}

/** Runs commands from the initial world and records what must be observed after each. */
function record(lifecycle: AnyLifecycle, variant: string, preset: PresetName, commands: readonly unknown[]): Omit<VectorTest, 'id' | 'suite' | 'comment'> {
  let world = lifecycle.initial(variant, preset);
  const initial = observe(lifecycle, world);
  const steps = commands.map((command) => {
    const { after, outcome } = lifecycle.step(world, command);
    world = after;
    return { command, expect: { outcome: lifecycle.observeOutcome!(outcome), observed: observe(lifecycle, after) } };
  });
  return { preset, initial, steps };
}

function testsFor(lifecycle: AnyLifecycle, variant: string): VectorTest[] {
  const tests: VectorTest[] = [];
  const add = (suite: VectorTest['suite'], comment: string, preset: PresetName, commands: readonly unknown[]): void => {
    tests.push({ id: tests.length + 1, suite, comment, ...record(lifecycle, variant, preset, commands) });
  };
  const prefixes = new Map<string, unknown[]>([[lifecycle.controlState(lifecycle.initial(variant, 'minimal')), []]]);
  for (const path of lifecycle.controlPaths(variant)) {
    const commands: unknown[] = [];
    for (const step of path.steps) {
      commands.push(...step.events);
      const known = prefixes.get(step.state);
      if (known === undefined || known.length > commands.length) prefixes.set(step.state, [...commands]);
    }
    add('control-path', path.description, 'minimal', commands);
  }
  for (const [state, prefix] of [...prefixes].sort(([a], [b]) => a.localeCompare(b))) {
    let world = lifecycle.initial(variant, 'minimal');
    for (const command of prefix) world = lifecycle.step(world, command).after;
    for (const command of lifecycle.exhaustiveEvents(world)) {
      add('command-in-state', `in ${state}: ${lifecycle.formatEvent(command)}`, 'minimal', [...prefix, command]);
    }
  }
  const random = fc.sample(fc.array(lifecycle.eventArbitrary(variant, 'standard'), { minLength: RANDOM_LENGTH, maxLength: RANDOM_LENGTH }), { seed: RANDOM_SEED, numRuns: RANDOM_TESTS });
  random.forEach((commands, index) => add('random', `fast-check seed ${RANDOM_SEED}, sequence ${index + 1}`, 'standard', commands));
  return tests;
}

/** JSON with keys in a fixed order and one test a line, so diffs of vector files stay readable. */
function serialize(file: VectorFile): string {
  const { tests, ...header } = file;
  const lines = tests.map((test) => `    ${JSON.stringify(test)}`);
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, ',\n  "tests": [\n');
  return `${head}${lines.join(',\n')}\n  ]\n}\n`;
}

/** Every vector file, by path relative to the vectors folder: `<lifecycle>/<variant>.json`. */
export function generateVectors(lifecycles: readonly AnyLifecycle[], generator: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const lifecycle of lifecycles) {
    if (lifecycle.observe === undefined || lifecycle.observeOutcome === undefined) continue;
    for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment')) {
      const tests = testsFor(lifecycle, variant.name);
      const file: VectorFile = {
        schema: VECTOR_SCHEMA,
        generator,
        lifecycle: lifecycle.id,
        seed: lifecycle.seed,
        variant: variant.name,
        parameters: lifecycle.variantParameters?.(variant.name) ?? null,
        testsSha256: createHash('sha256').update(JSON.stringify(tests)).digest('hex'),
        numberOfTests: tests.length,
        tests,
      };
      files.set(`${lifecycle.id}/${variant.name}.json`, serialize(file));
    }
  }
  return files;
}

/**
 * The reference consumer: replays a vector file through a lifecycle the way a port replays it through its
 * own controller, and lists every mismatch (`test 12 step 3: observed.primaryBitmap is "010", expected "011"`).
 */
export function consumeVectors(lifecycle: AnyLifecycle, file: VectorFile): string[] {
  const mismatches: string[] = [];
  const compare = (where: string, actual: Readonly<Record<string, unknown>>, expected: Readonly<Record<string, unknown>>): void => {
    for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      const a = JSON.stringify(actual[key]);
      const e = JSON.stringify(expected[key]);
      if (a !== e) mismatches.push(`${where}: ${key} is ${a}, expected ${e}`);
    }
  };
  for (const test of file.tests) {
    let world = lifecycle.initial(file.variant, test.preset);
    compare(`test ${test.id} initial`, observe(lifecycle, world), test.initial);
    test.steps.forEach((step, index) => {
      const command = lifecycle.parseEvent(step.command);
      if (typeof command === 'string') {
        mismatches.push(`test ${test.id} step ${index + 1}: command does not parse: ${command}`);
        return;
      }
      const { after, outcome } = lifecycle.step(world, command);
      compare(`test ${test.id} step ${index + 1} outcome`, lifecycle.observeOutcome!(outcome), step.expect.outcome);
      compare(`test ${test.id} step ${index + 1} observed`, observe(lifecycle, after), step.expect.observed);
      world = after;
    });
  }
  return mismatches;
}
