/**
 * The bridge from an XState machine (the specification of control) to a controller (the data plane).
 *
 * A controller asks, for its current state and an event, which transition the machine takes: its target and
 * the operations to run, in order. The answer comes from XState's pure `transition()` and is memoized per
 * (state, event type). That is exact because copyspec's machines keep only fixed variant parameters in
 * context and no guard reads an event's payload (test/control.test.ts checks both against `transition()`
 * directly). It makes a controller step cost a map lookup instead of a machine evaluation, which is what lets
 * the exhaustive checker visit hundreds of thousands of states a second.
 */
import { transition, type AnyStateMachine, type StateValue } from 'xstate';
import { assert } from './assert.js';

export interface Operation {
  readonly type: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** What a transition's `meta` may say, in every copyspec machine (docs/lifecycles.md). */
export interface TransitionMeta {
  readonly seed?: string;
  readonly steps?: readonly number[];
  readonly paras?: readonly string[];
  readonly rows?: readonly string[];
  /** The seed has no such transition; copyspec adds it, and this says why (or which product it follows). */
  readonly ext?: string;
  /** Only a literal-defect variant takes this transition; this names the defect (`D1`, `§8.3`). */
  readonly literal?: string;
}

export interface ControlStep {
  readonly source: string;
  readonly eventType: string;
  readonly target: string;
  readonly operations: readonly Operation[];
  /** `source --event--> target`. */
  readonly edge: string;
  /** The chosen transition's one-sentence description and its meta, as the machine states them. */
  readonly description: string;
  readonly meta: TransitionMeta;
}

/** A state value as a dotted key: `{ mirror: 'syncing' }` is `mirror.syncing`. */
export function stateKey(value: StateValue): string {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value);
  assert(entries.length === 1, 'copyspec machines have no parallel states at the top of a key');
  const [parent, child] = entries[0]!;
  return child === undefined ? parent : `${parent}.${stateKey(child)}`;
}

export function stateValueOf(key: string): StateValue {
  const parts = key.split('.');
  let value: StateValue = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i -= 1) value = { [parts[i]!]: value };
  return value;
}

export class ControlTable {
  /** source state → event type → answer; two levels so that a lookup builds no string. */
  private readonly memo = new Map<string, Map<string, ControlStep | null>>();

  constructor(
    readonly machine: AnyStateMachine,
    readonly input: object,
  ) {}

  /** The transition taken from `source` on an event of this type, or null when the machine refuses it. */
  step(source: string, eventType: string): ControlStep | null {
    let bySource = this.memo.get(source);
    if (bySource === undefined) {
      bySource = new Map();
      this.memo.set(source, bySource);
    }
    let answer = bySource.get(eventType);
    if (answer === undefined) {
      answer = this.evaluate(source, eventType);
      bySource.set(eventType, answer);
    }
    return answer;
  }

  /** Evaluates the machine itself; the memo above only caches this. */
  evaluate(source: string, eventType: string): ControlStep | null {
    const snapshot = this.machine.resolveState({ value: stateValueOf(source), context: this.input });
    const event = { type: eventType };
    if (!snapshot.can(event)) return null;
    const [chosen] = this.machine.getTransitionData(snapshot, event);
    const [next, actions] = transition(this.machine, snapshot, event);
    const operations = actions
      .filter((action) => typeof action.type === 'string' && !action.type.startsWith('xstate.'))
      .map((action) => (action.params === undefined ? { type: action.type } : { type: action.type, params: action.params as Record<string, unknown> }));
    const target = stateKey(next.value);
    const meta = (chosen?.meta ?? {}) as TransitionMeta;
    return { source, eventType, target, operations, edge: `${source} --${eventType}--> ${target}`, description: chosen?.description ?? '', meta };
  }
}
