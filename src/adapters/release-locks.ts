import type { LeaseRecord, StuckNote } from '../core/release-lock.js';

/** Where a release's Lease lives: its namespace, reached through the environment's kube context. */
export interface ReleaseLockTarget {
  release: string;
  namespace: string;
  kubeContext?: string;
  /** A first install: create the namespace if it is missing, as helm's --create-namespace would. */
  createNamespace?: boolean;
}

/** The fields chartctl writes into a Lease. */
export interface LeaseWrite {
  /** Undefined: released (the object stays, with `lastHolder`, so the next job knows whose tenure ended when). */
  holder?: string;
  acquiredAt: Date;
  renewedAt: Date;
  durationSeconds: number;
  transitions: number;
  operation?: string;
  lastHolder?: string;
  stuck?: StuckNote;
  /** See LeaseRecord.helmStartedAt; undefined writes none (as an older chartctl did). */
  helmStartedAt?: Date | null;
}

/** Writes are conditional; a lost race is a value, not an error. */
export type LeaseWriteResult = { kind: 'written'; lease: LeaseRecord } | { kind: 'conflict' };

/**
 * The release lock's storage: Kubernetes Leases (coordination.k8s.io/v1) with
 * the API server's optimistic concurrency. Acquiring, renewing and releasing
 * are decided in core/release-lock.ts and done by actions/hold-release-lock.ts.
 */
export interface ReleaseLocks {
  read(target: ReleaseLockTarget): Promise<LeaseRecord | undefined>;
  /** Conflict: a Lease of that name already exists. */
  create(target: ReleaseLockTarget, write: LeaseWrite): Promise<LeaseWriteResult>;
  /** Conflict: the Lease changed since `resourceVersion` (or is gone). */
  update(target: ReleaseLockTarget, resourceVersion: string, write: LeaseWrite): Promise<LeaseWriteResult>;
}
