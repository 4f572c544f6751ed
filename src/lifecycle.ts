/**
 * The seam between copyspec's verifier and a lifecycle (docs/lifecycles.md, "How to add a lifecycle").
 *
 * A lifecycle writes one `LifecycleDefinition`: its machines, presets, command schema, world, step function,
 * alphabets, properties, observations and a few formatting hooks. `defineLifecycle` (src/harness/define.ts)
 * turns it into the `Lifecycle` that the checkers, the vectors, the diagrams, the errata pages and the command
 * line use; everything generic (machine edges and control paths of every machine from @xstate/graph, the
 * default world key, command parsing and formatting, trace lines) is derived there, once, for every lifecycle.
 */
import type fc from 'fast-check';
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { TransitionMeta } from './control.js';
import type { Packer, WorldLayout } from './harness/layout.js';
import type { RejectionReason } from './rejection.js';

export type VariantKind = 'embodiment' | 'literal-defect' | 'broken';

export interface VariantInfo {
  readonly name: string;
  readonly kind: VariantKind;
  readonly description: string;
  /** Seed paragraphs, steps or spec rows the variant follows. */
  readonly ref: string;
  /** For literal-defect and broken variants: the properties the verifier must find violated. */
  readonly catches: readonly string[];
  /**
   * The input of every machine of the lifecycle: the variant's fixed control parameters, plain JSON. The
   * machines' guards read only these, and conformance vectors carry them as the variant's parameters.
   */
  readonly control: object;
  /** Literal-defect variants: how the embodiments fix the defect (shown on the errata page). */
  readonly fix?: string;
}

/** What `copyspec verify` must keep finding for an embodiment variant over the minimal preset. */
export interface Pin {
  readonly states: number;
  readonly transitions: number;
}

export interface MachineEntry {
  /** File stem in docs/diagrams/. */
  readonly name: string;
  readonly title: string;
  /** Its id (`machine.id`) names its transitions in coverage: `<id>: <source> --<event>--> <target>`. */
  readonly machine: AnyStateMachine;
}

/** One machine transition a controller took in a step, in its machine's own names. */
export interface TakenTransition {
  /** The machine's id. */
  readonly machine: string;
  readonly source: string;
  readonly eventType: string;
  readonly target: string;
}

/** A transition a variant enables, with what its machine says of it. */
export interface MachineTransition extends TakenTransition {
  /** `<machine>: <source> --<event>--> <target>`. */
  readonly edge: string;
  readonly description: string;
  readonly meta: TransitionMeta;
}

/**
 * What a port must report for a command: accepted (with whatever results the lifecycle defines), or refused
 * with a reason of src/rejection.ts and its numeric code.
 */
export type ObservedOutcome =
  | ({ readonly accepted: true } & Readonly<Record<string, unknown>>)
  | ({ readonly accepted: false; readonly reason: RejectionReason; readonly code: number } & Readonly<Record<string, unknown>>);

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
 * A lifecycle's geometry and bounds, as plain JSON data. Every lifecycle has `minimal` (the exhaustive
 * search) and `standard` (the model-based runs).
 */
export type Presets<P> = { readonly minimal: P; readonly standard: P } & Readonly<Record<string, P>>;

/** Options of `copyspec simulate <lifecycle>`, the same for every lifecycle. */
export interface SimulationOptions {
  /** Seeds every random choice of the run, so that a run can be repeated exactly. */
  readonly seed: number;
  /** Print only a JSON document on stdout (progress still goes to stderr). */
  readonly json: boolean;
}

export interface SimulationIo {
  readonly out: (text: string) => void;
  /** Progress and diagnostics; never the result. */
  readonly err: (text: string) => void;
}

/**
 * An optional, lifecycle-defined run of a realistic scenario (`copyspec simulate <lifecycle>`): long, seeded,
 * with progress on stderr and a summary on stdout. It returns the exit status: 0 when every property held at
 * every step, 1 when one did not. Usage errors (exit 2) are the command line's.
 */
