/**
 * The obviously correct model of seed 001's freeze: what the host may observe and what the secondary may
 * ever recover, with no bitmaps, logs, messages or links. The group's content is one array of blocks; each
 * accepted freeze records the content at that instant as image F(N) (spec/001 §5: F(N) is the host-visible
 * primary content when the primary accepts FREEZE N, serialized with writes; F(0) is the initial image).
 * Only the last two images are kept: the secondary is never more than one freeze behind (I2), so no older
 * image can ever be the right answer.
 *
 * Host and operator commands are accepted by a plain table after the argument check shared with the
 * controller (src/freeze-remote-copy/commands.ts): nothing reaches a failed primary, a freeze while one is in
 * progress is busy (D9), and a recovered secondary cannot recover again. Background steps and link events are
 * scheduling: whether there is work for them depends on the controllers' data, so the model leaves their
 * acceptance open. The model learns that a freeze has completed from the controller's completion report;
 * whether that report is true is what the property `freeze-done-means-recoverable` checks.
 */
import { blockCount, groupBlock, validateArguments, type FreezeEvent, type FreezeGeometry } from '../src/freeze-remote-copy/commands.js';
import { reject, type Rejection } from '../src/rejection.js';

export interface FrozenImage {
  readonly gen: number;
  readonly image: readonly string[];
}

export interface FreezeModel {
  /** The group's host-visible content: every acknowledged write, in order. */
  readonly current: readonly string[];
  /** Freezes accepted: k_P. */
  readonly freezeCount: number;
  /** F(k_P - 1) and F(k_P), oldest first (just F(0) at the start). */
  readonly images: readonly FrozenImage[];
  /** A freeze has been accepted and its completion not yet reported. */
  readonly freezing: boolean;
  readonly primaryFailed: boolean;
  readonly secondaryRecovered: boolean;
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true; readonly read?: string }
  /** Scheduling and link events: the model does not know whether there is work for them. */
  | { readonly accepted: 'either' };

/**
 * Every model is built here, its fields always in this order, so that all models share one object shape in
 * the engine: spread copies (`{ ...model, current }`) gave the same six fields a score of shapes, and each
 * function reading a model slowed down to a generic property lookup.
 */
function modelOf(fields: FreezeModel): FreezeModel {
  return {
    current: fields.current,
    freezeCount: fields.freezeCount,
    images: fields.images,
    freezing: fields.freezing,
    primaryFailed: fields.primaryFailed,
    secondaryRecovered: fields.secondaryRecovered,
  };
}

export function initialModel(geometry: FreezeGeometry): FreezeModel {
  const image = new Array<string>(blockCount(geometry)).fill('00'.repeat(geometry.blockSize));
  return modelOf({ current: image, freezeCount: 0, images: [{ gen: 0, image }], freezing: false, primaryFailed: false, secondaryRecovered: false });
}

/** F(gen), or null when the model no longer (or never) holds it. */
export function imageOf(model: FreezeModel, gen: number): readonly string[] | null {
  return model.images.find((frozen) => frozen.gen === gen)?.image ?? null;
}

function refusal(event: FreezeEvent, model: FreezeModel): Rejection | null {
  switch (event.type) {
    case 'host.write':
    case 'host.read':
    case 'primary.fail':
      return model.primaryFailed ? reject('wrong-state', 'the primary has failed') : null;
    case 'host.freeze':
      if (model.primaryFailed) return reject('wrong-state', 'the primary has failed');
      return model.freezing ? reject('busy', 'a freeze is in progress') : null;
    case 'secondary.recover':
    case 'secondary.restart':
      return model.secondaryRecovered ? reject('wrong-state', 'the secondary has been recovered') : null;
    default:
      return null;
  }
}

function transition(model: FreezeModel, event: FreezeEvent, geometry: FreezeGeometry): FreezeModel {
  switch (event.type) {
    case 'host.write': {
      const current = model.current.slice();
      current[groupBlock(geometry, event.volume, event.block)] = event.data;
      return modelOf({ ...model, current });
    }
    case 'host.freeze': {
      const freezeCount = model.freezeCount + 1;
      return modelOf({ ...model, freezeCount, freezing: true, images: [...model.images.slice(-1), { gen: freezeCount, image: model.current }] });
    }
    case 'primary.fail':
      return modelOf({ ...model, primaryFailed: true });
    case 'secondary.recover':
      return modelOf({ ...model, secondaryRecovered: true });
    default:
      return model;
  }
}

const OPERATOR = new Set<FreezeEvent['type']>(['host.write', 'host.read', 'host.freeze', 'primary.fail', 'secondary.recover', 'secondary.restart']);

/** Applies one command: the answer a correct system gives and the model after it. */
export function applyModel(model: FreezeModel, event: FreezeEvent, geometry: FreezeGeometry): { readonly model: FreezeModel; readonly answer: ModelAnswer } {
  const invalid = validateArguments(event, geometry);
  if (invalid !== null) return { model, answer: { accepted: false, rejection: invalid } };
  if (!OPERATOR.has(event.type)) return { model, answer: { accepted: 'either' } };
  const refused = refusal(event, model);
  if (refused !== null) return { model, answer: { accepted: false, rejection: refused } };
  if (event.type === 'host.read') return { model, answer: { accepted: true, read: model.current[groupBlock(geometry, event.volume, event.block)]! } };
  return { model: transition(model, event, geometry), answer: { accepted: true } };
}

/** The controller reported freeze completion to the host: the model's freeze is over. */
export function freezeReported(model: FreezeModel): FreezeModel {
  return model.freezing ? modelOf({ ...model, freezing: false }) : model;
}
