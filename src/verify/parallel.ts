/**
 * The exhaustive search on several cores (issue 12 item 2): the sequential search of src/verify/exhaustive.ts
 * runs until a breadth-first level ends with PARALLEL_FROM states stored, then hands its states to
 * `workers` worker threads (src/verify/parallel-worker.ts), each owning the states whose packed words hash
 * to it (src/verify/partition.ts), and coordinates them level by level.
 *
 * The result is the sequential search's, state for state: every level's new states are numbered as the
 * sequential search numbers them, in the order of their first discovery (the number of the state expanded,
 * then the index of the event in its alphabet), because each owner keeps a new state's smallest discovery
 * key and this thread merges the owners' sorted keys. This thread keeps every state's parent and event index
 * under that number, and each property's first violation is the smallest key any worker found it at, so
 * state counts, stopping levels, violations, their order and their traces (not only their lengths) are the
 * sequential search's, whatever the timing of the workers.
 *
 * It needs packed states: a lifecycle without a layout, a hash-compacted search (`--compact`, whose
 * fingerprints cannot say which state a hit is) and a search with an `onLookup` or `onExpand` hook run sequentially.
 * Workers load the lifecycle registry compiled in dist/ by id, so under vitest, which runs the sources,
 * dist/ must be built (`npm run build`) and current.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import { assert } from '../assert.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { finishSearch, PackedStore, prepareSearch, type ExhaustiveOptions, type PreparedSearch } from './exhaustive.js';
import { keyEvent, keyState, ownerOf, type Candidate, type FromWorker, type ToWorker, type WorkerSetup } from './partition.js';
import type { CheckResult } from './report.js';
import { workerUrl } from './threads.js';
import { PackedSet } from './visited.js';

/**
 * A search hands over to workers when a level ends with this many states stored; a smaller one stays in
 * this thread. Starting a worker (loading the lifecycle registry) takes about a quarter of a second and the
 * sequential search expands 10 000 to 30 000 states a second, so a search smaller than this is over before
 * workers would pay for themselves. Since the check pool (src/verify/pool.ts) a search runs here only when
 * it is the run's one check, so the states before the hand-over are the part of the run no second core
 * helps with: mirror-pair's 414 040 states at 3 tracks and values 1 and 2 hand over at 14 235 states, about 6 %
 * of the sequential search's time, and took a median 17.2 s with 2 workers against 18.2 s handed over at 50 000
 * (four alternating pairs, 2026-12-04).
 */
export const PARALLEL_FROM = 10_000;

/** The default number of workers: the machine's cores. */
export function defaultWorkers(): number {
  return availableParallelism();
}

export interface ParallelOptions extends ExhaustiveOptions {
  /** Worker threads; 1 is the sequential search. */
  readonly workers: number;
  /** Hand over at this many states instead of PARALLEL_FROM (tests hand over small searches). */
  readonly parallelFrom?: number;
}

/** The exhaustive search with `workers` threads once it is large enough; the sequential one's result. */
export async function exhaustiveParallel(lifecycle: AnyLifecycle, variant: string, options: ParallelOptions): Promise<CheckResult> {
  assert(Number.isInteger(options.workers) && options.workers >= 1, 'workers must be a whole number from 1');
  const prepared = prepareSearch(lifecycle, variant, options);
  const { store } = prepared.search;
  const packed = store instanceof PackedStore && store.set instanceof PackedSet && options.onLookup === undefined && options.onExpand === undefined;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const handoverAt = packed && options.workers > 1 ? (options.parallelFrom ?? PARALLEL_FROM) : Number.POSITIVE_INFINITY;
  const outcome = prepared.search.run(maxStates, options.stopWhenViolated, options.onProgress, handoverAt);
  if (outcome !== 'handover') return finishSearch(prepared, outcome === 'stopped');
  const coordinator = new Coordinator(prepared, store as PackedStore, options.workers, options);
  try {
    const held = await coordinator.run(maxStates);
    return finishSearch(prepared, held.stoppedEarly, held);
  } finally {
    await coordinator.close();
  }
}

