/**
 * mirror-pair's world layout (src/harness/layout.ts): every field of the controller and the model that the
 * key (src/mirror-pair/lifecycle.ts) distinguishes, in the harness's terms, so that the exhaustive checker
 * stores a world of the minimal preset in a few words.
 *
 * Tracks as bitmaps are sets of track numbers; the model's secondary has a null where the model does not
 * know the byte; the release image and the last interval are null outside `suspended`. The written-since
 * lists of the model are ascending and hold each track once (model/mirror-pair.ts builds them so), which is
 * why a set holds them exactly; test/harness/conformance.ts checks over every embodiment's search that two
 * worlds pack alike exactly when their keys are equal.
 */
import { MIRROR_STATE_KEYS } from '../../machines/mirror-pair.js';
import type { MirrorModel } from '../../model/mirror-pair.js';
import { assert } from '../assert.js';
import { defineLayout, field } from '../harness/layout.js';
import type { MirrorWorld } from './abstraction.js';
import { MirrorPairController } from './controller.js';
import type { MirrorPreset } from './lifecycle.js';
import { mirrorVariant } from './variants.js';


function shape(_variant: string, preset: MirrorPreset) {
  const bytes = preset.trackCount * preset.trackSize;
  const tracks = field.set(preset.trackCount);
  const state = field.choice(MIRROR_STATE_KEYS);
  return field.struct({
    controller: field.struct({
      state,
      primary: field.bytes(bytes),
      secondary: field.bytes(bytes),
      primaryBitmap: tracks,
      secondaryBitmap: tracks,
      copyPending: tracks,
      primaryFailed: tracks,
      verifyFound: tracks,
    }),
    model: field.struct({
      state,
      primary: field.bytes(bytes),
      secondary: field.array(bytes, field.optional(field.uint(255))),
      releaseImage: field.optional(field.bytes(bytes)),
      writtenSinceRelease: tracks,
      lastInterval: field.optional(tracks),
      corrupted: tracks,
      verifyMust: field.optional(tracks),
      verifyMay: field.optional(tracks),
    }),
  });
}

/** A model with its fields in model/mirror-pair.ts's order, so that every model has one engine shape. */
function modelOf(fields: MirrorModel): MirrorModel {
  return {
    state: fields.state,
    primary: fields.primary,
    secondary: fields.secondary,
    releaseImage: fields.releaseImage,
    writtenSinceRelease: fields.writtenSinceRelease,
    lastInterval: fields.lastInterval,
    corrupted: fields.corrupted,
    verifyMust: fields.verifyMust,
    verifyMay: fields.verifyMay,
  };
}

export const mirrorPairLayout = defineLayout<MirrorWorld, MirrorPreset, ReturnType<typeof shape>>({
  shape,
  pack: ({ controller: c, model }: MirrorWorld) => ({
    controller: {
      state: c.state,
      primary: c.primary.contents(),
      secondary: c.secondary.contents(),
      primaryBitmap: c.primaryBitmap,
      secondaryBitmap: c.secondaryBitmap,
      copyPending: c.copyPending,
      primaryFailed: c.primaryFailed,
      verifyFound: c.verifyFound,
    },
    model,
  }),
  unpack({ controller, model }, variantName, preset): MirrorWorld {
    const variant = mirrorVariant(variantName);
    assert(variant !== undefined, () => `no mirror-pair variant ${variantName}`);
    return {
      controller: MirrorPairController.restore(variant, preset, controller),
      model: modelOf({
        state: model.state,
        primary: Array.from(model.primary),
        secondary: model.secondary,
        releaseImage: model.releaseImage === null ? null : Array.from(model.releaseImage),
        writtenSinceRelease: model.writtenSinceRelease,
        lastInterval: model.lastInterval,
        corrupted: model.corrupted,
        verifyMust: model.verifyMust,
        verifyMay: model.verifyMay,
      }),
    };
  },
});
