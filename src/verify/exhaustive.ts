/**
 * The exhaustive checker: a breadth-first search over a lifecycle's data-level worlds (minimal preset unless
 * told otherwise), trying every event of the alphabet in every world and checking every property after every
 * step. Breadth-first order makes the first violation of each property one with a shortest trace (as TLC and
 * Spin's -DBFS do). It then replays every simple path of every machine (@xstate/graph, made concrete by
 * src/harness/control-paths.ts), checking that the controller follows the machine state by state.
 *
 * Worlds are stored packed (issue 12): a lifecycle with a layout (src/harness/layout.ts) has each world kept
 * as a few 32-bit words in a typed-array hash table (src/verify/visited.ts), and each state is rebuilt from
 * them when its turn comes to be expanded, so no world object outlives its step; a lifecycle without one is
 * stored by its key's code units, with the world objects of unexpanded states only. Either way each state
 * keeps its parent's number and the index of its event in the parent's alphabet, and a counterexample is
 * rebuilt by replaying those events from the initial world: the same shortest trace as before.
 * src/verify/parallel.ts runs the same search on every core.
 *
 * @xstate/graph's own traversal serializes whole snapshots and slows down by about 4x per doubling of edges
 * (anchors/formal_tools.md §2.4), so it walks the machines and this search walks the data; both use the same
 * pure step function.
 *
 * The checker survives the controller it checks: anything a step throws (a failed assert, or a TypeError
 * from a bad index), and anything the key, the layout or a property throws on the world the step made, is
 * reported as `controller-assertion` with the trace that led to it, never as a crash of the checker.
 */
import { assert } from '../assert.js';
import { realizeControlPath } from '../harness/control-paths.js';
import type { Packer } from '../harness/layout.js';
import type { AnyLifecycle, Step } from '../lifecycle.js';
import { CONTROLLER_ASSERTION, FOLLOWS_MACHINE, replayCommand, TRANSITION_COVERAGE, type CheckResult, type Violation } from './report.js';
import { failures, propertyChecks, traceOf, type PropertyChecks } from './trace.js';
import { FingerprintSet, hashWords, KeySet, PackedSet, PagedArray, TABLE_SEED, type VisitedSet } from './visited.js';

/** How far a search has got, for progress lines: reported about once a second. */
export interface SearchProgress {
  /** States expanded so far. */
  readonly explored: number;
  /** States stored (expanded or queued). */
  readonly stored: number;
  /** Breadth-first level being expanded (the initial world is level 0). */
  readonly level: number;
  /** Bytes of the visited set and the per-state arrays. */
  readonly bytes: number;
}

export interface ExhaustiveOptions {
  /**
   * Refuse to search more worlds than this: a test's or a bench's guard against a preset far larger than it
   * meant. `copyspec verify` sets none; memory is then the only bound.
   */
  readonly maxStates?: number;
  /** The preset searched; `minimal` unless told. With `geometry`, only its name in replay commands. */
  readonly preset?: string;
  /** The preset's geometry when it is not one the lifecycle names (a preset file, `copyspec verify --preset`). */
  readonly geometry?: unknown;
  /**
   * Stop at the end of the first breadth-first level by which every one of these properties has been
   * violated: every shortest trace of them is then found, and deeper worlds can add only longer traces of
   * other properties. The defect tests use it; `copyspec verify` always searches the whole space.
   */
  readonly stopWhenViolated?: readonly string[];
  /** Hash compaction (src/verify/visited.ts): 64-bit fingerprints only; needs a layout. */
  readonly compact?: boolean;
  readonly onProgress?: (progress: SearchProgress) => void;
  /**
   * Called with the initial world and with every world a step makes that is not the world it was made from,
   * once the store has looked it up: the number of its state and whether this lookup stored it, or -1 for a
   * world not stored (it violated a property, or a compact store cannot say which state it is). With
   * `onExpand`, called with each state's world as the store rebuilt it, before its steps, a test compares
   * the packed form with the key over a whole search (test/harness/conformance.ts).
   */
  readonly onLookup?: (world: unknown, state: number, added: boolean) => void;
  readonly onExpand?: (state: number, world: unknown) => void;
}

