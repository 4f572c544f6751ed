/**
 * Every literal flow and every deliberate bug of freeze-remote-copy that lives in the controllers, in one
 * place: each replaces one named operation of the reference (SharedOperations in algorithm.ts, LogOperations
 * in log.ts, SplitOperations in split.ts), and the reference handlers never test for a variant.
 *
 * Literal flows that are a different transition of the machines (D1's route 2060→2030, D3's apply.complete
 * without the fold, D20's copy.stage) stay in machines/freeze-remote-copy.ts as guards. The controller part of
 * a literal flow is here, keyed by its variant parameter; D5's fix is two mechanisms, one in each controller
 * (spec/001 D5: tag every message, and send no DATA of the next image until the commit is acknowledged), so
 * its literal variant is the one entry that replaces two operations.
 */
import type { FreezeControlInput } from '../../machines/freeze-remote-copy.js';
import { reject } from '../rejection.js';
import { blockBytes, leadingBytes, type Block } from './block.js';
import { SHARED_OPERATIONS, type Algorithm, type Draft, type SharedOperations } from './algorithm.js';
import type { FreezeGeometry } from './events.js';
import type { FreezeSystem, LogSecondary, LogSystem, SplitSystem } from './system.js';
import { LOG_OPERATIONS, logAlgorithm, stagedCopyEvent, type LogOperations } from './log.js';
import { PLAIN, splitAlgorithm, splitOperations, type SplitOperations } from './split.js';
import type { FreezeDefect, FreezeVariant } from './variants.js';

/** The operations one entry replaces, in the shared controller or in one algorithm. */
export type Override =
  | { readonly shared: Partial<SharedOperations> }
  | { readonly log: Partial<LogOperations> }
  | { readonly split: Partial<SplitOperations> };

/** The variant parameters whose literal flow is (partly) in the controllers rather than in the machines. */
type ControllerLiteral = 'allSentWhen' | 'copyOrder' | 'generations';

export const LITERAL_OVERRIDES: { readonly [P in ControllerLiteral]: Override } = {
  // D2 (2635-2650): ALL_SENT as soon as PBM is empty, with the last DATA possibly still in flight.
  allSentWhen: { log: { drainComplete: ({ primary: p }) => p.pbm.indexOf(true) === -1 && p.staged === null } },
  // D20 (2250, 2260): RC reads PVOL into RAM in one step and clears PBM in the next.
  copyOrder: { log: { copyEvent: stagedCopyEvent } },
  // D5 (【0039】【0045】, 2430): messages carry block numbers only, and RC sends the next image's DATA at once.
  generations: { shared: { tagOf: () => null, awaitsCommitAck: () => false } },
};

/** BROKEN volatile-secondary-memory: what a restart leaves when modes and bitmaps live in RAM (D17). */
function forgetVolatile(s: LogSecondary<Block>): LogSecondary<Block> {
  return { state: 'receiving', gen: 0, outstanding: s.outstanding.slice(), svol: s.svol.slice(), logA: s.logA.map(() => null), logB: s.logB.map(() => null) };
}

const longer = new WeakMap<FreezeGeometry, FreezeGeometry>();

/** BROKEN block-bound-off-by-one: the geometry the check sees has volumes one block longer than they are. */
function oneBlockLonger(geometry: FreezeGeometry): FreezeGeometry {
  let found = longer.get(geometry);
  if (found === undefined) {
    found = { ...geometry, blocksPerVolume: geometry.blocksPerVolume + 1 };
    longer.set(geometry, found);
  }
  return found;
}

/** BROKEN freeze-not-busy: the freeze point moves while the previous freeze is still in progress. */
function moveFreezePoint(draft: Draft<FreezeSystem<Block>, unknown>): void {
  draft.primary.gen += 1;
  draft.send({ to: 'secondary', kind: 'freeze', gen: draft.primary.gen, seq: 0 }, false, draft.primary);
}

