import { ChartctlError } from '../errors.js';
import type { GroupVersionKind } from './gvk.js';

/** The fields kubeconform offers in a --schema-location template. */
export interface LocationVariables {
  NormalizedKubernetesVersion: string;
  StrictSuffix: string;
  ResourceKind: string;
  ResourceAPIVersion: string;
  Group: string;
  KindSuffix: string;
}

const FIELDS = new Set<keyof LocationVariables>(['NormalizedKubernetesVersion', 'StrictSuffix', 'ResourceKind', 'ResourceAPIVersion', 'Group', 'KindSuffix']);

/** kubeconform's default: the standalone schemas of its kubernetes-json-schema fork. */
export const KUBECONFORM_STANDALONE_SUFFIX = '/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';

/**
 * The template fields for one resource, computed exactly as kubeconform does
 * (registry.go schemaPath): note that `Group` is the part before the slash,
 * which is the version itself for core kinds (`v1`), and that `KindSuffix`
 * uses only the first label of the group (`-sagemaker-v1`).
 */
export function locationVariables(gvk: GroupVersionKind, normalizedKubeVersion: string, strict: boolean): LocationVariables {
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const groupParts = apiVersion.split('/');
  const firstLabel = groupParts[0]!.split('.')[0]!;
  let kindSuffix = `-${firstLabel.toLowerCase()}`;
  if (groupParts.length > 1) kindSuffix += `-${groupParts[1]!.toLowerCase()}`;
  return {
    NormalizedKubernetesVersion: normalizedKubeVersion,
    StrictSuffix: strict ? '-strict' : '',
    ResourceKind: gvk.kind.toLowerCase(),
    ResourceAPIVersion: groupParts[groupParts.length - 1]!,
    Group: groupParts[0]!,
    KindSuffix: kindSuffix,
  };
}

type Part = string | { field: keyof LocationVariables };

/**
 * Compiles the subset of Go's text/template that schema locations use:
 * literal text and `{{ .Field }}` actions (with optional `{{-`/`-}}` trim
 * markers). Anything else, including an unknown field, is rejected up front,
 * as kubeconform fails early on a template it cannot execute.
 */
/** `setting` names where the template was given (a flag or a variable), for the error. */
export function compileLocationTemplate(template: string, setting = '--schema-location'): (vars: LocationVariables) => string {
  const parts: Part[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push(rest);
      break;
    }
    let literal = rest.slice(0, open);
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) throw badTemplate(template, setting, 'an action "{{" is never closed with "}}"');
    let action = rest.slice(open + 2, close);
    let after = rest.slice(close + 2);
    if (action.startsWith('-') && /^-\s/.test(action)) {
      literal = literal.replace(/\s+$/, '');
      action = action.slice(1);
    }
    if (/\s-$/.test(action)) {
      after = after.replace(/^\s+/, '');
      action = action.slice(0, -1);
    }
    const m = /^\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(action);
    if (!m) throw badTemplate(template, setting, `"{{${action}}}" is not a field reference such as {{ .ResourceKind }}`);
    const field = m[1] as keyof LocationVariables;
    if (!FIELDS.has(field)) throw badTemplate(template, setting, `it has no field "${field}"`);
    if (literal) parts.push(literal);
    parts.push({ field });
    rest = after;
  }
  return (vars) => parts.map((p) => (typeof p === 'string' ? p : vars[p.field])).join('');
}

function badTemplate(template: string, setting: string, why: string): ChartctlError {
  return new ChartctlError(`${setting} "${template}" is not a valid location template: ${why}.`, {
    code: 'BAD_SCHEMA_LOCATION',
    hint: `Fields available: ${[...FIELDS].map((f) => `{{ .${f} }}`).join(', ')}.`,
  });
}

/** What a --schema-location value means, following kubeconform's rules. */
export type SchemaLocation =
  | { kind: 'default' }
  /** A path or URL ending in "json": a template, or one fixed schema file. */
  | { kind: 'template'; template: string; render: (vars: LocationVariables) => string }
  /** Anything else: the root of a kubernetes-json-schema style tree. */
  | { kind: 'base'; base: string };

export function parseSchemaLocation(value: string, setting = '--schema-location'): SchemaLocation {
  if (value === 'default') return { kind: 'default' };
  if (value.endsWith('json')) return { kind: 'template', template: value, render: compileLocationTemplate(value, setting) };
  // Validate now what the per-kind fallback will use, so a bad base fails early too.
  compileLocationTemplate(value.replace(/\/+$/, '') + KUBECONFORM_STANDALONE_SUFFIX, setting);
  return { kind: 'base', base: value.replace(/\/+$/, '') };
}

export function isRemote(location: string): boolean {
  return /^https?:\/\//i.test(location);
}
