/**
 * Bench section "failover-failback" (issue 10 item 5): what seed 003's failback copies, per embodiment, on a
 * volume larger than the standard preset (2048 tracks of 4 bytes, 16 messages on cable 600). Measured, never
 * asserted.
 *
 * Each cycle is one failover and failback under a seeded workload that writes hot tracks more often than
 * cold ones (the square of a uniform number favours low track numbers): host 110 writes while the copy job
 * sends one track every second write, so the backup is a few tracks behind when the master fails; host 410
 * takes over and writes; the master recovers and Resync runs; host 410 keeps writing while the diff job
 * copies back (one transfer per write), then DELPAIR drains, control is handed over and the pair recovered.
 * Every message in flight is delivered each round, so nothing is lost and a track is sent again only if host
 * 410 wrote it after its transfer. For each cycle it counts
 *   - flagged: |DT2| just after Resync, which is |DT2 OR DT1| in E1 (3020) and |DT2| in E2 and E3;
 *   - needed: the flagged tracks and the tracks host 410 wrote during the copy-back, the least a failback can send;
 *   - sent: copy-back transfers the diff job started, from Resync to DELPAIR's completion.
 * sent / flagged is 1.00 when host 410 is quiet during the copy-back (the quiet run shows it) and above it
 * only by tracks written again after their transfer; sent / trackCount compares with the full copy of the
 * prior art (【0008】【0011】).
 */
import type { FailoverEvent, FailoverGeometry } from '../../src/failover-failback/events.js';
import { initialSystem, stepSystem, type FailoverSystem } from '../../src/failover-failback/controller.js';
import { failoverVariant, type FailoverVariant } from '../../src/failover-failback/variants.js';
import type { BenchSection } from '../harness.js';
import { xorshift } from '../data.js';

const GEOMETRY: FailoverGeometry = { trackCount: 2048, trackSize: 4, linkCapacity: 16 };
const CYCLES = 8;
const SMOKE_CYCLES = 1;
/** Host writes per cycle: before the failure, during SWAP, during the copy-back. */
const WRITES = { primary: 1200, swap: 500, copyBack: 250 } as const;

interface Totals {
  flagged: number;
  needed: number;
  sent: number;
  cycles: number;
}

class Workload {
  system: FailoverSystem;
  sent = 0;
  private readonly next: () => number;

  constructor(readonly variant: FailoverVariant, seed: number) {
    this.system = initialSystem(GEOMETRY);
    this.next = xorshift(seed);
  }

  step(event: FailoverEvent): boolean {
    const { system, outcome } = stepSystem(this.system, event, this.variant, GEOMETRY);
    this.system = system;
    if (outcome.accepted) this.sent += outcome.sent.filter((m) => m.kind === 'failback').length;
    return outcome.accepted;
  }

  /** A hot track: low numbers far more often than high ones. */
  track(): number {
    const u = (this.next() % 65536) / 65536;
    const v = (this.next() % 65536) / 65536;
    return Math.floor(u * v * GEOMETRY.trackCount);
  }

  write(site: number): number {
    const track = this.track();
    const data = (this.next() >>> 0).toString(16).padStart(8, '0');
    this.step({ type: 'host.write', site, track, data });
    return track;
  }

  deliverAll(): void {
    for (let i = 0; i < 4 * GEOMETRY.linkCapacity && this.system.wire.inFlight.length > 0; i += 1) this.step({ type: 'link.deliver', index: 0 });
  }

  run(events: readonly FailoverEvent['type'][]): void {
    for (const type of events) this.step({ type } as FailoverEvent);
  }
}

/** One failover and failback; `copyBackWrites` host-410 writes during the copy-back. */
function cycle(variant: FailoverVariant, seed: number, copyBackWrites: number, totals: Totals): void {
  const w = new Workload(variant, seed);
  for (let i = 0; i < WRITES.primary; i += 1) {
    w.write(1);
    if (i % 2 === 0) w.step({ type: 'master.copy' });
    if (i % 8 === 0) w.deliverAll();
  }
  w.run(['master.fail', 'host.swap']);
  for (let i = 0; i < WRITES.swap; i += 1) w.write(2);
  w.run(['master.recover', 'host.resync']);
  const flagged = w.system.backup.dt2.count;
  const needed = new Set(w.system.backup.dt2.toArray());
  w.sent = 0;
  for (let i = 0; i < copyBackWrites; i += 1) {
    needed.add(w.write(2));
    w.step({ type: 'backup.copy' });
    w.deliverAll();
  }
  w.run(['host.delpair']);
  for (let i = 0; i < 4 * GEOMETRY.trackCount && w.system.backup.state !== 'deleted'; i += 1) {
    w.step({ type: 'backup.copy' });
    w.deliverAll();
  }
  w.run(['host.hand-over', 'host.pair-recover']);
  if (w.system.master.state !== 'primary') throw new Error(`failover-failback bench: ${variant.name} did not recover the pair`);
  totals.flagged += flagged;
  totals.needed += needed.size;
  totals.sent += w.sent;
  totals.cycles += 1;
}

export const failoverFailbackSection: BenchSection = {
  name: 'failover-failback',
  description: 'seed 003: tracks sent per failback against |DT2 OR DT1| at Resync, the tracks that had to go, and a full copy',
  run(context) {
    const cycles = context.smoke ? SMOKE_CYCLES : CYCLES;
    for (const name of ['e1', 'e2', 'e3']) {
      const variant = failoverVariant(name)!;
      for (const [label, copyBackWrites] of [['quiet', 0], ['busy', WRITES.copyBack]] as const) {
        context.log(`failover-failback: ${name}, ${cycles} ${label} failbacks`);
        const totals: Totals = { flagged: 0, needed: 0, sent: 0, cycles: 0 };
        const measured = context.measure(() => {
          totals.flagged = totals.needed = totals.sent = totals.cycles = 0;
          for (let c = 0; c < cycles; c += 1) cycle(variant, 1 + c, copyBackWrites, totals);
          return totals.sent;
        }, { runs: 1, warmup: 0 });
        const per = (value: number): string => (value / totals.cycles).toFixed(0);
        const note = `${label}: ${per(totals.flagged)} flagged at Resync, ${per(totals.needed)} needed, ${per(totals.sent)} sent per failback of ${GEOMETRY.trackCount} tracks; ${copyBackWrites} host-410 writes during the copy-back`;
        const ratio = (name2: string, value: number, why: string): void => {
          context.record({ name: `failover-failback: ${name}, ${label}, ${name2}`, value, unit: 'ratio', ms: measured.medianMs, note: `${note}; ${why}` });
        };
        ratio('tracks sent / |DT2 OR DT1| at Resync', totals.sent / totals.flagged, '1.00 is the minimum for the flagged set');
        ratio('tracks sent / tracks that had to go', totals.sent / totals.needed, 'above 1.00 only by tracks written again after their transfer');
        ratio('tracks sent / full copy', totals.sent / (totals.cycles * GEOMETRY.trackCount), 'the prior art copies every track');
      }
    }
  },
};
