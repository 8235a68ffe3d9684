import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { loadYaml } from '../../core/yaml-limits.js';
import { ChartctlError, isChartctlError } from '../../core/errors.js';

/** How to reach one cluster's API server, as a kubeconfig context describes it. */
export interface ClusterAccess {
  context: string;
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify: boolean;
  headers: Record<string, string>;
  cert?: Buffer;
  key?: Buffer;
}

/** A named kubeconfig entry and the directory of the file it came from (relative paths in it are resolved from there). */
interface Entry {
  name: string;
  value: Record<string, any>;
  dir: string;
}

/** Files named by KUBECONFIG (path list), else ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean);
  return [join(env.HOME || homedir(), '.kube', 'config')];
}

/**
 * Resolves a context (or the current-context) across the kubeconfig files,
 * merged as kubectl does: the first file that defines a name wins. Supports
 * CA/insecure, bearer tokens (inline or file), client certificates and basic
 * auth; exec/auth-provider plugins are reported as unsupported.
 */
export function resolveClusterAccess(env: NodeJS.ProcessEnv, contextName?: string): ClusterAccess {
  const files = kubeconfigFiles(env).filter((f) => existsSync(f));
  if (files.length === 0) {
    throw new ChartctlError(`No kubeconfig found (${kubeconfigFiles(env).join(', ')}).`, {
      code: 'NO_KUBECONFIG',
      hint: 'Set KUBECONFIG or create ~/.kube/config, or validate without the cluster schema source.',
    });
  }
  const contexts = new Map<string, Entry>();
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  let current: string | undefined;
  for (const file of files) {
    let doc: Record<string, any>;
    try {
      doc = (loadYaml(readFileSync(file, 'utf8'), { file }) ?? {}) as Record<string, any>;
    } catch (err) {
      if (isChartctlError(err)) throw err;
      throw new ChartctlError(`${file}: not a readable kubeconfig: ${(err as Error).message.split('\n')[0]}`, { code: 'BAD_KUBECONFIG', hint: 'Fix the file, or point KUBECONFIG elsewhere.' });
    }
    current ??= typeof doc['current-context'] === 'string' && doc['current-context'] ? doc['current-context'] : undefined;
    const dir = dirname(resolve(file));
    for (const [list, into, field] of [
      [doc.contexts, contexts, 'context'],
      [doc.clusters, clusters, 'cluster'],
      [doc.users, users, 'user'],
    ] as const) {
      for (const entry of Array.isArray(list) ? list : []) {
        if (typeof entry?.name === 'string' && !into.has(entry.name)) into.set(entry.name, { name: entry.name, value: entry[field] ?? {}, dir });
      }
    }
  }
  const name = contextName ?? current;
  if (!name) throw new ChartctlError('The kubeconfig has no current-context and no context was named.', { code: 'NO_KUBE_CONTEXT', hint: 'Set kubeContext in the environment file, or pass --kube-context NAME.' });
  const context = contexts.get(name);
  if (!context) {
    throw new ChartctlError(`Kube context "${name}" is not in the kubeconfig (${files.join(', ')}). Known: ${[...contexts.keys()].join(', ') || '(none)'}.`, {
      code: 'NO_KUBE_CONTEXT',
      hint: 'Fix kubeContext in the environment file or --kube-context, or add the context to your kubeconfig.',
    });
  }
  const cluster = clusters.get(String(context.value.cluster ?? ''));
  if (!cluster || typeof cluster.value.server !== 'string') {
    throw new ChartctlError(`Kube context "${name}" names cluster "${context.value.cluster}", which has no server in the kubeconfig.`, { code: 'BAD_KUBECONFIG', hint: 'Add the cluster entry with its server URL.' });
  }
  const user = users.get(String(context.value.user ?? ''))?.value ?? {};
  const userDir = users.get(String(context.value.user ?? ''))?.dir ?? cluster.dir;
  if (user.exec || user['auth-provider']) {
    throw new ChartctlError(`Kube context "${name}" authenticates with an ${user.exec ? 'exec' : 'auth-provider'} plugin, which chartctl does not run (it reads the cluster's API itself).`, {
      code: 'UNSUPPORTED_KUBE_AUTH',
      hint: 'Use a context with a token or client certificate (for validate: or --schema-location instead of the cluster).',
    });
  }
  const headers: Record<string, string> = {};
  const token = user.token ?? (user.tokenFile ? readFileSync(fileAt(userDir, user.tokenFile), 'utf8').trim() : undefined);
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (user.username && user.password) headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const c = cluster.value;
  return {
    context: name,
    server: c.server.replace(/\/+$/, ''),
    ca: pem(c['certificate-authority-data'], c['certificate-authority'], cluster.dir),
    insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true,
    headers,
    cert: pem(user['client-certificate-data'], user['client-certificate'], userDir),
    key: pem(user['client-key-data'], user['client-key'], userDir),
  };
}

function fileAt(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

function pem(data: unknown, file: unknown, dir: string): Buffer | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) return readFileSync(fileAt(dir, file));
  return undefined;
}
