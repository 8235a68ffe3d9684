import { ChartctlError } from '../core/errors.js';
import { leaseNameFor, type LeaseRecord, type StuckNote } from '../core/release-lock.js';
import type { KubeResponse } from './kube-api.js';
import type { LeaseWrite, LeaseWriteResult, ReleaseLocks, ReleaseLockTarget } from './release-locks.js';
import { KubeClusters } from './kube-clusters.js';

const OPERATION = 'chartctl.dev/operation';
const LAST_HOLDER = 'chartctl.dev/last-holder';
const STUCK = 'chartctl.dev/stuck';
/** The time the holder started its first helm change; empty while it has started none. */
const HELM_STARTED = 'chartctl.dev/helm-started';
/** Release locks as coordination.k8s.io/v1 Leases on the cluster the environment's kube context names. */
export class KubeReleaseLocks implements ReleaseLocks {
  private readonly clusters: KubeClusters;

  constructor(env: NodeJS.ProcessEnv, signal?: AbortSignal) {
    this.clusters = new KubeClusters(env, signal);
  }

  async read(target: ReleaseLockTarget): Promise<LeaseRecord | undefined> {
    const res = await this.call(target, 'GET', this.path(target, true));
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure(target, 'read', res);
    return toRecord(res.body);
  }

  async create(target: ReleaseLockTarget, write: LeaseWrite): Promise<LeaseWriteResult> {
    let res = await this.call(target, 'POST', this.path(target, false), toLease(target, write));
    if (res.status === 404 && target.createNamespace) {
      const ns = await this.call(target, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: target.namespace } });
      if (ns.status !== 201 && ns.status !== 409) throw this.failure(target, `create namespace ${target.namespace} for`, ns);
      res = await this.call(target, 'POST', this.path(target, false), toLease(target, write));
    }
    if (res.status === 409) return { kind: 'conflict' };
    if (res.status === 404) {
      throw new ChartctlError(`Cannot take the release lock for ${target.release}: namespace ${target.namespace} does not exist${target.kubeContext ? ` (context ${target.kubeContext})` : ''}.`, {
        code: 'NAMESPACE_NOT_FOUND',
        hint: `Create it (kubectl create namespace ${target.namespace}), or fix the environment's namespace.`,
      });
    }
    if (res.status !== 201 && res.status !== 200) throw this.failure(target, 'create', res);
    return { kind: 'written', lease: toRecord(res.body) };
  }

  async update(target: ReleaseLockTarget, resourceVersion: string, write: LeaseWrite): Promise<LeaseWriteResult> {
    const body = toLease(target, write);
    body.metadata.resourceVersion = resourceVersion;
    const res = await this.call(target, 'PUT', this.path(target, true), body);
    if (res.status === 409 || res.status === 404) return { kind: 'conflict' };
    if (res.status !== 200) throw this.failure(target, 'update', res);
    return { kind: 'written', lease: toRecord(res.body) };
  }

  private path(target: ReleaseLockTarget, named: boolean): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(target.namespace)}/leases`;
    return named ? `${base}/${encodeURIComponent(leaseNameFor(target.release))}` : base;
  }

  private async call(target: ReleaseLockTarget, method: string, path: string, body?: unknown): Promise<KubeResponse> {
    return this.clusters.call(target.kubeContext, method, path, body, (err, access) =>
      new ChartctlError(`Cannot reach the Kubernetes API at ${access.server} (context ${access.context}) for the release lock of ${target.release}: ${err.message}.`, {
          code: 'LOCK_UNAVAILABLE',
          hint: 'Check the cluster is reachable with this kubeconfig context (kubectl get leases -n NAMESPACE).',
          cause: err,
        }),
    );
  }

  private failure(target: ReleaseLockTarget, verb: string, res: KubeResponse): ChartctlError {
    const forbidden = res.status === 403 || res.status === 401;
    return new ChartctlError(`Cannot ${verb} the release lock (Lease ${leaseNameFor(target.release)} in ${target.namespace}): HTTP ${res.status} ${res.body.message ?? ''}`.trim(), {
      code: forbidden ? 'LOCK_FORBIDDEN' : 'LOCK_UNAVAILABLE',
      hint: forbidden
        ? `chartctl needs get/create/update on leases.coordination.k8s.io in ${target.namespace} (add them to the deploying identity's Role).`
        : 'Retry; if it persists, check the API server.',
    });
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
const microTime = (d: Date) => d.toISOString().replace(/Z$/, '000Z');

function toLease(target: ReleaseLockTarget, write: LeaseWrite): Record<string, any> {
  const annotations: Record<string, string> = {};
  if (write.operation) annotations[OPERATION] = write.operation;
  if (write.lastHolder) annotations[LAST_HOLDER] = write.lastHolder;
  if (write.stuck) annotations[STUCK] = JSON.stringify(write.stuck);
  if (write.helmStartedAt !== undefined) annotations[HELM_STARTED] = write.helmStartedAt ? write.helmStartedAt.toISOString() : '';
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: leaseNameFor(target.release),
      namespace: target.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'chartctl' },
      annotations,
    },
    spec: {
      ...(write.holder ? { holderIdentity: write.holder } : {}),
      leaseDurationSeconds: write.durationSeconds,
      acquireTime: microTime(write.acquiredAt),
      renewTime: microTime(write.renewedAt),
      leaseTransitions: write.transitions,
    },
  };
}

function toRecord(lease: Record<string, any>): LeaseRecord {
  const spec = lease.spec ?? {};
  const annotations = lease.metadata?.annotations ?? {};
  const time = (v: unknown) => (typeof v === 'string' && Number.isFinite(Date.parse(v)) ? new Date(Date.parse(v)) : undefined);
  return {
    name: String(lease.metadata?.name ?? ''),
    resourceVersion: String(lease.metadata?.resourceVersion ?? ''),
    holder: typeof spec.holderIdentity === 'string' && spec.holderIdentity ? spec.holderIdentity : undefined,
    acquiredAt: time(spec.acquireTime),
    renewedAt: time(spec.renewTime),
    durationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : undefined,
    transitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
    operation: typeof annotations[OPERATION] === 'string' ? annotations[OPERATION] : undefined,
    lastHolder: typeof annotations[LAST_HOLDER] === 'string' ? annotations[LAST_HOLDER] : undefined,
    stuck: stuckNote(annotations[STUCK]),
    // Present but not a time reads as "started none": the age rule, the safe side.
    helmStartedAt: typeof annotations[HELM_STARTED] === 'string' ? (time(annotations[HELM_STARTED]) ?? null) : undefined,
  };
}

function stuckNote(text: unknown): StuckNote | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const note = JSON.parse(text) as StuckNote;
    return typeof note.revision === 'number' && typeof note.updated === 'string' && typeof note.reason === 'string' ? note : undefined;
  } catch {
    return undefined;
  }
}
