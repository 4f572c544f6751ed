/**
 * Bench sections "resync" and "host-write" (issue 4 items 2 and 3): the mirror-pair controller of seed 000
 * (src/mirror-pair/controller.ts) driven through its only entry point, `handle`.
 *
 * resync: a differential resync (`pair.resync`, then `copy.step` until `mirror.synced`) of k dirty tracks,
 * k = 1 to 10^6, in volumes of 2^20, 2^24 and 2^28 tracks. Tracks are 1 byte, so the figure is the
 * controller's and the bitmaps' cost, not the cost of moving data. To start from k dirty tracks without
 * 2^28 establishing copy steps, each run puts the controller straight into `suspended` with Pbm holding the k
 * tracks (the state a pair.suspend and k host writes leave in embodiment 1, 4040 then 3070).
 * Targets (issue 4 item 3): time linear in k and flat in the volume size, read here as: per-track time at
 * k = 10^6 at most 2 times that at k = 10^3, and time at 2^28 tracks at most 2 times that at 2^20 for the
 * same k.
 *
 * host-write: a 64 KiB host write in `mirror.synced` against a bare double write of the same bytes into two
 * preallocated arrays (target: at most 1.3 times).
 *
 * Both run the controller on the fast bitmap (src/fast-bitmap/bitmap.ts), the one built for volumes of 2^28
 * tracks; the controller's default, the reference bitmap, scans a volume's words where the fast one skips them.
 */
import type { MirrorEvent } from '../../machines/mirror-pair.js';
import { FastBitmap } from '../../src/fast-bitmap/bitmap.js';
import { toHex } from '../../src/hex.js';
import { MirrorPairController } from '../../src/mirror-pair/controller.js';
import { mirrorVariant, type MirrorVariant } from '../../src/mirror-pair/variants.js';
import { randomPositions } from '../data.js';
import type { BenchContext, BenchSection } from '../harness.js';

const PAIR = 0;
const RESYNC: MirrorEvent = { type: 'pair.resync', pair: PAIR };
const COPY_STEP: MirrorEvent = { type: 'copy.step', pair: PAIR };

function variantNamed(name: string): MirrorVariant {
  const variant = mirrorVariant(name);
  if (variant === undefined) throw new Error(`bench: no mirror-pair variant ${name}`);
  return variant;
}

/** Runs the resync to the end; returns the number of `handle` calls. Bounded by the tracks to copy. */
function resync(controller: MirrorPairController, dirtyTracks: number): number {
  let calls = 1;
  const first = controller.handle(RESYNC);
  if (!first.accepted) throw new Error(`bench: pair.resync refused: ${first.rejection.reason}`);
  while (controller.state !== 'mirror.synced') {
    if (calls > dirtyTracks + 1) throw new Error('bench: resync took more copy steps than dirty tracks');
    controller.handle(COPY_STEP);
    calls += 1;
  }
  return calls;
}

/** Suspended, with Pbm holding exactly `tracks` (untimed setup of each run). */
function suspendWithDirtyTracks(controller: MirrorPairController, tracks: Uint32Array): void {
  controller.state = 'suspended';
  controller.primaryBitmap.clearAll();
  for (const track of tracks) controller.primaryBitmap.set(track);
}

