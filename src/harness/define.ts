/**
 * `defineLifecycle`: the one place where a lifecycle's definition (src/lifecycle.ts) becomes the lifecycle
 * the verifier uses. Everything here is generic; a lifecycle that needs something else from the verifier
 * needs a change to this seam, in a commit of its own, never a special case for one lifecycle.
 */
import { assert } from '../assert.js';
import type { ControlPath, Differences, Lifecycle, LifecycleDefinition, ObservedOutcome, Step, VariantInfo } from '../lifecycle.js';
import { canonicalJson } from './canonical.js';
import { Packer } from './layout.js';
import { edgeName, reachableTransitions, simplePaths } from './machines.js';

/** `type(field=value ...)`, values as JSON: the default one-line form of a command. */
export function formatCommand(event: unknown): string {
  const { type, ...fields } = event as { type: string } & Record<string, unknown>;
  const parts = Object.entries(fields).map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return parts.length === 0 ? type : `${type}(${parts.join(' ')})`;
}

/** `accepted`, with any result fields, or `rejected <reason> (<code>)`: the default verdict of a trace line. */
export function formatVerdict(observed: ObservedOutcome): string {
  if (!observed.accepted) return `rejected ${observed.reason} (${observed.code})`;
  const parts = Object.entries(observed).filter(([name]) => name !== 'accepted').map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return parts.length === 0 ? 'accepted' : `accepted ${parts.join(' ')}`;
}

/** zod's issues as one line that names each offending field. */
export function issuesText(issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[], what: string): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || what}: ${issue.message}`).join('; ');
}

/** What a lifecycle without a `differences` hook marks: nothing. */
const NO_DIFFERENCES: Differences = {};

function cached<T>(compute: (variant: string) => T): (variant: string) => T {
  const memo = new Map<string, T>();
  return (variant) => {
    let value = memo.get(variant);
    if (value === undefined) {
      value = compute(variant);
      memo.set(variant, value);
    }
    return value;
  };
}

export function defineLifecycle<W, E, O, P>(definition: LifecycleDefinition<W, E, O, P>): Lifecycle<W, E, O, P> {
  const variant = (name: string): VariantInfo => {
    const found = definition.variants.find((v) => v.name === name);
    assert(found !== undefined, () => `no ${definition.id} variant ${name}`);
    return found;
  };
  const formatEvent = definition.formatEvent ?? formatCommand;
  const formatOutcome = definition.formatOutcome ?? ((outcome: O) => formatVerdict(definition.observeOutcome(outcome)));
  const machineTransitions = cached((name) => definition.machines
    .flatMap((entry) => reachableTransitions(entry, variant(name).control))
    .sort((a, b) => (a.edge < b.edge ? -1 : a.edge > b.edge ? 1 : 0)));
  const machineEdges = cached((name) => machineTransitions(name).map((t) => t.edge));
  const controlPaths = cached((name): readonly ControlPath[] => definition.machines.flatMap((entry) => simplePaths(entry, variant(name).control)));
  const packers = new WeakMap<object, Map<string, Packer<W>>>();
  const packer = (name: string, preset: P): Packer<W> | null => {
    const layout = definition.layout;
    if (layout === undefined) return null;
    variant(name);
    let byVariant = packers.get(preset as object);
    if (byVariant === undefined) {
      byVariant = new Map();
      packers.set(preset as object, byVariant);
    }
    let found = byVariant.get(name);
    if (found === undefined) {
      found = new Packer(layout as never, name, preset);
      byVariant.set(name, found);
    }
    return found;
  };
  return {
    ...definition,
    key: definition.key ?? canonicalJson,
    formatEvent,
    formatStep: (step: Step<W, E, O>) => `${formatEvent(step.event)} → ${formatOutcome(step.outcome)} → ${definition.formatWorld(step.after)}`,
    parseEvent(json) {
      const parsed = definition.eventSchema.safeParse(json);
      return parsed.success ? parsed.data : issuesText(parsed.error.issues, 'event');
    },
    preset: (name) => (Object.hasOwn(definition.presets, name) ? definition.presets[name] : undefined),
    machineTransitions,
    machineEdges,
    takenEdges: (step) => definition.taken(step.outcome).map(edgeName),
    controlPaths,
    variant,
    observedKinds: definition.observedKinds ?? {},
    differences: definition.differences === undefined ? () => NO_DIFFERENCES : (world) => definition.differences!(world),
    packer,
  };
}
