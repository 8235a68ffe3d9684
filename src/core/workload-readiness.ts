import type { KubeObject } from './manifests.js';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** One workload's rollout as `helm status --show-resources` shows it. */
export interface WorkloadReadiness {
  kind: string;
  namespace: string;
  name: string;
  /** Pods of the current template that are ready (old pods still serving do not count). */
  ready: number;
  desired: number;
  /** The controller has not seen the newest spec yet, so its counts are about the previous one. */
  stale: boolean;
}

interface RolloutStatus {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  numberReady?: number;
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  observedGeneration?: number;
}

/**
 * Deployments, StatefulSets and DaemonSets among the live objects `helm status
 * --show-resources -o json` returns (keyed like "v1/Deployment"; helm 3.13+ and 4
 * give the same shape), sorted by kind and name.
 */
export function workloadReadiness(resources: Record<string, KubeObject[]>, namespace: string): WorkloadReadiness[] {
  const out: WorkloadReadiness[] = [];
  for (const [key, objects] of Object.entries(resources)) {
    const kind = key.split('/').pop()!;
    if (!WORKLOADS.has(kind)) continue;
    for (const o of objects) {
      const spec = (o.spec ?? {}) as { replicas?: number };
      const status = (o.status ?? {}) as RolloutStatus;
      const generation = (o.metadata as { generation?: number } | undefined)?.generation;
      const stale = generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation;
      const desired = kind === 'DaemonSet' ? (status.desiredNumberScheduled ?? 0) : (spec.replicas ?? 1);
      out.push({ kind, namespace: o.metadata?.namespace ?? namespace, name: o.metadata?.name ?? '?', ready: stale ? 0 : readyOfCurrentTemplate(kind, status, desired), desired, stale });
    }
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/**
 * During a rolling update the ready count includes old pods; like `kubectl
 * rollout status`, count only the updated ones: ready minus the old pods still
 * there (assumed ready, so this never overstates), at most the updated count.
 */
function readyOfCurrentTemplate(kind: string, s: RolloutStatus, desired: number): number {
  if (kind === 'DaemonSet') {
    const ready = s.numberReady ?? 0;
    const updated = s.updatedNumberScheduled ?? ready;
    return clamp(ready - (desired - updated), 0, updated);
  }
  const ready = s.readyReplicas ?? 0;
  const updated = s.updatedReplicas ?? ready;
  const old = Math.max(0, (s.replicas ?? updated) - updated);
  return clamp(ready - old, 0, updated);
}

function clamp(n: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, n));
}

export function isWorkloadReady(w: WorkloadReadiness): boolean {
  return !w.stale && w.ready >= w.desired;
}

/**
 * Workloads that are not ready, as lines naming namespace and counts. Used to
 * name the failing resources when helm only says "context deadline exceeded".
 */
export function unreadyWorkloads(resources: Record<string, KubeObject[]>, namespace: string): string[] {
  return workloadReadiness(resources, namespace)
    .filter((w) => !isWorkloadReady(w))
    .map((w) => `${w.kind} ${w.namespace}/${w.name}: ${w.ready}/${w.desired} ready${w.stale ? ' (rollout not observed yet)' : ''}`)
    .sort();
}
