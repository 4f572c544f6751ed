/**
 * failover-failback's world layout (src/harness/layout.ts): every field of the two controllers, cable 600,
 * the model and the history's counters that the key (src/failover-failback/lifecycle.ts) distinguishes, in
 * the harness's terms, so that the exhaustive checker stores a world of the minimal preset in a few words.
 *
 * A byte is 0 or one of the preset's written values (the exhaustive alphabet writes nothing else). Bitmaps
 * and the model's track lists are sets of tracks: the lists are ascending and hold each track once
 * (model/failover-failback.ts keeps them so). The key writes a message that can never be taken again (a dead
 * one, controller.ts `isDead`) without its content, since it only takes room on the link; so does the
 * layout, which packs the live messages in the link's order and the number of dead ones. But the link's
 * order, which `link.deliver` and `link.lose` index, places a dead message by its content, so the whole
 * list of messages in flight is carried (src/harness/layout.ts `carried`): a state keeps the link of the
 * first world that reached it, as the search by key kept that world, and the alphabet indices the search
 * records name the same messages in the world a counterexample's replay reaches. test/harness/conformance.ts
 * checks over every embodiment's search that two worlds pack alike exactly when their keys are equal.
 */
import type { BackupStateKey, MasterStateKey } from '../../machines/failover-failback.js';
import type { BackupRole, CopyBack, FailoverModel, MasterRole } from '../../model/failover-failback.js';
import { assert } from '../assert.js';
import { Bitmap } from '../bitmap.js';
import { defineLayout, field, type Unpacked } from '../harness/layout.js';
import { Volume } from '../volume.js';
import type { FailoverWorld } from './abstraction.js';
import type { FailoverPreset } from './lifecycle.js';
import { isDead } from './controller.js';
import { failoverVariant } from './variants.js';
import { MESSAGE_KINDS, messageOf, type Message } from './wire.js';

const MASTER_STATES: readonly MasterStateKey[] = ['primary', 'failed', 'fenced.target', 'fenced.handed-over'];
const BACKUP_STATES: readonly BackupStateKey[] = ['secondary', 'deleted', 'swap', 'copy.failback', 'copy.draining', 'copy.confirming', 'down'];
const MASTER_ROLES: readonly MasterRole[] = ['primary', 'down', 'target', 'handed-over'];
const BACKUP_ROLES: readonly BackupRole[] = ['secondary', 'deleted', 'swap', 'copy', 'draining', 'down'];
const COPY_BACKS: readonly CopyBack[] = ['written', 'written-and-dt1', 'every-track'];
/** A count or a generation no search can reach: an unbounded preset's counters are held up to it. */
const MAX_COUNT = 0xffff;

/** A counter's field: up to its bound (a preset's bounds are small; the standard preset's are unbounded). */
const counter = (bound: number) => field.uint(Math.min(bound, MAX_COUNT));

/** Each takeover, return to SWAP, failure and recovery moves a generation on by one or two: twice that is ample. */
function generation(preset: FailoverPreset) {
  return counter(4 * (preset.maxTakeovers + preset.maxSwapBacks + preset.maxMasterFailures + preset.maxBackupFailures + 1));
}

/** Messages on cable 600, whole, in the link's order. */
function messages(preset: FailoverPreset) {
  return field.list(preset.linkCapacity, field.struct({
    kind: field.choice(MESSAGE_KINDS),
    track: field.optional(field.uint(preset.trackCount - 1)),
    gen: generation(preset),
    data: field.optional(field.hex(preset.trackSize)),
  }));
}

