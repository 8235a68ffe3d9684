import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChartctlError } from '../../src/core/errors.js';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { credentialReason, deniedValuesEnvEntry, isAllowedByValuesEnv } from '../../src/core/values-env-policy.js';
import { renderValuesTemplate } from '../../src/core/values-template.js';

const policy = (allowed: string[]) => ({ allowed, environmentFile: 'environments/dev.yaml' });
const isError = (code: string, ...patterns: RegExp[]) => (err: unknown) => err instanceof ChartctlError && err.code === code && patterns.every((p) => p.test(err.message));

test('credential-shaped names are recognised; ordinary ones are not', () => {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID', 'GITHUB_TOKEN', 'CI_JOB_TOKEN', 'DB_PASSWORD', 'db_password', 'DB_PASS', 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'AZURE_CLIENT_SECRET', 'GOOGLE_APPLICATION_CREDENTIALS', 'NPM_AUTH', 'SSH_PRIVATE_KEY', 'STRIPE_APIKEY', 'DATABASE_DSN']) {
    assert.ok(credentialReason(name), `${name} is a credential`);
  }
  for (const name of ['IMAGE_TAG', 'API_TAG', 'BUILD_NUMBER', 'HOST', 'REPLICAS', 'AWS_REGION', 'KEYBOARD_LAYOUT', 'PASSTHROUGH_MODE', 'GIT_COMMIT']) {
    assert.equal(credentialReason(name), undefined, `${name} is no credential`);
  }
});

test('valuesEnv allows exact names and PREFIX* entries, nothing else', () => {
  assert.ok(isAllowedByValuesEnv('IMAGE_TAG', ['IMAGE_TAG']));
  assert.ok(isAllowedByValuesEnv('BUILD_NUMBER', ['BUILD_*']));
  assert.ok(!isAllowedByValuesEnv('IMAGE_TAG_2', ['IMAGE_TAG']));
  assert.ok(!isAllowedByValuesEnv('REBUILD_X', ['BUILD_*']));
  assert.ok(!isAllowedByValuesEnv('HOME', []));
});

test('.hbs values: a variable not in valuesEnv is refused, named with the environment file', () => {
  assert.throws(
    () => renderValuesTemplate('host: {{ env "HOME" }}\n', 'environments/values/ci.yaml.hbs', { HOME: '/root' }, policy(['IMAGE_TAG'])),
    isError('VALUES_ENV_NOT_ALLOWED', /environments\/values\/ci\.yaml\.hbs/, /HOME/, /"valuesEnv" in environments\/dev\.yaml/),
  );
});

test('.hbs values: a credential is refused even when valuesEnv allows it, and its value is never in the message', () => {
  const value = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  for (const allowed of [['AWS_SECRET_ACCESS_KEY'], ['AWS_*']]) {
    assert.throws(
      () => renderValuesTemplate('key: {{ env "AWS_SECRET_ACCESS_KEY" }}\n', 'environments/values/ci.yaml.hbs', { AWS_SECRET_ACCESS_KEY: value }, policy(allowed)),
      (err: unknown) =>
        isError('VALUES_ENV_DENIED', /ci\.yaml\.hbs/, /AWS_SECRET_ACCESS_KEY/)(err) && !(err as ChartctlError).message.includes(value) && !((err as ChartctlError).hint ?? '').includes(value),
    );
  }
  // Refused whether or not it is set: the rule is on names, so a file fails the same way on every machine.
  assert.throws(() => renderValuesTemplate('t: {{ requiredEnv "GITHUB_TOKEN" }}\n', 'f.hbs', {}, policy(['GITHUB_TOKEN'])), isError('VALUES_ENV_DENIED', /GITHUB_TOKEN/));
});

test('.hbs values: allowed variables render and their values are returned for masking', () => {
  const rendered = renderValuesTemplate('tag: "{{ env "IMAGE_TAG" }}"\nn: "{{ env "BUILD_NUMBER" }}"\n', 'f.hbs', { IMAGE_TAG: '1.2.3', BUILD_NUMBER: '417' }, policy(['IMAGE_TAG', 'BUILD_*']));
  assert.equal(rendered.text, 'tag: "1.2.3"\nn: "417"\n');
  assert.deepEqual(rendered.readFromEnv, ['1.2.3', '417']);
});

const environmentText = (valuesEnv: string) => `chart: charts/shop
release: shop
namespace: shop-dev
kubeVersion: "1.33"
repository:
  url: s3://charts/dev
valuesEnv: ${valuesEnv}
`;

test('environment file: valuesEnv entries are validated with file:line:col', () => {
  assert.deepEqual(parseEnvironment('dev', 'environments/dev.yaml', environmentText('[IMAGE_TAG, BUILD_*]')).valuesEnv, ['IMAGE_TAG', 'BUILD_*']);
  assert.deepEqual(parseEnvironment('dev', 'environments/dev.yaml', environmentText('[]')).valuesEnv, []);
  assert.throws(() => parseEnvironment('dev', 'environments/dev.yaml', environmentText('[IMAGE_TAG, "*"]')), isError('ENV_INVALID', /environments\/dev\.yaml:7:24: "valuesEnv\.1" does not look right: expected an environment variable name, or a prefix ending in \*/));
  assert.throws(
    () => parseEnvironment('dev', 'environments/dev.yaml', environmentText('[IMAGE_TAG, AWS_SECRET_ACCESS_KEY, SOPS_*]')),
    isError('ENV_INVALID', /environments\/dev\.yaml:7:24: "valuesEnv\.1": AWS_SECRET_ACCESS_KEY is refused: its name contains SECRET/, /environments\/dev\.yaml:7:47: "valuesEnv\.2": SOPS_\* is refused/),
  );
  assert.equal(deniedValuesEnvEntry('AWS_*'), undefined, 'a prefix with ordinary matches is allowed; its credentials are refused when read');
});
