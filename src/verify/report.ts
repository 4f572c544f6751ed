/**
 * The results `copyspec verify` reports, in the shape of its `--json` document (README "copyspec verify").
 */
/** The violation reported when the controller itself throws: a broken internal expectation. */
export const CONTROLLER_ASSERTION = 'controller-assertion';

/** The violation reported when the exhaustive search leaves a machine transition untaken. */
export const TRANSITION_COVERAGE = 'transition-coverage';

/** The violation reported when the controller leaves the machine's state on a control-level path. */
export const FOLLOWS_MACHINE = 'follows-machine';

export type CheckKind = 'exhaustive' | 'model-based';

export interface Violation {
  readonly property: string;
  readonly ref: string;
  /** One readable line per step, the violating step last. */
  readonly trace: readonly string[];
  /** The trace's commands as JSON, for `copyspec replay` and for ports. */
  readonly events: readonly unknown[];
  /** The exact command that reproduces this violation. */
  readonly replay: string;
  /** Model-based only: what fast-check needs to replay the run. */
  readonly seed?: number;
  readonly path?: string;
  readonly replayPath?: string;
}

export interface CheckResult {
  readonly lifecycle: string;
  readonly variant: string;
  readonly check: CheckKind;
  /** The preset checked: a name, or the path of a preset file (`copyspec verify --preset`). */
  readonly preset?: string;
  /** Distinct worlds visited (exhaustive) or ended runs' worlds (model-based: 0). */
  readonly states: number;
  /** Machine transitions the variant enables. */
  readonly transitions: number;
  /** Of those, how many some step took. */
  readonly transitionsCovered: number;
  readonly uncoveredTransitions: readonly string[];
  /** Data-level steps taken (exhaustive: every state times every event). */
  readonly steps: number;
  /** Model-based runs, or control paths replayed by the exhaustive check. */
  readonly runs: number;
  readonly properties: readonly string[];
  readonly violations: readonly Violation[];
  readonly ms: number;
  /** Exhaustive: bytes of the visited set and the per-state arrays at the end of the search. */
  readonly bytes?: number;
  /** Exhaustive with hash compaction (`--compact`): the bound on the probability that a state was omitted. */
  readonly omissionProbability?: number;
  /**
   * Present (true) only when an exhaustive search stopped once every property it was told to find was
   * violated (the errata pages' search): its states and transitions are then those of the levels it searched.
   */
  readonly stoppedEarly?: true;
}

/** Quotes one shell argument so the printed replay command can be pasted as it is. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function replayCommand(lifecycle: string, variant: string, preset: string, events: readonly unknown[]): string {
  return `copyspec replay --lifecycle ${lifecycle} --variant ${variant} --preset ${preset} --events ${shellQuote(JSON.stringify(events))}`;
}
