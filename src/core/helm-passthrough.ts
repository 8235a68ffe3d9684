import { ChartctlError } from './errors.js';

/**
 * helm flags chartctl sets itself from the environment file or its own flags. Given after `--`
 * they would silently fight chartctl's (helm takes the last one), so they are refused.
 * Each maps to what to use instead.
 */
const CONTROLLED: Record<string, string> = {
  '-n': 'the namespace comes from the environment file ("namespace:")',
  '--namespace': 'the namespace comes from the environment file ("namespace:")',
  '--kube-context': 'use chartctl\'s --kube-context, or "kubeContext:" in the environment file',
  '--kubeconfig': 'set KUBECONFIG for chartctl',
  '-f': "use chartctl's -f/--values (layered above the environment's files)",
  '--values': "use chartctl's -f/--values (layered above the environment's files)",
  '--set': "use chartctl's --set",
  '--set-string': "use chartctl's --set-string",
  '--set-json': "use chartctl's --set-json",
  '--set-file': "use chartctl's --set-file",
  '--version': "use chartctl's --version (a version from the environment's repository)",
  '--kube-version': 'the Kubernetes version comes from the environment file ("kubeVersion:")',
  '--install': 'chartctl always runs helm upgrade --install',
  '--wait': 'waiting comes from the environment file ("deploy.wait:")',
  '--atomic': 'rollback on failure comes from the environment file ("deploy.rollbackOnFailure:")',
  '--rollback-on-failure': 'rollback on failure comes from the environment file ("deploy.rollbackOnFailure:")',
  '--timeout': "use chartctl's --timeout, or \"deploy.timeout:\" in the environment file",
  '--history-max': 'the history limit comes from the environment file ("deploy.historyMax:")',
  '--description': 'chartctl records provenance in the revision description',
  '--dry-run': "use chartctl's --dry-run",
  '--output': "use chartctl's -o/--output",
  '-o': "use chartctl's -o/--output",
  '--output-dir': "use chartctl's --output-dir (template)",
  '--is-upgrade': 'diff and deploy render with --is-upgrade already',
  '--include-crds': 'chartctl decides where CRDs are rendered',
  '-g': 'the release name comes from the environment file ("release:")',
  '--generate-name': 'the release name comes from the environment file ("release:")',
};

/** The flag name of one argv word: `--namespace=x` → `--namespace`; `-nfoo` → `-n`. */
function flagName(arg: string): string | undefined {
  if (arg.startsWith('--')) return arg.split('=')[0];
  if (/^-[a-zA-Z]/.test(arg)) return arg.slice(0, 2);
  return undefined;
}

/**
 * Refuses extra helm arguments (`chartctl deploy prod -- --post-renderer ./k.sh`) that
 * name a flag chartctl controls. `command` is the chartctl command, for the message.
 */
export function checkHelmPassthrough(command: string, args: string[]): void {
  for (const arg of args) {
    const flag = flagName(arg);
    if (flag === undefined || !(flag in CONTROLLED)) continue;
    throw new ChartctlError(`"${arg}" after "--" is a helm flag chartctl ${command} sets itself; it cannot be passed through to helm.`, {
      code: 'HELM_ARG_CONTROLLED',
      hint: `${capitalised(CONTROLLED[flag]!)}. Arguments after "--" are for the other helm flags, e.g. -- --post-renderer ./kustomize.sh`,
    });
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
