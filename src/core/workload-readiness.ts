import type { KubeObject } from './manifests.js';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * Workloads that are not ready, from the live objects `helm status
 * --show-resources` returns (keyed like "v1/Deployment"). Used to name the
 * failing resources when helm only says "context deadline exceeded".
 */
export function unreadyWorkloads(resources: Record<string, KubeObject[]>, namespace: string): string[] {
  const out: string[] = [];
  for (const [key, objects] of Object.entries(resources)) {
    const kind = key.split('/').pop()!;
    if (!WORKLOADS.has(kind)) continue;
    for (const o of objects) {
      const spec = (o.spec ?? {}) as { replicas?: number };
      const status = (o.status ?? {}) as { readyReplicas?: number; numberReady?: number; desiredNumberScheduled?: number; observedGeneration?: number };
      const generation = (o.metadata as { generation?: number } | undefined)?.generation;
      const wanted = kind === 'DaemonSet' ? (status.desiredNumberScheduled ?? 0) : (spec.replicas ?? 1);
      const ready = kind === 'DaemonSet' ? (status.numberReady ?? 0) : (status.readyReplicas ?? 0);
      const stale = generation !== undefined && status.observedGeneration !== undefined && status.observedGeneration < generation;
      if (ready < wanted || stale) {
        out.push(`${kind} ${o.metadata?.namespace ?? namespace}/${o.metadata?.name}: ${ready}/${wanted} ready${stale ? ' (rollout not observed yet)' : ''}`);
      }
    }
  }
  return out.sort();
}
