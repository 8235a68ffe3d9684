import type { Releases } from '../adapters/releases.js';
import type { ReleaseTarget } from '../core/helm-release-args.js';

/**
 * The releases as seen by a job holding the lock of `locked`: before its first
 * helm change of that release (upgrade, rollback, uninstall), `startingHelm`
 * records in the Lease that the holder starts helm, so the next job can tell a
 * pending revision of this job's from one a bare helm run wrote while this job
 * held the lock and ran no helm. Changes of other releases (a blue/green slot's
 * under the environment's lock) are recorded by their own lock.
 */
export function recordingHelmStart(releases: Releases, locked: ReleaseTarget, startingHelm: () => Promise<void>): Releases {
  const before = async (t: ReleaseTarget) => {
    if (t.release === locked.release && t.namespace === locked.namespace && (t.kubeContext ?? '') === (locked.kubeContext ?? '')) await startingHelm();
  };
  return {
    helmMajor: () => releases.helmMajor(),
    history: (t, max) => releases.history(t, max),
    historyAfterInterrupt: (t) => releases.historyAfterInterrupt(t),
    snapshot: (t, revision) => releases.snapshot(t, revision),
    manifestWithHooks: (t, revision) => releases.manifestWithHooks(t, revision),
    newestWithManifest: (t) => releases.newestWithManifest(t),
    status: (t, revision) => releases.status(t, revision),
    resources: (t) => releases.resources(t),
    newestResources: (t, timeoutMs) => releases.newestResources(t, timeoutMs),
    // Tests change no revision (helm writes none for them).
    test: (t, timeout, timeoutMs) => releases.test(t, timeout, timeoutMs),
    upgrade: async (request) => {
      await before(request);
      return releases.upgrade(request);
    },
    rollback: async (request) => {
      await before(request);
      return releases.rollback(request);
    },
    uninstall: async (t, timeout, timeoutMs) => {
      await before(t);
      return releases.uninstall(t, timeout, timeoutMs);
    },
  };
}
