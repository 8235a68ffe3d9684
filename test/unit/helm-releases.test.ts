import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelmError, type Helm, type HelmResult, type HelmRunOptions } from '../../src/adapters/helm.js';
import { HelmReleases } from '../../src/adapters/helm-releases.js';

const target = { release: 'shop', namespace: 'shop-dev' };

/** A helm whose answers are scripted by argv[0]; records every argv. */
function scriptedHelm(answers: Record<string, (args: string[]) => HelmResult>, major = 4): Helm & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    binary: 'helm',
    calls,
    async version() {
      return { major, minor: 0, patch: 0, text: `v${major}.0.0` };
    },
    async run(args: string[], _options?: HelmRunOptions) {
      calls.push(args);
      const answer = answers[args[0]!];
      if (!answer) throw new Error(`unexpected helm ${args.join(' ')}`);
      return answer(args);
    },
  };
}

const fails = (stderr: string) => (args: string[]): HelmResult => {
  throw new HelmError(`helm ${args.join(' ')} failed with exit status 1:\n  ${stderr.split('\n')[0]}`, args, 1, stderr);
};

test('a release helm does not know has an empty history and no snapshot, not an error', async () => {
  const releases = new HelmReleases(() => scriptedHelm({ history: fails('Error: release: not found\n'), status: fails('Error: release: not found\n') }));
  assert.deepEqual(await releases.history(target), []);
  assert.equal(await releases.snapshot(target), undefined);
});

const statusJson = (fields: object) => () => ({ stdout: JSON.stringify({ version: 6, info: { status: 'deployed', description: 'Upgrade complete' }, ...fields }), stderr: '', exitCode: 0 });
const request = { ...target, chart: '/tmp/c.tgz', wait: true, timeout: '5m', historyMax: 10, rollbackOnFailure: true, values: '{}', timeoutMs: 1000 };

test('helm 4 gets --force-conflicts only when it will apply server-side: an install, or a release last applied server-side', async () => {
  const upgradeOk = () => ({ stdout: '{"version": 7}', stderr: '', exitCode: 0 });
  const cases: [string, (args: string[]) => HelmResult, boolean][] = [
    ['written by helm 3 (no apply_method)', statusJson({}), false],
    ['last applied client-side by helm 4', statusJson({ apply_method: 'csa' }), false],
    ['last applied server-side', statusJson({ apply_method: 'ssa' }), true],
    ['not installed yet', fails('Error: release: not found\n'), true],
  ];
  for (const [what, status, forced] of cases) {
    const helm = scriptedHelm({ status, upgrade: upgradeOk });
    await new HelmReleases(() => helm).upgrade(request);
    const upgrade = helm.calls.find((a) => a[0] === 'upgrade')!;
    assert.equal(upgrade.includes('--force-conflicts'), forced, what);
  }
  const helm3 = scriptedHelm({ status: statusJson({ apply_method: 'ssa' }), upgrade: upgradeOk }, 3);
  await new HelmReleases(() => helm3).upgrade(request);
  assert.equal(helm3.calls.find((a) => a[0] === 'upgrade')!.includes('--force-conflicts'), false, 'helm 3 has no such flag');
});

test('a helm 4 rollback applies as its target was applied: no --force-conflicts back to a helm 3 revision', async () => {
  const helm = scriptedHelm({
    status: (args) => statusJson(args.includes('--revision') && args[args.indexOf('--revision') + 1] === '1' ? {} : { apply_method: 'ssa' })(),
    rollback: () => ({ stdout: '', stderr: '', exitCode: 0 }),
  });
  const releases = new HelmReleases(() => helm);
  await releases.rollback({ ...target, revision: 1, wait: true, timeout: '1m', historyMax: 10, timeoutMs: 1000 });
  await releases.rollback({ ...target, revision: 2, wait: true, timeout: '1m', historyMax: 10, timeoutMs: 1000 });
  const rollbacks = helm.calls.filter((a) => a[0] === 'rollback');
  assert.deepEqual(rollbacks.map((a) => a.includes('--force-conflicts')), [false, true]);
});

test('a rollback revision carries its target\'s provenance, and tests copied from the target are not its own', async () => {
  const history = [
    { revision: 1, updated: '', status: 'superseded', chart: 'shop-1.0.0', app_version: '', description: 'chartctl {"version":"1.0.0","digest":"sha256:aa","source":"s3://b/dev"}' },
    { revision: 2, updated: '', status: 'superseded', chart: 'shop-1.1.0', app_version: '', description: 'chartctl {"version":"1.1.0","source":"s3://b/dev"}' },
    { revision: 3, updated: '', status: 'deployed', chart: 'shop-1.0.0', app_version: '', description: 'Rollback to 1' },
  ];
  const hooks = [{ name: 'shop-test', events: ['test'], last_run: { phase: 'Succeeded', started_at: '2026-01-01T10:00:00.123456789Z' } }];
  const releases = new HelmReleases(() =>
    scriptedHelm({
      history: () => ({ stdout: JSON.stringify(history), stderr: '', exitCode: 0 }),
      status: (args) => statusJson({ version: 3, info: { status: 'deployed', description: 'Rollback to 1', last_deployed: args.includes('1') ? '2026-01-01T09:59:00Z' : '2026-01-01T11:00:00Z' }, hooks })(),
    }),
  );
  const revisions = await releases.history(target);
  assert.equal(revisions[2]!.provenance?.digest, 'sha256:aa');
  assert.equal(revisions[1]!.provenance?.digest, undefined);
  assert.equal((await releases.status(target, 3)).tests, 'not-run');
  assert.equal((await releases.status(target, 1)).tests, 'passed');
});

