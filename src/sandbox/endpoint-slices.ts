/**
 * The EndpointSlice controller's share of kube-controller-manager: for every
 * Service with a selector, one `discovery.k8s.io/v1` EndpointSlice listing the
 * Pods the selector matches, each with its own address and `ready` condition
 * (not-ready Pods are listed with ready: false, as the real controller does),
 * so a test can assert which release's Pods a Service sends traffic to.
 */
import { createHash } from 'node:crypto';
import { ControllerLoop } from './controller-loop.js';
import { canonicalJson, type KubeObject, type StoreEvent } from './object-store.js';
import { storageKeyOf } from './resource-catalog.js';

const MANAGER = 'endpointslice-controller.k8s.io';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

export class EndpointSliceController extends ControllerLoop {
  protected onEvent(event: StoreEvent): void {
    if (event.storageKey !== '/pods' && event.storageKey !== '/services') return;
    // Like the real controller: batched per namespace.
    this.schedule(event.namespace, () => this.sync(event.namespace));
  }

  private sync(namespace: string): void {
    const sliceType = this.cluster.type('discovery.k8s.io', 'v1', 'EndpointSlice');
    const pods = this.cluster.store.list('/pods', namespace);
    for (const service of this.cluster.store.list('/services', namespace)) {
      const selector: Record<string, string> | undefined = service.spec?.selector;
      if (!selector || Object.keys(selector).length === 0 || service.spec?.type === 'ExternalName') continue;
      const selected = pods.filter((p) => matches(p, selector) && p.status?.podIP && !isFinished(p));
      const desired = sliceFor(service, selected);
      const current = this.cluster.store.get(storageKeyOf(sliceType), namespace, desired.metadata.name);
      if (!current) this.cluster.create(sliceType, namespace, desired, { manager: MANAGER });
      else if (canonicalJson({ e: current.endpoints, p: current.ports }) !== canonicalJson({ e: desired.endpoints, p: desired.ports })) {
        this.cluster.replace(sliceType, current, { ...current, endpoints: desired.endpoints, ports: desired.ports }, { manager: MANAGER });
      }
    }
  }
}

function matches(pod: KubeObject, selector: Record<string, string>): boolean {
  const labels: Record<string, string> = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

const isFinished = (pod: KubeObject) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' || pod.metadata.deletionTimestamp !== undefined;

const isReady = (pod: KubeObject) => (pod.status?.conditions ?? []).some((c: KubeObject) => c.type === 'Ready' && c.status === 'True');

function sliceFor(service: KubeObject, pods: KubeObject[]): KubeObject {
  const suffix = createHash('sha256').update(String(service.metadata.uid)).digest('hex').slice(0, 5);
  const firstPod = pods[0];
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${service.metadata.name}-${suffix}`,
      namespace: service.metadata.namespace,
      labels: { [SERVICE_NAME_LABEL]: service.metadata.name, [MANAGED_BY_LABEL]: MANAGER },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.metadata.name, uid: service.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: [...pods]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((pod) => ({
        addresses: [pod.status.podIP],
        conditions: { ready: isReady(pod), serving: isReady(pod), terminating: false },
        nodeName: pod.spec?.nodeName ?? 'sandbox-node',
        targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
      })),
    ports: (service.spec?.ports ?? []).map((port: KubeObject) => ({
      name: port.name ?? '',
      protocol: port.protocol ?? 'TCP',
      port: targetPortOf(port, firstPod),
    })),
  };
}

/** A numeric targetPort, a named one resolved against the Pods' container ports, else the Service port. */
function targetPortOf(port: KubeObject, pod: KubeObject | undefined): number {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(String(target))) return Number(target);
  for (const c of pod?.spec?.containers ?? []) {
    const named = (c.ports ?? []).find((p: KubeObject) => p.name === target);
    if (named) return named.containerPort;
  }
  return port.port;
}
