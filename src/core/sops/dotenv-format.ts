import { ChartctlError } from '../errors.js';
import { flattenMetadata, unflattenMetadata, type FlatEntry } from './flat-metadata.js';
import type { MapNode, Scalar, SopsDocument, SopsMetadata, TreeNode } from './types.js';
import { isComment } from './types.js';

/**
 * sops' dotenv store (stores/dotenv/store.go), byte for byte: one `KEY=VALUE`
 * per line split at the first `=` (nothing trimmed, no quotes, no `export`),
 * `\n` in a value stands for a newline, `#` at the very start of a line is a
 * comment, empty lines are dropped. The metadata is flattened into the same
 * list as `sops_…` keys.
 */
export const DOTENV_METADATA_PREFIX = 'sops_';

function dotenvError(file: string, what: string, hint: string): ChartctlError {
  return new ChartctlError(`${file}: ${what}.`, { code: 'SOPS_BAD_DOTENV', hint });
}

export function parseDotenvSops(text: string, file: string): SopsDocument {
  const items: MapNode['items'] = [];
  const meta: FlatEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.length === 0) return;
    const pos = { line: index + 1, col: 1 };
    if (line.startsWith('#')) {
      items.push({ kind: 'comment', text: line.slice(1), pos });
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0) {
      throw dotenvError(`${file}:${pos.line}`, `not a KEY=VALUE line (${JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line)})`, 'Each line of a dotenv file is KEY=VALUE or a comment starting with #; sops reads no other form.');
    }
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).split('\\n').join('\n');
    if (key.startsWith(DOTENV_METADATA_PREFIX)) meta.push([key.slice(DOTENV_METADATA_PREFIX.length), value]);
    else items.push({ key, keyPos: pos, value: { kind: 'scalar', type: 'str', text: value, pos: { line: pos.line, col: eq + 2 } } });
  });
  const branch: MapNode = { kind: 'map', items };
  return { format: 'dotenv', branches: [branch], metadata: meta.length > 0 ? unflattenMetadata(meta, file) : undefined };
}

/** sops' ValToString for the leaves a dotenv line can hold. */
function leafText(key: string, node: TreeNode): string {
  if (node.kind === 'map' || node.kind === 'seq') {
    throw new ChartctlError(`cannot write the nested value of "${key}" to a dotenv file.`, {
      code: 'SOPS_BAD_DOTENV',
      hint: 'A dotenv file holds only KEY=VALUE pairs; use YAML or JSON for nested values.',
    });
  }
  if (node.kind === 'null') return '<nil>';
  return leafString(node);
}

function leafString(leaf: Scalar): string {
  if (leaf.type === 'bool') return leaf.text === 'True' ? 'true' : 'false';
  return leaf.text;
}

function emitLines(items: MapNode['items'], extra: readonly FlatEntry[]): string {
  const lines: string[] = [];
  for (const item of items) {
    if (isComment(item)) lines.push(`#${item.text}\n`);
    else lines.push(`${item.key}=${leafText(item.key, item.value).split('\n').join('\\n')}\n`);
  }
  for (const [key, value] of extra) lines.push(`${key}=${value.split('\n').join('\\n')}\n`);
  return lines.join('');
}

export function emitPlainDotenv(branch: MapNode): string {
  return emitLines(branch.items, []);
}

export function emitEncryptedDotenv(branch: MapNode, metadata: SopsMetadata): string {
  for (const item of branch.items) {
    if (!isComment(item) && item.key.startsWith(DOTENV_METADATA_PREFIX)) {
      throw new ChartctlError(`the key "${item.key}" starts with "${DOTENV_METADATA_PREFIX}", which sops reserves for its metadata in dotenv files.`, {
        code: 'SOPS_BAD_DOTENV',
        hint: `Rename the key so it does not start with "${DOTENV_METADATA_PREFIX}".`,
      });
    }
  }
  return emitLines(branch.items, flattenMetadata(metadata, DOTENV_METADATA_PREFIX));
}