export const BROKEN_OVERRIDES: { readonly [D in FreezeDefect]: Override } = {
  'freeze-not-busy': { shared: { freezeInProgress: (edit) => edit(moveFreezePoint) } },
  'read-ignores-difference-log': { log: { read: (p, b) => p.pvol[b]! } }, // Fig 10 3210 skipped
  'done-before-secondary': {
    log: {
      completeDrain(draft) {
        LOG_OPERATIONS.completeDrain(draft);
        draft.results.push({ kind: 'freeze-done', gen: draft.primary.gen }); // before S_DONE
      },
    },
  },
  'plaintext-on-the-wire': { split: { cipher: PLAIN } },
  'volatile-secondary-memory': { log: { reload: forgetVolatile } },
  'redirect-drops-rewrite': {
    log: { writeDraining: (p, b, data) => (p.pdbm[b] ? undefined : LOG_OPERATIONS.writeDraining(p, b, data)) }, // acknowledged, dropped
  },
  'data-written-to-svol': {
    log: {
      store(s, target, message) {
        LOG_OPERATIONS.store(s, target, message);
        s.svol[message.block] = message.data; // the committed image moves
      },
    },
  },
  'recover-applies-partial-log': {
    log: {
      discardUncommitted(s, from) {
        if (from !== 'applying') s.logA.forEach((record, b) => { if (record !== null) s.svol[b] = record.data; }); // a mixture
        LOG_OPERATIONS.discardUncommitted(s, from);
      },
    },
  },
  'state-checked-before-range': {
    shared: {
      checkArguments(event, geometry, system) {
        const host = event.type === 'host.write' || event.type === 'host.read' || event.type === 'host.freeze';
        if (host && system.primary.state === 'failed') return reject('wrong-state', 'the primary has failed'); // state first
        return SHARED_OPERATIONS.checkArguments(event, geometry, system);
      },
    },
  },
  'partial-write-on-range-error': {
    shared: {
      carriedOutDespite: (event, rejection, geometry) => (event.type === 'host.write' && rejection.reason === 'length-out-of-range'
        && blockBytes(event.data) > geometry.blockSize ? { ...event, data: leadingBytes(event.data, geometry.blockSize) } : null), // stores what fits
    },
  },
  'split-forgets-write-after': { split: { writeAfterSplit: ({ primary: p }, b, data) => { p.pp[b] = data; } } }, // 3470 skipped
  'block-bound-off-by-one': {
    shared: { checkArguments: (event, geometry, system) => SHARED_OPERATIONS.checkArguments(event, oneBlockLonger(geometry), system) }, // `>` for `>=`
  },
  'sequence-number-unchecked': { shared: { olderThanStored: () => false } }, // every DATA is new
  'ack-matched-by-generation': { shared: { acknowledges: (ack, message) => message.kind === ack.of && message.gen === ack.gen } }, // seq ignored
  'verify-skips-last-block': {
    log: { verifyDiffers: (p, s, b) => b !== p.pvol.length - 1 && LOG_OPERATIONS.verifyDiffers(p, s, b) }, // the last block never differs
  },
  'apply-loses-last-block': {
    log: {
      applyBlock(s, b) {
        if (b === s.svol.length - 1) s.logA[b] = null; // SBM cleared, SVOL never written
        else LOG_OPERATIONS.applyBlock(s, b);
      },
    },
  },
};

/** The overrides a variant applies: its controller literal flows, then its defect. */
export function overridesOf(variant: FreezeVariant): readonly Override[] {
  const literal = (Object.keys(LITERAL_OVERRIDES) as ControllerLiteral[]).filter((parameter) => variant.control[parameter] === 'literal');
  return [...literal.map((parameter) => LITERAL_OVERRIDES[parameter]), ...(variant.defect === null ? [] : [BROKEN_OVERRIDES[variant.defect]])];
}

export interface Behaviour {
  readonly shared: SharedOperations;
  readonly algorithm: Algorithm<LogSystem<Block>, LogOperations> | Algorithm<SplitSystem<Block>, SplitOperations>;
}

const isLog = (control: FreezeControlInput): boolean => control.embodiment === 1;
const behaviours = new WeakMap<FreezeVariant, Behaviour>();

/** The reference operations with the variant's overrides, built once per variant. */
export function behaviourOf(variant: FreezeVariant): Behaviour {
  const known = behaviours.get(variant);
  if (known !== undefined) return known;
  let shared: SharedOperations = SHARED_OPERATIONS;
  let log: LogOperations = LOG_OPERATIONS;
  let split: SplitOperations = splitOperations(variant.control);
  for (const override of overridesOf(variant)) {
    if ('shared' in override) shared = { ...shared, ...override.shared };
    else if ('log' in override) log = { ...log, ...override.log };
    else split = { ...split, ...override.split };
  }
  const behaviour: Behaviour = { shared, algorithm: isLog(variant.control) ? logAlgorithm(log) : splitAlgorithm(split) };
  behaviours.set(variant, behaviour);
  return behaviour;
}
