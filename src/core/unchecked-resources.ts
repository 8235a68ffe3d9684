import { counted } from './plural.js';

/**
 * Why some of an environment's resources were not schema-checked. The cause is seldom the
 * environment's own (no network, no cache, a location that does not exist), so environments
 * that share it are told once (src/core/shared-findings.ts); each keeps its own count.
 */
export type Unchecked =
  /** The schemas' source could not be read: not in the cache and no network, or a download failed. */
  | { kind: 'schema-source'; reason: string; resources: number }
  /** The schema registry could not be set up (a bad location, an unusable cache directory). */
  | { kind: 'schema-setup'; reason: string; resources: number }
  /** The locations have no schema for one kind. */
  | { kind: 'missing-schema'; resourceKind: string; resources: number };

/** The warning's text; `env` is the one whose validate run would fill the cache. */
export function uncheckedMessage(unchecked: Unchecked, env: string): string {
  const notChecked = `${counted(unchecked.resources, 'resource')} not schema-checked`;
  switch (unchecked.kind) {
    case 'schema-source':
      return `schemas unavailable, ${notChecked}: ${unchecked.reason}. Point CHARTCTL_SCHEMA_LOCATION at a local kubernetes-json-schema directory or _definitions.json, or run "chartctl validate ${env}" once with network access to fill the cache.`;
    case 'schema-setup':
      return `schemas unavailable: ${unchecked.reason}`;
    case 'missing-schema':
      return `no schema for ${unchecked.resourceKind} (${notChecked}); add its CRD to the chart or a location to CHARTCTL_SCHEMA_LOCATION`;
  }
}

/** Equal for the same cause in any environment, whatever the count. */
export function uncheckedCause(unchecked: Unchecked): string {
  return unchecked.kind === 'missing-schema' ? `${unchecked.kind}\0${unchecked.resourceKind}` : `${unchecked.kind}\0${unchecked.reason}`;
}
