/**
 * The environments' configuration a package carries (values files, secrets files still encrypted) is read all
 * at once; what is reported when one is missing or outside the repository stays the first problem in the
 * environments' order (dev, prod, staging), as when the files were read one by one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import { HelmCli } from '../../src/adapters/helm.js';
import type { Git } from '../../src/adapters/git.js';
import { buildPackage } from '../../src/actions/steps/package-chart.js';
import { isChartctlError } from '../../src/core/errors.js';
import { gunzipChunks } from '../../src/core/deterministic-gzip.js';
import { readTar } from '../../src/core/tar-archive.js';
import { copyExampleApp, helmBinaries } from '../support/project.js';
import { fakeDeps } from '../support/fake-deps.js';

const notAWorkTree: Git = {
  revision: async () => undefined,
  history: async () => undefined,
  actor: async () => undefined,
  commit: async () => Promise.reject(new Error('package commits nothing')),
};

test('package carries every configuration file; the first missing or outside file in the environments\' order is the one reported', async (t) => {
  const app = copyExampleApp();
  t.after(app.remove);
  const deps = fakeDeps({
    repo: new AppRepo(app.dir),
    git: notAWorkTree,
    env: { PATH: process.env.PATH },
    helm: () => new HelmCli(helmBinaries.helm4, { reporter: deps.reporter, mask: (s) => s, env: { PATH: process.env.PATH, HOME: app.dir } }),
  });
  const file = (rel: string) => join(app.dir, rel);
  const edit = (rel: string, from: string, to: string) => writeFileSync(file(rel), readFileSync(file(rel), 'utf8').replace(from, to));
  const refusal = async () => {
    const err = await buildPackage(deps, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isChartctlError(err), `package fails with a ChartctlError: ${String(err)}`);
    return { code: err.code, message: err.message };
  };

  const built = await buildPackage(deps, {});
  const tar: Uint8Array[] = [];
  assert.equal(gunzipChunks(built.bytes, (c) => (tar.push(c.slice()), true)), 'complete');
  const members = readTar(Buffer.concat(tar));
  for (const rel of ['environments/values/common.yaml', 'environments/values/dev.yaml', 'environments/values/prod.yaml', 'environments/values/staging.yaml', 'environments/secrets/dev.yaml', 'environments/secrets/prod.yaml', 'environments/secrets/staging.yaml']) {
    const carried = members.find((m) => m.path.startsWith('shop/.chartctl/') && m.path.endsWith(rel));
    assert.ok(carried, `${rel} travels with the package`);
    assert.deepEqual(Buffer.from(carried.data), readFileSync(file(rel)), `${rel}: the bytes in the working tree`);
  }

  // dev's values file is missing, prod names a file outside the repository: dev comes first.
  const devValues = readFileSync(file('environments/values/dev.yaml'));
  rmSync(file('environments/values/dev.yaml'));
  edit('environments/prod.yaml', '  - environments/secrets/prod.yaml', '  - ../outside/prod.yaml');
  let got = await refusal();
  assert.equal(got.code, 'VALUES_FILE_MISSING', got.message);
  assert.match(got.message, /environments\/values\/dev\.yaml/);

  writeFileSync(file('environments/values/dev.yaml'), devValues);
  got = await refusal();
  assert.equal(got.code, 'CONFIG_OUTSIDE_REPOSITORY', got.message);
  assert.match(got.message, /prod\.yaml: "\.\.\/outside\/prod\.yaml"/);

  // Outside in dev, missing in staging: dev's problem is reported.
  edit('environments/prod.yaml', '  - ../outside/prod.yaml', '  - environments/secrets/prod.yaml');
  edit('environments/dev.yaml', '  - environments/values/dev.yaml', '  - /etc/dev.yaml');
  rmSync(file('environments/secrets/staging.yaml'));
  got = await refusal();
  assert.equal(got.code, 'CONFIG_OUTSIDE_REPOSITORY', got.message);
  assert.match(got.message, /dev\.yaml: "\/etc\/dev\.yaml"/);

  edit('environments/dev.yaml', '  - /etc/dev.yaml', '  - environments/values/dev.yaml');
  got = await refusal();
  assert.equal(got.code, 'SECRETS_FILE_MISSING', got.message);
  assert.match(got.message, /environments\/secrets\/staging\.yaml/);
});
