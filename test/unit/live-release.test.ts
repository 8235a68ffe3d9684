import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readLiveRelease } from '../../src/actions/steps/live-release.js';
import { MemoryReleaseStorage } from '../../src/adapters/memory-release-storage.js';
import { ChartctlError, isChartctlError } from '../../src/core/errors.js';
import type { Helm, HelmResult } from '../../src/adapters/helm.js';

const METADATA = JSON.stringify({ name: 'web', chart: 'web', version: '1.2.3', namespace: 'shop', revision: 4 });
const CHART = { metadata: { apiVersion: 'v2', name: 'web', version: '1.2.3' }, templates: [{ name: 'templates/a.yaml', data: Buffer.from('a: 1\n').toString('base64') }], values: {} };

/** helm answering get metadata / get values as for a release `web` at revision 4 in `shop`. */
function fakeHelm(calls: string[][]): Helm {
  return {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 1, patch: 0, text: 'v4.1.0' }) as never,
    run: async (args: string[]): Promise<HelmResult> => {
      calls.push(args);
      if (args[1] === 'metadata') return { stdout: METADATA, stderr: '', exitCode: 0 };
      return { stdout: 'replicas: 3\n', stderr: '', exitCode: 0 };
    },
  };
}

const refusedWith = (code: string, message: RegExp) => (err: unknown) => isChartctlError(err) && err.code === code && message.test(err.message);

test('live release: the chart comes from the Secret of the revision helm reports, in the namespace helm reports', async () => {
  const calls: string[][] = [];
  const storage = new MemoryReleaseStorage().put('web', 'shop', 4, { kind: 'found', record: { chart: CHART } });
  const contexts: (string | undefined)[] = [];
  const live = await readLiveRelease({ env: { HELM_KUBECONTEXT: 'prod' }, helm: () => fakeHelm(calls), releaseStorage: (c) => (contexts.push(c), storage) }, 'web', undefined, undefined);
  assert.deepEqual(storage.reads, ['shop/web/4']);
  assert.deepEqual(contexts, ['prod'], 'the context helm uses (HELM_KUBECONTEXT) when none is named');
  assert.deepEqual(live.releaseChart.files.map((f) => f.path), ['Chart.yaml', 'templates/a.yaml']);
  assert.equal(live.values, 'replicas: 3\n');
});

test('live release: a release helm keeps in SQL or ConfigMaps is refused, naming what helm found; no Secret for the revision is refused', async () => {
  for (const driver of ['sql', 'configmap', 'memory']) {
    const storage = new MemoryReleaseStorage();
    await assert.rejects(
      readLiveRelease({ env: { HELM_DRIVER: driver }, helm: () => fakeHelm([]), releaseStorage: () => storage }, 'web', 'shop', undefined),
      refusedWith('INIT_RELEASE_STORAGE', new RegExp(`^helm found release web revision 4 in namespace shop in its ${driver} storage \\(HELM_DRIVER=${driver}\\)`)),
    );
    assert.deepEqual(storage.reads, [], 'nothing read from the cluster');
  }
  await assert.rejects(
    readLiveRelease({ env: {}, helm: () => fakeHelm([]), releaseStorage: () => new MemoryReleaseStorage(undefined, 'prod') }, 'web', 'shop', undefined),
    refusedWith('INIT_RELEASE_STORAGE', /but context prod has no Secret shop\/sh\.helm\.release\.v1\.web\.v4 to read its chart from/),
  );
});

test('live release: no kubeconfig is refused before helm is asked', async () => {
  const calls: string[][] = [];
  const noKubeconfig = () => {
    throw new ChartctlError('No kubeconfig found (/nowhere).', { code: 'NO_KUBECONFIG' });
  };
  await assert.rejects(readLiveRelease({ env: {}, helm: () => fakeHelm(calls), releaseStorage: noKubeconfig }, 'web', 'shop', undefined), refusedWith('INIT_NO_CLUSTER', /needs the cluster the release runs in: No kubeconfig found/));
  assert.deepEqual(calls, []);
});
