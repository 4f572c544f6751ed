/**
 * A throwaway lifecycle: one bit that a host sets, clears and reads. It exists to show the seam of
 * docs/lifecycles.md: everything a lifecycle needs is in this one file (machine, controller, model,
 * properties, definition), and the conformance suite (test/harness/conformance.ts) checks it with no code
 * of its own, exactly as it checks the registered lifecycles (test/harness/toggle.test.ts). A real
 * lifecycle splits the same parts over machines/, src/<id>/, model/ and properties/, and adds one line to
 * src/lifecycles.ts.
 *
 * Terms: the "seed" is `toy`; `bit.set`/`bit.clear`/`bit.read` are its commands; its literal flow `T1` sets
 * the bit by flipping it, without checking the state.
 */
import fc from 'fast-check';
import { setup } from 'xstate';
import { z } from 'zod';
import { assert } from '../../src/assert.js';
import { Bitmap } from '../../src/bitmap.js';
import { ControlTable, type ControlStep } from '../../src/control.js';
import { defineLifecycle } from '../../src/harness/define.js';
import type { Property, VariantInfo } from '../../src/lifecycle.js';
import { reject, type Rejection } from '../../src/rejection.js';

// ---------------------------------------------------------------- machine (the spec of control)

export interface ToggleControl {
  /** `literal`: the flow T1 takes bit.set in `on` too, and flips the bit. */
  readonly guards: 'recommended' | 'literal';
}

export type ToggleEvent = { readonly type: 'bit.set' | 'bit.clear' | 'bit.read'; readonly bit: number };

const operation = (): never => {
  throw new Error('toggle operations run in the controller');
};

export const toggleMachine = setup({
  types: { context: {} as ToggleControl, input: {} as ToggleControl, events: {} as ToggleEvent },
  actions: { setBit: operation, flipBit: operation, clearBit: operation, readBit: operation },
  guards: { literalT1: ({ context }) => context.guards === 'literal' },
}).createMachine({
  id: 'toggle',
  description: 'One bit.',
  context: ({ input }) => input,
  initial: 'off',
  on: {
    'bit.read': { description: 'Return the bit.', actions: 'readBit', meta: { seed: 'toy', rows: ['R1'] } },
  },
  states: {
    off: {
      description: 'The bit is clear.',
      on: { 'bit.set': { target: 'on', description: 'Set the bit.', actions: 'setBit', meta: { seed: 'toy', rows: ['S1'] } } },
    },
    on: {
      description: 'The bit is set.',
      on: {
        'bit.clear': { target: 'off', description: 'Clear the bit.', actions: 'clearBit', meta: { seed: 'toy', rows: ['C1'] } },
        'bit.set': {
          guard: 'literalT1',
          description: 'LITERAL: set again by flipping the bit, so it clears.',
          actions: 'flipBit',
          meta: { seed: 'toy', rows: ['T1'], literal: 'T1' },
        },
      },
    },
  },
});

// ---------------------------------------------------------------- variants

type ToggleDefect = 'clear-keeps-bit' | 'read-inverted' | 'range-after-state' | 'refusal-sets-bit';

interface ToggleVariant extends VariantInfo {
  readonly control: ToggleControl;
  readonly defect: ToggleDefect | null;
}

const RECOMMENDED: ToggleControl = { guards: 'recommended' };
const broken = (name: ToggleDefect, catches: string[], description: string): ToggleVariant => (
  { name, kind: 'broken', description, ref: 'copyspec', catches, control: RECOMMENDED, defect: name });

