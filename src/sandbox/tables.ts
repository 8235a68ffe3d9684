/**
 * Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`),
 * which `kubectl get` asks for: the columns kubectl users know for the common
 * kinds, NAME and AGE for the rest.
 */
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from './object-store.js';
import type { ResourceType } from './resource-catalog.js';

export const wantsTable = (req: IncomingMessage): boolean => /as=Table/.test(String(req.headers.accept ?? ''));

type Column = { name: string; type: 'string' | 'integer' | 'date'; cell: (o: KubeObject) => string | number };

const ready = (n: number | undefined, of: number | undefined) => `${n ?? 0}/${of ?? 0}`;

function age(o: KubeObject, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(o.metadata?.creationTimestamp ?? '')) / 1000));
  if (!Number.isFinite(seconds)) return '<unknown>';
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** What kubectl shows as a Pod's STATUS: a container's waiting/terminated reason, else the phase. */
function podStatusReason(o: KubeObject): string {
  for (const c of o.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated) return c.state.terminated.reason ?? (c.state.terminated.exitCode === 0 ? 'Completed' : 'Error');
  }
  return o.status?.phase ?? 'Pending';
}

const COLUMNS: Record<string, Column[]> = {
  Deployment: [
    { name: 'Ready', type: 'string', cell: (o) => ready(o.status?.readyReplicas, o.spec?.replicas) },
    { name: 'Up-to-date', type: 'integer', cell: (o) => o.status?.updatedReplicas ?? 0 },
    { name: 'Available', type: 'integer', cell: (o) => o.status?.availableReplicas ?? 0 },
  ],
  StatefulSet: [{ name: 'Ready', type: 'string', cell: (o) => ready(o.status?.readyReplicas, o.spec?.replicas) }],
  ReplicaSet: [
    { name: 'Desired', type: 'integer', cell: (o) => o.spec?.replicas ?? 0 },
    { name: 'Current', type: 'integer', cell: (o) => o.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', cell: (o) => o.status?.readyReplicas ?? 0 },
  ],
  Pod: [
    { name: 'Ready', type: 'string', cell: (o) => ready((o.status?.containerStatuses ?? []).filter((c: KubeObject) => c.ready).length, o.spec?.containers?.length) },
    { name: 'Status', type: 'string', cell: podStatusReason },
    { name: 'Restarts', type: 'integer', cell: (o) => (o.status?.containerStatuses ?? []).reduce((n: number, c: KubeObject) => n + (c.restartCount ?? 0), 0) },
  ],
  Job: [{ name: 'Completions', type: 'string', cell: (o) => `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}` }],
  Service: [
    { name: 'Type', type: 'string', cell: (o) => o.spec?.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', type: 'string', cell: (o) => o.spec?.clusterIP ?? '<none>' },
    { name: 'External-IP', type: 'string', cell: (o) => o.status?.loadBalancer?.ingress?.map((i: KubeObject) => i.ip).join(',') || '<none>' },
    { name: 'Port(s)', type: 'string', cell: (o) => (o.spec?.ports ?? []).map((p: KubeObject) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
  ],
  ConfigMap: [{ name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length }],
  Secret: [
    { name: 'Type', type: 'string', cell: (o) => o.type ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length },
  ],
  Namespace: [{ name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? 'Active' }],
};

export function asTable(t: ResourceType, objects: KubeObject[], resourceVersion: string): Record<string, unknown> {
  const columns = COLUMNS[t.kind] ?? [];
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      ...columns.map((c) => ({ name: c.name, type: c.type, format: '', description: c.name, priority: 0 })),
      { name: 'Age', type: 'string', format: '', description: 'CreationTimestamp', priority: 0 },
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => c.cell(o)), age(o, now)],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { ...o.metadata, managedFields: undefined } },
    })),
  };
}
