/**
 * Which machine instances a command goes to, and with which machine event: the controller's routing of seed
 * 002's requests and writes (700/701, 1600, 2600/2602 select the pair, the record or the extent), and the
 * checks that only the data can make after the machines accept (spec/002 A6, A9, A13: what is held by another
 * pair, record or extent is `busy`). The machines decide `wrong-state`; this module never looks at a state
 * except to ask a machine.
 *
 * A plan is a list of steps, each one instance and one machine event, taken in order by the controller.
 */
import type { ExtentControlInput } from '../../machines/extent-copy.js';
import type { ControlTable } from '../control.js';
import { reject, type Rejection } from '../rejection.js';
import { trackOf, type Extent, type ExtentEvent, type ExtentGeometry } from './events.js';
import { inRange, isUsed, overlaps, rangeOf, type PairRecord } from './records.js';

export const PAIR_MACHINE = 'extent-copy-pair';
export const EXTENT_MACHINE = 'extent-copy-extent';

export interface PlannedStep {
  readonly machine: typeof PAIR_MACHINE | typeof EXTENT_MACHINE;
  readonly pair: number;
  /** The extent slot, for the extent machine. */
  readonly extent: number | null;
  readonly eventType: string;
  /** The extent a Pair Create (E2) or an Extent Update starts on this instance. */
  readonly extentArgument: Extent | null;
}

/** The steps, or a refusal; `partial` is what a broken controller does before it refuses (refused-update-keeps-slot). */
export type Plan =
  | { readonly steps: readonly PlannedStep[] }
  | { readonly rejection: Rejection; readonly partial: readonly PlannedStep[] };

export interface PlanContext {
  readonly control: ExtentControlInput;
  readonly geometry: ExtentGeometry;
  readonly pairs: readonly PairRecord[];
  readonly pairTable: ControlTable;
  readonly extentTable: ControlTable;
  /** The broken variant that keeps the slot an Extent Update took before it found an overlap. */
  readonly keepsSlotOnRefusal: boolean;
  /** The broken variant whose Extent Split fills the extent info one extent at a time. */
  readonly splitsOneAtATime: boolean;
}

const pairStep = (pair: number, eventType: string, extentArgument: Extent | null = null): PlannedStep => (
  { machine: PAIR_MACHINE, pair, extent: null, eventType, extentArgument });
const extentStep = (pair: number, extent: number, eventType: string, extentArgument: Extent | null = null): PlannedStep => (
  { machine: EXTENT_MACHINE, pair, extent, eventType, extentArgument });

const refuse = (rejection: Rejection, partial: readonly PlannedStep[] = []): Plan => ({ rejection, partial });
const busy = (message: string): Plan => refuse(reject('busy', message));

function stateOf(context: PlanContext, step: PlannedStep): string {
  const record = context.pairs[step.pair]!;
  return step.extent === null ? record.state : record.slots[step.extent]!.state;
}

/** Whether the instance's machine has a transition for the event in its state. */
function accepts(context: PlanContext, step: PlannedStep): boolean {
  const table = step.machine === PAIR_MACHINE ? context.pairTable : context.extentTable;
  return table.step(stateOf(context, step), step.eventType) !== null;
}

/** The first step whose machine refuses it, as wrong-state; null when every one is accepted. */
function wrongState(context: PlanContext, steps: readonly PlannedStep[]): Rejection | null {
  const refused = steps.find((step) => !accepts(context, step));
  if (refused === undefined) return null;
  const where = refused.extent === null ? `pair ${refused.pair}` : `pair ${refused.pair} extent ${refused.extent}`;
  return reject('wrong-state', `${refused.eventType} is not allowed in ${stateOf(context, refused)} (${where})`);
}

/** Whether the track of `address` is in the extent's tracks R(start, end) (A15). */
function holdsTrack(context: PlanContext, extent: Extent, address: number): boolean {
  return inRange(rangeOf(extent, context.geometry.trackSize), trackOf(address, context.geometry));
}

/** A15: whether a write at `address` is in the extent: by its track, or by its address in the literal flows (701, 1600, 2602). */
function holds(context: PlanContext, extent: Extent, address: number): boolean {
  if (context.control.membership === 'address') return extent.start <= address && address <= extent.end;
  return holdsTrack(context, extent, address);
}

/**
 * The E3 extents a write is tested against. BROKEN extent-split-not-atomic: during the extent split only the
 * extents the copy has reached so far, as if the extent info were filled one extent at a time.
 */
function extentsSeen(context: PlanContext, record: PairRecord): readonly Extent[] {
  const job = record.jobs.find((j) => j.kind === 'xsplit');
  if (!context.splitsOneAtATime || job === undefined) return record.extents;
  return record.extents.slice(0, job.rangeIndex + 1);
}

/** The records in use, ascending. */
function usedPairs(context: PlanContext): number[] {
  const used: number[] = [];
  for (let pair = 0; pair < context.pairs.length; pair += 1) if (isUsed(context.pairs[pair]!)) used.push(pair);
  return used;
}

