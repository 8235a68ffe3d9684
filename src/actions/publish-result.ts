import type { PublishOutcome } from '../core/publish-plan.js';

/** What `chartctl publish` reports, to an S3 repository or an oci:// one. */
export interface PublishResult {
  env: string;
  repository: string;
  chart: string;
  version: string;
  digest: string;
  /** Object key of the tarball; for oci://, `host/path/chart:tag`. */
  key: string;
  outcome: PublishOutcome;
  /** Index read-modify-write cycles (more than 1 means concurrent writers were detected and merged; 0 for oci://, which has no index). */
  indexAttempts: number;
  /** oci:// only: the manifest digest the version's tag names. */
  manifestDigest?: string;
}
