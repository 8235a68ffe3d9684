/**
 * Legacy (unaggregated) discovery documents: /version, /api, /apis,
 * /api/v1 and /apis/<group>/<version>. client-go asks for aggregated
 * discovery first and falls back to these when the answer is plain JSON.
 */
import { apiVersionOf, verbsOf, type ResourceCatalog, type ResourceType } from './resource-catalog.js';

export function versionInfo(kubeVersion: string): Record<string, string> {
  const [major = '1', minor = '33'] = kubeVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.0`,
    gitCommit: 'sandbox',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function groupList(catalog: ResourceCatalog): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of catalog.groupVersions()) {
    if (!group) continue;
    groups.set(group, [...(groups.get(group) ?? []), version]);
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([name, versions]) => groupDoc(name, versions)) };
}

export function group(catalog: ResourceCatalog, name: string): Record<string, unknown> | undefined {
  const versions = catalog.groupVersions().filter((gv) => gv.group === name).map((gv) => gv.version);
  return versions.length ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, versions) } : undefined;
}

function groupDoc(name: string, versions: string[]) {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: entries, preferredVersion: entries[0] };
}

export function resourceList(catalog: ResourceCatalog, groupName: string, version: string): Record<string, unknown> | undefined {
  const types = catalog.all().filter((t) => t.group === groupName && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group: groupName, version }),
    resources: types.flatMap((t) => [
      {
        name: t.resource,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: verbsOf(t),
        ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
        storageVersionHash: storageVersionHash(t),
      },
      ...(t.subresources ?? []).map((sub) => subresource(t, sub)),
    ]),
  };
}

function subresource(t: ResourceType, sub: string) {
  if (sub === 'scale') return { name: `${t.resource}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  if (sub === 'log') return { name: `${t.resource}/log`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get'] };
  return { name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] };
}

const storageVersionHash = (t: ResourceType) => Buffer.from(`${t.group}/${t.version}/${t.kind}`).toString('base64').slice(0, 11);
