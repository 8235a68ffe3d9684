/**
 * The edge objects of a weighted canary, computed from what the cluster holds
 * and the weight wanted: pure, so every case is a unit test and a repeated call
 * (resume, abort) computes the same object again.
 */

type Json = Record<string, any>;

/** The two Services split between, and the port requests go to (the stable backend's when not given). */
export interface CanarySplit {
  stableService: string;
  canaryService: string;
  port?: number;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const CANARY_OF_ANNOTATION = 'chartctl.dev/canary-of';
/** On an HTTPRoute chartctl split: the canary Service and each touched rule's stable weight before the split, to restore on reset. */
export const CANARY_SPLIT_ANNOTATION = 'chartctl.dev/canary-split';
export const NGINX_CANARY = 'nginx.ingress.kubernetes.io/canary';
export const NGINX_CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';
/** Written explicitly so the weight is a percentage whatever the controller's default total. */
export const NGINX_CANARY_WEIGHT_TOTAL = 'nginx.ingress.kubernetes.io/canary-weight-total';

export function canaryIngressName(route: string): string {
  return `${route}-canary`;
}

export function checkWeight(weight: number): void {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new RangeError(`a canary weight is a whole percentage 0-100, not ${weight}`);
}

/**
 * ingress-nginx: the second Ingress chartctl owns, `<route>-canary`. Its rules
 * are the stable Ingress's host/path entries whose backend is the stable
 * Service, pointing at the canary Service instead (ingress-nginx pairs a canary
 * with the main Ingress by host and path, and takes every other setting from
 * the main one); undefined when no path of the stable Ingress reaches the
 * stable Service. Owned by the stable Ingress, so deleting that removes it.
 */
export function canaryIngress(stable: Json, split: CanarySplit, weight: number): Json | undefined {
  checkWeight(weight);
  const rules: Json[] = [];
  for (const rule of stable.spec?.rules ?? []) {
    const paths = (rule.http?.paths ?? [])
      .filter((p: Json) => p.backend?.service?.name === split.stableService)
      .map((p: Json) => ({ ...structuredClone(p), backend: { service: { name: split.canaryService, port: split.port !== undefined ? { number: split.port } : structuredClone(p.backend.service.port) } } }));
    if (paths.length) rules.push({ ...(rule.host !== undefined ? { host: rule.host } : {}), http: { paths } });
  }
  if (!rules.length) return undefined;
  const meta = stable.metadata ?? {};
  const annotations: Record<string, string> = { [CANARY_OF_ANNOTATION]: meta.name, [NGINX_CANARY]: 'true', [NGINX_CANARY_WEIGHT]: String(weight), [NGINX_CANARY_WEIGHT_TOTAL]: '100' };
  // Clusters that still choose the controller by the legacy annotation need it on the canary too.
  const legacyClass = meta.annotations?.['kubernetes.io/ingress.class'];
  if (legacyClass) annotations['kubernetes.io/ingress.class'] = legacyClass;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: canaryIngressName(meta.name),
      namespace: meta.namespace,
      labels: { [MANAGED_BY_LABEL]: 'chartctl' },
      annotations,
      ...(meta.uid ? { ownerReferences: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: meta.name, uid: meta.uid }] } : {}),
    },
    spec: { ...(stable.spec?.ingressClassName ? { ingressClassName: stable.spec.ingressClassName } : {}), rules },
  };
}

export function isChartctlCanaryIngress(ingress: Json | undefined, route: string): boolean {
  return ingress?.metadata?.labels?.[MANAGED_BY_LABEL] === 'chartctl' && ingress.metadata.annotations?.[CANARY_OF_ANNOTATION] === route;
}

export function canaryIngressWeight(ingress: Json): number | undefined {
  const text = ingress.metadata?.annotations?.[NGINX_CANARY_WEIGHT];
  return text === undefined || !/^\d+$/.test(text) ? undefined : Number(text);
}

interface SplitRecord {
  canary: string;
  /** rule index -> the stable backendRef's weight before the split (null: it had none, i.e. the default 1). */
  stableWeights: Record<string, number | null>;
}

const isServiceRef = (ref: Json, name: string) => ref.name === name && (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '' && ref.namespace === undefined;

function splitRecord(route: Json): SplitRecord | undefined {
  const text = route.metadata?.annotations?.[CANARY_SPLIT_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as SplitRecord;
  } catch {
    return undefined;
  }
}

/**
 * gateway: in every rule of the HTTPRoute that sends to the stable Service, the
 * stable backendRef weighs `100 - weight` and a canary backendRef (same port
 * and filters) weighs `weight`. Matches, filters, other rules and other
 * backends stay as they are. The stable weights before the first split are kept
 * in an annotation so `resetHttpRoute` restores them. Undefined when no rule
 * sends to the stable Service.
 */
export function splitHttpRoute(route: Json, split: CanarySplit, weight: number): Json | undefined {
  checkWeight(weight);
  const next = structuredClone(route);
  const record: SplitRecord = splitRecord(route) ?? { canary: split.canaryService, stableWeights: {} };
  let touched = false;
  (next.spec?.rules ?? []).forEach((rule: Json, index: number) => {
    const refs: Json[] = rule.backendRefs ?? [];
    const stable = refs.find((r) => isServiceRef(r, split.stableService));
    if (!stable) return;
    touched = true;
    if (!(String(index) in record.stableWeights)) record.stableWeights[String(index)] = stable.weight ?? null;
    stable.weight = 100 - weight;
    const canary = { ...structuredClone(stable), name: split.canaryService, weight, ...(split.port !== undefined ? { port: split.port } : {}) };
    const at = refs.findIndex((r) => isServiceRef(r, split.canaryService));
    if (at >= 0) refs[at] = canary;
    else refs.splice(refs.indexOf(stable) + 1, 0, canary);
  });
  if (!touched) return undefined;
  next.metadata.annotations = { ...next.metadata.annotations, [CANARY_SPLIT_ANNOTATION]: JSON.stringify(record) };
  return next;
}

/** The canary's weight on an HTTPRoute chartctl split; undefined when chartctl has not split it. */
export function httpRouteWeight(route: Json, split: CanarySplit): number | undefined {
  if (!splitRecord(route)) return undefined;
  for (const rule of route.spec?.rules ?? []) {
    const canary = (rule.backendRefs ?? []).find((r: Json) => isServiceRef(r, split.canaryService));
    if (canary) return canary.weight ?? 1;
  }
  return undefined;
}

/** The HTTPRoute without chartctl's canary backendRefs and annotation, stable weights as before; undefined when there is nothing to undo. */
export function resetHttpRoute(route: Json, split: CanarySplit): Json | undefined {
  const record = splitRecord(route);
  if (!record) return undefined;
  const next = structuredClone(route);
  (next.spec?.rules ?? []).forEach((rule: Json, index: number) => {
    if (!rule.backendRefs) return;
    rule.backendRefs = rule.backendRefs.filter((r: Json) => !isServiceRef(r, record.canary));
    const stable = rule.backendRefs.find((r: Json) => isServiceRef(r, split.stableService));
    const before = record.stableWeights[String(index)];
    if (!stable || before === undefined) return;
    if (before === null) delete stable.weight;
    else stable.weight = before;
  });
  delete next.metadata.annotations[CANARY_SPLIT_ANNOTATION];
  if (!Object.keys(next.metadata.annotations).length) delete next.metadata.annotations;
  return next;
}
