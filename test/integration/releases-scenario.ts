/**
 * diff / deploy / rollback / history / status end to end: the real chartctl CLI,
 * a real helm binary (3 or 4), the local S3 server and the Kubernetes simulator.
 * releases-helm3.test.ts and releases-helm4.test.ts run it with each major.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { cliPath, copyExampleApp, projectRoot, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, testRepository, type TestS3 } from '../support/s3.js';

export function releasesScenario(helm: string, major: 3 | 4): void {
  let sim: Simulator;
  let s3: TestS3;
  let app: ReturnType<typeof copyExampleApp>;
  let home: string;
  let env: Record<string, string>;
  let root: string;

  const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, ...extra }, timeoutMs: 120_000 });
  const ok = async (args: string[]) => {
    const r = await cli(args);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const json = async (args: string[]) => JSON.parse((await ok([...args, '--output', 'json'])).stdout);
  const image = (ns: string, name: string) => sim.getObject('Deployment', ns, name)?.spec.template.spec.containers[0].image as string | undefined;
  const editValues = (envName: string, edit: (t: string) => string) => {
    const file = join(app.dir, 'environments', 'values', `${envName}.yaml`);
    writeFileSync(file, edit(readFileSync(file, 'utf8')));
  };
  const historyOf = async (envName: string) => (await json(['history', envName])).revisions as any[];
  /** chartctl run through a helm that logs each subcommand it is asked; the subcommands, sorted. */
  const withHelmCallsLogged = async (args: string[]) => {
    const log = join(home, `helm-calls-${Date.now()}`);
    const wrapper = join(home, 'helm-logging.sh');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$1" >> "$HELM_CALL_LOG"\nexec '${helm}' "$@"\n`, { mode: 0o700 });
    const r = await cli(args, { CHARTCTL_HELM: wrapper, HELM_CALL_LOG: log });
    // chartctl asks a helm binary it has not seen before for its version once (cached afterwards): not a release read.
    return { r, calls: readFileSync(log, 'utf8').split('\n').filter((c) => c && c !== 'version').sort() };
  };
  /**
   * diff through a helm that logs each subcommand it is asked: one `helm get all` (the newest revision and its
   * manifest) and the render, nothing else (a second render, without --is-upgrade, when the release does not exist);
   * what it reports as deployed is what `history` says of the newest revision.
   */
  const diffMakesOnlyItsHelmCalls = async (envName: string) => {
    const { r, calls } = await withHelmCallsLogged(['diff', envName, '--local', '--output', 'json']);
    assert.ok(r.exitCode === 0 || r.exitCode === 2, r.stderr);
    // history exits 3 (no match) for a release that does not exist.
    const history = await cli(['history', envName, '--output', 'json']);
    assert.ok(history.exitCode === 0 || history.exitCode === 3, history.stderr);
    const newest = history.exitCode === 0 ? JSON.parse(history.stdout).revisions[0] : undefined;
    assert.deepEqual(calls, newest ? ['get', 'template'] : ['get', 'template', 'template']);
    const result = JSON.parse(r.stdout);
    assert.deepEqual(result.deployed, newest ? { revision: newest.revision, version: newest.chartVersion, status: newest.status } : { revision: null, version: null, status: null });
    return result;
  };
  /** A template of the working tree's chart that shows how helm was asked to render it (with or without --is-upgrade). */
  const withInstallModeTemplate = async <T>(run: () => Promise<T>): Promise<T> => {
    const file = join(app.dir, 'charts', 'shop', 'templates', 'install-mode.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: install-mode\ndata:\n  isUpgrade: {{ .Release.IsUpgrade | quote }}\n');
    try {
      return await run();
    } finally {
      unlinkSync(file);
    }
  };
  const installModeOf = (result: any): string => {
    const change = result.diff.changes.find((c: any) => c.resource === 'ConfigMap shop-dev/install-mode');
    assert.ok(change, JSON.stringify(result.diff.changes.map((c: any) => c.resource)));
    assert.equal(change.change, 'added');
    return /^\+ +isUpgrade: '(\w+)'$/m.exec(change.diff)?.[1] ?? `no isUpgrade line in:\n${change.diff}`;
  };

  before(async () => {
    sim = await startSimulator({ readinessDelayMs: 50 });
    s3 = await startTestS3();
    app = copyExampleApp();
    root = isolateRepositories(app.dir, s3);
    home = mkdtempSync(join(tmpdir(), 'chartctl-releases-'));
    writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
    env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helm, CHARTCTL_ACTOR: 'release-tests' };
    // Short waits keep failure scenarios fast.
    for (const name of ['dev', 'staging']) {
      const file = join(app.dir, 'environments', `${name}.yaml`);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/deploy: \{timeout: 5m/, 'deploy: {timeout: 4s'));
    }
    await ok(['publish', 'dev', '--version', '1.0.0']);
  });
  after(async () => {
    await sim?.close();
    await s3?.close();
    app?.remove();
    rmSync(home, { recursive: true, force: true });
  });

  test(`[helm ${major}] diff of a release that does not exist yet shows everything as added; --detailed-exitcode 2`, async () => {
    const r = await cli(['diff', 'dev', '--detailed-exitcode', '--output', 'json']);
    assert.equal(r.exitCode, 2, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.deployed.revision, null);
    assert.equal(d.candidate.version, '1.0.0');
    assert.match(d.candidate.digest, /^sha256:[a-f0-9]{64}$/);
    assert.equal(d.diff.counts.changed + d.diff.counts.removed + d.diff.counts.unchanged, 0);
    assert.ok(d.diff.changes.some((c: any) => c.resource === 'apps/Deployment shop-dev/shop-api' && c.change === 'added'));
    assert.ok(!d.diff.changes.some((c: any) => c.kind === 'Pod' && c.hook), 'helm test pods are left out of diff, as in helm-diff');
    const withTests = JSON.parse((await cli(['diff', 'dev', '--include-tests', '--output', 'json'])).stdout);
    assert.ok(withTests.diff.changes.some((c: any) => c.kind === 'Pod' && c.hook), 'with --include-tests the test pod is reported as a hook');
    const secret = d.diff.changes.find((c: any) => c.kind === 'Secret');
    assert.doesNotMatch(secret.diff, /DATABASE_PASSWORD: (?!'\*\*\*')/, 'secret values masked');
  });

  test(`[helm ${major}] diff makes one helm get all and one render (two before the first install); it reports the newest revision as history does, also failed and pending ones`, async () => {
    assert.equal((await diffMakesOnlyItsHelmCalls('dev')).deployed.revision, null);
  });

  test(`[helm ${major}] diff of a release that does not exist yet shows the chart rendered as an install (without --is-upgrade)`, async () => {
    const result = await withInstallModeTemplate(() => diffMakesOnlyItsHelmCalls('dev'));
    assert.equal(installModeOf(result), 'false');
    // diff --all renders each environment once the cluster has answered: no second render per environment not installed yet.
    const { r, calls } = await withInstallModeTemplate(() => withHelmCallsLogged(['diff', '--all', 'dev', 'staging', '--local', '--output', 'json']));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(calls, ['get', 'get', 'template', 'template']);
    const dev = JSON.parse(r.stdout).find((e: any) => e.env === 'dev');
    assert.equal(installModeOf(dev.result), 'false');
  });

  test(`[helm ${major}] first deploy installs the exact tarball, tests pass, provenance recorded`, async () => {
    const r = await json(['deploy', 'dev', '--yes']);
    assert.equal(r.outcome.kind, 'deployed', JSON.stringify(r.outcome));
    assert.equal(r.outcome.tests, 'passed');
    assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.1.0-dev.3');
    const [head] = await historyOf('dev');
    assert.equal(head.status, 'deployed');
    assert.equal(head.provenance.version, '1.0.0');
    assert.equal(head.provenance.digest, r.outcome.plan.digest);
    assert.equal(head.provenance.source, `s3://${s3.bucket}/${root}/dev`);
    assert.equal(head.provenance.actor, 'release-tests');
  });

  test(`[helm ${major}] diff starts helm template before helm get all has answered, rendering as an upgrade`, async () => {
    // helm get all is held until a helm template has started (at most 10 s): a diff that renders only after
    // the cluster answered logs "get end" first. A fifo, so neither side polls.
    const log = join(home, `helm-order-${Date.now()}`);
    const templateStarted = join(home, `template-started-${Date.now()}`);
    execFileSync('mkfifo', [templateStarted]);
    const wrapper = join(home, 'helm-holding-get.sh');
    writeFileSync(
      wrapper,
      [
        '#!/bin/bash',
        `printf '%s start\\n' "$1" >> "$HELM_CALL_LOG"`,
        'case "$1" in',
        // get opens the fifo for reading and writing, which waits for no writer; the template side's open waits for it.
        '  get) exec 3<>"$TEMPLATE_STARTED"; read -r -t 10 -u 3 _; exec 3<&- ;;',
        `  template) timeout 10 sh -c 'echo started > "$0"' "$TEMPLATE_STARTED" ;;`,
        'esac',
        `'${helm}' "$@"`,
        'status=$?',
        `printf '%s end\\n' "$1" >> "$HELM_CALL_LOG"`,
        'exit $status',
        '',
      ].join('\n'),
      { mode: 0o700 },
    );
    try {
      const r = await withInstallModeTemplate(() => cli(['diff', 'dev', '--local', '--output', 'json'], { CHARTCTL_HELM: wrapper, HELM_CALL_LOG: log, TEMPLATE_STARTED: templateStarted }));
      assert.equal(r.exitCode, 0, r.stderr);
      const events = readFileSync(log, 'utf8').split('\n').filter((e) => e && !e.startsWith('version '));
      assert.deepEqual([...events].sort(), ['get end', 'get start', 'template end', 'template start']);
      assert.ok(events.indexOf('template start') < events.indexOf('get end'), events.join(', '));
      const result = JSON.parse(r.stdout);
      assert.equal(result.deployed.status, 'deployed');
      assert.equal(installModeOf(result), 'true');
    } finally {
      unlinkSync(templateStarted);
    }
  });

  test(`[helm ${major}] a no-op deploy says so and changes nothing; diff --detailed-exitcode 0`, async () => {
    const before = (await historyOf('dev')).length;
    const r = await ok(['deploy', 'dev', '--yes']);
    assert.match(r.stdout, /Nothing to deploy: dev already runs this exactly/);
    assert.equal((await historyOf('dev')).length, before);
    const d = await cli(['diff', 'dev', '--detailed-exitcode']);
    assert.equal(d.exitCode, 0, d.stderr);
    assert.match(d.stdout, /No changes/);
  });

  test(`[helm ${major}] diff shows exactly the changed replicas, image and masked Secret keys, then deploy upgrades`, async () => {
    // Working-tree edits reach a release only with --local (a repository version carries its own values).
    editValues('dev', (t) => t.replace(/replicaCount: 1\n/, 'replicaCount: 2\n'));
    await ok(['set-image', 'dev', 'api', '1.2.0']);
    editValues('dev', (t) => `${t}database:\n  user: shop_v2\n`);
    const d = await json(['diff', 'dev', '--local', '--context', '0']);
    const changed = d.diff.changes.filter((c: any) => c.change === 'changed').map((c: any) => c.resource).sort();
    assert.deepEqual(changed, [
      'ConfigMap shop-dev/shop-api',
      'Secret shop-dev/shop-database',
      'ServiceAccount shop-dev/shop-api',
      'Service shop-dev/shop-api',
      'apps/Deployment shop-dev/shop-api',
      'networking.k8s.io/Ingress shop-dev/shop-api',
    ].sort());
    const api = d.diff.changes.find((c: any) => c.resource === 'apps/Deployment shop-dev/shop-api');
    assert.match(api.diff, /^-  replicas: 1$/m);
    assert.match(api.diff, /^\+  replicas: 2$/m);
    assert.match(api.diff, /^\+ +image: ghcr\.io\/acme\/shop-api:1\.2\.0$/m);
    const secret = d.diff.changes.find((c: any) => c.kind === 'Secret');
    assert.deepEqual(secret.secretKeysChanged, ['stringData.DATABASE_USER']);
    assert.doesNotMatch(JSON.stringify(d), /shop_v2/, 'the new Secret value is never shown');
    const text = await cli(['diff', 'dev', '--local']);
    assert.match(text.stdout, /secret keys changed: stringData\.DATABASE_USER \(values hidden/);
    const r = await json(['deploy', 'dev', '--local', '--yes']);
    assert.equal(r.outcome.kind, 'deployed');
    assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.2.0');
    assert.equal(sim.getObject('Deployment', 'shop-dev', 'shop-api')?.spec.replicas, 2);
    assert.equal((await diffMakesOnlyItsHelmCalls('dev')).deployed.status, 'deployed');
  });

  test(`[helm ${major}] diff --live reports fields changed outside helm`, async () => {
    const clean = await json(['diff', 'dev', '--live']);
    assert.deepEqual(clean.drift, []);
    // What `kubectl scale deployment shop-web --replicas 5` sends.
    const res = await fetch(`${sim.url}/apis/apps/v1/namespaces/shop-dev/deployments/shop-web?fieldManager=kubectl-scale`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { replicas: 5 } }),
    });
    assert.equal(res.status, 200, await res.text());
    const r = await cli(['diff', 'dev', '--live', '--detailed-exitcode']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stdout, /! drifted Deployment shop-dev\/shop-web\n {4}spec\.replicas: applied 1, live 5/);
    // The next deploy takes the field back (helm 4 with --force-conflicts, helm 3 by its three-way merge).
    await ok(['set-image', 'dev', 'web', '1.1.1']);
    await ok(['deploy', 'dev', '--local', '--yes']);
    assert.equal(sim.getObject('Deployment', 'shop-dev', 'shop-web')?.spec.replicas, 1);
    assert.deepEqual((await json(['diff', 'dev', '--live'])).drift, []);
    await ok(['set-image', 'dev', 'web', '1.1.0-dev.3']);
  });

  test(`[helm ${major}] an injected never-ready Deployment fails the deploy; helm rolls back; exit 1`, async () => {
    const live = (await historyOf('dev'))[0].revision;
    await ok(['set-image', 'dev', 'web', '9.0.0']);
    sim.injectFault('shop-dev/Deployment/shop-web', 'never-ready');
    try {
      const r = await cli(['deploy', 'dev', '--local', '--yes', '--output', 'json']);
      assert.equal(r.exitCode, 1, r.stderr);
      const outcome = JSON.parse(r.stdout).outcome;
      assert.equal(outcome.kind, 'rolledBack', JSON.stringify(outcome));
      assert.ok(outcome.failures.some((f: string) => /shop-web/.test(f)), outcome.failures.join('\n'));
      const history = await historyOf('dev');
      assert.equal(history.find((h: any) => h.revision === outcome.failedRevision)?.status, 'failed');
      assert.equal(history[0].status, 'deployed');
      assert.equal(history[0].revision, outcome.liveRevision);
      assert.ok(history[0].revision > live);
      assert.notEqual(image('shop-dev', 'shop-web'), 'ghcr.io/acme/shop-web:9.0.0', 'the old image is back');
    } finally {
      sim.injectFault('shop-dev/Deployment/shop-web', 'clear');
      await ok(['set-image', 'dev', 'web', '1.1.0-dev.3']);
    }
  });

  test(`[helm ${major}] failing helm test: chartctl rolls back to the previous good revision; exit 1`, async () => {
    const good = (await historyOf('dev'))[0];
    await ok(['set-image', 'dev', 'api', '1.3.0']);
    sim.injectFault('shop-dev/Pod/shop-test-connection', 'fail');
    try {
      const r = await cli(['deploy', 'dev', '--local', '--yes']);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stdout, /Deploy failed and was rolled back: helm test failed; rolled back to revision \d+/);
      assert.equal(image('shop-dev', 'shop-api'), 'ghcr.io/acme/shop-api:1.2.0');
      const history = await historyOf('dev');
      assert.equal(history[0].status, 'deployed');
      assert.equal(history[1].tests, 'failed', 'the tested revision is marked by its failed test');
      assert.equal(history[0].chartVersion, good.chartVersion);
    } finally {
      sim.injectFault('shop-dev/Pod/shop-test-connection', 'clear');
      await ok(['set-image', 'dev', 'api', '1.2.0']);
    }
  });

  test(`[helm ${major}] rollback to an explicit revision, then to the default (last good)`, async () => {
    const history = await historyOf('dev');
    // history-max prunes old revisions: the oldest kept one that differs from what is live
    const differing = [];
    for (const h of history.slice(1)) {
      const d = await cli(['diff', 'dev', '--revision', String(h.revision), '--detailed-exitcode']);
      if (d.exitCode === 2) differing.push(h.revision);
    }
    assert.ok(differing.length > 0, 'some earlier revision differs from the live one');
    const explicit = await json(['rollback', 'dev', String(differing.at(-1)), '--yes']);
    assert.equal(explicit.kind, 'rolledBack');
    assert.ok(explicit.plan.diff.hasChanges);
    const same = await cli(['diff', 'dev', '--revision', String(differing.at(-1)), '--detailed-exitcode']);
    assert.equal(same.exitCode, 0, 'the live release now matches the chosen revision');
    const dflt = await json(['rollback', 'dev', '--yes']);
    assert.equal(dflt.kind, 'rolledBack');
    assert.ok(dflt.plan.to.revision < dflt.plan.from.revision);
    const missing = await cli(['rollback', 'dev', '999', '--yes']);
    assert.equal(missing.exitCode, 3);
    assert.match(missing.stderr, /has no revision 999\. Revisions: \d+ \((superseded|deployed), 1\.0\.0\)/);
  });

  test(`[helm ${major}] a stuck pending release is refused with guidance, then recovered by rollback`, async () => {
    // A CD job killed mid-upgrade (chartctl and its helm): the newest revision stays pending-upgrade
    // and the job's release lock is no longer renewed (it expires after 1 s here).
    sim.injectFault('shop-dev/Deployment/shop-api', 'never-ready');
    const killed = execa(process.execPath, [cliPath, 'deploy', 'dev', '--yes', '--set', 'api.image.tag=stuck'], {
      cwd: app.dir,
      env: { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...env, CHARTCTL_LOCK_LEASE_SECONDS: '1' },
      extendEnv: false,
      reject: false,
    });
    for (let i = 0; i < 1200 && !(await historyOf('dev'))[0].status.startsWith('pending'); i++) await sleep(100);
    const helms = execFileSync('ps', ['--ppid', String(killed.pid), '-o', 'pid='], { encoding: 'utf8' }).split('\n').map(Number).filter((n) => n > 0);
    killed.kill('SIGKILL');
    for (const pid of helms) process.kill(pid, 'SIGKILL');
    await killed;
    sim.injectFault('shop-dev/Deployment/shop-api', 'clear');
    assert.equal((await historyOf('dev'))[0].status, 'pending-upgrade');
    assert.equal((await diffMakesOnlyItsHelmCalls('dev')).deployed.status, 'pending-upgrade');
    const refused = await cli(['deploy', 'dev', '--yes']);
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /is stuck in pending-upgrade at revision \d+: it was written by release-tests, host .*, pid \d+ \(deploy shop [\d.]+\), whose lock expired without finishing/);
    assert.match(refused.stderr, /hint: Recover with "chartctl rollback dev"/);
    const status = await json(['status', 'dev']);
    assert.equal(status.health, 'stuck');
    const recovered = await json(['rollback', 'dev', '--yes']);
    assert.equal(recovered.kind, 'rolledBack');
    assert.equal(recovered.plan.recoveringPending, true);
    assert.equal((await historyOf('dev'))[0].status, 'deployed');
    assert.equal((await json(['status', 'dev'])).health, 'healthy');
  });

  test(`[helm ${major}] digest mismatch between index and tarball is refused before touching the cluster`, async () => {
    await ok(['publish', 'dev', '--version', '1.0.1']);
    const repo = testRepository(s3, root, 'dev');
    const got = await repo.get('shop-1.0.1.tgz');
    assert.equal(got.kind, 'found');
    const tampered = new Uint8Array(got.kind === 'found' ? got.body : []);
    tampered[tampered.length - 1] ^= 0xff;
    await repo.put('shop-1.0.1.tgz', tampered);
    const before = (await historyOf('dev')).length;
    const r = await cli(['deploy', 'dev', '--yes', '--version', '1.0.1']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /tarball's sha256 [a-f0-9]{64} does not match the dev index/);
    assert.match(r.stderr, /Nothing was changed in the cluster/);
    assert.equal((await historyOf('dev')).length, before);
  });

  test(`[helm ${major}] a release whose history holds only failed revisions can still be deployed`, async () => {
    const file = join(app.dir, 'environments', 'staging.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('rollbackOnFailure: true', 'rollbackOnFailure: false'));
    sim.injectFault('shop-staging/Deployment/shop-web', 'never-ready');
    const first = await cli(['deploy', 'staging', '--local', '--yes']);
    assert.equal(first.exitCode, 1, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /could NOT be rolled back: the upgrade failed \(deploy\.rollbackOnFailure is off\)/);
    assert.match(first.stdout, /not ready: Deployment shop-staging\/shop-web (is not ready|: 0\/\d ready)|resource Deployment\/shop-staging\/shop-web not ready/);
    assert.match(first.stdout, /chartctl deploy staging --yes +# after fixing the cause/);
    const failedOnly = await historyOf('staging');
    assert.ok(failedOnly.every((h: any) => h.status === 'failed'), JSON.stringify(failedOnly));
    assert.equal((await diffMakesOnlyItsHelmCalls('staging')).deployed.status, 'failed');
    sim.injectFault('shop-staging/Deployment/shop-web', 'clear');
    const again = await cli(['deploy', 'staging', '--local', '--yes']);
    assert.equal(again.exitCode, 0, `${again.stdout}\n${again.stderr}`);
    assert.equal((await historyOf('staging'))[0].status, 'deployed');
  });

  test(`[helm ${major}] when the rollback itself fails, the state and recovery commands are printed`, async () => {
    // Revision A has an extra Deployment; B drops it and fails its tests; rolling back to A
    // must wait for that Deployment, which is made never-ready: the rollback fails too.
    const extra = join(app.dir, 'charts', 'shop', 'templates', 'extra.yaml');
    writeFileSync(extra, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: extra\nspec:\n  selector: {matchLabels: {app: extra}}\n  template:\n    metadata: {labels: {app: extra}}\n    spec:\n      containers: [{name: extra, image: "busybox:1.36"}]\n');
    await ok(['deploy', 'dev', '--local', '--yes']);
    unlinkSync(extra);
    sim.injectFault('shop-dev/Deployment/extra', 'never-ready');
    sim.injectFault('shop-dev/Pod/shop-test-connection', 'fail');
    try {
      const r = await cli(['deploy', 'dev', '--local', '--yes', '--timeout', '3s']);
      assert.equal(r.exitCode, 1, r.stderr);
      assert.match(r.stdout, /could NOT be rolled back: helm test failed and the rollback to revision \d+ failed too/);
      assert.match(r.stdout, /State: revision \d+ is \w+/);
      assert.match(r.stdout, new RegExp(`To recover:\\n {2}helm status shop -n shop-dev --kube-context dev${major === 3 ? ' --show-resources' : ''} `));
      assert.match(r.stdout, /chartctl rollback dev /);
    } finally {
      sim.clearFaults();
    }
  });
}
