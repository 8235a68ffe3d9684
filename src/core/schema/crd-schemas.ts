import type { GroupVersionKind } from './gvk.js';

/** The schema a CustomResourceDefinition declares for one of its versions. */
export interface CrdSchema {
  gvk: GroupVersionKind;
  /** `metadata.name` of the CRD, e.g. `widgets.example.com`. */
  crd: string;
  /** openAPIV3Schema with the implicit top-level fields added; open when the CRD declares none. */
  schema: Record<string, unknown>;
}

const OPEN_OBJECT = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

export function isCustomResourceDefinition(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return obj.kind === 'CustomResourceDefinition' && typeof obj.apiVersion === 'string' && obj.apiVersion.startsWith('apiextensions.k8s.io/');
}

/**
 * Reads apiextensions.k8s.io/v1 (`spec.versions[].schema.openAPIV3Schema`)
 * and v1beta1 (`spec.validation.openAPIV3Schema`, per-version schemas, or
 * `spec.version`) CRDs. Malformed CRDs yield nothing; their own schema
 * validation reports what is wrong with them.
 */
export function crdSchemas(crd: Record<string, any>): CrdSchema[] {
  const spec = crd?.spec;
  const group = spec?.group;
  const kind = spec?.names?.kind;
  if (typeof group !== 'string' || typeof kind !== 'string') return [];
  const name = typeof crd.metadata?.name === 'string' ? crd.metadata.name : `${spec.names?.plural ?? kind.toLowerCase()}.${group}`;
  const shared = spec.validation?.openAPIV3Schema;
  const versions: { name?: unknown; schema?: { openAPIV3Schema?: unknown } }[] = Array.isArray(spec.versions)
    ? spec.versions
    : typeof spec.version === 'string'
      ? [{ name: spec.version }]
      : [];
  const out: CrdSchema[] = [];
  for (const v of versions) {
    if (typeof v?.name !== 'string') continue;
    const declared = v.schema?.openAPIV3Schema ?? shared;
    out.push({ gvk: { group, version: v.name, kind }, crd: name, schema: withImplicitFields(declared) });
  }
  return out;
}

/** The API server always accepts apiVersion, kind and metadata, even when a CRD's schema does not list them. */
function withImplicitFields(schema: unknown): Record<string, unknown> {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return { ...OPEN_OBJECT };
  const s = schema as Record<string, any>;
  if (!s.properties) return s;
  return {
    ...s,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...s.properties,
    },
  };
}
