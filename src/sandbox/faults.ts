/**
 * Failures a test (or `chartctl sandbox fault`) injects on purpose, never
 * driven by chart values: workloads that never become ready or fail, and
 * request-level faults (an error status, a stall, a dropped connection) for
 * requests matching a method/resource/name.
 */

export type WorkloadFault = 'never-ready' | 'fail';

/** The "kind" of a fault target that names a helm release: `shop/release/shop-green`. */
export const RELEASE_TARGET = 'release';

export interface RequestFaultSpec {
  /** HTTP method to match (any when unset). */
  method?: string;
  /** Plural resource to match, e.g. `deployments` (any when unset). */
  resource?: string;
  namespace?: string;
  name?: string;
  /** Answer with this status code and a matching Status body (500, 409, 503...). */
  status?: number;
  /** Wait this long before handling (or failing) the request. */
  delayMs?: number;
  /** Destroy the connection without answering ("the server went away"). */
  disconnect?: boolean;
  /** How many matching requests to affect; unlimited when unset. */
  times?: number;
}

export interface RequestFault extends RequestFaultSpec {
  id: number;
  hits: number;
}

export interface RequestInfo {
  method: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export class FaultRegistry {
  private workloads = new Map<string, WorkloadFault>();
  private requests: RequestFault[] = [];
  private nextId = 1;

  setWorkloadFault(namespace: string, kind: string, name: string, fault: WorkloadFault | 'clear'): void {
    const key = `${namespace}/${kind}/${name}`;
    if (fault === 'clear') this.workloads.delete(key);
    else this.workloads.set(key, fault);
  }

  workloadFault(namespace: string | undefined, kind: string, name: string): WorkloadFault | undefined {
    return this.workloads.get(`${namespace ?? ''}/${kind}/${name}`);
  }

  /**
   * The fault set on this object, else on the helm release that owns it
   * (target `namespace/release/NAME`, matched by helm's meta.helm.sh/release-name
   * annotation), so a test can break every workload of one slot or track.
   */
  faultOf(object: { kind: string; metadata: { namespace?: string; name: string; annotations?: Record<string, string> } }): WorkloadFault | undefined {
    const { namespace, name, annotations } = object.metadata;
    const release = annotations?.['meta.helm.sh/release-name'];
    return this.workloadFault(namespace, object.kind, name) ?? (release ? this.workloadFault(namespace, RELEASE_TARGET, release) : undefined);
  }

  listWorkloadFaults(): Array<{ target: string; fault: WorkloadFault }> {
    return [...this.workloads].map(([target, fault]) => ({ target, fault }));
  }

  addRequestFault(spec: RequestFaultSpec): RequestFault {
    const fault = { ...spec, id: this.nextId++, hits: 0 };
    this.requests.push(fault);
    return fault;
  }

  listRequestFaults(): RequestFault[] {
    return this.requests.map((f) => ({ ...f }));
  }

  clearRequestFaults(): void {
    this.requests = [];
  }

  clearAll(): void {
    this.workloads.clear();
    this.requests = [];
  }

  /** The first fault matching this request, counted as used. */
  takeRequestFault(request: RequestInfo): RequestFault | undefined {
    const fault = this.requests.find(
      (f) =>
        (f.times === undefined || f.hits < f.times) &&
        (!f.method || f.method.toUpperCase() === request.method) &&
        (!f.resource || f.resource === request.resource) &&
        (!f.namespace || f.namespace === request.namespace) &&
        (!f.name || f.name === request.name),
    );
    if (fault) fault.hits++;
    return fault;
  }
}
