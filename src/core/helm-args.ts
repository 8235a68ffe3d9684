/**
 * Pure builders for helm argv arrays. Values always arrive on stdin
 * (`--values -`), so decrypted secrets never appear in argv or on disk.
 */
export interface TemplateArgs {
  release: string;
  chart: string;
  namespace: string;
  kubeVersion: string;
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
    '--values',
    '-',
    ...(a.setArgs ?? []),
    ...(a.isUpgrade ? ['--is-upgrade'] : []),
    ...(a.includeCrds ? ['--include-crds'] : []),
  ];
}

export interface LintArgs {
  chart: string;
  namespace: string;
  kubeVersion: string;
  setArgs?: string[];
}

export function helmLintArgs(a: LintArgs): string[] {
  return ['lint', a.chart, '--namespace', a.namespace, '--kube-version', a.kubeVersion, '--values', '-', ...(a.setArgs ?? [])];
}
