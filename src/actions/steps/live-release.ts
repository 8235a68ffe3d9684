import { ChartctlError, isChartctlError } from '../../core/errors.js';
import { releaseChartFiles, type ReleaseChart } from '../../core/init/release-chart.js';
import { releaseObjectName } from '../../core/helm-release-record.js';
import type { ReleaseStorage } from '../../adapters/release-storage.js';
import type { Deps } from '../deps.js';

/** What `init --from-helm-release` reads of a live release: through helm, and the chart from helm's release record. */
export interface LiveRelease {
  release: string;
  namespace: string;
  /** Chart name and version the release runs (helm get metadata). */
  chart: string;
  chartVersion: string;
  revision: number;
  /** The user-supplied values (helm get values -o yaml), as YAML. */
  values: string;
  /** The chart as the release record holds it (helm get shows no templates), and the subcharts it does not hold. */
  releaseChart: ReleaseChart;
}

/** HELM_DRIVER values that keep releases in Secrets (helm's default). */
const SECRET_DRIVERS = new Set(['', 'secret', 'secrets']);

export async function readLiveRelease(deps: Pick<Deps, 'env' | 'helm' | 'releaseStorage'>, release: string, namespace: string | undefined, kubeContext: string | undefined): Promise<LiveRelease> {
  const storage = clusterStorage(deps, kubeContext);
  const scope = [...(namespace ? ['--namespace', namespace] : []), ...(kubeContext ? ['--kube-context', kubeContext] : [])];
  const helm = deps.helm();
  const where = `${release}${namespace ? ` in namespace ${namespace}` : ''}${kubeContext ? ` (context ${kubeContext})` : ''}`;
  const metadataRun = await helm.run(['get', 'metadata', release, ...scope, '--output', 'json'], { okExitCodes: [1] });
  if (metadataRun.exitCode !== 0) {
    const said = metadataRun.stderr.trim().split('\n').pop() || 'helm get metadata failed';
    // helm's words when it never reached the API server, as opposed to a release it looked for and did not find.
    const unreachable = /cluster unreachable|connection refused|no such host|i\/o timeout|dial tcp/i.test(said);
    throw new ChartctlError(`Cannot read the helm release ${where}: ${said.replace(/\.$/, '')}.`, {
      code: unreachable ? 'INIT_NO_CLUSTER' : 'INIT_RELEASE_NOT_FOUND',
      hint: unreachable
        ? `Check that the cluster of context ${storage.context} is up and reachable (helm could not talk to it).`
        : 'Check the name with helm list -A; pass --namespace and --kube-context as you would to helm.',
    });
  }
  const metadata = JSON.parse(metadataRun.stdout) as { name: string; chart: string; version: string; namespace: string; revision: number };
  const found = `helm found release ${metadata.name} revision ${metadata.revision} in namespace ${metadata.namespace}`;
  const driver = (deps.env.HELM_DRIVER ?? '').toLowerCase();
  if (!SECRET_DRIVERS.has(driver)) {
    throw new ChartctlError(`${found} in its ${driver} storage (HELM_DRIVER=${deps.env.HELM_DRIVER}); chartctl reads the chart only from helm's default Secret storage.`, {
      code: 'INIT_RELEASE_STORAGE',
      hint: 'Adopt with --chart DIR from the chart\'s source (and --from-helm-release for its values once it is in Secrets), or migrate the release to the Secret driver.',
    });
  }
  const stored = await storage.read(metadata.name, metadata.namespace, metadata.revision);
  if (stored.kind === 'absent') {
    throw new ChartctlError(`${found}, but context ${storage.context} has no Secret ${metadata.namespace}/${releaseObjectName(metadata.name, metadata.revision)} to read its chart from.`, {
      code: 'INIT_RELEASE_STORAGE',
      hint: 'Name the cluster\'s context with --kube-context, or adopt with --chart DIR from the chart\'s source.',
    });
  }
  const releaseChart = releaseChartFiles(stored.record.chart, `Secret ${metadata.namespace}/${releaseObjectName(metadata.name, metadata.revision)}`);
  const valuesRun = await helm.run(['get', 'values', release, ...scope, '--output', 'yaml']);
  const values = valuesRun.stdout.trim() === 'null' || valuesRun.stdout.trim() === '' ? '{}\n' : valuesRun.stdout;
  return {
    release: metadata.name,
    namespace: metadata.namespace,
    chart: metadata.chart,
    chartVersion: metadata.version,
    revision: metadata.revision,
    values: values.endsWith('\n') ? values : `${values}\n`,
    releaseChart,
  };
}

/** The cluster of the kubeconfig context, before helm is asked anything: no cluster is its own clear refusal. */
function clusterStorage(deps: Pick<Deps, 'env' | 'releaseStorage'>, kubeContext: string | undefined): ReleaseStorage {
  try {
    // The context helm itself talks to: --kube-context, else HELM_KUBECONTEXT, else the current one.
    return deps.releaseStorage(kubeContext ?? (deps.env.HELM_KUBECONTEXT || undefined));
  } catch (err) {
    if (!isChartctlError(err) || !['NO_KUBECONFIG', 'NO_KUBE_CONTEXT', 'BAD_KUBECONFIG', 'UNSUPPORTED_KUBE_AUTH'].includes(err.code)) throw err;
    throw new ChartctlError(`--from-helm-release needs the cluster the release runs in: ${err.message}`, {
      code: 'INIT_NO_CLUSTER',
      hint: 'Point KUBECONFIG (or --kube-context) at the cluster, as for helm; chartctl reads the release record helm stores there.',
    });
  }
}
