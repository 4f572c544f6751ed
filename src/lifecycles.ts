/**
 * Every lifecycle copyspec verifies, in seed order (README "Status").
 */
import type { AnyLifecycle } from './lifecycle.js';
import { extentCopyLifecycle } from './extent-copy/lifecycle.js';
import { failoverFailbackLifecycle } from './failover-failback/lifecycle.js';
import { freezeRemoteCopyLifecycle } from './freeze-remote-copy/lifecycle.js';
import { mirrorPairLifecycle } from './mirror-pair/lifecycle.js';
import { scheduledBackupLifecycle } from './scheduled-backup/lifecycle.js';

export const LIFECYCLES: readonly AnyLifecycle[] = [mirrorPairLifecycle, freezeRemoteCopyLifecycle, extentCopyLifecycle, failoverFailbackLifecycle, scheduledBackupLifecycle];

export function lifecycleNamed(id: string): AnyLifecycle | undefined {
  return LIFECYCLES.find((lifecycle) => lifecycle.id === id);
}
