/**
 * Bench section "freeze-remote-copy" (issue 3 item 9): what seed 001's unordered remote copy costs on the
 * link, per embodiment, on the standard preset (3 volumes of 4 two-byte blocks, 8 messages in flight, 3 DATA
 * unacknowledged). Measured, never asserted.
 *
 * A seeded workload writes hot blocks more often than cold ones (a few blocks take most writes, as file
 * system metadata does, 【0014】), freezes the group every `WRITES_PER_FREEZE` accepted writes, and drives the
 * controllers with a fair schedule without faults: every round one host write, one freeze-task step, one
 * apply step and every message in flight delivered, and every `WRITES_PER_COPY` rounds one copy step. For each completed freeze it counts
 *   - blocks sent: DATA messages the primary sent (sequence numbers used) during the freeze interval;
 *   - distinct blocks written: blocks the host wrote since the previous freeze;
 *   - messages: every message delivered on the link during the interval (DATA, ACKs, control).
 * Blocks sent per distinct block written is the coalescing the seed promises (【0010】: repeated writes to one
 * block go out once); the split-mirror embodiments send each dirty block once per freeze by construction,
 * E1 and E3 send continuously and so may send a block more than once.
 */
import type { FreezeEvent } from '../../src/freeze-remote-copy/events.js';
import { freezeRemoteCopyLifecycle as lifecycle } from '../../src/freeze-remote-copy/lifecycle.js';
import type { FreezeWorld } from '../../properties/freeze-remote-copy.js';
import type { BenchSection } from '../harness.js';
import { SeededRandom } from '../../src/workload/random.js';

const WRITES_PER_FREEZE = 40;
/** Rounds per run; the smoke run does fewer. */
const ROUNDS = 4_000;
const SMOKE_ROUNDS = 400;
/** Messages delivered per round at most (the link holds 8). */
const DELIVERIES_PER_ROUND = 16;
/** The link is slower than the host (【0029】): remote copy sends one block every this many host writes. */
const WRITES_PER_COPY = 4;

interface Totals {
  freezes: number;
  blocksSent: number;
  distinctWritten: number;
  messages: number;
}

/** One workload run on one embodiment; returns per-freeze totals. */
function simulate(variant: string, rounds: number): Totals {
  // The workload's generator (mulberry32), so every run writes the same blocks.
  const random = new SeededRandom(1);
  const next = (): number => random.next();
  let world: FreezeWorld = lifecycle.initial(variant, lifecycle.presets.standard);
  const { volumeCount, blocksPerVolume } = world.geometry;
  const totals: Totals = { freezes: 0, blocksSent: 0, distinctWritten: 0, messages: 0 };
  let written = new Set<number>();
  let writesSinceFreeze = 0;
  let seqAtFreeze = world.system.primary.seq;
  let messages = 0;
  const step = (event: FreezeEvent): boolean => {
    const { after, outcome } = lifecycle.step(world, event);
    world = after;
    if (!outcome.controller.accepted) return false;
    if (outcome.controller.results.some((r) => r.kind === 'freeze-done')) {
      totals.freezes += 1;
      totals.blocksSent += world.system.primary.seq - seqAtFreeze;
      totals.distinctWritten += written.size;
      totals.messages += messages;
      seqAtFreeze = world.system.primary.seq;
      messages = 0;
    }
    return true;
  };
  for (let round = 0; round < rounds; round += 1) {
    // Hot blocks: the square of a uniform number favours low block numbers.
    const block = Math.floor(next() * next() * volumeCount * blocksPerVolume);
    const data = Math.floor(next() * 65536).toString(16).padStart(4, '0');
    if (step({ type: 'host.write', volume: Math.floor(block / blocksPerVolume), block: block % blocksPerVolume, data })) {
      written.add(block);
      writesSinceFreeze += 1;
    }
    if (writesSinceFreeze >= WRITES_PER_FREEZE && step({ type: 'host.freeze' })) {
      written = new Set();
      writesSinceFreeze = 0;
    }
    if (round % WRITES_PER_COPY === 0) step({ type: 'primary.copy' });
    step({ type: 'primary.step' });
    step({ type: 'secondary.apply' });
    for (let i = 0; i < DELIVERIES_PER_ROUND && world.system.link.inFlight.length > 0; i += 1) if (step({ type: 'link.deliver', index: 0 })) messages += 1;
  }
  return totals;
}

export const freezeRemoteCopySection: BenchSection = {
  name: 'freeze-remote-copy',
  description: 'seed 001: blocks sent per freeze against distinct blocks written (coalescing), messages per freeze',
  run(context) {
    const rounds = context.smoke ? SMOKE_ROUNDS : ROUNDS;
    for (const variant of lifecycle.variants.filter((v) => v.kind === 'embodiment')) {
      context.log(`freeze-remote-copy: ${variant.name}, ${rounds} rounds`);
      let totals: Totals = { freezes: 0, blocksSent: 0, distinctWritten: 0, messages: 0 };
      const measured = context.measure(() => { totals = simulate(variant.name, rounds); return totals.freezes; }, { runs: 1, warmup: 0 });
      const perFreeze = (value: number): number => (totals.freezes === 0 ? 0 : value / totals.freezes);
      const note = `${totals.freezes} freezes of ${WRITES_PER_FREEZE} writes; ${perFreeze(totals.distinctWritten).toFixed(1)} distinct blocks written per freeze`;
      context.record({ name: `freeze-remote-copy: ${variant.name}, blocks sent per freeze`, value: perFreeze(totals.blocksSent), unit: 'blocks', ms: measured.medianMs, note });
      context.record({
        name: `freeze-remote-copy: ${variant.name}, blocks sent per distinct block written`,
        value: totals.distinctWritten === 0 ? 0 : totals.blocksSent / totals.distinctWritten,
        unit: 'ratio',
        ms: measured.medianMs,
        note: `coalescing: ${WRITES_PER_FREEZE} writes per freeze went out as this many blocks per distinct block`,
      });
      context.record({ name: `freeze-remote-copy: ${variant.name}, messages per freeze`, value: perFreeze(totals.messages), unit: 'messages', ms: measured.medianMs, note });
    }
  },
};
