import type { DeployStrategy } from './strategy/strategy-config.js';

/** One deployment target, as written in `environments/<name>.yaml` (paths relative to the repository root). */
export interface Environment {
  name: string;
  /** Absolute path of the environment file, for error messages. */
  file: string;
  chart: string;
  release: string;
  namespace: string;
  kubeContext?: string;
  kubeVersion: string;
  repository: RepositoryConfig;
  values: string[];
  /** Environment variables `*.hbs` values files may read: names, or prefixes ending in `*` (see values-env-policy.ts). */
  valuesEnv: string[];
  secrets: string[];
  promotion: PromotionRules;
  deploy: DeploySettings;
  /** Lint policy overrides: policy id → severity. */
  policies: Record<string, 'error' | 'warning' | 'off'>;
  /** service name → dotted values path of its image tag, when not `<service>.image.tag`. */
  images: Record<string, string>;
  freeze: FreezeWindow[];
}

/** An environment's chart repository: an S3 prefix with an index.yaml, or an OCI registry repository. */
export type RepositoryConfig = S3RepositoryConfig | OciRepositoryConfig;

export interface S3RepositoryConfig {
  kind?: 's3';
  /** `s3://bucket/prefix` */
  url: string;
  bucket: string;
  /** Key prefix without leading/trailing slash; '' for the bucket root. */
  prefix: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
}

/** `oci://host[:port]/path`: each chart is the repository `path/<chart>`, each version a tag (as `helm push` lays it out). */
export interface OciRepositoryConfig {
  kind: 'oci';
  /** `oci://host[:port]/path` */
  url: string;
  /** `host[:port]`, lower-cased. */
  registry: string;
  /** Repository path under the registry without leading/trailing slash ('' for the root). */
  path: string;
  /** Speak HTTP instead of HTTPS (local registries; loopback only unless `insecure` is also set). */
  plainHttp: boolean;
  /** Accept a TLS certificate that does not verify, or plain HTTP on a non-loopback host. */
  insecure: boolean;
}

export function isOciRepository(config: RepositoryConfig): config is OciRepositoryConfig {
  return config.kind === 'oci';
}

export interface PromotionRules {
  from?: string;
  allowPrerelease: boolean;
  requireApproval: boolean;
  requireDeployedIn?: string;
}

export interface DeploySettings {
  /** Go duration as helm takes it, e.g. `5m`. */
  timeout: string;
  wait: boolean;
  tests: boolean;
  rollbackOnFailure: boolean;
  historyMax: number;
  /** rolling (helm upgrade in place), blue/green slots or a canary release. */
  strategy: DeployStrategy;
  /** A pending-* release whose lock holder is gone is rolled back by deploy itself (default: refused, with how to recover). */
  recoverStuck: boolean;
}

export interface FreezeWindow {
  from: string;
  to: string;
  reason?: string;
}

/** How a version reaches an environment's repository: promoted from the one before it, or, for the first, published. */
export function howVersionsArrive(env: Pick<Environment, 'name' | 'promotion'>): string {
  return env.promotion.from ? `chartctl promote ${env.promotion.from} ${env.name}` : `chartctl publish ${env.name}`;
}
