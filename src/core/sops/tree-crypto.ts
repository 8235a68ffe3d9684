import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { ChartctlError } from '../errors.js';
import { compileRules, shouldBeEncrypted, type CompiledRules } from './rules.js';
import { scalarFromDecrypted } from './scalars.js';
import type { Comment, EncryptionRules, MapNode, Scalar, SeqNode, SourcePos, TreeNode } from './types.js';
import { isComment } from './types.js';
import { decryptValue, encryptValue, IvStash, SopsValueError, type ValueErrorReason } from './value-cipher.js';

/**
 * sops' MACOnlyEncryptedInitialization: SHA-256("sops"), fed first so a MAC over
 * only the encrypted values can never equal a MAC over all of them.
 */
const MAC_ONLY_ENCRYPTED_INIT = Buffer.from('8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69', 'hex');

type LeafVisitor = (leaf: Scalar | Comment, path: readonly string[], commentsStack: string[][]) => Scalar | Comment;

/**
 * Walks a branch exactly like sops' walkBranch/walkSlice: keys extend the path,
 * list items do not, and each nesting level keeps the comments seen since its
 * last value (for the comment regex rules).
 */
function walkMap(node: MapNode, path: readonly string[], stack: string[][], visit: LeafVisitor): MapNode {
  const levels = [...stack, [] as string[]];
  const last = levels.length - 1;
  const items: MapNode['items'] = [];
  for (const item of node.items) {
    if (isComment(item)) {
      levels[last]!.push(item.text);
      items.push(visit(item, path, levels) as Comment);
      continue;
    }
    items.push({ ...item, value: walkValue(item.value, [...path, item.key], levels, visit) });
    levels[last] = [];
  }
  return { ...node, items };
}

function walkSeq(node: SeqNode, path: readonly string[], stack: string[][], visit: LeafVisitor): SeqNode {
  const levels = [...stack, [] as string[]];
  const last = levels.length - 1;
  const items: SeqNode['items'] = [];
  for (const item of node.items) {
    if (isComment(item)) {
      levels[last]!.push(item.text);
      items.push(visit(item, path, levels) as Comment);
      continue;
    }
    items.push(walkValue(item, path, levels, visit));
    levels[last] = [];
  }
  return { ...node, items };
}

function walkValue(node: TreeNode, path: readonly string[], stack: string[][], visit: LeafVisitor): TreeNode {
  switch (node.kind) {
    case 'map':
      return walkMap(node, path, stack, visit);
    case 'seq':
      return walkSeq(node, path, stack, visit);
    case 'null':
      // sops neither encrypts nor MACs a null.
      return node;
    case 'scalar':
      return visit(node, path, stack) as Scalar;
  }
}

function walkBranches(branches: readonly MapNode[], visit: LeafVisitor): MapNode[] {
  return branches.map((b) => walkMap(b, [], [], visit));
}

/** The additional data sops binds each value to: its key path joined by ':' with a trailing ':'. */
export function additionalDataFor(path: readonly string[]): string {
  return `${path.join(':')}:`;
}

function newMacHash(rules: EncryptionRules): Hash {
  const hash = createHash('sha512');
  if (rules.macOnlyEncrypted) hash.update(MAC_ONLY_ENCRYPTED_INIT);
  return hash;
}

export interface DecryptedTree {
  branches: MapNode[];
  /** Hex SHA-512 over the cleartext values in tree order, as sops computes it. */
  mac: string;
  stash: IvStash;
  /** Every decrypted string, for the SecretMasker. */
  secrets: string[];
}

export interface TreeContext {
  /** Shown in errors, e.g. `environments/secrets/prod.yaml`. */
  file: string;
  rules: EncryptionRules;
}

/** Decrypts every value the rules select and computes the MAC; `keepIvs` fills the stash (for edit). */
export function decryptTree(branches: readonly MapNode[], dataKey: Uint8Array, ctx: TreeContext, keepIvs = false): DecryptedTree {
  const compiled = compileRules(ctx.rules, ctx.file);
  const hash = newMacHash(ctx.rules);
  const stash = new IvStash();
  const secrets: string[] = [];
  const visit: LeafVisitor = (leaf, path, stack) => {
    const comment = isComment(leaf);
    const encrypted = shouldBeEncrypted(compiled, path, stack, comment);
    if (comment) return encrypted ? decryptComment(leaf, path, dataKey, keepIvs ? stash : undefined) : leaf;
    if (!encrypted || (leaf.type === 'str' && leaf.text === '')) {
      if (!ctx.rules.macOnlyEncrypted || encrypted) hash.update(leaf.text);
      return leaf;
    }
    if (leaf.type !== 'str') throw valueError(ctx, path, leaf.pos, 'not-encrypted', `it is a plaintext ${leaf.type}, but the file's rules say it must be encrypted`);
    let opened: ReturnType<typeof decryptValue>;
    try {
      opened = decryptValue(leaf.text, dataKey, additionalDataFor(path));
    } catch (err) {
      if (err instanceof SopsValueError) throw valueError(ctx, path, leaf.pos, err.reason, err.message);
      throw err;
    }
    if (opened.type === 'comment') throw valueError(ctx, path, leaf.pos, 'bad-value', 'it holds an encrypted comment where a value belongs');
    const value = scalarFromDecrypted(opened.type, opened.plain.toString('utf8'));
    if (!value) throw valueError(ctx, path, leaf.pos, 'bad-value', `its decrypted bytes are not a valid ${opened.type}`);
    value.pos = leaf.pos;
    // A Go string holds any bytes (sops' binary store): keep them exactly, not their UTF-8 decoding.
    if ((value.type === 'str' || value.type === 'bytes') && !isUtf8(opened.plain)) value.raw = opened.plain;
    if (keepIvs) stash.remember(additionalDataFor(path), opened.type, value.raw ?? value.text, opened.iv);
    secrets.push(value.text);
    hash.update(value.raw ?? value.text);
    return value;
  };
  const out = walkBranches(branches, visit);
  return { branches: out, mac: hash.digest('hex').toUpperCase(), stash, secrets };
}

