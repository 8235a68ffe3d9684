import { createHash } from 'node:crypto';

/** sha256 of the bytes, as lowercase hex (what chart indexes and helm's digests carry after `sha256:`). */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
