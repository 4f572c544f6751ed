/**
 * The ranks of freeze-remote-copy's sequence numbers, which the key (src/freeze-remote-copy/lifecycle.ts)
 * and the world layout (src/freeze-remote-copy/layout.ts) both write in place of the numbers themselves.
 *
 * Sequence numbers grow without bound, but the controllers only ever compare them (newer or not) and test
 * them for equality, and a new one is always larger than every one in the world, so two worlds whose
 * numbers are in the same order behave alike. One list, read by both, keeps the key and the layout from
 * ranking different sets of numbers.
 */
import type { FreezeSystem } from './system.js';

/**
 * The distinct sequence numbers in the key's part of the system, smallest first: a number's rank is its index
 * here. A failed primary's outstanding list is not in the key. The lists are a few entries long, so a plain
 * array with indexOf is cheaper than a Set and a Map.
 */
export function seqOrder(system: FreezeSystem): number[] {
  const seqs: number[] = [];
  const add = (seq: number): void => {
    if (seqs.indexOf(seq) === -1) seqs.push(seq);
  };
  for (const m of system.link.inFlight) add(m.seq);
  if (system.primary.state !== 'failed') for (const m of system.primary.outstanding) add(m.seq);
  for (const m of system.secondary.outstanding) add(m.seq);
  if (system.algorithm === 'log') {
    for (const r of system.secondary.logA) if (r !== null) add(r.seq);
    for (const r of system.secondary.logB) if (r !== null) add(r.seq);
  } else {
    for (const seq of system.secondary.spSeq) add(seq);
  }
  return seqs.sort((a, b) => a - b);
}
