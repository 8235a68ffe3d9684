import { readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSecretsFile } from '../adapters/secrets-reader.js';
import { isChartctlError } from '../core/errors.js';
import { matchCreationRule } from '../core/sops/creation-rules.js';
import { findPlaintext, type PlaintextProblem } from '../core/sops/plaintext-check.js';
import { detectFormat } from '../core/sops/open-document.js';
import { parseSopsText } from '../core/sops/sops-file.js';
import type { Deps } from './deps.js';
import { findSopsConfig, pathForRules, type SopsConfig } from './steps/sops-config.js';

export interface SecretsCheckOptions {
  /** Files or directories (relative to --cwd); the whole repository when empty. */
  paths: string[];
}

export interface SecretsCheckedFile {
  file: string;
  /** Why the file must be encrypted: a `.sops.yaml` rule and/or the environments listing it under `secrets`. */
  requiredBy: string[];
  encrypted: boolean;
  problems: PlaintextProblem[];
}

export interface SecretsCheckResult {
  ok: boolean;
  /** `.sops.yaml` used, if any. */
  config?: string;
  files: SecretsCheckedFile[];
  problems: number;
}

/** Directories never scanned: VCS data, dependencies, and dot-directories (caches, tool state). */
function skipDirectory(name: string): boolean {
  return name === 'node_modules' || name.startsWith('.');
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirectory(entry.name)) await walk(path, out);
    } else if (entry.isFile()) {
      out.push(path);
    }
  }
}

/** Secrets files listed by the environment files: absolute path -> environment files listing it. */
async function environmentSecrets(deps: Deps): Promise<Map<string, string[]>> {
  const listed = new Map<string, string[]>();
  // A repository with only a .sops.yaml (or no environment file yet) is checked by its rules alone.
  if (!existsSync(deps.repo.environmentsDir)) return listed;
  const names = await deps.repo.environmentNames();
  if (names.length === 0) return listed;
  for (const env of await deps.repo.loadEnvironments(names)) {
    for (const rel of env.secrets) {
      const abs = deps.repo.path(rel);
      listed.set(abs, [...(listed.get(abs) ?? []), env.file]);
    }
  }
  return listed;
}

function ruleRequiring(config: SopsConfig | undefined, file: string): string | undefined {
  if (!config) return undefined;
  // The rule sops would encrypt this file with. Only rules with a path_regex say
  // "files like this are secrets"; a catch-all rule just picks recipients.
  const rule = matchCreationRule(config.rules, pathForRules(config, file));
  return rule?.pathRegex ? `.sops.yaml rule ${rule.index} (path_regex ${rule.pathPattern})` : undefined;
}

/**
 * Fails when a file that must be encrypted is not, or holds cleartext values:
 * files matched by a `.sops.yaml` creation rule's path_regex and files listed
 * under `secrets` by an environment. Reads no keys, so it runs anywhere
 * (pre-commit hook, CI).
 */
export async function secretsCheck(deps: Deps, options: SecretsCheckOptions): Promise<SecretsCheckResult> {
  const config = await findSopsConfig(deps);
  const listed = await environmentSecrets(deps);
  const candidates: string[] = [];
  if (options.paths.length === 0) {
    await walk(deps.repo.root, candidates);
    for (const file of listed.keys()) if (!candidates.includes(file)) candidates.push(file);
  } else {
    for (const p of options.paths) {
      const abs = deps.repo.userPath(p);
      const info = await stat(abs).catch(() => undefined);
      if (!info) deps.reporter.warn(`${p}: no such file; skipped`);
      else if (info.isDirectory()) await walk(abs, candidates);
      else candidates.push(abs);
    }
  }
  const files: SecretsCheckedFile[] = [];
  for (const path of [...new Set(candidates)].sort()) {
    const requiredBy = [ruleRequiring(config, path), ...(listed.get(path) ?? []).map((e) => `secrets of ${e}`)].filter((r): r is string => Boolean(r));
    if (requiredBy.length === 0) continue;
    const file = deps.repo.display(path);
    files.push({ file, requiredBy, ...(await checkFile(path, file)) });
  }
  const problems = files.reduce((n, f) => n + f.problems.length, 0);
  return { ok: problems === 0, config: config ? deps.repo.display(config.path) : undefined, files, problems };
}

async function checkFile(path: string, file: string): Promise<{ encrypted: boolean; problems: PlaintextProblem[] }> {
  let text: string;
  try {
    text = await readSecretsFile(path, file);
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    // A file that cannot be read is a problem to report like any other, not a reason to stop.
    return { encrypted: false, problems: [{ path: '', message: err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message }] };
  }
  try {
    const doc = parseSopsText(text, detectFormat(path, text), file);
    return { encrypted: Boolean(doc.metadata), problems: findPlaintext(doc, file) };
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    // A damaged file is a problem to report, not a reason to stop checking the others.
    const at = /^.*?:(\d+):(\d+): (.*)$/s.exec(err.message.startsWith(file) ? err.message : '');
    const message = at ? at[3]! : err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message;
    return { encrypted: false, problems: [{ path: '', line: at ? Number(at[1]) : undefined, col: at ? Number(at[2]) : undefined, message }] };
  }
}
