import type { CanaryRecord } from '../core/strategy/canary-plan.js';
import type { RouterTarget } from './traffic-router.js';

/** A recorded canary run and the version it was read at (for the next conditional write). */
export interface StoredCanary {
  record: CanaryRecord;
  resourceVersion: string;
}

/**
 * Where a canary run's progress lives so that another process (a later CI
 * job, `status`) sees it: a ConfigMap `chartctl-canary-<release>` in the
 * environment's namespace. Writes are conditional on the resourceVersion read
 * before, so two jobs never both advance one run.
 */
export interface CanaryRecords {
  read(target: RouterTarget, release: string): Promise<StoredCanary | undefined>;
  /** `conflict`: someone else wrote (or created) it since `resourceVersion`. */
  write(target: RouterTarget, release: string, record: CanaryRecord, resourceVersion?: string): Promise<{ kind: 'written'; resourceVersion: string } | { kind: 'conflict' }>;
  remove(target: RouterTarget, release: string): Promise<void>;
}

export const canaryRecordName = (release: string) => `chartctl-canary-${release}`;
