import { readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ChartctlError, ExitCode } from '../core/errors.js';
import type { Environment } from '../core/environment.js';
import { isOciDigest, isOciTag } from '../core/oci-reference.js';
import { insertSiblingScalar, readScalar, setScalar } from '../core/yaml-scalar-edit.js';
import { readChartMetadata } from '../adapters/chart-directory.js';
import type { Deps } from './deps.js';
import { chartDirOf } from './steps/render.js';

export interface SetImageOptions {
  /** Environments to edit; empty means every environment (`--all`). */
  envs: string[];
  service: string;
  tag: string;
  digest?: string;
  /** Commit the changed files with a conventional message. */
  commit?: boolean;
}

export interface ImageEdit {
  env: string;
  /** Repository-relative values file that was (or would have been) edited. */
  file: string;
  tagPath: string;
  previousTag: unknown;
  tag: string;
  digest?: string;
  changed: boolean;
}

export interface SetImageResult {
  service: string;
  edits: ImageEdit[];
  /** Files whose content changed. */
  changedFiles: string[];
  /** The commit made with `commit: true` (none when nothing changed). */
  commit: string | null;
}

/**
 * Sets one service's image tag (and digest) in each environment's values file,
 * editing the YAML in place so only the changed scalars move in `git diff`.
 * All files are checked before any is written: a refusal leaves the repository as it was.
 */
export async function setImage(deps: Deps, options: SetImageOptions): Promise<SetImageResult> {
  if (!isOciTag(options.tag)) {
    throw new ChartctlError(`"${options.tag}" is not a valid image tag.`, {
      code: 'BAD_IMAGE_TAG',
      hint: 'An OCI tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-" (e.g. 1.4.2 or 1.4.2-rc.1).',
    });
  }
  if (options.digest !== undefined && !isOciDigest(options.digest)) {
    throw new ChartctlError(`"${options.digest}" is not an image digest.`, { code: 'BAD_IMAGE_DIGEST', hint: 'Expected sha256: followed by 64 lowercase hex digits.' });
  }
  const envs = await deps.repo.loadEnvironments(options.envs);
  const planned: { edit: ImageEdit; abs: string; text: string }[] = [];
  const pending = new Map<string, string>();
  for (const env of envs) {
    await assertKnownService(deps, env, options.service);
    const tagPath = (env.images[options.service] ?? `${options.service}.image.tag`).split('.');
    const { rel, abs } = await fileHolding(deps, env, tagPath);
    const original = pending.get(abs) ?? (await readFile(abs, 'utf8'));
    const tagEdit = setScalar(original, rel, tagPath, options.tag);
    let text = tagEdit.text;
    let changed = tagEdit.changed;
    if (options.digest) {
      const digestPath = [...tagPath.slice(0, -1), 'digest'];
      if (readScalar(text, rel, digestPath).found) {
        const d = setScalar(text, rel, digestPath, options.digest);
        text = d.text;
        changed ||= d.changed;
      } else {
        text = insertSiblingScalar(text, rel, tagPath, 'digest', options.digest);
        changed = true;
      }
    }
    pending.set(abs, text);
    planned.push({ edit: { env: env.name, file: rel, tagPath: tagPath.join('.'), previousTag: tagEdit.previous, tag: options.tag, digest: options.digest, changed }, abs, text });
  }
  const changedFiles: string[] = [];
  for (const [abs, text] of pending) {
    if ((await readFile(abs, 'utf8')) === text) continue;
    // Write next to the file and rename: a crash never leaves half a values file.
    await writeFile(`${abs}.chartctl-tmp`, text);
    await rename(`${abs}.chartctl-tmp`, abs);
    changedFiles.push(deps.repo.display(abs));
  }
  let commit: string | null = null;
  if (options.commit && changedFiles.length > 0) {
    const where = options.envs.length > 0 ? options.envs.join(',') : 'all';
    const message = `chore(${where}): set ${options.service} image to ${options.tag}${options.digest ? ` (${options.digest.slice(0, 19)})` : ''}`;
    commit = await deps.git.commit(deps.repo.root, changedFiles, message);
  }
  return { service: options.service, edits: planned.map((p) => p.edit), changedFiles, commit };
}

async function assertKnownService(deps: Deps, env: Environment, service: string): Promise<void> {
  const chartDir = chartDirOf(deps, env);
  const chart = await readChartMetadata(chartDir, (p) => deps.repo.display(p));
  const services = ((chart.dependencies ?? []) as { name: string; alias?: string }[]).map((d) => d.alias ?? d.name);
  const mapped = Object.keys(env.images);
  const known = [...new Set([...services, ...mapped])].sort();
  if (!known.includes(service)) {
    throw new ChartctlError(`Unknown service "${service}" for ${env.name}. Known services: ${known.join(', ') || '(none)'}.`, {
      code: 'SERVICE_NOT_FOUND',
      exitCode: ExitCode.noMatch,
      hint: `Services are the dependencies of ${env.chart}/Chart.yaml, plus those mapped under "images:" in ${env.file}.`,
    });
  }
}

/** The last (highest-precedence) plain values file of the environment that sets the path. */
async function fileHolding(deps: Deps, env: Environment, path: string[]): Promise<{ rel: string; abs: string }> {
  const candidates = env.values.filter((v) => !v.endsWith('.hbs')).reverse();
  for (const rel of candidates) {
    const abs = deps.repo.path(rel);
    if (!existsSync(abs)) continue;
    if (readScalar(await readFile(abs, 'utf8'), rel, path).found) return { rel, abs };
  }
  throw new ChartctlError(`No values file of ${env.name} sets "${path.join('.')}" (looked in: ${candidates.join(', ') || 'none'}).`, {
    code: 'IMAGE_KEY_NOT_FOUND',
    hint: `Add "${path.join('.')}" to the environment's values file (e.g. ${candidates[0] ?? 'environments/values/<env>.yaml'}), or map the service to its tag path under "images:" in ${env.file}.`,
  });
}
