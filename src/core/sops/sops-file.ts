import type { UnwrapKey } from './data-key.js';
import { emitEncryptedDotenv, emitPlainDotenv, parseDotenvSops } from './dotenv-format.js';
import { emitEncryptedIni, emitPlainIni, parseIniSops } from './ini-format.js';
import { binaryBranch, binaryContent, emitEncryptedJson, emitPlainJson, parseBinarySops, parseJsonSops } from './json-format.js';
import { sopsTimestamp } from './metadata.js';
import { openSopsDocument, type OpenedSopsFile, type OpenOptions } from './open-document.js';
import { encryptTree } from './tree-crypto.js';
import type { FileFormat, MapNode, SopsDocument, SopsMetadata } from './types.js';
import { encryptValue, type IvStash } from './value-cipher.js';
import { emitEncryptedYaml, emitPlainYaml, parseYamlSops } from './yaml-format.js';

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

/** Parses and decrypts a sops file in memory (see openSopsDocument). */
export async function openSopsText(text: string, options: OpenOptions & { format: FileFormat }, unwrap: UnwrapKey): Promise<OpenedSopsFile> {
  return openSopsDocument(parseSopsText(text, options.format, options.file), options, unwrap);
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