export interface Simulation {
  /** One line for `copyspec simulate --help` and the list of lifecycles that have one. */
  readonly describe: string;
  run(options: SimulationOptions, io: SimulationIo): number;
}

/**
 * The consistency point a lifecycle takes where a workload has one (docs/workload.md): a `freeze` (seed 001's
 * freeze, the image the secondary commits to), a `split` (seed 000's temporary release and its dump, seed
 * 002's Pair Split or Extent Split), a `checkpoint` (seed 003: the host waits until the backup has every write,
 * and the backup keeps that image) or a `backup` (seed 004's scheduled save, at its point in time).
 */
export type WorkloadCommitKind = 'freeze' | 'split' | 'checkpoint' | 'backup';

/** Faults a workload driver may inject besides the primary failure of every failure point (docs/workload.md). */
export type WorkloadFault = 'link-reorder' | 'link-loss' | 'link-duplicate' | 'link-outage' | 'power-cycle';

/** A workload's volumes: `volumeCount` volumes of `volumeBytes` bytes, written in whole, aligned blocks. */
export interface WorkloadGeometry {
  readonly volumeCount: number;
  readonly volumeBytes: number;
  /** The host's write unit in bytes: every write a session receives is whole blocks at a block boundary. */
  readonly blockSize: number;
}

