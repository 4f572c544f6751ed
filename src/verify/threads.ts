/**
 * Where the worker threads of src/verify/ start: a worker file compiled in dist/, beside this module when it
 * runs from dist/, or dist/'s copy when it runs from the sources (vitest), which must then be built and
 * current (`npm run build`). The parallel search (parallel-worker) and the check pool (pool-worker) use it.
 */
export function workerUrl(file: 'parallel-worker' | 'pool-worker'): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL(`../../dist/src/verify/${file}.js`, here) : new URL(`./${file}.js`, here);
}
