/**
 * lint of many environments in one process: every helm child in flight at once listens to the
 * interruption signal, which is no leak and must not print Node's MaxListenersExceededWarning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';

test('lint of 12 environments, all helm calls in flight together: every environment linted, no listener-leak warning', async () => {
  const app = copyExampleApp();
  try {
    const dev = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8');
    const names = Array.from({ length: 12 }, (_, i) => `e${String(i + 1).padStart(2, '0')}`);
    for (const n of names) writeFileSync(join(app.dir, 'environments', `${n}.yaml`), dev.replace('namespace: shop-dev', `namespace: shop-${n}`));
    for (const n of ['dev', 'staging', 'prod']) rmSync(join(app.dir, 'environments', `${n}.yaml`));
    // helm that holds on before its work, so all 24 lint and template calls overlap whatever the machine's speed.
    const slowHelm = join(app.dir, 'slow-helm.sh');
    writeFileSync(slowHelm, `#!/bin/sh\ncase "$1" in lint|template) sleep 1 ;; esac\nexec '${helmBinaries.helm4}' "$@"\n`);
    chmodSync(slowHelm, 0o755);
    const r = await runCli(['lint', '--output', 'json'], { cwd: app.dir, env: { CHARTCTL_HELM: slowHelm, CHARTCTL_SCHEMA_LOCATION: join(app.dir, 'no-schemas') } });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).environments.map((e: { env: string }) => e.env), names);
    assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning|memory leak/);
  } finally {
    app.remove();
  }
});