/** The seeded randomness the workload engine hands a driver; a driver makes no random choice of its own. */
export interface WorkloadRandom {
  /** A whole number in [0, n), n ≥ 1. */
  below(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
}

/**
 * How often each fault happens (docs/workload.md "Faults"). A fault the run does not enable has rate 0. Rates
 * are probabilities per delivery (reorder, loss, duplicate) or per background step (outage, power cycle).
 */
export interface WorkloadFaultRates {
  /** A delivery takes a message chosen at random instead of the one sent first. */
  readonly reorder: number;
  /** A delivery loses its message instead; the sender finds out by its timeout. */
  readonly loss: number;
  /** A delivery first puts a second copy of its message on the link. */
  readonly duplicate: number;
  /** A background step takes the link down, losing what is in flight, for `outageSteps` steps. */
  readonly outage: number;
  readonly outageSteps: number;
  /** A background step power-cycles a controller (what survives is what the lifecycle keeps durably). */
  readonly powerCycle: number;
}

/** What one background step did. */
export interface WorkloadStepReport {
  /** False when there was nothing to do: no copy, delivery, apply or fault could run. */
  readonly busy: boolean;
  /** The commits this step completed, by number: a freeze reported done, a dump written to tape. */
  readonly committed: readonly number[];
  /** The faults this step injected. */
  readonly faults: readonly WorkloadFault[];
}

/** What a failure point hands back: the commit the recovered (or restored) volumes claim to be, and their bytes. */
export interface WorkloadRecovery {
  /** The commit whose image the volumes are said to hold; 0 is the initial image, every byte zero. */
  readonly commit: number;
  readonly volumes: readonly Uint8Array[];
  /**
   * Optional: further images the same recovery claims hold the same commit, each checked as `volumes` is (byte
   * for byte, and by e2fsck), and named in a mismatch: failover-failback's master after failback, which must
   * equal the backup it took the differences from.
   */
  readonly also?: readonly WorkloadImage[];
}

/** A named image of a recovery: `the master after failback`. */
export interface WorkloadImage {
  readonly name: string;
  readonly volumes: readonly Uint8Array[];
}

/** One lifecycle and variant under a workload: the data path the engine drives (src/workload/engine.ts). */
export interface WorkloadSession {
  /** A host write of whole blocks at a block boundary: null when accepted, otherwise why it was refused. */
  write(volume: number, offset: number, data: Uint8Array): string | null;
  /**
   * Takes a commit point now if the lifecycle can: its number (1, 2, ...), after which the image the host
   * wrote so far is what the commit must keep; null when the host must wait (the engine runs background
   * steps and asks again, as a host retries a freeze refused as busy).
   */
  commit(): number | null;
  /** One step of the lifecycle's background work (copies, deliveries, applies, dump reads), with faults. */
  background(random: WorkloadRandom, rates: WorkloadFaultRates): WorkloadStepReport;
  /**
   * The primary fails now and the secondary is recovered, or the volume restored, on a copy: the session
   * itself is left as it was and the run goes on. A throw is reported as a failure, never a crash. The
   * volumes returned are the engine's to read until the next call, which may hand back the same buffers
   * refilled (a driver need not allocate whole volumes at every failure point).
   */
  recover(random: WorkloadRandom): WorkloadRecovery;
}

/**
 * Optional: how `copyspec workload` (docs/workload.md) drives the lifecycle with real data: host writes,
 * commit points and background work on volumes of any size, and what a primary failure recovers.
 */
export interface WorkloadDriver {
  readonly commitKind: WorkloadCommitKind;
  /** One sentence: what a commit and a recovery are in this lifecycle. */
  readonly describe: string;
  /** The faults it can inject; the primary failure of a failure point is always there. */
  readonly faults: readonly WorkloadFault[];
  /** Null when the driver can run volumes of this geometry, otherwise why not (a usage error). */
  refuse(geometry: WorkloadGeometry): string | null;
  open(variant: string, geometry: WorkloadGeometry): WorkloadSession;
}

/** What a lifecycle writes. Everything else the verifier needs is derived from it (src/harness/define.ts). */
export interface LifecycleDefinition<W, E, O, P = unknown> {
  /** Kebab-case, the same in every layer: `machines/<id>.ts`, `model/<id>.ts`, `src/<id>/`, `test/<id>/`. */
  readonly id: string;
  readonly seed: string;
  readonly title: string;
  readonly variants: readonly VariantInfo[];
  readonly machines: readonly MachineEntry[];
  readonly presets: Presets<P>;
  /** The JSON shape of a command: scenario files and vectors are parsed with it, docs/vectors.md is made from it. */
  readonly eventSchema: z.ZodType<E>;
  readonly properties: readonly Property<W, E, O>[];
  /** Every rejection reason the lifecycle can give; each must appear in its vectors. */
  readonly reasons: readonly RejectionReason[];
  /** Reachable worlds and machine transitions of each embodiment variant over the minimal preset. */
  readonly pinned: Readonly<Record<string, Pin>>;
  initial(variant: string, preset: P): W;
  /** Applies one command to a copy of the world; never changes `world`. */
  step(world: W, event: E): { readonly after: W; readonly outcome: O };
  /** Every command the exhaustive checker tries in this world, refused ones included. */
  alphabet(world: W): readonly E[];
  /** Random commands for model-based runs. */
  arbitrary(variant: string, preset: P): fc.Arbitrary<E>;
  /** What a port must match after each step, as plain JSON (docs/vectors.md). */
  observe(world: W): Readonly<Record<string, unknown>>;
  /** What a port must report for a step's command. */
  observeOutcome(outcome: O): ObservedOutcome;
  /** The machine transitions a step took, in order; none when it was refused. */
  taken(outcome: O): readonly TakenTransition[];
  /** Each machine's state in this world, by machine id, as dotted state keys. */
  controlStates(world: W): Readonly<Record<string, string>>;
  /**
   * Optional: the commands that make the controller take machine event `eventType` of `machine` from this
   * world. Without it (or when it returns undefined) the harness finds the shortest such sequence by a
   * bounded breadth-first search over `alphabet`. Null says that no commands take it from this world (an
   * earlier step's data ruled it out), so the harness searches the control path whole at once.
   */
  commandsFor?(machine: string, eventType: string, world: W): readonly E[] | undefined | null;
  /**
   * Optional: a string equal for two worlds exactly when they behave the same from now on. The default is the
   * canonical JSON of the whole world (src/harness/canonical.ts).
   */
  key?(world: W): string;
  /** Optional: a one-line form of a command for traces; the default is `type(field=value ...)`. */
  formatEvent?(event: E): string;
  /** One readable trace line's world part: control state, bitmaps, and what differs from the model. */
  formatWorld(world: W): string;
  /** Optional: a step's verdict for traces; the default is read from `observeOutcome`. */
  formatOutcome?(outcome: O): string;
  /** Optional: paragraphs for this lifecycle's section of docs/vectors.md (what a port must know to match). */
  readonly vectorNotes?: readonly string[];
  /**
   * Optional: the fields of `observe` the report draws as grids, and how (`ObservedKind`); the default is
   * none, and every field is shown as text. A field may be absent from a world's observation (another
   * algorithm's, in a tagged-union world); it is then not drawn.
   */
  readonly observedKinds?: Readonly<Record<string, ObservedKind>>;
  /**
   * Optional: for each field of `observe(world)` the model speaks about, the cells (counted as `observedKinds`
   * counts them) where the controller differs from what the model says they must hold; the report marks them.
   * The default marks nothing. It must not throw where the properties do not: it reads the world as they do.
   */
  differences?(world: W): Differences;
  /** Optional: the lifecycle's `copyspec simulate` run. */
  readonly simulation?: Simulation;
  /**
   * Optional: the world's layout in the harness's terms (src/harness/layout.ts), written once in
   * `src/<id>/layout.ts`: with it the exhaustive checker stores every world packed in a few 32-bit words.
   * Without it the checker stores each world by its key's code units (src/verify/visited.ts, KeySet).
   */
  readonly layout?: WorldLayout<W, P>;
  /**
   * Optional: the geometry a preset file may set (`copyspec verify --preset <file>`), as a zod schema whose
   * bounds are the lifecycle's documented limits. Without it, only the named presets can be searched.
   */
  readonly presetSchema?: z.ZodType<P>;
  /** Optional: how `copyspec workload` drives it with real data; without it the lifecycle is not driven. */
  readonly workload?: WorkloadDriver;
}

/**
 * How the report's trace player draws a field of `observe` as a grid: `bytes` a hex string, one cell a byte;
 * `bits` a string of `0` and `1`, one cell a bit; `blocks` an array of hex strings or null, one cell an element.
 */
export type ObservedKind = 'bytes' | 'bits' | 'blocks';

/** Cells of fields of `observe` where the controller differs from the model, by field name. */
export type Differences = Readonly<Record<string, readonly number[]>>;

/** A path through one machine alone, found by @xstate/graph's getSimplePaths. */
export interface ControlPath {
  /** The machine's id. */
  readonly machine: string;
  readonly description: string;
  readonly steps: readonly { readonly eventType: string; readonly source: string; readonly target: string }[];
}

/** The lifecycle as the verifier sees it: the definition plus what the harness derives from it. */
export interface Lifecycle<W, E, O, P = unknown> extends LifecycleDefinition<W, E, O, P> {
  key(world: W): string;
  formatEvent(event: E): string;
  /** One trace line: command, verdict, world. */
  formatStep(step: Step<W, E, O>): string;
  /** Parses a command from JSON (scenario files, vectors); a string is the reason it is malformed. */
  parseEvent(json: unknown): E | string;
  /** The preset of that name; an unknown name is a usage error the caller reports. */
  preset(name: string): P | undefined;
  /** Every machine transition the variant enables from a reachable machine state, sorted by edge. */
  machineTransitions(variant: string): readonly MachineTransition[];
  /** Their names, `<machine>: <source> --<event>--> <target>`: what coverage counts. */
  machineEdges(variant: string): readonly string[];
  /** The transitions a step took, named as `machineEdges` names them. */
  takenEdges(step: Step<W, E, O>): readonly string[];
  /** Every simple path of every machine, from @xstate/graph. */
  controlPaths(variant: string): readonly ControlPath[];
  /** The variant of that name; asserts it exists. */
  variant(name: string): VariantInfo;
  readonly observedKinds: Readonly<Record<string, ObservedKind>>;
  differences(world: W): Differences;
  /** The packer of the variant's worlds over that preset (made once per preset object), or null without a layout. */
  packer(variant: string, preset: P): Packer<W> | null;
}

// The verifier handles lifecycles of different world types side by side.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLifecycle = Lifecycle<any, any, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLifecycleDefinition = LifecycleDefinition<any, any, any, any>;
