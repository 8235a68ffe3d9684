import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import { matchCreationRule, parseSopsConfig, type CreationRule } from '../../core/sops/creation-rules.js';
import type { Deps } from '../deps.js';

export const SOPS_CONFIG_FILE = '.sops.yaml';

export interface SopsConfig {
  /** Absolute path of `.sops.yaml`. */
  path: string;
  /** Its directory: path_regex is matched against paths relative to it. */
  dir: string;
  rules: CreationRule[];
}

/** sops' own bound on the walk up (config.LookupConfigFile). */
const MAX_CONFIG_DEPTH = 100;
/** The name sops warns about and ignores. */
const IGNORED_CONFIG_FILE = '.sops.yml';

/**
 * The `.sops.yaml` sops would use: the nearest one from the current directory
 * (--cwd) upwards, whatever file is being encrypted, exactly as sops' LookupConfigFile.
 * A `.sops.yml` on the way is ignored with sops' warning.
 */
export async function findSopsConfig(deps: Deps): Promise<SopsConfig | undefined> {
  let dir = deps.repo.root;
  let ignored: string | undefined;
  for (let depth = 0; depth < MAX_CONFIG_DEPTH; depth++) {
    const path = join(dir, SOPS_CONFIG_FILE);
    if (existsSync(path)) {
      if (ignored) deps.reporter.warn(`ignoring ${deps.repo.display(ignored)}: the sops config file must be called ${SOPS_CONFIG_FILE}; using ${deps.repo.display(path)} instead`);
      return { path, dir, rules: parseSopsConfig(await readFile(path, 'utf8'), deps.repo.display(path)) };
    }
    if (!ignored && existsSync(join(dir, IGNORED_CONFIG_FILE))) ignored = join(dir, IGNORED_CONFIG_FILE);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (ignored) deps.reporter.warn(`ignoring ${deps.repo.display(ignored)}: the sops config file must be called ${SOPS_CONFIG_FILE}`);
  return undefined;
}

/**
 * What path_regex is matched against, as sops does: the path relative to the
 * config's directory for a file under it, the absolute path otherwise (forward slashes).
 */
export function pathForRules(config: SopsConfig, file: string): string {
  const rel = relative(config.dir, file);
  return (rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file).split(sep).join('/');
}

/** The creation rule that decides the recipients of a new file, or a clear error. */
export async function creationRuleFor(deps: Deps, file: string): Promise<{ config: SopsConfig; rule: CreationRule }> {
  const shown = deps.repo.display(file);
  const config = await findSopsConfig(deps);
  if (!config) {
    throw new ChartctlError(`${shown}: no ${SOPS_CONFIG_FILE} found in ${deps.repo.root} or any parent directory (sops looks from the current directory up), so there are no recipients to encrypt for.`, {
      code: 'SOPS_CONFIG_MISSING',
      hint: `Create ${SOPS_CONFIG_FILE} at the repository root with creation_rules (path_regex and age/pgp/kms recipients), and run chartctl from inside that directory (or --cwd); see docs/secrets.md.`,
    });
  }
  const relativePath = pathForRules(config, file);
  const rule = matchCreationRule(config.rules, relativePath);
  if (!rule) {
    throw new ChartctlError(`${shown}: no creation rule in ${deps.repo.display(config.path)} matches "${relativePath}".`, {
      code: 'SOPS_NO_CREATION_RULE',
      hint: `Add a creation rule whose path_regex matches ${relativePath} (e.g. path_regex: ^environments/secrets/.*\\.yaml$), or move the file where a rule applies.`,
    });
  }
  if (rule.unsupported.length > 0) {
    throw new ChartctlError(`${rule.where}: this creation rule uses ${rule.unsupported.join(', ')}, which chartctl cannot encrypt for.`, {
      code: 'SOPS_UNSUPPORTED_KEY',
      hint: 'Use age, pgp or kms recipients for files chartctl writes, or encrypt this file with the sops binary.',
    });
  }
  if (rule.keyGroups.length === 0) {
    throw new ChartctlError(`${rule.where}: the creation rule matching ${relativePath} lists no recipients.`, {
      code: 'SOPS_NO_RECIPIENTS',
      hint: 'Add age, pgp or kms recipients to the rule.',
    });
  }
  return { config, rule };
}
