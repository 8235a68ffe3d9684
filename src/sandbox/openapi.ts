/**
 * OpenAPI v3 as the API server publishes it: an index at /openapi/v3 naming
 * one document per group-version, each with the resource paths (PATCH
 * operations list `fieldValidation`, which tells kubectl/helm that the server
 * validates fields itself) and component schemas for the kinds served.
 * Schemas come from openapi-schemas.ts (built-in kinds, Kubernetes API 1.30
 * definitions) or from the CRD's own openAPIV3Schema. /openapi/v2 is not
 * served (404): kubectl and helm use v3 when the server has it.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from './resource-catalog.js';
import { builtinSchemas, definitionsClosure, objectMetaRef, schemaNameOf } from './openapi-schemas.js';

export function openApiIndex(catalog: ResourceCatalog, kubeVersion: string): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of catalog.groupVersions()) {
    const path = gvPath(gv);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(openApiDocument(catalog, gv.group, gv.version, kubeVersion)!)}` };
  }
  return { paths };
}

const gvPath = (gv: { group: string; version: string }) => (gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`);

const hashes = new WeakMap<object, string>();
function hashOf(doc: Record<string, unknown>): string {
  let hash = hashes.get(doc);
  if (!hash) hashes.set(doc, (hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase()));
  return hash;
}

const cache = new WeakMap<ResourceCatalog, { revision: number; documents: Map<string, Record<string, unknown> | undefined> }>();

/** The document for `apis/<group>/<version>` (or `api/v1`), undefined when nothing is served there. Cached until CRDs change. */
export function openApiDocument(catalog: ResourceCatalog, group: string, version: string, kubeVersion: string): Record<string, unknown> | undefined {
  let entry = cache.get(catalog);
  if (!entry || entry.revision !== catalog.revision) cache.set(catalog, (entry = { revision: catalog.revision, documents: new Map() }));
  const key = `${group}/${version}/${kubeVersion}`;
  if (!entry.documents.has(key)) entry.documents.set(key, buildDocument(catalog, group, version, kubeVersion));
  return entry.documents.get(key);
}

function buildDocument(catalog: ResourceCatalog, group: string, version: string, kubeVersion: string): Record<string, unknown> | undefined {
  const types = catalog.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of types) {
    Object.assign(paths, pathsOf(t));
    Object.assign(schemas, schemasOf(t));
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (chartctl sandbox)', version: `v${kubeVersion.replace(/^v/, '')}.0` },
    paths,
    components: { schemas },
  };
}

function schemasOf(t: ResourceType): Record<string, unknown> {
  const gvk = [{ group: t.group, version: t.version, kind: t.kind }];
  if (t.openAPIV3Schema) {
    const crd = structuredClone(t.openAPIV3Schema) as Record<string, any>;
    crd.properties = { ...(crd.properties ?? {}), metadata: { allOf: [{ $ref: objectMetaRef }] } };
    return { ...definitionsClosure(['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']), [schemaNameOf(t)]: { ...crd, 'x-kubernetes-group-version-kind': gvk } };
  }
  return builtinSchemas(t);
}

function pathsOf(t: ResourceType): Record<string, unknown> {
  const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const collection = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
  const ref = { $ref: `#/components/schemas/${schemaNameOf(t)}` };
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const op = (action: string, verb: string, extra: Record<string, unknown> = {}) => ({
    tags: [apiVersionOf(t)],
    operationId: `${verb}${t.kind}`,
    responses: { '200': { description: 'OK', ...json(ref) } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const q = (name: string, type = 'string') => ({ name, in: 'query', schema: { type }, uniqueItems: true });
  const writeParams = [q('dryRun'), q('fieldManager'), q('fieldValidation')];
  const pathParams = [
    { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
    ...(t.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string' } }] : []),
  ];
  return {
    [collection]: {
      get: op('list', 'list', { parameters: [q('labelSelector'), q('fieldSelector'), q('resourceVersion'), q('watch', 'boolean')] }),
      post: op('post', 'create', { parameters: writeParams, requestBody: { ...json(ref), required: true } }),
      ...(t.namespaced ? { parameters: [pathParams[1]] } : {}),
    },
    [`${collection}/{name}`]: {
      get: op('get', 'read'),
      put: op('put', 'replace', { parameters: writeParams, requestBody: { ...json(ref), required: true } }),
      patch: op('patch', 'patch', {
        parameters: [...writeParams, q('force', 'boolean')],
        requestBody: {
          content: Object.fromEntries(
            ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'].map((c) => [c, { schema: { type: 'object' } }]),
          ),
          required: true,
        },
      }),
      delete: op('delete', 'delete', { parameters: [q('dryRun'), q('propagationPolicy')] }),
      parameters: pathParams,
    },
  };
}