test('a successful upgrade reports the revision helm says it created (--output json)', async () => {
  const helm = scriptedHelm({ status: statusJson({ apply_method: 'ssa' }), upgrade: () => ({ stdout: JSON.stringify({ name: 'shop', version: 7 }), stderr: '', exitCode: 0 }) });
  const result = await new HelmReleases(() => helm).upgrade(request);
  assert.deepEqual(result, { kind: 'ok', revision: 7 });
  assert.deepEqual(helm.calls.find((a) => a[0] === 'upgrade')!.slice(-2), ['--output', 'json']);
});

test('a failed upgrade becomes a typed result: helm rolled back or not, timed out or failed, helm\'s lines', async () => {
  const rolledBack = new HelmReleases(() => scriptedHelm({ status: statusJson({}), upgrade: fails('Error: UPGRADE FAILED: release shop failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded\n') }));
  const a = await rolledBack.upgrade(request);
  assert.equal(a.kind, 'failed');
  assert.equal(a.kind === 'failed' && a.helmRolledBack, true);
  assert.equal(a.kind === 'failed' && a.wait, 'timedOut');
  const rejected = new HelmReleases(() => scriptedHelm({ status: statusJson({}), upgrade: fails('Error: UPGRADE FAILED: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1\n') }));
  const b = await rejected.upgrade(request);
  assert.deepEqual(b, { kind: 'failed', helmRolledBack: false, wait: 'failed', failures: ['Error: UPGRADE FAILED: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1'] });
});

test('a status read that fails while waiting says helm\'s own first line, not the command line', async () => {
  const releases = new HelmReleases(() => scriptedHelm({ status: fails('Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:1: connect: connection refused\nmore\n') }));
  await assert.rejects(releases.newestResources(target, 1000), (err: Error) => err.message === 'Error: Kubernetes cluster unreachable: dial tcp 127.0.0.1:1: connect: connection refused');
});

test('failing tests are a value with the failing lines; a failed rollback says helm\'s message', async () => {
  const releases = new HelmReleases(() =>
    scriptedHelm({
      status: statusJson({}),
      test: () => ({ stdout: 'TEST SUITE: shop-test\nPhase: Failed\n', stderr: 'Error: 1 test failed\n', exitCode: 1 }),
      rollback: fails('Error: no revision 9 found\n'),
    }),
  );
  assert.deepEqual(await releases.test(target, '1m', 1000), { kind: 'failed', failures: ['Phase: Failed', 'Error: 1 test failed'] });
  assert.deepEqual(await releases.rollback({ ...target, revision: 9, wait: true, timeout: '1m', historyMax: 10, timeoutMs: 1000 }), { kind: 'failed', message: 'Error: no revision 9 found' });
});

test('the newest revision with its manifest is one helm get all; a release helm does not know is undefined; an unreachable cluster says so', async () => {
  const printed = 'chartctl-newest 3 pending-upgrade shop 1.2.0\n---\n# Source: shop/templates/cm.yaml\nkind: ConfigMap\n';
  const helm = scriptedHelm({ get: () => ({ stdout: printed, stderr: '', exitCode: 0 }) });
  const read = await new HelmReleases(() => helm).newestWithManifest(target);
  assert.deepEqual(read, { newest: { revision: 3, status: 'pending-upgrade', chartName: 'shop', chartVersion: '1.2.0' }, manifest: '---\n# Source: shop/templates/cm.yaml\nkind: ConfigMap\n' });
  assert.deepEqual(helm.calls.map((c) => c.slice(0, 3)), [['get', 'all', 'shop']]);
  assert.ok(!helm.calls[0]!.includes('--revision'), 'the newest revision: helm storage Last()');
  const absent = new HelmReleases(() => scriptedHelm({ get: fails('Error: release: not found\n') }));
  assert.equal(await absent.newestWithManifest(target), undefined);
  const down = new HelmReleases(() => scriptedHelm({ get: fails('Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:1/version": dial tcp 127.0.0.1:1: connect: connection refused\n') }));
  await assert.rejects(down.newestWithManifest(target), (err: any) => err.code === 'CLUSTER_UNREACHABLE' && /^Cannot reach the cluster for release shop in shop-dev: Error: Kubernetes cluster unreachable/.test(err.message));
});
