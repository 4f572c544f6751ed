/**
 * One thread of the check pool (src/verify/pool.ts): runs each check it is sent, one at a time, and answers
 * with its progress and result, or with the message and stack of what it threw.
 */
import { parentPort } from 'node:worker_threads';
import { thrownText } from '../assert.js';
import { runCheckJob } from './checks.js';
import type { FromPoolWorker, ToPoolWorker } from './pool.js';

function start(port: NonNullable<typeof parentPort>): void {
  const post = (message: FromPoolWorker): void => port.postMessage(message);
  port.on('message', (message: ToPoolWorker) => {
    runCheckJob(message.job, (progress) => post({ type: 'progress', progress }))
      .then((result) => post({ type: 'result', result }))
      .catch((error: unknown) => post({ type: 'failed', message: thrownText(error) }));
  });
}

if (parentPort !== null) start(parentPort);
