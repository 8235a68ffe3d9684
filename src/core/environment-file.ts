import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import { ChartctlError } from './errors.js';
import { parseLocatedYaml, parseYamlFast } from './yaml-source.js';
import { environmentFormats, environmentSchema } from './environment-schema.js';
import type { Environment, OciRepositoryConfig, RepositoryConfig, S3RepositoryConfig } from './environment.js';
import { repositoryKeyProblems } from './oci-repository-url.js';
import { deniedValuesEnvEntry } from './values-env-policy.js';
import { strategyProblems, toStrategy } from './strategy/strategy-config.js';

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
let compiled: Validator | undefined;

/**
 * The build compiles the schema to standalone code (scripts/build-validators.mjs);
 * compiling it here is the fallback when running without that step.
 */
function validator(): Validator {
  if (!compiled) {
    try {
      compiled = createRequire(import.meta.url)('./generated/environment-validator.cjs') as Validator;
    } catch {
      // Bound to a name first: TypeScript drops the parentheses of `new (x as T)(…)`, which changes what `new` applies to.
      const AjvClass = createRequire(import.meta.url)('ajv').Ajv as typeof Ajv;
      const ajv = new AjvClass({ allErrors: true, strict: false });
      for (const [name, pattern] of Object.entries(environmentFormats)) ajv.addFormat(name, pattern);
      compiled = ajv.compile(environmentSchema) as Validator;
    }
  }
  return compiled;
}

/** Environment names become file names and release labels: keep them simple. */
export const ENVIRONMENT_NAME = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;

/**
 * Parses and validates one environment file. Every problem is reported with
 * file:line:col and what was expected; all problems at once, not just the first.
 */
export function parseEnvironment(name: string, file: string, text: string): Environment {
  // Fast path: js-yaml and the compiled schema; positions are only computed when something is wrong.
  const raw = parseYamlFast(text, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ChartctlError(`${file}:1:1: an environment file must be a YAML mapping (chart, release, namespace, kubeVersion, repository, ...).`, {
      code: 'ENV_INVALID',
      hint: 'See "Environment file reference" in the README for the keys.',
    });
  }
  const validate = validator();
  const valid = validate(raw);
  // Checked past the schema: a credential name in valuesEnv is well-formed, and still never allowed.
  const deniedEnv = valid ? deniedValuesEnv((raw as { valuesEnv?: string[] }).valuesEnv ?? []) : [];
  // Checked past the schema: keys of the other repository kind, and plain HTTP off loopback without insecure.
  const repositoryProblems = valid ? repositoryKeyProblems((raw as { repository: RawRepository }).repository) : [];
  const strategy = valid ? strategyProblems((raw as { deploy?: { strategy?: unknown } }).deploy?.strategy) : [];
  if (!valid || deniedEnv.length > 0 || repositoryProblems.length > 0 || strategy.length > 0) {
    const doc = parseLocatedYaml(text, file);
    const problems = [
      ...(validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => describe(e, (p, at) => doc.where(p, at), raw)),
      ...deniedEnv.map(({ index, reason }) => `${doc.where(['valuesEnv', index])}: "valuesEnv.${index}": ${reason}`),
      ...repositoryProblems.map(({ key, reason }) => `${doc.where(['repository', key], key === 'url' ? 'value' : 'key')}: "repository.${key}": ${reason}`),
      ...strategy.map(({ path, message }) => `${doc.where(path)}: "${path.join('.')}": ${message}`),
    ];
    throw new ChartctlError(`${file}: invalid environment "${name}":\n${[...new Set(problems)].map((p) => `  ${p}`).join('\n')}`, {
      code: 'ENV_INVALID',
      hint: 'Fix the keys above; the README section "Environment file reference" lists every key and its type.',
    });
  }
  const env = raw as Record<string, any>;
  return {
    name,
    file,
    chart: env.chart,
    release: env.release,
    namespace: env.namespace,
    kubeContext: env.kubeContext,
    kubeVersion: String(env.kubeVersion).replace(/^v/, ''),
    repository: parseAnyRepository(env.repository),
    values: env.values ?? [],
    valuesEnv: env.valuesEnv ?? [],
    secrets: env.secrets ?? [],
    promotion: {
      from: env.promotion?.from,
      allowPrerelease: env.promotion?.allowPrerelease ?? true,
      requireApproval: env.promotion?.requireApproval ?? false,
      requireDeployedIn: env.promotion?.requireDeployedIn,
    },
    deploy: {
      timeout: env.deploy?.timeout ?? '5m',
      wait: env.deploy?.wait ?? true,
      tests: env.deploy?.tests ?? true,
      rollbackOnFailure: env.deploy?.rollbackOnFailure ?? true,
      historyMax: env.deploy?.historyMax ?? 10,
      strategy: toStrategy(env.deploy?.strategy),
      recoverStuck: env.deploy?.recoverStuck ?? false,
    },
    policies: env.policies ?? {},
    images: env.images ?? {},
    freeze: env.freeze ?? [],
  };
}

