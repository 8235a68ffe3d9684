/**
 * Pure builders for helm argv arrays. Values files are named to helm
 * (`--values FILE`, read by helm itself); decrypted secrets arrive on stdin
 * (`--values -`), so they never appear in argv or on disk.
 */
export interface TemplateArgs {
  release: string;
  chart: string;
  namespace: string;
  kubeVersion: string;
  /** `--values` flags in order (default: `--values -`). */
  valuesArgs?: string[];
  setArgs?: string[];
  isUpgrade?: boolean;
  includeCrds?: boolean;
}

export function helmTemplateArgs(a: TemplateArgs): string[] {
  return [
    'template',
    a.release,
    a.chart,
    '--namespace',
    a.namespace,
    '--kube-version',
    a.kubeVersion,
    ...(a.valuesArgs ?? ['--values', '-']),
    ...(a.setArgs ?? []),
    ...(a.isUpgrade ? ['--is-upgrade'] : []),
    ...(a.includeCrds ? ['--include-crds'] : []),
  ];
}

export interface LintArgs {
  chart: string;
  namespace: string;
  kubeVersion: string;
  valuesArgs?: string[];
  setArgs?: string[];
}

export function helmLintArgs(a: LintArgs): string[] {
  return ['lint', a.chart, '--namespace', a.namespace, '--kube-version', a.kubeVersion, ...(a.valuesArgs ?? ['--values', '-']), ...(a.setArgs ?? [])];
}
