/**
 * One worker of a parallel exhaustive search (src/verify/parallel.ts): it owns the states whose packed words
 * hash to its index (src/verify/partition.ts), keeps them in its own PackedSet, and expands the ones of the
 * current breadth-first level. A world a step makes that another worker owns is checked here (every
 * property, as the sequential search checks a new world) and sent to its owner as packed words with the key
 * of its discovery; the owner keeps each new state with its smallest key, so the coordinator can number the
 * level's states exactly as the sequential search does.
 *
 * Steps run exactly as in src/verify/exhaustive.ts's `tryStep`: anything the step, the transitions it took,
 * the layout or a property throws is a `controller-assertion` at that step; a violating step is a
 * counterexample's end and discovers nothing. The state properties of a new world are checked by its owner
 * (on the world rebuilt from its packed words, which the layout makes behave as the world the step made),
 * except after a violating step, which ends where it is: there they are checked at once, known world or
 * not, since a known world was stored, so it passed them, and checking them again changes no result.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { assert, thrownText } from '../assert.js';
import type { Packer } from '../harness/layout.js';
import type { AnyLifecycle, Step } from '../lifecycle.js';
import { lifecycleNamed } from '../lifecycles.js';
import { BATCH_ENTRIES, discoveryKey, keyEvent, keyState, ownerOf, type Candidate, type FromWorker, type ToPeer, type ToWorker, type WorkerSetup } from './partition.js';
import { CONTROLLER_ASSERTION } from './report.js';
import { propertyChecks, type PropertyChecks } from './trace.js';
import { hashWords, PackedSet, TABLE_SEED } from './visited.js';

/** States expanded between two yields to the event loop, which takes in the other workers' batches. */
const SLICE = 256;
/** States expanded between two progress ticks. */
const TICK = 4096;

class Partition {
  private readonly set: PackedSet;
  private readonly checks: PropertyChecks;
  private readonly untaken: Set<string>;
  private readonly scratch: Uint32Array;
  private readonly words: number;
  /** The words that identify a state and are hashed; the rest are its layout's carried words. */
  private readonly keyWords: number;
  /** The frontier: local states from `frontierBase`, with their global numbers. */
  private frontierBase = 0;
  private frontierRanks = new Uint32Array(0);
  /** The states the level adds: local states from `nextBase`, each with its smallest key so far. */
  private nextBase = 0;
  private nextKeys: number[] = [];
  /** The order of the level's states by key, kept to number them when the coordinator answers. */
  private order = new Uint32Array(0);
  private readonly outgoing: Uint32Array<ArrayBuffer>[];
  private readonly outgoingCount: number[];
  private readonly candidates = new Map<string, Candidate>();
  private taken: string[] = [];
  private steps = 0;
  private ends = 0;
  private expanded = false;
  /**
   * Between this worker's report of a level and the coordinator's answer, another worker may already be
   * expanding the next level (its answer came first): its batches wait here until this one has numbered
   * the states the last level added.
   */
  private reported = false;
  private early: ToPeer[] = [];

  constructor(
    private readonly lifecycle: AnyLifecycle,
    private readonly packer: Packer<unknown>,
    private readonly setup: WorkerSetup,
    private readonly post: (message: FromWorker, transfer?: ArrayBuffer[]) => void,
  ) {
    this.words = packer.words;
    this.keyWords = packer.keyWords;
    this.set = new PackedSet(this.words, this.keyWords);
    this.checks = propertyChecks(lifecycle);
    this.untaken = new Set(setup.untaken);
    this.scratch = new Uint32Array(this.words);
    this.outgoing = setup.peers.map(() => this.batch());
    this.outgoingCount = setup.peers.map(() => 0);
  }

  private batch(): Uint32Array<ArrayBuffer> {
    return new Uint32Array(BATCH_ENTRIES * (this.words + 2));
  }

  load(words: Uint32Array, count: number, frontier: Uint32Array<ArrayBuffer>): void {
    for (let i = 0; i < count; i += 1) {
      const hash = hashWords(words, i * this.words, this.keyWords, TABLE_SEED);
      assert(!this.set.find(words, i * this.words, hash), 'a state handed over twice');
      this.set.add(words, i * this.words, hash);
    }
    this.frontierBase = count - frontier.length;
    this.frontierRanks = frontier;
    this.nextBase = count;
  }

