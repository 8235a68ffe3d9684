import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Environment } from '../core/environment.js';
import { countBySeverity, type Finding, type Severity } from '../core/findings.js';
import { helmLintArgs } from '../core/helm-args.js';
import { parseHelmLintOutput } from '../core/helm-lint-output.js';
import { checkPolicies } from '../core/lint-policies.js';
import { findDuplicates, formatResourceId, parseManifestStream } from '../core/manifests.js';
import { isPlainObject, mergeValues, type Values } from '../core/values.js';
import { ChartctlError, isChartctlError } from '../core/errors.js';
import { loadYaml } from '../core/yaml-limits.js';
import { ajvClassFor } from '../core/schema/ajv-classes.js';
import { draft07MetaValidator, invalidSchemaMessage } from '../core/values-schema-meta.js';
import type { Deps } from './deps.js';
import { chartDirOf, ensureDependencies, renderEnvironment } from './steps/render.js';
import { validateRenderedManifests } from './steps/manifest-validation.js';
import { startValues, type CommandLineValues, type StartedValues } from './steps/values.js';

export interface LintOptions {
  /** Environments to lint; all when empty. */
  envs: string[];
  /** -f/--values, --set*, and the arguments after `--`, for every environment linted. */
  values?: CommandLineValues;
}

export interface EnvironmentLint {
  env: string;
  ok: boolean;
  counts: Record<Severity, number>;
  resources: number;
  findings: Finding[];
}

export interface LintResult {
  ok: boolean;
  counts: Record<Severity, number>;
  environments: EnvironmentLint[];
}

/** helm lint + render + parse + duplicates + values schema + policies (+ schema seam), every environment in parallel. */
export async function lint(given: Deps, options: LintOptions): Promise<LintResult> {
  // The environments share their chart and most values files: each file is read and parsed once for all.
  const deps: Deps = { ...given, repo: given.repo.environmentsReadOnce() };
  const envs = await deps.repo.loadEnvironments(options.envs);
  const chartDirs = new Set(envs.map((e) => chartDirOf(deps, e)));
  // One dependency build per chart, before the parallel part.
  for (const dir of chartDirs) await ensureDependencies(deps, dir);
  // Compiled before any helm starts: once the helm processes run, chartctl's one thread gets a small share
  // of the cores among their threads, and the compile it waits on took most of lint's wall time (#20).
  // A schema that does not compile is reported by each environment's check, from the same promise.
  await Promise.all([...chartDirs].map((dir) => valuesSchemaOf(dir)?.catch(() => undefined)));
  deps.reporter.progress(`Linting ${envs.map((e) => e.name).join(', ')}${envs.length > 1 ? ' in parallel' : ''}`);
  const environments = await Promise.all(envs.map((env) => lintEnvironment(deps, env, options.values)));
  const all = environments.flatMap((e) => e.findings);
  return { ok: environments.every((e) => e.ok), counts: countBySeverity(all), environments };
}

