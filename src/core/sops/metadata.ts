import { ChartctlError } from '../errors.js';
import { checkSingleRule } from './rules.js';
import { DEFAULT_UNENCRYPTED_SUFFIX, type EncryptionRules, type MasterKey, type SopsMetadata } from './types.js';

/**
 * The sops format level chartctl writes: the layout (empty key lists omitted,
 * `unencrypted_suffix` spelled out) is the one sops 3.10 emits.
 */
export const WRITTEN_SOPS_VERSION = '3.10.2';

/** Key-list fields of the metadata (and of each key group) that chartctl reads but cannot use. */
const UNSUPPORTED_KEY_FIELDS = ['gcp_kms', 'azure_kv', 'hc_vault', 'hckms'] as const;

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metadataError(file: string, what: string, hint = 'The sops: block is damaged; restore the file from version control.'): ChartctlError {
  return new ChartctlError(`${file}: invalid sops metadata: ${what}.`, { code: 'SOPS_BAD_METADATA', hint });
}

/**
 * The additional data sops binds the MAC to: `lastmodified` re-formatted as
 * Go's time.RFC3339 (fractional seconds dropped, a zero offset written `Z`).
 */
export function canonicalTimestamp(value: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\d)[Tt](\d\d:\d\d:\d\d)(\.\d+)?([Zz]|[+-]\d\d:\d\d)$/.exec(value);
  if (!m) return undefined;
  const zone = /^[+-]00:00$/.test(m[4]!) || /^z$/i.test(m[4]!) ? 'Z' : m[4]!;
  return `${m[1]}T${m[2]}${zone}`;
}

/** RFC 3339 in UTC, whole seconds, as sops writes `lastmodified` and `created_at`. */
export function sopsTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function keyList(raw: unknown, field: string, file: string): Raw[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw metadataError(file, `"${field}" must be a list`);
  return raw.map((k, i) => {
    if (!isObject(k)) throw metadataError(file, `entry ${i + 1} of "${field}" must be a mapping`);
    return k;
  });
}

function parseGroup(raw: Raw, file: string): MasterKey[] {
  const group: MasterKey[] = [];
  // sops' internalGroupFrom order: kms, gcp_kms, azure_kv, hc_vault, pgp, age.
  for (const k of keyList(raw.kms, 'kms', file)) {
    const context = isObject(k.context) ? Object.fromEntries(Object.entries(k.context).map(([c, v]) => [c, str(v)])) : undefined;
    group.push({
      type: 'kms',
      arn: str(k.arn),
      role: k.role ? str(k.role) : undefined,
      context: context && Object.keys(context).length > 0 ? context : undefined,
      createdAt: str(k.created_at),
      enc: str(k.enc),
      awsProfile: str(k.aws_profile),
    });
  }
  for (const field of UNSUPPORTED_KEY_FIELDS) {
    for (const k of keyList(raw[field], field, file)) group.push({ type: 'unsupported', field, raw: k });
  }
  for (const k of keyList(raw.pgp, 'pgp', file)) group.push({ type: 'pgp', fingerprint: str(k.fp), createdAt: str(k.created_at), enc: str(k.enc) });
  for (const k of keyList(raw.age, 'age', file)) group.push({ type: 'age', recipient: str(k.recipient).trim(), enc: str(k.enc) });
  return group;
}

/** Reads and validates the `sops:` block of a file. */
export function parseMetadata(raw: unknown, file: string): SopsMetadata {
  if (!isObject(raw)) throw metadataError(file, 'the "sops" key must hold a mapping');
  if (typeof raw.version === 'number') {
    throw metadataError(file, `format version ${raw.version} is a number (a sops 1.x file)`, 'Re-encrypt the file with a current sops or chartctl.');
  }
  const version = str(raw.version);
  const major = /^(\d+)\.\d+/.exec(version)?.[1];
  if (!major || (major !== '2' && major !== '3')) {
    throw new ChartctlError(`${file}: unknown sops format version "${version || '(none)'}".`, {
      code: 'SOPS_UNKNOWN_VERSION',
      hint: 'chartctl reads files written by sops 2.x and 3.x; re-encrypt the file with one of those, or upgrade chartctl if sops changed its format.',
    });
  }
  const lastModified = str(raw.lastmodified);
  if (!canonicalTimestamp(lastModified)) throw metadataError(file, `"lastmodified" (${JSON.stringify(lastModified)}) is not an RFC 3339 time`);
  if (raw.mac !== undefined && typeof raw.mac !== 'string') throw metadataError(file, '"mac" must be a string');

  const flatFields = ['kms', 'pgp', 'age', ...UNSUPPORTED_KEY_FIELDS];
  const hasFlat = flatFields.some((f) => Array.isArray(raw[f]) && (raw[f] as unknown[]).length > 0);
  let keyGroups: MasterKey[][];
  if (hasFlat) {
    keyGroups = [parseGroup(raw, file)];
  } else if (Array.isArray(raw.key_groups) && raw.key_groups.length > 0) {
    keyGroups = raw.key_groups.map((g, i) => {
      if (!isObject(g)) throw metadataError(file, `key group ${i + 1} must be a mapping`);
      return parseGroup(g, file);
    });
  } else {
    throw metadataError(file, 'no master keys (age, pgp, kms, ...) are listed', 'The file cannot be decrypted by anyone; restore it from version control.');
  }

  const rules: EncryptionRules = {
    unencryptedSuffix: str(raw.unencrypted_suffix) || undefined,
    encryptedSuffix: str(raw.encrypted_suffix) || undefined,
    unencryptedRegex: str(raw.unencrypted_regex) || undefined,
    encryptedRegex: str(raw.encrypted_regex) || undefined,
    unencryptedCommentRegex: str(raw.unencrypted_comment_regex) || undefined,
    encryptedCommentRegex: str(raw.encrypted_comment_regex) || undefined,
    macOnlyEncrypted: raw.mac_only_encrypted === true || undefined,
  };
  checkSingleRule(rules, file);
  // sops writes a YAML int / JSON number; the YAML reader gives whole numbers as bigint.
  const shamir = typeof raw.shamir_threshold === 'bigint' ? Number(raw.shamir_threshold) : raw.shamir_threshold;
  if (shamir !== undefined && shamir !== null && (typeof shamir !== 'number' || !Number.isInteger(shamir) || shamir < 0 || shamir > 255)) {
    throw metadataError(file, `"shamir_threshold" (${String(shamir)}) must be a whole number from 0 to 255`);
  }
  return {
    keyGroups,
    shamirThreshold: typeof shamir === 'number' && shamir > 0 ? shamir : undefined,
    lastModified,
    mac: str(raw.mac),
    version,
    rules: withDefaultRule(rules),
  };
}

