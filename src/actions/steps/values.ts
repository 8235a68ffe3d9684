import { dump } from 'js-yaml';
import { ChartctlError } from '../../core/errors.js';
import type { Environment } from '../../core/environment.js';
import { writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isPlainObject, layerValues, mergeValues, type Values, type ValuesLayer } from '../../core/values.js';
import type { ArtifactEnvironment } from '../../core/artifact-config.js';
import { privateTempDir } from '../../adapters/cleanup.js';
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
  /**
   * helm's own values flags, in layering order: `--values FILE` for each values file (helm
   * reads it itself, with its YAML 1.1 rules), then `--values -` where the decrypted secrets go.
   */
  valuesArgs: string[];
  /** The decrypted secrets, merged, fed to helm on stdin: never written to disk (undefined without secrets). */
  stdin: string | undefined;
  /** helm args after the values files: the --set* flags, then the arguments after `--` (verbatim, last). */
  setArgs: string[];
  /**
   * Files chartctl's own YAML reader could not read (helm's YAML 1.1 reader may: `!!binary`, say).
   * helm is the judge; when helm fails too, this error says where, with file:line:col.
   */
  unread: ChartctlError[];
  /** Removes the private temp dir holding rendered `.hbs` files and files taken out of a tarball. */
  release(): Promise<void>;
}

/**
 * Values whose secrets may still be decrypting: every file helm reads is in place and every
 * flag known, so helm can start (its own start-up, ~30 ms, overlaps the decryption) and get
 * the secrets on stdin when they are ready.
 */
export interface StartedValues extends Omit<ResolvedValues, 'layers' | 'merged' | 'stdin'> {
  /** The decrypted secrets for helm's stdin; rejects when decrypting fails. */
  stdin: Promise<string | undefined>;
  /** All of it, once the secrets are decrypted. */
  resolved: Promise<ResolvedValues>;
}

/** Where an environment's values and secrets files are read: the working tree, or the files a published version carries. */
export type ConfigSource =
  /** overrides: repository-relative path → text to use instead of the file's (what an edit would write, before writing it). */
  | { kind: 'working-tree'; overrides?: Map<string, string> }
  | {
      kind: 'artifact';
      config: ArtifactEnvironment;
      files: Map<string, Uint8Array>;
      carriedBy: string;
      /** Values files every environment the tarball carries lists (anything else is a per-environment override). */
      shared?: string[];
    };

export const WORKING_TREE: ConfigSource = { kind: 'working-tree' };

/**
 * Builds the values flags for one environment. Values files go to helm by path,
 * in order, so helm reads them exactly as `helm template -f a -f b` would; only
 * the decrypted secrets (in memory) reach it on stdin. Each file is also parsed
 * here, for file:line:col errors and the values schema check.
 */
export async function resolveValues(deps: Deps, env: Environment, cli: CommandLineValues = {}, source: ConfigSource = WORKING_TREE): Promise<ResolvedValues> {
  const started = await startValues(deps, env, cli, source);
  return started.resolved.catch(async (err: unknown) => {
    await started.release();
    throw err;
  });
}

/** resolveValues, returning as soon as helm could start: the secrets are decrypted after the other files are read. */
export async function startValues(deps: Deps, env: Environment, cli: CommandLineValues = {}, source: ConfigSource = WORKING_TREE): Promise<StartedValues> {
  const scratch = new ScratchDir(deps);
  try {
    const layers: ValuesLayer[] = [];
    const valuesArgs: string[] = [];
    const fromArtifact = source.kind === 'artifact' ? source : undefined;
    for (const rel of fromArtifact ? fromArtifact.config.values : env.values) {
      const override = source.kind === 'working-tree' ? source.overrides?.get(rel) : undefined;
      const file = fromArtifact
        ? await carriedValuesFile(deps, scratch, fromArtifact, rel, env)
        : override !== undefined
          ? await carriedValuesFile(deps, scratch, { kind: 'artifact', config: { values: [rel], secrets: [] }, files: new Map([[rel, new TextEncoder().encode(override)]]), carriedBy: 'the planned edit' }, rel, env)
          : await workingTreeValuesFile(deps, scratch, deps.repo.path(rel), rel, env, true);
      layers.push({ source: rel, kind: 'environment', values: file.values });
      valuesArgs.push('--values', file.path);
    }
    const secretFiles = fromArtifact ? fromArtifact.config.secrets : env.secrets;
    if (secretFiles.length > 0) valuesArgs.push('--values', '-');
    const commandLineLayers: ValuesLayer[] = [];
    for (const given of cli.valuesFiles ?? []) {
      const abs = deps.repo.userPath(given);
      const file = await workingTreeValuesFile(deps, scratch, abs, deps.repo.display(abs), env, false);
      commandLineLayers.push({ source: given, kind: 'command-line', values: file.values });
      valuesArgs.push('--values', file.path);
    }
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
    // Removing waits for the decryption: a secrets file it writes must not land in a new scratch dir after the removal.
    const release = async () => {
      await resolved.catch(() => undefined);
      await scratch.remove();
    };
    const resolved = (async (): Promise<ResolvedValues> => {
      const secrets: Values[] = [];
      for (const rel of secretFiles) {
        // The environments of a fleet often share a working tree's secrets file: decrypted once for all of them.
        const values = fromArtifact
          ? await deps.secrets.decryptFile(await scratch.write(`secrets-${secrets.length}${extensionOf(rel)}`, fromArtifact.files.get(rel)!), rel, `(carried by ${fromArtifact.carriedBy} for ${env.name})`)
          : await deps.repo.sharedRead(`secrets\0${rel}`, () => deps.secrets.decryptFile(deps.repo.path(rel), rel, `(listed under "secrets" in ${env.file})`));
        deps.masker.add(values);
        layers.push({ source: rel, kind: 'secrets', values });
        secrets.push(values);
      }
      layers.push(...commandLineLayers);
      const stdin = secrets.length > 0 ? dump(secrets.reduce<Values>((acc, v) => mergeValues(acc, v), {}), { lineWidth: -1, noRefs: true }) : undefined;
      return { layers, merged: layerValues(layers), valuesArgs, stdin, setArgs, unread: scratch.unread, release };
    })();
    const stdin = resolved.then((r) => r.stdin);
    // Whoever holds these awaits at least one; a failed decryption must not also surface as an unhandled rejection.
    resolved.catch(() => undefined);
    stdin.catch(() => undefined);
    return { valuesArgs, stdin, setArgs, unread: scratch.unread, release, resolved };
  } catch (err) {
    await scratch.remove();
    throw err;
  }
}