export const TOGGLE_VARIANTS: readonly ToggleVariant[] = [
  { name: 'plain', kind: 'embodiment', description: 'The bit as it should be.', ref: 'toy', catches: [], control: RECOMMENDED, defect: null },
  {
    name: 'literal-t1', kind: 'literal-defect', description: 'T1: a second set flips the bit.', ref: 'toy T1',
    catches: ['bit-is-model'], control: { guards: 'literal' }, defect: null, fix: 'Refuse bit.set while the bit is set.',
  },
  broken('clear-keeps-bit', ['bit-is-model'], 'bit.clear moves to off and leaves the bit set.'),
  broken('read-inverted', ['read-returns-bit'], 'bit.read returns the complement.'),
  broken('range-after-state', ['acceptance-agrees-with-model'], 'The state is checked before the bit number.'),
  broken('refusal-sets-bit', ['refused-command-changes-nothing'], 'A command for bit 1 is refused after setting bit 0.'),
];

// ---------------------------------------------------------------- controller (the data plane)

type ToggleState = 'off' | 'on';

interface ToggleController {
  readonly state: ToggleState;
  readonly bit: Bitmap;
}

type ToggleOutcome =
  | { readonly accepted: true; readonly transitions: readonly ControlStep[]; readonly read: boolean | null }
  | { readonly accepted: false; readonly rejection: Rejection };

const tables = new Map<string, ControlTable>();
const tableOf = (variant: ToggleVariant): ControlTable => {
  if (!tables.has(variant.control.guards)) tables.set(variant.control.guards, new ControlTable(toggleMachine, variant.control));
  return tables.get(variant.control.guards)!;
};

function argumentRefusal(event: ToggleEvent): Rejection | null {
  return event.bit === 0 ? null : reject('track-out-of-range', `no bit ${event.bit}`);
}

function handle(variant: ToggleVariant, c: ToggleController, event: ToggleEvent): { controller: ToggleController; outcome: ToggleOutcome } {
  const taken = tableOf(variant).step(c.state, event.type);
  const refusal = variant.defect === 'range-after-state'
    ? (taken === null ? reject('wrong-state', `${event.type} in ${c.state}`) : argumentRefusal(event))
    : argumentRefusal(event) ?? (taken === null ? reject('wrong-state', `${event.type} in ${c.state}`) : null);
  if (refusal !== null) {
    if (variant.defect === 'refusal-sets-bit' && refusal.reason === 'track-out-of-range') {
      const bit = c.bit.clone();
      bit.set(0);
      return { controller: { state: c.state, bit }, outcome: { accepted: false, rejection: refusal } };
    }
    return { controller: c, outcome: { accepted: false, rejection: refusal } };
  }
  assert(taken !== null, 'an admitted command has a transition');
  const bit = c.bit.clone();
  let read: boolean | null = null;
  for (const op of taken.operations) {
    if (op.type === 'setBit') bit.set(0);
    else if (op.type === 'flipBit') {
      if (bit.test(0)) bit.clear(0);
      else bit.set(0);
    } else if (op.type === 'clearBit') {
      if (variant.defect !== 'clear-keeps-bit') bit.clear(0);
    } else read = variant.defect === 'read-inverted' ? !bit.test(0) : bit.test(0);
  }
  return { controller: { state: taken.target as ToggleState, bit }, outcome: { accepted: true, transitions: [taken], read } };
}

// ---------------------------------------------------------------- model (the oracle)

interface ToggleModel {
  readonly on: boolean;
}

function applyModel(model: ToggleModel, event: ToggleEvent, control: ToggleControl): { model: ToggleModel; accepted: boolean; code: number; read: boolean | null } {
  if (event.bit !== 0) return { model, accepted: false, code: 4, read: null };
  if (event.type === 'bit.read') return { model, accepted: true, code: 0, read: model.on };
  if (event.type === 'bit.set' && !model.on) return { model: { on: true }, accepted: true, code: 0, read: null };
  if (event.type === 'bit.clear' && model.on) return { model: { on: false }, accepted: true, code: 0, read: null };
  // The literal flow T1 also takes a second set; the model then holds what T1 promises: the bit stays set.
  if (event.type === 'bit.set' && control.guards === 'literal') return { model, accepted: true, code: 0, read: null };
  return { model, accepted: false, code: 6, read: null };
}

// ---------------------------------------------------------------- world and properties

