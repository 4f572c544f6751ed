/**
 * The obviously correct model of seed 003's failover and failback: which site is the single writer, what
 * every acknowledged write makes the writer's image, and what each site must hold in each phase, with no
 * bitmaps, no link and no jobs (spec/003 §3, §5). Volumes are plain byte arrays; an expectation is null
 * where the seed promises nothing (the backup behind the master in asynchronous G0, the master a mixture
 * while tracks are copied back).
 *
 * `current` is every acknowledged write of the writer's lineage: host 110's in G0, the backup's image at the
 * takeover plus host 410's writes after it. With asynchronous copy (E1, E2) the takeover loses the master's
 * writes not yet copied (【0008】: the backup is behind); which writes those are depends on cable 600, which
 * the model does not have, so at a takeover it takes the backup's image from the controller (`takeOver`),
 * and the property replicated-unless-flagged checks that the backup was behind the master only on flagged
 * or in-flight tracks. With synchronous copy (E3) nothing acknowledged is lost, and the model keeps its own
 * image. E1 copies back DT2 OR DT1, so at DELPAIR the master equals the backup; E2 copies DT2 only, so the
 * master keeps its own data on the tracks host 410 did not write (`masterImage`), a divergence pair recovery
 * makes permanent (I5) and the model records in `divergent` until host 110 writes the track again.
 *
 * Commands are accepted by the model's own rules: first its argument check, then a plain table of what each
 * site's role accepts (spec/003 §8 A3, A8, A9; E3's fence level data). Background jobs and cable 600 are
 * scheduling: whether they have work depends on data the model does not keep, so it answers `either` once
 * the role allows them. It learns that DELPAIR completed from the controller's report; whether that report
 * is true is what pair-deleted-sites-equal checks.
 */
import type { FailoverControlInput } from '../machines/failover-failback.js';
import { BACKUP_SITE, MASTER_SITE, type FailoverEvent, type FailoverGeometry } from '../src/failover-failback/events.js';
import { fromHex, isHex } from '../src/hex.js';
import { reject, type Rejection } from '../src/rejection.js';

export type MasterRole = 'primary' | 'down' | 'target' | 'handed-over';
export type BackupRole = 'secondary' | 'deleted' | 'swap' | 'copy' | 'draining' | 'down';
/** What the failback may copy back (I6): the tracks host 410 wrote, also DT1's (E1), or every track (A4). */
export type CopyBack = 'written' | 'written-and-dt1' | 'every-track';

export interface FailoverModel {
  readonly master: MasterRole;
  readonly backup: BackupRole;
  readonly linkUp: boolean;
  /** Every acknowledged write of the writer's lineage (bytes, track after track). */
  readonly current: readonly number[];
  /** M when the master stopped being the writer (its failure or fence); null in G0. */
  readonly masterImage: readonly number[] | null;
  /** A Resync has started copying back since the takeover, so M is a mixture until DELPAIR. */
  readonly resynced: boolean;
  readonly copyBack: CopyBack;
  /** Tracks host 110 wrote since the start or the last pair recovery, ascending (W_A). */
  readonly writtenByMaster: readonly number[];
  /** Tracks host 410 wrote since the takeover, ascending (W_B of I5). */
  readonly writtenByBackup: readonly number[];
  /** E2: tracks where the master kept its own data through a failback and the backup differs (I5). */
  readonly divergent: readonly number[];
}

export type ModelAnswer =
  | { readonly accepted: false; readonly rejection: Rejection }
  | { readonly accepted: true }
  /** Scheduling and cable 600: the model does not know whether there is work. */
  | { readonly accepted: 'either' };

/** Every model is built here, its fields always in this order (one object shape for the engine). */
function modelOf(fields: FailoverModel): FailoverModel {
  return {
    master: fields.master,
    backup: fields.backup,
    linkUp: fields.linkUp,
    current: fields.current,
    masterImage: fields.masterImage,
    resynced: fields.resynced,
    copyBack: fields.copyBack,
    writtenByMaster: fields.writtenByMaster,
    writtenByBackup: fields.writtenByBackup,
    divergent: fields.divergent,
  };
}

export function initialModel(geometry: FailoverGeometry): FailoverModel {
  return modelOf({
    master: 'primary', backup: 'secondary', linkUp: true,
    current: new Array<number>(geometry.trackCount * geometry.trackSize).fill(0),
    masterImage: null, resynced: false, copyBack: 'written', writtenByMaster: [], writtenByBackup: [], divergent: [],
  });
}

/** Which host's writes are accepted: 1 (host 110), 2 (host 410) or nobody (G1, G5-G7). */
export function writerOf(model: FailoverModel): 1 | 2 | null {
  if (model.master === 'primary') return 1;
  return model.backup === 'swap' || model.backup === 'copy' ? 2 : null;
}

const passive = (role: BackupRole): boolean => role === 'secondary' || role === 'deleted';

