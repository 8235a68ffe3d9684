import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import type { Helm, HelmRunOptions } from '../../src/adapters/helm.js';
import type { SecretsReader } from '../../src/adapters/secrets-reader.js';
import { FakeDataKeyService } from '../../src/adapters/sops-keys/fake-keys.js';
import { lint } from '../../src/actions/lint.js';
import { ChartctlError } from '../../src/core/errors.js';
import { fakeDeps } from '../support/fake-deps.js';
import { copyExampleApp } from '../support/project.js';
import { waitFor } from '../support/wait-for.js';

/** The example's prod on charts/api (no dependencies to build), a helm that answers once it has read its stdin, and the given secrets reader. */
function setUp(decrypt: (calls: { verb: string }[]) => Promise<Record<string, unknown>>) {
  const app = copyExampleApp();
  const envFile = join(app.dir, 'environments', 'prod.yaml');
  writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('chart: charts/shop', 'chart: charts/api'));
  const calls: { verb: string; stdinPendingAtStart: boolean; stdin?: string }[] = [];
  const helm: Helm = {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 0, patch: 0, text: 'v4.0.0' }),
    run: async (args: string[], options: HelmRunOptions = {}) => {
      const call: (typeof calls)[number] = { verb: args[0]!, stdinPendingAtStart: typeof options.stdin === 'object' };
      calls.push(call);
      // What process-runner does when the stdin promise rejects: helm is stopped.
      call.stdin = await Promise.resolve(options.stdin).catch(() => Promise.reject(new Error(`helm ${call.verb} was stopped`)));
      const stdout = args[0] === 'lint' ? '==> Linting charts/api\n\n1 chart(s) linted, 0 chart(s) failed\n' : '---\n# Source: api/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n';
      return { stdout, stderr: '', exitCode: 0 };
    },
  };
  const secrets: SecretsReader = { keys: new FakeDataKeyService(), decryptFile: () => decrypt(calls) };
  const deps = fakeDeps({ repo: new AppRepo(app.dir), helm: () => helm, secrets, env: { CHARTCTL_SCHEMA_LOCATION: join(app.dir, 'no-schemas') } });
  return { app, deps, calls };
}

test('lint starts helm lint and helm template before the secrets are decrypted; both read them on stdin', async () => {
  const { app, deps, calls } = setUp(async (seen) => {
    // Decrypting finishes only once both helm calls started: a lint that waited for the secrets first fails here.
    await waitFor(() => seen.length === 2, 'helm lint and helm template to start while the secrets are decrypted', 5_000);
    return { database: { password: 's3cret' } };
  });
  try {
    const result = await lint(deps, { envs: ['prod'] });
    const [prod] = result.environments;
    assert.deepEqual(prod!.findings.filter((f) => f.check === 'environment'), []);
    assert.deepEqual(calls.map((c) => c.verb).sort(), ['lint', 'template']);
    for (const call of calls) {
      assert.equal(call.stdinPendingAtStart, true, `helm ${call.verb} started before its stdin was ready`);
      assert.equal(call.stdin, 'database:\n  password: s3cret\n');
    }
    assert.equal(prod!.resources, 1);
  } finally {
    app.remove();
  }
});

test('lint: secrets that cannot be decrypted are the environment\'s one error, not the helm calls stopped for it', async () => {
  const { app, deps, calls } = setUp(async () => {
    throw new ChartctlError('environments/secrets/prod.yaml: no key could decrypt the data key.', { code: 'SOPS_NO_KEY', hint: 'Check SOPS_AGE_KEY_FILE.' });
  });
  try {
    const result = await lint(deps, { envs: ['prod'] });
    assert.equal(result.ok, false);
    assert.deepEqual(result.environments[0]!.findings, [
      { severity: 'error', check: 'environment', env: 'prod', message: 'environments/secrets/prod.yaml: no key could decrypt the data key. (Check SOPS_AGE_KEY_FILE.)' },
    ]);
    assert.ok(calls.length <= 2);
  } finally {
    app.remove();
  }
});

test('lint: environments that share a secrets file have it decrypted once for the run', async () => {
  const decrypted: string[] = [];
  const { app, deps } = setUp(async () => {
    decrypted.push('prod');
    return { database: { password: 's3cret' } };
  });
  try {
    const prod = readFileSync(join(app.dir, 'environments', 'prod.yaml'), 'utf8');
    writeFileSync(join(app.dir, 'environments', 'prod-eu.yaml'), prod.replace(/namespace: (\S+)/, 'namespace: $1-eu'));
    const result = await lint(deps, { envs: ['prod', 'prod-eu'] });
    assert.deepEqual(result.environments.map((e) => [e.env, e.findings.filter((f) => f.check === 'environment')]), [['prod', []], ['prod-eu', []]]);
    assert.deepEqual(decrypted, ['prod']);
  } finally {
    app.remove();
  }
});
