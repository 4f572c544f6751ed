/**
 * What the coordinator of a parallel exhaustive search (src/verify/parallel.ts) and its workers
 * (src/verify/parallel-worker.ts) share: which worker owns a packed world, how a state's first discovery is
 * keyed, and the messages they exchange. Packed words travel in typed arrays whose buffers are transferred,
 * never as JSON of worlds.
 */
import { hashWords, OWNER_SEED } from './visited.js';

/** The worker that owns the world packed at `words[offset ..]`: a hash independent of the table's. */
export function ownerOf(words: Uint32Array, offset: number, count: number, workers: number): number {
  return hashWords(words, offset, count, OWNER_SEED) % workers;
}

/**
 * A discovery's key: the global number of the state expanded and the alphabet index of the event, as one
 * number below 2^48 (state numbers are below 2^32, alphabets at most 2^16 long), exact in a double. The
 * sequential search numbers each level's new states in the order of their smallest key, so the parallel one
 * does too.
 */
export function discoveryKey(state: number, event: number): number {
  return state * 0x10000 + event;
}

export function keyState(key: number): number {
  return Math.floor(key / 0x10000);
}

export function keyEvent(key: number): number {
  return key % 0x10000;
}

/** Entries a batch of discoveries from one worker to another holds: each the packed words, the state, the event. */
export const BATCH_ENTRIES = 1024;

/** What a worker is started with (its `workerData`). */
export interface WorkerSetup {
  readonly lifecycle: string;
  readonly variant: string;
  /** The preset's geometry, structured-cloned. */
  readonly preset: unknown;
  readonly index: number;
  readonly workers: number;
  /** A port to each other worker, by index; null at the worker's own. */
  readonly peers: readonly (import('node:worker_threads').MessagePort | null)[];
  /** Machine transitions no step has taken yet. */
  readonly untaken: readonly string[];
}

/** The first violation of one property a worker found in a level: at the step `key`, `order`-th in its list. */
export interface Candidate {
  readonly property: string;
  readonly key: number;
  readonly order: number;
}

export type ToWorker =
  /** The states the sequential search had stored when it handed over, and the global numbers of its frontier (the last ones). */
  | { readonly type: 'load'; readonly words: Uint32Array<ArrayBuffer>; readonly count: number; readonly frontier: Uint32Array<ArrayBuffer> }
  /** Expand the frontier; `ranks` numbers the states the last level added, in the order of their keys (null after `load`). */
  | { readonly type: 'expand'; readonly ranks: Uint32Array<ArrayBuffer> | null };

export type FromWorker =
  | {
    readonly type: 'level';
    /** The keys of the states this worker added in the level, ascending. */
    readonly keys: Float64Array<ArrayBuffer>;
    readonly candidates: readonly Candidate[];
    readonly steps: number;
    readonly taken: readonly string[];
    readonly bytes: number;
  }
  | { readonly type: 'tick'; readonly expanded: number }
  | { readonly type: 'failed'; readonly message: string };

export type ToPeer =
  | { readonly type: 'batch'; readonly entries: Uint32Array<ArrayBuffer>; readonly count: number }
  | { readonly type: 'end' };
