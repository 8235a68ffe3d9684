import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';

const envWith = (repository: string) => `chart: charts/shop\nrelease: shop\nnamespace: shop-dev\nkubeVersion: "1.33"\nrepository:\n${repository}`;

function refusal(text: string): string {
  try {
    parseEnvironment('dev', 'environments/dev.yaml', text);
  } catch (err) {
    assert.ok(err instanceof ChartctlError);
    assert.equal(err.code, 'ENV_INVALID');
    return err.message;
  }
  assert.fail('expected the environment to be refused');
}

test('oci:// repositories parse into registry and path (host lower-cased, slashes trimmed)', () => {
  const env = parseEnvironment('dev', 'environments/dev.yaml', envWith('  url: oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/team/\n'));
  assert.deepEqual(env.repository, {
    kind: 'oci',
    url: 'oci://123456789012.dkr.ecr.eu-west-1.amazonaws.com/charts/team',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    path: 'charts/team',
    plainHttp: false,
    insecure: false,
  });
  const local = parseEnvironment('dev', 'environments/dev.yaml', envWith('  url: oci://127.0.0.1:5000/charts\n  plainHttp: true\n'));
  assert.equal(local.repository.kind, 'oci');
  assert.equal(local.repository.kind === 'oci' && local.repository.plainHttp, true);
});

test('plainHttp to a host off this machine is refused at its key unless insecure: true says so', () => {
  const message = refusal(envWith('  url: oci://registry.example.com/charts\n  plainHttp: true\n'));
  assert.match(message, /environments\/dev\.yaml:7:3: "repository\.plainHttp": plain HTTP to registry\.example\.com/);
  const env = parseEnvironment('dev', 'environments/dev.yaml', envWith('  url: oci://registry.example.com/charts\n  plainHttp: true\n  insecure: true\n'));
  assert.equal(env.repository.kind === 'oci' && env.repository.insecure, true);
  for (const host of ['localhost:5000', '127.0.0.1:5000', 'registry.localhost']) {
    assert.doesNotThrow(() => parseEnvironment('dev', 'f', envWith(`  url: oci://${host}/charts\n  plainHttp: true\n`)), host);
  }
});

test('keys of the other repository kind are refused with file:line:col', () => {
  assert.match(refusal(envWith('  url: oci://ghcr.io/acme\n  endpoint: http://127.0.0.1:9000\n')), /dev\.yaml:7:3: "repository\.endpoint": applies to s3:\/\/ repositories only/);
  assert.match(refusal(envWith('  url: s3://acme-charts/dev\n  plainHttp: true\n')), /dev\.yaml:7:3: "repository\.plainHttp": applies to oci:\/\/ repositories only/);
});

test('malformed oci:// urls say what was expected', () => {
  for (const url of ['oci://', 'oci://host/Upper', 'oci://host//double', 'oci://host:99999999/x', 'http://host/x']) {
    assert.match(refusal(envWith(`  url: "${url}"\n`)), /"repository\.url" does not look right: expected s3:\/\/bucket\/prefix or oci:\/\/host\[:port\]\/path/, url);
  }
});