async function lintEnvironment(deps: Deps, env: Environment, cli: CommandLineValues | undefined): Promise<EnvironmentLint> {
  const findings: Finding[] = [];
  let resources = 0;
  try {
    const chartDir = chartDirOf(deps, env);
    // Both helm calls start before the secrets are decrypted (they reach helm on stdin); the values
    // schema is checked once they are, while the helm processes run.
    const values = await startValues(deps, env, cli);
    const helmLint = runHelmLint(deps, env, chartDir, values);
    const render = renderEnvironment(deps, env, { values, includeCrds: true }).then(
      (r) => ({ ok: true as const, r }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    helmLint.catch(() => undefined);
    let checked: [Finding[], Awaited<typeof render>, Finding[]];
    try {
      // A secrets file that cannot be decrypted is the environment's error (helm was stopped for it).
      const resolved = await values.resolved;
      checked = await Promise.all([helmLint, render, checkValuesSchema(chartDir, resolved.merged, env, deps)]);
    } finally {
      await Promise.allSettled([helmLint, render]);
      await values.release();
    }
    const [lintOutput, rendered, schemaFindings] = checked;
    // helm could not read a values file chartctl could not read either: chartctl's message names file:line:col.
    const unreadable = values.unread.length > 0 && lintOutput.some((f) => f.severity === 'error' && /failed to parse/.test(f.message));
    if (unreadable) findings.push(...values.unread.map((err) => ({ severity: 'error' as const, check: 'environment', env: env.name, message: err.message + (err.hint ? ` (${err.hint})` : '') })));
    findings.push(...(unreadable ? lintOutput.filter((f) => !/failed to parse/.test(f.message)) : lintOutput), ...schemaFindings);
    if (!rendered.ok) {
      // helm lint or the values schema usually explain a render failure already; keep one finding either way.
      if (!lintOutput.some((f) => f.severity === 'error') && schemaFindings.length === 0) findings.push(renderFailure(env, rendered.error));
    } else {
      const docs = parseManifestStream(rendered.r.manifest);
      resources = docs.filter((d) => d.object).length;
      for (const d of docs) {
        if (d.error) {
          findings.push({ severity: 'error', check: 'yaml', env: env.name, source: d.source, message: `rendered document ${d.index} is not valid YAML (line ${d.error.line - d.startLine + 1}, column ${d.error.col} of the document): ${d.error.message}` });
        } else if (d.object && (!d.object.apiVersion || !d.object.kind)) {
          findings.push({ severity: 'error', check: 'yaml', env: env.name, source: d.source, message: `rendered document ${d.index} has no ${!d.object.apiVersion ? 'apiVersion' : 'kind'}` });
        }
      }
      for (const dup of findDuplicates(docs, env.namespace)) {
        findings.push({
          severity: 'error',
          check: 'duplicate',
          env: env.name,
          resource: formatResourceId(dup.id),
          source: dup.documents.map((d) => d.source ?? `document ${d.index}`).join(', '),
          message: `rendered ${dup.documents.length} times; the API server keeps only one`,
        });
      }
      findings.push(...checkPolicies(docs, env.namespace, env.policies, env.name));
      findings.push(...(await validateRenderedManifests(deps, env, docs)));
    }
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    findings.push({ severity: 'error', check: 'environment', env: env.name, message: err.message + (err.hint ? ` (${err.hint})` : '') });
  }
  const counts = countBySeverity(findings);
  return { env: env.name, ok: counts.error === 0, counts, resources, findings };
}

async function runHelmLint(deps: Deps, env: Environment, chartDir: string, values: StartedValues): Promise<Finding[]> {
  const args = helmLintArgs({ chart: chartDir, namespace: env.namespace, kubeVersion: env.kubeVersion, valuesArgs: values.valuesArgs, setArgs: values.setArgs });
  // helm lint exits 1 when it found errors; those are findings, not a failure of chartctl.
  const result = await deps.helm().run(args, { stdin: values.stdin, timeoutMs: 5 * 60_000, okExitCodes: [1] });
  const parsed = parseHelmLintOutput(`${result.stdout}\n${result.stderr}`, env.name);
  if (result.exitCode !== 0 && !parsed.some((f) => f.severity === 'error')) {
    parsed.push({ severity: 'error', check: 'helm-lint', env: env.name, message: result.stderr.trim() || 'helm lint failed' });
  }
  // The values schema is checked by chartctl itself, with paths and expectations.
  const findings = parsed.filter((f) => !/values don't meet the specifications of the schema/.test(f.message) && !(f.source === 'values.yaml' && f.message.startsWith('- ')));
  return findings.map((f) => ({ ...f, message: deps.masker.mask(f.message) }));
}

function renderFailure(env: Environment, err: unknown): Finding {
  const message = err instanceof Error ? err.message : String(err);
  return { severity: 'error', check: 'render', env: env.name, message };
}

const valuesValidators = new Map<string, Promise<ValidateFunction>>();

/**
 * One compiled validator per values.schema.json, shared by the environments linted in parallel. A schema
 * that cannot be read or compiled is the chart's problem (a values-schema finding), not a crash.
 */
function valuesValidator(schemaPath: string): Promise<ValidateFunction> {
  let pending = valuesValidators.get(schemaPath);
  if (!pending) {
    pending = (async () => {
      const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as { $schema?: string };
      // Charts declare their draft; helm accepts draft-07 up to 2020-12.
      const AjvClass = await ajvClassFor(schema.$schema);
      const meta = AjvClass === (await ajvClassFor()) ? draft07MetaValidator() : undefined;
      if (meta) {
        if (!meta(schema)) throw new Error(invalidSchemaMessage(meta.errors ?? []));
        // Checked just above, with code compiled at build time: ajv need not add and compile the meta-schema.
        return new AjvClass({ allErrors: true, strict: false, meta: false, validateSchema: false }).compile({ ...schema, $schema: undefined });
      }
      const ajv = new AjvClass({ allErrors: true, strict: false });
      // helm takes the draft from the URL, https or http (charts write https://json-schema.org/draft-07/schema#);
      // ajv knows only its meta-schemas' own ids, and the class above already is the draft's.
      if (typeof schema.$schema === 'string' && !ajv.getSchema(schema.$schema)) return ajv.compile({ ...schema, $schema: undefined });
      return ajv.compile(schema);
    })().catch((err: unknown) => {
      throw new ChartctlError(err instanceof Error ? err.message : String(err), { code: 'VALUES_SCHEMA_INVALID', cause: err });
    });
    valuesValidators.set(schemaPath, pending);
  }
  return pending;
}

/** The chart's values.schema.json compiled, or undefined when it has none. */
function valuesSchemaOf(chartDir: string): Promise<ValidateFunction> | undefined {
  const schemaPath = join(chartDir, 'values.schema.json');
  return existsSync(schemaPath) ? valuesValidator(schemaPath) : undefined;
}

/** A chart's values.yaml, read and parsed once for all the environments linted (the run's repository reads shared files once). */
function chartDefaults(deps: Deps, chartDir: string): Promise<Values> {
  const path = join(chartDir, 'values.yaml');
  return deps.repo.sharedRead(`defaults\0${path}`, async () => {
    const defaults = existsSync(path) ? loadYaml(await readFile(path, 'utf8'), { file: path }) : {};
    return isPlainObject(defaults) ? defaults : {};
  });
}

async function checkValuesSchema(chartDir: string, userValues: Values, env: Environment, deps: Deps): Promise<Finding[]> {
  const compiled = valuesSchemaOf(chartDir);
  if (!compiled) return [];
  const source = deps.repo.display(join(chartDir, 'values.schema.json'));
  let validate: ValidateFunction;
  try {
    validate = await compiled;
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    return [{ severity: 'error', check: 'values-schema', env: env.name, source, message: deps.masker.mask(`the schema itself: ${err.message}`) }];
  }
  const values = mergeValues(await chartDefaults(deps, chartDir), userValues);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => {
    const path = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
    const detail =
      e.keyword === 'additionalProperties'
        ? `unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : e.keyword === 'enum'
          ? `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
          : (e.message ?? 'is invalid');
    return {
      severity: 'error' as const,
      check: 'values-schema',
      env: env.name,
      source,
      message: deps.masker.mask(`values ${path}: ${detail}`),
    };
  });
}
