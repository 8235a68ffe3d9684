import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveClusterAccess } from '../adapters/schema-sources/kubeconfig.js';
import { MAX_BULK_FILE_BYTES, readUserText, type UserFileOptions } from '../adapters/user-files.js';
import { ChartctlError, isChartctlError } from '../core/errors.js';
import { parseKubeVersion } from '../core/schema/kube-version.js';
import { duplicateKeyMessage, takeDuplicateKeys } from '../core/schema/duplicate-keys.js';
import { readManifestText, type InputDocument } from '../core/schema/manifest-input.js';
import { summarize, type ResourceResult, type ValidateResult } from '../core/schema/validation-result.js';
import type { Deps } from './deps.js';
import { renderEnvironment } from './steps/render.js';
import { SchemaRegistry } from './steps/schema-registry.js';
import { createSchemaSession, schemaLocationsFromEnv } from './steps/schema-session.js';
import { crdSchemasIn, validateDocuments } from './steps/schema-validation.js';

export interface ValidateOptions {
  /** Render this environment and validate the output. */
  env?: string;
  /** Files and directories (recursively: .yaml, .yml, .json); `-` is stdin. */
  files: string[];
  /**
   * Positional words, as kubeconform takes its files: each is `-` (stdin), an existing path,
   * else an environment's name (at most one), else a path (which then is missing).
   */
  inputs?: string[];
  /**
   * A named file that does not exist: refused (chartctl's way), or, as kubeconform does,
   * reported as that file's error result (Go's `lstat` text), reading no further input.
   */
  missingFiles?: 'refuse' | 'result';
  /** kubeconform's -exit-on-error: stop at the first resource that is invalid or an error. */
  exitOnError?: boolean;
  /** Reads all of stdin; used for `-`, or when neither env nor files are given. */
  readStdin: () => Promise<string>;
  kubeVersion?: string;
  schemaLocations: string[];
  strict: boolean;
  ignoreMissingSchemas: boolean;
  skip: string[];
  reject: string[];
  /** Regular expressions; matching file paths are not read (kubeconform's --ignore-filename-pattern). */
  ignoreFilenamePatterns: string[];
  cacheDir?: string;
  offline: boolean;
  /** Use the live cluster's /openapi/v3 as a schema source. */
  cluster: boolean;
  kubeContext?: string;
  insecureSkipTlsVerify: boolean;
}

export interface ValidateRun extends ValidateResult {
  elapsedSeconds: number;
  /** Only stdin was read (kubeconform's summary then says "found parsing stdin"). */
  fromStdin: boolean;
  /** Files read in order, each with whether it held no resource (kubeconform's TAP gives such a file an `(empty)` line). */
  inputFiles: { name: string; empty: boolean }[];
}

export async function validate(deps: Deps, options: ValidateOptions): Promise<ValidateRun> {
  const started = performance.now();
  const positional = await classifyInputs(deps, options.inputs ?? []);
  if (options.env && positional.env) {
    throw new ChartctlError(`Two environments to validate: ${options.env} and ${positional.env}.`, { code: 'BAD_ARGUMENTS', hint: 'Validate one environment per run, or name files with ./ to read them as files.' });
  }
  const envName = options.env ?? positional.env;
  const env = envName ? await deps.repo.loadEnvironment(envName) : undefined;
  const kubeVersion = parseKubeVersion(options.kubeVersion ?? env?.kubeVersion ?? 'master', options.kubeVersion ? '--kube-version' : env ? `kubeVersion in ${env.file}` : '--kube-version');
  const ignore = options.ignoreFilenamePatterns.map((p) => compilePattern(p));
  const session = createSchemaSession(deps, { cacheDir: options.cacheDir, offline: options.offline, insecureSkipTlsVerify: options.insecureSkipTlsVerify, timeoutMs: 30_000 });
  const cluster = options.cluster ? resolveClusterAccess(deps.env, options.kubeContext ?? env?.kubeContext) : undefined;

  const inputs: { name: string; text: string }[] = [];
  if (env) {
    const rendered = await renderEnvironment(deps, env, { includeCrds: true });
    inputs.push({ name: `rendered:${env.name}`, text: rendered.manifest });
  }
  const named = [...positional.files, ...options.files];
  const files = named.length === 0 && !env ? ['-'] : named;
  let missing: ResourceResult | undefined;
  for (const f of files) {
    if (f === '-') inputs.push({ name: 'stdin', text: await options.readStdin() });
    else {
      const read = await readInputs(deps, f, ignore, options.missingFiles ?? 'refuse');
      if ('missing' in read) {
        // kubeconform stops looking for input at the first path it cannot read.
        missing = missingFileResult(f, read.missing);
        break;
      }
      inputs.push(...read);
    }
  }

  const docs: InputDocument[] = [];
  for (const input of inputs) docs.push(...readManifestText(input.name, input.text, { duplicateKeys: true }));
  // Outside --strict a duplicate key is a warning and the resource is validated with the last value (src/core/schema/duplicate-keys.ts).
  const duplicateWarnings = options.strict ? [] : takeDuplicateKeys(docs).map((d) => `${d.file}:${d.line}:${d.col}: ${duplicateKeyMessage(d)} (an error with --strict)`);
  if (docs.length >= 1000) deps.reporter.progress(`Validating ${docs.length} documents from ${inputs.length} ${inputs.length === 1 ? 'input' : 'inputs'} (Kubernetes ${kubeVersion.display}${options.strict ? ', strict' : ''})`);

  const registry = new SchemaRegistry(session.fetcher, {
    kubeVersion,
    strict: options.strict,
    // Like lint and deploy (whose hint names it): the variable stands in for absent --schema-location flags.
    locations: options.schemaLocations.length ? options.schemaLocations : schemaLocationsFromEnv(deps.env),
    locationsSetting: options.schemaLocations.length ? '--schema-location' : 'CHARTCTL_SCHEMA_LOCATION',
    defaultBase: session.defaultBase,
    crds: crdSchemasIn(docs),
    cluster,
    transformedDocuments: session.transformedDocuments,
  });
  const resources = await validateDocuments(docs, registry, session.compiler, {
    skip: new Set(options.skip),
    reject: new Set(options.reject),
    ignoreMissingSchemas: options.ignoreMissingSchemas,
  });
  if (missing) resources.push(missing);
  const withResources = new Set(resources.map((r) => r.file));
  let inputFiles = inputs.filter((i) => i.name !== 'stdin' && !i.name.startsWith('rendered:')).map((i) => ({ name: i.name, empty: !withResources.has(i.name) }));
  if (options.exitOnError) {
    const first = resources.findIndex((r) => r.status === 'invalid' || r.status === 'error');
    if (first >= 0) {
      resources.splice(first + 1);
      // Files after the failing one were never reached.
      inputFiles = inputFiles.slice(0, inputFiles.findIndex((f) => f.name === resources[first]!.file) + 1);
    }
  }
  for (const r of resources) for (const p of r.problems) p.message = deps.masker.mask(p.message);
  const summary = summarize(resources, inputs.length + (missing ? 1 : 0));
  const stats = session.compiler.stats;
  return {
    ok: summary.invalid === 0 && summary.errors === 0,
    kubeVersion: kubeVersion.display,
    strict: options.strict,
    summary,
    resources,
    warnings: [...duplicateWarnings, ...new Set(session.fetcher.cacheWarnings)],
    compiled: { compiled: stats.compiled, fromCache: stats.loadedFromStore, interpreted: stats.interpreted },
    elapsedSeconds: (performance.now() - started) / 1000,
    fromStdin: !env && files.every((f) => f === '-'),
    inputFiles,
  };
}

