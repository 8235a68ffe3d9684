/** What counts as the same object for a release diff (and for drift). */

/**
 * Removes what is not a change: `null` fields (the API server treats them as
 * absent), empty maps/lists left by templates, and numbers written as strings
 * where helm's own YAML round trip would make them numbers. Key order is ignored
 * by sorting keys when serialising.
 */
export function normalizeObject(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeObject);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === null || v === undefined) continue;
      const n = normalizeObject(v);
      if (n && typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return value;
}

/** Scalars equal as the cluster sees them: `"3"` and `3` are the same value. */
export function sameScalar(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // "3" vs 3: helm normalises some quoted numbers; not a change the cluster would see.
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    return String(a) === String(b);
  }
  return false;
}

export function deepEqualNormalized(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqualNormalized(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualNormalized((a as any)[k], (b as any)[k]));
  }
  return sameScalar(a, b);
}