type LevelReport = Extract<FromWorker, { type: 'level' }>;

class Coordinator {
  private readonly workers: Worker[] = [];
  /** Per worker, the level reports not yet taken and the takers waiting for one. */
  private readonly reports: LevelReport[][] = [];
  private readonly waiting: ((report: LevelReport) => void)[][] = [];
  private readonly failed: Promise<never>;
  private fail: (error: Error) => void = () => {};
  private explored: number;
  private tickExplored = 0;
  private lastProgress = performance.now();
  private workerBytes: number[];
  /** States numbered so far, and the level being expanded. */
  private stored = 0;
  private level = 0;

  constructor(
    private readonly prepared: PreparedSearch,
    private readonly store: PackedStore,
    count: number,
    private readonly options: ParallelOptions,
  ) {
    this.failed = new Promise<never>((_, reject) => { this.fail = reject; });
    this.failed.catch(() => {}); // observed by every level's race; never an unhandled rejection
    this.explored = prepared.search.frontier;
    this.workerBytes = new Array<number>(count).fill(0);
    const { search } = prepared;
    const ports = Array.from({ length: count }, () => new Array<import('node:worker_threads').MessagePort | null>(count).fill(null));
    for (let i = 0; i < count; i += 1) {
      for (let j = i + 1; j < count; j += 1) {
        const channel = new MessageChannel();
        ports[i]![j] = channel.port1;
        ports[j]![i] = channel.port2;
      }
    }
    for (let index = 0; index < count; index += 1) {
      const peers = ports[index]!;
      const setup: WorkerSetup = { lifecycle: search.lifecycle.id, variant: search.variant, preset: search.preset, index, workers: count, peers, untaken: [...search.untaken] };
      const worker = new Worker(workerUrl('parallel-worker'), { workerData: setup, transferList: peers.filter((port) => port !== null) });
      this.reports.push([]);
      this.waiting.push([]);
      worker.on('message', (message: FromWorker) => this.received(index, message));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new Error(`parallel search: worker ${index} exited (code ${code})`)));
      this.workers.push(worker);
    }
  }

  private received(index: number, message: FromWorker): void {
    if (message.type === 'failed') {
      this.fail(new Error(`parallel search: worker ${index}: ${message.message}`));
    } else if (message.type === 'tick') {
      this.tickExplored += message.expanded;
      this.progress(false);
    } else {
      this.workerBytes[index] = message.bytes;
      const taker = this.waiting[index]!.shift();
      if (taker === undefined) this.reports[index]!.push(message);
      else taker(message);
    }
  }

  private report(index: number): Promise<LevelReport> {
    const ready = this.reports[index]!.shift();
    return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => this.waiting[index]!.push(resolve));
  }

  private bytes(): number {
    const { search } = this.prepared;
    return search.parents.bytes() + search.eventIndices.bytes() + this.workerBytes.reduce((sum, bytes) => sum + bytes, 0);
  }

  private progress(force: boolean): void {
    const { onProgress } = this.options;
    if (onProgress === undefined || (!force && performance.now() - this.lastProgress < 1000)) return;
    this.lastProgress = performance.now();
    onProgress({ explored: this.explored + this.tickExplored, stored: this.stored, level: this.level, bytes: this.bytes() });
  }

  /** Hands the stored states to their owners, then runs level by level until the space is exhausted or the search stops. */
  async run(maxStates: number): Promise<{ states: number; bytes: number; stoppedEarly: boolean }> {
    const { search } = this.prepared;
    this.stored = this.store.size;
    this.level = search.level;
    this.handOver();
    let ranks: (Uint32Array<ArrayBuffer> | null)[] = this.workers.map(() => null);
    for (;;) {
      this.workers.forEach((worker, index) => {
        const numbers = ranks[index] ?? null;
        worker.postMessage({ type: 'expand', ranks: numbers } satisfies ToWorker, numbers === null ? [] : [numbers.buffer]);
      });
      const reports = await Promise.race([Promise.all(this.workers.map((_, index) => this.report(index))), this.failed]);
      this.explored = this.stored;
      this.tickExplored = 0;
      this.recordLevel(reports);
      ranks = this.number(reports);
      const added = reports.reduce((sum, report) => sum + report.keys.length, 0);
      if (added === 0) return { states: this.stored, bytes: this.bytes(), stoppedEarly: false };
      this.stored += added;
      assert(this.stored <= maxStates, () => `${search.lifecycle.id}/${search.variant}: more than ${maxStates} states; the ${search.presetName} preset is too large`);
      this.level += 1;
      if (search.allViolated(this.options.stopWhenViolated)) return { states: this.stored, bytes: this.bytes(), stoppedEarly: true };
      this.progress(false);
    }
  }

  /** Sends each worker the states it owns, in the order of their numbers; the frontier's are the last. */
  private handOver(): void {
    const { set } = this.store;
    const { search } = this.prepared;
    const { words, keyWords } = search.lifecycle.packer(search.variant, search.preset)!;
    const { frontier } = search;
    const owned = this.workers.map(() => ({ words: [] as number[], ranks: [] as number[] }));
    for (let index = 0; index < set.size; index += 1) {
      const { page, offset } = set.packed(index);
      const mine = owned[ownerOf(page, offset, keyWords, this.workers.length)]!;
      for (let i = 0; i < words; i += 1) mine.words.push(page[offset + i]!);
      if (index >= frontier) mine.ranks.push(index);
    }
    this.workers.forEach((worker, index) => {
      const packed = Uint32Array.from(owned[index]!.words);
      const ranks = Uint32Array.from(owned[index]!.ranks);
      worker.postMessage({ type: 'load', words: packed, count: packed.length / words, frontier: ranks } satisfies ToWorker, [packed.buffer, ranks.buffer]);
    });
  }

  /** Steps, transitions taken, and each property's first violation of the level, in the sequential search's order. */
  private recordLevel(reports: readonly LevelReport[]): void {
    const { search } = this.prepared;
    const first = new Map<string, Candidate>();
    for (const report of reports) {
      search.steps += report.steps;
      for (const edge of report.taken) search.untaken.delete(edge);
      for (const candidate of report.candidates) {
        const kept = first.get(candidate.property);
        if (kept === undefined || candidate.key < kept.key) first.set(candidate.property, candidate);
      }
    }
    const ordered = [...first.values()].sort((a, b) => a.key - b.key || a.order - b.order);
    for (const { property, key } of ordered) search.recordAt([property], keyState(key), keyEvent(key));
  }

  /**
   * Merges the workers' sorted keys into the level's order: the state at position p is number stored + p.
   * Records each one's parent and event index, and gives each worker the numbers of its states.
   */
  private number(reports: readonly LevelReport[]): Uint32Array<ArrayBuffer>[] {
    const { search } = this.prepared;
    const heads = reports.map(() => 0);
    const ranks = reports.map((report) => new Uint32Array(report.keys.length));
    const total = reports.reduce((sum, report) => sum + report.keys.length, 0);
    for (let position = 0; position < total; position += 1) {
      let best = -1;
      for (let w = 0; w < reports.length; w += 1) {
        if (heads[w]! < reports[w]!.keys.length && (best === -1 || reports[w]!.keys[heads[w]!]! < reports[best]!.keys[heads[best]!]!)) best = w;
      }
      const key = reports[best]!.keys[heads[best]!]!;
      const state = this.stored + position;
      search.parents.set(state, keyState(key));
      search.eventIndices.set(state, keyEvent(key));
      ranks[best]![heads[best]!] = state;
      heads[best]! += 1;
    }
    return ranks;
  }

  async close(): Promise<void> {
    for (const worker of this.workers) worker.removeAllListeners('exit');
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
