import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import { ChartctlError } from './errors.js';
import { parseLocatedYaml, parseYamlFast } from './yaml-source.js';
import { environmentFormats, environmentSchema } from './environment-schema.js';
import type { Environment, RepositoryConfig } from './environment.js';
import { deniedValuesEnvEntry } from './values-env-policy.js';

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
      const ajv = new (createRequire(import.meta.url)('ajv').Ajv as typeof Ajv)({ allErrors: true, strict: false });
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
  if (!valid || deniedEnv.length > 0) {
    const doc = parseLocatedYaml(text, file);
    const problems = [
      ...(validate.errors ?? []).map((e) => describe(e, (p, at) => doc.where(p, at))),
      ...deniedEnv.map(({ index, reason }) => `${doc.where(['valuesEnv', index])}: "valuesEnv.${index}": ${reason}`),
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
    repository: parseRepository(env.repository),
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

export function parseRepository(raw: { url: string; endpoint?: string; region?: string; forcePathStyle?: boolean }): RepositoryConfig {
  const rest = raw.url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  return { url: raw.url, bucket, prefix, endpoint: raw.endpoint, region: raw.region, forcePathStyle: raw.forcePathStyle };
}

function describe(e: ErrorObject, where: (path: (string | number)[], at?: 'key' | 'value') => string): string {
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
      return `${where([...path, key], 'key')}: unknown key "${[...path, key].join('.')}"${allowed ? `; expected one of: ${allowed}` : ''}`;
    }
    case 'required':
      return `${where(path)}: missing required key "${[...path, (e.params as { missingProperty: string }).missingProperty].join('.')}"`;
    case 'type':
      return `${where(path)}: "${field}" must be ${article((e.params as { type: string }).type)}`;
    case 'pattern': {
      const description = schemaAt(path)?.description;
      return `${where(path)}: "${field}" does not look right${description ? `: expected ${description}` : ` (must match ${(e.params as { pattern: string }).pattern})`}`;
    }
    case 'enum':
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

function schemaAt(path: (string | number)[]): { description?: string; properties?: Record<string, unknown> } | undefined {
  let node: any = environmentSchema;
  for (const key of path) {
    if (typeof key === 'number') node = node?.items;
    else node = node?.properties?.[key] ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    if (!node) return undefined;
  }
  return node;
}

function allowedKeys(path: (string | number)[]): string | undefined {
  const props = schemaAt(path)?.properties;
  return props ? Object.keys(props).join(', ') : undefined;
}
