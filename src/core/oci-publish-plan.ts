/**
 * What publishing a chart version to an OCI repository should do, decided
 * from the tag's current manifest alone. A registry has no conditional tag
 * write, so immutability is judged here and checked again after the write.
 */
export interface OciPublishInput {
  /** The tag's manifest now: its digest and the digest of its chart layer (the tarball's sha256). */
  existing?: { manifestDigest: string; chartDigest: string };
  chartDigest: string;
  force: boolean;
}

export type OciPublishPlan =
  | { kind: 'push'; outcome: 'published' | 'replaced' }
  /** The tag already holds these very chart bytes (pushed by chartctl or helm): a no-op success. */
  | { kind: 'unchanged'; manifestDigest: string }
  | { kind: 'refused'; existingManifestDigest: string; existingChartDigest: string };

export function planOciPublish(input: OciPublishInput): OciPublishPlan {
  const { existing, chartDigest, force } = input;
  if (!existing) return { kind: 'push', outcome: 'published' };
  if (existing.chartDigest === chartDigest) return { kind: 'unchanged', manifestDigest: existing.manifestDigest };
  if (force) return { kind: 'push', outcome: 'replaced' };
  return { kind: 'refused', existingManifestDigest: existing.manifestDigest, existingChartDigest: existing.chartDigest };
}
