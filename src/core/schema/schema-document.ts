import { gvkString, type GroupVersionKind } from './gvk.js';

/**
 * A fetched schema document is one of:
 * - `definitions`: many named schemas, the kinds among them tagged with
 *   `x-kubernetes-group-version-kind` (kubernetes-json-schema's
 *   `_definitions.json`, or a swagger 2.0 document from /openapi/v2);
 * - `openapi`: an OpenAPI v3 document (`components.schemas`), as the API
 *   server serves per group-version under /openapi/v3;
 * - `single`: the schema of one kind (kubeconform's per-kind files).
 */
export type SchemaDocument =
  | { kind: 'definitions'; definitions: Record<string, unknown>; byGvk: Map<string, string> }
  | { kind: 'openapi'; definitions: Record<string, unknown>; byGvk: Map<string, string> }
  | { kind: 'single'; schema: Record<string, unknown> };

export function classifySchemaDocument(doc: unknown): SchemaDocument | undefined {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const d = doc as Record<string, any>;
  const schemas = d.components?.schemas;
  if (schemas && typeof schemas === 'object' && (d.openapi || d.paths)) return { kind: 'openapi', definitions: schemas, byGvk: indexByGvk(schemas) };
  const looksLikeOneSchema = d.properties !== undefined || d.type !== undefined || d.$ref !== undefined || d.allOf !== undefined || d.oneOf !== undefined || d.anyOf !== undefined;
  if (d.definitions && typeof d.definitions === 'object' && !looksLikeOneSchema) {
    const byGvk = indexByGvk(d.definitions);
    if (byGvk.size > 0) return { kind: 'definitions', definitions: d.definitions, byGvk };
  }
  return { kind: 'single', schema: d };
}

/** `apps/v1/Deployment` → definition name, from `x-kubernetes-group-version-kind`. */
export function indexByGvk(definitions: Record<string, unknown>): Map<string, string> {
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(definitions)) {
    const tags = (schema as Record<string, unknown> | null)?.['x-kubernetes-group-version-kind'];
    if (!Array.isArray(tags)) continue;
    for (const t of tags as Partial<GroupVersionKind>[]) {
      if (typeof t?.kind !== 'string' || typeof t.version !== 'string') continue;
      const key = gvkString({ group: t.group ?? '', version: t.version, kind: t.kind });
      if (!byGvk.has(key)) byGvk.set(key, name);
    }
  }
  return byGvk;
}

/** OpenAPI v3 refs point into components; after conversion the definitions live under `definitions`. */
export function componentsRefToDefinitions(ref: string): string {
  return ref.startsWith('#/components/schemas/') ? `#/definitions/${ref.slice('#/components/schemas/'.length)}` : ref;
}
