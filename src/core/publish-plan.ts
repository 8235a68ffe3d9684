import type { IndexEntry } from './chart-index.js';

/**
 * What publishing one tarball must do, from what the repository holds now.
 * A version is immutable: the same bytes again is a no-op, different bytes
 * are refused unless forced. The tarball is always written before the index
 * entry that points to it, so the index never lists a missing object.
 */
export interface PublishInput {
  chart: { name: string; version: string; digest: string };
  /** sha256 of the object already stored under the tarball's name, if any. */
  storedDigest: string | undefined;
  /** What the current index lists for name+version (only its digest matters); undefined when it does not. */
  listed: Pick<IndexEntry, 'digest'> | undefined;
  force: boolean;
}

export type TarballStep = 'create' | 'keep' | 'overwrite';
export type IndexStep = 'add' | 'keep' | 'replace';

export type PublishPlan =
  | { kind: 'refused'; reason: 'tarballDiffers' | 'indexDiffers'; existingDigest: string; localDigest: string }
  | { kind: 'apply'; tarball: TarballStep; index: IndexStep; outcome: PublishOutcome };

/** How the result is reported: new version, nothing to do, index entry restored after an interrupted publish, or forced replacement. */
export type PublishOutcome = 'published' | 'unchanged' | 'repaired' | 'replaced';

export function planPublish(input: PublishInput): PublishPlan {
  const { chart, storedDigest, listed, force } = input;
  if (storedDigest !== undefined && storedDigest !== chart.digest && !force) {
    return { kind: 'refused', reason: 'tarballDiffers', existingDigest: storedDigest, localDigest: chart.digest };
  }
  if (listed?.digest !== undefined && listed.digest !== chart.digest && !force) {
    return { kind: 'refused', reason: 'indexDiffers', existingDigest: listed.digest, localDigest: chart.digest };
  }
  const tarball: TarballStep = storedDigest === undefined ? 'create' : storedDigest === chart.digest ? 'keep' : 'overwrite';
  const indexStep = planIndexStep(listed, chart.digest);
  let outcome: PublishOutcome;
  if (tarball === 'overwrite' || indexStep === 'replace') outcome = 'replaced';
  else if (tarball === 'create') outcome = 'published';
  else if (indexStep === 'add') outcome = 'repaired';
  else outcome = 'unchanged';
  return { kind: 'apply', tarball, index: indexStep, outcome };
}

export function planIndexStep(listed: Pick<IndexEntry, 'digest'> | undefined, digest: string): IndexStep {
  if (!listed) return 'add';
  return listed.digest === digest ? 'keep' : 'replace';
}

/** Jittered exponential backoff for optimistic-lock retries (full jitter, capped). */
export function retryDelayMs(attempt: number, random: number, baseMs = 50, capMs = 2_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.floor(random * ceiling);
}
