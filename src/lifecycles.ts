/**
 * Every lifecycle copyspec verifies, in seed order. Seeds 003 and 004 are not built yet (README "Status").
 */
import type { AnyLifecycle } from './lifecycle.js';
import { extentCopyLifecycle } from './extent-copy/lifecycle.js';
import { freezeRemoteCopyLifecycle } from './freeze-remote-copy/lifecycle.js';
import { mirrorPairLifecycle } from './mirror-pair/lifecycle.js';

export const LIFECYCLES: readonly AnyLifecycle[] = [mirrorPairLifecycle, freezeRemoteCopyLifecycle, extentCopyLifecycle];

export function lifecycleNamed(id: string): AnyLifecycle | undefined {
  return LIFECYCLES.find((lifecycle) => lifecycle.id === id);
}
