import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../support/project.js';
import { demoAgeKeyFile } from '../support/secrets.js';

test('decrypting a secrets values file in sops layout does not load the yaml package (the full parser is for files the fast reader declines)', () => {
  // A fresh process: this one may have loaded the package for other tests.
  const reader = pathToFileURL(join(projectRoot, 'dist', 'src', 'adapters', 'secrets-factory.js')).href;
  const file = join(projectRoot, 'environments', 'secrets', 'prod.yaml');
  const script = `import { createRequire } from 'node:module';
    const { createSecretsReader } = await import(${JSON.stringify(reader)});
    const values = await createSecretsReader(process.env).decryptFile(${JSON.stringify(file)}, 'prod.yaml');
    const yamlFiles = Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('/node_modules/yaml/'));
    console.log(JSON.stringify({ keys: Object.keys(values), yamlFiles: yamlFiles.length }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, SOPS_AGE_KEY_FILE: demoAgeKeyFile, HOME: '/nonexistent' } });
  assert.deepEqual(JSON.parse(out), { keys: ['database'], yamlFiles: 0 });
});
