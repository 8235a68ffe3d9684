import { CLUSTER_SCOPED_KINDS, isHook, parseManifestStream, type KubeObject } from './manifests.js';
import { normalizeObject, sameScalar, type ScalarPlace } from './release-diff-equality.js';

export interface FieldDrift {
  /** Dotted path with list indexes, e.g. `spec.template.spec.containers[0].image`. */
  path: string;
  applied: unknown;
  live: unknown;
}

export interface ResourceDrift {
  resource: string;
  /** The object helm applied is gone from the cluster. */
  missing: boolean;
  fields: FieldDrift[];
}

/** Every field the manifest sets whose live value differs (fields the manifest does not set are the cluster's own). */
function compare(applied: unknown, live: unknown, path: string, out: FieldDrift[], place: ScalarPlace = {}): void {
  if (Array.isArray(applied)) {
    if (!Array.isArray(live)) {
      out.push({ path, applied, live });
      return;
    }
    applied.forEach((item, i) => compare(item, live[i], `${path}[${i}]`, out, { parentKey: place.key }));
    if (live.length !== applied.length) out.push({ path: `${path}.length`, applied: applied.length, live: live.length });
    return;
  }
  if (applied && typeof applied === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) {
      out.push({ path, applied, live });
      return;
    }
    for (const [k, v] of Object.entries(applied as Record<string, unknown>)) compare(v, (live as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out, { key: k, parentKey: place.key });
    return;
  }
  if (!sameScalar(applied, live, place)) out.push({ path, applied, live });
}

/**
 * Compares the manifest helm last applied with the live objects (from `helm
 * status --show-resources`), reporting fields changed outside helm. Secret
 * values are reported by path only.
 */
export function detectDrift(manifest: string, live: Record<string, KubeObject[]>, namespace: string): ResourceDrift[] {
  const byKey = new Map<string, KubeObject>();
  for (const objects of Object.values(live)) {
    for (const o of objects) byKey.set(`${o.kind}|${o.metadata?.namespace ?? ''}|${o.metadata?.name}`, o);
  }
  const report: ResourceDrift[] = [];
  for (const doc of parseManifestStream(manifest)) {
    const obj = doc.object;
    // Hooks (test pods, jobs) come and go by design: they are not drift.
    if (!obj?.kind || !obj.metadata?.name || isHook(obj)) continue;
    const ns = CLUSTER_SCOPED_KINDS.has(obj.kind) ? '' : String(obj.metadata.namespace ?? namespace);
    const resource = `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
    const current = byKey.get(`${obj.kind}|${ns}|${obj.metadata.name}`);
    if (!current) {
      report.push({ resource, missing: true, fields: [] });
      continue;
    }
    const fields: FieldDrift[] = [];
    const { apiVersion: _a, kind: _k, ...applied } = normalizeObject(obj) as KubeObject;
    compare(applied, current, '', fields);
    const masked = obj.kind === 'Secret' ? fields.map((f) => ({ path: f.path, applied: '***', live: '***' })) : fields;
    if (masked.length > 0) report.push({ resource, missing: false, fields: masked });
  }
  return report;
}
