/**
 * The check pool (issue 12, every core): the checks of one `copyspec verify` or `copyspec report` run side
 * by side on worker threads (src/verify/pool-worker.ts), each thread taking the next check when it is done
 * with one, costliest first (`costOf`). A check's result does not depend on where it runs or on what runs
 * beside it: each is the same function of its job as in this thread (src/verify/checks.ts), and the results
 * are handed back in the jobs' order. A thread's exhaustive searches are sequential (the job's `workers` is
 * 1): on two cores two sequential searches side by side do more in a second than one search on two threads,
 * whose workers exchange the worlds they find (README, Parallel search).
 *
 * Threads load the lifecycle registry compiled in dist/ by id, so under vitest, which runs the sources,
 * dist/ must be built (`npm run build`) and current, as for the parallel search.
 */
import { Worker } from 'node:worker_threads';
import { costOf, type CheckJob } from './checks.js';
import type { SearchProgress } from './exhaustive.js';
import type { CheckResult } from './report.js';
import { workerUrl } from './threads.js';

export type ToPoolWorker = { readonly type: 'check'; readonly job: CheckJob };

export type FromPoolWorker =
  | { readonly type: 'progress'; readonly progress: SearchProgress }
  | { readonly type: 'result'; readonly result: CheckResult }
  | { readonly type: 'failed'; readonly message: string };

/** What the pool tells its caller of each check, from the thread that runs it. */
export interface CheckEvents {
  readonly started: (index: number) => void;
  readonly progress: (index: number, progress: SearchProgress) => void;
  readonly finished: (index: number, result: CheckResult) => void;
}

/**
 * Runs `jobs` on `threads` worker threads and gives their results in the jobs' order. A check that throws,
 * a thread that dies or an event of the caller's that throws fails the whole run with that error, and the
 * checks still running are stopped.
 */
export async function runPooled(jobs: readonly CheckJob[], threads: number, events: CheckEvents): Promise<CheckResult[]> {
  const order = jobs.map((job, index) => ({ index, cost: costOf(job) })).sort((a, b) => b.cost - a.cost || a.index - b.index);
  const results = new Array<CheckResult | undefined>(jobs.length);
  let next = 0;
  const workers: Worker[] = [];
  const drive = (worker: Worker): Promise<void> => new Promise((resolve, reject) => {
    let index = -1;
    const take = (): void => {
      if (next === order.length) {
        resolve();
        return;
      }
      index = order[next]!.index;
      next += 1;
      events.started(index);
      worker.postMessage({ type: 'check', job: { ...jobs[index]!, workers: 1 } } satisfies ToPoolWorker);
    };
    worker.on('message', (message: FromPoolWorker) => {
      try {
        if (message.type === 'progress') {
          events.progress(index, message.progress);
        } else if (message.type === 'result') {
          results[index] = message.result;
          events.finished(index, message.result);
          take();
        } else {
          reject(new Error(message.message));
        }
      } catch (error) {
        reject(error); // a caller's event that throws (a refused --path) ends the run as in this thread
      }
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      const during = index === -1 ? 'before its first check' : `during ${jobs[index]!.lifecycle}/${jobs[index]!.variant} ${jobs[index]!.check}`;
      reject(new Error(`check pool: a thread exited (code ${code}) ${during}`));
    });
    take();
  });
  try {
    for (let i = 0; i < Math.min(threads, jobs.length); i += 1) workers.push(new Worker(workerUrl('pool-worker')));
    await Promise.all(workers.map(drive));
  } finally {
    for (const worker of workers) worker.removeAllListeners('exit');
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results.map((result, index) => {
    if (result === undefined) throw new Error(`check pool: no result for check ${index + 1}`);
    return result;
  });
}
