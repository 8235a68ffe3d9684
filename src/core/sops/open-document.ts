import { ChartctlError, isChartctlError } from '../errors.js';
import { recoverDataKey, type HeldAgeRecipients, type UnwrapKey } from './data-key.js';
import { canonicalTimestamp } from './metadata.js';
import { decryptTree } from './tree-crypto.js';
import type { FileFormat, MapNode, SopsDocument, SopsMetadata } from './types.js';
import { decryptValue, type IvStash } from './value-cipher.js';

// Apart from sops-file.ts (the stores' parsers and writers): rendering opens a file read by the
// fast reader (yaml-fast-scan.ts) with these alone, without loading the full YAML parser.

/**
 * The store sops would pick: by extension (sops' `.env` and `.ini`, exact
 * case), and for other names by content (a JSON envelope holding only `data`
 * is sops' binary store).
 */
export function detectFormat(path: string, text?: string): FileFormat {
  if (/\.json$/i.test(path)) return 'json';
  if (path.endsWith('.env')) return 'dotenv';
  if (path.endsWith('.ini')) return 'ini';
  if (/\.ya?ml$/i.test(path)) return 'yaml';
  if (text !== undefined && /^\s*\{/.test(text) && /"data"\s*:/.test(text) && /"sops"\s*:/.test(text)) return 'binary';
  return 'yaml';
}

export function notEncryptedError(file: string): ChartctlError {
  return new ChartctlError(`${file}: not a sops-encrypted file (it has no "sops" metadata).`, {
    code: 'SOPS_NOT_ENCRYPTED',
    hint: `Encrypt it first with chartctl secrets encrypt ${file} (recipients come from .sops.yaml).`,
  });
}

export interface OpenedSopsFile {
  format: FileFormat;
  metadata: SopsMetadata;
  /** The cleartext tree; never written anywhere but a private temp file or stdout on request. */
  branches: MapNode[];
  dataKey: Uint8Array;
  /** IVs of the values as decrypted, so unchanged values re-encrypt to the same ciphertext. */
  stash: IvStash;
  /** Decrypted strings, for the SecretMasker. */
  secrets: string[];
  /** With `ignoreMac`: why the MAC check failed (the values may have been tampered with). */
  macMismatch?: string;
}

/** Checks the stored MAC (encrypted with the data key, bound to `lastmodified`) against the one computed while decrypting. */
function verifyMac(meta: SopsMetadata, computed: string, dataKey: Uint8Array, file: string): void {
  const tamper = (detail: string) =>
    new ChartctlError(`${file}: MAC mismatch: ${detail}.`, {
      code: 'SOPS_MAC_MISMATCH',
      hint: 'A value was added, removed, reordered or changed without the key (e.g. a hand edit or a bad merge). Restore the file from version control, or re-create the values with chartctl secrets edit.',
    });
  if (!meta.mac) throw tamper('the file has no MAC');
  let stored: string;
  try {
    stored = decryptValue(meta.mac, dataKey, canonicalTimestamp(meta.lastModified)!).plain.toString('utf8');
  } catch {
    throw tamper('the stored MAC cannot be opened (lastmodified or the MAC itself was changed)');
  }
  if (stored !== computed) throw tamper("the values do not match the file's message authentication code");
}

export interface OpenOptions {
  file: string;
  /** Remember each value's IV so an edit re-encrypts unchanged values identically. */
  keepIvs?: boolean;
  /** Recovery (sops' --ignore-mac): a MAC mismatch is reported in `macMismatch` instead of refused. */
  ignoreMac?: boolean;
}

/** Decrypts a parsed sops file in memory: data key from a master key, every value, then the MAC check. */
export async function openSopsDocument(doc: SopsDocument, options: OpenOptions, unwrap: UnwrapKey, heldAgeRecipients?: HeldAgeRecipients): Promise<OpenedSopsFile> {
  if (!doc.metadata) throw notEncryptedError(options.file);
  const dataKey = await recoverDataKey(doc.metadata, unwrap, options.file, heldAgeRecipients);
  const decrypted = decryptTree(doc.branches, dataKey, { file: options.file, rules: doc.metadata.rules }, options.keepIvs);
  let macMismatch: string | undefined;
  try {
    verifyMac(doc.metadata, decrypted.mac, dataKey, options.file);
  } catch (err) {
    if (!options.ignoreMac || !isChartctlError(err) || err.code !== 'SOPS_MAC_MISMATCH') throw err;
    macMismatch = err.message;
  }
  return {
    format: doc.format,
    metadata: doc.metadata,
    branches: decrypted.branches,
    dataKey,
    stash: decrypted.stash,
    secrets: decrypted.secrets,
    macMismatch,
  };
}