export const resyncSection: BenchSection = {
  name: 'resync',
  description: 'mirror-pair differential resync of k dirty tracks in volumes of 2^20, 2^24 and 2^28 tracks',
  run(context) {
    const volumes = context.smoke ? [2 ** 12, 2 ** 16] : [2 ** 20, 2 ** 24, 2 ** 28];
    const counts = context.smoke ? [1, 10, 100] : [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    const times = new Map<string, number>();
    for (const trackCount of volumes) {
      context.log(`resync: ${trackCount} tracks`);
      context.yardstick(3);
      const controller = new MirrorPairController(variantNamed('e1-differential'), { trackCount, trackSize: 1 }, undefined, FastBitmap);
      for (const dirty of counts) {
        const tracks = distinctTracks(trackCount, dirty);
        // A short resync is timed after many warm-up runs: with the default two, its median still included code
        // the engine had not optimized yet, and 1000 dirty tracks measured 0.4-1.3 ms against 0.13 ms warm.
        const runs = dirty >= 100_000 ? { runs: 3, warmup: 1 } : dirty >= 10_000 ? {} : { runs: 21, warmup: 40 };
        const measured = context.measure(() => resync(controller, tracks.length), { ...runs, setup: () => suspendWithDirtyTracks(controller, tracks) });
        times.set(`${trackCount}/${dirty}`, measured.medianMs);
        context.record({
          name: `resync: ${dirty} dirty tracks of ${trackCount}`,
          value: measured.medianMs,
          unit: 'ms',
          ms: measured.medianMs,
          note: `${Math.round((measured.medianMs * 1e6) / tracks.length)} ns per dirty track`,
        });
      }
    }
    recordShape(context, volumes, counts, times);
  },
};

/** The two shape targets, from the times measured above. */
function recordShape(context: BenchContext, volumes: readonly number[], counts: readonly number[], times: ReadonlyMap<string, number>): void {
  const smallest = volumes[0]!;
  const largest = volumes[volumes.length - 1]!;
  const fewer = counts.length > 3 ? counts[counts.length - 4]! : counts[0]!;
  const most = counts[counts.length - 1]!;
  for (const dirty of new Set([counts[0]!, fewer])) {
    const ratio = times.get(`${largest}/${dirty}`)! / times.get(`${smallest}/${dirty}`)!;
    context.record({ name: `resync: flat in volume size, ${dirty} dirty: time at ${largest} / at ${smallest} tracks`, value: ratio, unit: 'x',
      ms: times.get(`${largest}/${dirty}`)!, target: { kind: 'value-at-most', value: 2, unit: 'x' } });
  }
  const perTrack = (dirty: number): number => times.get(`${largest}/${dirty}`)! / dirty;
  context.record({ name: `resync: linear in dirty tracks at ${largest} tracks: per-track time at ${most} / at ${fewer}`, value: perTrack(most) / perTrack(fewer),
    unit: 'x', ms: times.get(`${largest}/${most}`)!, target: { kind: 'value-at-most', value: 2, unit: 'x' } });
}

/** `count` distinct tracks in [0, trackCount), in no particular order. */
function distinctTracks(trackCount: number, count: number): Uint32Array {
  const seen = new Set<number>();
  const candidates = randomPositions(trackCount, count * 2 + 16, 31);
  for (let index = 0; index < candidates.length && seen.size < count; index += 1) seen.add(candidates[index]!);
  return Uint32Array.from(seen);
}

const TRACK_BYTES = 64 * 1024;
const WRITES_PER_RUN = 200;

export const hostWriteSection: BenchSection = {
  name: 'host-write',
  description: 'mirror-pair host write of 64 KiB in mirror.synced against a bare double write of the same bytes',
  run(context) {
    const trackCount = 64;
    const controller = new MirrorPairController(variantNamed('e1'), { trackCount, trackSize: TRACK_BYTES }, undefined, FastBitmap);
    controller.handle({ type: 'pair.establish', pair: PAIR });
    for (let step = 0; step < trackCount && controller.state !== 'mirror.synced'; step += 1) controller.handle(COPY_STEP);
    if (controller.state !== 'mirror.synced') throw new Error(`bench: pair did not reach mirror.synced (${controller.state})`);
    const payloads = Array.from({ length: 16 }, (_, index) => Uint8Array.from({ length: TRACK_BYTES }, (_, at) => (at * 31 + index) & 255));
    const events: MirrorEvent[] = payloads.map((bytes, index) => ({ type: 'host.write', volume: 0, offset: (index % trackCount) * TRACK_BYTES, data: toHex(bytes) }));
    const primary = new Uint8Array(trackCount * TRACK_BYTES);
    const secondary = new Uint8Array(trackCount * TRACK_BYTES);
    context.yardstick(3);
    const { ours, hex, bare } = context.compare({
      ours: { work: () => writeEachBinary(controller, payloads, trackCount) },
      hex: { work: () => writeEach(controller, events) },
      bare: { work: () => doubleWriteEach(primary, secondary, payloads) },
    });
    context.record({
      name: 'host-write: 64 KiB write in mirror.synced, controller / bare double write',
      value: ours.medianMs / bare.medianMs,
      unit: 'x',
      ms: ours.medianMs / WRITES_PER_RUN,
      target: { kind: 'value-at-most', value: 1.3, unit: 'x' },
      peers: {
        'bare double write': { value: (bare.medianMs * 1000) / WRITES_PER_RUN, unit: 'us/write', ms: bare.medianMs / WRITES_PER_RUN },
        'hex command (handle)': { value: (hex.medianMs * 1000) / WRITES_PER_RUN, unit: 'us/write', ms: hex.medianMs / WRITES_PER_RUN },
      },
      note: `controller.hostWrite ${((ours.medianMs * 1000) / WRITES_PER_RUN).toFixed(1)} us per write; the JSON command path (hex data, as in vectors) decodes 128K characters per write`,
    });
  },
};

function writeEachBinary(controller: MirrorPairController, payloads: readonly Uint8Array[], trackCount: number): number {
  let accepted = 0;
  for (let write = 0; write < WRITES_PER_RUN; write += 1) {
    const index = write % payloads.length;
    if (controller.hostWrite(0, (index % trackCount) * TRACK_BYTES, payloads[index]!).accepted) accepted += 1;
  }
  return accepted;
}

function writeEach(controller: MirrorPairController, events: readonly MirrorEvent[]): number {
  let accepted = 0;
  for (let write = 0; write < WRITES_PER_RUN; write += 1) if (controller.handle(events[write % events.length]!).accepted) accepted += 1;
  return accepted;
}

function doubleWriteEach(primary: Uint8Array, secondary: Uint8Array, payloads: readonly Uint8Array[]): number {
  for (let write = 0; write < WRITES_PER_RUN; write += 1) {
    const index = write % payloads.length;
    primary.set(payloads[index]!, (index % 64) * TRACK_BYTES);
    secondary.set(payloads[index]!, (index % 64) * TRACK_BYTES);
  }
  return primary[7]!;
}
