import { ChartctlError } from '../errors.js';
import { metadataEntries, parseMetadata, type MetaValue } from './metadata.js';
import type { SopsMetadata } from './types.js';

/**
 * sops' flattened metadata, used by the stores that hold only flat
 * key/value pairs (dotenv: `sops_…` keys; INI: the `[sops]` section): nested
 * keys are joined with `__map_`, list items with `__list_N` (sops'
 * stores/flatten.go).
 */
const MAP_SEPARATOR = '__map_';
const LIST_SEPARATOR = '__list_';

export type FlatEntry = [key: string, value: string];

/** sops' ValToString for the metadata's scalars (Go's %v: ints in decimal, `true`/`false`). */
function flatText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}

function flattenInto(value: MetaValue, key: string, out: FlatEntry[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => flattenInto(item, `${key}${LIST_SEPARATOR}${i}`, out));
  } else if (typeof value === 'object') {
    // sops serialises the metadata through a Go map, so every level comes out sorted by key.
    const sorted = [...value.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [k, v] of sorted) flattenInto(v, `${key}${MAP_SEPARATOR}${k}`, out);
  } else {
    out.push([key, flatText(value)]);
  }
}

/** The metadata as sops writes it flat, in sops' order, each key prefixed with `prefix`. */
export function flattenMetadata(meta: SopsMetadata, prefix: string): FlatEntry[] {
  const out: FlatEntry[] = [];
  const top = [...metadataEntries(meta).entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [k, v] of top) flattenInto(v, `${prefix}${k}`, out);
  return out;
}

type Token = { map: string } | { list: number };

/** sops' tokenize: the key up to the first separator, then one token per separator. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let state: 'normal' | 'map' | 'list' = 'normal';
  let start = 0;
  let i = 0;
  const finish = () => {
    if (state === 'normal') tokens.push({ map: path.slice(start, i) });
    else if (state === 'map') tokens.push({ map: path.slice(start + MAP_SEPARATOR.length, i) });
    // Go's Atoi error is ignored by sops: a bad index reads as 0.
    else tokens.push({ list: /^[+-]?\d+$/.test(path.slice(start + LIST_SEPARATOR.length, i)) ? Number(path.slice(start + LIST_SEPARATOR.length, i)) : 0 });
    start = i;
  };
  while (i < path.length) {
    if (path.startsWith(MAP_SEPARATOR, i)) {
      finish();
      state = 'map';
      i += MAP_SEPARATOR.length;
    } else if (path.startsWith(LIST_SEPARATOR, i)) {
      finish();
      state = 'list';
      i += LIST_SEPARATOR.length;
    } else {
      i++;
    }
  }
  finish();
  return tokens;
}

interface Slot {
  value?: string;
  keys?: Map<string, Slot>;
  items?: Map<number, Slot>;
}

function convert(slot: Slot, key: string, bad: (what: string) => ChartctlError): unknown {
  const kinds = Number(slot.value !== undefined) + Number((slot.keys?.size ?? 0) > 0) + Number((slot.items?.size ?? 0) > 0);
  if (kinds > 1) throw bad(`"${key}" is both a value and a nested field`);
  if (slot.value !== undefined) return slot.value;
  if (slot.items && slot.items.size > 0) {
    const indexes = [...slot.items.keys()];
    if (Math.min(...indexes) !== 0 || Math.max(...indexes) + 1 !== indexes.length) throw bad(`the list "${key}" has missing entries`);
    return indexes.sort((a, b) => a - b).map((i) => convert(slot.items!.get(i)!, `${key}${LIST_SEPARATOR}${i}`, bad));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of slot.keys ?? []) out[k] = convert(v, key ? `${key}${MAP_SEPARATOR}${k}` : k, bad);
  return out;
}

/** mapstructure's weakly typed decoding, for the two non-string fields of the metadata. */
function weaklyTyped(raw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...raw };
  const shamir = out.shamir_threshold;
  if (typeof shamir === 'string') out.shamir_threshold = shamir === '' ? 0 : /^[+-]?\d+$/.test(shamir) ? Number(shamir) : shamir;
  const macOnly = out.mac_only_encrypted;
  if (typeof macOnly === 'string') out.mac_only_encrypted = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(macOnly);
  return out;
}

/** Rebuilds and validates the metadata from its flat entries (keys without the store's prefix). */
export function unflattenMetadata(entries: readonly FlatEntry[], file: string): SopsMetadata {
  const bad = (what: string) =>
    new ChartctlError(`${file}: invalid sops metadata: ${what}.`, { code: 'SOPS_BAD_METADATA', hint: 'The sops metadata entries are damaged; restore the file from version control.' });
  const root: Slot = {};
  for (const [key, value] of entries) {
    let slot = root;
    for (const token of tokenize(key)) {
      if ('map' in token) {
        slot.keys ??= new Map();
        if (!slot.keys.has(token.map)) slot.keys.set(token.map, {});
        slot = slot.keys.get(token.map)!;
      } else {
        slot.items ??= new Map();
        if (!slot.items.has(token.list)) slot.items.set(token.list, {});
        slot = slot.items.get(token.list)!;
      }
    }
    if (slot.value !== undefined) throw bad(`"${key}" is given twice`);
    slot.value = value;
  }
  const raw = convert(root, '', bad);
  return parseMetadata(weaklyTyped(raw as Record<string, unknown>), file);
}
