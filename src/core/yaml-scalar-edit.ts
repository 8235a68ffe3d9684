import type { Scalar } from 'yaml';
import { ChartctlError } from './errors.js';
import { yamlPackage as yaml } from './yaml-source.js';

export interface ScalarEdit {
  /** The edited text. */
  text: string;
  /** The value that was there before (undefined when the path did not exist). */
  previous: unknown;
  changed: boolean;
}

/** Finds the scalar at `path` in a YAML document (undefined when the path is absent). */
export function readScalar(text: string, file: string, path: string[]): { value: unknown; found: boolean } {
  return scalarReader(text, file)(path);
}

/** readScalar for many paths of one document, parsed once. */
export function scalarReader(text: string, file: string): (path: string[]) => { value: unknown; found: boolean } {
  const doc = parse(text, file);
  return (path) => {
    const node = doc.getIn(path, true) as Scalar | undefined;
    if (node === undefined) return { value: undefined, found: false };
    return { value: yaml().isScalar(node) ? node.value : node, found: yaml().isScalar(node) };
  };
}

/**
 * Replaces one scalar in place, touching only its characters: comments, key
 * order, indentation and every other line stay byte for byte, so `git diff`
 * shows just that value. The original quoting style is kept.
 */
export function setScalar(text: string, file: string, path: string[], value: string): ScalarEdit {
  const doc = parse(text, file);
  const node = doc.getIn(path, true) as Scalar | undefined;
  if (node === undefined || !yaml().isScalar(node) || !node.range) {
    throw new ChartctlError(`${file}: no scalar value at "${path.join('.')}".`, {
      code: 'YAML_PATH_NOT_FOUND',
      hint: `Add "${path.join('.')}" to ${file} first, or map the service to another path under "images:" in the environment file.`,
    });
  }
  if (String(node.value) === value) return { text, previous: node.value, changed: false };
  const [start, valueEnd] = node.range;
  const replacement = formatLike(node, value);
  return { text: text.slice(0, start) + replacement + text.slice(valueEnd), previous: node.value, changed: true };
}

function formatLike(node: Scalar, value: string): string {
  switch (node.type) {
    case 'QUOTE_SINGLE':
      return `'${value.replace(/'/g, "''")}'`;
    case 'QUOTE_DOUBLE':
      return JSON.stringify(value);
    default:
      // A plain scalar that YAML would read as something else (1.0, true, null) must be quoted.
      return String(yaml().parse(value)) === value && typeof yaml().parse(value) === 'string' ? value : JSON.stringify(value);
  }
}

function parse(text: string, file: string) {
  const doc = yaml().parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length > 0) {
    throw new ChartctlError(`${file}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`, {
      code: 'YAML_SYNTAX',
      hint: `Fix ${file} before editing it with chartctl.`,
    });
  }
  return doc;
}

/**
 * Adds `key: "value"` as a sibling right after the scalar at `siblingPath`
 * (same indentation), for a key the file does not have yet — e.g. an image
 * digest next to its tag. Only block mappings are supported.
 */
export function insertSiblingScalar(text: string, file: string, siblingPath: string[], key: string, value: string): string {
  const doc = parse(text, file);
  const node = doc.getIn(siblingPath, true) as Scalar | undefined;
  if (node === undefined || !yaml().isScalar(node) || !node.range) {
    throw new ChartctlError(`${file}: no scalar value at "${siblingPath.join('.')}".`, { code: 'YAML_PATH_NOT_FOUND' });
  }
  const lineStart = text.lastIndexOf('\n', node.range[0]) + 1;
  const indent = /^\s*/.exec(text.slice(lineStart))![0];
  const prefix = text.slice(lineStart, node.range[0]);
  if (prefix.trim() !== `${siblingPath.at(-1)}:`) {
    throw new ChartctlError(`${file}: "${siblingPath.join('.')}" is not written as a block mapping entry; add "${key}" by hand.`, { code: 'YAML_LAYOUT' });
  }
  const insertion = `\n${indent}${key}: ${JSON.stringify(value)}`;
  const lineEnd = text.indexOf('\n', node.range[1]);
  if (lineEnd < 0) return `${text}${insertion}\n`;
  return text.slice(0, lineEnd) + insertion + text.slice(lineEnd);
}

/**
 * Sets a string at a path the file does not have yet (creating the mappings on the
 * way), e.g. a shared image tag in common.yaml. Written by the `yaml` package, so
 * comments stay; the layout of the rest may be normalised.
 */
export function insertPath(text: string, file: string, path: string[], value: string): string {
  const doc = parse(text, file);
  if (doc.contents === null) (doc as { contents: unknown }).contents = doc.createNode({});
  const node = doc.createNode(value) as Scalar;
  // Quoted: helm reads with YAML 1.1, where a plain `on` or `0440` would not stay a string.
  node.type = 'QUOTE_DOUBLE';
  doc.setIn(path, node);
  return doc.toString();
}
