/** What chartctl writes into a helm revision's description so `chartctl history` can show where it came from. */
export interface Provenance {
  version: string;
  digest?: string;
  /** `s3://bucket/prefix` the tarball was pulled from, or `local` for --local. */
  source: string;
  commit?: string;
  actor?: string;
  /** Reason given with --override-freeze. */
  freezeOverride?: string;
}

const PREFIX = 'chartctl ';

/** Encodes provenance as helm's --description: readable in `helm history`, parseable by chartctl. */
export function encodeProvenance(p: Provenance): string {
  const compact = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== ''));
  return `${PREFIX}${JSON.stringify(compact)}`;
}

export function decodeProvenance(description: string | undefined): Provenance | undefined {
  if (!description?.startsWith(PREFIX)) return undefined;
  try {
    const value = JSON.parse(description.slice(PREFIX.length)) as Provenance;
    return typeof value.version === 'string' && typeof value.source === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

export const PENDING_STATUSES: ReadonlySet<string> = new Set(['pending-install', 'pending-upgrade', 'pending-rollback']);

/** One row of `helm history -o json` (helm 3 and 4 print the same fields). */
export interface HelmHistoryEntry {
  revision: number;
  updated: string;
  status: ReleaseStatus | string;
  chart: string;
  app_version: string;
  description: string;
}

export interface RevisionInfo {
  revision: number;
  updated: string;
  status: string;
  chartName: string;
  chartVersion: string;
  appVersion: string;
  description: string;
  provenance?: Provenance;
  /** From the revision's test hooks: passed, failed, or not run. */
  tests?: 'passed' | 'failed' | 'not-run';
}

/** Splits helm's `shop-1.4.0-dev.3` chart field into name and version (names may contain dashes). */
export function splitChartField(chart: string): { name: string; version: string } {
  const m = /^(.*?)-(v?\d+\.\d+\.\d+.*)$/.exec(chart);
  return m ? { name: m[1]!, version: m[2]! } : { name: chart, version: '' };
}

export function toRevisionInfo(entry: HelmHistoryEntry): RevisionInfo {
  const { name, version } = splitChartField(entry.chart);
  return {
    revision: entry.revision,
    updated: entry.updated,
    status: entry.status,
    chartName: name,
    chartVersion: version,
    appVersion: entry.app_version,
    description: entry.description,
    provenance: decodeProvenance(entry.description),
  };
}

/**
 * The default rollback target: the newest revision before the current one that
 * was deployed (now `superseded`, or `deployed`) and did not fail its tests —
 * not merely the previous number, which may be the failed one.
 */
export function chooseRollbackTarget(history: RevisionInfo[]): RevisionInfo | undefined {
  const sorted = newestFirst(history);
  const current = sorted[0];
  if (!current) return undefined;
  return sorted.find((r) => r.revision < current.revision && (r.status === 'superseded' || r.status === 'deployed') && r.tests !== 'failed');
}

/** The revision that is live now (helm marks exactly one `deployed`, or none after failures). */
export function liveRevision(history: RevisionInfo[]): RevisionInfo | undefined {
  return newestFirst(history).find((r) => r.status === 'deployed');
}

/** Whether the newest revision is stuck mid-operation (a crashed or killed helm). */
export function pendingRevision(history: RevisionInfo[]): RevisionInfo | undefined {
  const newest = newestRevision(history);
  return newest && PENDING_STATUSES.has(newest.status) ? newest : undefined;
}

/** The revisions, newest (highest number) first; the input is left as it was. */
export function newestFirst<R extends { revision: number }>(history: readonly R[]): R[] {
  return [...history].sort((a, b) => b.revision - a.revision);
}

/** The newest revision, whatever its status; undefined for an empty history. */
export function newestRevision<R extends { revision: number }>(history: readonly R[]): R | undefined {
  let newest: R | undefined;
  for (const r of history) if (!newest || r.revision > newest.revision) newest = r;
  return newest;
}
