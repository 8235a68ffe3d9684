import { NOT_RESOLVED, Schema, boolYaml11Tag, defineScalarTag, mapTag, mergeTag, nullYaml11Tag, seqTag, strTag } from 'js-yaml';

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

export const KUBERNETES_YAML_SCHEMA = new Schema([strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, goIntTag, goFloatTag, mergeTag]);
