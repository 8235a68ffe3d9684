/**
 * The sops document model, mirroring sops' own TreeBranch/TreeItem so that the
 * walk order (which the MAC and the per-value additional data depend on) is
 * the same as the real sops: maps keep key order, comments are items of the
 * map or list they appear in, aliases are expanded into copies.
 */

/** The value types sops writes after `type:` in an ENC[...] blob. */
export type ScalarType = 'str' | 'int' | 'float' | 'bool' | 'bytes' | 'time';

export interface SourcePos {
  line: number;
  col: number;
}

/**
 * A leaf value. `text` is exactly the bytes sops encrypts and feeds to the MAC
 * (Go's `ToBytes`): the string itself, a canonical decimal int, a float in
 * Go's shortest `'f'` format, `True`/`False`. An encrypted leaf is a `str`
 * whose text is the ENC[...] blob.
 */
export interface Scalar {
  kind: 'scalar';
  type: ScalarType;
  text: string;
  /**
   * The exact bytes of a `str`/`bytes` value that is not UTF-8 text (a file in
   * sops' binary store, kept as one Go string of bytes). When set, these bytes
   * are what is encrypted and fed to the MAC, and `text` is only a display form.
   */
  raw?: Buffer;
  pos?: SourcePos;
}

export interface NullValue {
  kind: 'null';
  pos?: SourcePos;
}

/** One comment line, without its leading `#` (sops' `Comment.Value`). */
export interface Comment {
  kind: 'comment';
  text: string;
  pos?: SourcePos;
}

export interface MapEntry {
  key: string;
  value: TreeNode;
  keyPos?: SourcePos;
}

export interface MapNode {
  kind: 'map';
  items: Array<MapEntry | Comment>;
  pos?: SourcePos;
}

export interface SeqNode {
  kind: 'seq';
  items: Array<TreeNode | Comment>;
  pos?: SourcePos;
}

export type TreeNode = MapNode | SeqNode | Scalar | NullValue;

export function isComment(item: unknown): item is Comment {
  return typeof item === 'object' && item !== null && (item as { kind?: string }).kind === 'comment';
}

/** Which values stay in cleartext; at most one of these is set, as in sops. */
export interface EncryptionRules {
  unencryptedSuffix?: string;
  encryptedSuffix?: string;
  unencryptedRegex?: string;
  encryptedRegex?: string;
  unencryptedCommentRegex?: string;
  encryptedCommentRegex?: string;
  /** The MAC covers only the values that end up encrypted. */
  macOnlyEncrypted?: boolean;
}

export const DEFAULT_UNENCRYPTED_SUFFIX = '_unencrypted';

/** A master key as stored in the file: the data key (or its Shamir part) wrapped for one recipient. */
export type MasterKey =
  | { type: 'age'; recipient: string; enc: string }
  | { type: 'pgp'; fingerprint: string; createdAt: string; enc: string }
  | {
      type: 'kms';
      arn: string;
      role?: string;
      context?: Record<string, string>;
      createdAt: string;
      enc: string;
      awsProfile: string;
    }
  /** gcp_kms, azure_kv, hc_vault, ...: kept verbatim so an edit does not drop them, but never used to decrypt. */
  | { type: 'unsupported'; field: string; raw: Record<string, unknown> };

/** A recipient to wrap a new data key for (from `.sops.yaml` or from an existing file). */
export type MasterKeySpec =
  | { type: 'age'; recipient: string }
  | { type: 'pgp'; fingerprint: string }
  | { type: 'kms'; arn: string; role?: string; context?: Record<string, string>; awsProfile?: string };

export interface SopsMetadata {
  keyGroups: MasterKey[][];
  shamirThreshold?: number;
  /** RFC 3339, also the additional data of the encrypted MAC. */
  lastModified: string;
  /** ENC[...] of the hex SHA-512 MAC. */
  mac: string;
  version: string;
  rules: EncryptionRules;
}

export type FileFormat = 'yaml' | 'json' | 'binary' | 'dotenv' | 'ini';

/** A parsed sops file: one branch per YAML document (JSON, binary, dotenv and INI files have one). */
export interface SopsDocument {
  format: FileFormat;
  branches: MapNode[];
  /** Absent for a plaintext file. */
  metadata?: SopsMetadata;
}
