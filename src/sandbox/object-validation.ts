/**
 * The metadata checks the API server applies to every object (names, label
 * keys and values), so a chart the real server would refuse with 422 Invalid
 * is refused here too. Kind-specific spec validation is not simulated.
 */
import { invalid } from './api-status.js';
import type { KubeObject } from './object-store.js';
import type { ResourceType } from './resource-catalog.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** RBAC objects may be named like paths (`system:controller:foo`). */
const PATH_SEGMENT_NAMED = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameProblems(t: ResourceType, name: string): string[] {
  if (PATH_SEGMENT_NAMED.has(t.kind)) return name === '.' || name === '..' || /[/%]/.test(name) ? [`metadata.name: Invalid value: "${name}": may not contain '/' or '%'`] : [];
  if (t.kind === 'Namespace' && (name.length > 63 || !DNS1123_LABEL.test(name))) {
    return [`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`];
  }
  if (t.kind === 'Service' && (name.length > 63 || !DNS1035_LABEL.test(name))) {
    return [`metadata.name: Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`];
  }
  return [];
}

function labelProblems(labels: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const [prefix, name] = slash >= 0 ? [key.slice(0, slash), key.slice(slash + 1)] : ['', key];
    if ((prefix && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name)) {
      problems.push(`metadata.labels: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
    const text = String(value ?? '');
    if (typeof value !== 'string' || text.length > 63 || (text !== '' && !LABEL_NAME.test(text))) {
      problems.push(`metadata.labels: Invalid value: "${text}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`);
    }
  }
  return problems;
}

export function validateMetadata(t: ResourceType, object: KubeObject): void {
  const name = String(object.metadata?.name ?? '');
  const problems = [...nameProblems(t, name), ...labelProblems(object.metadata?.labels ?? {})];
  const annotations = object.metadata?.annotations ?? {};
  if (Object.values(annotations).some((v) => typeof v !== 'string')) problems.push('metadata.annotations: Invalid value: annotation values must be strings');
  if (JSON.stringify(annotations).length > 256 * 1024) problems.push('metadata.annotations: Too long: must have at most 262144 bytes');
  if (problems.length) throw invalid(t, name, problems);
}
