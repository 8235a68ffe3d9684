import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Ajv as AjvType } from 'ajv';
import { draft07MetaValidator, invalidSchemaMessage } from '../../src/core/values-schema-meta.js';

const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: new (o: object) => AjvType };

/** What lint's values-schema step said before the build-time meta validator: ajv checking the schema itself. */
function ajvVerdict(schema: object): string {
  try {
    new Ajv({ allErrors: true, strict: false }).compile({ ...schema, $schema: undefined });
    return 'valid';
  } catch (err) {
    return (err as Error).message;
  }
}

test('the build-time draft-07 meta validator gives the verdict and message ajv gives when it checks a values schema itself', () => {
  const meta = draft07MetaValidator();
  assert.ok(meta, 'npm run build writes dist/src/core/generated/draft07-meta-validator.cjs');
  const schemas: object[] = [
    { $schema: 'https://json-schema.org/draft-07/schema#', type: 'object', properties: { replicas: { type: 'integer', minimum: 1 } }, required: ['replicas'] },
    { type: 'objectx' },
    { properties: { a: { type: 5 } }, required: 'a' },
    { type: 'object', properties: { a: { enum: [] }, b: { minimum: 'x' } } },
    { items: [{ type: 'string' }], additionalItems: 3 },
    { definitions: { port: { type: 'integer', maximum: 65535 } }, properties: { port: { $ref: '#/definitions/port' }, tags: { type: 'array', uniqueItems: 'yes' } } },
  ];
  for (const schema of schemas) {
    const verdict: string = meta(schema) ? 'valid' : invalidSchemaMessage(meta.errors ?? []);
    assert.equal(verdict, ajvVerdict(schema), JSON.stringify(schema));
  }
  assert.notEqual(ajvVerdict(schemas[1]!), 'valid', 'the set holds invalid schemas');
});
