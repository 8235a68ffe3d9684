/**
 * The kinds the simulator serves: a fixed set of built-in Kubernetes kinds
 * (one served version each, the one charts use today) plus the kinds of
 * CustomResourceDefinitions created at run time.
 */

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  resource: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served (status, scale, log). */
  subresources?: string[];
  /** For CRDs: every version the CRD serves (the object is stored as written; conversion strategy None). */
  servedVersions?: string[];
  /** From the CRD, when the kind came from one. */
  openAPIV3Schema?: unknown;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const verbsOf = (_t: ResourceType): string[] => VERBS;

function core(kind: string, resource: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group: '', version: 'v1', kind, resource, singular: kind.toLowerCase(), namespaced, ...extra };
}
function grouped(group: string, version: string, kind: string, resource: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType {
  return { group, version, kind, resource, singular: kind.toLowerCase(), namespaced, ...extra };
}

export const BUILTIN_TYPES: readonly ResourceType[] = [
  core('Namespace', 'namespaces', false, { shortNames: ['ns'], subresources: ['status'] }),
  core('Secret', 'secrets', true),
  core('ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  core('Service', 'services', true, { shortNames: ['svc'], subresources: ['status'] }),
  core('ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  core('Pod', 'pods', true, { shortNames: ['po'], subresources: ['status', 'log'] }),
  core('Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  grouped('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  core('Event', 'events', true, { shortNames: ['ev'] }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], subresources: ['status'] }),
  core('PersistentVolume', 'persistentvolumes', false, { shortNames: ['pv'], subresources: ['status'] }),
  core('Node', 'nodes', false, { shortNames: ['no'], subresources: ['status'] }),
  core('LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  core('ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], subresources: ['status'] }),
  grouped('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], subresources: ['status', 'scale'] }),
  grouped('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], subresources: ['status'] }),
  grouped('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  grouped('batch', 'v1', 'Job', 'jobs', true, { subresources: ['status'] }),
  grouped('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], subresources: ['status'] }),
  grouped('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: ['status'] }),
  grouped('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  grouped('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  grouped('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, { shortNames: ['hpa'], subresources: ['status'] }),
  grouped('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, { shortNames: ['pdb'], subresources: ['status'] }),
  grouped('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  grouped('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  grouped('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], subresources: ['status'] }),
  grouped('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, { shortNames: ['sc'] }),
  grouped('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, { shortNames: ['pc'] }),
  grouped('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  grouped('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
];

export const apiVersionOf = (t: { group: string; version: string }): string => (t.group ? `${t.group}/${t.version}` : t.version);

/** Splits `apps/v1` into group and version (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Built-in kinds plus whatever CRDs have registered; the discovery and routing source of truth. */
export class ResourceCatalog {
  private custom = new Map<string, ResourceType[]>(); // CRD name -> one entry per served version
  /** Bumped whenever the set of kinds changes (for caches of derived documents). */
  revision = 0;

  all(): ResourceType[] {
    return [...BUILTIN_TYPES, ...[...this.custom.values()].flat()];
  }

  /** Resolves a URL's group/version/resource. */
  byResource(group: string, version: string, resource: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  groupVersions(): Array<{ group: string; version: string }> {
    const seen = new Map<string, { group: string; version: string }>();
    for (const t of this.all()) seen.set(`${t.group}/${t.version}`, { group: t.group, version: t.version });
    return [...seen.values()];
  }

  /** Registers (or re-registers) the kinds a CRD object declares. */
  registerCrd(crd: Record<string, any>): void {
    const spec = crd.spec ?? {};
    const names = spec.names ?? {};
    const versions: Array<Record<string, any>> = (spec.versions ?? []).filter((v: Record<string, any>) => v.served !== false);
    if (!spec.group || !names.plural || !names.kind || versions.length === 0) return;
    const served = versions.map((v) => String(v.name));
    this.revision++;
    this.custom.set(
      String(crd.metadata?.name),
      versions.map((v) => ({
        group: String(spec.group),
        version: String(v.name),
        kind: String(names.kind),
        resource: String(names.plural),
        singular: String(names.singular ?? String(names.kind).toLowerCase()),
        namespaced: spec.scope !== 'Cluster',
        shortNames: names.shortNames,
        subresources: Object.keys(v.subresources ?? {}),
        servedVersions: served,
        openAPIV3Schema: v.schema?.openAPIV3Schema,
      })),
    );
  }

  unregisterCrd(name: string): ResourceType[] {
    const removed = this.custom.get(name) ?? [];
    this.custom.delete(name);
    this.revision++;
    return removed;
  }
}

/**
 * Objects of one kind are stored once, whatever version they were written
 * with; the store key uses group + resource (never the version).
 */
export const storageKeyOf = (t: ResourceType): string => `${t.group}/${t.resource}`;
