/**
 * How a list field merges in strategic merge patches and server-side apply.
 * Real servers read this from Go struct tags (`patchStrategy:"merge"`,
 * `patchMergeKey`, `listType=map`); this table copies the tags of the
 * k8s.io/api fields charts commonly set. Lists not named here are atomic
 * (replaced whole), which is also what the server does for untagged lists and
 * for custom resources without list-type markers.
 */

export type ListStrategy = { type: 'map'; key: string } | { type: 'set' } | { type: 'atomic' };

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Strategy for the list at `path` (field names from the object root, list indices left out). */
export function listStrategy(kind: string, path: readonly string[]): ListStrategy {
  const field = path[path.length - 1] ?? '';
  const parent = path[path.length - 2] ?? '';
  const inContainer = CONTAINER_LISTS.has(parent);
  if (path.length === 2 && path[0] === 'metadata') {
    if (field === 'finalizers') return { type: 'set' };
    if (field === 'ownerReferences') return { type: 'map', key: 'uid' };
  }
  if (CONTAINER_LISTS.has(field)) return { type: 'map', key: 'name' };
  if (inContainer) {
    if (field === 'ports') return { type: 'map', key: 'containerPort' };
    if (field === 'env') return { type: 'map', key: 'name' };
    if (field === 'volumeMounts') return { type: 'map', key: 'mountPath' };
    if (field === 'volumeDevices') return { type: 'map', key: 'devicePath' };
    return { type: 'atomic' };
  }
  if (kind === 'Service' && path.join('.') === 'spec.ports') return { type: 'map', key: 'port' };
  if (kind === 'ServiceAccount' && (field === 'secrets' || field === 'imagePullSecrets') && path.length === 1) return { type: 'map', key: 'name' };
  switch (field) {
    case 'volumes':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
    case 'webhooks':
      return { type: 'map', key: 'name' };
    case 'hostAliases':
    case 'podIPs':
    case 'hostIPs':
      return { type: 'map', key: 'ip' };
    case 'topologySpreadConstraints':
      return { type: 'map', key: 'topologyKey' };
    case 'conditions':
      return parent === 'status' ? { type: 'map', key: 'type' } : { type: 'atomic' };
    default:
      return { type: 'atomic' };
  }
}

export const isPlainObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