/**
 * The instance that owns a host I/O to `volume` at `address`, and the event it takes; null when no pair
 * is involved (700 → 707, 1600 → 1607, 2600 → 2608). `write` selects the write's membership rule (A15).
 */
function hostRoute(context: PlanContext, volume: number, address: number, write: boolean): PlannedStep | null {
  const { control } = context;
  const member = (extent: Extent) => (write ? holds(context, extent, address) : holdsTrack(context, extent, address));
  const type = write ? 'host.write' : 'host.read';
  // The records in use, ascending, as `usedPairs` lists them, with no list made: every host I/O asks (E2: 64 records).
  for (let pair = 0; pair < context.pairs.length; pair += 1) {
    const record = context.pairs[pair]!;
    if (!isUsed(record) || (write ? record.original : record.copy) !== volume) continue;
    if (control.embodiment === 2) {
      if (member(record.extents[0]!)) return pairStep(pair, type);
      continue;
    }
    if (control.embodiment === 1) {
      const slot = record.slots.findIndex((s) => s.state !== 'inactive' && s.extent !== null && member(s.extent));
      return slot === -1 ? pairStep(pair, type) : extentStep(pair, slot, type);
    }
    // E3: a write or read inside the extents is its own machine event where the state tells them apart.
    const finer = pairStep(pair, write ? 'extent.write' : 'extent.read');
    return extentsSeen(context, record).some(member) && accepts(context, finer) ? finer : pairStep(pair, type);
  }
  return null;
}

function planWrite(context: PlanContext, event: Extract<ExtentEvent, { type: 'host.write' }>): Plan {
  for (let held = 0; held < context.pairs.length; held += 1) {
    const record = context.pairs[held]!;
    if (isUsed(record) && record.copy === event.volume) return busy(`volume ${event.volume} is the copy of pair ${held}: read-only while paired (A6)`);
  }
  const route = hostRoute(context, event.volume, event.address, true);
  return { steps: route === null ? [] : [route] };
}

function planRead(context: PlanContext, event: Extract<ExtentEvent, { type: 'host.read' }>): Plan {
  const route = hostRoute(context, event.volume, event.address, false);
  return { steps: route === null ? [] : [route] };
}

/** E1/E3 Pair Create: resume a failed one of the same volumes, or take the lowest free record (400, 2200). */
function planVolumeCreate(context: PlanContext, original: number, copy: number): Plan {
  const used = usedPairs(context);
  const same = used.find((pair) => context.pairs[pair]!.original === original && context.pairs[pair]!.copy === copy);
  if (same !== undefined && context.pairs[same]!.state === 'forming.failed') return { steps: [pairStep(same, 'pair.create')] };
  if (original === copy) return busy(`volume ${original} cannot be its own copy (A9)`);
  const holder = used.find((pair) => [context.pairs[pair]!.original, context.pairs[pair]!.copy].some((v) => v === original || v === copy));
  if (holder !== undefined) return busy(`a volume of the request is already in pair ${holder} (A9)`);
  const free = context.pairs.findIndex((record) => !isUsed(record));
  return free === -1 ? busy('no free pair record') : { steps: [pairStep(free, 'pair.create')] };
}

/** E2 Pair Create: one record per extent; an extent of a failed record of the same four fields resumes it (1400, A12). */
function planExtentCreate(context: PlanContext, original: number, copy: number, extents: readonly Extent[]): Plan {
  const { trackSize } = context.geometry;
  const used = usedPairs(context);
  const steps: PlannedStep[] = [];
  const fresh: Extent[] = [];
  for (const extent of extents) {
    const same = used.find((pair) => {
      const r = context.pairs[pair]!;
      return r.original === original && r.copy === copy && r.extents[0]!.start === extent.start && r.extents[0]!.end === extent.end;
    });
    if (same !== undefined && context.pairs[same]!.state === 'forming.failed') steps.push(pairStep(same, 'pair.create'));
    else fresh.push(extent);
  }
  if (fresh.length === 0) return { steps };
  if (original === copy) return busy(`volume ${original} cannot be its own copy (A9)`);
  if (used.some((pair) => context.pairs[pair]!.copy === original)) return busy(`volume ${original} is a copy volume (A9)`);
  if (used.some((pair) => context.pairs[pair]!.original === copy)) return busy(`volume ${copy} is an original volume (A9)`);
  for (const [index, extent] of fresh.entries()) {
    const range = rangeOf(extent, trackSize);
    const clash = used.find((pair) => {
      const r = context.pairs[pair]!;
      return (r.original === original || r.copy === copy) && overlaps(range, rangeOf(r.extents[0]!, trackSize));
    });
    if (clash !== undefined) return busy(`extent ${extent.start}-${extent.end} overlaps pair ${clash} (A9)`);
    if (fresh.slice(0, index).some((other) => overlaps(range, rangeOf(other, trackSize)))) return busy('the request\'s extents overlap (A9)');
  }
  const free = context.pairs.flatMap((record, pair) => (isUsed(record) ? [] : [pair]));
  if (free.length < fresh.length) return busy(`${fresh.length} records needed, ${free.length} free`);
  return { steps: [...steps, ...fresh.map((extent, i) => pairStep(free[i]!, 'pair.create', extent))] };
}

