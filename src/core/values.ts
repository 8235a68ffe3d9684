/** A values tree as helm sees it after YAML parsing. */
export type Values = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Merges `override` onto `base` the way helm merges several `--values` files:
 * maps merge key by key, everything else (lists included) is replaced whole,
 * and an explicit `null` is kept so helm can delete the chart default.
 */
export function mergeValues(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
  }
  return out;
}

export interface ValuesLayer {
  /** Where the layer came from, for `--verbose` and error messages. */
  source: string;
  kind: 'environment' | 'secrets' | 'command-line';
  values: Values;
}

/**
 * The documented layering order: chart defaults (applied by helm itself) <
 * environment values files in order < decrypted secrets files < `--values`
 * files given on the command line (< `--set`, which helm applies last).
 */
export function layerValues(layers: ValuesLayer[]): Values {
  const rank = { environment: 0, secrets: 1, 'command-line': 2 } as const;
  const ordered = layers.map((l, i) => ({ l, i })).sort((a, b) => rank[a.l.kind] - rank[b.l.kind] || a.i - b.i);
  return ordered.reduce<Values>((acc, { l }) => mergeValues(acc, l.values), {});
}

/** Reads a dotted path (`api.image.tag`) from a values tree. */
export function getPath(values: Values, dotted: string): unknown {
  let node: unknown = values;
  for (const key of dotted.split('.')) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
