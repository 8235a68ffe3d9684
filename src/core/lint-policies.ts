import type { Finding, Severity } from './findings.js';
import { formatResourceId, isHook, resourceId, type KubeObject, type ManifestDocument } from './manifests.js';

/** Reviewer checks on rendered workloads; each is a warning unless the environment sets it to error or off. */
export const POLICIES = {
  'image-tag': 'container image without a tag, or tagged latest (not reproducible)',
  'resources': 'container without CPU/memory requests and limits',
  'probes': 'Deployment container without liveness and readiness probes',
} as const;

export type PolicyId = keyof typeof POLICIES;
export type PolicySettings = Partial<Record<string, 'error' | 'warning' | 'off'>>;

interface Container {
  name?: string;
  image?: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  livenessProbe?: unknown;
  readinessProbe?: unknown;
}

function podSpecOf(obj: KubeObject): { containers?: Container[]; initContainers?: Container[] } | undefined {
  const spec = obj.spec as any;
  switch (obj.kind) {
    case 'Pod':
      return spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return spec?.template?.spec;
    case 'CronJob':
      return spec?.jobTemplate?.spec?.template?.spec;
    default:
      return undefined;
  }
}

/** Tag of an image reference, '' when none (a digest-pinned image counts as tagged). */
export function imageTag(image: string): string {
  if (image.includes('@sha256:')) return 'digest';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? '' : image.slice(colon + 1);
}

export function checkPolicies(docs: ManifestDocument[], namespace: string, settings: PolicySettings, env?: string): Finding[] {
  const findings: Finding[] = [];
  const severityOf = (id: PolicyId): Severity | undefined => {
    const s = settings[id] ?? 'warning';
    return s === 'off' ? undefined : s;
  };
  for (const doc of docs) {
    const obj = doc.object;
    // Hooks and test pods are short-lived helpers; reviewers hold them to a lower bar.
    if (!obj || isHook(obj)) continue;
    const pod = podSpecOf(obj);
    if (!pod) continue;
    const resource = formatResourceId(resourceId(obj, namespace));
    const add = (id: PolicyId, message: string) => {
      const severity = severityOf(id);
      if (severity) findings.push({ severity, check: id, message, env, resource, source: doc.source });
    };
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const label = `container "${c.name ?? '?'}"`;
      const image = typeof c.image === 'string' ? c.image : '';
      const tag = imageTag(image);
      if (!image) add('image-tag', `${label} has no image`);
      else if (tag === '') add('image-tag', `${label} image "${image}" has no tag (means latest); pin a version`);
      else if (tag === 'latest') add('image-tag', `${label} image "${image}" uses the latest tag; pin a version`);
      const r = c.resources ?? {};
      const missing = [
        ...(['cpu', 'memory'].filter((k) => r.requests?.[k] === undefined).map((k) => `requests.${k}`)),
        ...(['cpu', 'memory'].filter((k) => r.limits?.[k] === undefined).map((k) => `limits.${k}`)),
      ];
      if (missing.length) add('resources', `${label} has no ${missing.join(', ')}`);
    }
    if (obj.kind === 'Deployment') {
      for (const c of pod.containers ?? []) {
        const missing = [!c.livenessProbe && 'livenessProbe', !c.readinessProbe && 'readinessProbe'].filter(Boolean);
        if (missing.length) add('probes', `container "${c.name ?? '?'}" has no ${missing.join(' or ')}`);
      }
    }
  }
  return findings;
}
