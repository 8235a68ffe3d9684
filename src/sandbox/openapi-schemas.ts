/**
 * Component schemas for /openapi/v3: the built-in kinds' definitions from
 * kubernetes-definitions.ts (generated from the `kubernetes-types` package,
 * Kubernetes API 1.30: property names, types, required fields and the common
 * list merge keys, but no descriptions or enums; see generate-definitions.ts),
 * plus every definition they reference, as the real server publishes them.
 */
import { KUBERNETES_DEFINITIONS } from './kubernetes-definitions.js';
import type { ResourceType } from './resource-catalog.js';

const PACKAGE_OF_GROUP: Record<string, string> = {
  '': 'io.k8s.api.core',
  apps: 'io.k8s.api.apps',
  batch: 'io.k8s.api.batch',
  'networking.k8s.io': 'io.k8s.api.networking',
  autoscaling: 'io.k8s.api.autoscaling',
  policy: 'io.k8s.api.policy',
  'rbac.authorization.k8s.io': 'io.k8s.api.rbac',
  'storage.k8s.io': 'io.k8s.api.storage',
  'scheduling.k8s.io': 'io.k8s.api.scheduling',
  'coordination.k8s.io': 'io.k8s.api.coordination',
  'events.k8s.io': 'io.k8s.api.events',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
};

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const objectMetaRef = `#/components/schemas/${OBJECT_META}`;

/** The schema name the real server uses (`io.k8s.api.apps.v1.Deployment`); custom kinds use the reversed group. */
export function schemaNameOf(t: ResourceType): string {
  const pkg = t.servedVersions ? undefined : PACKAGE_OF_GROUP[t.group];
  return `${pkg ?? t.group.split('.').reverse().join('.')}.${t.version}.${t.kind}`;
}

/** `name` and every definition it references, transitively. */
export function definitionsClosure(names: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const pending = [...names];
  while (pending.length) {
    const name = pending.pop()!;
    const definition = KUBERNETES_DEFINITIONS[name];
    if (out[name] || !definition) continue;
    out[name] = definition;
    for (const m of JSON.stringify(definition).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) pending.push(m[1]!);
  }
  return out;
}

/** The schemas a built-in kind's document carries, its own marked with x-kubernetes-group-version-kind. */
export function builtinSchemas(t: ResourceType): Record<string, unknown> {
  const name = schemaNameOf(t);
  const closure: Record<string, unknown> = definitionsClosure([name, OBJECT_META]);
  const own = closure[name] as Record<string, unknown> | undefined;
  closure[name] = {
    ...(own ?? { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { allOf: [{ $ref: objectMetaRef }] } }, 'x-kubernetes-preserve-unknown-fields': true }),
    'x-kubernetes-group-version-kind': [{ group: t.group, version: t.version, kind: t.kind }],
  };
  return closure;
}
