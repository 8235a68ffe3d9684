import { ChartctlError } from '../core/errors.js';
import { decodeReleaseData, releaseObjectName } from '../core/helm-release-record.js';
import { httpGet } from './schema-sources/http-get.js';
import type { ClusterAccess } from './schema-sources/kubeconfig.js';

/** What helm's storage holds for one revision of a release, read from the cluster. */
export type StoredRelease = { kind: 'found'; record: Record<string, any> } | { kind: 'absent' };

/** helm's default release storage (the Secret driver) in a cluster. */
export interface ReleaseStorage {
  /** The context the reads go to. */
  readonly context: string;
  read(release: string, namespace: string, revision: number): Promise<StoredRelease>;
}

/** Reads the storage objects over the cluster's API with the kubeconfig's credentials, as helm does. */
export class KubeReleaseStorage implements ReleaseStorage {
  readonly context: string;
  constructor(private readonly access: ClusterAccess, private readonly signal?: AbortSignal) {
    this.context = access.context;
  }

  async read(release: string, namespace: string, revision: number): Promise<StoredRelease> {
    const name = releaseObjectName(release, revision);
    const secret = await this.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, `Secret ${namespace}/${name}`);
    return secret ? { kind: 'found', record: this.decode(secret, `Secret ${namespace}/${name}`) } : { kind: 'absent' };
  }

  /** The object, or undefined when the API says 404. */
  private async get(path: string, what: string): Promise<Record<string, any> | undefined> {
    const a = this.access;
    let res;
    try {
      res = await httpGet(`${a.server}${path}`, { headers: a.headers, ca: a.ca, cert: a.cert, key: a.key, insecureSkipTlsVerify: a.insecureSkipTlsVerify, timeoutMs: 30_000, signal: this.signal });
    } catch (err) {
      throw new ChartctlError(`Cannot reach the cluster of context ${a.context} (${a.server}) to read ${what}: ${(err as Error).message}.`, {
        code: 'INIT_NO_CLUSTER',
        hint: 'Check the kubeconfig context (--kube-context) and that the cluster is reachable, as for helm.',
      });
    }
    if (res.status === 404) return undefined;
    if (res.status !== 200) {
      throw new ChartctlError(`The cluster of context ${a.context} refused to read ${what} (HTTP ${res.status}).`, {
        code: 'INIT_RELEASE_UNREADABLE',
        hint: res.status === 401 || res.status === 403 ? 'Adopting reads the release record helm stores: the kubeconfig user needs get on secrets in that namespace.' : 'Retry; if it persists, check the API server.',
      });
    }
    return JSON.parse(res.body.toString('utf8')) as Record<string, any>;
  }

  private decode(object: Record<string, any>, what: string): Record<string, any> {
    const stored = object.data?.release;
    try {
      if (typeof stored !== 'string') throw new Error('it has no data.release');
      return decodeReleaseData('Secret', stored);
    } catch (err) {
      throw new ChartctlError(`${what} is not a helm release record: ${(err as Error).message}.`, {
        code: 'INIT_BAD_RELEASE_RECORD',
        hint: 'The release was not written by helm 3 or 4 (or was altered); adopt with --chart DIR from the chart\'s source instead.',
      });
    }
  }
}
