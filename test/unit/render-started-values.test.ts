import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEnvironment } from '../../src/actions/steps/render.js';
import { startValues, type ConfigSource } from '../../src/actions/steps/values.js';
import type { Environment } from '../../src/core/environment.js';
import type { Helm, HelmRunOptions } from '../../src/adapters/helm.js';
import type { SecretsReader } from '../../src/adapters/secrets-reader.js';
import { ChartctlError } from '../../src/core/errors.js';
import { fakeDeps } from '../support/fake-deps.js';
import { waitFor } from '../support/wait-for.js';

const env = { name: 'staging', release: 'shop', namespace: 'shop-staging', kubeVersion: '1.33', file: 'environments/staging.yaml', values: [], secrets: [], valuesEnv: [] } as unknown as Environment;
const encoder = new TextEncoder();
const carried: ConfigSource = {
  kind: 'artifact',
  config: { values: ['environments/values/staging.yaml'], secrets: ['environments/secrets/staging.yaml'] },
  files: new Map([
    ['environments/values/staging.yaml', encoder.encode('api:\n  replicaCount: 2\n')],
    ['environments/secrets/staging.yaml', encoder.encode('database:\n  password: ENC[sops]\n')],
  ]),
  carriedBy: 'shop 1.0.1',
};

/** A helm that records each call and answers once it has read its stdin (as helm template does, after its own start-up). */
function recordingHelm() {
  const calls: { args: string[]; stdinPendingAtStart: boolean; stdin?: string }[] = [];
  const helm: Helm = {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 0, patch: 0, text: 'v4.0.0' }),
    async run(args: string[], options: HelmRunOptions = {}) {
      const call: (typeof calls)[number] = { args, stdinPendingAtStart: typeof options.stdin === 'object' };
      calls.push(call);
      call.stdin = await options.stdin;
      return { stdout: '# Source: shop/templates/secret.yaml\nkind: Secret\n', stderr: '', exitCode: 0 };
    },
  };
  return { helm, calls };
}

test('render with started values: helm starts before the secrets are decrypted, and reads them on stdin', async () => {
  const { helm, calls } = recordingHelm();
  const secrets = {
    // Decrypting finishes only after helm was started: a render that waited for the secrets first would hang here.
    async decryptFile() {
      await waitFor(() => calls.length > 0, 'helm template to start while the secrets are decrypted');
      return { database: { password: 's3cret' } };
    },
  } as unknown as SecretsReader;
  const deps = fakeDeps({ secrets, helm: () => helm });
  const values = await startValues(deps, env, {}, carried);
  try {
    const rendered = await renderEnvironment(deps, env, { chartOverride: '/tmp/chart.tgz', values });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.stdinPendingAtStart, true);
    assert.deepEqual(calls[0]!.args.slice(-2), ['--values', '-']);
    assert.match(calls[0]!.stdin ?? '', /password: s3cret/);
    assert.deepEqual(rendered.values.layers.map((l) => l.kind), ['environment', 'secrets']);
    assert.equal(deps.masker.mask('s3cret'), '***', 'the decrypted value is masked');
  } finally {
    await values.release();
  }
});

test('render with started values: a failed decryption is the error, not the helm it stopped', async () => {
  const helm: Helm = {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 0, patch: 0, text: 'v4.0.0' }),
    async run(_args: string[], options: HelmRunOptions = {}) {
      // The real runner stops helm when its stdin cannot be made; helm then fails on its own terms.
      await Promise.resolve(options.stdin).catch(() => undefined);
      throw new Error('helm template was stopped');
    },
  };
  const secrets = {
    decryptFile: async () => {
      throw new ChartctlError('environments/secrets/staging.yaml: no key could decrypt the data key.', { code: 'SOPS_NO_KEY' });
    },
  } as unknown as SecretsReader;
  const deps = fakeDeps({ secrets, helm: () => helm });
  const values = await startValues(deps, env, {}, carried);
  try {
    await assert.rejects(renderEnvironment(deps, env, { chartOverride: '/tmp/chart.tgz', values }), (err: unknown) => err instanceof ChartctlError && err.code === 'SOPS_NO_KEY');
  } finally {
    await values.release();
  }
});
