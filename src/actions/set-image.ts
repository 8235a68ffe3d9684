import { readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ChartctlError, ExitCode } from '../core/errors.js';
import type { Environment } from '../core/environment.js';
import { isOciDigest, isOciTag } from '../core/oci-reference.js';
import { insertPath, insertSiblingScalar, readScalar, setScalar } from '../core/yaml-scalar-edit.js';
import { readChartMetadata } from '../adapters/chart-directory.js';
import type { Deps } from './deps.js';
import { chartDirOf } from './steps/render.js';

export interface SetImageOptions {
  /**
   * Environments that get their own override (`--only-env`); empty means every
   * environment, written once in the values file they all read.
   */
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
  /** A later values file of this environment sets its own tag, which wins over the shared one. */
  overriddenBy: { file: string; tag: unknown } | null;
}

export interface SetImageResult {
  service: string;
  /** `shared`: one file every environment reads; `override`: each named environment's own file. */
  scope: 'shared' | 'override';
  edits: ImageEdit[];
  /** Files whose content changed. */
  changedFiles: string[];
  /** The commit made with `commit: true` (none when nothing changed). */
  commit: string | null;
  warnings: string[];
}

interface PlannedFile {
  rel: string;
  abs: string;
  /** The text with a different digest, to see whether the chart reads it. */
  probe: string;
  text: string;
}

function editTagAndDigest(original: string, rel: string, tagPath: string[], tag: string, digest: string | undefined): { text: string; changed: boolean; tag: { previous: unknown } } {
  const present = readScalar(original, rel, tagPath);
  const tagEdit = present.found ? setScalar(original, rel, tagPath, tag) : { text: insertPath(original, rel, tagPath, tag), previous: undefined, changed: true };
  let text = tagEdit.text;
  let changed = tagEdit.changed;
  if (digest) {
    const digestPath = [...tagPath.slice(0, -1), 'digest'];
    if (readScalar(text, rel, digestPath).found) {
      const d = setScalar(text, rel, digestPath, digest);
      text = d.text;
      changed ||= d.changed;
    } else {
      text = insertSiblingScalar(text, rel, tagPath, 'digest', digest);
      changed = true;
    }
  }
  return { text, changed, tag: tagEdit };
}

function probeDigest(digest: string): string {
  const zeros = `sha256:${'0'.repeat(64)}`;
  return digest === zeros ? `sha256:${'1'.repeat(64)}` : zeros;
}

/**
 * Sets one service's image tag (and digest) where the environments read it, editing
 * the YAML in place so only the changed scalars move in `git diff`. By default the
 * tag goes in the values file every environment shares, so it travels with the
 * published version through every promotion; `envs` writes per-environment
 * overrides instead. All files are checked before any is written: a refusal
 * leaves the repository as it was.
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
  const scope = options.envs.length > 0 ? 'override' : 'shared';
  const envs = await deps.repo.loadEnvironments(options.envs);
  const planned: { env: Environment; edit: ImageEdit; file: PlannedFile }[] = [];
  const pending = new Map<string, PlannedFile>();
  const shared = scope === 'shared' ? sharedValuesFiles(envs) : undefined;
  for (const env of envs) {
    await assertKnownService(deps, env, options.service);
    const tagPath = (env.images[options.service] ?? `${options.service}.image.tag`).split('.');
    const { rel, abs } = shared ? await sharedFileHolding(deps, envs, shared, tagPath) : await fileHolding(deps, env, tagPath);
    const before = pending.get(abs);
    const original = before?.text ?? (await readFile(abs, 'utf8'));
    const edit = editTagAndDigest(original, rel, tagPath, options.tag, options.digest);
    // The same edits with another digest: when both render alike, the chart does not read the digest.
    const probe = options.digest ? editTagAndDigest(before?.probe ?? original, rel, tagPath, options.tag, probeDigest(options.digest)).text : edit.text;
    const file = { rel, abs, probe, text: edit.text };
    pending.set(abs, file);
    const tagEdit = edit.tag;
    const changed = edit.changed;
    const overriddenBy = await laterFileSetting(deps, env, rel, tagPath);
    planned.push({ env, file, edit: { env: env.name, file: rel, tagPath: tagPath.join('.'), previousTag: tagEdit.previous, tag: options.tag, digest: options.digest, changed, overriddenBy } });
  }
  const warnings = planned
    .filter((p) => p.edit.overriddenBy)
    .map((p) => `${p.env.name} keeps its own ${p.edit.tagPath} ${String(p.edit.overriddenBy!.tag)} from ${p.edit.overriddenBy!.file}, which overrides ${p.edit.file}.`);
  if (options.digest) await assertDigestIsRead(deps, planned, [...pending.values()]);
  const changedFiles: string[] = [];
  for (const { abs, text } of pending.values()) {
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
  return { service: options.service, scope, edits: planned.map((p) => p.edit), changedFiles, commit, warnings };
}

/**
 * A digest the chart never reads pins nothing (a `helm create` chart reads only
 * image.tag): render each environment with the digest and with another one, and
 * refuse when they are the same.
 */
