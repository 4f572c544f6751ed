/**
 * What every lifecycle gives the verifier. A lifecycle is a world (controller plus model) that changes
 * only by `step`, a closed alphabet of events for the minimal preset, a fast-check arbitrary for the
 * standard preset, and named properties. The exhaustive checker (src/verify/exhaustive.ts), the model-based
 * runner (src/verify/model-based.ts) and `copyspec verify` know nothing else about a lifecycle.
 */
import type fc from 'fast-check';
import type { AnyStateMachine } from 'xstate';

export type VariantKind = 'embodiment' | 'literal-defect' | 'broken';

export interface VariantInfo {
  readonly name: string;
  readonly kind: VariantKind;
  readonly description: string;
  /** Seed paragraphs, steps or spec rows the variant follows. */
  readonly ref: string;
  /** For literal-defect and broken variants: the properties the verifier must find violated. */
  readonly catches: readonly string[];
}

export type PresetName = 'minimal' | 'standard';

export interface Step<W, E, O> {
  readonly before: W;
  readonly event: E;
  readonly outcome: O;
  readonly after: W;
}

/**
 * One named invariant. `state` predicates hold in every reachable world; `step` predicates hold for every
 * step (they see the event and its outcome). A property has exactly one of the two.
 */
export interface Property<W, E, O> {
  readonly name: string;
  /** Seed reference: `000 §5.5, 【0034】`. */
  readonly ref: string;
  readonly description: string;
  readonly state?: (world: W) => boolean;
  readonly step?: (step: Step<W, E, O>) => boolean;
}

/**
 * A path through the machine alone, found by @xstate/graph, with each machine event mapped to the concrete
 * commands that make the controller take it; `state` is the machine's state after the step.
 */
export interface ControlPath<E> {
  readonly description: string;
  readonly steps: readonly { readonly eventType: string; readonly events: readonly E[]; readonly state: string }[];
}

export interface Lifecycle<W, E, O> {
  readonly id: string;
  readonly seed: string;
  readonly title: string;
  readonly variants: readonly VariantInfo[];
  /** The machines drawn by `copyspec diagrams`; `name` is the file stem in docs/diagrams/. */
  readonly machines: readonly { readonly name: string; readonly title: string; readonly machine: AnyStateMachine }[];
  readonly properties: readonly Property<W, E, O>[];
  initial(variant: string, preset: PresetName): W;
  /** Applies one event to a copy of the world; never changes `world`. */
  step(world: W, event: E): { readonly after: W; readonly outcome: O };
  /** A string equal for two worlds exactly when they behave the same from now on. */
  key(world: W): string;
  /** Every event the exhaustive checker tries in this world (minimal preset), rejected ones included. */
  exhaustiveEvents(world: W): readonly E[];
  /** Random events for model-based runs. */
  eventArbitrary(variant: string, preset: PresetName): fc.Arbitrary<E>;
  /** The machine transitions a step took, as `source --event--> target`; none when it was rejected. */
  takenEdges(step: Step<W, E, O>): readonly string[];
  /** Every machine transition the variant enables from a control state reachable in the machine. */
  machineEdges(variant: string): readonly string[];
  /** The world's control state, as a dotted state key. */
  controlState(world: W): string;
  /** Control-level paths generated with @xstate/graph, each step mapped to concrete events. */
  controlPaths(variant: string): readonly ControlPath<E>[];
  /** Parses an event from JSON (scenario files, vectors); a string is the reason it is malformed. */
  parseEvent(json: unknown): E | string;
  formatEvent(event: E): string;
  /** One readable trace line: control state, bitmaps, and what differs from the model. */
  formatStep(step: Step<W, E, O>): string;
  formatWorld(world: W): string;
  /**
   * For conformance vectors (src/vectors.ts, docs/vectors.md): what a port must match after each step,
   * as plain JSON, and the variant's parameters. A lifecycle without them has no vectors yet.
   */
  observe?(world: W): Readonly<Record<string, unknown>>;
  observeOutcome?(outcome: O): Readonly<Record<string, unknown>>;
  variantParameters?(variant: string): unknown;
}

// The verifier handles lifecycles of different world types side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLifecycle = Lifecycle<any, any, any>;
