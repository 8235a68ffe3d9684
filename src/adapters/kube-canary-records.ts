import { ChartctlError } from '../core/errors.js';
import type { CanaryRecord } from '../core/strategy/canary-plan.js';
import type { KubeResponse } from './kube-api.js';
import { clusterUnreachable, KubeClusters } from './kube-clusters.js';
import { canaryRecordName, type CanaryRecords, type StoredCanary } from './canary-records.js';
import type { RouterTarget } from './traffic-router.js';

/** Canary records as ConfigMaps (data.record: the JSON) on the environment's cluster. */
export class KubeCanaryRecords implements CanaryRecords {
  private readonly clusters: KubeClusters;

  constructor(env: NodeJS.ProcessEnv) {
    this.clusters = new KubeClusters(env);
  }

  async read(target: RouterTarget, release: string): Promise<StoredCanary | undefined> {
    const res = await this.call(target, 'GET', this.path(target, release));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure(target, release, 'read', res);
    return { record: JSON.parse(String(res.body.data?.record ?? '{}')) as CanaryRecord, resourceVersion: String(res.body.metadata?.resourceVersion ?? '') };
  }

  async write(target: RouterTarget, release: string, record: CanaryRecord, resourceVersion?: string): Promise<{ kind: 'written'; resourceVersion: string } | { kind: 'conflict' }> {
    const name = canaryRecordName(release);
    const metadata = { name, namespace: target.namespace, labels: { 'app.kubernetes.io/managed-by': 'chartctl', 'chartctl.dev/canary-of': release }, ...(resourceVersion ? { resourceVersion } : {}) };
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { record: JSON.stringify(record) } };
    // PUT with the resourceVersion read before: the API server refuses it (409) when someone else wrote in between.
    const res = resourceVersion
      ? await this.call(target, 'PUT', this.path(target, release), body)
      : await this.call(target, 'POST', `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/configmaps`, body);
    if (res.status === 409 || (resourceVersion && res.status === 404)) return { kind: 'conflict' };
    if (res.status !== 200 && res.status !== 201) throw this.failure(target, release, 'write', res);
    return { kind: 'written', resourceVersion: String(res.body.metadata?.resourceVersion ?? '') };
  }

  async remove(target: RouterTarget, release: string): Promise<void> {
    const res = await this.call(target, 'DELETE', this.path(target, release));
    if (res.status !== 200 && res.status !== 202 && res.status !== 404) throw this.failure(target, release, 'remove', res);
  }

  private path(target: RouterTarget, release: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/configmaps/${encodeURIComponent(canaryRecordName(release))}`;
  }

  private async call(target: RouterTarget, method: string, path: string, body?: unknown): Promise<KubeResponse> {
    return this.clusters.call(target.kubeContext, method, path, body, clusterUnreachable('the canary record', target.namespace));
  }

  private failure(target: RouterTarget, release: string, what: string, res: KubeResponse): ChartctlError {
    return new ChartctlError(`Could not ${what} the canary record ${canaryRecordName(release)} in ${target.namespace}: HTTP ${res.status} ${res.body.message ?? ''}`.trim(), {
      code: 'CANARY_RECORD_FAILED',
      hint: 'chartctl needs get/create/update/delete on ConfigMaps in the namespace.',
    });
  }
}
