import {
  Document,
  LineCounter,
  Pair,
  Scalar as YamlScalar,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Alias,
  type Node as YamlNode,
} from 'yaml';
import { ChartctlError } from '../errors.js';
import { aliasLimitError, checkYamlDocumentAliases } from '../yaml-limits.js';
import { parseMetadata, metadataEntries, type MetaMap, type MetaValue } from './metadata.js';
import { formatGoFloat, formatYamlFloat, goBoolText, parseGoFloat } from './scalars.js';
import type { Comment, MapNode, Scalar, SeqNode, SopsDocument, SopsMetadata, SourcePos, TreeNode } from './types.js';
import { isComment } from './types.js';
import { GO_SCALAR_TAGS, isYaml11Ambiguous, YamlFloatText, YamlTimeText, yamlStringScalar } from './yaml-scalars.js';
import { resolveYamlV3Number } from './yaml-v3-numbers.js';
import { yamlTimestampText } from './go-time.js';

const MAX_ALIAS_DEPTH = 100;

interface ConvertContext {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  depth: number;
  /** What each alias refers to (checked against the alias limit). */
  aliases: Map<Alias, YamlNode>;
  /** Numbers are typed as sops' JSON store types them, not its YAML store. */
  json: boolean;
}

function posOf(node: { range?: [number, number, number] | null } | null | undefined, lines: LineCounter): SourcePos | undefined {
  const offset = node?.range?.[0];
  if (offset === undefined) return undefined;
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

/** sops keeps one Comment per non-empty comment line, without the `#`. */
function commentLines(text: string | null | undefined, pos?: SourcePos): Comment[] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => ({ kind: 'comment' as const, text: line, pos }));
}

