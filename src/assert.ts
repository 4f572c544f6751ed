/**
 * Broken internal expectations (STYLE.md "Two kinds of error"). A user's bad command is never an assert:
 * it is a typed rejection (src/rejection.ts). An assert that fires is a bug in copyspec itself.
 */
export class AssertionFailed extends Error {
  override readonly name = 'AssertionFailed';
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(message);
}
