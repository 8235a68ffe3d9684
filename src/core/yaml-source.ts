import { createRequire } from 'node:module';
import type { Document, Node } from 'yaml';
import { ChartctlError, isChartctlError } from './errors.js';
import { aliasLimitError, checkYamlDocumentAliases, loadYaml } from './yaml-limits.js';

export interface SourcePosition {
  line: number;
  col: number;
}

/** A parsed YAML file that can say where any value came from (for file:line:col errors). */
export interface LocatedYaml {
  file: string;
  value: unknown;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  locate(path: ReadonlyArray<string | number>, at?: 'key' | 'value'): SourcePosition;
  /** `file:line:col` of the node at `path` (of its key with at='key'). */
  where(path: ReadonlyArray<string | number>, at?: 'key' | 'value'): string;
}

/**
 * Parses one YAML document with the `yaml` package (it keeps positions), turning
 * syntax errors into a ChartctlError that names file:line:col.
 */
export function parseLocatedYaml(text: string, file: string, hint?: string): LocatedYaml {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    const reason = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
    throw new ChartctlError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${reason}`, {
      code: 'YAML_SYNTAX',
      hint: hint ?? 'Fix the YAML syntax at that position (indentation, a missing ":" or an unclosed quote are the usual causes).',
    });
  }
  const { problem } = checkYamlDocumentAliases(doc, yamlPackage());
  if (problem) throw aliasLimitError(problem, text, { file });
  // The check above is the bound (the same as for js-yaml); the package's own count would refuse other files.
  const value = doc.toJS({ maxAliasCount: -1 }) as unknown;
  const locate = (path: ReadonlyArray<string | number>, at: 'key' | 'value' = 'value'): SourcePosition => {
    const node = nodeAt(doc, path, at);
    const offset = node?.range?.[0] ?? 0;
    return lineCounter.linePos(offset);
  };
  return {
    file,
    value,
    locate,
    where: (path, at) => {
      const p = locate(path, at);
      return `${file}:${p.line}:${p.col}`;
    },
  };
}

type YamlPackage = typeof import('yaml');
let loaded: YamlPackage | undefined;

/** Loaded on first use: it costs ~20 ms at start-up and the fast paths never need positions. */
export function yamlPackage(): YamlPackage {
  loaded ??= createRequire(import.meta.url)('yaml') as YamlPackage;
  return loaded;
}

function nodeAt(doc: Document, path: ReadonlyArray<string | number>, at: 'key' | 'value'): Node | undefined {
  const { isMap, isSeq, isNode } = yamlPackage();
  let node: unknown = doc.contents;
  let last: Node | undefined = isNode(node) ? node : undefined;
  for (const [i, key] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
      if (!pair) return last;
      if (at === 'key' && i === path.length - 1 && isNode(pair.key)) return pair.key as Node;
      // Point at the key for a missing/invalid value: that is where the user looks.
      node = pair.value ?? pair.key;
      last = isNode(node) ? node : isNode(pair.key) ? (pair.key as Node) : last;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (isNode(node)) last = node;
      else return last;
    } else {
      return last;
    }
  }
  return last;
}

/**
 * Parses YAML with js-yaml (several times faster to load and run than `yaml`);
 * only a syntax error pays for the position-keeping parser, to name file:line:col.
 */
export function parseYamlFast(text: string, file: string, hint?: string): unknown {
  try {
    return loadYaml(text, { file });
  } catch (err) {
    if (isChartctlError(err)) throw err;
    parseLocatedYaml(text, file, hint);
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const reason = (err as { reason?: string }).reason ?? String(err);
    throw new ChartctlError(`${file}:${(mark?.line ?? 0) + 1}:${(mark?.column ?? 0) + 1}: invalid YAML: ${reason}`, {
      code: 'YAML_SYNTAX',
      hint: hint ?? 'Fix the YAML syntax at that position.',
    });
  }
}
