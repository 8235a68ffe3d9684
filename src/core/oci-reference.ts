/** OCI distribution spec: a tag is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. */
export const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const OCI_DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isOciTag(tag: string): boolean {
  return OCI_TAG.test(tag);
}

export function isOciDigest(digest: string): boolean {
  return OCI_DIGEST.test(digest);
}
