import { ChartctlError } from '../../core/errors.js';
import type { Deps } from '../deps.js';

/** What `init --from-helm-release` reads of a live release through helm. */
export interface LiveRelease {
  release: string;
  namespace: string;
  /** Chart name and version the release runs (helm get metadata). */
  chart: string;
  chartVersion: string;
  revision: number;
  /** The user-supplied values (helm get values -o yaml), as YAML. */
  values: string;
}

export async function readLiveRelease(deps: Deps, release: string, namespace: string | undefined, kubeContext: string | undefined): Promise<LiveRelease> {
  const scope = [...(namespace ? ['--namespace', namespace] : []), ...(kubeContext ? ['--kube-context', kubeContext] : [])];
  const helm = deps.helm();
  const where = `${release}${namespace ? ` in namespace ${namespace}` : ''}${kubeContext ? ` (context ${kubeContext})` : ''}`;
  const metadataRun = await helm.run(['get', 'metadata', release, ...scope, '--output', 'json'], { okExitCodes: [1] });
  if (metadataRun.exitCode !== 0) {
    throw new ChartctlError(`Cannot read the helm release ${where}: ${metadataRun.stderr.trim().split('\n').pop() ?? 'helm get metadata failed'}.`, {
      code: 'INIT_RELEASE_NOT_FOUND',
      hint: 'Check the name with helm list -A; pass --namespace and --kube-context as you would to helm.',
    });
  }
  const metadata = JSON.parse(metadataRun.stdout) as { name: string; chart: string; version: string; namespace: string; revision: number };
  const valuesRun = await helm.run(['get', 'values', release, ...scope, '--output', 'yaml']);
  const values = valuesRun.stdout.trim() === 'null' || valuesRun.stdout.trim() === '' ? '{}\n' : valuesRun.stdout;
  return { release: metadata.name, namespace: metadata.namespace, chart: metadata.chart, chartVersion: metadata.version, revision: metadata.revision, values: values.endsWith('\n') ? values : `${values}\n` };
}
