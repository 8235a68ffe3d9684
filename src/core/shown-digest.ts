/**
 * A digest as chartctl shows it, in text and JSON alike: `sha256:<hex>` (as deploy, history
 * and helm's OCI output write it). index.yaml keeps helm's bare hex; this is for people and scripts.
 */
export function shownDigest(hex: string): string {
  return hex.startsWith('sha256:') ? hex : `sha256:${hex}`;
}
