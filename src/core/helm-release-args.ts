/**
 * argv for helm's release commands, for helm 3 and helm 4 (whose flags differ:
 * helm 4 has `--wait=watcher` and `--rollback-on-failure` where helm 3 has
 * `--wait` and `--atomic`). Values files are named (`--values FILE`); decrypted secrets arrive on stdin (`--values -`).
 */
export interface ReleaseTarget {
  release: string;
  namespace: string;
  kubeContext?: string;
}

function target(t: ReleaseTarget): string[] {
  return ['--namespace', t.namespace, ...(t.kubeContext ? ['--kube-context', t.kubeContext] : [])];
}

/**
 * helm 4 applies server-side: a field someone changed by hand (kubectl scale, edit)
 * is owned by them and the apply would conflict. The chart is the source of truth
 * (as helm 3's three-way merge treats it), so take such fields back; `chartctl
 * diff --live` shows them beforehand.
 */
function takeOwnership(helmMajor: number): string[] {
  return helmMajor >= 4 ? ['--force-conflicts'] : [];
}

function waitFlag(helmMajor: number): string[] {
  return helmMajor >= 4 ? ['--wait=watcher'] : ['--wait'];
}

export interface UpgradeArgs extends ReleaseTarget {
  chart: string;
  helmMajor: number;
  wait: boolean;
  timeout: string;
  historyMax: number;
  /** helm's own rollback when the upgrade itself fails (not the tests). */
  rollbackOnFailure: boolean;
  description?: string;
  /** `--values` flags in order (default: `--values -`). */
  valuesArgs?: string[];
  setArgs?: string[];
  /** First install into a namespace that may not exist yet. */
  createNamespace?: boolean;
}

export function helmUpgradeArgs(a: UpgradeArgs): string[] {
  const rollback = a.rollbackOnFailure ? (a.helmMajor >= 4 ? ['--rollback-on-failure'] : ['--atomic']) : [];
  return [
    'upgrade',
    a.release,
    a.chart,
    '--install',
    ...target(a),
    ...(a.createNamespace ? ['--create-namespace'] : []),
    ...(a.valuesArgs ?? ['--values', '-']),
    ...(a.setArgs ?? []),
    ...(a.wait || a.rollbackOnFailure ? waitFlag(a.helmMajor) : []),
    ...rollback,
    ...takeOwnership(a.helmMajor),
    '--timeout',
    a.timeout,
    '--history-max',
    String(a.historyMax),
    ...(a.description ? ['--description', a.description] : []),
    // helm 3 names the workloads it waited on only in its debug log (stdout is never shown).
    ...(a.helmMajor < 4 && a.wait ? ['--debug'] : []),
  ];
}

export function helmRollbackArgs(t: ReleaseTarget & { revision?: number; helmMajor: number; wait: boolean; timeout: string; historyMax: number }): string[] {
  return [
    'rollback',
    t.release,
    ...(t.revision !== undefined ? [String(t.revision)] : []),
    ...target(t),
    ...(t.wait ? waitFlag(t.helmMajor) : []),
    ...takeOwnership(t.helmMajor),
    '--timeout',
    t.timeout,
    '--history-max',
    String(t.historyMax),
  ];
}

export function helmTestArgs(t: ReleaseTarget & { timeout: string }): string[] {
  return ['test', t.release, ...target(t), '--timeout', t.timeout];
}

export function helmHistoryArgs(t: ReleaseTarget & { max?: number }): string[] {
  return ['history', t.release, ...target(t), '--output', 'json', ...(t.max ? ['--max', String(t.max)] : [])];
}

export function helmStatusArgs(t: ReleaseTarget & { revision?: number }): string[] {
  return ['status', t.release, ...target(t), '--output', 'json', ...(t.revision !== undefined ? ['--revision', String(t.revision)] : [])];
}
