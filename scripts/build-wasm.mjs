#!/usr/bin/env node
// Build step for the WebAssembly kernels (issue 4): assembles every src/fast-bitmap/<name>.wat (the fast
// bitmap's kernel) into dist/wasm/<name>.wasm with the `wabt` package (a devDependency), before `tsc` runs in
// `npm run build` and in `prepare` (which `npm ci` runs). The binaries are build output, like the rest of
// dist/, and are never committed; src/fast-bitmap/merge-kernel.ts finds them from the package root, so the
// TypeScript sources under vitest and the compiled dist/src/ load the same file.
//
// Usage: node scripts/build-wasm.mjs. It exits nonzero, naming the file, if a module does not assemble or
// validate, so a broken kernel fails the build instead of surfacing later as "kernel unavailable".
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import wabt from 'wabt';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDirectory = join(root, 'src', 'fast-bitmap');
const outputDirectory = join(root, 'dist', 'wasm');

// SIMD is a finished proposal that wabt enables by default; it is named here because the kernels need it.
const FEATURES = { simd: true };

const toolkit = await wabt();
const sources = readdirSync(sourceDirectory).filter((name) => name.endsWith('.wat')).sort();
if (sources.length === 0) throw new Error(`no .wat files in ${sourceDirectory}`);
mkdirSync(outputDirectory, { recursive: true });
for (const name of sources) {
  const path = join(sourceDirectory, name);
  const module = toolkit.parseWat(path, readFileSync(path, 'utf8'), FEATURES);
  try {
    module.resolveNames();
    module.validate();
    const { buffer } = module.toBinary({});
    const output = join(outputDirectory, name.replace(/\.wat$/, '.wasm'));
    // Written beside the target and renamed, so a test run that starts meanwhile never reads half a binary.
    writeFileSync(`${output}.partial`, buffer);
    renameSync(`${output}.partial`, output);
    process.stdout.write(`build-wasm: ${name} -> ${output.slice(root.length + 1)} (${buffer.length} bytes)\n`);
  } finally {
    module.destroy();
  }
}