/** Where a search keeps its states: packed by the lifecycle's layout, or by key when it has none. */
export interface StateStore {
  readonly size: number;
  /** Whether `world`, which a step just made, is stored; it is remembered for `add`. */
  known(world: unknown): boolean;
  /** The number of the state the last `known` found, or -1 where the store cannot say (hash compaction). */
  found(): number;
  /** Stores the world `known` just did not find; returns its number. */
  add(): number;
  /** The world of state `index`, which must not be released yet. */
  world(index: number): unknown;
  /** States below `index` are expanded and will not be asked for again. */
  release(index: number): void;
  bytes(): number;
  omissionProbability(): number;
}

/** States packed by a layout, in a PackedSet or, with hash compaction, a FingerprintSet. */
export class PackedStore implements StateStore {
  private readonly scratch: Uint32Array;
  private hash = 0;
  /** The world `known` last looked up, whose carried words `add` packs. */
  private pending: unknown = null;
  readonly set: VisitedSet;

  constructor(private readonly packer: Packer<unknown>, compact: boolean) {
    this.scratch = new Uint32Array(packer.words);
    this.set = compact ? new FingerprintSet(packer.words, packer.keyWords) : new PackedSet(packer.words, packer.keyWords);
  }

  get size(): number {
    return this.set.size;
  }

  known(world: unknown): boolean {
    this.packer.encodeKey(world, this.scratch);
    this.hash = hashWords(this.scratch, 0, this.packer.keyWords, TABLE_SEED);
    this.pending = world;
    return this.set.find(this.scratch, 0, this.hash);
  }

  found(): number {
    return this.set instanceof PackedSet ? this.set.foundIndex : -1;
  }

  add(): number {
    // Only a stored world's carried words are kept, so only then are they packed.
    this.packer.encodeCarried(this.pending, this.scratch);
    this.pending = null;
    return this.set.add(this.scratch, 0, this.hash);
  }

  world(index: number): unknown {
    const { page, offset } = this.set.packed(index);
    return this.packer.decode(page, offset);
  }

  release(index: number): void {
    this.set.release(index);
  }

  bytes(): number {
    return this.set.bytes();
  }

  omissionProbability(): number {
    return this.set.omissionProbability();
  }
}

/** World objects per page of a KeyedStore's queue. */
const WORLD_PAGE = 4096;

/** States of a lifecycle with no layout: keys in a KeySet, and the world objects of unexpanded states. */
class KeyedStore implements StateStore {
  private readonly set = new KeySet();
  private key = '';
  private hash = 0;
  private pending: unknown = null;
  /**
   * World objects of the states not yet expanded, in pages of WORLD_PAGE states: page `p` holds states
   * p * WORLD_PAGE onwards, and a page is dropped once all of its states are expanded, so releasing never
   * copies the queue.
   */
  private readonly pages: (unknown[] | undefined)[] = [];
  private firstKept = 0;

  constructor(private readonly lifecycle: AnyLifecycle) {}

  get size(): number {
    return this.set.size;
  }

  known(world: unknown): boolean {
    this.key = this.lifecycle.key(world);
    this.hash = KeySet.hash(this.key);
    this.pending = world;
    return this.set.find(this.key, this.hash);
  }

  found(): number {
    return this.set.foundIndex;
  }

  add(): number {
    const index = this.set.add(this.key, this.hash);
    (this.pages[Math.floor(index / WORLD_PAGE)] ??= []).push(this.pending);
    this.pending = null;
    return index;
  }

  world(index: number): unknown {
    const page = this.pages[Math.floor(index / WORLD_PAGE)];
    assert(page !== undefined, () => `state ${index} was released`);
    return page[index % WORLD_PAGE];
  }

  release(index: number): void {
    const below = Math.floor(index / WORLD_PAGE);
    for (; this.firstKept < below; this.firstKept += 1) this.pages[this.firstKept] = undefined;
  }

  bytes(): number {
    return this.set.bytes();
  }

  omissionProbability(): number {
    return 0;
  }
}

/** The store for a search of `variant` over `preset`: packed when the lifecycle has a layout. */
export function storeFor(lifecycle: AnyLifecycle, variant: string, preset: unknown, compact: boolean): StateStore {
  const packer = lifecycle.packer(variant, preset);
  if (packer === null) {
    assert(!compact, () => `${lifecycle.id} has no world layout, which hash compaction needs`);
    return new KeyedStore(lifecycle);
  }
  return new PackedStore(packer, compact);
}

/** No parent: the initial world's entry in `parents`. */
const ROOT = 0xffffffff;
const MAX_ALPHABET = 0xffff;

/** What one tried step gave; the details are in the search's fields, so that a step allocates no result. */
const THREW = 0;
const KNOWN = 1;
const NEW = 2;

