/**
 * The failover-failback controller's argument check, in the documented order of src/rejection.ts
 * (malformed, unknown volume, track out of range, length out of range). The state checks (wrong-state,
 * fenced) come after it and are the machines' and the controller's. The model (model/failover-failback.ts)
 * decides the same questions by its own rules, never by calling this: `acceptance-agrees-with-model`
 * compares the two.
 */
import { isHex } from '../hex.js';
import { reject, type Rejection } from '../rejection.js';
import { BACKUP_SITE, MASTER_SITE, type ControllerEvent, type FailoverGeometry } from './events.js';

function isWhole(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks already made, by command: the check is a pure function of the command and the geometry, and the
 * exhaustive checker sends the same few command objects to every world. A WeakMap keeps no command alive.
 */
const checked = new WeakMap<ControllerEvent, { readonly geometry: FailoverGeometry; readonly rejection: Rejection | null }>();

/** Checks a command's arguments against the pair's geometry; null when they are valid. */
export function validateArguments(event: ControllerEvent, geometry: FailoverGeometry): Rejection | null {
  if (event.type === 'host.write' && event.data instanceof Uint8Array) return check(event, geometry); // a workload's write: sent once, not remembered
  const known = checked.get(event);
  if (known !== undefined && known.geometry === geometry) return known.rejection;
  const rejection = check(event, geometry);
  checked.set(event, { geometry, rejection });
  return rejection;
}

function check(event: ControllerEvent, geometry: FailoverGeometry): Rejection | null {
  switch (event.type) {
    case 'host.write':
      if (!isWhole(event.site) || !isWhole(event.track) || !(event.data instanceof Uint8Array || (typeof event.data === 'string' && isHex(event.data)))) {
        return reject('malformed-command', 'a host write needs whole site and track numbers and lowercase hex data');
      }
      if (event.site !== MASTER_SITE && event.site !== BACKUP_SITE) return reject('unknown-volume', `no site ${event.site}: 1 is the master, 2 the backup`);
      if (event.track >= geometry.trackCount) return reject('track-out-of-range', `track ${event.track} is not in 0..${geometry.trackCount - 1}`);
      if (event.data.length !== (typeof event.data === 'string' ? 2 : 1) * geometry.trackSize) return reject('length-out-of-range', `a write is one whole track of ${geometry.trackSize} bytes`);
      return null;
    case 'link.deliver':
    case 'link.lose':
      return isWhole(event.index) ? null : reject('malformed-command', `${event.type} needs a whole message index`);
    default:
      return null;
  }
}