/** M after a completed failback: the backup's data, except (E2) where the master kept its own. */
function failedBackMaster(model: FailoverModel, control: FailoverControlInput, trackSize: number): readonly number[] {
  if (control.embodiment !== 2 || model.masterImage === null) return model.current;
  const image = model.masterImage;
  return model.current.map((byte, i) => (model.writtenByBackup.includes(Math.floor(i / trackSize)) ? byte : image[i]!));
}

/** What M must hold now, or null where the seed promises nothing (G4, G5 and a SWAP after Resync). */
export function expectedMaster(model: FailoverModel, control: FailoverControlInput, trackSize: number): readonly number[] | null {
  if (model.master === 'primary') return model.current;
  if (model.backup === 'secondary') return model.masterImage;
  if (model.backup === 'deleted') return failedBackMaster(model, control, trackSize);
  return model.backup === 'swap' && !model.resynced ? model.masterImage : null;
}

/** What B must hold now: the writer's image once the backup took over; behind the master in asynchronous G0. */
export function expectedBackup(model: FailoverModel, control: FailoverControlInput): readonly number[] | null {
  return model.backup === 'secondary' && control.embodiment !== 3 ? null : model.current;
}

const whole = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The README's rejection table, row by row, for the arguments. */
function argumentRefusal(event: FailoverEvent, geometry: FailoverGeometry): Rejection | null {
  if (event.type === 'link.deliver' || event.type === 'link.lose') return whole(event.index) ? null : reject('malformed-command', 'a message index is a whole number');
  if (event.type !== 'host.write') return null;
  if (!whole(event.site) || !whole(event.track) || typeof event.data !== 'string' || !isHex(event.data)) return reject('malformed-command', 'a write needs whole numbers and hex data');
  if (event.site !== MASTER_SITE && event.site !== BACKUP_SITE) return reject('unknown-volume', `site ${event.site} holds no volume of the pair`);
  if (event.track >= geometry.trackCount) return reject('track-out-of-range', `track ${event.track} is past the volume`);
  return event.data.length === 2 * geometry.trackSize ? null : reject('length-out-of-range', 'a write is one whole track');
}

const wrongState = (why: string): Rejection => reject('wrong-state', why);

/** What each role accepts (spec/003 §3 T1-T14, §8 A3, A8, A9); null when accepted, `either` for scheduling. */
function stateRefusal(model: FailoverModel, event: FailoverEvent, control: FailoverControlInput): Rejection | 'either' | null {
  const { master, backup } = model;
  const allow = (ok: boolean, why: string): Rejection | null => (ok ? null : wrongState(why));
  switch (event.type) {
    case 'host.write':
      if (event.site === BACKUP_SITE) return allow(backup === 'swap' || backup === 'copy', 'host 410 writes only while the backup is in SWAP or COPY');
      if (master === 'target' || master === 'handed-over') return reject('fenced', 'the master is fenced until pair recovery');
      if (master === 'down') return wrongState('the master is down');
      return control.embodiment === 3 && !(model.linkUp && passive(backup)) ? reject('fenced', 'a synchronous write needs the backup') : null;
    case 'host.swap':
      return allow(backup !== 'swap' && backup !== 'down', 'SWAP from a passive backup, or back from COPY');
    case 'host.resync':
      return allow(backup === 'swap' && master === 'target', 'Resync from SWAP once the master is back');
    case 'host.delpair':
      return allow(backup === 'copy', 'DELPAIR only in COPY');
    case 'host.hand-over':
      return allow(master === 'target' && backup === 'deleted', 'hand over after DELPAIR');
    case 'host.pair-recover':
      return allow(master === 'handed-over' && model.linkUp, 'pair recovery after the hand over, over cable 600');
    case 'master.fail':
      return allow(master !== 'down', 'the master is already down');
    case 'master.recover':
      return allow(master === 'down', 'the master is not down');
    case 'backup.fail':
      return allow(backup === 'copy' || backup === 'draining', 'the backup fails only during the failback');
    case 'backup.restart':
      return allow(backup === 'down', 'the backup is not down');
    case 'master.copy':
    case 'master.timeout':
      return master === 'primary' && control.embodiment !== 3 ? 'either' : wrongState('the master\'s copy job is not running');
    case 'backup.copy':
      return backup === 'copy' || backup === 'draining' ? 'either' : wrongState('the diff job runs only in COPY');
    case 'backup.timeout':
      return backup === 'swap' || backup === 'copy' || backup === 'draining' ? 'either' : wrongState('the backup has no transfer');
    case 'link.down':
      return allow(model.linkUp, 'cable 600 is already down');
    case 'link.up':
      return allow(!model.linkUp, 'cable 600 is already up');
    default:
      return 'either';
  }
}

function withTrack(tracks: readonly number[], track: number): readonly number[] {
  return tracks.includes(track) ? tracks : [...tracks, track].sort((a, b) => a - b);
}

