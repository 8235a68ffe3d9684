import { ChartctlError, isChartctlError } from '../errors.js';
import { recoverDataKey, type UnwrapKey } from './data-key.js';
import { emitEncryptedDotenv, emitPlainDotenv, parseDotenvSops } from './dotenv-format.js';
import { emitEncryptedIni, emitPlainIni, parseIniSops } from './ini-format.js';
import { binaryBranch, binaryContent, emitEncryptedJson, emitPlainJson, parseBinarySops, parseJsonSops } from './json-format.js';
import { canonicalTimestamp, sopsTimestamp } from './metadata.js';
import { decryptTree, encryptTree } from './tree-crypto.js';
import type { FileFormat, MapNode, SopsDocument, SopsMetadata } from './types.js';
import { decryptValue, encryptValue, type IvStash } from './value-cipher.js';
import { scanEncryptedYaml } from './yaml-fast-scan.js';
import { emitEncryptedYaml, emitPlainYaml, parseYamlSops } from './yaml-format.js';

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

/** Parses a file as the given store; plaintext files parse too (no metadata). */
export function parseSopsText(text: string, format: FileFormat, file: string): SopsDocument {
  switch (format) {
    case 'yaml':
      return parseYamlSops(text, file);
    case 'json':
      return parseJsonSops(text, file);
    case 'binary':
      return parseBinarySops(text, file);
    case 'dotenv':
      return parseDotenvSops(text, file);
    case 'ini':
      return parseIniSops(text, file);
  }
}

/** A plaintext file as a tree to encrypt (binary files become one `data` value holding the file's bytes). */
export function parsePlainText(content: string | Uint8Array, format: FileFormat, file: string): SopsDocument {
  if (format === 'binary') return { format, branches: [binaryBranch(typeof content === 'string' ? Buffer.from(content, 'utf8') : content)] };
  return parseSopsText(typeof content === 'string' ? content : Buffer.from(content).toString('utf8'), format, file);
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
export function verifyMac(meta: SopsMetadata, computed: string, dataKey: Uint8Array, file: string): void {
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
  format: FileFormat;
  /**
   * Only the values are needed (rendering): comments may be dropped, which
   * allows the fast reader for sops' own layout. Off for decrypt/edit.
   */
  valuesOnly?: boolean;
  /** Remember each value's IV so an edit re-encrypts unchanged values identically. */
  keepIvs?: boolean;
  /** Recovery (sops' --ignore-mac): a MAC mismatch is reported in `macMismatch` instead of refused. */
  ignoreMac?: boolean;
}

/** Decrypts a sops file in memory: data key from a master key, every value, then the MAC check. */
export async function openSopsText(text: string, options: OpenOptions, unwrap: UnwrapKey): Promise<OpenedSopsFile> {
  const doc = (options.valuesOnly && options.format === 'yaml' ? scanEncryptedYaml(text, options.file) : undefined) ?? parseSopsText(text, options.format, options.file);
  if (!doc.metadata) throw notEncryptedError(options.file);
  const dataKey = await recoverDataKey(doc.metadata, unwrap, options.file);
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

/**
 * Encrypts a cleartext tree under `dataKey` and writes the file text with a
 * fresh MAC and `lastmodified`. The metadata's key groups must already hold
 * this data key wrapped for each recipient.
 */
export function sealSopsText(
  branches: readonly MapNode[],
  format: FileFormat,
  metadata: Omit<SopsMetadata, 'mac' | 'lastModified'>,
  dataKey: Uint8Array,
  now: Date,
  file: string,
  stash?: IvStash,
): string {
  const encrypted = encryptTree(branches, dataKey, { file, rules: metadata.rules }, stash);
  const lastModified = sopsTimestamp(now);
  const mac = encryptValue(encrypted.mac, 'str', dataKey, lastModified);
  return emitEncryptedText(encrypted.branches, format, { ...metadata, lastModified, mac });
}

/** Writes an already encrypted tree with its metadata in the store's layout (sops' EmitEncryptedFile). */
export function emitEncryptedText(branches: readonly MapNode[], format: FileFormat, metadata: SopsMetadata): string {
  const first = branches[0] ?? { kind: 'map', items: [] };
  switch (format) {
    case 'yaml':
      return emitEncryptedYaml(branches, metadata);
    case 'json':
    case 'binary':
      return emitEncryptedJson(first, metadata);
    case 'dotenv':
      return emitEncryptedDotenv(first, metadata);
    case 'ini':
      return emitEncryptedIni(first, metadata);
  }
}

/** The cleartext file as `sops -d` prints it (a binary file's bytes are in emitPlainBytes). */
export function emitPlainText(branches: readonly MapNode[], format: FileFormat): string {
  switch (format) {
    case 'yaml':
      return emitPlainYaml(branches);
    case 'json':
      return emitPlainJson(branches[0] ?? { kind: 'map', items: [] });
    case 'binary':
      return binaryContent(branches[0] ?? { kind: 'map', items: [] }).toString('utf8');
    case 'dotenv':
      return emitPlainDotenv(branches[0] ?? { kind: 'map', items: [] });
    case 'ini':
      return emitPlainIni(branches[0] ?? { kind: 'map', items: [] });
  }
}

/** The cleartext file's exact bytes: for a binary file, the bytes sops' binary store kept, not their UTF-8 reading. */
export function emitPlainBytes(branches: readonly MapNode[], format: FileFormat): Buffer {
  if (format === 'binary') return binaryContent(branches[0] ?? { kind: 'map', items: [] });
  return Buffer.from(emitPlainText(branches, format), 'utf8');
}
