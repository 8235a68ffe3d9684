import { ChartctlError } from '../core/errors.js';
import type { KubeResponse } from './kube-api.js';
import { clusterUnreachable, KubeClusters } from './kube-clusters.js';
import { ingressHosts } from '../core/strategy/router-ingress.js';
import { formatSlotRevision, LIVE_SLOT_ANNOTATION, parseSlotRevision, PREVIOUS_SLOT_ANNOTATION, type RouterIngress, type RouterService, type RouterTarget, type RouterWrite, type TrafficRouters } from './traffic-router.js';

/** Router Services on the cluster the environment's kube context names (the kubeconfig's own access). */
export class KubeTrafficRouters implements TrafficRouters {
  private readonly clusters: KubeClusters;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.clusters = new KubeClusters(env);
  }

  async readService(target: RouterTarget, name: string): Promise<RouterService | undefined> {
    const res = await this.call(target, 'GET', this.path(target, name));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure(target, `router Service ${name}`, 'read', res);
    const annotations: Record<string, string> = res.body.metadata?.annotations ?? {};
    return {
      name,
      selector: res.body.spec?.selector ?? {},
      ports: res.body.spec?.ports ?? [],
      liveSlot: annotations[LIVE_SLOT_ANNOTATION],
      previous: parseSlotRevision(annotations[PREVIOUS_SLOT_ANNOTATION]),
      resourceVersion: String(res.body.metadata?.resourceVersion ?? ''),
    };
  }

  async writeService(target: RouterTarget, name: string, write: RouterWrite, resourceVersion?: string): Promise<{ kind: 'written' } | { kind: 'conflict' }> {
    const annotations: Record<string, string> = { [LIVE_SLOT_ANNOTATION]: write.liveSlot };
    if (write.previous) annotations[PREVIOUS_SLOT_ANNOTATION] = formatSlotRevision(write.previous);
    if (!resourceVersion) {
      const body = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: target.namespace, labels: { 'app.kubernetes.io/managed-by': 'chartctl' }, annotations }, spec: { selector: write.selector, ports: write.ports } };
      const res = await this.call(target, 'POST', `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services`, body);
      if (res.status === 409) return { kind: 'conflict' };
      if (res.status !== 201 && res.status !== 200) throw this.failure(target, `router Service ${name}`, 'create', res);
      return { kind: 'written' };
    }
    // Read-modify-replace: the Service's other fields (clusterIP, ...) stay as the server set them.
    const current = await this.call(target, 'GET', this.path(target, name));
    if (current.status !== 200) return { kind: 'conflict' };
    const body = current.body;
    if (String(body.metadata?.resourceVersion) !== resourceVersion) return { kind: 'conflict' };
    const kept = Object.fromEntries(Object.entries(body.metadata?.annotations ?? {}).filter(([k]) => k !== PREVIOUS_SLOT_ANNOTATION));
    body.metadata.annotations = { ...kept, ...annotations };
    body.spec.selector = write.selector;
    body.spec.ports = write.ports;
    const res = await this.call(target, 'PUT', this.path(target, name), body);
    if (res.status === 409) return { kind: 'conflict' };
    if (res.status !== 200) throw this.failure(target, `router Service ${name}`, 'update', res);
    return { kind: 'written' };
  }

  async slotHeads(target: RouterTarget, releases: string[]): Promise<Record<string, { revision: number; status: string } | undefined>> {
    // helm's storage driver: Secrets by default, ConfigMaps with HELM_DRIVER=configmap (the labels are the same).
    const kind = this.env.HELM_DRIVER === 'configmap' || this.env.HELM_DRIVER === 'configmaps' ? 'configmaps' : 'secrets';
    const entries = await Promise.all(
      releases.map(async (release) => {
        const selector = encodeURIComponent(`owner=helm,name=${release}`);
        const res = await this.call(target, 'GET', `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/${kind}?labelSelector=${selector}`);
        if (res.status !== 200) throw this.failure(target, release, 'list the helm revisions of', res);
        const heads = (res.body.items ?? []).map((o: { metadata?: { labels?: Record<string, string> } }) => ({ revision: Number(o.metadata?.labels?.version), status: String(o.metadata?.labels?.status) }));
        const newest = heads.sort((a: { revision: number }, b: { revision: number }) => b.revision - a.revision)[0];
        return [release, newest] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  async readIngress(target: RouterTarget, name: string): Promise<RouterIngress | undefined> {
    const res = await this.call(target, 'GET', `${this.ingressesPath(target)}/${encodeURIComponent(name)}`);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure(target, `router Ingress ${name}`, 'read', res);
    return { name, labels: res.body.metadata?.labels ?? {}, annotations: res.body.metadata?.annotations ?? {}, hosts: ingressHosts(res.body) };
  }

  async createIngress(target: RouterTarget, ingress: Record<string, any>): Promise<{ kind: 'created' } | { kind: 'conflict' }> {
    const res = await this.call(target, 'POST', this.ingressesPath(target), ingress);
    if (res.status === 409) return { kind: 'conflict' };
    if (res.status !== 201 && res.status !== 200) throw this.failure(target, `router Ingress ${ingress.metadata?.name}`, 'create', res);
    return { kind: 'created' };
  }

  private ingressesPath(target: RouterTarget): string {
    return `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(target.namespace)}/ingresses`;
  }

  private path(target: RouterTarget, name: string): string {
    return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/services/${encodeURIComponent(name)}`;
  }

  private async call(target: RouterTarget, method: string, path: string, body?: unknown): Promise<KubeResponse> {
    return this.clusters.call(target.kubeContext, method, path, body, clusterUnreachable('the router', target.namespace));
  }

  private failure(target: RouterTarget, name: string, what: string, res: KubeResponse): ChartctlError {
    return new ChartctlError(`Could not ${what} ${name} in ${target.namespace}: HTTP ${res.status} ${res.body.message ?? ''}`.trim(), {
      code: 'ROUTER_WRITE_FAILED',
      hint: 'chartctl needs get/create/update on Services, get/create on Ingresses (router.ingress), and list on helm\'s release Secrets, in the namespace.',
    });
  }
}
