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
import { defineLayout, field, type StructField, type Unpacked } from '../harness/layout.js';
import type { MirrorPairWorld, MirrorWorld } from './abstraction.js';
import { MirrorPairController } from './controller.js';
import type { MirrorGeometry } from './events.js';
import { groupGeometry } from './group-world.js';
import type { MirrorPreset } from './lifecycle.js';
import { mirrorVariant, type MirrorVariant } from './variants.js';


function pairShape(geometry: MirrorGeometry) {
  const bytes = geometry.trackCount * geometry.trackSize;
  const tracks = field.set(geometry.trackCount);
  const state = field.choice(MIRROR_STATE_KEYS);
  return {
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
  };
}

/**
 * A group's world (issue 15 item 3) has pair 0 in the same fields, then `group`: its other
 * pairs and the split record, one optional image a pair.
 */
function shape(variantName: string, preset: MirrorPreset) {
  const pairCount = mirrorVariant(variantName)?.control.pairCount ?? 1;
  const geometry = groupGeometry(preset, pairCount);
  const others = pairCount - 1;
  const group = field.struct({
    others: field.array(others, field.struct(pairShape(geometry))),
    split: field.array(others + 1, field.optional(field.bytes(geometry.trackCount * geometry.trackSize))),
  });
  return field.struct({ ...pairShape(geometry), group });
}

/** A single pair's shape: exactly the fields it had before groups, so its worlds pack into the same words. */
function singleShape(preset: MirrorPreset) {
  return field.struct(pairShape(preset));
}

/** The shape of a variant's worlds: a single pair's, or a group's. */
function shapeOf(variantName: string, preset: MirrorPreset) {
  // A layout has one shape type; a single pair's shape is a group's without the `group` field, which pack
  // leaves out for a single pair, so the cast only widens what the packer sees.
  return mirrorVariant(variantName)?.control.pairCount === undefined ? singleShape(preset) as unknown as ReturnType<typeof shape> : shape(variantName, preset);
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

function packPair({ controller: c, model }: MirrorPairWorld) {
  return {
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
  };
}

type PackedPair = Unpacked<StructField<ReturnType<typeof pairShape>>>;

function unpackPair({ controller, model }: PackedPair, variant: MirrorVariant, geometry: MirrorGeometry): MirrorPairWorld {
  return {
    controller: MirrorPairController.restore(variant, geometry, controller),
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
}

function packGroup(world: MirrorWorld) {
  const group = world.group!;
  return { ...packPair(world), group: { others: group.others.map(packPair), split: group.split } };
}

export const mirrorPairLayout = defineLayout<MirrorWorld, MirrorPreset, ReturnType<typeof shape>>({
  shape: shapeOf,
  pack: (world: MirrorWorld) => (world.group === undefined
    ? packPair(world) as ReturnType<typeof packGroup>
    : packGroup(world)),
  unpack(value, variantName, preset): MirrorWorld {
    const variant = mirrorVariant(variantName);
    assert(variant !== undefined, () => `no mirror-pair variant ${variantName}`);
    const pairCount = variant.control.pairCount;
    const geometry = pairCount === undefined ? preset : groupGeometry(preset, pairCount);
    const first = unpackPair(value, variant, geometry);
    const group = pairCount === undefined ? undefined : value.group;
    if (group === undefined) return first;
    return {
      ...first,
      group: {
        others: group.others.map((pair) => unpackPair(pair, variant, geometry)),
        split: group.split.map((image) => (image === null ? null : Array.from(image))),
      },
    };
  },
});
