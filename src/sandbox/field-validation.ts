/**
 * The API server's handling of fields its schema does not know
 * (`fieldValidation=Ignore|Warn|Strict`, Warn when absent): they are dropped
 * from what is stored, reported in `Warning` headers, or the request is
 * refused. Schemas: the built-in definitions (Kubernetes API 1.30, so fields
 * added after 1.30 count as unknown; see docs/sandbox.md) or a CRD's
 * openAPIV3Schema. Kinds without a schema are stored as sent.
 */
import { badRequest } from './api-status.js';
import { KUBERNETES_DEFINITIONS } from './kubernetes-definitions.js';
import { isPlainObject } from './list-strategies.js';
import type { KubeObject } from './object-store.js';
import { schemaNameOf } from './openapi-schemas.js';
import type { ResourceType } from './resource-catalog.js';

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';
type Schema = Record<string, any>;

export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '') return 'Warn';
  if (value === 'Ignore' || value === 'Warn' || value === 'Strict') return value;
  throw badRequest(`fieldValidation must be one of Ignore, Warn, Strict (got "${value}")`);
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function schemaFor(t: ResourceType): Schema | undefined {
  if (t.servedVersions) {
    const crd = t.openAPIV3Schema as Schema | undefined;
    if (!crd) return undefined;
    return { ...crd, properties: { ...(crd.properties ?? {}), apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { $ref: `#/components/schemas/${OBJECT_META}` } } };
  }
  return KUBERNETES_DEFINITIONS[schemaNameOf(t)];
}

/** Follows `$ref` / `allOf: [{$ref}]` to the definition. */
function resolve(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const ref: string | undefined = current.$ref ?? (current.allOf?.length === 1 ? current.allOf[0].$ref : undefined);
    if (!ref) return current;
    current = KUBERNETES_DEFINITIONS[ref.replace('#/components/schemas/', '')];
  }
  return current;
}

function prune(value: unknown, schema: Schema | undefined, path: string, unknown: string[]): unknown {
  const s = resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return value;
  if (isPlainObject(value)) {
    if (s.properties) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key in s.properties) out[key] = prune(child, s.properties[key], childPath, unknown);
        else unknown.push(childPath);
      }
      return out;
    }
    if (isPlainObject(s.additionalProperties)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prune(v, s.additionalProperties, `${path}.${k}`, unknown)]));
    }
    return value;
  }
  if (Array.isArray(value) && s.items) return value.map((item, i) => prune(item, s.items, `${path}[${i}]`, unknown));
  return value;
}

export interface FieldCheck {
  object: KubeObject;
  warnings: string[];
}

/** Drops (Ignore/Warn) or refuses (Strict) fields the kind's schema does not declare. */
export function checkFields(t: ResourceType, object: KubeObject, mode: FieldValidation, apply: boolean): FieldCheck {
  const schema = schemaFor(t);
  if (!schema) return { object, warnings: [] };
  const unknown: string[] = [];
  const { status, ...rest } = object;
  const pruned = prune(rest, schema, '', unknown) as KubeObject;
  if (status !== undefined) pruned.status = status;
  if (unknown.length === 0) return { object, warnings: [] };
  if (mode === 'Strict') {
    const version = t.version;
    throw badRequest(
      apply
        ? `failed to create typed patch object (${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}; ${t.group ? `${t.group}/` : ''}${version}, Kind=${t.kind}): ${unknown.map((u) => `.${u}: field not declared in schema`).join(', ')}`
        : `${t.kind} in version "${version}" cannot be handled as a ${t.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`,
    );
  }
  return { object: pruned, warnings: mode === 'Warn' ? unknown.map((u) => `unknown field "${u}"`) : [] };
}
