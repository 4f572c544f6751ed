/**
 * Broken internal expectations (STYLE.md "Two kinds of error"). A user's bad command is never an assert:
 * it is a typed rejection (src/rejection.ts). An assert that fires is a bug in copyspec itself.
 */
export class AssertionFailed extends Error {
  override readonly name = 'AssertionFailed';
}

/**
 * A message that needs formatting can be passed as a function: it is then built only when the assert fires,
 * not on every call of a hot path.
 */
export function assert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionFailed(typeof message === 'string' ? message : message());
}

/** What a thrown value says, to print or to send across a thread: an error's stack (or message), else its text. */
export function thrownText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