/** `file:line:col` for messages about one value. */
function at(ctx: ConvertContext, pos: SourcePos | undefined): string {
  return `${ctx.file}${pos ? `:${pos.line}:${pos.col}` : ''}`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A whole number the YAML library read as one: a JSON number (sops'
 * json.Number: an int when it fits int64, else a float64) or an explicitly
 * tagged `!!int` in YAML (an int when it fits int64, else refused).
 */
function wholeNumber(value: bigint, node: YamlScalar, pos: SourcePos | undefined, ctx: ConvertContext): Scalar {
  if (value >= INT64_MIN && value <= INT64_MAX) return { kind: 'scalar', type: 'int', text: value.toString(), pos };
  if (!ctx.json) {
    throw new ChartctlError(`${at(ctx, pos)}: the integer ${node.source ?? value.toString()} does not fit in 64 bits.`, {
      code: 'SOPS_UNSUPPORTED_YAML',
      hint: 'Quote it to keep it as a string.',
    });
  }
  return { kind: 'scalar', type: 'float', text: formatGoFloat(Number(value)), pos };
}

function yamlV3Scalar(source: string, pos: SourcePos | undefined, ctx: ConvertContext): Scalar | undefined {
  const time = yamlTimestampText(source);
  if (time !== undefined) return { kind: 'scalar', type: 'time', text: time, pos };
  const resolved = resolveYamlV3Number(source);
  switch (resolved?.kind) {
    case undefined:
      return undefined;
    case 'int':
      return { kind: 'scalar', type: 'int', text: resolved.value.toString(), pos };
    case 'uint64':
      throw new ChartctlError(`${at(ctx, pos)}: the integer ${source} cannot be stored by sops: from 2^63 to 2^64-1 YAML reads it as an unsigned 64-bit integer, which sops refuses.`, {
        code: 'SOPS_UNSUPPORTED_YAML',
        hint: 'Quote it to keep it as a string (e.g. "18446744073709551615").',
      });
    case 'float':
      return { kind: 'scalar', type: 'float', text: formatGoFloat(resolved.value), pos };
    case 'str':
      return { kind: 'scalar', type: 'str', text: source, pos };
  }
}

function scalarFromYaml(node: YamlScalar, ctx: ConvertContext): Scalar | { kind: 'null'; pos?: SourcePos } {
  const pos = posOf(node, ctx.lines);
  const v = node.value;
  if (!ctx.json && node.type === 'PLAIN' && !node.tag && typeof node.source === 'string') {
    const typed = yamlV3Scalar(node.source, pos, ctx);
    if (typed) return typed;
  }
  if (v === null || v === undefined) return { kind: 'null', pos };
  if (typeof v === 'string') return { kind: 'scalar', type: 'str', text: v, pos };
  if (typeof v === 'bigint') return wholeNumber(v, node, pos, ctx);
  if (typeof v === 'number' && !Number.isFinite(v) && !Number.isNaN(v) && !/^[-+]?\.inf$/i.test(node.source ?? '')) {
    // Beyond float64 (1e400): Go's ParseFloat fails, so yaml.v3 keeps the text and json.Number refuses it.
    if (ctx.json) {
      throw new ChartctlError(`${at(ctx, pos)}: the number ${node.source} is out of the float64 range.`, {
        code: 'SOPS_UNSUPPORTED_JSON',
        hint: 'Store it as a string.',
      });
    }
    return { kind: 'scalar', type: 'str', text: node.source ?? String(v), pos };
  }
  if (typeof v === 'number') return { kind: 'scalar', type: 'float', text: formatGoFloat(v), pos };
  if (typeof v === 'boolean') return { kind: 'scalar', type: 'bool', text: goBoolText(v), pos };
  // Explicitly tagged oddities (!!binary, !!timestamp, custom tags): keep what was written.
  return { kind: 'scalar', type: 'str', text: String(node.source ?? v), pos };
}

function keyText(key: unknown, ctx: ConvertContext): string {
  if (isScalar(key)) return typeof key.value === 'string' ? key.value : String(key.value);
  if (isAlias(key)) return keyText(ctx.aliases.get(key), ctx);
  const pos = posOf(key as YamlNode, ctx.lines);
  throw new ChartctlError(`${at(ctx, pos)}: a mapping key must be a plain value, not a collection.`, {
    code: 'SOPS_UNSUPPORTED_YAML',
    hint: 'sops only supports string keys; rewrite the key as a string.',
  });
}

/**
 * Converts a parsed YAML node into the sops tree. Comments are placed the way
 * sops' YAML store places them: before/after the entry they annotate, in the
 * collection that holds that entry; a collection's own leading and trailing
 * comments belong to it. `headTaken` is set when the parent already placed
 * this node's leading comment.
 */
function convert(node: unknown, ctx: ConvertContext, headTaken = false): TreeNode {
  if (node === null || node === undefined) return { kind: 'null' };
  if (isAlias(node)) {
    if (ctx.depth > MAX_ALIAS_DEPTH) throw new ChartctlError(`${ctx.file}: aliases nest too deeply.`, { code: 'SOPS_UNSUPPORTED_YAML', hint: 'Expand the aliases by hand.' });
    // sops expands aliases into copies: each copy is encrypted with its own path.
    return convert(ctx.aliases.get(node), { ...ctx, depth: ctx.depth + 1 }, headTaken);
  }
  if (isScalar(node)) return scalarFromYaml(node, ctx);
  if (isMap(node)) {
    const pos = posOf(node, ctx.lines);
    const items: MapNode['items'] = headTaken ? [] : commentLines(node.commentBefore, pos);
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as YamlNode | null;
      const value = pair.value as YamlNode | null;
      const keyPos = posOf(key, ctx.lines);
      items.push(...commentLines(key?.commentBefore, keyPos));
      const scalarValue = value === null || isScalar(value) || isAlias(value);
      if (scalarValue && value) items.push(...commentLines(value.commentBefore, keyPos));
      items.push({ key: keyText(key, ctx), value: convert(value, ctx, scalarValue), keyPos });
      items.push(...commentLines(key?.comment, keyPos));
      if (scalarValue && value) items.push(...commentLines(value.comment, keyPos));
    }
    items.push(...commentLines(node.comment, pos));
    return { kind: 'map', items, pos };
  }
  if (isSeq(node)) {
    const pos = posOf(node, ctx.lines);
    const items: SeqNode['items'] = headTaken ? [] : commentLines(node.commentBefore, pos);
    for (const item of node.items) {
      const itemNode = item as YamlNode | null;
      const itemPos = posOf(itemNode, ctx.lines);
      items.push(...commentLines(itemNode?.commentBefore, itemPos));
      items.push(convert(itemNode, ctx, true));
      if (itemNode && (isScalar(itemNode) || isAlias(itemNode))) items.push(...commentLines(itemNode.comment, itemPos));
    }
    items.push(...commentLines(node.comment, pos));
    return { kind: 'seq', items, pos };
  }
  if (isPair(node)) throw new ChartctlError(`${ctx.file}: unexpected YAML pair.`, { code: 'SOPS_UNSUPPORTED_YAML', hint: 'Rewrite the file as plain YAML mappings.' });
  return { kind: 'null' };
}