async function assertDigestIsRead(deps: Deps, planned: { env: Environment; edit: ImageEdit }[], files: PlannedFile[]): Promise<void> {
  const { renderEnvironment } = await import('./steps/render.js');
  const withTexts = (pick: (f: PlannedFile) => string) => ({ kind: 'working-tree' as const, overrides: new Map(files.map((f) => [f.rel, pick(f)])) });
  const ignoring: string[] = [];
  for (const { env, edit } of planned) {
    const [tagOnly, withDigest] = await Promise.all([
      renderEnvironment(deps, env, { config: withTexts((f) => f.probe) }),
      renderEnvironment(deps, env, { config: withTexts((f) => f.text) }),
    ]);
    if (tagOnly.manifest === withDigest.manifest) ignoring.push(`${env.name} (${edit.tagPath.replace(/\.tag$/, '.digest')})`);
  }
  if (ignoring.length > 0) {
    throw new ChartctlError(`The chart does not read the image digest: rendering with --digest changes nothing for ${ignoring.join(', ')}. Nothing was written.`, {
      code: 'DIGEST_NOT_READ',
      hint: 'Make the chart\'s templates use the digest (e.g. image: "{{ .Values.image.repository }}@{{ .Values.image.digest }}"), or set the tag alone without --digest.',
    });
  }
}

/** Values files (not templates) every environment lists, in the first environment's order. */
function sharedValuesFiles(envs: Environment[]): string[] {
  const [first, ...rest] = envs;
  return (first?.values ?? []).filter((v) => !v.endsWith('.hbs') && rest.every((e) => e.values.includes(v)));
}

/** The last shared file that already sets the path, else the last shared file (the path is added to it). */
async function sharedFileHolding(deps: Deps, envs: Environment[], shared: string[], path: string[]): Promise<{ rel: string; abs: string }> {
  for (const rel of [...shared].reverse()) {
    const abs = deps.repo.path(rel);
    if (existsSync(abs) && readScalar(await readFile(abs, 'utf8'), rel, path).found) return { rel, abs };
  }
  const rel = shared.at(-1);
  if (!rel) {
    throw new ChartctlError(`No values file is shared by every environment (${envs.map((e) => e.name).join(', ')}), so there is no one place for "${path.join('.')}".`, {
      code: 'NO_SHARED_VALUES',
      hint: 'List a common values file (e.g. environments/values/common.yaml) first under "values" in every environment file, or set the tag per environment with --only-env ENV.',
    });
  }
  return { rel, abs: deps.repo.path(rel) };
}

/** The highest-precedence file after `rel` in the environment's list that sets the path: an override. */
async function laterFileSetting(deps: Deps, env: Environment, rel: string, path: string[]): Promise<{ file: string; tag: unknown } | null> {
  const later = env.values.slice(env.values.indexOf(rel) + 1).filter((v) => !v.endsWith('.hbs'));
  for (const file of later.reverse()) {
    const abs = deps.repo.path(file);
    if (!existsSync(abs)) continue;
    const found = readScalar(await readFile(abs, 'utf8'), file, path);
    if (found.found) return { file, tag: found.value };
  }
  return null;
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