export type SearchOutcome = 'exhausted' | 'stopped' | 'handover';

export class Search {
  readonly violations = new Map<string, Violation>();
  readonly checks: PropertyChecks;
  readonly untaken: Set<string>;
  readonly parents = new PagedArray((length) => new Uint32Array(length), 1);
  readonly eventIndices = new PagedArray((length) => new Uint16Array(length), 1);
  steps = 0;
  /** After a `handover`: the first state not expanded, and its breadth-first level. */
  frontier = 0;
  level = 0;
  /** The properties the last tried step violated, and the machine transitions it took. */
  private failed: readonly string[] = [];
  private taken: readonly string[] = [];
  /** The world the last tried step made and looked up, or null when the step changed nothing. */
  private after: unknown = null;

  constructor(
    readonly lifecycle: AnyLifecycle,
    readonly variant: string,
    readonly presetName: string,
    readonly preset: unknown,
    readonly store: StateStore,
    machineEdges: readonly string[],
    private readonly hooks: Pick<ExhaustiveOptions, 'onLookup' | 'onExpand'> = {},
  ) {
    this.checks = propertyChecks(lifecycle);
    this.untaken = new Set(machineEdges);
  }

  /** Stores the initial world and records the state properties it violates. */
  start(initial: unknown): void {
    assert(!this.store.known(initial), 'an empty store knows the initial world');
    this.store.add();
    this.hooks.onLookup?.(initial, 0, true);
    this.parents.set(0, ROOT);
    this.eventIndices.set(0, 0);
    this.record(this.checks.failingStates(initial), -1, null);
  }

  /** Records the first violation of each property, with the events from the initial world to it. */
  record(failed: readonly string[], node: number, event: unknown): void {
    for (const name of failed) {
      if (this.violations.has(name)) continue;
      const events = node === -1 ? [] : eventsTo(this.lifecycle, this.variant, this.preset, this.parents, this.eventIndices, node);
      if (event !== null) events.push(event);
      this.violations.set(name, violationOf(this.lifecycle, this.variant, this.presetName, this.preset, name, events));
    }
  }

  /** `record` for the step of alphabet index `k` from state `node`, whose world is not at hand (a parallel search). */
  recordAt(failed: readonly string[], node: number, k: number): void {
    if (failed.every((name) => this.violations.has(name))) return;
    const chain: number[] = [k];
    for (let at = node; this.parents.get(at) !== ROOT; at = this.parents.get(at)) chain.push(this.eventIndices.get(at));
    const events = replayIndices(this.lifecycle, this.variant, this.preset, chain.reverse());
    for (const name of failed) {
      if (!this.violations.has(name)) this.violations.set(name, violationOf(this.lifecycle, this.variant, this.presetName, this.preset, name, events));
    }
  }

  /** One step from `world`; a throw anywhere in it (step, edges, key or layout, a property) is the step's error. */
  tryStep(world: unknown, event: unknown): number {
    let after: unknown;
    try {
      const stepped = this.lifecycle.step(world, event);
      after = stepped.after;
      const view: Step<unknown, unknown, unknown> = { before: world, event, outcome: stepped.outcome, after };
      this.taken = this.untaken.size > 0 ? this.lifecycle.takenEdges(view) : [];
      // A step that changed nothing returns the very same world; a world already seen has had its state
      // properties checked, so only the step is new.
      this.after = after === world ? null : after;
      const known = after === world || this.store.known(after);
      this.failed = known ? this.checks.failingSteps(view) : [...this.checks.failingSteps(view), ...this.checks.failingStates(after)];
      return known ? KNOWN : NEW;
    } catch {
      return THREW;
    }
  }