function shape(_variant: string, preset: FailoverPreset) {
  const byte = field.choice([...new Set([0, ...preset.values])]);
  const bytes = preset.trackCount * preset.trackSize;
  const volume = field.array(bytes, byte);
  const tracks = field.set(preset.trackCount);
  const gen = generation(preset);
  const site = <S extends string>(states: readonly S[]) => field.struct({ state: field.choice(states), volume, flags: tracks, inflight: tracks, gen });
  return field.struct({
    master: site(MASTER_STATES),
    backup: site(BACKUP_STATES),
    up: field.bool(),
    live: messages(preset),
    deadCount: field.uint(preset.linkCapacity),
    model: field.struct({
      master: field.choice(MASTER_ROLES),
      backup: field.choice(BACKUP_ROLES),
      linkUp: field.bool(),
      current: volume,
      masterImage: field.optional(volume),
      resynced: field.bool(),
      copyBack: field.choice(COPY_BACKS),
      writtenByMaster: tracks,
      writtenByBackup: tracks,
      divergent: tracks,
    }),
    counters: field.struct({
      writes: counter(preset.maxWrites),
      masterFailures: counter(preset.maxMasterFailures),
      takeovers: counter(preset.maxTakeovers),
      swapBacks: counter(preset.maxSwapBacks),
      backupFailures: counter(preset.maxBackupFailures),
      linkFaults: counter(preset.maxLinkFaults),
    }),
  });
}

type Shape = ReturnType<typeof shape>;
type SiteValue = Omit<Unpacked<Shape['fields']['master']>, 'state'>;

function siteOf(value: SiteValue, preset: FailoverPreset) {
  return {
    volume: new Volume(preset.trackCount, preset.trackSize, Uint8Array.from(value.volume)),
    flags: Bitmap.of(preset.trackCount, value.flags),
    inflight: Bitmap.of(preset.trackCount, value.inflight),
  };
}

/** A message of the verifier's worlds: its track data is hex (bytes are the workload's data path alone, wire.ts). */
type CheckedMessage = Message & { readonly data: string | null };

const NO_MESSAGES: readonly CheckedMessage[] = [];

/** The messages in flight in a world the search made: the verifier's commands carry hex, so every message does. */
function checkedMessages(world: FailoverWorld): readonly CheckedMessage[] {
  return world.system.wire.inFlight as readonly CheckedMessage[];
}

/** The live messages in flight, in the link's order: the link itself when none is dead, as is usual. */
function liveMessages(world: FailoverWorld): readonly CheckedMessage[] {
  const inFlight = checkedMessages(world);
  if (inFlight.length === 0) return NO_MESSAGES;
  return inFlight.every((message) => !isDead(world.system, message)) ? inFlight : inFlight.filter((message) => !isDead(world.system, message));
}

export const failoverFailbackLayout = defineLayout<FailoverWorld, FailoverPreset, Shape, ReturnType<typeof messages>>({
  shape,
  pack(world: FailoverWorld) {
    const { system: { master: m, backup: b, wire }, model, counters } = world;
    const live = liveMessages(world);
    return {
      master: { state: m.state, volume: m.volume.contents(), flags: m.dt1, inflight: m.inflight, gen: m.gen },
      backup: { state: b.state, volume: b.volume.contents(), flags: b.dt2, inflight: b.inflight, gen: b.gen },
      up: wire.up,
      live,
      deadCount: wire.inFlight.length - live.length,
      model,
      counters,
    };
  },
  carried: { shape: (_variant, preset) => messages(preset), pack: checkedMessages },
  unpack({ master, backup, up, model, counters }, variantName, preset, inFlight): FailoverWorld {
    const variant = failoverVariant(variantName);
    assert(variant !== undefined, () => `no failover-failback variant ${variantName}`);
    const m = siteOf(master, preset);
    const b = siteOf(backup, preset);
    // Fields in the order of their builders (controller.ts, src/link.ts, model/failover-failback.ts), so that
    // every rebuilt object has the engine shape of the ones the search makes.
    return {
      system: {
        master: { state: master.state, volume: m.volume, dt1: m.flags, inflight: m.inflight, gen: master.gen },
        backup: { state: backup.state, volume: b.volume, dt2: b.flags, inflight: b.inflight, gen: backup.gen },
        wire: { up, capacity: preset.linkCapacity, inFlight: inFlight.map((x) => messageOf(x.kind, x.track, x.gen, x.data)) },
      },
      model: {
        master: model.master,
        backup: model.backup,
        linkUp: model.linkUp,
        current: model.current,
        masterImage: model.masterImage,
        resynced: model.resynced,
        copyBack: model.copyBack,
        writtenByMaster: model.writtenByMaster,
        writtenByBackup: model.writtenByBackup,
        divergent: model.divergent,
      } satisfies FailoverModel,
      variant,
      geometry: preset,
      counters,
    };
  },
});