interface ToggleWorld {
  readonly variant: ToggleVariant;
  readonly controller: ToggleController;
  readonly model: ToggleModel;
}

interface ToggleStepOutcome {
  readonly controller: ToggleOutcome;
  readonly model: ReturnType<typeof applyModel>;
}

type ToggleProperty = Property<ToggleWorld, ToggleEvent, ToggleStepOutcome>;

const properties: readonly ToggleProperty[] = [
  {
    name: 'bit-is-model', ref: 'toy S1 C1', description: 'The bit is set exactly when the model says so.',
    state: ({ controller, model }) => controller.bit.test(0) === model.on,
  },
  {
    name: 'read-returns-bit', ref: 'toy R1', description: 'A read returns the model\'s bit.',
    step: ({ outcome }) => !outcome.controller.accepted || outcome.controller.read === outcome.model.read,
  },
  {
    name: 'acceptance-agrees-with-model', ref: 'src/rejection.ts order', description: 'The controller accepts what the model accepts, and refuses the rest for the same reason.',
    step: ({ outcome: { controller, model } }) => (controller.accepted ? model.accepted : !model.accepted && controller.rejection.code === model.code),
  },
  {
    name: 'refused-command-changes-nothing', ref: 'STYLE.md', description: 'A refused command leaves the world as it was.',
    step: ({ before, outcome, after }) => outcome.controller.accepted || after.controller.bit.equals(before.controller.bit),
  },
];

// ---------------------------------------------------------------- the definition

const ALPHABET: readonly ToggleEvent[] = [
  { type: 'bit.set', bit: 0 }, { type: 'bit.clear', bit: 0 }, { type: 'bit.read', bit: 0 }, { type: 'bit.set', bit: 1 },
];

export const toggleLifecycle = defineLifecycle<ToggleWorld, ToggleEvent, ToggleStepOutcome, { readonly bits: number }>({
  id: 'toggle',
  seed: 'toy',
  title: 'One bit, set, cleared and read',
  variants: TOGGLE_VARIANTS,
  machines: [{ name: 'toggle', title: 'toggle: one bit', machine: toggleMachine }],
  presets: { minimal: { bits: 1 }, standard: { bits: 1 } },
  eventSchema: z.object({ type: z.enum(['bit.set', 'bit.clear', 'bit.read']), bit: z.number().int().nonnegative() }).strict(),
  properties,
  reasons: ['track-out-of-range', 'wrong-state'],
  pinned: { plain: { states: 2, transitions: 4 } },
  initial: (name, preset) => ({
    variant: TOGGLE_VARIANTS.find((v) => v.name === name)!,
    controller: { state: 'off', bit: new Bitmap(preset.bits) },
    model: { on: false },
  }),
  step(world, event) {
    const { controller, outcome } = handle(world.variant, world.controller, event);
    const model = applyModel(world.model, event, world.variant.control);
    return { after: { variant: world.variant, controller, model: model.model }, outcome: { controller: outcome, model } };
  },
  // The variant is fixed for a world's life, so the key leaves it out.
  key: ({ controller, model }) => `${controller.state}${controller.bit.toString()}${model.on ? 1 : 0}`,
  alphabet: () => ALPHABET,
  arbitrary: () => fc.constantFrom(...ALPHABET),
  observe: ({ controller }) => ({ state: controller.state, bit: controller.bit.toString() }),
  observeOutcome: ({ controller: outcome }) => (outcome.accepted
    ? { accepted: true, read: outcome.read }
    : { accepted: false, reason: outcome.rejection.reason, code: outcome.rejection.code }),
  taken: ({ controller: outcome }) => (outcome.accepted
    ? outcome.transitions.map((t) => ({ machine: 'toggle', source: t.source, eventType: t.eventType, target: t.target }))
    : []),
  controlStates: ({ controller }) => ({ toggle: controller.state }),
  formatWorld: ({ controller, model }) => `${controller.state} bit=${controller.bit.toString()} | model ${model.on ? 'on' : 'off'}`,
});
