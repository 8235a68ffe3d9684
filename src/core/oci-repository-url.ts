/** Hosts that name this machine: plain HTTP to them never crosses a network. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(name) || name === '::1';
}

const S3_ONLY = ['endpoint', 'region', 'forcePathStyle'] as const;
const OCI_ONLY = ['plainHttp', 'insecure'] as const;

/**
 * Repository keys that do not fit the url's kind, and plain HTTP to a registry
 * off this machine without an explicit `insecure: true` (credentials and charts
 * would cross the network in the clear).
 */
export function repositoryKeyProblems(raw: { url: string } & Record<string, unknown>): { key: string; reason: string }[] {
  const oci = raw.url.startsWith('oci://');
  const misplaced = (oci ? S3_ONLY : OCI_ONLY)
    .filter((key) => raw[key] !== undefined)
    .map((key) => ({ key, reason: `applies to ${oci ? 's3://' : 'oci://'} repositories only; this one is ${oci ? 'oci://' : 's3://'}` }));
  if (!oci) return misplaced;
  const host = raw.url.slice('oci://'.length).split('/')[0]!;
  if (raw.plainHttp === true && raw.insecure !== true && !isLoopbackHost(host)) {
    misplaced.push({ key: 'plainHttp', reason: `plain HTTP to ${host} (not this machine) sends charts and credentials in the clear; add insecure: true to mean it` });
  }
  return misplaced;
}