/**
 * kubeconform takes files as positional arguments; chartctl took an environment there.
 * Both work: `-` and any existing path are input files; a word that names an
 * environment (environments/<word>.yaml) and is not a path is that environment; anything
 * else is a file that does not exist, and the error says it is not an environment either.
 */
async function classifyInputs(deps: Deps, words: readonly string[]): Promise<{ env?: string; files: string[] }> {
  const out: { env?: string; files: string[] } = { files: [] };
  if (words.length === 0) return out;
  const environments = new Set(await deps.repo.environmentNames().catch((err: unknown) => {
    // Not an application repository: every word is a file, as for kubeconform.
    if (isChartctlError(err)) return [] as string[];
    throw err;
  }));
  for (const word of words) {
    const exists = word === '-' || (await stat(deps.repo.userPath(word)).then(() => true, () => false));
    if (exists || !environments.has(word)) out.files.push(word);
    else if (out.env) {
      throw new ChartctlError(`Two environments to validate: ${out.env} and ${word}.`, { code: 'BAD_ARGUMENTS', hint: 'Validate one environment per run: chartctl validate <env> [files...].' });
    } else out.env = word;
  }
  return out;
}

function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new ChartctlError(`--ignore-filename-pattern "${pattern}" is not a valid regular expression: ${(err as Error).message}`, {
      code: 'BAD_PATTERN',
      hint: 'Use a JavaScript/Go-style regular expression, e.g. ".*-test\\.yaml".',
    });
  }
}

/** kubeconform's result for a path it cannot find: an error with Go's `lstat` text and no resource. */
function missingFileResult(path: string, reason: string): ResourceResult {
  return { file: path, document: 0, line: 0, apiVersion: '', kind: '', namespace: '', name: '', status: 'error', problems: [{ path: '', keyword: 'file', message: `lstat ${path}: ${reason}` }] };
}

/** One file, or every .yaml/.yml/.json file under a directory (sorted, so output order is stable); `missing` with Go's reason when asked not to refuse a missing path. */
async function readInputs(deps: Deps, path: string, ignore: RegExp[], missingFiles: 'refuse' | 'result'): Promise<{ name: string; text: string }[] | { missing: string }> {
  const abs = deps.repo.userPath(path);
  const hint = `Check the path (relative paths are resolved from where chartctl runs, or --cwd); a bare name is read as an environment only when environments/${path}.yaml exists.`;
  const input = (shown: string): UserFileOptions => ({ shown, what: 'file', maxBytes: MAX_BULK_FILE_BYTES, hint });
  let missing: string | undefined;
  const st = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
      if (missingFiles === 'refuse') throw new ChartctlError(`${path}: no such file or directory.`, { code: 'FILE_NOT_FOUND', hint });
      missing = err.code === 'ENOENT' ? 'no such file or directory' : 'not a directory';
    }
    // Any other reason (permission, a symlink loop) is explained by the reader.
    return undefined;
  });
  if (missing !== undefined) return { missing };
  const skip = (p: string) => ignore.some((re) => re.test(p));
  if (!st?.isDirectory()) return skip(path) ? [] : [{ name: path, text: await readUserText(abs, input(path)) }];
  const entries = (
    await readdir(abs, { recursive: true, withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      throw new ChartctlError(`${path}: cannot list the directory (${err.code === 'EACCES' ? 'permission denied' : (err.code ?? err.message)}).`, {
        code: 'FILE_UNREADABLE',
        hint: 'Check the permissions of the directory and of the directories below it.',
      });
    })
  )
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name))
    .map((e) => join(path, join(e.parentPath, e.name).slice(abs.length + 1)))
    .sort();
  const out: { name: string; text: string }[] = [];
  for (const name of entries) if (!skip(name)) out.push({ name, text: await readUserText(deps.repo.userPath(name), input(name)) });
  return out;
}