  /** Numbers the states the last level added (`ranks` in the order of their keys) and makes them the frontier. */
  private advance(ranks: Uint32Array<ArrayBuffer>): void {
    assert(ranks.length === this.order.length, 'ranks for a different number of states');
    const frontierRanks = new Uint32Array(ranks.length);
    for (let i = 0; i < ranks.length; i += 1) frontierRanks[this.order[i]!] = ranks[i]!;
    this.frontierBase = this.nextBase;
    this.frontierRanks = frontierRanks;
    this.nextBase = this.set.size;
    this.nextKeys = [];
    this.reported = false;
    const early = this.early;
    this.early = [];
    for (const message of early) this.receive(message);
  }

  async expand(ranks: Uint32Array<ArrayBuffer> | null): Promise<void> {
    if (ranks !== null) this.advance(ranks);
    this.expanded = false;
    for (let i = 0; i < this.frontierRanks.length; i += 1) {
      const { page, offset } = this.set.packed(this.frontierBase + i);
      const world = this.packer.decode(page, offset);
      const alphabet = this.lifecycle.alphabet(world);
      for (let k = 0; k < alphabet.length; k += 1) this.tryStep(world, alphabet[k], this.frontierRanks[i]!, k);
      if ((i + 1) % TICK === 0) this.post({ type: 'tick', expanded: TICK });
      if ((i + 1) % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.post({ type: 'tick', expanded: this.frontierRanks.length % TICK });
    this.setup.peers.forEach((port, owner) => {
      if (port === null) return;
      this.flush(owner);
      port.postMessage({ type: 'end' } satisfies ToPeer);
    });
    this.expanded = true;
    this.reportIfDone();
  }

  /** One step of the frontier state numbered `state`, as the sequential search's `tryStep` and `run` take it. */
  private tryStep(world: unknown, event: unknown, state: number, k: number): void {
    this.steps += 1;
    let failed: readonly string[];
    let taken: readonly string[];
    let owner = -1;
    let known = false;
    let after: unknown;
    try {
      const stepped = this.lifecycle.step(world, event);
      after = stepped.after;
      const view: Step<unknown, unknown, unknown> = { before: world, event, outcome: stepped.outcome, after };
      taken = this.untaken.size > 0 ? this.lifecycle.takenEdges(view) : [];
      failed = this.checks.failingSteps(view);
      if (after !== world) {
        this.packer.encodeKey(after, this.scratch);
        owner = ownerOf(this.scratch, 0, this.keyWords, this.setup.workers);
        if (failed.length > 0) {
          // A violating step ends here, so its world's state properties are checked here too, known or not.
          failed = [...failed, ...this.checks.failingStates(after)];
        } else if (owner === this.setup.index) {
          known = this.set.find(this.scratch, 0, hashWords(this.scratch, 0, this.keyWords, TABLE_SEED));
          if (!known) failed = this.checks.failingStates(after);
        }
      }
    } catch {
      this.candidate(CONTROLLER_ASSERTION, state, k, 0);
      return;
    }
    for (const edge of taken) if (this.untaken.delete(edge)) this.taken.push(edge);
    if (failed.length > 0) {
      failed.forEach((name, order) => this.candidate(name, state, k, order));
      return; // a violating world is a counterexample's end, not a place to search on from
    }
    if (after === world) return;
    // The carried words are packed only for a world that is sent, stored or given an earlier parent: most
    // worlds a step makes are known already and need only their key words.
    if (owner !== this.setup.index) {
      this.packer.encodeCarried(after, this.scratch);
      this.send(owner, state, k);
      return;
    }
    const key = discoveryKey(state, k);
    if (!known) {
      this.packer.encodeCarried(after, this.scratch);
      this.addNew(key);
    } else if (this.earlier(this.set.foundIndex, key)) {
      this.packer.encodeCarried(after, this.scratch);
      this.rekey(this.set.foundIndex, key, this.scratch, 0);
    }
  }

  /** Whether `key` is an earlier discovery of state `index`, stored at this level, than the one it has. */
  private earlier(index: number, key: number): boolean {
    const at = index - this.nextBase;
    return at >= 0 && key < this.nextKeys[at]!;
  }

  private candidate(property: string, state: number, k: number, order: number): void {
    const key = discoveryKey(state, k);
    const kept = this.candidates.get(property);
    if (kept === undefined || key < kept.key) this.candidates.set(property, { property, key, order });
  }

  /** Stores the world of the last `find` that missed, first discovered at `key`. */
  private addNew(key: number): void {
    this.set.add(this.scratch, 0, 0);
    this.nextKeys.push(key);
  }

  /** A state found again: an earlier discovery in the level's order becomes its parent. */
  private rekey(index: number, key: number, words: Uint32Array, offset: number): void {
    if (this.earlier(index, key)) {
      this.nextKeys[index - this.nextBase] = key;
      this.set.replaceCarried(index, words, offset);
    }
  }

  private send(owner: number, state: number, k: number): void {
    const entries = this.outgoing[owner]!;
    const at = this.outgoingCount[owner]! * (this.words + 2);
    entries.set(this.scratch, at);
    entries[at + this.words] = state;
    entries[at + this.words + 1] = k;
    this.outgoingCount[owner]! += 1;
    if (this.outgoingCount[owner] === BATCH_ENTRIES) this.flush(owner);
  }

  private flush(owner: number): void {
    const count = this.outgoingCount[owner]!;
    if (count === 0) return;
    const entries = this.outgoing[owner]!;
    this.setup.peers[owner]!.postMessage({ type: 'batch', entries, count } satisfies ToPeer, [entries.buffer]);
    this.outgoing[owner] = this.batch();
    this.outgoingCount[owner] = 0;
  }

  /**
   * Discoveries another worker made of states this one owns, by steps that violated no step property; the
   * state properties of the new ones are checked here, on the world rebuilt from its packed words.
   */
  receive(message: ToPeer): void {
    if (this.reported && message.type === 'batch') {
      this.early.push(message);
      return;
    }
    if (message.type === 'end') {
      this.ends += 1;
      this.reportIfDone();
      return;
    }
    const width = this.words + 2;
    for (let i = 0; i < message.count; i += 1) {
      const at = i * width;
      const key = discoveryKey(message.entries[at + this.words]!, message.entries[at + this.words + 1]!);
      if (this.set.find(message.entries, at, hashWords(message.entries, at, this.keyWords, TABLE_SEED))) {
        this.rekey(this.set.foundIndex, key, message.entries, at);
      } else if (this.holdsStates(message.entries, at, key)) {
        this.set.add(message.entries, at, 0);
        this.nextKeys.push(key);
      }
    }
  }

  /**
   * Whether the new world packed at `entries[at ..]`, made by a step that violated no step property, holds
   * every state property; a violation (or a throw) is recorded at the step's `key`.
   */
  private holdsStates(entries: Uint32Array, at: number, key: number): boolean {
    let failed: readonly string[];
    try {
      failed = this.checks.failingStates(this.packer.decode(entries, at));
    } catch {
      failed = [CONTROLLER_ASSERTION];
    }
    failed.forEach((name, order) => this.candidate(name, keyState(key), keyEvent(key), order));
    return failed.length === 0;
  }

  /** Once this worker has expanded its frontier and every other one has said it is done, the level is complete. */
  private reportIfDone(): void {
    if (!this.expanded || this.ends < this.setup.workers - 1) return;
    this.ends -= this.setup.workers - 1;
    this.expanded = false;
    const count = this.nextKeys.length;
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i += 1) order[i] = i;
    const keys = this.nextKeys;
    order.sort((a, b) => keys[a]! - keys[b]!);
    const sorted = new Float64Array(count);
    for (let i = 0; i < count; i += 1) sorted[i] = keys[order[i]!]!;
    this.order = order;
    this.reported = true;
    const message: FromWorker = {
      type: 'level', keys: sorted, candidates: [...this.candidates.values()], steps: this.steps, taken: this.taken, bytes: this.set.bytes(),
    };
    this.candidates.clear();
    this.taken = [];
    this.steps = 0;
    this.post(message, [sorted.buffer]);
  }
}

function start(port: NonNullable<typeof parentPort>, setup: WorkerSetup): void {
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
  const fail = (error: unknown): void => post({ type: 'failed', message: thrownText(error) });
  try {
    const lifecycle = lifecycleNamed(setup.lifecycle);
    assert(lifecycle !== undefined, () => `no lifecycle ${setup.lifecycle}`);
    const packer = lifecycle.packer(setup.variant, setup.preset);
    assert(packer !== null, () => `${setup.lifecycle} has no world layout`);
    const partition = new Partition(lifecycle, packer, setup, post);
    setup.peers.forEach((peer: MessagePort | null) => peer?.on('message', (message: ToPeer) => {
      try {
        partition.receive(message);
      } catch (error) {
        fail(error);
      }
    }));
    port.on('message', (message: ToWorker) => {
      if (message.type === 'load') partition.load(message.words, message.count, message.frontier);
      else partition.expand(message.ranks).catch(fail);
    });
  } catch (error) {
    fail(error);
  }
}

if (parentPort !== null) start(parentPort, workerData as WorkerSetup);
