import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactConfigFiles, artifactEnvironment, isSafeRelativePath, readArtifactConfig, ARTIFACT_MANIFEST, type ArtifactConfig } from '../../src/core/artifact-config.js';
import { decideDirtyTree } from '../../src/core/dirty-tree.js';
import { isChartctlError } from '../../src/core/errors.js';

const enc = new TextEncoder();
const config = (): ArtifactConfig => ({
  environments: {
    prod: { values: ['environments/values/common.yaml', 'environments/values/prod.yaml'], secrets: ['environments/secrets/prod.yaml'] },
    dev: { values: ['environments/values/common.yaml', 'environments/values/dev.yaml.hbs'], secrets: [] },
  },
  files: new Map([
    ['environments/values/prod.yaml', enc.encode('web: {replicas: 3}\n')],
    ['environments/values/common.yaml', enc.encode('web: {image: {tag: 1.0.0}}\n')],
    ['environments/values/dev.yaml.hbs', enc.encode('tag: {{ env "TAG" }}\n')],
    ['environments/secrets/prod.yaml', enc.encode('password: ENC[AES256_GCM,data:xyz]\n')],
  ]),
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isChartctlError(err) ? err.code : String(err);
  }
}

test('the configuration round-trips through the tarball files, in a fixed order whatever the input order', () => {
  const files = artifactConfigFiles(config());
  assert.deepEqual(
    files.map((f) => f.path),
    [ARTIFACT_MANIFEST, '.chartctl/files/environments/secrets/prod.yaml', '.chartctl/files/environments/values/common.yaml', '.chartctl/files/environments/values/dev.yaml.hbs', '.chartctl/files/environments/values/prod.yaml'],
  );
  // Nothing helm would load as a template, a subchart or the chart's values.
  assert.ok(files.every((f) => !f.path.startsWith('templates/') && !f.path.startsWith('charts/') && f.path !== 'values.yaml'));
  const back = readArtifactConfig(files, 'shop 1.0.0')!;
  assert.deepEqual(back.environments.prod, config().environments.prod);
  assert.equal(new TextDecoder().decode(back.files.get('environments/secrets/prod.yaml')), 'password: ENC[AES256_GCM,data:xyz]\n');
  const reversed = { ...config(), environments: { dev: config().environments.dev!, prod: config().environments.prod! } };
  assert.deepEqual(artifactConfigFiles(reversed), files);
});

test('a chart packaged by another tool carries no configuration', () => {
  assert.equal(readArtifactConfig([{ path: 'Chart.yaml', data: enc.encode('name: x\n') }], 'x 1.0.0'), undefined);
});

test('a tampered manifest is refused: unsafe paths, files it does not carry, bad shapes', () => {
  const files = artifactConfigFiles(config());
  const withManifest = (text: string) => [{ path: ARTIFACT_MANIFEST, data: enc.encode(text) }, ...files.slice(1)];
  assert.equal(code(() => readArtifactConfig(withManifest('{"environments":{"prod":{"values":["../../etc/passwd"],"secrets":[]}}}'), 'shop')), 'ARTIFACT_CONFIG_INVALID');
  assert.equal(code(() => readArtifactConfig(withManifest('{"environments":{"prod":{"values":["/etc/passwd"],"secrets":[]}}}'), 'shop')), 'ARTIFACT_CONFIG_INVALID');
  assert.equal(code(() => readArtifactConfig(withManifest('{"environments":{"prod":{"values":["environments/values/qa.yaml"],"secrets":[]}}}'), 'shop')), 'ARTIFACT_CONFIG_INVALID');
  assert.equal(code(() => readArtifactConfig(withManifest('{"environments":{"prod":{"values":"x"}}}'), 'shop')), 'ARTIFACT_CONFIG_INVALID');
  assert.equal(code(() => readArtifactConfig(withManifest('not json'), 'shop')), 'ARTIFACT_CONFIG_INVALID');
  assert.equal(isSafeRelativePath('environments/./x.yaml'), false);
  assert.equal(isSafeRelativePath('environments/values/x.yaml'), true);
});

test('an environment the version was not packaged for is refused, naming those it carries', () => {
  const back = readArtifactConfig(artifactConfigFiles(config()), 'shop 1.0.0')!;
  assert.equal(code(() => artifactEnvironment(back, 'qa', '1.0.0')), 'ARTIFACT_ENV_MISSING');
  assert.throws(() => artifactEnvironment(back, 'qa', '1.0.0'), /carries: dev, prod/);
});

test('dirty tree: refused when an environment requiring approval would run a dirty file, else a warning', () => {
  const reach = [
    { name: 'dev', requireApproval: false, reads: ['charts/shop', 'environments/values/dev.yaml'] },
    { name: 'prod', requireApproval: true, reads: ['charts/shop', 'environments/values/prod.yaml', 'environments/prod.yaml'] },
  ];
  assert.deepEqual(decideDirtyTree([], reach), { kind: 'clean' });
  assert.deepEqual(decideDirtyTree(['environments/values/dev.yaml'], reach), { kind: 'warn', files: ['environments/values/dev.yaml'] });
  assert.deepEqual(decideDirtyTree(['README.md', 'environments/values/prod.yaml'], reach), { kind: 'refuse', env: 'prod', files: ['environments/values/prod.yaml'] });
  assert.deepEqual(decideDirtyTree(['charts/shop/templates/web.yaml'], reach), { kind: 'refuse', env: 'prod', files: ['charts/shop/templates/web.yaml'] });
  // A prefix of a name is not a directory.
  assert.deepEqual(decideDirtyTree(['charts/shop-old/x.yaml'], reach).kind, 'warn');
});
