import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
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

/** The nearest `.sops.yaml` from `startDir` upwards (as sops looks it up), or undefined. */
export async function findSopsConfig(deps: Deps, startDir: string): Promise<SopsConfig | undefined> {
  let dir = startDir;
  for (;;) {
    const path = join(dir, SOPS_CONFIG_FILE);
    if (existsSync(path)) {
      return { path, dir, rules: parseSopsConfig(await readFile(path, 'utf8'), deps.repo.display(path)) };
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Path of `file` relative to the config's directory, with forward slashes. */
export function pathForRules(config: SopsConfig, file: string): string {
  return relative(config.dir, file).split(sep).join('/');
}

/** The creation rule that decides the recipients of a new file, or a clear error. */
export async function creationRuleFor(deps: Deps, file: string): Promise<{ config: SopsConfig; rule: CreationRule }> {
  const shown = deps.repo.display(file);
  const config = await findSopsConfig(deps, dirname(file));
  if (!config) {
    throw new ChartctlError(`${shown}: no ${SOPS_CONFIG_FILE} found in its directory or any parent, so there are no recipients to encrypt for.`, {
      code: 'SOPS_CONFIG_MISSING',
      hint: `Create ${SOPS_CONFIG_FILE} at the repository root with creation_rules (path_regex and age/pgp/kms recipients); see docs/secrets.md.`,
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
