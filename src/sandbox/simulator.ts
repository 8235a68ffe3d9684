/**
 * chartctl sandbox: a LOCAL Kubernetes API simulator that the real helm
 * binary (3.17 and 4.1) and kubectl can install, upgrade, wait on, test and
 * roll back against. It is not a cluster: nothing runs, state lives in memory
 * of this process. What it does and does not do is written down in
 * docs/sandbox.md.
 *
 * In-process use (tests):
 *   const sim = await startSimulator({ readinessDelayMs: 100 });
 *   writeFileSync(kubeconfigPath, sim.kubeconfig());
 *   sim.injectFault('shop/Deployment/shop-api', 'never-ready');
 *   sim.release('shop', 'shop')?.version;
 *   await sim.close();
 */
import { writeFileSync } from 'node:fs';
import { adminHandler } from './admin-api.js';
import { ApiServer } from './api-server.js';
import { Cluster } from './cluster.js';
import { Controllers } from './controllers.js';
import { EndpointSliceController } from './endpoint-slices.js';
import { FaultRegistry, type RequestFault, type RequestFaultSpec, type WorkloadFault } from './faults.js';
import { kubeconfigYaml } from './kubeconfig.js';
import type { KubeObject } from './object-store.js';
import { decodeReleaseObject, isReleaseObject, type DecodedRelease } from './release-decoder.js';

export interface SimulatorOptions {
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** How long workloads take to become ready after a change (default 300 ms). */
  readinessDelayMs?: number;
  /** Reported by /version (default 1.33). */
  kubeVersion?: string;
  /** One line per API request, to see what a client sends. */
  log?: (line: string) => void;
  /** Called when POST /__sandbox/shutdown asks the process to stop. */
  onShutdown?: () => void;
}

export interface SimulatorStats {
  requests: number;
  handlingMs: number;
  watches: number;
  objects: number;
  resourceVersion: number;
}

export interface Simulator {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  readonly cluster: Cluster;
  readonly faults: FaultRegistry;
  readonly readinessDelayMs: number;
  /** A kubeconfig (context `sandbox`, plus `aliases`, e.g. the environments' kubeContexts) pointing at this simulator. */
  kubeconfig(options?: { namespace?: string; aliases?: string[] }): string;
  writeKubeconfig(path: string, options?: { namespace?: string; aliases?: string[] }): void;
  /** `namespace/Kind/name` (cluster-scoped: `/Kind/name`), or `namespace/release/NAME` for every workload of a helm release -> never-ready | fail | clear. */
  injectFault(target: string, fault: WorkloadFault | 'clear'): void;
  addRequestFault(spec: RequestFaultSpec): RequestFault;
  clearFaults(): void;
  setReadinessDelay(ms: number): void;
  /** Stored objects, optionally filtered by kind and namespace (release Secrets included). */
  listObjects(filter?: { kind?: string; namespace?: string }): KubeObject[];
  getObject(kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Every stored helm release revision, oldest first. */
  releases(namespace?: string, name?: string): DecodedRelease[];
  /** One release revision (the latest when `revision` is omitted). */
  release(namespace: string, name: string, revision?: number): DecodedRelease | undefined;
  stats(): SimulatorStats;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const kubeVersion = options.kubeVersion ?? '1.33';
  const cluster = new Cluster();
  const faults = new FaultRegistry();
  const controllers = new Controllers(cluster, faults, { readinessDelayMs: options.readinessDelayMs ?? 300 }, (err) =>
    options.log?.(`controller error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
  controllers.start();
  const endpointSlices = new EndpointSliceController(cluster, (err) => options.log?.(`endpointslice controller error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  endpointSlices.start();
  let simulator: Simulator | undefined;
  const api = new ApiServer({
    cluster,
    faults,
    kubeVersion,
    log: options.log,
    admin: adminHandler(() => simulator!, () => options.onShutdown?.()),
  });
  const port = await api.listen(host, options.port ?? 0);
  const url = `http://${host}:${port}`;

  const listObjects = (filter: { kind?: string; namespace?: string } = {}) =>
    cluster.store
      .storageKeys()
      .flatMap((key) => cluster.store.list(key, filter.namespace))
      .filter((o) => !filter.kind || o.kind === filter.kind)
      .map((o) => structuredClone(o));

  const releases = (namespace?: string, name?: string) =>
    listObjects({ namespace })
      .filter(isReleaseObject)
      .filter((o) => !name || o.metadata.labels?.name === name)
      .map(decodeReleaseObject)
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.version - b.version);

  simulator = {
    url,
    port,
    cluster,
    faults,
    get readinessDelayMs() {
      return controllers.settings.readinessDelayMs;
    },
    kubeconfig: (o) => kubeconfigYaml(url, o),
    writeKubeconfig: (path, o) => writeFileSync(path, kubeconfigYaml(url, o), { mode: 0o600 }),
    injectFault(target, fault) {
      const parts = target.split('/');
      if (parts.length !== 3 || !parts[1] || !parts[2]) throw new Error(`fault target "${target}" must be namespace/Kind/name or namespace/release/NAME (e.g. shop/Deployment/shop-api, shop/release/shop-green)`);
      if (!['never-ready', 'fail', 'clear'].includes(fault)) throw new Error(`fault "${fault}" must be never-ready, fail or clear`);
      const [namespace, kind, name] = parts as [string, string, string];
      faults.setWorkloadFault(namespace, kind, name, fault);
      controllers.poke(namespace, kind, name);
    },
    addRequestFault: (spec) => faults.addRequestFault(spec),
    clearFaults() {
      const targets = faults.listWorkloadFaults();
      faults.clearAll();
      for (const { target } of targets) {
        const [namespace = '', kind = '', name = ''] = target.split('/');
        controllers.poke(namespace, kind, name);
      }
    },
    setReadinessDelay(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`readiness delay must be a non-negative number of milliseconds (got ${ms})`);
      controllers.settings.readinessDelayMs = ms;
    },
    listObjects,
    getObject: (kind, namespace, name) => listObjects({ kind, namespace: namespace || undefined }).find((o) => o.metadata.name === name),
    releases,
    release(namespace, name, revision) {
      const all = releases(namespace, name);
      return revision === undefined ? all[all.length - 1] : all.find((r) => r.version === revision);
    },
    stats: () => ({ ...api.stats, objects: listObjects().length, resourceVersion: cluster.store.resourceVersion }),
    async close() {
      controllers.stop();
      endpointSlices.stop();
      await api.close();
    },
  };
  return simulator;
}
