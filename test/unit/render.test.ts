import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import type { Helm, HelmRunOptions } from '../../src/adapters/helm.js';
import type { SecretsReader } from '../../src/adapters/secrets-reader.js';
import { FakeDataKeyService } from '../../src/adapters/sops-keys/fake-keys.js';
import { renderEnvironment } from '../../src/actions/steps/render.js';
import { fakeDeps } from '../support/fake-deps.js';
import { copyExampleApp } from '../support/project.js';

/** The example application with prod rendering charts/api (no dependencies to build), and a helm and a secrets reader that log what happens when. */
function setUp(decrypt: () => Promise<Record<string, unknown>>, chart = 'charts/api') {
  const app = copyExampleApp();
  const envFile = join(app.dir, 'environments', 'prod.yaml');
  writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('chart: charts/shop', `chart: ${chart}`));
  const events: string[] = [];
  const calls: { args: string[]; stdin?: string }[] = [];
  const helm: Helm = {
    binary: 'helm',
    version: async () => ({ major: 4, minor: 0, patch: 0, text: 'v4.0.0' }),
    run: async (args: string[], options: HelmRunOptions = {}) => {
      if (args[0] === 'dependency') {
        events.push('dependency build failed');
        throw new Error('helm dependency build failed');
      }
      events.push('helm started');
      const call: { args: string[]; stdin?: string } = { args };
      calls.push(call);
      try {
        call.stdin = await options.stdin;
      } catch {
        // What process-runner does when the stdin promise rejects: helm is stopped.
        events.push('helm stopped');
        throw new Error('helm was stopped');
      }
      events.push('helm read its stdin');
      return { stdout: '---\n# Source: api/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n', stderr: '', exitCode: 0 };
    },
  };
  const secrets: SecretsReader = {
    keys: new FakeDataKeyService(),
    decryptFile: async () => {
      // Decryption takes a while (the age unwrap, the values): helm may start meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      const values = await decrypt();
      events.push('secrets decrypted');
      return values;
    },
  };
  const deps = fakeDeps({ repo: new AppRepo(app.dir), helm: () => helm, secrets });
  return { app, deps, events, calls };
}

test('helm template starts before the secrets are decrypted, and reads them from stdin once they are', async () => {
  const { app, deps, events, calls } = setUp(async () => ({ database: { password: 's3cret' } }));
  try {
    const env = await deps.repo.loadEnvironment('prod');
    const rendered = await renderEnvironment(deps, env);
    assert.deepEqual(events, ['helm started', 'secrets decrypted', 'helm read its stdin']);
    assert.equal(calls.length, 1);
    const args = calls[0]!.args;
    // The environment's values files by path, then the secrets on stdin: the order helm layers them in.
    const values = args.flatMap((a, i) => (a === '--values' ? [args[i + 1]!] : []));
    assert.deepEqual(values, [...env.values.map((f) => deps.repo.path(f)), '-']);
    assert.equal(calls[0]!.stdin, 'database:\n  password: s3cret\n');
    assert.match(rendered.manifest, /kind: ConfigMap/);
  } finally {
    app.remove();
  }
});

test('when the secrets cannot be decrypted, the helm already started is stopped and the decryption error is the one reported', async () => {
  const failure = new Error('no identity matched');
  const { app, deps, events, calls } = setUp(async () => {
    throw failure;
  });
  try {
    const env = await deps.repo.loadEnvironment('prod');
    await assert.rejects(renderEnvironment(deps, env), (err) => err === failure);
    // Stopped before the failure was reported, not left behind.
    assert.deepEqual(events, ['helm started', 'helm stopped']);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.stdin, undefined);
  } finally {
    app.remove();
  }
});

test("when the chart's dependencies cannot be built (checked meanwhile), that is the error reported, and the helm started is stopped", async () => {
  // charts/shop needs charts/api and charts/web built into its charts/ (not copied): helm dependency build runs, and fails here.
  const { app, deps, events } = setUp(async () => ({ database: { password: 's3cret' } }), 'charts/shop');
  try {
    const env = await deps.repo.loadEnvironment('prod');
    await assert.rejects(renderEnvironment(deps, env), /helm dependency build failed/);
    assert.ok(events.includes('dependency build failed'), events.join(', '));
    // The helm started is stopped, never reading its stdin (the secrets may finish decrypting after the stop: they are released unused).
    assert.deepEqual(events.filter((e) => e.startsWith('helm ')), ['helm started', 'helm stopped'], events.join(', '));
  } finally {
    app.remove();
  }
});
