/**
 * mirror-pair commands as every layer sees them: their JSON shape (the zod schema that scenario files,
 * vectors and ports are read with), the pair's geometry, and a one-line form for traces. Nothing here decides
 * whether a command is accepted: the controller (src/mirror-pair/validate.ts and the machine) and the model
 * (model/mirror-pair.ts) each decide that by their own rules, and the verifier compares the two.
 *
 * Seed 000 names every command by volume and the controller resolves the pair (4010, 5010, 6010, 7010);
 * copyspec names pair commands by pair id, with the volumes resolving to it (spec/000 §8.13).
 */
import { z } from 'zod';
import type { MirrorEvent } from '../../machines/mirror-pair.js';

export interface MirrorGeometry {
  readonly trackCount: number;
  /** Bytes per track. */
  readonly trackSize: number;
}

export const PAIR_ID = 0;
/** The one consistency group of a group variant (issue 15); a single pair is in no group. */
export const GROUP_ID = 0;
export const PRIMARY_VOLUME = 0;
export const SECONDARY_VOLUME = 1;

/**
 * The pair a command addresses (issue 15's consistency groups): a volume or track command's optional `pair`
 * (absent for pair 0, so a single pair's commands are unchanged), a pair command's `pair`; null for the
 * controller's own commands (`power.cycle`, `group.suspend`). A reading of the command's format, shared by the
 * controller and the model as the schema is: which field names the pair decides nothing about acceptance.
 */
export function addressedPair(event: MirrorEvent): number | null {
  switch (event.type) {
    case 'power.cycle':
    case 'group.suspend':
      return null;
    case 'host.write':
    case 'host.read':
    case 'track.fail':
    case 'track.corrupt':
      return event.pair ?? PAIR_ID;
    default:
      return event.pair;
  }
}

/** The command readdressed to pair `pair`: `pair` set on a volume or track command (absent for 0), and on a pair command. */
export function addressedTo(event: MirrorEvent, pair: number): MirrorEvent {
  switch (event.type) {
    case 'power.cycle':
    case 'group.suspend':
      return event;
    case 'host.write':
    case 'host.read':
    case 'track.fail':
    case 'track.corrupt': {
      const rest: Record<string, unknown> = { ...event };
      delete rest['pair'];
      return (pair === PAIR_ID ? rest : { ...rest, pair }) as MirrorEvent;
    }
    default:
      return { ...event, pair };
  }
}

/** Commands already readdressed to pair 0: the exhaustive checker sends the same command objects in every world. */
const asPairZero = new WeakMap<MirrorEvent, MirrorEvent>();

/** The command as its pair takes it, alone: a command of pair 0 (`addressedTo(event, PAIR_ID)`, made once per command object). */
export function asPairCommand(event: MirrorEvent): MirrorEvent {
  let command = asPairZero.get(event);
  if (command === undefined) {
    command = addressedTo(event, PAIR_ID);
    asPairZero.set(event, command);
  }
  return command;
}

/**
 * The bytes a media error leaves in a failed track of a volume (issue 15): a fixed value, so that ports agree
 * on what a failed track holds until it is rewritten.
 */
export const FAILED_BYTE = 0xee;

/**
 * The bytes a silent corruption (`track.corrupt`) leaves in the secondary's copy of a track: a fixed value, as
 * FAILED_BYTE is, so that ports agree; writing it again changes nothing, so repeated corruption stays bounded.
 */
export const CORRUPT_BYTE = 0xcc;

const whole = z.number().int().nonnegative();
/** The pair a volume or track command names: absent for pair 0, as every command read before groups. */
const pairOf = whole.optional();
const pairCommand = <T extends string>(type: T) => z.object({ type: z.literal(type), pair: whole }).strict();

/**
 * The shape of an external command, as read from a scenario file. `copy.complete`, `restore.complete` and
 * `verify.complete` are internal: never sent.
 */
export const mirrorEventSchema: z.ZodType<MirrorEvent> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host.write'), volume: whole, offset: whole, data: z.string(), pair: pairOf }).strict(),
  z.object({ type: z.literal('host.read'), volume: whole, offset: whole, length: whole, pair: pairOf }).strict(),
  pairCommand('pair.establish'),
  pairCommand('pair.suspend'),
  pairCommand('pair.resync'),
  pairCommand('pair.restore'),
  pairCommand('pair.separate'),
  pairCommand('copy.step'),
  z.object({ type: z.literal('track.fail'), volume: whole, track: whole, pair: pairOf }).strict(),
  z.object({ type: z.literal('track.corrupt'), track: whole, pair: pairOf }).strict(),
  z.object({ type: z.literal('group.suspend'), group: whole }).strict(),
  pairCommand('pair.verify'),
  pairCommand('verify.step'),
  pairCommand('dump.update-info'),
  z.object({ type: z.literal('dump.read'), pair: whole, tracks: z.array(whole) }).strict(),
  z.object({ type: z.literal('power.cycle') }).strict(),
]);

/** ` p1` for a volume or track command of a pair other than 0; nothing for pair 0. */
function pairNote(pair: number | undefined): string {
  return pair === undefined || pair === PAIR_ID ? '' : ` p${pair}`;
}

/** A one-line form of a command for traces: `host.write(v0 @1 02)`, `host.write(v0 @1 02 p1)` on pair 1. */
export function formatMirrorEvent(event: MirrorEvent): string {
  switch (event.type) {
    case 'host.write':
      return `host.write(v${event.volume} @${event.offset} ${event.data}${pairNote(event.pair)})`;
    case 'host.read':
      return `host.read(v${event.volume} @${event.offset} +${event.length}${pairNote(event.pair)})`;
    case 'dump.read':
      return `dump.read(p${event.pair} [${event.tracks.join(',')}])`;
    case 'track.fail':
      return `track.fail(v${event.volume} t${event.track}${pairNote(event.pair)})`;
    case 'track.corrupt':
      return `track.corrupt(t${event.track}${pairNote(event.pair)})`;
    case 'group.suspend':
      return `group.suspend(g${event.group})`;
    case 'power.cycle':
      return 'power.cycle';
    default:
      return event.pair === PAIR_ID ? event.type : `${event.type}(p${event.pair})`;
  }
}
