import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, layerValues, mergeValues } from '../../src/core/values.js';
import { renderValuesTemplate } from '../../src/core/values-template.js';
import { ChartctlError } from '../../src/core/errors.js';

/** The policy of an environment file that allows every variable these tests read. */
const allowAll = { allowed: ['TAG', 'HOST', 'REPLICAS', 'API_TAG', 'X'], environmentFile: 'environments/dev.yaml' };
const render = (text: string, file: string, env: NodeJS.ProcessEnv) => renderValuesTemplate(text, file, env, allowAll).text;

test('mergeValues merges maps deeply, replaces lists and scalars, keeps explicit null', () => {
  const base = { api: { replicaCount: 1, image: { repository: 'r', tag: 'a' }, args: ['x', 'y'] }, keep: true, drop: 'me' };
  const merged = mergeValues(base, { api: { image: { tag: 'b' }, args: ['z'] }, drop: null });
  assert.deepEqual(merged, { api: { replicaCount: 1, image: { repository: 'r', tag: 'b' }, args: ['z'] }, keep: true, drop: null });
  assert.equal(base.api.image.tag, 'a', 'inputs are not mutated');
});

test('layerValues applies environment files in order, then secrets, then command-line files', () => {
  const merged = layerValues([
    { source: 'cli.yaml', kind: 'command-line', values: { a: 'cli' } },
    { source: 'secrets.yaml', kind: 'secrets', values: { a: 'secret', b: 'secret', s: 1 } },
    { source: 'common.yaml', kind: 'environment', values: { a: 'common', b: 'common', c: 'common', d: 'common' } },
    { source: 'prod.yaml', kind: 'environment', values: { a: 'prod', b: 'prod', c: 'prod' } },
  ]);
  assert.deepEqual(merged, { a: 'cli', b: 'secret', c: 'prod', d: 'common', s: 1 });
});

test('getPath reads dotted paths and returns undefined for missing ones', () => {
  assert.equal(getPath({ api: { image: { tag: '1.2' } } }, 'api.image.tag'), '1.2');
  assert.equal(getPath({ api: {} }, 'api.image.tag'), undefined);
});

test('.hbs values: env, default and requiredEnv helpers', () => {
  const text = 'tag: {{ requiredEnv "TAG" }}\nhost: "{{ env "HOST" }}"\nreplicas: {{ default (env "REPLICAS") 2 }}\n';
  assert.equal(render(text, 'v.yaml.hbs', { TAG: '1.4.0', HOST: 'a.example' }), 'tag: 1.4.0\nhost: "a.example"\nreplicas: 2\n');
  assert.equal(render(text, 'v.yaml.hbs', { TAG: 'x', REPLICAS: '5' }), 'tag: x\nhost: ""\nreplicas: 5\n');
});

test('.hbs values: requiredEnv fails with a clear error naming the file and variable', () => {
  assert.throws(
    () => render('tag: {{ requiredEnv "API_TAG" }}\n', 'environments/values/dev.yaml.hbs', {}),
    (err: unknown) => err instanceof ChartctlError && err.code === 'VALUES_REQUIRED_ENV' && /dev\.yaml\.hbs/.test(err.message) && /API_TAG/.test(err.message) && /export API_TAG/.test(err.hint ?? ''),
  );
});

test('.hbs values: output is not HTML-escaped', () => {
  assert.equal(render('v: "{{ env "X" }}"', 'f.hbs', { X: 'a&b<c>' }), 'v: "a&b<c>"');
});
