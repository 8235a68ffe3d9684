/**
 * The defaulting and field preservation the real API server does on writes,
 * limited to what clients observably rely on: Services get a cluster IP (helm
 * 3 waits for one), Deployments get replicas/strategy, Namespaces get a phase.
 * Pod-template defaults (terminationMessagePath, dnsPolicy, ...) are not added.
 */
import type { KubeObject } from './object-store.js';

export class ClusterIpAllocator {
  private next = 10;
  allocate(): string {
    const n = this.next++;
    return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }
}

export function applyDefaults(object: KubeObject, ips: ClusterIpAllocator): void {
  const spec = (object.spec ??= {});
  switch (object.kind) {
    case 'Service': {
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.type !== 'ExternalName') {
        if (!spec.clusterIP) spec.clusterIP = ips.allocate(); // 'None' (headless) is kept as written
        spec.clusterIPs ??= [spec.clusterIP];
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
        spec.internalTrafficPolicy ??= 'Cluster';
      }
      for (const port of spec.ports ?? []) {
        port.protocol ??= 'TCP';
        port.targetPort ??= port.port;
      }
      if (spec.type === 'LoadBalancer') object.status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
      break;
    }
    case 'Deployment':
      spec.replicas ??= 1;
      spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      break;
    case 'StatefulSet':
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      spec.revisionHistoryLimit ??= 10;
      break;
    case 'DaemonSet':
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      spec.revisionHistoryLimit ??= 10;
      break;
    case 'ReplicaSet':
      spec.replicas ??= 1;
      break;
    case 'Job':
      spec.completions ??= 1;
      spec.parallelism ??= 1;
      spec.backoffLimit ??= 6;
      break;
    case 'Namespace':
      spec.finalizers ??= ['kubernetes'];
      object.status = { phase: 'Active' };
      break;
    case 'PersistentVolumeClaim':
      object.status = { phase: 'Bound', accessModes: spec.accessModes, capacity: spec.resources?.requests };
      break;
    case 'Pod':
      spec.restartPolicy ??= 'Always';
      object.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: object.metadata.creationTimestamp }], qosClass: 'BestEffort' };
      break;
    default:
      if (Object.keys(spec).length === 0) delete object.spec;
  }
}

/** Values the server keeps from the stored object when an update leaves them out. */
export function preserveOnUpdate(previous: KubeObject, next: KubeObject): void {
  if (next.kind === 'Service' && previous.spec?.clusterIP && next.spec) {
    next.spec.clusterIP ||= previous.spec.clusterIP;
    next.spec.clusterIPs ??= previous.spec.clusterIPs;
  }
}

/** Kinds whose `spec.selector` the API server refuses to change. */
export const IMMUTABLE_SELECTOR_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

/** Kinds without `metadata.generation` (no spec to observe). */
export const UNGENERATED_KINDS = new Set(['Secret', 'ConfigMap', 'ServiceAccount', 'Namespace', 'Event', 'Endpoints', 'Lease', 'Node']);