/**
 * Reads a YAML file (encrypted or not) into the sops model. Every document is
 * one branch; the `sops` key is removed from each and read from the first,
 * as sops does.
 */
export function parseYamlSops(text: string, file: string, options: { json?: boolean } = {}): SopsDocument {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, intAsBigInt: true, uniqueKeys: true, prettyErrors: false });
  if (!Array.isArray(docs)) return { format: 'yaml', branches: [] };
  const branches: MapNode[] = [];
  let rawMetadata: unknown;
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const p = lines.linePos(err.pos[0]);
      const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
      throw new ChartctlError(`${file}:${p.line}:${p.col}: invalid YAML: ${reason}`, {
        code: 'YAML_SYNTAX',
        hint: 'Fix the YAML syntax at that position (indentation, a missing ":" or an unclosed quote are the usual causes).',
      });
    }
    const { targets, problem } = checkYamlDocumentAliases(doc, { isAlias, isMap, isPair, isScalar, isSeq });
    if (problem) throw aliasLimitError(problem, text, { file });
    const ctx: ConvertContext = { file, doc, lines, depth: 0, aliases: targets, json: options.json === true };
    const contents = doc.contents as YamlNode | null;
    if (contents !== null && !isMap(contents) && !(isScalar(contents) && contents.value === null)) {
      const p = posOf(contents, lines);
      throw new ChartctlError(`${file}${p ? `:${p.line}:${p.col}` : ''}: the top level of a sops YAML document must be a mapping, not ${isSeq(contents) ? 'a list' : 'a single value'}.`, {
        code: 'SOPS_UNSUPPORTED_YAML',
        hint: 'Put the values under keys, e.g. "database:\\n  password: ...".',
      });
    }
    const top: MapNode = isMap(contents) ? (convert(contents, ctx, false) as MapNode) : { kind: 'map', items: [] };
    top.items = [...commentLines(doc.commentBefore), ...top.items, ...commentLines(doc.comment)];
    const sopsIndex = top.items.findIndex((i) => !isComment(i) && i.key === 'sops');
    if (sopsIndex >= 0) {
      if (rawMetadata === undefined && isMap(contents)) rawMetadata = (contents.get('sops', true) as YamlNode | undefined)?.toJS(doc) ?? null;
      top.items.splice(sopsIndex, 1);
    }
    branches.push(top);
  }
  return { format: 'yaml', branches, metadata: rawMetadata === undefined ? undefined : parseMetadata(rawMetadata, file) };
}

function yamlScalarNode(leaf: Scalar): YamlScalar {
  switch (leaf.type) {
    case 'str':
    case 'bytes': {
      const node = new YamlScalar(leaf.text);
      if (isYaml11Ambiguous(leaf.text)) node.type = 'QUOTE_DOUBLE';
      return node;
    }
    case 'int':
      return new YamlScalar(BigInt(leaf.text));
    case 'float':
      // yaml.v3's layout, as sops writes it: `1.234568e+09`, `.inf`, and `1` for a whole float (read back as an int, as in sops).
      return new YamlScalar(new YamlFloatText(formatYamlFloat(parseGoFloat(leaf.text) ?? NaN)));
    case 'bool':
      return new YamlScalar(leaf.text === 'True');
    case 'time':
      return new YamlScalar(new YamlTimeText(leaf.text));
  }
}

function toYamlNode(node: TreeNode): YamlNode {
  switch (node.kind) {
    case 'null':
      return new YamlScalar(null);
    case 'scalar':
      return yamlScalarNode(node);
    case 'map': {
      const map = new YAMLMap();
      let pending: string[] = [];
      for (const item of node.items) {
        if (isComment(item)) {
          pending.push(item.text);
          continue;
        }
        const key = new YamlScalar(item.key);
        if (isYaml11Ambiguous(item.key)) key.type = 'QUOTE_DOUBLE';
        if (pending.length > 0) key.commentBefore = pending.join('\n');
        pending = [];
        map.items.push(new Pair(key, toYamlNode(item.value)));
      }
      if (pending.length > 0) {
        if (map.items.length > 0) map.comment = pending.join('\n');
        else map.commentBefore = pending.join('\n');
      }
      return map;
    }
    case 'seq': {
      const seq = new YAMLSeq();
      let pending: string[] = [];
      for (const item of node.items) {
        if (isComment(item)) {
          pending.push(item.text);
          continue;
        }
        const child = toYamlNode(item);
        if (pending.length > 0) child.commentBefore = pending.join('\n');
        pending = [];
        seq.items.push(child);
      }
      if (pending.length > 0) {
        if (seq.items.length > 0) seq.comment = pending.join('\n');
        else seq.commentBefore = pending.join('\n');
      }
      return seq;
    }
  }
}

