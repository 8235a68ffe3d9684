/**
 * The Ingress chartctl owns in front of a blue/green router Service
 * (`router.ingress`). It points at the router Service, never at a slot, so a
 * switch stays one write (the Service's selector) and the Ingress never
 * changes on a switch. Pure: computed from the slot release's own manifests.
 */

import { MANAGED_BY_LABEL } from './canary-route.js';

type Json = Record<string, any>;

/** On the router Ingress: the router Service it fronts (a chartctl-owned Ingress for another purpose, e.g. a canary's, is not this one). */
export const ROUTER_SERVICE_ANNOTATION = 'chartctl.dev/router-service';

/** What chartctl needs to know of an existing Ingress of the router's name. */
export interface ExistingIngress {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export type RouterIngressPlan = { kind: 'create' } | { kind: 'present' } | { kind: 'refused'; reason: string };

/**
 * Created once, when absent; left as it is when chartctl created it for this
 * router Service; refused when anything else holds the name (chartctl never
 * overwrites or deletes an Ingress it does not own).
 */
export function planRouterIngress(existing: ExistingIngress | undefined, names: { ingress: string; service: string }): RouterIngressPlan {
  if (!existing) return { kind: 'create' };
  if (existing.labels[MANAGED_BY_LABEL] !== 'chartctl') {
    const owner = existing.labels[MANAGED_BY_LABEL];
    return { kind: 'refused', reason: `Ingress ${names.ingress} exists and chartctl does not own it (${MANAGED_BY_LABEL}: ${owner ?? 'not set'})` };
  }
  const fronts = existing.annotations[ROUTER_SERVICE_ANNOTATION];
  if (fronts !== names.service) {
    return { kind: 'refused', reason: `Ingress ${names.ingress} is chartctl's but ${fronts ? `fronts router Service ${fronts}` : 'is not a blue/green router Ingress'}, not ${names.service}` };
  }
  return { kind: 'present' };
}

/**
 * The router Ingress from the slot release's Ingresses: every host/path whose
 * backend is the slot's Service (the one the router copies), pointed at the
 * router Service with the same port (the router has that Service's ports).
 * Class, annotations (helm's own excepted) and TLS come from the first
 * Ingress that reaches the slot's Service; TLS only for the hosts kept.
 * Undefined when no Ingress of the slot reaches its Service.
 */
export function routerIngress(slotObjects: Json[], names: { ingress: string; namespace: string; routerService: string; slotService: string }): Json | undefined {
  const rules: Json[] = [];
  let first: Json | undefined;
  for (const ingress of slotObjects.filter((o) => o?.kind === 'Ingress')) {
    for (const rule of ingress.spec?.rules ?? []) {
      const paths = (rule.http?.paths ?? [])
        .filter((p: Json) => p.backend?.service?.name === names.slotService)
        .map((p: Json) => ({ ...structuredClone(p), backend: { service: { name: names.routerService, port: structuredClone(p.backend.service.port) } } }));
      if (!paths.length) continue;
      first ??= ingress;
      rules.push({ ...(rule.host !== undefined ? { host: rule.host } : {}), http: { paths } });
    }
  }
  if (!first) return undefined;
  const hosts = new Set(rules.map((r) => r.host).filter((h) => h !== undefined));
  const tls = (first.spec?.tls ?? [])
    .map((t: Json) => ({ ...structuredClone(t), hosts: (t.hosts ?? []).filter((h: string) => hosts.has(h)) }))
    .filter((t: Json) => t.hosts.length > 0);
  // helm's ownership annotations would make the next helm upgrade of a slot claim (and later delete) this Ingress.
  const annotations = Object.fromEntries(Object.entries((first.metadata?.annotations ?? {}) as Record<string, string>).filter(([k]) => !k.startsWith('meta.helm.sh/')));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: names.ingress,
      namespace: names.namespace,
      labels: { [MANAGED_BY_LABEL]: 'chartctl' },
      annotations: { ...annotations, [ROUTER_SERVICE_ANNOTATION]: names.routerService },
    },
    spec: { ...(first.spec?.ingressClassName ? { ingressClassName: first.spec.ingressClassName } : {}), ...(tls.length ? { tls } : {}), rules },
  };
}

/** The hosts an Ingress serves (`*` for a rule without a host), for status. */
export function ingressHosts(ingress: Json): string[] {
  return [...new Set(((ingress.spec?.rules ?? []) as Json[]).map((r) => r.host ?? '*'))];
}
