import type { Command } from 'commander';
import type { ReleaseLockFlags } from '../actions/hold-release-lock.js';

/** --lock-timeout / --no-wait-lock on every command that changes a release. */
export function addLockOptions(command: Command): Command {
  return command
    .option('--lock-timeout <duration>', "how long to wait for another job's release lock (default: the deploy timeout)")
    .option('--no-wait-lock', 'fail at once (exit 1) when another job holds the release lock');
}

export function lockFlags(opts: { lockTimeout?: string; waitLock?: boolean }): ReleaseLockFlags {
  return { lockTimeout: opts.lockTimeout, noWaitLock: opts.waitLock === false };
}

export const LOCK_HELP = `Release lock: first takes the Lease chartctl-release-<release> (coordination.k8s.io/v1) in the
release's namespace, holder = actor, CI job, host and pid, renewed every 10 s while held and freed
at the end. Another job holding it: wait (a line on stderr every 5 s saying who holds it and since
when; JSON lines with --output json) up to --lock-timeout, then exit 1 naming the holder;
--no-wait-lock exits 1 at once. A holder that died stops renewing: its Lease expires after 30 s
(CHARTCTL_LOCK_LEASE_SECONDS) and the next job takes it over. Needs get/create/update on leases
in the namespace.`;
