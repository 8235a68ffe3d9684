// What the release lock adds to a deploy: chartctl's deploy action, in process, against the
// Kubernetes simulator and the local S3 server with the real helm, alternating a deploy that
// takes the Lease (read, create/update, renew timer, free) with one whose lock is an
// always-free stand-in; each deploy changes one value, so each is a real helm upgrade.
// Also the lock's own round trips (take + free) measured alone. Target: <= 50 ms per deploy.
//   npm run bench:release-lock
import { FakeChecks } from '../src/adapters/fake-checks.js';
import { MemoryTrafficRouters } from '../src/adapters/memory-traffic-routers.js';
import { MemoryCanaryTraffic } from '../src/adapters/memory-canary-traffic.js';
import { MemoryCanaryRecords } from '../src/adapters/memory-canary-records.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deploy } from '../src/actions/deploy/deploy.js';
import type { Deps } from '../src/actions/deps.js';
import { holdReleaseLock } from '../src/actions/hold-release-lock.js';
import { AppRepo } from '../src/adapters/app-repo.js';
import { Cleanup } from '../src/adapters/cleanup.js';
import { GitCli } from '../src/adapters/git.js';
import { HelmCli } from '../src/adapters/helm.js';
import { HelmReleases } from '../src/adapters/helm-releases.js';
import { KubeReleaseLocks } from '../src/adapters/kube-release-locks.js';
import type { ReleaseLocks } from '../src/adapters/release-locks.js';
import { MemoryReporter } from '../src/adapters/reporter.js';
import { MemoryOciRegistries } from '../src/adapters/memory-oci-registry.js';
import { MemoryReleaseStorage } from '../src/adapters/memory-release-storage.js';
import { S3ChartRepositories } from '../src/adapters/s3-chart-repositories.js';
import { createSecretsReader } from '../src/adapters/secrets-factory.js';
import { SecretMasker } from '../src/core/secret-masker.js';
import { startSimulator } from '../src/sandbox/simulator.js';
import { copyExampleApp, helmBinaries, projectRoot, runCli } from '../test/support/project.js';
import { isolateRepositories, startTestS3 } from '../test/support/s3.js';
import { median } from './support.js';
import { sleep } from '../src/adapters/sleep.js';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const helmPath = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;

/** Never held by anyone: the deploy path with the lock's cost taken out. */
const alwaysFree: ReleaseLocks = {
  read: async () => undefined,
  create: async (_t, w) => ({ kind: 'written', lease: { name: 'free', resourceVersion: '1', ...w } }),
  update: async (_t, _rv, w) => ({ kind: 'written', lease: { name: 'free', resourceVersion: '1', ...w } }),
};

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-lock-'));
const app = copyExampleApp();
const sim = await startSimulator({ readinessDelayMs: 20 });
const s3 = await startTestS3();
isolateRepositories(app.dir, s3);
try {
  sim.writeKubeconfig(join(work, 'kubeconfig'), { aliases: ['dev', 'staging', 'prod'] });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...s3.env,
    KUBECONFIG: join(work, 'kubeconfig'),
    CHARTCTL_HELM: helmPath,
    XDG_CACHE_HOME: join(work, 'cache'),
    SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'),
    CHARTCTL_ACTOR: 'bench',
  };
  // The AWS SDK reads its credentials from the process environment.
  Object.assign(process.env, s3.env);
  const published = await runCli(['publish', 'dev', '--version', '1.0.0', '--quiet'], { cwd: app.dir, env });
  if (published.exitCode !== 0) throw new Error(published.stderr);
  const depsWith = (locks: ReleaseLocks): Deps => {
    const reporter = new MemoryReporter();
    const masker = new SecretMasker();
    const helm = new HelmCli(helmPath, { reporter, mask: (t) => masker.mask(t), env, cacheDir: join(work, 'cache') });
    return {
      repo: new AppRepo(app.dir),
      env,
      reporter,
      masker,
      cleanup: new Cleanup(),
      signal: new AbortController().signal,
      drain: new AbortController().signal,
      helm: () => helm,
      releases: new HelmReleases(() => helm),
      secrets: createSecretsReader(env),
      now: () => new Date(),
      sleep,
      random: Math.random,
      repositories: new S3ChartRepositories(env, join(work, 'cache'), () => new Date()),
      git: new GitCli(env),
      locks,
      host: { name: 'bench', pid: process.pid },
      registries: new MemoryOciRegistries(),
      releaseStorage: () => new MemoryReleaseStorage(),
      checks: new FakeChecks(),
      routers: new MemoryTrafficRouters(),
      canaryTraffic: new MemoryCanaryTraffic(),
      canaryRecords: new MemoryCanaryRecords(),
    };
  };
  const locked = depsWith(new KubeReleaseLocks(env));
  const unlocked = depsWith(alwaysFree);
  let n = 0;
  const timeDeploy = async (deps: Deps): Promise<number> => {
    const started = process.hrtime.bigint();
    const result = await deploy(deps, { env: 'dev', yes: true, noTests: true, set: [`web.config.BENCH=run-${n++}`] });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.outcome.kind !== 'deployed') throw new Error(`deploy ended ${result.outcome.kind}`);
    return ms;
  };
  console.log(`chartctl benchmark: release lock (${helmPath}), ${runs} deploys each, alternating, after one warm-up each`);
  await timeDeploy(locked);
  await timeDeploy(unlocked);
  const withLock: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < runs; i++) {
    withLock.push(await timeDeploy(locked));
    without.push(await timeDeploy(unlocked));
  }
  const fmt = (s: number[]) => `median ${median(s).toFixed(1)} ms (min ${Math.min(...s).toFixed(1)}, max ${Math.max(...s).toFixed(1)}, n=${s.length})`;
  console.log(`\ndeploy dev (helm upgrade on the simulator)`);
  console.log(`  A with the release lock (Kubernetes Lease):   ${fmt(withLock)}`);
  console.log(`  B with an always-free lock (no API calls):    ${fmt(without)}`);
  console.log(`  difference A - B = ${(median(withLock) - median(without)).toFixed(1)} ms  (target <= 50 ms)`);

  // The lock alone, many times: the part of A - B that is the lock, without helm's noise.
  const target = { release: 'shop', namespace: 'shop-dev', kubeContext: 'dev' };
  const cycles: number[] = [];
  for (let i = 0; i < 50; i++) {
    const started = process.hrtime.bigint();
    const held = await holdReleaseLock(locked, target, { holder: 'bench', operation: 'bench', waitMs: 0, timeoutName: '--lock-timeout', durationSeconds: 30, heartbeatMs: 5000 });
    await held.release();
    cycles.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  console.log(`\ntake + free the Lease alone (3 API calls): ${fmt(cycles)}  (target <= 50 ms)`);
} finally {
  await sim.close();
  await s3.close();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