function written(model: FailoverModel, event: Extract<FailoverEvent, { type: 'host.write' }>, trackSize: number): FailoverModel {
  const current = model.current.slice();
  fromHex(event.data).forEach((byte, i) => { current[event.track * trackSize + i] = byte; });
  if (event.site === BACKUP_SITE) return modelOf({ ...model, current, writtenByBackup: withTrack(model.writtenByBackup, event.track) });
  const divergent = model.divergent.filter((t) => t !== event.track);
  return modelOf({ ...model, current, writtenByMaster: withTrack(model.writtenByMaster, event.track), divergent });
}

/** T4 from a passive backup: the master leaves the writer role (fenced, A3) and host 410 becomes the writer. */
function takeover(model: FailoverModel, control: FailoverControlInput, trackSize: number): FailoverModel {
  const masterImage = model.master === 'primary' ? model.current
    : model.backup === 'deleted' ? failedBackMaster(model, control, trackSize) : model.masterImage;
  const master = model.master === 'target' ? 'target' : 'down';
  return modelOf({ ...model, master, backup: 'swap', masterImage, resynced: false, copyBack: 'written', writtenByBackup: [] });
}

/** T14: host 110 writes again on M as it is after the failback; E2's divergence is recorded (I5). */
function pairRecovered(model: FailoverModel, control: FailoverControlInput, trackSize: number): FailoverModel {
  const current = failedBackMaster(model, control, trackSize);
  const divergent: number[] = [];
  for (let t = 0; t * trackSize < current.length; t += 1) {
    for (let i = t * trackSize; i < (t + 1) * trackSize; i += 1) if (current[i] !== model.current[i]) { divergent.push(t); break; }
  }
  return modelOf({
    ...model, master: 'primary', backup: 'secondary', current, masterImage: null, resynced: false, copyBack: 'written', writtenByMaster: [], writtenByBackup: [], divergent,
  });
}

function resynced(model: FailoverModel, control: FailoverControlInput): FailoverModel {
  const copyBack: CopyBack = control.embodiment !== 1 ? model.copyBack
    : !model.linkUp || model.copyBack === 'every-track' ? 'every-track' : 'written-and-dt1';
  return modelOf({ ...model, backup: 'copy', resynced: true, copyBack });
}

function transition(model: FailoverModel, event: FailoverEvent, control: FailoverControlInput, geometry: FailoverGeometry): FailoverModel {
  const size = geometry.trackSize;
  switch (event.type) {
    case 'host.write':
      return written(model, event, size);
    case 'host.swap':
      return passive(model.backup) ? takeover(model, control, size) : modelOf({ ...model, backup: 'swap' });
    case 'host.resync':
      return resynced(model, control);
    case 'host.delpair':
      return modelOf({ ...model, backup: 'draining' });
    case 'host.hand-over':
      return modelOf({ ...model, master: 'handed-over' });
    case 'host.pair-recover':
      return pairRecovered(model, control, size);
    case 'master.fail':
      return modelOf({ ...model, master: 'down', masterImage: model.master === 'primary' ? model.current : model.masterImage });
    case 'master.recover':
      return modelOf({ ...model, master: 'target' });
    case 'backup.fail':
      return modelOf({ ...model, backup: 'down' });
    case 'backup.restart':
      return modelOf({ ...model, backup: 'copy' });
    case 'link.down':
    case 'link.up':
      return modelOf({ ...model, linkUp: event.type === 'link.up' });
    default:
      return model;
  }
}

export interface ModelStep {
  readonly model: FailoverModel;
  readonly answer: ModelAnswer;
  /** A takeover from a passive backup was accepted: asynchronous embodiments take B's image (`takeOver`). */
  readonly takeover: boolean;
}

/** Applies one command: the answer a correct system gives and the model after it. */
export function applyModel(model: FailoverModel, event: FailoverEvent, control: FailoverControlInput, geometry: FailoverGeometry): ModelStep {
  const invalid = argumentRefusal(event, geometry);
  if (invalid !== null) return { model, answer: { accepted: false, rejection: invalid }, takeover: false };
  const refused = stateRefusal(model, event, control);
  if (refused === 'either') return { model, answer: { accepted: 'either' }, takeover: false };
  if (refused !== null) return { model, answer: { accepted: false, rejection: refused }, takeover: false };
  const takeoverStep = event.type === 'host.swap' && passive(model.backup);
  return { model: transition(model, event, control, geometry), answer: { accepted: true }, takeover: takeoverStep };
}

/**
 * The takeover image of an asynchronous embodiment: B as the controller holds it at the SWAP (the writes
 * cable 600 had not carried are lost, 【0008】). E3 keeps its own image: a synchronous write is on both sites.
 */
export function takeOver(model: FailoverModel, control: FailoverControlInput, backupImage: readonly number[]): FailoverModel {
  return control.embodiment === 3 ? model : modelOf({ ...model, current: backupImage });
}

/** The controller reported DELPAIR complete (4060): the pair is deleted. */
export function delpairReported(model: FailoverModel): FailoverModel {
  return model.backup === 'draining' ? modelOf({ ...model, backup: 'deleted' }) : model;
}