/** A private 0700 temp dir, made on first use, for files helm must read that are not in the working tree as they are. */
class ScratchDir {
  readonly unread: ChartctlError[] = [];
  private files = 0;
  private dir: Promise<{ path: string; remove: () => Promise<void> }> | undefined;
  constructor(private readonly deps: Deps) {}

  async write(name: string, data: string | Uint8Array): Promise<string> {
    this.dir ??= privateTempDir(this.deps.cleanup, 'chartctl-values-');
    const path = join((await this.dir).path, name);
    await writeFile(path, data, { mode: 0o600, flag: 'wx' });
    return path;
  }

  /** A fresh fixed name: nothing read from a file or a tarball chooses where bytes are written. */
  nextName(prefix: string): string {
    return `${prefix}-${this.files++}.yaml`;
  }

  async remove(): Promise<void> {
    await (await this.dir?.catch(() => undefined))?.remove();
  }
}

function extensionOf(rel: string): string {
  const ext = extname(rel).toLowerCase();
  // Only the format matters (sops tells YAML from JSON by it); nothing from the tarball chooses more of the name.
  return ext === '.json' ? '.json' : '.yaml';
}

/** A values file in the working tree: helm reads it where it is, unless it is a template (rendered into the scratch dir). */
async function workingTreeValuesFile(deps: Deps, scratch: ScratchDir, abs: string, shown: string, env: Environment, listed: boolean): Promise<{ path: string; values: Values }> {
  const read = () => readUserText(abs, {
    shown,
    what: 'values file',
    maxBytes: MAX_CONFIG_FILE_BYTES,
    origin: listed ? `(listed under "values" in ${env.file})` : undefined,
    hint: listed ? `Fix the path or remove it from ${env.file}.` : 'Check the path given to --values (relative paths are resolved from --cwd).',
    notFoundCode: 'VALUES_FILE_MISSING',
  });
  if (!abs.endsWith('.hbs')) {
    // Environments of a fleet list the same files: read and parsed once for all (a syntax error is each one's to report).
    const parsed = await deps.repo.sharedRead(`values\0${shown}\0${abs}`, async () => {
      const unread: ChartctlError[] = [];
      return { values: parseValues(await read(), shown, false, unread), unread };
    });
    scratch.unread.push(...parsed.unread);
    return { path: abs, values: parsed.values };
  }
  const rendered = await renderTemplate(deps, await read(), shown, env);
  return { path: await scratch.write(scratch.nextName('rendered'), rendered), values: parseValues(rendered, shown, true, scratch.unread) };
}

/** A values file carried by a tarball: taken out into the scratch dir under a fixed name, for helm to read. */
async function carriedValuesFile(deps: Deps, scratch: ScratchDir, source: Extract<ConfigSource, { kind: 'artifact' }>, rel: string, env: Environment): Promise<{ path: string; values: Values }> {
  const data = source.files.get(rel)!;
  if (data.length > MAX_CONFIG_FILE_BYTES) {
    throw new ChartctlError(`${rel} (carried by ${source.carriedBy}) is larger than ${MAX_CONFIG_FILE_BYTES} bytes.`, { code: 'FILE_TOO_LARGE', hint: 'Keep values files small; publish a new version.' });
  }
  const raw = new TextDecoder().decode(data);
  const template = rel.endsWith('.hbs');
  // Templates are rendered here, at deploy time: they read the deploying environment's variables (see docs/artifact.md).
  const text = template ? await renderTemplate(deps, raw, rel, env) : raw;
  return { path: await scratch.write(scratch.nextName('values'), template ? text : data), values: parseValues(text, rel, template, scratch.unread) };
}

async function renderTemplate(deps: Deps, text: string, shown: string, env: Environment): Promise<string> {
  // Handlebars is loaded only for .hbs files: it is a noticeable part of start-up time.
  const { renderValuesTemplate } = await import('../../core/values-template.js');
  const rendered = renderValuesTemplate(text, shown, deps.env, { allowed: env.valuesEnv, environmentFile: env.file });
  for (const value of rendered.readFromEnv) deps.masker.add(value);
  return rendered.text;
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

function parseValues(text: string, shown: string, template: boolean, unread: ChartctlError[]): Values {
  let parsed: unknown;
  try {
    parsed = parseYamlFast(text, shown, `Fix the YAML in ${shown}${template ? ' (positions refer to the rendered template)' : ''}.`);
  } catch (err) {
    if (!(err instanceof ChartctlError) || err.code !== 'YAML_SYNTAX') throw err;
    unread.push(err);
    return {};
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ChartctlError(`${shown}:1:1: a values file must be a YAML mapping, not ${Array.isArray(parsed) ? 'a list' : typeof parsed}.`, {
      code: 'VALUES_INVALID',
      hint: 'Put the values under keys, e.g. "api:\\n  replicaCount: 2".',
    });
  }
  return parsed;
}
