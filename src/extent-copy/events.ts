/**
 * extent-copy commands as every layer sees them: their TypeScript types, the zod schema that scenario files,
 * vectors and ports read them with, the geometry, the track of an address, and a one-line form for traces.
 * Nothing here decides whether a command is accepted: the controller (src/extent-copy/validate.ts and the
 * machines) and the model (model/extent-copy.ts) each decide that by their own rules.
 *
 * Seed 002 names a pair by its two volume numbers (500, 600, 1500, 2300); copyspec names a pair record by its
 * index `pair`, which the volumes (and, in E2, the extent) resolve to, as mirror-pair does (spec/000 §8.13).
 * Pair Create names volumes, since it is what picks a free record (400, 1400, 2200). E2's Pair Split names the
 * records of a list, split at one instant (spec/002 A10); a record id stands for the four fields
 * (source, target, start, end) A10 matches on. A host I/O names one address and stays within its track: the
 * seed's Write (【0016】) has one address and every step works on that address's track.
 */
import { z } from 'zod';

/** An extent as the host names it: the start and end addresses of a data set's area, both inclusive (【0015】). */
export interface Extent {
  readonly start: number;
  readonly end: number;
}

export type ExtentEvent =
  | { readonly type: 'host.write'; readonly volume: number; readonly address: number; readonly data: string }
  | { readonly type: 'host.read'; readonly volume: number; readonly address: number; readonly length: number }
  /** E1/E3: `original` and `copy`; E2: also the extents, one record each (【0064】【0065】). */
  | { readonly type: 'pair.create'; readonly original: number; readonly copy: number; readonly extents?: readonly Extent[] }
  /** The pairs split at one instant: E2's records of a multi-area data set (A10); E1 takes a list as well; E3 has no split. */
  | { readonly type: 'pair.split'; readonly pairs: readonly number[] }
  | { readonly type: 'pair.delete'; readonly pair: number }
  | { readonly type: 'pair.query'; readonly pair: number }
  | { readonly type: 'extent.update'; readonly pair: number; readonly extents: readonly Extent[] }
  | { readonly type: 'extent.split'; readonly pair: number; readonly extents: readonly Extent[] }
  | { readonly type: 'extent.join'; readonly pair: number }
  /** One step of a background copy: the pair's job, or (E1) the job of extent slot `extent`. */
  | { readonly type: 'copy.step'; readonly pair: number; readonly extent?: number }
  /** An I/O error on `volume` (the pair's original or copy) at the job's cursor (A12). */
  | { readonly type: 'copy.fault'; readonly pair: number; readonly extent?: number; readonly volume: number };

export type ExtentCommandType = ExtentEvent['type'];

/** The geometry: every bound of a controller, as plain JSON (STYLE.md "Limits and presets"). */
export interface ExtentGeometry {
  /** Tracks of each volume, by volume number; volumes may differ, so "the copy is too small" (A11) can happen. */
  readonly volumeTracks: readonly number[];
  /** Addresses (bytes) per track: T(a) = floor(a / trackSize). */
  readonly trackSize: number;
  /** Pair records (pair info 110/1110/1909 entries). */
  readonly pairCount: number;
  /** E1 extent slots per pair (extent info 205 entries); E2 and E3 have none. */
  readonly extentSlots: number;
  /** Most extents one request may name (E2 Pair Create, E1 Extent Update, E3 Extent Split). */
  readonly extentsMax: number;
}

/** T(a): the track holding address `a` (spec/002 §2 notation). */
export function trackOf(address: number, geometry: ExtentGeometry): number {
  return Math.floor(address / geometry.trackSize);
}

/** A volume's capacity in addresses. */
export function capacityOf(volume: number, geometry: ExtentGeometry): number {
  return (geometry.volumeTracks[volume] ?? 0) * geometry.trackSize;
}

const whole = z.number().int().nonnegative();
const extent = z.object({ start: whole, end: whole }).strict();
const pairCommand = <T extends string>(type: T) => z.object({ type: z.literal(type), pair: whole }).strict();

export const extentEventSchema: z.ZodType<ExtentEvent> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host.write'), volume: whole, address: whole, data: z.string() }).strict(),
  z.object({ type: z.literal('host.read'), volume: whole, address: whole, length: whole }).strict(),
  z.object({ type: z.literal('pair.create'), original: whole, copy: whole, extents: z.array(extent).optional() }).strict(),
  z.object({ type: z.literal('pair.split'), pairs: z.array(whole) }).strict(),
  pairCommand('pair.delete'),
  pairCommand('pair.query'),
  z.object({ type: z.literal('extent.update'), pair: whole, extents: z.array(extent) }).strict(),
  z.object({ type: z.literal('extent.split'), pair: whole, extents: z.array(extent) }).strict(),
  pairCommand('extent.join'),
  z.object({ type: z.literal('copy.step'), pair: whole, extent: whole.optional() }).strict(),
  z.object({ type: z.literal('copy.fault'), pair: whole, extent: whole.optional(), volume: whole }).strict(),
]);

function extentsText(extents: readonly Extent[]): string {
  return extents.map((e) => `${e.start}-${e.end}`).join(',');
}

/** A one-line form of a command for traces: `extent.update(p0 [1-2,6-7])`. */
export function formatExtentEvent(event: ExtentEvent): string {
  switch (event.type) {
    case 'host.write':
      return `host.write(v${event.volume} @${event.address} ${event.data})`;
    case 'host.read':
      return `host.read(v${event.volume} @${event.address} +${event.length})`;
    case 'pair.create':
      return `pair.create(v${event.original}→v${event.copy}${event.extents === undefined ? '' : ` [${extentsText(event.extents)}]`})`;
    case 'pair.split':
      return `pair.split(${event.pairs.map((p) => `p${p}`).join(',')})`;
    case 'extent.update':
    case 'extent.split':
      return `${event.type}(p${event.pair} [${extentsText(event.extents)}])`;
    case 'copy.step':
      return `copy.step(p${event.pair}${event.extent === undefined ? '' : ` x${event.extent}`})`;
    case 'copy.fault':
      return `copy.fault(p${event.pair}${event.extent === undefined ? '' : ` x${event.extent}`} v${event.volume})`;
    default:
      return `${event.type}(p${event.pair})`;
  }
}
