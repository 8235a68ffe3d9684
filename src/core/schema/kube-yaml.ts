import { NOT_RESOLVED, Schema, boolYaml11Tag, defineScalarTag, mapTag, mergeTag, nullYaml11Tag, seqTag, strTag, type ScalarTagDefinition } from 'js-yaml';

/**
 * Plain scalars resolved as Kubernetes reads manifests (sigs.k8s.io/yaml over
 * go-yaml v2, YAML 1.1 style), not as YAML 1.2: `yes`/`on`/`y` are booleans,
 * `0755` is octal, `1e3` is a number, while `12:30` stays a string (go-yaml
 * has no base-60 numbers) and `2024-01-01` stays a string (timestamps reach
 * the API server as their text). A value that the API server would refuse to
 * decode is then caught by the schema, as `kubectl apply` would catch it.
 */

const INT = /^[-+]?(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*|0(?:_?[0-7])*|[1-9](?:_?[0-9])*)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const SPECIAL_FLOATS: Record<string, number> = {
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity, '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
};
const NUMERIC_FIRST = ['-', '+', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function parseGoInt(source: string): number {
  const negative = source.startsWith('-');
  const body = source.replace(/^[-+]/, '').replace(/_/g, '');
  let value: number;
  if (/^0[xX]/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[oO]/.test(body)) value = parseInt(body.slice(2), 8);
  else if (/^0[bB]/.test(body)) value = parseInt(body.slice(2), 2);
  else if (body.length > 1 && body.startsWith('0')) value = parseInt(body.slice(1), 8);
  else value = parseInt(body, 10);
  return negative ? -value : value;
}

const goIntTag = defineScalarTag<number>('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: NUMERIC_FIRST,
  resolve: (source) => (INT.test(source) ? parseGoInt(source) : NOT_RESOLVED),
  identify: (data) => Number.isInteger(data),
});

const goFloatTag = defineScalarTag<number>('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: NUMERIC_FIRST,
  resolve: (source) => {
    if (source in SPECIAL_FLOATS) return SPECIAL_FLOATS[source]!;
    return FLOAT.test(source) ? Number(source) : NOT_RESOLVED;
  },
  identify: (data) => typeof data === 'number',
});

/** The tags that resolve plain scalars, in the order js-yaml tries them. */
const IMPLICIT_TAGS: readonly ScalarTagDefinition[] = [nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag];

export const KUBERNETES_YAML_SCHEMA = new Schema([strTag, seqTag, mapTag, ...IMPLICIT_TAGS]);

// The same first-character dispatch as Schema.resolveImplicitScalarTag, kept as
// an array for ASCII so the block reader pays one index per scalar.
const anyFirstChar = IMPLICIT_TAGS.filter((tag) => tag.implicitFirstChars === null);
const byFirstChar = new Map<string, readonly ScalarTagDefinition[]>();
for (const tag of IMPLICIT_TAGS) {
  for (const key of tag.implicitFirstChars ?? []) {
    if (!byFirstChar.has(key)) byFirstChar.set(key, IMPLICIT_TAGS.filter((t) => t.implicitFirstChars === null || t.implicitFirstChars.includes(key)));
  }
}
const asciiFirstChar = Array.from({ length: 128 }, (_, code) => byFirstChar.get(String.fromCharCode(code)) ?? anyFirstChar);
const emptyCandidates = byFirstChar.get('') ?? anyFirstChar;

/**
 * The value of an untagged plain scalar, exactly as KUBERNETES_YAML_SCHEMA
 * resolves it (for a mapping key, js-yaml then takes `String()` of it).
 */
export function resolvePlainScalar(source: string): unknown {
  const code = source.charCodeAt(0);
  const candidates = code < 128 ? asciiFirstChar[code]! : source.length === 0 ? emptyCandidates : (byFirstChar.get(source.charAt(0)) ?? anyFirstChar);
  for (let i = 0; i < candidates.length; i++) {
    const tag = candidates[i]!;
    const value = tag.resolve(source, false, tag.tagName);
    if (value !== NOT_RESOLVED) return value;
  }
  return source;
}
