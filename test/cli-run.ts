/**
 * `copyspec` run in process, as the tests of its commands drive it: the arguments after `copyspec`, and the
 * exit code with everything written to stdout and stderr.
 */
import { main } from '../src/cli.js';

export async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (text) => { out += text; }, err: (text) => { err += text; } });
  return { code, out, err };
}
