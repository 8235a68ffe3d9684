import { dump } from 'js-yaml';
import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { isPlainObject, layerValues, type Values, type ValuesLayer } from '../../core/values.js';
import { parseYamlFast } from '../../core/yaml-source.js';
import { MAX_CONFIG_FILE_BYTES, readUserText } from '../../adapters/user-files.js';
import type { Deps } from '../deps.js';

export interface CommandLineValues {
  /** `--values FILE` given to chartctl (resolved from --cwd). */
  valuesFiles?: string[];
  /** `--set key=value`, passed through to helm unchanged (helm applies them last). */
  set?: string[];
  /** `--set-string key=value`: as --set, the value always a string (helm's --set-string, after --set). */
  setString?: string[];
  /** `--set-json key=JSON`: helm's --set-json (applied by helm before --set). */
  setJson?: string[];
  /** `--set-file key=path`: helm's --set-file (the file's content as the value, applied last); paths resolved from --cwd. */
  setFile?: string[];
  /** Arguments after `--`, appended to helm's argv verbatim (checked by the CLI). */
  helmArgs?: string[];
}

export interface ResolvedValues {
  layers: ValuesLayer[];
  merged: Values;
  /** The merged values as YAML, fed to helm on stdin (`--values -`): never written to disk. */
  stdin: string;
  /** helm args after `--values -`: the --set* flags, then the arguments after `--` (verbatim, last). */
  setArgs: string[];
}

/** Builds the layered values for one environment (decrypting secrets in memory). */
export async function resolveValues(deps: Deps, env: Environment, cli: CommandLineValues = {}): Promise<ResolvedValues> {
  const layers: ValuesLayer[] = [];
  for (const rel of env.values) {
    layers.push({ source: rel, kind: 'environment', values: await readValuesFile(deps, deps.repo.path(rel), rel, env, true) });
  }
  for (const rel of env.secrets) {
    const abs = deps.repo.path(rel);
    const values = await deps.secrets.decryptFile(abs, rel, `(listed under "secrets" in ${env.file})`);
    deps.masker.add(values);
    layers.push({ source: rel, kind: 'secrets', values });
  }
  for (const file of cli.valuesFiles ?? []) {
    const abs = deps.repo.userPath(file);
    layers.push({ source: file, kind: 'command-line', values: await readValuesFile(deps, abs, deps.repo.display(abs), env, false) });
  }
  const merged = layerValues(layers);
  const setArg = (flag: SetFlag) => (s: string) => {
    if (!/^[^=]+=/.test(s)) {
      throw new ChartctlError(`${flag} "${s}" is not of the form key=value.`, { code: 'BAD_SET', hint: `Example: ${flag} ${SET_EXAMPLES[flag]}` });
    }
    return [flag, s];
  };
  // helm applies each kind in its own order (-f < --set-json < --set < --set-string < --set-file), whatever the argv order.
  const setArgs = [
    ...(cli.setJson ?? []).flatMap(setArg('--set-json')),
    ...(cli.set ?? []).flatMap(setArg('--set')),
    ...(cli.setString ?? []).flatMap(setArg('--set-string')),
    ...(await Promise.all((cli.setFile ?? []).map((s) => setFileArg(deps, setArg('--set-file')(s)[1]!)))).flat(),
    ...(cli.helmArgs ?? []),
  ];
  return { layers, merged, stdin: dump(merged, { lineWidth: -1, noRefs: true }), setArgs };
}

type SetFlag = '--set' | '--set-string' | '--set-json' | '--set-file';
const SET_EXAMPLES: Record<SetFlag, string> = {
  '--set': 'api.replicaCount=3',
  '--set-string': 'api.image.tag=1.10',
  '--set-json': `'api.tolerations=[{"key":"spot"}]'`,
  '--set-file': 'api.config=config/api.toml',
};

/**
 * helm reads the file itself (relative to its own working directory, not --cwd), so hand it an
 * absolute path, after the same checks as any file the user names (exists, regular, size bound).
 */
async function setFileArg(deps: Deps, assignment: string): Promise<string[]> {
  const at = assignment.indexOf('=');
  const key = assignment.slice(0, at);
  const file = assignment.slice(at + 1);
  const abs = deps.repo.userPath(file);
  await readUserText(abs, {
    shown: file,
    what: `--set-file ${key}`,
    maxBytes: MAX_CONFIG_FILE_BYTES,
    hint: 'Check the path given to --set-file (relative paths are resolved from where chartctl runs, or --cwd).',
    notFoundCode: 'VALUES_FILE_MISSING',
  });
  return ['--set-file', `${key}=${abs}`];
}

/** listed: the file is named in the environment file (else it came from --values); .hbs files follow the environment's valuesEnv either way. */
async function readValuesFile(deps: Deps, abs: string, shown: string, env: Environment, listed: boolean): Promise<Values> {
  let text = await readUserText(abs, {
    shown,
    what: 'values file',
    maxBytes: MAX_CONFIG_FILE_BYTES,
    origin: listed ? `(listed under "values" in ${env.file})` : undefined,
    hint: listed ? `Fix the path or remove it from ${env.file}.` : 'Check the path given to --values (relative paths are resolved from --cwd).',
    notFoundCode: 'VALUES_FILE_MISSING',
  });
  if (abs.endsWith('.hbs')) {
    // Handlebars is loaded only for .hbs files: it is a noticeable part of start-up time.
    const { renderValuesTemplate } = await import('../../core/values-template.js');
    const rendered = renderValuesTemplate(text, shown, deps.env, { allowed: env.valuesEnv, environmentFile: env.file });
    for (const value of rendered.readFromEnv) deps.masker.add(value);
    text = rendered.text;
  }
  const parsed = parseYamlFast(text, shown, `Fix the YAML in ${shown}${abs.endsWith('.hbs') ? ' (positions refer to the rendered template)' : ''}.`);
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ChartctlError(`${shown}:1:1: a values file must be a YAML mapping, not ${Array.isArray(parsed) ? 'a list' : typeof parsed}.`, {
      code: 'VALUES_INVALID',
      hint: 'Put the values under keys, e.g. "api:\\n  replicaCount: 2".',
    });
  }
  return parsed;
}
