import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';
import { isOciRepository } from '../../src/core/environment.js';

const valid = `chart: charts/shop
release: shop
namespace: shop-prod
kubeContext: prod
kubeVersion: "1.33"
repository:
  url: s3://acme-charts/prod
  endpoint: http://127.0.0.1:9000
  forcePathStyle: true
values: [environments/values/common.yaml, environments/values/prod.yaml]
secrets: [environments/secrets/prod.yaml]
promotion: {from: staging, allowPrerelease: false, requireApproval: true}
deploy: {timeout: 5m, wait: true, tests: true, rollbackOnFailure: true, historyMax: 10}
`;

function expectError(text: string, pattern: RegExp) {
  assert.throws(
    () => parseEnvironment('prod', 'environments/prod.yaml', text),
    (err: unknown) => {
      assert.ok(err instanceof ChartctlError, 'a ChartctlError');
      assert.match(err.message, pattern);
      assert.ok(err.hint, 'has a hint');
      return true;
    },
  );
}

test('parses the documented environment file', () => {
  const env = parseEnvironment('prod', 'environments/prod.yaml', valid);
  assert.equal(env.chart, 'charts/shop');
  assert.equal(env.kubeVersion, '1.33');
  assert.deepEqual(env.repository, { url: 's3://acme-charts/prod', bucket: 'acme-charts', prefix: 'prod', endpoint: 'http://127.0.0.1:9000', region: undefined, forcePathStyle: true });
  assert.deepEqual(env.values, ['environments/values/common.yaml', 'environments/values/prod.yaml']);
  assert.equal(env.promotion.from, 'staging');
  assert.equal(env.promotion.allowPrerelease, false);
  assert.equal(env.deploy.historyMax, 10);
});

test('defaults for optional sections', () => {
  const env = parseEnvironment('dev', 'environments/dev.yaml', 'chart: c\nrelease: r\nnamespace: n\nkubeVersion: "1.30"\nrepository: {url: "s3://bucket-a"}\n');
  assert.equal(!isOciRepository(env.repository) && env.repository.prefix, '');
  assert.deepEqual(env.values, []);
  assert.equal(env.deploy.timeout, '5m');
  assert.equal(env.deploy.rollbackOnFailure, true);
  assert.equal(env.promotion.requireApproval, false);
});

test('unknown key is an error with file:line:col and the expected keys', () => {
  expectError(valid.replace('release: shop', 'release: shop\nreleaes: typo'), /environments\/prod\.yaml:3:1: unknown key "releaes" \(did you mean "release"\?\); expected one of: chart, release/);
});

test('unknown nested key names its full path and position', () => {
  expectError(valid.replace('  forcePathStyle: true', '  forcePathStyle: true\n  bucket: x'), /prod\.yaml:10:3: unknown key "repository\.bucket"/);
});

test('wrong type says what was expected, at the value position', () => {
  expectError(valid.replace('historyMax: 10', 'historyMax: ten'), /prod\.yaml:13:\d+: "deploy\.historyMax" must be an integer/);
});

test('missing required key is reported', () => {
  expectError(valid.replace('namespace: shop-prod\n', ''), /missing required key "namespace"/);
});

test('bad repository url explains the expected form', () => {
  expectError(valid.replace('s3://acme-charts/prod', 'https://acme-charts/prod'), /"repository\.url" does not look right: expected s3:\/\/bucket\/prefix/);
});

test('several problems are reported together', () => {
  assert.throws(
    () => parseEnvironment('prod', 'environments/prod.yaml', valid.replace('kubeVersion: "1.33"', 'kubeVersion: "latest"').replace('wait: true', 'wait: "yes"')),
    (err: unknown) => err instanceof ChartctlError && /kubeVersion/.test(err.message) && /deploy\.wait/.test(err.message),
  );
});

test('YAML syntax error names file:line:col', () => {
  expectError('chart: charts/shop\nrelease: [shop\nnamespace: x\n', /environments\/prod\.yaml:\d+:\d+: invalid YAML/);
});

test('a YAML list instead of a mapping is refused', () => {
  expectError('- chart: x\n', /must be a YAML mapping/);
});

test('an unknown key close to a known one says "did you mean", in nested maps too; a far one does not guess', () => {
  expectError(valid.replace('requireApproval: true', 'requireAproval: true'), /unknown key "promotion\.requireAproval" \(did you mean "requireApproval"\?\); expected one of: from, allowPrerelease/);
  expectError(valid.replace('namespace: shop-prod', 'namespace: shop-prod\nKubeContext: x'), /unknown key "KubeContext" \(did you mean "kubeContext"\?\)/);
  assert.throws(
    () => parseEnvironment('prod', 'environments/prod.yaml', valid.replace('release: shop', 'release: shop\nreplicas: 3')),
    (err: unknown) => err instanceof ChartctlError && /unknown key "replicas"; expected one of/.test(err.message) && !/did you mean/.test(err.message),
  );
});

test('kubeVersion: 1.33 unquoted (a YAML number) gets the hint to quote it', () => {
  expectError(valid.replace('kubeVersion: "1.33"', 'kubeVersion: 1.33'), /environments\/prod\.yaml:5:\d+: "kubeVersion" must be a string; 1\.33 is read as a number: quote it, kubeVersion: "1\.33"/);
});
