import type { KubeObject } from '../manifests.js';

/** What a router (blue/green) or shared Service (canary) copies from a release's own Service. */
export type BackendServiceLookup =
  | { kind: 'found'; name: string; selector: Record<string, string>; ports: Array<Record<string, unknown>> }
  /** names: the release's Services with a selector. */
  | { kind: 'ambiguous'; names: string[] }
  | { kind: 'missing'; names: string[] };

/**
 * The release's Service with a selector: `<release>-<backend>` when a backend
 * is named, else the only one. Its ports without nodePort: the copy is a
 * Service of its own and gets its own node ports.
 */
export function findBackendService(objects: KubeObject[], release: string, backend: string | undefined): BackendServiceLookup {
  const services = objects.filter((o) => o.kind === 'Service' && Boolean((o.spec as { selector?: unknown } | undefined)?.selector));
  const names = services.map((s) => String(s.metadata?.name));
  if (!backend && services.length > 1) return { kind: 'ambiguous', names };
  const service = backend ? services.find((s) => s.metadata?.name === `${release}-${backend}`) : services[0];
  if (!service) return { kind: 'missing', names };
  const spec = service.spec as { selector: Record<string, string>; ports?: Array<Record<string, unknown>> };
  return { kind: 'found', name: String(service.metadata?.name), selector: spec.selector, ports: (spec.ports ?? []).map(({ nodePort: _n, ...p }) => p) };
}
