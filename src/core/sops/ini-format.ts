import { ChartctlError } from '../errors.js';
import { flattenMetadata, unflattenMetadata, type FlatEntry } from './flat-metadata.js';
import { DEFAULT_SECTION, goTrimSpace, readIni, stripCommentChar } from './ini-reader.js';
import type { MapEntry, MapNode, SopsDocument, SopsMetadata, TreeNode } from './types.js';
import { isComment } from './types.js';

/**
 * sops' INI store (stores/ini/store.go): each section is a map of string
 * values; a section's comment is the first item of its map, a key's comment
 * (the lines before it) the item right after the key. The metadata is a
 * `[sops]` section of flattened keys, with newlines written as `\n`.
 */
const METADATA_SECTION = 'sops';

function iniError(what: string, hint: string): ChartctlError {
  return new ChartctlError(what, { code: 'SOPS_BAD_INI', hint });
}

export function parseIniSops(text: string, file: string): SopsDocument {
  const items: MapEntry[] = readIni(text, file).map((section) => {
    const entries: MapNode['items'] = [];
    if (section.comment) entries.push({ kind: 'comment', text: stripCommentChar(section.comment), pos: section.pos });
    for (const key of section.keys) {
      entries.push({ key: key.name, keyPos: key.pos, value: { kind: 'scalar', type: 'str', text: key.value, pos: key.pos } });
      if (key.comment) entries.push({ kind: 'comment', text: stripCommentChar(key.comment), pos: key.pos });
    }
    return { key: section.name, keyPos: section.pos, value: { kind: 'map', items: entries, pos: section.pos } };
  });
  const metaSections = items.filter((i) => i.key === METADATA_SECTION);
  if (metaSections.length > 1) {
    throw new ChartctlError(`${file}: more than one [${METADATA_SECTION}] section.`, { code: 'SOPS_BAD_METADATA', hint: 'The sops metadata is damaged; restore the file from version control.' });
  }
  const branch: MapNode = { kind: 'map', items: items.filter((i) => i.key !== METADATA_SECTION) };
  const meta = metaSections[0];
  if (!meta) return { format: 'ini', branches: [branch] };
  const flat: FlatEntry[] = [];
  for (const item of (meta.value as MapNode).items) {
    if (!isComment(item) && item.value.kind === 'scalar') flat.push([item.key, item.value.text.split('\\n').join('\n')]);
  }
  return { format: 'ini', branches: [branch], metadata: unflattenMetadata(flat, file) };
}

interface OutKey {
  name: string;
  value: string;
  comment: string;
}

interface OutSection {
  name: string;
  comment: string;
  keys: OutKey[];
}

/** sops' ValToString for the leaves an INI value can hold. */
function valueText(section: string, key: string, node: TreeNode): string {
  if (node.kind === 'map' || node.kind === 'seq') {
    throw iniError(`cannot write the nested value of "${section}.${key}" to an INI file.`, 'An INI section holds only KEY = VALUE pairs; use YAML or JSON for deeper nesting.');
  }
  if (node.kind === 'null') return '<nil>';
  return node.type === 'bool' ? (node.text === 'True' ? 'true' : 'false') : node.text;
}

/** sops' encodeTree: what gopkg.in/ini.v1 is given (a key's comment is the comment after it; repeated keys collapse). */
function toSections(branch: MapNode): OutSection[] {
  const sections: OutSection[] = [];
  for (const item of branch.items) {
    if (isComment(item)) continue;
    if (item.key === '') throw iniError('cannot write a section with an empty name to an INI file.', 'Give every section a name.');
    if (item.value.kind !== 'map') throw iniError(`cannot write "${item.key}" to an INI file: top-level values must be sections (maps).`, 'Put the value inside a section, e.g. [main].');
    const section: OutSection = { name: item.key, comment: '', keys: [] };
    const byName = new Map<string, OutKey>();
    let last: OutKey | undefined;
    item.value.items.forEach((entry, i) => {
      if (isComment(entry)) {
        if (i === 0) section.comment = entry.text;
        else if (last) last.comment = entry.text;
        return;
      }
      if (entry.key === '') throw iniError(`cannot write a key with an empty name in [${item.key}] to an INI file.`, 'Give every key a name.');
      const value = valueText(item.key, entry.key, entry.value);
      last = byName.get(entry.key);
      if (last) {
        last.value = value;
      } else {
        last = { name: entry.key, value, comment: '' };
        byName.set(entry.key, last);
        section.keys.push(last);
      }
    });
    sections.push(section);
  }
  return sections;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

function commentLines(comment: string, trimPlain: boolean): string {
  return comment
    .split('\n')
    .map((line) => (line[0] !== '#' && line[0] !== ';' ? `; ${trimPlain ? goTrimSpace(line) : line}` : `${line[0]} ${goTrimSpace(line.slice(1))}`))
    .map((line) => `${line}\n`)
    .join('');
}

function quotedKey(name: string): string {
  if (name.includes('"') || /[=:]/.test(name)) return `\`${name}\``;
  if (name.includes('`')) return `"""${name}"""`;
  return name;
}

function quotedValue(value: string): string {
  if (/[\n`]/.test(value)) return `"""${value}"""`;
  if (/[#;]/.test(value)) return `\`${value}\``;
  if (goTrimSpace(value).length !== value.length) return `"${value}"`;
  return value;
}

/** gopkg.in/ini.v1's WriteTo with its defaults (aligned ` = `, a blank line between sections). */
function writeIni(sections: readonly OutSection[]): string {
  const out: string[] = [];
  sections.forEach((section, i) => {
    if (section.comment) out.push(commentLines(section.comment, false));
    if (i > 0 || section.name.toUpperCase() !== DEFAULT_SECTION) out.push(`[${section.name}]\n`);
    else if (section.keys.length === 0) return;
    const names = section.keys.map((k) => quotedKey(k.name));
    const align = Math.max(0, ...names.map(byteLength));
    section.keys.forEach((key, k) => {
      if (key.comment) out.push(commentLines(key.comment, true));
      out.push(`${names[k]}${' '.repeat(align - byteLength(names[k]!))} = ${quotedValue(key.value)}\n`);
    });
    if (i < sections.length - 1) out.push('\n');
  });
  return out.join('');
}

export function emitPlainIni(branch: MapNode): string {
  return writeIni(toSections(branch));
}

export function emitEncryptedIni(branch: MapNode, metadata: SopsMetadata): string {
  if (branch.items.some((i) => !isComment(i) && i.key === METADATA_SECTION)) {
    throw iniError(`a section is named [${METADATA_SECTION}], which sops reserves for its metadata in INI files.`, 'Rename the section.');
  }
  const meta: OutSection = {
    name: METADATA_SECTION,
    comment: '',
    keys: flattenMetadata(metadata, '').map(([name, value]) => ({ name, value: value.split('\n').join('\\n'), comment: '' })),
  };
  return writeIni([...toSections(branch), meta]);
}
