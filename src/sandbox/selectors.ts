/** Label and field selectors as the API server parses them from list/watch query strings. */
import { badRequest } from './api-status.js';

type Requirement = (get: (key: string) => string | undefined) => boolean;
export type Selector = (obj: Record<string, any>) => boolean;

const everything: Selector = () => true;

/** Splits on commas that are not inside `in (a,b)` parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter(Boolean);
}

function parseRequirement(term: string, what: string): Requirement {
  let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (get) => values.has(get(key) ?? '\u0000') : (get) => !values.has(get(key) ?? '\u0000');
  }
  m = /^([^\s!=]+)\s*(==|!=|=)\s*(.*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m as unknown as [string, string, string, string];
    return op === '!=' ? (get) => get(key) !== value : (get) => get(key) === value;
  }
  m = /^!\s*([^\s!=]+)$/.exec(term);
  if (m) {
    const key = m[1]!;
    return (get) => get(key) === undefined;
  }
  if (/^[^\s!=(),]+$/.test(term)) return (get) => get(term) !== undefined;
  throw badRequest(`unable to parse requirement: invalid ${what} selector "${term}"`);
}

export function parseLabelSelector(text: string | null): Selector {
  if (!text) return everything;
  const reqs = splitTerms(text).map((t) => parseRequirement(t, 'label'));
  return (obj) => {
    const labels: Record<string, string> = obj.metadata?.labels ?? {};
    return reqs.every((r) => r((k) => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined)));
  };
}

/** Field selectors on any dotted path (`metadata.name`, `status.phase`, `type`). */
export function parseFieldSelector(text: string | null): Selector {
  if (!text) return everything;
  const reqs = splitTerms(text).map((t) => parseRequirement(t, 'field'));
  return (obj) =>
    reqs.every((r) =>
      r((path) => {
        let v: any = obj;
        for (const part of path.split('.')) v = v?.[part];
        // Unset fields compare as the empty string, like the server's field sets.
        return v === undefined || v === null ? '' : String(v);
      }),
    );
}
