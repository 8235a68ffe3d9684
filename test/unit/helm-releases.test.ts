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

test('a successful upgrade reports the revision helm says it created (--output json)', async () => {
  const helm = scriptedHelm({ upgrade: () => ({ stdout: JSON.stringify({ name: 'shop', version: 7 }), stderr: '', exitCode: 0 }) });
  const result = await new HelmReleases(() => helm).upgrade({ ...target, chart: '/tmp/c.tgz', wait: true, timeout: '5m', historyMax: 10, rollbackOnFailure: true, values: '{}', timeoutMs: 1000 });
  assert.deepEqual(result, { kind: 'ok', revision: 7 });
  assert.deepEqual(helm.calls[0]!.slice(-2), ['--output', 'json']);
});

test('a failed upgrade becomes a typed result: helm rolled back or not, timed out or failed, helm\'s lines', async () => {
  const rolledBack = new HelmReleases(() => scriptedHelm({ upgrade: fails('Error: UPGRADE FAILED: release shop failed, and has been rolled back due to rollback-on-failure being set: context deadline exceeded\n') }));
  const request = { ...target, chart: '/tmp/c.tgz', wait: true, timeout: '5m', historyMax: 10, rollbackOnFailure: true, values: '{}', timeoutMs: 1000 };
  const a = await rolledBack.upgrade(request);
  assert.equal(a.kind, 'failed');
  assert.equal(a.kind === 'failed' && a.helmRolledBack, true);
  assert.equal(a.kind === 'failed' && a.wait, 'timedOut');
  const rejected = new HelmReleases(() => scriptedHelm({ upgrade: fails('Error: UPGRADE FAILED: Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1\n') }));
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
      test: () => ({ stdout: 'TEST SUITE: shop-test\nPhase: Failed\n', stderr: 'Error: 1 test failed\n', exitCode: 1 }),
      rollback: fails('Error: no revision 9 found\n'),
    }),
  );
  assert.deepEqual(await releases.test(target, '1m', 1000), { kind: 'failed', failures: ['Phase: Failed', 'Error: 1 test failed'] });
  assert.deepEqual(await releases.rollback({ ...target, revision: 9, wait: true, timeout: '1m', historyMax: 10, timeoutMs: 1000 }), { kind: 'failed', message: 'Error: no revision 9 found' });
});
