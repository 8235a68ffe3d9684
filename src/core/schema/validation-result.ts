import type { JsonschemaError } from './jsonschema-wording.js';

/** How one resource fared (the JSON output shape; keep it stable). */
export type ResourceStatus = 'valid' | 'invalid' | 'error' | 'skipped';

export interface Problem {
  /** Field path, e.g. `spec.replicas`; '' for the resource as a whole. */
  path: string;
  message: string;
  /** ajv keyword, `duplicate-key`, `yaml`, `missing-schema`, `rejected`, ... */
  keyword: string;
  /** Position in the file, when known. */
  line?: number;
  column?: number;
}

export interface ResourceResult {
  file: string;
  /** 0-based index among the file's non-empty documents. */
  document: number;
  /** Index within a `List` document's items. */
  item?: number;
  /** 1-based line where the document (or List item) starts. */
  line: number;
  /** Template that rendered it (helm's `# Source:` comment). */
  source?: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  status: ResourceStatus;
  /** Where the schema came from, e.g. `crd widgets.example.com`, a URL or path, `cluster prod`. */
  schema?: string;
  problems: Problem[];
  /** For a resource invalid against its schema: kubeconform's wording of the errors and the schema location it would name (its output formats print these; chartctl's JSON leaves them out). */
  kubeconform?: { schema: string; errors: JsonschemaError[] };
}

export interface ValidationSummary {
  resources: number;
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
  files: number;
}

export interface ValidateResult {
  ok: boolean;
  /** `1.33`, `master`, ... */
  kubeVersion: string;
  strict: boolean;
  summary: ValidationSummary;
  resources: ResourceResult[];
  /** Things the user should know that are not about one resource (e.g. a schema source that could not be reached). */
  warnings: string[];
  /** Per kind: validators compiled now, loaded compiled from the on-disk cache, or schemas walked without compiling (few resources). */
  compiled: { compiled: number; fromCache: number; interpreted: number };
}

export function summarize(resources: readonly ResourceResult[], files: number): ValidationSummary {
  const s: ValidationSummary = { resources: resources.length, valid: 0, invalid: 0, errors: 0, skipped: 0, files };
  for (const r of resources) {
    if (r.status === 'valid') s.valid++;
    else if (r.status === 'invalid') s.invalid++;
    else if (r.status === 'error') s.errors++;
    else s.skipped++;
  }
  return s;
}

/** `apps/v1/Deployment shop/api` */
export function describeResource(r: Pick<ResourceResult, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  const type = [r.apiVersion, r.kind].filter(Boolean).join('/') || '(no apiVersion/kind)';
  const name = r.name ? `${r.namespace ? `${r.namespace}/` : ''}${r.name}` : '(unnamed)';
  return `${type} ${name}`;
}

/** `file:line` or `template (file:line)` for a resource. */
export function whereIs(r: Pick<ResourceResult, 'file' | 'line' | 'source' | 'document' | 'item'>): string {
  const item = r.item !== undefined ? ` item ${r.item}` : '';
  return r.source ? `${r.source} (${r.file} document ${r.document}${item})` : `${r.file}:${r.line}${item ? ` (${item.trim()})` : ''}`;
}
