import { schemaCacheDir, validatorCacheDir } from '../../adapters/schema-sources/cache-dirs.js';
import { CompiledValidatorStore } from '../../adapters/schema-sources/compiled-validator-store.js';
import { SchemaFetcher } from '../../adapters/schema-sources/schema-fetcher.js';
import { SchemaCompiler } from '../../core/schema/schema-compiler.js';
import type { Deps } from '../deps.js';
import { DEFAULT_SCHEMA_BASE } from './schema-registry.js';

/** What one run shares across everything it validates: fetched documents, transformed definitions, compiled validators. */
export interface SchemaSession {
  fetcher: SchemaFetcher;
  compiler: SchemaCompiler;
  transformedDocuments: Map<string, object>;
  /** Base of the default location: CHARTCTL_SCHEMA_BASE_URL, else kubeconform's. */
  defaultBase: string;
}

export interface SessionOptions {
  /** --cache DIR (must exist); default: $XDG_CACHE_HOME/chartctl/schemas. */
  cacheDir?: string;
  offline: boolean;
  insecureSkipTlsVerify: boolean;
  timeoutMs: number;
}

export function createSchemaSession(deps: Deps, options: SessionOptions): SchemaSession {
  const offline = options.offline || deps.env.CHARTCTL_OFFLINE === '1' || deps.env.CHARTCTL_OFFLINE === 'true';
  return {
    fetcher: new SchemaFetcher({
      cacheDir: schemaCacheDir(deps.env, deps.repo.root, options.cacheDir),
      offline,
      insecureSkipTlsVerify: options.insecureSkipTlsVerify,
      cwd: deps.repo.here,
      timeoutMs: options.timeoutMs,
      signal: deps.signal,
    }),
    compiler: new SchemaCompiler(new CompiledValidatorStore(validatorCacheDir(deps.env))),
    transformedDocuments: new Map(),
    defaultBase: deps.env.CHARTCTL_SCHEMA_BASE_URL?.replace(/\/+$/, '') || DEFAULT_SCHEMA_BASE,
  };
}

/** Schema locations from CHARTCTL_SCHEMA_LOCATION (comma-separated): lint and deploy, and validate without --schema-location. */
export function schemaLocationsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return (env.CHARTCTL_SCHEMA_LOCATION ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