function deniedValuesEnv(entries: string[]): { index: number; reason: string }[] {
  return entries.flatMap((entry, index) => {
    const reason = deniedValuesEnvEntry(entry);
    return reason ? [{ index, reason }] : [];
  });
}

type RawRepository = { url: string; endpoint?: string; region?: string; forcePathStyle?: boolean; plainHttp?: boolean; insecure?: boolean };

function parseAnyRepository(raw: RawRepository): RepositoryConfig {
  return raw.url.startsWith('oci://') ? parseOciRepository(raw) : parseRepository(raw);
}

export function parseOciRepository(raw: { url: string; plainHttp?: boolean; insecure?: boolean }): OciRepositoryConfig {
  const rest = raw.url.slice('oci://'.length);
  const slash = rest.indexOf('/');
  const registry = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const path = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { kind: 'oci', url: `oci://${registry}${path ? `/${path}` : ''}`, registry, path, plainHttp: Boolean(raw.plainHttp), insecure: Boolean(raw.insecure) };
}

export function parseRepository(raw: RawRepository): S3RepositoryConfig {
  const rest = raw.url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { url: raw.url, bucket, prefix, endpoint: raw.endpoint, region: raw.region, forcePathStyle: raw.forcePathStyle };
}

function describe(e: ErrorObject, where: (path: (string | number)[], at?: 'key' | 'value') => string, raw: unknown): string {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const field = path.length ? path.join('.') : '(top level)';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = allowedKeys(path);
      const guess = allowed && closestKey(key, allowed);
      return `${where([...path, key], 'key')}: unknown key "${[...path, key].join('.')}"${guess ? ` (did you mean "${guess}"?)` : ''}${allowed ? `; expected one of: ${allowed.join(', ')}` : ''}`;
    }
    case 'required':
      return `${where(path)}: missing required key "${[...path, (e.params as { missingProperty: string }).missingProperty].join('.')}"`;
    case 'type': {
      const expected = schemaAt(path)?.expected;
      if (expected) return `${where(path)}: "${field}" must be ${expected}`;
      const value = valueAt(raw, path);
      // YAML reads kubeVersion: 1.33 as a number, and 1.30 as 1.3.
      const quote = typeof value === 'number' && (e.params as { type: string }).type === 'string' ? `; ${value} is read as a number: quote it, ${path[path.length - 1]}: "${value}"` : '';
      return `${where(path)}: "${field}" must be ${article((e.params as { type: string }).type)}${quote}`;
    }
    case 'pattern': {
      const description = schemaAt(path)?.description;
      return `${where(path)}: "${field}" does not look right${description ? `: expected ${description}` : ` (must match ${(e.params as { pattern: string }).pattern})`}`;
    }
    case 'minProperties':
    case 'maxProperties': {
      const expected = schemaAt(path)?.expected;
      return `${where(path)}: "${field}" must have exactly one key${expected ? `: ${expected}` : ''}`;
    }
    case 'const':
      return `${where(path)}: "${field}" must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'enum':
      if (schemaAt(path)?.expected) return `${where(path)}: "${field}" must be ${schemaAt(path)!.expected}`;
      return `${where(path)}: "${field}" must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `${where(path)}: "${field}" must be an ISO 8601 date-time such as 2026-12-24T00:00:00Z`;
    default:
      return `${where(path)}: "${field}" ${e.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function schemaAt(path: (string | number)[]): { description?: string; expected?: string; properties?: Record<string, unknown> } | undefined {
  let node: any = environmentSchema;
  for (const key of path) {
    // An object-or-string node (deploy.strategy) keeps its mapping form under "else".
    if (node?.else && !node.properties) node = node.else;
    if (typeof key === 'number') node = node?.items;
    else node = node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (!node) return undefined;
  }
  return node;
}

function allowedKeys(path: (string | number)[]): string[] | undefined {
  const node = schemaAt(path) as { properties?: Record<string, unknown>; else?: { properties?: Record<string, unknown> } } | undefined;
  const props = node?.properties ?? node?.else?.properties;
  return props ? Object.keys(props) : undefined;
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), raw);
}

/** The allowed key a typo most likely meant: same letters in another case, or at most 2 edits away (a third of the key at most). */
function closestKey(key: string, allowed: string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.min(2, Math.floor(candidate.length / 3)) && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