/**
 * Comments are encrypted with the path of the map or list they sit in. YAML
 * parsers disagree on which collection owns a comment at a boundary, so the
 * enclosing paths are tried too; one that opens with none is kept as written,
 * as sops does for comments from files that never encrypted them.
 */
function decryptComment(comment: Comment, path: readonly string[], dataKey: Uint8Array, stash: IvStash | undefined): Comment {
  if (!comment.text.startsWith('ENC[')) return comment;
  for (let depth = path.length; depth >= 0; depth--) {
    const aad = additionalDataFor(path.slice(0, depth));
    try {
      const opened = decryptValue(comment.text, dataKey, aad);
      if (opened.type !== 'comment') return comment;
      const text = opened.plain.toString('utf8');
      if (depth === path.length) stash?.remember(aad, 'comment', text, opened.iv);
      return { kind: 'comment', text, pos: comment.pos };
    } catch {
      // try the enclosing path
    }
  }
  return comment;
}

export interface EncryptedTree {
  branches: MapNode[];
  mac: string;
}

/**
 * Encrypts every value (and comment) the rules select, computing the MAC over
 * the cleartext values on the way, like sops' Tree.Encrypt. With a stash from
 * a previous decryption under the same data key, unchanged values keep their
 * exact ciphertext.
 */
export function encryptTree(branches: readonly MapNode[], dataKey: Uint8Array, ctx: TreeContext, stash?: IvStash): EncryptedTree {
  const compiled: CompiledRules = compileRules(ctx.rules, ctx.file);
  const hash = newMacHash(ctx.rules);
  const visit: LeafVisitor = (leaf, path, stack) => {
    const comment = isComment(leaf);
    const encrypted = shouldBeEncrypted(compiled, path, stack, comment);
    const aad = additionalDataFor(path);
    if (comment) {
      if (!encrypted || leaf.text === '') return leaf;
      return { kind: 'comment', text: encryptValue(leaf.text, 'comment', dataKey, aad, stash?.lookup(aad, 'comment', leaf.text)), pos: leaf.pos };
    }
    const plain = leaf.raw ?? leaf.text;
    if (!ctx.rules.macOnlyEncrypted || encrypted) hash.update(plain);
    if (!encrypted) return leaf;
    // sops leaves empty strings as they are: there is nothing to hide and nothing to authenticate.
    if ((leaf.type === 'str' || leaf.type === 'bytes') && plain.length === 0) return leaf;
    const ciphertext = encryptValue(plain, leaf.type, dataKey, aad, stash?.lookup(aad, leaf.type, plain));
    return { kind: 'scalar', type: 'str', text: ciphertext, pos: leaf.pos };
  };
  const out = walkBranches(branches, visit);
  return { branches: out, mac: hash.digest('hex').toUpperCase() };
}

/** Calls `visit` for every leaf with whether the rules say it must be encrypted (for `secrets check`). */
export function classifyLeaves(
  branches: readonly MapNode[],
  rules: EncryptionRules,
  file: string,
  visit: (leaf: Scalar, path: readonly string[], mustBeEncrypted: boolean) => void,
): void {
  const compiled = compileRules(rules, file);
  walkBranches(branches, (leaf, path, stack) => {
    if (!isComment(leaf)) visit(leaf, path, shouldBeEncrypted(compiled, path, stack, false));
    return leaf;
  });
}

/** Every cleartext string of a decrypted tree (for the SecretMasker). */
export function leafTexts(branches: readonly MapNode[]): string[] {
  const out: string[] = [];
  walkBranches(branches, (leaf) => {
    if (!isComment(leaf)) out.push(leaf.text);
    return leaf;
  });
  return out;
}

function valueError(ctx: TreeContext, path: readonly string[], pos: SourcePos | undefined, reason: ValueErrorReason, detail: string): ChartctlError {
  const where = pos ? `${ctx.file}:${pos.line}:${pos.col}` : ctx.file;
  const key = path.length > 0 ? path.join('.') : '(top level)';
  const hints: Record<ValueErrorReason, string> = {
    'not-encrypted': `Encrypt the file again (chartctl secrets encrypt ${ctx.file} after decrypting it, or chartctl secrets edit ${ctx.file}) instead of writing cleartext into an encrypted file.`,
    'bad-base64': 'The file was damaged (a bad merge or a copy/paste that cut the value); restore it from version control.',
    truncated: 'The file was damaged (a bad merge or a copy/paste that cut the value); restore it from version control.',
    'unknown-type': 'The file was written by an incompatible tool; re-encrypt it with chartctl or sops.',
    authentication: 'The value does not belong to this file and path (moved, copied from another file, or tampered with); restore it from version control or set it again with chartctl secrets edit.',
    'bad-value': 'The file was written by an incompatible tool; re-encrypt it with chartctl or sops.',
  };
  const code = reason === 'authentication' ? 'SOPS_VALUE_TAMPERED' : reason === 'not-encrypted' ? 'SOPS_PLAINTEXT_VALUE' : 'SOPS_VALUE_MALFORMED';
  return new ChartctlError(`${where}: cannot decrypt ${key}: ${detail}.`, { code, hint: hints[reason] });
}