/** One branch as YAML text in the layout `sops -d` writes (4-space indent, literal blocks, no folding). */
function emitBranch(branch: MapNode): string {
  const hasEntries = branch.items.some((i) => !isComment(i));
  const doc = new Document(undefined, { customTags: GO_SCALAR_TAGS });
  doc.contents = toYamlNode(branch);
  if (!hasEntries) {
    // An empty mapping would print as `{}` under its comments; keep only the comments.
    const comments = branch.items.filter(isComment).map((c) => `#${c.text}\n`);
    return comments.join('');
  }
  return doc.toString({ indent: 4, indentSeq: true, lineWidth: 0, blockQuote: 'literal', nullStr: 'null' });
}

/** Plaintext YAML (what `chartctl secrets decrypt` prints and `edit` opens). */
export function emitPlainYaml(branches: readonly MapNode[]): string {
  if (branches.length === 0) return '{}\n';
  return branches
    .map((b) => {
      const text = emitBranch(b);
      return text === '' ? '{}\n' : text;
    })
    .join('---\n');
}

/** Encrypted YAML: each document gets the `sops:` block, as sops writes it. */
export function emitEncryptedYaml(branches: readonly MapNode[], metadata: SopsMetadata): string {
  const block = emitMetadataYaml(metadataEntries(metadata));
  const docs = branches.length > 0 ? branches : [{ kind: 'map', items: [] } as MapNode];
  return docs.map((b) => `${emitBranch(b)}${block}`).join('---\n');
}

/**
 * The `sops:` block in yaml.v3's layout (sops' own emitter): 4-space indent,
 * list items at +4 with their mapping keys after `- `, block scalars and
 * nested mappings indented 4 from the item's dash.
 */
export function emitMetadataYaml(meta: MetaMap): string {
  const lines: string[] = ['sops:'];
  emitMapEntries(meta, 4, 8, lines);
  return `${lines.join('\n')}\n`;
}

function emitMapEntries(map: MetaMap, keyCol: number, childCol: number, lines: string[], firstPrefix?: string): void {
  map.entries.forEach(([key, value], index) => {
    const pad = index === 0 && firstPrefix !== undefined ? firstPrefix : ' '.repeat(keyCol);
    emitEntry(`${pad}${yamlStringScalar(key)}:`, value, childCol, lines);
  });
}

function emitEntry(head: string, value: MetaValue, childCol: number, lines: string[]): void {
  if (typeof value === 'number' || typeof value === 'boolean') {
    lines.push(`${head} ${String(value)}`);
  } else if (typeof value === 'string') {
    if (value.includes('\n')) {
      const indicator = value.endsWith('\n') ? (/\n\n$/.test(value) ? '|+' : '|') : '|-';
      lines.push(`${head} ${indicator}`);
      const body = value.endsWith('\n') ? value.slice(0, -1) : value;
      for (const line of body.split('\n')) lines.push(line === '' ? '' : `${' '.repeat(childCol)}${line}`);
    } else {
      lines.push(`${head} ${yamlStringScalar(value)}`);
    }
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      lines.push(`${head} []`);
      return;
    }
    lines.push(head);
    for (const item of value) {
      const dash = `${' '.repeat(childCol)}- `;
      if (typeof item === 'object' && !Array.isArray(item)) {
        emitMapEntries(item, childCol + 2, childCol + 4, lines, dash);
      } else {
        emitEntry(dash.trimEnd(), item, childCol + 4, lines);
      }
    }
  } else {
    if (value.entries.length === 0) {
      lines.push(`${head} {}`);
      return;
    }
    lines.push(head);
    emitMapEntries(value, childCol, childCol + 4, lines);
  }
}