/** sops encrypts everything except keys ending in `_unencrypted` when no rule is given. */
export function withDefaultRule(rules: EncryptionRules): EncryptionRules {
  const any = rules.unencryptedSuffix || rules.encryptedSuffix || rules.unencryptedRegex || rules.encryptedRegex || rules.unencryptedCommentRegex || rules.encryptedCommentRegex;
  return any ? rules : { ...rules, unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX };
}

/** An ordered value for the metadata emitters (YAML and JSON keep this field order). */
export type MetaValue = string | number | boolean | MetaValue[] | MetaMap;
export interface MetaMap {
  entries: Array<[string, MetaValue]>;
}

function keyEntries(key: MasterKey): MetaMap {
  switch (key.type) {
    case 'age':
      return { entries: [['recipient', key.recipient], ['enc', key.enc]] };
    case 'pgp':
      return { entries: [['created_at', key.createdAt], ['enc', key.enc], ['fp', key.fingerprint]] };
    case 'kms': {
      const entries: Array<[string, MetaValue]> = [['arn', key.arn]];
      if (key.role) entries.push(['role', key.role]);
      if (key.context && Object.keys(key.context).length > 0) entries.push(['context', { entries: Object.entries(key.context) }]);
      entries.push(['created_at', key.createdAt], ['enc', key.enc], ['aws_profile', key.awsProfile]);
      return { entries };
    }
    case 'unsupported':
      return rawToMeta(key.raw) as MetaMap;
  }
}

function rawToMeta(raw: unknown): MetaValue {
  if (Array.isArray(raw)) return raw.map(rawToMeta);
  if (isObject(raw)) return { entries: Object.entries(raw).map(([k, v]) => [k, rawToMeta(v)]) };
  if (typeof raw === 'number' || typeof raw === 'boolean') return raw;
  return str(raw);
}

function groupFields(group: MasterKey[], order: readonly string[]): Array<[string, MetaValue]> {
  const byField = new Map<string, MetaMap[]>();
  for (const key of group) {
    const field = key.type === 'unsupported' ? key.field : key.type;
    byField.set(field, [...(byField.get(field) ?? []), keyEntries(key)]);
  }
  return order.filter((f) => byField.has(f)).map((f) => [f, byField.get(f)!]);
}

/** The `sops:` block in sops' field order, empty key lists omitted (as sops 3.10 writes it). */
export function metadataEntries(meta: SopsMetadata): MetaMap {
  const entries: Array<[string, MetaValue]> = [];
  const single = meta.keyGroups.length === 1;
  if (meta.shamirThreshold) entries.push(['shamir_threshold', meta.shamirThreshold]);
  if (!single) {
    const groupOrder = ['pgp', 'kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms', 'age'];
    entries.push(['key_groups', meta.keyGroups.map((g) => ({ entries: groupFields(g, groupOrder) }))]);
  }
  const flat = single ? groupFields(meta.keyGroups[0]!, ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'hckms', 'age', 'pgp']) : [];
  const take = (field: string) => flat.filter(([f]) => f === field);
  entries.push(...take('kms'), ...take('gcp_kms'), ...take('azure_kv'), ...take('hc_vault'), ...take('hckms'), ...take('age'));
  entries.push(['lastmodified', meta.lastModified], ['mac', meta.mac]);
  entries.push(...take('pgp'));
  const r = meta.rules;
  const ruleFields: Array<[string, string | undefined]> = [
    ['unencrypted_suffix', r.unencryptedSuffix],
    ['encrypted_suffix', r.encryptedSuffix],
    ['unencrypted_regex', r.unencryptedRegex],
    ['encrypted_regex', r.encryptedRegex],
    ['unencrypted_comment_regex', r.unencryptedCommentRegex],
    ['encrypted_comment_regex', r.encryptedCommentRegex],
  ];
  for (const [k, v] of ruleFields) if (v) entries.push([k, v]);
  if (r.macOnlyEncrypted) entries.push(['mac_only_encrypted', true]);
  entries.push(['version', meta.version]);
  return { entries };
}

/** Master keys chartctl cannot use (gcp_kms, azure_kv, hc_vault, ...), for error messages. */
export function unsupportedKeys(meta: SopsMetadata): string[] {
  return meta.keyGroups.flat().flatMap((k) => (k.type === 'unsupported' ? [k.field] : []));
}