  /**
   * Searches breadth first: `exhausted` when every state is expanded, `stopped` when it stopped at
   * `stopWhenViolated` before that, `handover` when a level ended with at least `handoverAt` states stored
   * (a parallel search goes on from there: `frontier` is the first state of the level not expanded, `level`
   * its number).
   */
  run(maxStates: number, stopWhenViolated: readonly string[] | undefined, onProgress?: (progress: SearchProgress) => void, handoverAt = Number.POSITIVE_INFINITY): SearchOutcome {
    const { store } = this;
    let levelEnd = store.size;
    let level = 0;
    let lastProgress = performance.now();
    for (let index = 0; index < store.size; index += 1) {
      if (index === levelEnd) {
        if (this.allViolated(stopWhenViolated)) return 'stopped';
        level += 1;
        if (store.size >= handoverAt) {
          this.frontier = index;
          this.level = level;
          return 'handover';
        }
        levelEnd = store.size;
      }
      const world = store.world(index);
      store.release(index);
      this.hooks.onExpand?.(index, world);
      const alphabet = this.lifecycle.alphabet(world);
      assert(alphabet.length <= MAX_ALPHABET, () => `${this.lifecycle.id}: an alphabet of ${alphabet.length} commands; the search numbers them in 16 bits`);
      for (let k = 0; k < alphabet.length; k += 1) {
        const event = alphabet[k];
        const outcome = this.tryStep(world, event);
        this.steps += 1;
        if (outcome === THREW) {
          this.record([CONTROLLER_ASSERTION], index, event);
          continue;
        }
        for (const edge of this.taken) this.untaken.delete(edge);
        if (this.hooks.onLookup !== undefined && this.after !== null) {
          const state = outcome === KNOWN ? store.found() : this.failed.length > 0 ? -1 : store.size;
          this.hooks.onLookup(this.after, state, outcome === NEW && state !== -1);
        }
        if (this.failed.length > 0) {
          this.record(this.failed, index, event);
          continue; // a violating world is a counterexample's end, not a place to search on from
        }
        if (outcome === KNOWN) continue;
        const added = store.add();
        this.parents.set(added, index);
        this.eventIndices.set(added, k);
        assert(added < maxStates, () => `${this.lifecycle.id}/${this.variant}: more than ${maxStates} states; the ${this.presetName} preset is too large`);
      }
      if ((index & 1023) === 0 && onProgress !== undefined && performance.now() - lastProgress >= 1000) {
        lastProgress = performance.now();
        onProgress({ explored: index + 1, stored: store.size, level, bytes: this.bytes() });
      }
    }
    return 'exhausted';
  }

  /** Whether every property of `names` (a `stopWhenViolated` list) has been violated. */
  allViolated(names: readonly string[] | undefined): boolean {
    return names !== undefined && names.every((name) => this.violations.has(name));
  }

  bytes(): number {
    return this.store.bytes() + this.parents.bytes() + this.eventIndices.bytes();
  }
}

/** The preset searched: the geometry given, or the lifecycle's preset of that name. */
export function presetOf(lifecycle: AnyLifecycle, options: { readonly preset?: string; readonly geometry?: unknown }, fallback: string): { name: string; preset: unknown } {
  const name = options.preset ?? fallback;
  const preset = options.geometry ?? lifecycle.preset(name);
  assert(preset !== undefined, () => `${lifecycle.id} has no preset ${name}`);
  return { name, preset };
}

/** A search made ready to run, and what its result needs from before the run. */
export interface PreparedSearch {
  readonly search: Search;
  readonly machineEdges: readonly string[];
  readonly started: number;
}

export function prepareSearch(lifecycle: AnyLifecycle, variant: string, options: ExhaustiveOptions): PreparedSearch {
  const started = performance.now();
  const { name: presetName, preset } = presetOf(lifecycle, options, 'minimal');
  const machineEdges = lifecycle.machineEdges(variant);
  const initial = lifecycle.initial(variant, preset);
  const store = storeFor(lifecycle, variant, preset, options.compact === true);
  const search = new Search(lifecycle, variant, presetName, preset, store, machineEdges, options);
  search.start(initial);
  return { search, machineEdges, started };
}

/**
 * The result of a search that has ended: the control paths replayed, coverage added. `states` and `bytes`
 * are the store's unless a parallel search, whose states its workers hold, gives them.
 */
