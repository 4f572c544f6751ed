/**
 * The refinement mapping of mirror-pair: the controller's state in the model's terms (TLA+'s "mapping
 * between them", STYLE.md). Properties read the controller only through `abstractOf`, so they see
 * volumes as bytes and bitmaps as sorted track lists, never the controller's data structures; the world and
 * outcome types the properties are written over are defined here too.
 */
import type { MirrorControlInput, MirrorStateKey } from '../../machines/mirror-pair.js';
import type { ModelAnswer, MirrorModel } from '../../model/mirror-pair.js';
import type { MirrorOutcome, MirrorPairController } from './controller.js';
import type { MirrorGeometry } from './events.js';

export type { MirrorOutcome, MirrorResult } from './controller.js';

export interface MirrorWorld {
  readonly controller: MirrorPairController;
  readonly model: MirrorModel;
}

export interface MirrorStepOutcome {
  readonly controller: MirrorOutcome;
  readonly model: ModelAnswer;
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
