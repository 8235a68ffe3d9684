import { ChartctlError } from './errors.js';
import type { JsonValue } from './go-yaml-style.js';
import { isValidChartVersion } from './chart-version.js';

/** A chart version as an index lists it, or as a tarball's own Chart.yaml says. */
export interface ChartIdentity {
  name: string;
  version: string;
}

/**
 * The tarball's own name and version, when they differ from what the index
 * lists (undefined when they agree). An index is just a file anyone with write
 * access to the bucket can edit; the Chart.yaml inside the verified bytes is
 * what helm installs, so every rule about a version must see that one.
 */
export function identityMismatch(listed: ChartIdentity, metadata: Record<string, JsonValue>): ChartIdentity | undefined {
  const actual = { name: String(metadata.name), version: String(metadata.version) };
  return actual.name === listed.name && actual.version === listed.version ? undefined : actual;
}

export function chartIdentityMismatch(where: { env: string; key: string }, listed: ChartIdentity, actual: ChartIdentity): ChartctlError {
  return new ChartctlError(
    `Refusing ${listed.name} ${listed.version}: the ${where.env} index lists ${where.key} as ${listed.name} ${listed.version}, but the tarball's own Chart.yaml says ${JSON.stringify(actual.name)} version ${JSON.stringify(actual.version)}. Nothing was changed in the cluster or any repository.`,
    {
      code: 'CHART_IDENTITY_MISMATCH',
      hint: `Someone rewrote the ${where.env} index or replaced the tarball. Do not use this entry: run "chartctl repo verify ${where.env}", investigate, and rebuild the index from the tarballs with "chartctl repo reindex ${where.env}".`,
    },
  );
}

/**
 * The chart a `<name>-<version>.tgz` object name claims (the name `helm package`,
 * publish and promote give a tarball), or undefined for any other name.
 */
export function identityOfObjectName(objectName: string): ChartIdentity | undefined {
  const base = objectName.endsWith('.tgz') ? objectName.slice(0, -'.tgz'.length) : undefined;
  if (!base) return undefined;
  for (let dash = base.indexOf('-'); dash > 0; dash = base.indexOf('-', dash + 1)) {
    const version = base.slice(dash + 1);
    if (isValidChartVersion(version)) return { name: base.slice(0, dash), version };
  }
  return undefined;
}

/** A stored object whose name claims another chart version than its own Chart.yaml: refused by reindex, which would otherwise index the impostor. */
export function objectNameMismatch(where: { env: string; key: string }, claimed: ChartIdentity, actual: ChartIdentity): ChartctlError {
  return new ChartctlError(
    `Refusing ${where.key}: its name says ${claimed.name} ${claimed.version}, but the tarball's own Chart.yaml says ${JSON.stringify(actual.name)} version ${JSON.stringify(actual.version)}. Nothing was written.`,
    {
      code: 'CHART_IDENTITY_MISMATCH',
      hint: `Someone stored a tarball under another version's name in the ${where.env} repository. Investigate, delete or rename ${where.key} (as ${actual.name}-${actual.version}.tgz), then run "chartctl repo reindex ${where.env}" again.`,
    },
  );
}
