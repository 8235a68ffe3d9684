import type { InputDocument } from './manifest-input.js';
import { formatPath } from './schema-problems.js';

/**
 * A mapping key given twice. helm renders it, `helm lint --strict` passes, and the API
 * server's decoder keeps the last value (with a "duplicate field" warning), so outside
 * --strict it is a warning and the resource is still validated, with the last value;
 * kubeconform's -strict (and chartctl's --strict) make it an error.
 */
export interface DuplicateKey {
  file: string;
  /** 0-based index of the document among the file's documents. */
  document: number;
  source?: string;
  /** Where the second occurrence is, in the file. */
  line: number;
  col: number;
  /** `metadata.labels.app` */
  path: string;
  key: string;
}

/** The duplicate keys of `docs`, removed from them so that the schema check does not count them again. */
export function takeDuplicateKeys(docs: InputDocument[]): DuplicateKey[] {
  const out: DuplicateKey[] = [];
  for (const doc of docs) {
    if (doc.duplicateKeys.length === 0) continue;
    for (const d of doc.duplicateKeys) out.push({ file: doc.file, document: doc.index, source: doc.source, line: d.line, col: d.col, path: formatPath([...d.path, d.key]), key: d.key });
    doc.duplicateKeys = [];
  }
  return out;
}

/** One wording for lint, validate and validate --strict. */
export function duplicateKeyText(key: string): string {
  return `key "${key}" given more than once; the API server keeps the last value`;
}

export function duplicateKeyMessage(d: Pick<DuplicateKey, 'path' | 'key'>): string {
  return `${d.path}: ${duplicateKeyText(d.key)}`;
}
