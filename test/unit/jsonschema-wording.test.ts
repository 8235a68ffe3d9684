import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonschemaErrors } from '../../src/core/schema/jsonschema-wording.js';
import { FORMAT_CHECKS } from '../../src/core/schema/formats.js';
import { SchemaInterpreter } from '../../src/core/schema/schema-interpreter.js';

// Expected texts are santhosh-tekuri/jsonschema v6's (kind/kind.go LocalizedString), as kubeconform prints them.
const schema = {
  type: 'object',
  required: ['name', 'port'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z]+$' },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    replicas: { type: 'integer' },
    protocol: { type: 'string', enum: ['TCP', 'UDP'] },
    mode: { type: 'string', enum: ['on'] },
    tags: { type: 'array', maxItems: 1, items: { type: 'string', minLength: 2 } },
    host: { type: 'string', pattern: FORMAT_CHECKS.hostname!.pattern },
    spec: { $ref: '#/definitions/Spec' },
  },
  definitions: { Spec: { type: 'object', properties: { a: { type: 'string' } } } },
};

function wording(data: unknown) {
  return jsonschemaErrors(new SchemaInterpreter([]).errors(schema, data, 'mem://s'));
}

test("jsonschema v6's words: type (with null where the property is optional), required and additionalProperties per object", () => {
  assert.deepEqual(wording({ name: 'a', port: 'x', replicas: 'y', spec: 'z', extra: 1, more: 2 }), [
    { path: '/port', msg: 'got string, want integer' },
    { path: '/replicas', msg: 'got string, want null or integer' },
    { path: '/spec', msg: 'got string, want null or object' },
    { path: '', msg: "additional properties 'extra', 'more' not allowed" },
  ]);
  assert.deepEqual(wording({}), [{ path: '', msg: "missing properties 'name', 'port'" }]);
  assert.deepEqual(wording({ name: 'a' }), [{ path: '', msg: "missing property 'port'" }]);
  assert.deepEqual(wording({ name: 'a', port: 1, replicas: 2.5 }), [{ path: '/replicas', msg: 'got number, want null or integer' }]);
});

test("jsonschema v6's words: enum, pattern, bounds, lengths and formats", () => {
  assert.deepEqual(wording({ name: "it's", port: 0, protocol: 'SCTP', mode: 'off', tags: ['a', 'bb'], host: 'bad_host' }), [
    { path: '/name', msg: "'it\\'s' does not match pattern '^[a-z]+$'" },
    { path: '/port', msg: 'minimum: got 0, want 1' },
    { path: '/protocol', msg: "value must be one of 'TCP', 'UDP'" },
    { path: '/mode', msg: "value must be 'on'" },
    { path: '/tags', msg: 'maxItems: got 2, want 1' },
    { path: '/tags/0', msg: 'minLength: got 1, want 2' },
    { path: '/host', msg: "'bad_host' is not valid hostname" },
  ]);
  assert.deepEqual(wording({ name: 'a', port: 70000 }), [{ path: '/port', msg: 'maximum: got 70000, want 65535' }]);
});
