import { ChartctlError } from '../core/errors.js';
import { canaryIngress, canaryIngressName, canaryIngressWeight, checkWeight, httpRouteWeight, isChartctlCanaryIngress, resetHttpRoute, splitHttpRoute } from '../core/strategy/canary-route.js';
import type { CanaryRoute, CanaryTrafficSplitter, WeightedCanaryTraffic } from './canary-traffic.js';
import type { KubeResponse } from './kube-api.js';
import { clusterUnreachable, KubeClusters } from './kube-clusters.js';
/** A write that meets someone else's change re-reads and tries again this many times before giving up. */
const CONFLICT_ATTEMPTS = 5;

type Json = Record<string, any>;

/**
 * The canary's share at the edge on the cluster the kube context names:
 * ingress-nginx through a `<route>-canary` Ingress chartctl owns, gateway
 * through the HTTPRoute's backendRefs weights. Each call reads, computes the
 * object (src/core/strategy/canary-route.ts) and writes it once with the
 * resourceVersion it read; nothing is written when the object is already so.
 */
export class KubeCanaryTraffic implements CanaryTrafficSplitter {
  private readonly clusters: KubeClusters;

  constructor(env: NodeJS.ProcessEnv) {
    this.clusters = new KubeClusters(env);
  }

  async setWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute, weight: number): Promise<void> {
    checkWeight(weight);
    if (traffic === 'ingress-nginx') return this.retrying(route, () => this.writeCanaryIngress(route, weight));
    return this.retrying(route, async () => {
      const current = await this.readRequired(route, 'HTTPRoute', this.httpRoutePath(route));
      const next = splitHttpRoute(current, route, weight);
      if (!next) throw noStableBackend(route, 'HTTPRoute');
      return this.replace(route, 'HTTPRoute', this.httpRoutePath(route), current, next);
    });
  }

  async readWeight(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<number | undefined> {
    if (traffic === 'ingress-nginx') {
      const canary = await this.read(route, 'Ingress', this.ingressPath(route, canaryIngressName(route.route)));
      return isChartctlCanaryIngress(canary, route.route) ? canaryIngressWeight(canary!) : undefined;
    }
    const current = await this.read(route, 'HTTPRoute', this.httpRoutePath(route));
    return current && httpRouteWeight(current, route);
  }

  async reset(traffic: WeightedCanaryTraffic, route: CanaryRoute): Promise<void> {
    if (traffic === 'ingress-nginx') {
      const path = this.ingressPath(route, canaryIngressName(route.route));
      const canary = await this.read(route, 'Ingress', path);
      if (!isChartctlCanaryIngress(canary, route.route)) return;
      const res = await this.call(route, 'DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: canary!.metadata.uid } });
      if (res.status !== 200 && res.status !== 202 && res.status !== 404 && res.status !== 409) throw failure(route, `Ingress ${canaryIngressName(route.route)}`, 'delete', res);
      return;
    }
    return this.retrying(route, async () => {
      const current = await this.read(route, 'HTTPRoute', this.httpRoutePath(route));
      const next = current && resetHttpRoute(current, route);
      if (!next) return 'written';
      return this.replace(route, 'HTTPRoute', this.httpRoutePath(route), current!, next);
    });
  }

  private async writeCanaryIngress(route: CanaryRoute, weight: number): Promise<'written' | 'conflict'> {
    const stable = await this.readRequired(route, 'Ingress', this.ingressPath(route, route.route));
    const wanted = canaryIngress(stable, route, weight);
    if (!wanted) throw noStableBackend(route, 'Ingress');
    const name = canaryIngressName(route.route);
    const current = await this.read(route, 'Ingress', this.ingressPath(route, name));
    if (!current) {
      const res = await this.call(route, 'POST', `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(route.namespace)}/ingresses`, wanted);
      if (res.status === 409) return 'conflict';
      if (res.status !== 201 && res.status !== 200) throw failure(route, `Ingress ${name}`, 'create', res);
      return 'written';
    }
    if (!isChartctlCanaryIngress(current, route.route)) {
      throw new ChartctlError(`Ingress ${name} in ${route.namespace} exists and is not chartctl's canary of ${route.route}; chartctl will not overwrite it.`, {
        code: 'CANARY_ROUTE_TAKEN',
        hint: `Rename or delete that Ingress, or name a different route; chartctl owns <route>-canary.`,
      });
    }
    // Keep what the server and others set (uid, finalizers, other labels/annotations); chartctl's fields are replaced.
    const next = { ...structuredClone(current), spec: wanted.spec, metadata: { ...structuredClone(current.metadata), labels: { ...current.metadata.labels, ...wanted.metadata.labels }, annotations: { ...current.metadata.annotations, ...wanted.metadata.annotations }, ownerReferences: wanted.metadata.ownerReferences ?? current.metadata.ownerReferences } };
    return this.replace(route, 'Ingress', this.ingressPath(route, name), current, next);
  }

  /** One PUT guarded by the resourceVersion read; no request when nothing changes. */
  private async replace(route: CanaryRoute, kind: string, path: string, current: Json, next: Json): Promise<'written' | 'conflict'> {
    if (sameJson(next, current)) return 'written';
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    const res = await this.call(route, 'PUT', path, next);
    if (res.status === 409) return 'conflict';
    if (res.status !== 200) throw failure(route, `${kind} ${current.metadata.name}`, 'update', res);
    return 'written';
  }

  private async retrying(route: CanaryRoute, attempt: () => Promise<'written' | 'conflict'>): Promise<void> {
    for (let i = 0; i < CONFLICT_ATTEMPTS; i++) if ((await attempt()) === 'written') return;
    throw new ChartctlError(`The canary route ${route.route} in ${route.namespace} changed under chartctl ${CONFLICT_ATTEMPTS} times in a row; its traffic split was not written.`, {
      code: 'CANARY_ROUTE_CONFLICT',
      hint: 'Something else keeps rewriting it (a controller or another job): find it, then run the deploy again (--resume).',
    });
  }

  private async read(route: CanaryRoute, kind: string, path: string): Promise<Json | undefined> {
    const res = await this.call(route, 'GET', path);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw failure(route, kind, 'read', res);
    return res.body;
  }

  private async readRequired(route: CanaryRoute, kind: string, path: string): Promise<Json> {
    const found = await this.read(route, kind, path);
    if (found) return found;
    throw new ChartctlError(`The canary route ${kind} ${route.route} is not in ${route.namespace}.`, {
      code: 'CANARY_ROUTE_NOT_FOUND',
      hint: kind === 'HTTPRoute' ? 'The stable release (or the cluster admin) creates the HTTPRoute; chartctl only sets its weights. Is the Gateway API CRD installed?' : 'The stable release creates the Ingress; chartctl adds the canary one beside it.',
    });
  }

  private ingressPath(route: CanaryRoute, name: string): string {
    return `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(route.namespace)}/ingresses/${encodeURIComponent(name)}`;
  }

  private httpRoutePath(route: CanaryRoute): string {
    return `/apis/gateway.networking.k8s.io/v1/namespaces/${encodeURIComponent(route.namespace)}/httproutes/${encodeURIComponent(route.route)}`;
  }

  private async call(route: CanaryRoute, method: string, path: string, body?: unknown): Promise<KubeResponse> {
    return this.clusters.call(route.kubeContext, method, path, body, clusterUnreachable('the canary route', route.namespace));
  }

}

function noStableBackend(route: CanaryRoute, kind: string): ChartctlError {
  return new ChartctlError(`${kind} ${route.route} in ${route.namespace} sends nothing to the stable Service ${route.stableService}, so there is no traffic to split.`, {
    code: 'CANARY_ROUTE_UNSPLITTABLE',
    hint: `Point a path (Ingress) or a backendRef (HTTPRoute) of ${route.route} at ${route.stableService}.`,
  });
}

function failure(route: CanaryRoute, what: string, verb: string, res: KubeResponse): ChartctlError {
  return new ChartctlError(`Could not ${verb} ${what} in ${route.namespace}: HTTP ${res.status} ${res.body.message ?? ''}`.trim(), {
    code: 'CANARY_ROUTE_WRITE_FAILED',
    hint: 'chartctl needs get/create/update/delete on Ingresses (ingress-nginx) or get/update on HTTPRoutes (gateway) in the namespace.',
  });
}

/** Equal as JSON values, whatever the key order (an object rebuilt from its parts compares equal to the one read). */
function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Json)[k])])) : v);
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
