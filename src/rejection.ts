/**
 * Typed rejections: the closed list of reasons a controller refuses a command (STYLE.md "Two kinds of
 * error"). A rejected command changes nothing. Every lifecycle checks the reasons in the order of this list,
 * so a command with two faults is always refused for the earlier one; the numeric codes are stable and are
 * what conformance vectors carry (docs/vectors.md).
 */
export const REJECTION_REASONS = {
  'malformed-command': 1,
  'unknown-pair': 2,
  'unknown-volume': 3,
  'track-out-of-range': 4,
  'length-out-of-range': 5,
  'wrong-state': 6,
  busy: 7,
  fenced: 8,
} as const;

export type RejectionReason = keyof typeof REJECTION_REASONS;

export interface Rejection {
  readonly reason: RejectionReason;
  readonly code: number;
  readonly message: string;
}

export function reject(reason: RejectionReason, message: string): Rejection {
  return { reason, code: REJECTION_REASONS[reason], message };
}
