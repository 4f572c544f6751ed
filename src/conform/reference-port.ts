/**
 * copyspec's own controller behind the conform protocol (docs/conform.md), for every lifecycle in
 * LIFECYCLES: `node dist/src/conform/reference-port.js`. It answers `init` for any lifecycle, variant and
 * preset geometry, and each command with `observeOutcome` and `observe` of copyspec's step, so `copyspec
 * conform` against it must match everywhere: that is how the tests check conform itself over every lifecycle,
 * new ones included, without a port written for each.
 *
 * `--serve-variant NAME` serves another variant's controller than the one `init` names (a broken one, say),
 * which conform must then find differing wherever that variant's bug shows in what a port reports.
 */
import { createInterface } from 'node:readline';
import { thrownText } from '../assert.js';
import { canonicalJson } from '../harness/canonical.js';
import { lifecycleNamed } from '../lifecycles.js';
import type { AnyLifecycle } from '../lifecycle.js';
import { CONFORM_PROTOCOL, type CommandMessage, type InitMessage } from './protocol.js';

interface Served {
  readonly lifecycle: AnyLifecycle;
  world: unknown;
}

function answerInit(message: InitMessage, serveVariant: string | null): { answer: object; served: Served | null } {
  const lifecycle = lifecycleNamed(message.lifecycle);
  const variant = serveVariant ?? message.variant;
  if (lifecycle === undefined || !lifecycle.variants.some((v) => v.name === variant)) {
    return { answer: { protocol: CONFORM_PROTOCOL, ready: false, reason: `no ${message.lifecycle} variant ${variant} here` }, served: null };
  }
  // The lifecycle's own preset object when the geometry is one of its presets: a lifecycle may memoize by it.
  const own = lifecycle.preset(message.preset);
  const geometry = own !== undefined && canonicalJson(own) === canonicalJson(message.geometry) ? own : message.geometry;
  const world = lifecycle.initial(variant, geometry);
  return { answer: { protocol: CONFORM_PROTOCOL, ready: true, observed: lifecycle.observe(world) }, served: { lifecycle, world } };
}

function answerCommand(message: CommandMessage, served: Served): object {
  const command = served.lifecycle.parseEvent(message.command);
  if (typeof command === 'string') throw new Error(`step ${message.step}: the command does not parse: ${command}`);
  const { after, outcome } = served.lifecycle.step(served.world, command);
  served.world = after;
  return { step: message.step, outcome: served.lifecycle.observeOutcome(outcome), observed: served.lifecycle.observe(after) };
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--serve-variant');
  const serveVariant = at === -1 ? null : (argv[at + 1] ?? null);
  let served: Served | null = null;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const message = JSON.parse(line) as InitMessage | CommandMessage;
    let answer: object;
    if (message.message === 'init') {
      const initialized = answerInit(message, serveVariant);
      served = initialized.served;
      answer = initialized.answer;
    } else {
      if (served === null) throw new Error(`step ${message.step}: a command before a successful init`);
      answer = answerCommand(message, served);
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

// A controller that throws (a broken variant's assertion) ends the port, as a crash ends a real one: stdin,
// still open, would otherwise keep the process alive and silent until copyspec's timeout.
main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${thrownText(error)}\n`, () => process.exit(1));
});
