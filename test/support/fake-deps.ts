import type { Deps } from '../../src/actions/deps.js';
import { Cleanup } from '../../src/adapters/cleanup.js';
import type { Git } from '../../src/adapters/git.js';
import { MemoryChartRepositories } from '../../src/adapters/memory-chart-repository.js';
import { FakeChecks } from '../../src/adapters/fake-checks.js';
import { MemoryTrafficRouters } from '../../src/adapters/memory-traffic-routers.js';
import { MemoryCanaryTraffic } from '../../src/adapters/memory-canary-traffic.js';
import { MemoryCanaryRecords } from '../../src/adapters/memory-canary-records.js';
import { MemoryReleases } from '../../src/adapters/memory-releases.js';
import { MemoryOciRegistries } from '../../src/adapters/memory-oci-registry.js';
import { MemoryReleaseStorage } from '../../src/adapters/memory-release-storage.js';
import { MemoryReleaseLocks } from '../../src/adapters/memory-release-locks.js';
import { MemoryReporter } from '../../src/adapters/reporter.js';
import { SecretMasker } from '../../src/core/secret-masker.js';
import { seededRandom } from './seeded-random.js';

/** The clock every fake Deps starts with, unless a test gives its own. */
export const FAKE_NOW = new Date('2026-01-01T00:00:00Z');

/** A part a test did not give: any use of it fails the test, naming the part. */
function notGiven<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get(_, property) {
      if (property === 'then') return undefined;
      throw new Error(`fakeDeps: the test uses deps.${name}.${String(property)} but did not give ${name}`);
    },
  });
}

/**
 * Deps made of in-memory parts (releases, repositories, registries, release storage, reporter, checks that pass), a fixed
 * clock and a seeded random; the repository, secrets, git and helm fail loudly
 * when used without being given. Replaces `{…} as unknown as Deps` in tests.
 */
export function fakeDeps(overrides: Partial<Deps> = {}): Deps & { reporter: MemoryReporter } {
  const deps: Deps = {
    repo: notGiven('repo'),
    env: {},
    reporter: new MemoryReporter(),
    masker: new SecretMasker(),
    cleanup: new Cleanup(),
    signal: new AbortController().signal,
    drain: new AbortController().signal,
    helm: () => {
      throw new Error('fakeDeps: the test runs helm but did not give one');
    },
    releases: new MemoryReleases(),
    secrets: notGiven('secrets'),
    now: () => FAKE_NOW,
    // A clock that does not wait: a pause is over at once.
    sleep: async () => undefined,
    random: seededRandom(1),
    repositories: new MemoryChartRepositories(),
    registries: new MemoryOciRegistries(),
    releaseStorage: () => new MemoryReleaseStorage(),
    git: notGiven<Git>('git'),
    checks: new FakeChecks(),
    routers: new MemoryTrafficRouters(),
    canaryTraffic: new MemoryCanaryTraffic(),
    canaryRecords: new MemoryCanaryRecords(),
    locks: new MemoryReleaseLocks(),
    host: { name: 'test-host', pid: 4242 },
    ...overrides,
  };
  return deps as Deps & { reporter: MemoryReporter };
}

/** A git that only names the actor (what release locks and provenance ask); `onActor` sees each question. Nothing is committed. */
export function actorOnlyGit(onActor: () => void = () => undefined): Git {
  return {
    actor: async () => {
      onActor();
      return 'git-user <git@example.com>';
    },
    revision: async () => undefined,
    history: async () => undefined,
    commit: async () => Promise.reject(new Error('this test commits nothing')),
  };
}
