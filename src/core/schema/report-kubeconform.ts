import type { Problem, ResourceResult, ValidateResult } from './validation-result.js';

/**
 * kubeconform's own output formats (pkg/output/{text,pretty,json,tap}.go), line for
 * line, so a CI script that reads kubeconform's output reads chartctl's, schema errors
 * in jsonschema's words (jsonschema-wording.ts).
 */

export interface KubeconformOutputOptions {
  summary: boolean;
  verbose: boolean;
  /** The input was stdin: the summary says "found parsing stdin". */
  stdin: boolean;
}

/** kubeconform's identity of a resource: generateName shows as `prefix{{ generateName }}`. */
export function signature(r: ResourceResult): { kind: string; name: string; version: string; namespace: string } {
  const name = r.name.endsWith('*') ? `${r.name.slice(0, -1)}{{ generateName }}` : r.name;
  return { kind: r.kind, name, version: r.apiVersion, namespace: r.namespace };
}

/** `/spec/containers/0/ports/0` from chartctl's `spec.containers[0].ports[0]` (keys with dots come as `["a.b"]`). */
export function jsonPointer(path: string): string {
  const parts: string[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) parts.push(m[1] ?? (m[2] !== undefined ? (JSON.parse(m[2]) as string) : m[3]!));
  return parts.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const SCHEMA_KEYWORDS = new Set(['yaml', 'type', 'required', 'rejected', 'missing-schema', 'schema-source', 'skip', 'duplicate-key', 'file']);

function isSchemaProblem(p: Problem): boolean {
  return !SCHEMA_KEYWORDS.has(p.keyword) || (p.keyword === 'type' && p.path !== '') || (p.keyword === 'required' && p.path !== 'kind' && p.path !== 'apiVersion');
}

/** kubeconform's `validationErrors`: jsonschema's wording when the schema check gave it, else chartctl's problems at their pointers. */
function validationErrors(r: ResourceResult): { path: string; msg: string }[] {
  return r.kubeconform?.errors ?? r.problems.filter(isSchemaProblem).map((p) => ({ path: jsonPointer(p.path), msg: p.message }));
}

/** kubeconform's `msg` for a resource that is not valid. */
export function kubeconformMessage(r: ResourceResult): string {
  const other = r.problems.find((p) => !isSchemaProblem(p));
  if (other) {
    switch (other.keyword) {
      case 'yaml':
        return `error unmarshalling resource: ${other.message.replace(/^not valid YAML: /, '')}`;
      case 'required':
        return `error while parsing: missing '${other.path}' key`;
      case 'rejected':
        return `prohibited resource kind ${r.kind}`;
      case 'missing-schema':
        return `could not find schema for ${r.kind}`;
      default:
        return other.path ? `${other.path}: ${other.message}` : other.message;
    }
  }
  const at = validationErrors(r).map((e) => ` - at '${e.path}': ${e.msg}`).join('');
  return `problem validating schema. Check JSON formatting: jsonschema validation failed with '${r.kubeconform?.schema ?? r.schema ?? ''}#'${at}`;
}

/** kubeconform's count line; "resource" stays singular for 0, as kubeconform prints it. */
export function summaryLine(result: Pick<ValidateResult, 'summary'>, options: { stdin: boolean }): string {
  const s = result.summary;
  const resources = `${s.resources} resource${s.resources > 1 ? 's' : ''}`;
  const where = options.stdin ? 'parsing stdin' : `in ${s.files} file${s.files > 1 ? 's' : ''}`;
  return `Summary: ${resources} found ${where} - Valid: ${s.valid}, Invalid: ${s.invalid}, Errors: ${s.errors}, Skipped: ${s.skipped}`;
}

/** `-output text` */
export function renderKubeconformText(result: ValidateResult, options: KubeconformOutputOptions): string {
  const lines: string[] = [];
  for (const r of result.resources) {
    const { kind, name } = signature(r);
    if (r.status === 'valid' && options.verbose) lines.push(`${r.file} - ${kind} ${name} is valid`);
    else if (r.status === 'invalid') lines.push(`${r.file} - ${kind} ${name} is invalid: ${kubeconformMessage(r)}`);
    else if (r.status === 'error') lines.push(kind && name ? `${r.file} - ${kind} ${name} failed validation: ${kubeconformMessage(r)}` : `${r.file} - failed validation: ${kubeconformMessage(r)}`);
    else if (r.status === 'skipped' && options.verbose) lines.push(`${r.file} - ${name} ${kind} skipped`); // sic: kubeconform's order
  }
  if (options.summary) lines.push(summaryLine(result, options));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `-output pretty`: the text format with kubeconform's marks and colours (always coloured, as kubeconform does). */
export function renderKubeconformPretty(result: ValidateResult, options: KubeconformOutputOptions): string {
  const reset = '\u001b[0m';
  const red = '\u001b[31m';
  const green = '\u001b[32m';
  const yellow = '\u001b[33m';
  const lines: string[] = [];
  for (const r of result.resources) {
    const { kind, name } = signature(r);
    if (r.status === 'valid' && options.verbose) lines.push(`${green}\u2714${reset} ${r.file}: ${green}${kind} ${name} is valid${reset}`);
    else if (r.status === 'invalid') lines.push(`${red}\u2716${reset} ${r.file}: ${red}${kind} ${name} is invalid: ${kubeconformMessage(r)}${reset}`);
    else if (r.status === 'error') {
      const head = `${red}\u2716${reset} ${r.file}: `;
      lines.push(kind && name ? `${head}${red}${kind} failed validation: ${name} ${kubeconformMessage(r)}${reset}` : `${head}${red}failed validation: ${name} ${kubeconformMessage(r)}${reset}`);
    } else if (r.status === 'skipped' && options.verbose) {
      const what = kind && name ? `${kind} ${name} skipped` : kind ? `${kind} skipped` : 'skipped';
      lines.push(`${yellow}-${reset} ${r.file}: ${yellow}${what}${reset}`);
    }
  }
  if (options.summary) lines.push(summaryLine(result, options));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

const STATUS: Record<ResourceResult['status'], string> = { valid: 'statusValid', invalid: 'statusInvalid', error: 'statusError', skipped: 'statusSkipped' };

/** `-output json` (named kubeconform-json here: chartctl's own json is a different, richer shape). */
export function renderKubeconformJson(result: ValidateResult, options: KubeconformOutputOptions): string {
  const resources = result.resources
    .filter((r) => options.verbose || r.status === 'invalid' || r.status === 'error')
    .map((r) => {
      const { kind, name, version } = signature(r);
      const failed = r.status === 'invalid' || r.status === 'error';
      const out: Record<string, unknown> = { filename: r.file, kind, name, version, status: STATUS[r.status], msg: failed ? kubeconformMessage(r) : '' };
      if (r.status === 'invalid') {
        const errors = validationErrors(r);
        if (errors.length) out.validationErrors = errors;
      }
      return out;
    });
  const s = result.summary;
  const body = options.summary ? { resources, summary: { valid: s.valid, invalid: s.invalid, errors: s.errors, skipped: s.skipped } } : { resources };
  // Go's encoding/json escapes <, > and & in strings.
  return `${JSON.stringify(body, null, 2).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}\n`;
}
