import type { Environment } from '../../core/environment.js';
import { describeInterruptedRelease, Interrupted } from '../../core/interruption.js';
import type { RevisionInfo } from '../../core/release-history.js';
import type { Releases } from '../../adapters/releases.js';
import { releaseTarget } from './deployed-release.js';

/**
 * A signal stopped a change to the release: read the state helm left it in
 * (helm has exited, or chartctl stopped waiting for it) and say how to recover.
 */
export async function interruptedRelease(releases: Releases, env: Environment, stop: Interrupted, before: RevisionInfo | undefined, command: 'deploy' | 'rollback'): Promise<Interrupted> {
  const history = await releases.historyAfterInterrupt(releaseTarget(env));
  const { message, hint } = describeInterruptedRelease(stop, { env: env.name, release: env.release, namespace: env.namespace, before, history, retry: `chartctl ${command} ${env.name}` });
  return new Interrupted(stop.signal, message, { hint, during: stop.during, started: stop.started, stillRunning: stop.stillRunning });
}
