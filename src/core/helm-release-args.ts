import { NEWEST_HEADER_TEMPLATE } from './newest-release.js';

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
 * helm 4 applying server-side: a field someone changed by hand (kubectl scale,
 * edit) is owned by them and the apply would conflict. The chart is the source
 * of truth (as helm 3's three-way merge treats it), so take such fields back;
 * `chartctl diff --live` shows them beforehand. helm refuses the flag when it
 * applies client-side (a release helm 3 wrote, see `appliesServerSide`).
 */
function takeOwnership(helmMajor: number, serverSide: boolean | undefined): string[] {
  return helmMajor >= 4 && serverSide ? ['--force-conflicts'] : [];
}

/**
 * Whether helm 4 (with its default `--server-side=auto`) applies server-side:
 * an install always does; an upgrade does as the newest stored revision was
 * applied, a rollback as its target was (`apply_method` in `helm status -o
 * json`; helm 3 records none, which means client-side).
 */
export function appliesServerSide(applyMethod: string | undefined, releaseExists: boolean): boolean {
  return !releaseExists || applyMethod === 'ssa';
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
  /** helm 4 will apply server-side (see appliesServerSide): then it takes fields changed by hand back. */
  serverSide?: boolean;
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
    ...takeOwnership(a.helmMajor, a.serverSide),
    '--timeout',
    a.timeout,
    '--history-max',
    String(a.historyMax),
    ...(a.description ? ['--description', a.description] : []),
    // helm 3 names the workloads it waited on only in its debug log (stdout is never shown).
    ...(a.helmMajor < 4 && a.wait ? ['--debug'] : []),
  ];
}

export function helmRollbackArgs(t: ReleaseTarget & { revision?: number; helmMajor: number; wait: boolean; timeout: string; historyMax: number; serverSide?: boolean }): string[] {
  return [
    'rollback',
    t.release,
    ...(t.revision !== undefined ? [String(t.revision)] : []),
    ...target(t),
    ...(t.wait ? waitFlag(t.helmMajor) : []),
    ...takeOwnership(t.helmMajor, t.serverSide),
    '--timeout',
    t.timeout,
    '--history-max',
    String(t.historyMax),
  ];
}

/** `helm uninstall --wait`: a canary release's objects are gone when it returns. */
export function helmUninstallArgs(t: ReleaseTarget & { timeout: string }): string[] {
  return ['uninstall', t.release, ...target(t), '--wait', '--timeout', t.timeout];
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

/**
 * `helm get all` printing only a revision's manifest and its hooks (each under helm's
 * `# Source:` line): one helm call that reads the release record alone, where helm 4's
 * `status` also reads every live object. Plain Go template: helm gives `get --template` no sprig.
 */
export function helmGetManifestWithHooksArgs(t: ReleaseTarget & { revision?: number }): string[] {
  return ['get', 'all', t.release, ...target(t), ...(t.revision !== undefined ? ['--revision', String(t.revision)] : []), '--template', MANIFEST_WITH_HOOKS_TEMPLATE];
}

/**
 * The same `helm get all` for the newest revision (helm's storage Last(), the newest row of
 * `helm history`), its number, status and chart first on a header line (see parseNewestWithManifest).
 */
export function helmGetNewestWithManifestArgs(t: ReleaseTarget): string[] {
  return ['get', 'all', t.release, ...target(t), '--template', NEWEST_HEADER_TEMPLATE + MANIFEST_WITH_HOOKS_TEMPLATE];
}

const MANIFEST_WITH_HOOKS_TEMPLATE = '{{ .Release.Manifest }}{{ range .Release.Hooks }}\n---\n# Source: {{ .Path }}\n{{ .Manifest }}{{ end }}';
