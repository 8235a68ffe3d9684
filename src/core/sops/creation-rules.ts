import { ChartctlError } from '../errors.js';
import { parseLocatedYaml } from '../yaml-source.js';
import { compileGoRegExp, type GoRegExp } from './go-regexp.js';
import { checkSingleRule } from './rules.js';
import type { EncryptionRules, MasterKeySpec } from './types.js';

/** One entry of `creation_rules` in `.sops.yaml`. */
export interface CreationRule {
  /** 1-based position in the file, for messages. */
  index: number;
  /** `file:line:col` of the rule. */
  where: string;
  pathRegex?: GoRegExp;
  /** path_regex as written. */
  pathPattern?: string;
  keyGroups: MasterKeySpec[][];
  shamirThreshold?: number;
  rules: EncryptionRules;
  /** Recipient kinds chartctl cannot encrypt for (gcp_kms, azure_keyvault, hc_vault_transit_uri, hckms). */
  unsupported: string[];
}

type Raw = Record<string, unknown>;
const UNSUPPORTED_FIELDS = ['gcp_kms', 'azure_keyvault', 'hc_vault_transit_uri', 'hc_vault', 'hckms'];
const REGEX_FIELDS = ['unencrypted_regex', 'encrypted_regex', 'unencrypted_comment_regex', 'encrypted_comment_regex'] as const;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function configError(where: string, what: string): ChartctlError {
  return new ChartctlError(`${where}: ${what}.`, {
    code: 'SOPS_CONFIG_INVALID',
    hint: 'See docs/secrets.md (".sops.yaml") for the supported creation rule fields.',
  });
}

/** sops accepts a comma-separated string or a list for recipient fields. */
function stringList(value: unknown, field: string, where: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value)) {
    return value.map((v, i) => {
      if (typeof v !== 'string') throw configError(where, `entry ${i + 1} of "${field}" must be a string`);
      return v.trim();
    });
  }
  throw configError(where, `"${field}" must be a string or a list of strings`);
}

function ageSpecs(value: unknown, where: string): MasterKeySpec[] {
  return stringList(value, 'age', where).map((recipient) => {
    // Bech32 (no 1, b, i, o after the separator): X25519 age1..., and age 1.3's post-quantum hybrid age1pq1..., which sops writes since 3.12.
    if (!/^age1(pq1)?[02-9ac-hj-np-z]+$/.test(recipient)) throw configError(where, `"${recipient}" is not an age recipient (age1... or age1pq1...)`);
    return { type: 'age', recipient };
  });
}

function pgpSpecs(value: unknown, where: string): MasterKeySpec[] {
  return stringList(value, 'pgp', where).map((fp) => ({ type: 'pgp', fingerprint: fp.replace(/\s+/g, '') }));
}

/** `arn` or `arn+arn:aws:iam::…:role/…` (sops' short form for a role to assume). */
function kmsFromString(text: string, awsProfile: string | undefined): MasterKeySpec {
  const compact = text.replace(/\s+/g, '');
  const roleAt = compact.indexOf('+arn:aws:iam::');
  return roleAt > 0
    ? { type: 'kms', arn: compact.slice(0, roleAt), role: compact.slice(roleAt + 1), awsProfile }
    : { type: 'kms', arn: compact, awsProfile };
}

function kmsSpecs(value: unknown, awsProfile: string | undefined, where: string): MasterKeySpec[] {
  if (value === undefined || value === null || value === '') return [];
  const entries = typeof value === 'string' ? value.split(',').filter((s) => s.trim()) : value;
  if (!Array.isArray(entries)) throw configError(where, '"kms" must be a string or a list');
  return entries.map((entry, i): MasterKeySpec => {
    if (typeof entry === 'string') return kmsFromString(entry, awsProfile);
    if (!isObject(entry) || typeof entry.arn !== 'string') throw configError(where, `entry ${i + 1} of "kms" needs an "arn"`);
    const context = isObject(entry.context) ? Object.fromEntries(Object.entries(entry.context).map(([k, v]) => [k, String(v)])) : undefined;
    return {
      type: 'kms',
      arn: entry.arn.trim(),
      role: typeof entry.role === 'string' && entry.role ? entry.role : undefined,
      context: context && Object.keys(context).length > 0 ? context : undefined,
      awsProfile: typeof entry.aws_profile === 'string' && entry.aws_profile ? entry.aws_profile : awsProfile,
    };
  });
}

