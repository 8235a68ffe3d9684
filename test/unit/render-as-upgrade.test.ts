import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { renderAsUpgradeUnlessNew } from '../../src/actions/steps/render-as-upgrade.js';
import type { StartedValues } from '../../src/actions/steps/values.js';
import type { Environment } from '../../src/core/environment.js';
import type { Helm, HelmResult } from '../../src/adapters/helm.js';
import { fakeDeps } from '../support/fake-deps.js';
import { waitFor } from '../support/wait-for.js';

const env = { name: 'staging', release: 'shop', namespace: 'shop-staging', kubeVersion: '1.33', file: 'environments/staging.yaml', values: [], secrets: [], valuesEnv: [] } as unknown as Environment;

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A helm whose every call runs until the test ends it (`exit` with a manifest, or `fail`). */
function heldHelm() {
  const calls: { args: string[]; exit: (manifest: string) => void; fail: (err: Error) => void }[] = [];
  const helm: Helm = {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 0, patch: 0, text: 'v4.0.0' }),
    run(args: string[]) {
      const result = deferred<HelmResult>();
      calls.push({ args, exit: (stdout) => result.resolve({ stdout, stderr: '', exitCode: 0 }), fail: result.reject });
      return result.promise;
    },
  };
  return { helm, calls };
}

function startedValues(): StartedValues {
  const resolved = { layers: [], merged: {}, valuesArgs: [], stdin: undefined, setArgs: [], unread: [], release: async () => undefined };
  return { valuesArgs: [], setArgs: [], unread: [], stdin: Promise.resolve(undefined), resolved: Promise.resolve(resolved), release: async () => undefined };
}

/** Starts the render; `settled` says whether it has settled yet (a render must not settle while a helm it started runs). */
function start(releaseExists: Promise<boolean>) {
  const { helm, calls } = heldHelm();
  const deps = fakeDeps({ helm: () => helm });
  const state = { settled: false };
  const rendering = renderAsUpgradeUnlessNew(deps, env, { chartOverride: '/tmp/shop-1.0.0.tgz', values: startedValues() }, releaseExists);
  rendering.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return { rendering, calls, deps, state };
}

test('render as upgrade: helm template starts with --is-upgrade before the cluster says the release exists; one call when it does', async () => {
  const exists = deferred<boolean>();
  const { rendering, calls } = start(exists.promise);
  await waitFor(() => calls.length === 1, 'helm template to start before the release is known');
  assert.ok(calls[0]!.args.includes('--is-upgrade'), calls[0]!.args.join(' '));
  exists.resolve(true);
  calls[0]!.exit('kind: ConfigMap # upgrade\n');
  assert.equal((await rendering).manifest, 'kind: ConfigMap # upgrade\n');
  assert.equal(calls.length, 1);
});

test('render as upgrade: a release that does not exist is rendered again without --is-upgrade, announced once, and settles once both helm calls exited', async () => {
  const { rendering, calls, deps, state } = start(Promise.resolve(false));
  await waitFor(() => calls.length === 2, 'the install render to start');
  assert.ok(calls[0]!.args.includes('--is-upgrade'));
  assert.ok(!calls[1]!.args.includes('--is-upgrade'), calls[1]!.args.join(' '));
  calls[1]!.exit('kind: ConfigMap # install\n');
  await nextTurn();
  assert.equal(state.settled, false, 'the upgrade render still runs: its values must not be released yet');
  calls[0]!.exit('kind: ConfigMap # upgrade\n');
  assert.equal((await rendering).manifest, 'kind: ConfigMap # install\n');
  assert.equal(deps.reporter.lines.filter((l) => l.startsWith('Rendering ')).length, 1, deps.reporter.lines.join('\n'));
});

test('render as upgrade: when the cluster cannot be read that is the error, reported once the render exited, even when it failed too', async () => {
  const exists = deferred<boolean>();
  const { rendering, calls, state } = start(exists.promise);
  await waitFor(() => calls.length === 1, 'helm template to start');
  const unreachable = new Error('Kubernetes cluster unreachable');
  exists.reject(unreachable);
  await nextTurn();
  assert.equal(state.settled, false, 'helm template still runs');
  calls[0]!.fail(new Error('template: shop/templates/api.yaml:3: nil pointer'));
  await assert.rejects(rendering, (err) => err === unreachable);
  assert.equal(calls.length, 1);
});

test('render as upgrade: the render error of an existing release is the error', async () => {
  const { rendering, calls } = start(Promise.resolve(true));
  await waitFor(() => calls.length === 1, 'helm template to start');
  const failure = new Error('template: shop/templates/api.yaml:3: nil pointer');
  calls[0]!.fail(failure);
  await assert.rejects(rendering, (err) => err === failure);
});

test('render as upgrade: without a release the install render decides, also when both fail', async () => {
  const { rendering, calls } = start(Promise.resolve(false));
  await waitFor(() => calls.length === 2, 'the install render to start');
  const installFailure = new Error('template: the install render failed');
  calls[0]!.fail(new Error('template: the upgrade render failed'));
  calls[1]!.fail(installFailure);
  await assert.rejects(rendering, (err) => err === installFailure);
});
