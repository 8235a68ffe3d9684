import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { parse as parseWithYamlPackage } from 'yaml';
import { assertAliasLimit, billionLaughs, mergeKeyBomb } from '../support/yaml-bombs.js';
import { loadYaml, MAX_ALIAS_NODES } from '../../src/core/yaml-limits.js';
import { parseLocatedYaml } from '../../src/core/yaml-source.js';

const WITH_MERGE = CORE_SCHEMA.withTags(mergeTag);

test('a billion-laughs document is refused by the js-yaml loader, at the alias that tips it', () => {
  const bomb = billionLaughs(9);
  assert.ok(bomb.length < 700);
  assert.throws(() => loadYaml(bomb, { file: 'values.yaml' }), (err) => {
    assertAliasLimit(err, 'values.yaml');
    assert.match((err as Error).message, /^values\.yaml:5:\d+: refused: excessive aliasing: with \*a3 /);
    return true;
  });
});

test('a merge-key bomb is refused, where js-yaml merges', () => {
  assert.throws(() => loadYaml(mergeKeyBomb(40), { file: 'merge.yaml', schema: WITH_MERGE }), (err) => assertAliasLimit(err, 'merge.yaml'));
});

test('a value that contains itself is refused (js-yaml would build a cyclic object)', () => {
  assert.throws(() => loadYaml('a: &a [1, *a]\n', { file: 'cycle.yaml' }), (err) => {
    assertAliasLimit(err, 'cycle.yaml');
    assert.match((err as Error).message, /^cycle\.yaml:1:11: refused: alias \*a is inside the node it refers to/);
    return true;
  });
  assert.throws(() => parseLocatedYaml('a: &a {b: *a}\n', 'cycle.yaml'), (err) => assertAliasLimit(err, 'cycle.yaml'));
});

test('one long string aliased many times is refused by the text bound', () => {
  const text = `s: &s "${'x'.repeat(100_000)}"\nten: &ten [${Array(10).fill('*s').join(', ')}]\nall: [${Array(200).fill('*ten').join(', ')}]\n`;
  assert.throws(() => loadYaml(text, { file: 'big.yaml' }), (err) => {
    assertAliasLimit(err, 'big.yaml');
    assert.match((err as Error).message, /MB of text/);
    return true;
  });
  assert.throws(() => parseLocatedYaml(text, 'big.yaml'), (err) => assertAliasLimit(err, 'big.yaml'));
});

test('more aliases than MAX_ALIAS_NODES in one document are refused', () => {
  const text = `a: &a 1\nl: [${Array(MAX_ALIAS_NODES + 1).fill('*a').join(',')}]\n`;
  assert.throws(() => loadYaml(text, { file: 'many.yaml' }), (err) => assertAliasLimit(err, 'many.yaml'));
});

const ORDINARY = `defaults: &defaults
  image: {repository: nginx, tag: "1.27"}
  replicas: 2
  resources: &resources
    limits: {cpu: 500m, memory: 256Mi}
    requests: {cpu: 100m, memory: 128Mi}
  labels: &labels {team: web, tier: front}
web:
  <<: *defaults
  name: web
api:
  <<: *defaults
  replicas: 3
  labels: *labels
  name: api
worker:
  <<: [*defaults]
  resources: *resources
sidecars: [*labels, *labels, *resources]
`;

test('an ordinary file with several anchors and merges loads exactly as js-yaml and the yaml package load it', () => {
  assert.deepEqual(loadYaml(ORDINARY, { file: 'values.yaml', schema: WITH_MERGE }), load(ORDINARY, { schema: WITH_MERGE }));
  assert.deepEqual(loadYaml(ORDINARY, { file: 'values.yaml' }), load(ORDINARY));
  assert.deepEqual(parseLocatedYaml(ORDINARY, 'values.yaml').value, parseWithYamlPackage(ORDINARY));
});

test('aliases below go-yaml\'s ratio still load: 300 services sharing one 60-node default, 90% of the expanded document', () => {
  const defaults = Array.from({ length: 30 }, (_, i) => `  k${i}: v${i}`).join('\n');
  const services = Array.from({ length: 300 }, (_, i) => `s${i}:\n  <<: *d\n  name: s${i}`).join('\n');
  const text = `d: &d\n${defaults}\n${services}\n`;
  const value = loadYaml(text, { file: 'values.yaml', schema: WITH_MERGE }) as Record<string, Record<string, string>>;
  assert.equal(value.s299!.k29, 'v29');
  assert.equal((parseLocatedYaml(text, 'values.yaml').value as Record<string, unknown>).s299 !== undefined, true);
});