function groupSpecs(raw: Raw, where: string, unsupported: string[]): MasterKeySpec[] {
  for (const f of UNSUPPORTED_FIELDS) if (raw[f] !== undefined && raw[f] !== null && raw[f] !== '' && !(Array.isArray(raw[f]) && (raw[f] as unknown[]).length === 0)) unsupported.push(f);
  const merged = Array.isArray(raw.merge) ? raw.merge.filter(isObject).flatMap((m) => groupSpecs(m, where, unsupported)) : [];
  return [...kmsSpecs(raw.kms, undefined, where), ...pgpSpecs(raw.pgp, where), ...ageSpecs(raw.age, where), ...merged];
}

export function parseSopsConfig(text: string, file: string): CreationRule[] {
  const parsed = parseLocatedYaml(text, file, `Fix the YAML in ${file}.`);
  const root = parsed.value;
  if (!isObject(root) || !Array.isArray(root.creation_rules) || root.creation_rules.length === 0) {
    throw new ChartctlError(`${file}: no "creation_rules".`, {
      code: 'SOPS_CONFIG_INVALID',
      hint: 'Add creation_rules with a path_regex and the recipients (age, pgp or kms) for each kind of secrets file.',
    });
  }
  return root.creation_rules.map((raw, i): CreationRule => {
    const where = parsed.where(['creation_rules', i]);
    if (!isObject(raw)) throw configError(where, 'a creation rule must be a mapping');
    const unsupported: string[] = [];
    const awsProfile = typeof raw.aws_profile === 'string' && raw.aws_profile ? raw.aws_profile : undefined;
    let keyGroups: MasterKeySpec[][];
    if (Array.isArray(raw.key_groups) && raw.key_groups.length > 0) {
      keyGroups = raw.key_groups.map((g, gi) => {
        if (!isObject(g)) throw configError(where, `key group ${gi + 1} must be a mapping`);
        return groupSpecs(g, where, unsupported);
      });
    } else {
      for (const f of UNSUPPORTED_FIELDS) if (raw[f]) unsupported.push(f);
      keyGroups = [[...kmsSpecs(raw.kms, awsProfile, where), ...pgpSpecs(raw.pgp, where), ...ageSpecs(raw.age, where)]];
    }
    const rules: EncryptionRules = {
      unencryptedSuffix: typeof raw.unencrypted_suffix === 'string' && raw.unencrypted_suffix ? raw.unencrypted_suffix : undefined,
      encryptedSuffix: typeof raw.encrypted_suffix === 'string' && raw.encrypted_suffix ? raw.encrypted_suffix : undefined,
      unencryptedRegex: typeof raw.unencrypted_regex === 'string' && raw.unencrypted_regex ? raw.unencrypted_regex : undefined,
      encryptedRegex: typeof raw.encrypted_regex === 'string' && raw.encrypted_regex ? raw.encrypted_regex : undefined,
      unencryptedCommentRegex: typeof raw.unencrypted_comment_regex === 'string' && raw.unencrypted_comment_regex ? raw.unencrypted_comment_regex : undefined,
      encryptedCommentRegex: typeof raw.encrypted_comment_regex === 'string' && raw.encrypted_comment_regex ? raw.encrypted_comment_regex : undefined,
      macOnlyEncrypted: raw.mac_only_encrypted === true || undefined,
    };
    checkSingleRule(rules, where);
    // Refused here, at the key that holds it, rather than when a file is first encrypted with it.
    for (const field of REGEX_FIELDS) if (typeof raw[field] === 'string' && raw[field]) compileGoRegExp(raw[field], parsed.where(['creation_rules', i, field], 'key'));
    const pathPattern = typeof raw.path_regex === 'string' && raw.path_regex ? raw.path_regex : undefined;
    const shamir = raw.shamir_threshold;
    return {
      index: i + 1,
      where,
      pathRegex: pathPattern ? compileGoRegExp(pathPattern, parsed.where(['creation_rules', i, 'path_regex'], 'key')) : undefined,
      pathPattern,
      keyGroups: keyGroups.filter((g) => g.length > 0),
      shamirThreshold: typeof shamir === 'number' && shamir > 0 ? shamir : undefined,
      rules,
      unsupported,
    };
  });
}

/** sops' rule choice: the first rule without a path_regex, or whose path_regex matches (Go's MatchString) the path relative to `.sops.yaml`. */
export function matchCreationRule(rules: readonly CreationRule[], relativePath: string): CreationRule | undefined {
  const path = relativePath.split('\\').join('/');
  return rules.find((r) => !r.pathRegex || r.pathRegex.test(path));
}
