/** What counts as the same object for a release diff (and for drift): what the API server would store identically. */

/**
 * Removes what the API server does not store: `null` fields (decoded as absent)
 * and empty maps left by templates (built-in types omit them when empty). Key
 * order is ignored by sorting keys when serialising. Types are kept: `"1"` and
 * `1` are different values to the API server (an int32 field refuses the
 * string, an IntOrString stores them as different kinds), so they stay a change.
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

/**
 * Maps whose values are resource quantities (container resources, quotas, limit
 * ranges, volume capacity, overhead): the API server stores a quantity in its
 * canonical form, so `cpu: 1`, `cpu: "1"` and `cpu: 1000m` are stored alike.
 */
const QUANTITY_MAPS = new Set(['limits', 'requests', 'hard', 'used', 'capacity', 'allocatable', 'overhead', 'max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']);
/** Fields that are a quantity themselves. */
const QUANTITY_FIELDS = new Set(['sizeLimit', 'storage']);

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** The amount a Kubernetes quantity (`500m`, `1Gi`, `1e3`, `2`) stands for; undefined when it is not one. */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] ? n * 10 ** Number(m[2].slice(1)) : n * SUFFIX[m[3] ?? '']!;
}

/** Where a scalar sits: the key holding it and the key of the map around it. */
export interface ScalarPlace {
  key?: string;
  parentKey?: string;
}

function isQuantityPlace(place: ScalarPlace): boolean {
  return (place.parentKey !== undefined && QUANTITY_MAPS.has(place.parentKey)) || (place.key !== undefined && QUANTITY_FIELDS.has(place.key));
}

/** Scalars equal as the API server stores them: the same value of the same type, or the same quantity where a quantity goes. */
export function sameScalar(a: unknown, b: unknown, place: ScalarPlace = {}): boolean {
  if (a === b) return true;
  if (!isQuantityPlace(place)) return false;
  const qa = quantityValue(a);
  const qb = quantityValue(b);
  // Relative tolerance: 0.1 and 100m are the same quantity, whose floating-point products differ in the last bit.
  return qa !== undefined && qb !== undefined && Math.abs(qa - qb) <= Math.abs(qa) * 1e-12;
}

export function deepEqualNormalized(a: unknown, b: unknown, place: ScalarPlace = {}): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqualNormalized(x, b[i], { parentKey: place.key }));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualNormalized((a as any)[k], (b as any)[k], { key: k, parentKey: place.key }));
  }
  return sameScalar(a, b, place);
}