/** E1 Extent Update: the pair accepts it in split; each extent resumes its failed slot or takes a free one (600, A9). */
function planExtentUpdate(context: PlanContext, pair: number, extents: readonly Extent[]): Plan {
  const accept = pairStep(pair, 'extent.update');
  const refused = wrongState(context, [accept]);
  if (refused !== null) return refuse(refused);
  const { trackSize } = context.geometry;
  const record = context.pairs[pair]!;
  const steps: PlannedStep[] = [accept];
  const taken = new Set<number>();
  const held = record.slots.flatMap((slot) => (slot.extent === null ? [] : [rangeOf(slot.extent, trackSize)]));
  const fresh: Extent[] = [];
  for (const extent of extents) {
    const failed = record.slots.findIndex((slot, index) => slot.state === 'active.failed' && !taken.has(index)
      && slot.extent?.start === extent.start && slot.extent.end === extent.end);
    if (failed !== -1) {
      taken.add(failed);
      steps.push(extentStep(pair, failed, 'extent.update'));
    } else fresh.push(extent);
  }
  const claimed = [...held];
  for (const extent of fresh) {
    const range = rangeOf(extent, trackSize);
    if (claimed.some((other) => overlaps(range, other))) {
      return refuse(reject('busy', `extent ${extent.start}-${extent.end} overlaps an active extent or another of the request (A9)`),
        context.keepsSlotOnRefusal ? steps.slice(1) : []);
    }
    const slot = record.slots.findIndex((s, index) => s.state === 'inactive' && !taken.has(index));
    if (slot === -1) return busy(`pair ${pair} has no free extent slot`);
    taken.add(slot);
    claimed.push(range);
    steps.push(extentStep(pair, slot, 'extent.update', extent));
  }
  return { steps };
}

function sameExtents(a: readonly Extent[], b: readonly Extent[]): boolean {
  return a.length === b.length && a.every((extent, i) => extent.start === b[i]!.start && extent.end === b[i]!.end);
}

/** E3 Extent Split: the extents must not overlap; a reissue must name the failed split's extents (2300, A9, A12). */
function planExtentSplit(context: PlanContext, pair: number, extents: readonly Extent[]): Plan {
  const step = pairStep(pair, 'extent.split');
  const refused = wrongState(context, [step]);
  if (refused !== null) return refuse(refused);
  const record = context.pairs[pair]!;
  if (record.state === 'xsplitting.failed') {
    return sameExtents(record.extents, extents) ? { steps: [step] } : busy(`pair ${pair} holds a failed Extent Split of other extents`);
  }
  const ranges = extents.map((extent) => rangeOf(extent, context.geometry.trackSize));
  if (ranges.some((range, i) => ranges.slice(0, i).some((other) => overlaps(range, other)))) return busy('the request\'s extents overlap (A9)');
  return { steps: [step] };
}

/** A13: a pair is deleted only when no job runs; an E1 extent whose copy failed goes with it. */
function planDelete(context: PlanContext, pair: number): Plan {
  const record = context.pairs[pair]!;
  const remove = pairStep(pair, 'pair.delete');
  const refused = wrongState(context, [remove]);
  if (refused !== null) return refuse(refused);
  if (record.slots.some((slot) => slot.state === 'active.copying')) return busy(`an Extent Update of pair ${pair} is running (A13)`);
  const failed = record.slots.flatMap((slot, index) => (slot.state === 'active.failed' ? [extentStep(pair, index, 'pair.delete')] : []));
  return { steps: [...failed, remove] };
}

/** The job a copy.step or copy.fault names: the pair's own, or (E1) an extent slot's. */
function jobStep(event: Extract<ExtentEvent, { type: 'copy.step' | 'copy.fault' }>): PlannedStep {
  return event.extent === undefined ? pairStep(event.pair, event.type) : extentStep(event.pair, event.extent, event.type);
}

function checked(context: PlanContext, steps: readonly PlannedStep[]): Plan {
  const refused = wrongState(context, steps);
  return refused === null ? { steps } : refuse(refused);
}

/** The plan of a command whose arguments are valid. */
export function planCommand(context: PlanContext, event: ExtentEvent): Plan {
  switch (event.type) {
    case 'host.write':
      return planWrite(context, event);
    case 'host.read':
      return planRead(context, event);
    case 'pair.create':
      return context.control.embodiment === 2
        ? planExtentCreate(context, event.original, event.copy, event.extents ?? [])
        : planVolumeCreate(context, event.original, event.copy);
    case 'pair.split':
      return checked(context, event.pairs.map((pair) => pairStep(pair, 'pair.split')));
    case 'extent.update':
      return planExtentUpdate(context, event.pair, event.extents);
    case 'extent.split':
      return planExtentSplit(context, event.pair, event.extents);
    case 'pair.delete':
      return planDelete(context, event.pair);
    case 'copy.step':
    case 'copy.fault':
      return checked(context, [jobStep(event)]);
    default:
      return checked(context, [pairStep(event.pair, event.type)]);
  }
}
