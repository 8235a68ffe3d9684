import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

// .hbs values read only the variables the environment file allows, never a credential, and what they read is masked.
let app: ReturnType<typeof copyExampleApp>;
let envFile: string;
let original: string;
before(() => {
  app = copyExampleApp();
  envFile = join(app.dir, 'environments', 'dev.yaml');
  original = readFileSync(envFile, 'utf8');
});
after(() => app.remove());

/** dev with one more values file, environments/values/ci.yaml.hbs, and the given valuesEnv. */
function withTemplate(hbs: string, valuesEnv: string | undefined): void {
  const listed = original.replace('- environments/values/dev.yaml', '- environments/values/dev.yaml\n  - environments/values/ci.yaml.hbs');
  writeFileSync(envFile, valuesEnv === undefined ? listed : `${listed}valuesEnv: ${valuesEnv}\n`);
  writeFileSync(join(app.dir, 'environments', 'values', 'ci.yaml.hbs'), hbs);
}

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzebraQUOKKA';
const cli = (args: string[], env: Record<string, string>) => runCli(args, { cwd: app.dir, env });

test('an .hbs values file reading AWS_SECRET_ACCESS_KEY is refused, even when valuesEnv allows AWS_*; the value is never printed', async () => {
  withTemplate('api:\n  image:\n    tag: "{{ env "AWS_SECRET_ACCESS_KEY" }}"\n', '[API_TAG, AWS_*]');
  for (const command of [['template', 'dev'], ['template', 'dev', '--output', 'json'], ['lint', 'dev']]) {
    const r = await cli(command, { AWS_SECRET_ACCESS_KEY: AWS_SECRET });
    assert.equal(r.exitCode, 1, `${command.join(' ')}: ${r.stderr}`);
    assert.match(`${r.stdout}${r.stderr}`, /environments\/values\/ci\.yaml\.hbs: refusing to read the environment variable AWS_SECRET_ACCESS_KEY into values/, command.join(' '));
    assert.ok(!`${r.stdout}${r.stderr}`.includes(AWS_SECRET), `${command.join(' ')}: the secret's value was printed`);
  }
});

test('naming a credential in valuesEnv is refused when the environment file is loaded, with file:line:col', async () => {
  withTemplate('api:\n  image:\n    tag: "{{ env "API_TAG" }}"\n', '[API_TAG, AWS_SECRET_ACCESS_KEY]');
  const r = await cli(['template', 'dev'], { API_TAG: '1.2.3', AWS_SECRET_ACCESS_KEY: AWS_SECRET });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /environments\/dev\.yaml:\d+:22: "valuesEnv\.1": AWS_SECRET_ACCESS_KEY is refused: its name contains SECRET/);
  assert.ok(!r.stderr.includes(AWS_SECRET));
});

test('a variable missing from valuesEnv is refused, with the line to add', async () => {
  withTemplate('api:\n  image:\n    tag: "{{ env "API_TAG" }}"\n', undefined);
  const r = await cli(['template', 'dev'], { API_TAG: '1.2.3' });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /ci\.yaml\.hbs: the environment variable API_TAG is not allowed in values: it is not listed under "valuesEnv" in environments\/dev\.yaml/);
  assert.match(r.stderr, /hint: Allow it in environments\/dev\.yaml: valuesEnv: \[API_TAG\]/);
});

test('a variable valuesEnv allows renders, and its value is masked in diagnostics', async () => {
  const env = { API_TAG: '2.0.0-rc.1', BUILD_LABEL: 'pipeline-zebra-4711' };
  withTemplate('api:\n  image:\n    tag: "{{ env "API_TAG" }}"\n', '[API_TAG, BUILD_*]');
  const rendered = await cli(['template', 'dev'], env);
  assert.equal(rendered.exitCode, 0, rendered.stderr);
  assert.match(rendered.stdout, /shop-api:2\.0\.0-rc\.1/);
  // The chart's values schema refuses the unknown key and helm quotes it: masked, as a decrypted secret would be.
  withTemplate('database:\n  "{{ env "BUILD_LABEL" }}": x\n', '[API_TAG, BUILD_*]');
  const refused = await cli(['template', 'dev'], env);
  assert.equal(refused.exitCode, 1, refused.stderr);
  assert.match(refused.stderr, /additional properties '\*\*\*' not allowed/);
  assert.ok(!`${refused.stdout}${refused.stderr}`.includes(env.BUILD_LABEL), 'the value read from the environment was printed');
});
