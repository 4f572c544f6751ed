#!/usr/bin/env node
// The copyspec command. The TypeScript sources are compiled to dist/ by `npm ci` (the package's prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('copyspec: dist/ is missing; run `npm ci` (or `npm run build`) in the copyspec folder first.\n');
  process.exit(2);
}
// A reader that stops early (`copyspec verify --list | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => { if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw error; });
}
const { main } = await import(cli);
const write = (stream) => (text) => { stream.write(text); };
process.exitCode = await main(process.argv.slice(2), { out: write(process.stdout), err: write(process.stderr) });
