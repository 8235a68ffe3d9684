import { CORE_SCHEMA, EVENT_ID, constructFromEvents, parseEvents, type Event } from 'js-yaml';
import { parseMetadata } from './metadata.js';
import type { MapNode, SeqNode, SopsDocument, TreeNode } from './types.js';

/**
 * A fast reader for the layout sops (and chartctl) write for encrypted
 * values files: block mappings with plain keys, ENC[...] values, lists of
 * ENC[...] values, comment lines, and the `sops:` block last. It exists
 * because parsing is most of the cost of decrypting a secrets file on every
 * render. It returns undefined for anything else (quotes, flow style,
 * cleartext values, anchors, multiple documents, comment-based rules) and the
 * caller falls back to the full YAML parser; for what it accepts it builds
 * the same tree as the full parser, minus comments (which the values and the
 * MAC never use). The `sops:` block is read with js-yaml (already loaded for
 * the environment's files; both read YAML 1.2's core schema), so rendering
 * never loads the `yaml` package the full parser is built on.
 */
export function scanEncryptedYaml(text: string, file: string): SopsDocument | undefined {
  if (text.includes('\r') || text.includes('\t')) return undefined;
  const metaAt = text.startsWith('sops:') ? 0 : text.indexOf('\nsops:') + 1;
  if (metaAt <= 0 && !text.startsWith('sops:')) return undefined;
  const metaText = text.slice(metaAt);
  // The sops block must be last: nothing else at column 0 after it.
  if (/\n[^\s#]/.test(metaText.slice(5))) return undefined;
  const metaValue = readMetadataBlock(metaText);
  if (metaValue === undefined) return undefined;
  const metadata = parseMetadata(metaValue.sops, file);
  if (metadata.rules.encryptedCommentRegex || metadata.rules.unencryptedCommentRegex) return undefined;

  const root: MapNode = { kind: 'map', items: [] };
  interface Frame {
    node: MapNode | SeqNode;
    indent: number;
    keys?: Set<string>;
  }
  const stack: Frame[] = [{ node: root, indent: 0, keys: new Set() }];
  /** A `key:` line whose value (mapping, list or null) is decided by the next line. */
  let open: { map: MapNode; key: string; indent: number; line: number } | undefined;
  const lines = text.slice(0, metaAt).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    if (indent === line.length || line.charCodeAt(indent) === 35 /* # */) continue;
    const lineNo = i + 1;
    const isItem = line.startsWith('- ', indent);
    if (open) {
      const child: MapNode | SeqNode | undefined =
        isItem && indent >= open.indent ? { kind: 'seq', items: [] } : !isItem && indent > open.indent ? { kind: 'map', items: [] } : undefined;
      open.map.items.push({ key: open.key, value: child ?? { kind: 'null', pos: { line: open.line, col: open.indent + open.key.length + 2 } }, keyPos: { line: open.line, col: open.indent + 1 } });
      if (child) stack.push({ node: child, indent, keys: child.kind === 'map' ? new Set() : undefined });
      open = undefined;
    }
    while (stack.length > 0 && (indent < stack[stack.length - 1]!.indent || (indent === stack[stack.length - 1]!.indent && !isItem && stack[stack.length - 1]!.node.kind === 'seq'))) stack.pop();
    const frame = stack[stack.length - 1];
    if (!frame || frame.indent !== indent) return undefined;
    if (isItem) {
      if (frame.node.kind !== 'seq') return undefined;
      const value = encValue(line, indent + 2);
      if (value === undefined) return undefined;
      frame.node.items.push({ kind: 'scalar', type: 'str', text: value, pos: { line: lineNo, col: indent + 3 } });
      continue;
    }
    if (frame.node.kind !== 'map') return undefined;
    const colon = line.indexOf(':', indent);
    if (colon < 0) return undefined;
    const key = line.slice(indent, colon);
    if (!PLAIN_KEY.test(key) || RESERVED_KEY.test(key) || frame.keys!.has(key)) return undefined;
    frame.keys!.add(key);
    if (colon === line.length - 1) {
      open = { map: frame.node, key, indent, line: lineNo };
      continue;
    }
    if (line.charCodeAt(colon + 1) !== 32) return undefined;
    const value = encValue(line, colon + 2);
    if (value === undefined) return undefined;
    frame.node.items.push({ key, value: { kind: 'scalar', type: 'str', text: value, pos: { line: lineNo, col: colon + 3 } }, keyPos: { line: lineNo, col: indent + 1 } });
  }
  if (open) open.map.items.push({ key: open.key, value: { kind: 'null', pos: { line: open.line, col: open.indent + open.key.length + 2 } } as TreeNode, keyPos: { line: open.line, col: open.indent + 1 } });
  return { format: 'yaml', branches: [root], metadata };
}

/**
 * The `sops:` block as a value, or undefined for the full parser to read or
 * refuse: a syntax error, duplicate keys, anchors and aliases (expanded or
 * refused there), explicit tags (`!!binary`, `!!timestamp`, resolved there).
 */
function readMetadataBlock(metaText: string): { sops?: unknown } | undefined {
  let events: Event[];
  try {
    events = parseEvents(metaText, {});
  } catch {
    return undefined;
  }
  if (events.some(isAnchoredOrTagged)) return undefined;
  try {
    const documents = constructFromEvents(events, { source: metaText, schema: CORE_SCHEMA });
    const value = documents.length === 1 ? documents[0] : undefined;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { sops?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

function isAnchoredOrTagged(event: Event): boolean {
  if (event.type === EVENT_ID.ALIAS) return true;
  if (event.type === EVENT_ID.SCALAR || event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) return event.anchorStart >= 0 || event.tagStart >= 0;
  return false;
}

/** Keys the full parser would read as the same string: no quotes, numbers, booleans or nulls. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const RESERVED_KEY = /^(true|false|null|True|False|Null|TRUE|FALSE|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;

/** The rest of the line from `start` when it is exactly one ENC[...] blob. */
function encValue(line: string, start: number): string | undefined {
  if (!line.startsWith('ENC[AES256_GCM,', start)) return undefined;
  const value = line.slice(start);
  if (!value.endsWith(']') || value.includes(' ')) return undefined;
  return value;
}
