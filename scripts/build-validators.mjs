// Compiles chartctl's own JSON Schemas (the environment file) into standalone
// validator code at build time, so a run does not pay for loading and compiling ajv
// (~30 ms of every `chartctl template`). Output: dist/src/core/generated/*.cjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;
const { environmentSchema, environmentFormats } = await import(join(root, 'dist/src/core/environment-schema.js'));

const ajv = new Ajv({ allErrors: true, strict: false, code: { source: true, esm: false } });
for (const [name, pattern] of Object.entries(environmentFormats)) ajv.addFormat(name, pattern);
const validate = ajv.compile(environmentSchema);
const out = join(root, 'dist/src/core/generated/environment-validator.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, standaloneCode(ajv, validate));

// The draft-07 meta-schema, which ajv would otherwise add and compile in every lint run to check a chart's
// values.schema.json (~20 ms CPU). Its formats are unknown to ajv without ajv-formats, so ignored as they are then.
const metaAjv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false, validateFormats: false, code: { source: true, esm: false } });
const validateMeta = metaAjv.compile(require('ajv/dist/refs/json-schema-draft-07.json'));
writeFileSync(join(root, 'dist/src/core/generated/draft07-meta-validator.cjs'), standaloneCode(metaAjv, validateMeta));
