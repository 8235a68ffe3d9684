/**
 * helm's release records as its storage drivers keep them: the object
 * `sh.helm.release.v1.<name>.v<revision>`, whose `data.release` is the release
 * as JSON, gzip'd, base64 encoded (Secrets add the API's own base64 layer).
 */
import { gunzipSync } from 'node:zlib';

export type ReleaseObjectKind = 'Secret' | 'ConfigMap';

/** helm's records are bounded by the 1 MiB object limit compressed; this bounds them decompressed. */
export const MAX_RELEASE_RECORD_BYTES = 64 * 1024 * 1024;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b, 0x08]);

/** The storage object's name helm gives a revision of a release. */
export function releaseObjectName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** The release JSON inside `data.release` (as the API returns it, i.e. base64 for a Secret). */
export function decodeReleaseData(kind: ReleaseObjectKind, stored: string): Record<string, any> {
  const encoded = kind === 'Secret' ? Buffer.from(stored, 'base64').toString('utf8') : stored;
  let bytes = Buffer.from(encoded, 'base64');
  // helm writes uncompressed records too when gzip fails; it reads both.
  if (bytes.subarray(0, 3).equals(GZIP_MAGIC)) bytes = gunzipSync(bytes, { maxOutputLength: MAX_RELEASE_RECORD_BYTES });
  const record: unknown = JSON.parse(bytes.toString('utf8'));
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new Error('the release record is not a JSON object');
  return record as Record<string, any>;
}
