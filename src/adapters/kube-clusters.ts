import { ChartctlError } from '../core/errors.js';
import { kubeRequest, type KubeResponse } from './kube-api.js';
import { resolveClusterAccess, type ClusterAccess } from './schema-sources/kubeconfig.js';

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Kubernetes API calls on the cluster a kubeconfig context names (the current
 * one when none is named), the kubeconfig read once per context. Each adapter
 * words the error for a cluster it cannot reach (`unreachable`), since only it
 * knows what the call was for.
 */
export class KubeClusters {
  private access = new Map<string, ClusterAccess>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly signal?: AbortSignal,
  ) {}

  async call(kubeContext: string | undefined, method: string, path: string, body: unknown, unreachable: (err: Error, access: ClusterAccess) => ChartctlError): Promise<KubeResponse> {
    const key = kubeContext ?? '';
    let access = this.access.get(key);
    if (!access) this.access.set(key, (access = resolveClusterAccess(this.env, kubeContext)));
    try {
      return await kubeRequest(access, method, path, { body, timeoutMs: REQUEST_TIMEOUT_MS, signal: this.signal });
    } catch (err) {
      throw unreachable(err as Error, access);
    }
  }
}

/** The error for a cluster that cannot be reached, for `what` in `namespace`. */
export function clusterUnreachable(what: string, namespace: string): (err: Error) => ChartctlError {
  return (err) => new ChartctlError(`Cannot reach the cluster for ${what} in ${namespace}: ${err.message}.`, { code: 'CLUSTER_UNREACHABLE', hint: 'Check the kube context (kubeContext or --kube-context) and that the API server is up.' });
}
