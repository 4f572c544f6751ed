/**
 * The refinement mapping of mirror-pair: the controller's state in the model's terms (TLA+'s "mapping
 * between them", STYLE.md). Properties read the controller only through `abstractOf`, so they see
 * volumes as bytes and bitmaps as sorted track lists, never the controller's data structures; the world and
 * outcome types the properties are written over are defined here too.
 */
import type { MirrorControlInput, MirrorEvent, MirrorStateKey } from '../../machines/mirror-pair.js';
import type { GroupSplit, ModelAnswer, MirrorModel } from '../../model/mirror-pair.js';
import type { MirrorOutcome, MirrorPairController } from './controller.js';
import type { MirrorGeometry } from './events.js';

export type { MirrorOutcome, MirrorResult } from './controller.js';

/** One pair: its controller and the model of it. */
export interface MirrorPairWorld {
  readonly controller: MirrorPairController;
  readonly model: MirrorModel;
}

/**
 * The world: pair 0, and in a group variant (issue 15 item 3) the group's other pairs and the model's record
 * of the last group split. A single pair's world has no `group` field, so it is what it was before groups.
 */
export interface MirrorWorld extends MirrorPairWorld {
  readonly group?: MirrorGroupWorld;
}

export interface MirrorGroupWorld {
  /** Pairs 1 to pairCount - 1. */
  readonly others: readonly MirrorPairWorld[];
  /** The model's record of the group split, by pair, pair 0 first (model/mirror-pair.ts `GroupSplit`). */
  readonly split: GroupSplit;
}

/** One pair's part in a step of a group: the command as that pair took it, and both answers to it. */
export interface MirrorPairStep {
  readonly pair: number;
  readonly event: MirrorEvent;
  readonly controller: MirrorOutcome;
  readonly model: ModelAnswer;
}

export interface MirrorStepOutcome {
  /** The whole command's answers. */
  readonly controller: MirrorOutcome;
  readonly model: ModelAnswer;
  /** In a group, each pair the command reached; absent in a single pair's world, where the pair is pair 0. */
  readonly pairs?: readonly MirrorPairStep[];
}

/** Every pair of the world, pair 0 first; the world itself (as pair 0) when it holds one pair. */
export function pairsOf(world: MirrorWorld): readonly MirrorPairWorld[] {
  return world.group === undefined ? [world] : [world, ...world.group.others];
}

/** The controller in model terms. The byte arrays are the volumes' own and must not be changed. */
export interface MirrorAbstract {
  readonly state: MirrorStateKey;
  readonly control: MirrorControlInput;
  readonly geometry: MirrorGeometry;
  readonly primary: Uint8Array;
  readonly secondary: Uint8Array;
  /**
   * What a host reads of the pair, track by track from the side that holds the current data: the primary,
   * except a failed primary track in suspended-error and a track still to copy back while restoring, which
   * come from the secondary. The primary's own array in every other state.
   */
  readonly current: Uint8Array;
  /** Pbm 230, Sbm 240 and the copy list, each as its set tracks, ascending. */
  readonly primaryBitmap: readonly number[];
  readonly secondaryBitmap: readonly number[];
  readonly copyPending: readonly number[];
  /** Tracks whose primary copy failed (suspended-error). */
  readonly primaryFailed: readonly number[];
  /** Tracks the running online verify found to differ (mirror.verifying). */
  readonly verifyFound: readonly number[];
}

/** The primary with the given tracks taken from the secondary. */
function withTracksFrom(primary: Uint8Array, secondary: Uint8Array, tracks: readonly number[], trackSize: number): Uint8Array {
  if (tracks.length === 0) return primary;
  const current = primary.slice();
  for (const track of tracks) current.set(secondary.subarray(track * trackSize, (track + 1) * trackSize), track * trackSize);
  return current;
}

const abstracts = new WeakMap<MirrorPairController, MirrorAbstract>();

/** The abstraction of a controller, made once per controller object (a world's controller never changes). */
export function abstractOf(controller: MirrorPairController): MirrorAbstract {
  let found = abstracts.get(controller);
  if (found === undefined) {
    const primary = controller.primary.contents();
    const secondary = controller.secondary.contents();
    const copyPending = controller.copyPending.toArray();
    const primaryFailed = controller.primaryFailed.toArray();
    const servedBySecondary = controller.state === 'suspended-error' ? primaryFailed : controller.state === 'restoring' ? copyPending : [];
    found = {
      state: controller.state,
      control: controller.variant.control,
      geometry: controller.geometry,
      primary,
      secondary,
      current: withTracksFrom(primary, secondary, servedBySecondary, controller.geometry.trackSize),
      primaryBitmap: controller.primaryBitmap.toArray(),
      secondaryBitmap: controller.secondaryBitmap.toArray(),
      copyPending,
      primaryFailed,
      verifyFound: controller.verifyFound.toArray(),
    };
    abstracts.set(controller, found);
  }
  return found;
}
