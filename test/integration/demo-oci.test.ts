import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { projectRoot } from '../support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON } from '../support/oci-registry.js';

test('npm run demo -- --oci: the whole lifecycle on OCI repositories (local distribution registry)', { skip: hasRegistry ? false : REGISTRY_SKIP_REASON }, async () => {
  const r = await execa(process.execPath, [join(projectRoot, 'scripts', 'demo.mjs'), '--oci'], { cwd: projectRoot, reject: false, timeout: 240_000, env: { NO_COLOR: '1' } });
  assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /\(OCI repositories\)/);
  assert.match(r.stdout, /promote dev → staging [^ ]+ {2}blob mount, same sha256/);
  assert.match(r.stdout, /oci:\/\/127\.0\.0\.1:\d+\/prod by demo/);
  assert.match(r.stdout, /has sha256:[0-9a-f]{12} in all three repositories \(identical bytes\)/);
});
