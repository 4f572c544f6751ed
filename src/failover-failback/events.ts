/**
 * failover-failback commands as every layer sees them (seed 003): what the hosts H1 and H2, the two
 * controllers' background jobs, the fault injector and cable 600 send, their JSON shape (the zod schema that
 * scenario files, vectors and ports read), the pair's geometry and a one-line form for traces. Nothing here
 * decides whether a command is accepted: the controller (src/failover-failback/validate.ts and the machines)
 * and the model (model/failover-failback.ts) each decide that by their own rules.
 *
 * A host write names its site: 1 is the master system 100 (host 110 writing through DKC1), 2 the backup
 * system 400 (host 410 through DKC2); each site holds one volume of the pair, so an unknown site is an unknown
 * volume. A write is one whole logical track (spec/003 §2: the unit of difference is one logical track).
 */
import { z } from 'zod';

export interface FailoverGeometry {
  readonly trackCount: number;
  /** Bytes per track. */
  readonly trackSize: number;
  /** Messages cable 600 holds at once; a send into a full link is lost. */
  readonly linkCapacity: number;
}

export const MASTER_SITE = 1;
export const BACKUP_SITE = 2;

export type FailoverEvent =
  | { readonly type: 'host.write'; readonly site: number; readonly track: number; readonly data: string }
  | { readonly type: 'host.swap' }
  | { readonly type: 'host.resync' }
  | { readonly type: 'host.delpair' }
  | { readonly type: 'host.hand-over' }
  | { readonly type: 'host.pair-recover' }
  | { readonly type: 'master.fail' }
  | { readonly type: 'master.recover' }
  | { readonly type: 'backup.fail' }
  | { readonly type: 'backup.restart' }
  | { readonly type: 'master.copy' }
  | { readonly type: 'master.timeout' }
  | { readonly type: 'backup.copy' }
  | { readonly type: 'backup.timeout' }
  | { readonly type: 'link.deliver'; readonly index: number }
  | { readonly type: 'link.lose'; readonly index: number }
  | { readonly type: 'link.down' }
  | { readonly type: 'link.up' };

export type FailoverEventType = FailoverEvent['type'];

/**
 * A host write with its track's bytes as bytes rather than hex: the workload driver's form
 * (src/failover-failback/workload.ts), which the controller takes beside every `FailoverEvent`. It has no JSON
 * shape: scenario files, vectors and the model see only hex.
 */
export interface BinaryTrackWrite {
  readonly type: 'host.write';
  readonly site: number;
  readonly track: number;
  readonly data: Uint8Array;
}

/** What the controller takes (src/failover-failback/controller.ts `stepSystem`). */
export type ControllerEvent = FailoverEvent | BinaryTrackWrite;

/** The commands that carry no field but their type. */
export const BARE_COMMANDS = [
  'host.swap', 'host.resync', 'host.delpair', 'host.hand-over', 'host.pair-recover',
  'master.fail', 'master.recover', 'backup.fail', 'backup.restart',
  'master.copy', 'master.timeout', 'backup.copy', 'backup.timeout',
  'link.down', 'link.up',
] as const;

export type BareCommand = (typeof BARE_COMMANDS)[number];

const whole = z.number().int().nonnegative();
const bare = <T extends string>(type: T) => z.object({ type: z.literal(type) }).strict();
const indexed = <T extends string>(type: T) => z.object({ type: z.literal(type), index: whole }).strict();

/** The shape of a command as read from a scenario file. */
export const failoverEventSchema: z.ZodType<FailoverEvent> = z.discriminatedUnion('type', [
  z.object({ type: z.literal('host.write'), site: whole, track: whole, data: z.string() }).strict(),
  ...BARE_COMMANDS.map(bare),
  indexed('link.deliver'),
  indexed('link.lose'),
] as unknown as [z.ZodObject, ...z.ZodObject[]]) as unknown as z.ZodType<FailoverEvent>;

/** The track's bytes as `tracks.join('.')` of hex, for traces: `01.00.02`. */
export function formatTracks(bytes: ArrayLike<number | null>, trackSize: number): string {
  const tracks: string[] = [];
  for (let start = 0; start < bytes.length; start += trackSize) {
    let track = '';
    for (let i = start; i < start + trackSize; i += 1) {
      const value = bytes[i];
      track += value === null || value === undefined ? '??' : value.toString(16).padStart(2, '0');
    }
    tracks.push(track);
  }
  return tracks.join('.');
}

/** A one-line form of a command for traces: `host.write(s2 t1=02)`. */
export function formatFailoverEvent(event: FailoverEvent): string {
  switch (event.type) {
    case 'host.write':
      return `host.write(s${event.site} t${event.track}=${event.data})`;
    case 'link.deliver':
    case 'link.lose':
      return `${event.type}(#${event.index})`;
    default:
      return event.type;
  }
}
