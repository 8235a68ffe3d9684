/**
 * The release lock's decisions, pure: a coordination.k8s.io/v1 Lease named
 * after the release, held by one chartctl job at a time. The API server never
 * expires a Lease; a holder is gone when renewTime + leaseDurationSeconds has
 * passed by the reader's clock (client-go's leader election reads it the same way).
 */
import { ChartctlError } from './errors.js';

/** A Lease as chartctl reads it (times already parsed). */
export interface LeaseRecord {
  name: string;
  resourceVersion: string;
  /** Empty or absent: free (the last holder released it). */
  holder?: string;
  acquiredAt?: Date;
  renewedAt?: Date;
  durationSeconds?: number;
  transitions: number;
  /** What the holder is doing, e.g. `deploy shop 1.4.0` (an annotation chartctl writes). */
  operation?: string;
  /** Who held it last, kept when a holder releases it (an annotation chartctl writes). */
  lastHolder?: string;
  /** A pending revision a holder found stuck, carried from holder to holder until it is gone (an annotation chartctl writes). */
  stuck?: StuckNote;
  /**
   * When the holder started its first helm change, by its own clock, written before that helm run starts (an
   * annotation chartctl writes); null: it started none (yet). Absent on a Lease an older chartctl wrote, which
   * did not record it.
   */
  helmStartedAt?: Date | null;
}

/** Which revision was judged stuck, and why; matched by number and helm's timestamp. */
export interface StuckNote {
  revision: number;
  updated: string;
  reason: string;
}

/** What a job may do with the Lease it just read. */
export type LockDecision =
  | { kind: 'create' }
  | { kind: 'take'; previous: LeaseRecord }
  | { kind: 'takeOverExpired'; previous: LeaseRecord; expiredAt: Date }
  | { kind: 'wait'; holder: string; since?: Date; operation?: string; expiresAt: Date };

/** Seconds a Lease lives without renewal; chartctl renews it every third of that. */
export const DEFAULT_LEASE_SECONDS = 30;

/** CHARTCTL_LOCK_LEASE_SECONDS: how long a dead holder blocks the next job (short in tests). */
export function leaseSecondsFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LEASE_SECONDS;
  if (!/^[1-9][0-9]{0,5}$/.test(value.trim())) {
    throw new ChartctlError(`CHARTCTL_LOCK_LEASE_SECONDS must be a whole number of seconds (at least 1), not "${value}".`, { code: 'BAD_LOCK_LEASE', hint: `Unset it for the default (${DEFAULT_LEASE_SECONDS}s).` });
  }
  return Number(value.trim());
}

export function leaseExpiresAt(lease: LeaseRecord): Date {
  const from = lease.renewedAt ?? lease.acquiredAt;
  // No time or no duration: nobody can be renewing it (client-go treats it the same way).
  if (!from || !lease.durationSeconds) return new Date(0);
  return new Date(from.getTime() + lease.durationSeconds * 1000);
}

export function decideLock(lease: LeaseRecord | undefined, me: string, now: Date): LockDecision {
  if (!lease) return { kind: 'create' };
  if (!lease.holder || lease.holder === me) return { kind: 'take', previous: lease };
  const expiresAt = leaseExpiresAt(lease);
  if (expiresAt.getTime() <= now.getTime()) return { kind: 'takeOverExpired', previous: lease, expiredAt: expiresAt };
  return { kind: 'wait', holder: lease.holder, since: lease.acquiredAt, operation: lease.operation, expiresAt };
}

/** `chartctl-release-shop`: one Lease per release, in the release's namespace. */
export function leaseNameFor(release: string): string {
  return `chartctl-release-${release}`;
}

/**
 * CI job identifiers, tried in order: the variable that names the run or job,
 * and the system, so a holder reads `job github 812733/deploy`.
 */
const CI_JOB_VARIABLES: ReadonlyArray<{ system: string; names: readonly string[] }> = [
  { system: 'github', names: ['GITHUB_RUN_ID', 'GITHUB_JOB'] },
  { system: 'gitlab', names: ['CI_JOB_ID'] },
  { system: 'buildkite', names: ['BUILDKITE_JOB_ID'] },
  { system: 'circleci', names: ['CIRCLE_WORKFLOW_JOB_ID'] },
  { system: 'bitbucket', names: ['BITBUCKET_BUILD_NUMBER', 'BITBUCKET_STEP_UUID'] },
  { system: 'azure', names: ['BUILD_BUILDID', 'SYSTEM_JOBID'] },
  { system: 'jenkins', names: ['BUILD_TAG'] },
];

export function ciJob(env: NodeJS.ProcessEnv): string | undefined {
  for (const { system, names } of CI_JOB_VARIABLES) {
    const parts = names.map((n) => env[n]?.trim()).filter((v): v is string => Boolean(v));
    if (parts.length && env[names[0]!]?.trim()) return `${system} ${parts.join('/')}`;
  }
  return undefined;
}

/**
 * The Lease's holderIdentity: who (actor), which CI job, which host and process.
 * The pid tells two jobs of one person on one machine apart.
 */
export function lockHolderIdentity(who: { actor?: string; job?: string; host: string; pid: number }): string {
  return [who.actor ?? 'unknown actor', who.job ? `job ${who.job}` : undefined, `host ${who.host}`, `pid ${who.pid}`].filter(Boolean).join(', ');
}

/** `alice, host ci-7, pid 12 (deploy shop 1.4.0) since 13:02:11 UTC` for progress lines and refusals. */
export function describeHolding(holding: { holder: string; since?: Date; operation?: string }): string {
  const operation = holding.operation ? ` (${holding.operation})` : '';
  const since = holding.since ? ` since ${holding.since.toISOString().replace(/\.\d{3}Z$/, 'Z')}` : '';
  return `${holding.holder}${operation}${since}`;
}
