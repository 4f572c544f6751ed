/**
 * What a port must match, defined once for the conformance vectors (src/vectors.ts) and for `copyspec conform`
 * (src/conform/), so the two cannot drift: after each command, the outcome and the observation the lifecycle
 * defines (`observeOutcome` and `observe`, src/lifecycle.ts), and the one rule that compares a port's answer
 * with them (docs/vectors.md "Checking procedure", docs/conform.md "What is compared").
 *
 * The rule:
 * - an outcome's `accepted` must be equal; a refusal is compared by its numeric `code` alone (a port may add
 *   the reason's name or a message for its own logs); an acceptance is compared field by field, both ways, so
 *   a result the port leaves out or adds is a difference;
 * - an observation is compared field by field, both ways;
 * - values are compared as canonical JSON (src/harness/canonical.ts): object keys in any order, nothing else
 *   loose, so `1` and `"1"` differ and so do `[0,1]` and `[1,0]`.
 */
import { canonicalJson } from './harness/canonical.js';
import type { AnyLifecycle, ObservedOutcome } from './lifecycle.js';

/** What must be observed after one command. */
export interface Expectation {
  readonly outcome: ObservedOutcome;
  readonly observed: Readonly<Record<string, unknown>>;
}

/** One field on which an answer differs from what copyspec expects. */
export interface Difference {
  readonly section: 'outcome' | 'observed';
  readonly field: string;
  /** What copyspec expects; undefined when it expects no such field. */
  readonly expected: unknown;
  /** What the port (or the vector) gave; undefined when it gave no such field. */
  readonly actual: unknown;
}

/** One command from `world`: the world after it, the lifecycle's outcome, and what a port must report for it. */
export function expectStep(
  lifecycle: AnyLifecycle,
  world: unknown,
  command: unknown,
): { readonly after: unknown; readonly outcome: unknown; readonly expected: Expectation } {
  const { after, outcome } = lifecycle.step(world, command);
  return { after, outcome, expected: { outcome: lifecycle.observeOutcome(outcome), observed: lifecycle.observe(after) } };
}

/** The world a lifecycle starts in, and what a port must observe there before any command. */
export function expectInitial(lifecycle: AnyLifecycle, variant: string, preset: unknown): { readonly world: unknown; readonly observed: Readonly<Record<string, unknown>> } {
  const world = lifecycle.initial(variant, preset);
  return { world, observed: lifecycle.observe(world) };
}

const same = (a: unknown, b: unknown): boolean => a === b || (a !== undefined && b !== undefined && canonicalJson(a) === canonicalJson(b));

function fieldDifferences(
  section: Difference['section'],
  expected: Readonly<Record<string, unknown>>,
  actual: Readonly<Record<string, unknown>>,
  ignored: readonly string[],
): Difference[] {
  const differences: Difference[] = [];
  for (const field of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (ignored.includes(field)) continue;
    const want = Object.hasOwn(expected, field) ? expected[field] : undefined;
    const got = Object.hasOwn(actual, field) ? actual[field] : undefined;
    if (!same(want, got)) differences.push({ section, field, expected: want, actual: got });
  }
  return differences;
}

/** The differences between an outcome and the expected one: `accepted`, then `code` or every result field. */
export function outcomeDifferences(expected: ObservedOutcome, actual: Readonly<Record<string, unknown>>): Difference[] {
  if (expected.accepted !== actual['accepted']) return [{ section: 'outcome', field: 'accepted', expected: expected.accepted, actual: actual['accepted'] }];
  if (!expected.accepted) return same(expected.code, actual['code']) ? [] : [{ section: 'outcome', field: 'code', expected: expected.code, actual: actual['code'] }];
  return fieldDifferences('outcome', expected, actual, []);
}

/** The differences between an observation and the expected one, field by field. */
export function observationDifferences(expected: Readonly<Record<string, unknown>>, actual: Readonly<Record<string, unknown>>): Difference[] {
  return fieldDifferences('observed', expected, actual, []);
}

/** Every difference of one step's answer: the outcome's first, then the observation's. */
export function stepDifferences(
  expected: Expectation,
  actual: { readonly outcome: Readonly<Record<string, unknown>>; readonly observed: Readonly<Record<string, unknown>> },
): Difference[] {
  return [...outcomeDifferences(expected.outcome, actual.outcome), ...observationDifferences(expected.observed, actual.observed)];
}

/** A value as a report shows it: its JSON, or `missing` for a field not given. */
export function shownValue(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** `observed: primaryBitmap is "010", expected "011"`; `actual` names who gave the value in longer reports. */
export function describeDifference(difference: Difference): string {
  return `${difference.section}: ${difference.field} is ${shownValue(difference.actual)}, expected ${shownValue(difference.expected)}`;
}