export function finishSearch(prepared: PreparedSearch, stoppedEarly: boolean, held?: { readonly states: number; readonly bytes: number }): CheckResult {
  const { search, machineEdges, started } = prepared;
  const { lifecycle, variant, store } = search;
  const paths = replayControlPaths(lifecycle, variant, search.violations);
  const uncovered = machineEdges.filter((edge) => search.untaken.has(edge));
  addCoverage(lifecycle, variant, machineEdges, uncovered, search.violations);
  const compact = store instanceof PackedStore && store.set instanceof FingerprintSet;
  return {
    lifecycle: lifecycle.id,
    variant,
    check: 'exhaustive',
    preset: search.presetName,
    states: held?.states ?? store.size,
    transitions: machineEdges.length,
    transitionsCovered: machineEdges.length - uncovered.length,
    uncoveredTransitions: uncovered,
    steps: search.steps + paths.steps,
    runs: paths.runs,
    properties: lifecycle.properties.map((property) => property.name),
    violations: [...search.violations.values()],
    ms: Math.round(performance.now() - started),
    bytes: held?.bytes ?? search.bytes(),
    ...(compact ? { omissionProbability: store.omissionProbability() } : {}),
    ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

export function exhaustive(lifecycle: AnyLifecycle, variant: string, options: ExhaustiveOptions): CheckResult {
  const prepared = prepareSearch(lifecycle, variant, options);
  const outcome = prepared.search.run(options.maxStates ?? Number.POSITIVE_INFINITY, options.stopWhenViolated, options.onProgress);
  return finishSearch(prepared, outcome === 'stopped');
}

/**
 * A transition the search never took is a gap in the check, reported like a violation so that verify fails;
 * with other violations it is reported too, since the search does not go on from violating worlds.
 */
export function addCoverage(lifecycle: AnyLifecycle, variant: string, machineEdges: readonly string[], uncovered: readonly string[], violations: Map<string, Violation>): void {
  if (uncovered.length === 0) return;
  violations.set(TRANSITION_COVERAGE, {
    property: TRANSITION_COVERAGE,
    ref: `${uncovered.length} of ${machineEdges.length} machine transitions never taken`
      + (violations.size > 0 ? ' (the search does not go on from a violating world)' : ''),
    trace: uncovered.map((edge) => `not taken: ${edge}`),
    events: [],
    replay: `copyspec verify --lifecycle ${lifecycle.id} --variant ${variant} --check exhaustive`,
  });
}

/**
 * The events from the initial world to state `index`: its chain of event indices, each looked up in the
 * alphabet of the world the events before it make (replayed from the initial world, as the search made them).
 */
function eventsTo(
  lifecycle: AnyLifecycle,
  variant: string,
  preset: unknown,
  parents: PagedArray<Uint32Array>,
  eventIndices: PagedArray<Uint16Array>,
  index: number,
): unknown[] {
  const chain: number[] = [];
  for (let at = index; parents.get(at) !== ROOT; at = parents.get(at)) chain.push(eventIndices.get(at));
  return replayIndices(lifecycle, variant, preset, chain.reverse());
}

/** The events that alphabet indices `chain` name, replayed from the initial world. */
export function replayIndices(lifecycle: AnyLifecycle, variant: string, preset: unknown, chain: readonly number[]): unknown[] {
  let world = lifecycle.initial(variant, preset);
  return chain.map((k) => {
    const event = lifecycle.alphabet(world)[k];
    assert(event !== undefined, 'a stored event index past its alphabet');
    world = lifecycle.step(world, event).after;
    return event;
  });
}

export function violationOf(lifecycle: AnyLifecycle, variant: string, presetName: string, preset: unknown, property: string, events: readonly unknown[]): Violation {
  const found = lifecycle.properties.find((p) => p.name === property);
  return {
    property,
    ref: found?.ref ?? '',
    trace: traceOf(lifecycle, variant, presetName, events, preset),
    events,
    replay: replayCommand(lifecycle.id, variant, presetName, events),
  };
}

/**
 * Replays each control path on the controller: after each machine step the controller must have taken that
 * transition and be in the machine's state, and every property must hold after every command. A divergence
 * is reported as the violation of `follows-machine`.
 */
export function replayControlPaths(lifecycle: AnyLifecycle, variant: string, violations: Map<string, Violation>): { runs: number; steps: number } {
  let steps = 0;
  const paths = lifecycle.controlPaths(variant);
  const minimal = lifecycle.preset('minimal');
  for (const path of paths) {
    const realized = realizeControlPath(lifecycle, variant, path, (step, events) => {
      steps += 1;
      let failed: string[];
      try {
        failed = failures(lifecycle, step);
      } catch {
        failed = [CONTROLLER_ASSERTION];
      }
      for (const name of failed) if (!violations.has(name)) violations.set(name, violationOf(lifecycle, variant, 'minimal', minimal, name, [...events]));
    });
    if (realized.failure !== null && !violations.has(FOLLOWS_MACHINE)) {
      violations.set(FOLLOWS_MACHINE, {
        ...violationOf(lifecycle, variant, 'minimal', minimal, FOLLOWS_MACHINE, realized.events),
        ref: `${path.machine} path ${path.description}: ${realized.failure}`,
      });
    }
  }
  return { runs: paths.length, steps };
}
