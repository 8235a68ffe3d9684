import { ChartctlError } from './errors.js';
import type { TarFile } from './tar-archive.js';

/**
 * The configuration a published version carries beside its chart: for each
 * environment, its values files and sops-encrypted secrets files in order, as
 * they were in the application repository when the version was packaged.
 *
 * It lives under `.chartctl/` at the chart's root: not `templates/`,
 * `charts/` or `values.yaml`, so helm's loader keeps the files as plain
 * `.Files` (never templates or values) and the tarball stays a chart that helm
 * lints, templates and installs as it is.
 */
export const ARTIFACT_MANIFEST = '.chartctl/environments.json';
export const ARTIFACT_FILES = '.chartctl/files/';

export interface ArtifactEnvironment {
  /** Repository-relative paths, in the order helm reads them (`-f` one after the other). */
  values: string[];
  secrets: string[];
}

export interface ArtifactConfig {
  environments: Record<string, ArtifactEnvironment>;
  /** Repository-relative path → the file's bytes as committed (secrets still encrypted). */
  files: Map<string, Uint8Array>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A repository-relative path that cannot leave the directory it is extracted under. */
export function isSafeRelativePath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The chart-relative files that carry `config` inside the tarball, in a fixed order (same config → same bytes). */
export function artifactConfigFiles(config: ArtifactConfig): TarFile[] {
  const environments: Record<string, ArtifactEnvironment> = {};
  for (const name of Object.keys(config.environments).sort()) environments[name] = config.environments[name]!;
  const manifest = { schema: 1, environments };
  const files: TarFile[] = [{ path: ARTIFACT_MANIFEST, data: encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`) }];
  for (const path of [...config.files.keys()].sort()) {
    if (!isSafeRelativePath(path)) throw new Error(`unsafe artifact path ${path}`);
    files.push({ path: `${ARTIFACT_FILES}${path}`, data: config.files.get(path)! });
  }
  return files;
}

/**
 * Reads the configuration back from a tarball's chart-relative files;
 * undefined when the chart was not packaged by chartctl. Everything is
 * checked: a repository writer must not make chartctl read outside the files
 * it carries.
 */
export function readArtifactConfig(files: TarFile[], where: string): ArtifactConfig | undefined {
  const manifestFile = files.find((f) => f.path === ARTIFACT_MANIFEST);
  if (!manifestFile) return undefined;
  const bad = (reason: string) =>
    new ChartctlError(`${where}: ${ARTIFACT_MANIFEST} ${reason}.`, {
      code: 'ARTIFACT_CONFIG_INVALID',
      hint: 'The version was not packaged by this chartctl or was altered after packaging; publish a new version with chartctl publish.',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(manifestFile.data));
  } catch {
    throw bad('is not valid JSON');
  }
  const envs = (parsed as { environments?: unknown } | null)?.environments;
  if (!envs || typeof envs !== 'object' || Array.isArray(envs)) throw bad('has no "environments" mapping');
  const byPath = new Map(files.filter((f) => f.path.startsWith(ARTIFACT_FILES)).map((f) => [f.path.slice(ARTIFACT_FILES.length), f.data]));
  const environments: Record<string, ArtifactEnvironment> = {};
  const carried = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(envs as Record<string, unknown>)) {
    const entry = value as { values?: unknown; secrets?: unknown } | null;
    const lists: ArtifactEnvironment = { values: [], secrets: [] };
    for (const key of ['values', 'secrets'] as const) {
      const list = entry?.[key];
      if (!Array.isArray(list) || !list.every((p): p is string => typeof p === 'string')) throw bad(`gives ${name} no list of ${key} files`);
      for (const p of list) {
        if (!isSafeRelativePath(p)) throw bad(`names an unsafe path "${p}" for ${name}`);
        const data = byPath.get(p);
        if (!data) throw bad(`lists ${p} for ${name}, which the tarball does not carry`);
        carried.set(p, data);
      }
      lists[key] = list;
    }
    environments[name] = lists;
  }
  return { environments, files: carried };
}

/** The part of the configuration one environment reads, or a clear refusal when the version was not packaged for it. */
export function artifactEnvironment(config: ArtifactConfig, env: string, version: string): ArtifactEnvironment {
  const entry = config.environments[env];
  if (!entry) {
    const carried = Object.keys(config.environments).sort();
    throw new ChartctlError(`Version ${version} carries no configuration for ${env} (it carries: ${carried.join(', ') || 'none'}).`, {
      code: 'ARTIFACT_ENV_MISSING',
      hint: `The environment was added after ${version} was packaged: publish a new version that includes it, or deploy the working tree with --local.`,
    });
  }
  return entry;
}
