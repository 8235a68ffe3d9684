import { isUtf8 } from 'node:buffer';
import { ChartctlError } from '../errors.js';
import { metadataEntries, type MetaMap, type MetaValue } from './metadata.js';
import { parseGoFloat } from './scalars.js';
import type { MapNode, Scalar, SopsDocument, SopsMetadata, TreeNode } from './types.js';
import { isComment } from './types.js';
import { parseYamlSops } from './yaml-format.js';

/**
 * JSON is read with the YAML parser (JSON is YAML 1.2): it keeps key order and
 * tells integers from floats, which JSON.parse cannot.
 */
export function parseJsonSops(text: string, file: string): SopsDocument {
  if (!/^\s*\{/.test(text)) {
    throw new ChartctlError(`${file}: a sops JSON file must be a JSON object.`, {
      code: 'SOPS_UNSUPPORTED_JSON',
      hint: 'Wrap the values in an object, e.g. {"database": {"password": "..."}}.',
    });
  }
  const doc = parseYamlSops(text, file, { json: true });
  if (doc.branches.length !== 1) throw new ChartctlError(`${file}: expected one JSON object.`, { code: 'SOPS_UNSUPPORTED_JSON', hint: 'Keep a single object in the file.' });
  return { ...doc, format: 'json' };
}

/** sops' binary store: any file, kept as one encrypted string under `data` in a JSON envelope. */
export function parseBinarySops(text: string, file: string): SopsDocument {
  const doc = parseJsonSops(text, file);
  const entries = doc.branches[0]!.items.filter((i) => !isComment(i));
  const data = entries.find((i) => !isComment(i) && i.key === 'data');
  if (entries.length !== 1 || !data || isComment(data) || data.value.kind !== 'scalar') {
    throw new ChartctlError(`${file}: not a sops binary file (expected a single "data" value).`, {
      code: 'SOPS_UNSUPPORTED_JSON',
      hint: 'Decrypt it with --format json or --format yaml instead.',
    });
  }
  return { ...doc, format: 'binary' };
}

/**
 * A plain file wrapped the way sops' binary store does before encryption: its
 * bytes, as they are (sops' `string(in)`), under `data`.
 */
export function binaryBranch(content: Uint8Array): MapNode {
  const bytes = Buffer.from(content);
  const leaf: Scalar = { kind: 'scalar', type: 'str', text: bytes.toString('utf8') };
  if (!isUtf8(bytes)) leaf.raw = bytes;
  return { kind: 'map', items: [{ key: 'data', value: leaf }] };
}

/** The cleartext bytes of a decrypted binary file. */
export function binaryContent(branch: MapNode): Buffer {
  const data = branch.items.find((i) => !isComment(i) && i.key === 'data');
  if (!data || isComment(data) || data.value.kind !== 'scalar') return Buffer.alloc(0);
  return data.value.raw ?? Buffer.from(data.value.text, 'utf8');
}

/** Go's json.Marshal escapes HTML characters and the JavaScript line separators. */
function goJsonString(text: string): string {
  return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonLeaf(leaf: Scalar): string {
  switch (leaf.type) {
    case 'str':
    case 'bytes':
    case 'time':
      // json.Marshal of a time.Time is its RFC 3339 text as a string.
      return goJsonString(leaf.text);
    case 'int':
      return leaf.text;
    case 'bool':
      return leaf.text === 'True' ? 'true' : 'false';
    case 'float': {
      const value = parseGoFloat(leaf.text);
      if (value === undefined || !Number.isFinite(value)) {
        throw new ChartctlError(`a JSON file cannot hold the float ${leaf.text}.`, { code: 'SOPS_UNSUPPORTED_JSON', hint: 'Use YAML for this file, or store the value as a string.' });
      }
      // Go's encoding/json formats floats like JavaScript's Number#toString.
      return String(value);
    }
  }
}

/** json.Indent(…, "", "\t") layout, which sops uses for JSON files. */
function emitJson(node: TreeNode, depth: number, out: string[]): void {
  const pad = '\t'.repeat(depth + 1);
  const close = '\t'.repeat(depth);
  if (node.kind === 'map') {
    const entries = node.items.filter((i) => !isComment(i)) as Array<{ key: string; value: TreeNode }>;
    if (entries.length === 0) {
      out.push('{}');
      return;
    }
    out.push('{\n');
    entries.forEach((e, i) => {
      out.push(`${pad}${goJsonString(e.key)}: `);
      emitJson(e.value, depth + 1, out);
      out.push(i < entries.length - 1 ? ',\n' : '\n');
    });
    out.push(`${close}}`);
  } else if (node.kind === 'seq') {
    const items = node.items.filter((i) => !isComment(i)) as TreeNode[];
    if (items.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[\n');
    items.forEach((item, i) => {
      out.push(pad);
      emitJson(item, depth + 1, out);
      out.push(i < items.length - 1 ? ',\n' : '\n');
    });
    out.push(`${close}]`);
  } else {
    out.push(node.kind === 'null' ? 'null' : jsonLeaf(node));
  }
}

function metaToTree(value: MetaValue): TreeNode {
  if (typeof value === 'string') return { kind: 'scalar', type: 'str', text: value };
  if (typeof value === 'number') return { kind: 'scalar', type: 'int', text: String(value) };
  if (typeof value === 'boolean') return { kind: 'scalar', type: 'bool', text: value ? 'True' : 'False' };
  if (Array.isArray(value)) return { kind: 'seq', items: value.map(metaToTree) };
  return { kind: 'map', items: (value as MetaMap).entries.map(([key, v]) => ({ key, value: metaToTree(v) })) };
}

export function emitPlainJson(branch: MapNode): string {
  const out: string[] = [];
  emitJson(branch, 0, out);
  return `${out.join('')}\n`;
}

export function emitEncryptedJson(branch: MapNode, metadata: SopsMetadata): string {
  const withMeta: MapNode = { kind: 'map', items: [...branch.items, { key: 'sops', value: metaToTree(metadataEntries(metadata)) }] };
  return emitPlainJson(withMeta);
}
