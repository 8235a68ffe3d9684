/**
 * What the real API server checks and rewrites on a coordination.k8s.io/v1
 * Lease (pkg/apis/coordination/validation and metav1.MicroTime): durations and
 * transition counts must not be negative, times are MicroTime and come back
 * as RFC 3339 with six fractional digits. The server never expires a Lease:
 * expiry is each client's reading of renewTime + leaseDurationSeconds.
 */
import { ApiError, invalid } from './api-status.js';
import type { KubeObject } from './object-store.js';
import type { ResourceType } from './resource-catalog.js';

const MICRO_TIME_FIELDS = ['acquireTime', 'renewTime'] as const;
const COUNT_FIELDS = ['leaseDurationSeconds', 'leaseTransitions'] as const;

export function checkLease(t: ResourceType, object: KubeObject): void {
  if (t.group !== 'coordination.k8s.io' || t.kind !== 'Lease') return;
  const spec = object.spec;
  if (spec === undefined || spec === null) return;
  const name = String(object.metadata?.name ?? '');
  const problems: string[] = [];
  for (const field of COUNT_FIELDS) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (!Number.isInteger(value)) throw new ApiError(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal ${typeof value} into Go struct field LeaseSpec.spec.${field} of type int32`);
    // The real validation: leaseDurationSeconds must be greater than 0, leaseTransitions >= 0.
    if (field === 'leaseDurationSeconds' && value <= 0) problems.push(`spec.leaseDurationSeconds: Invalid value: ${value}: must be greater than 0`);
    if (field === 'leaseTransitions' && value < 0) problems.push(`spec.leaseTransitions: Invalid value: ${value}: must be greater than or equal to 0`);
  }
  if (spec.holderIdentity !== undefined && spec.holderIdentity !== null && typeof spec.holderIdentity !== 'string') {
    throw new ApiError(400, 'BadRequest', 'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal into Go struct field LeaseSpec.spec.holderIdentity of type string');
  }
  if (problems.length) throw invalid(t, name, problems);
  for (const field of MICRO_TIME_FIELDS) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    spec[field] = microTime(value, field);
  }
}

/** metav1.MicroTime: parsed as RFC 3339 (any precision), written back with microseconds. */
function microTime(value: unknown, field: string): string {
  const text = String(value);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const parsed = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(parsed)) {
    throw new ApiError(400, 'BadRequest', `Lease in version "v1" cannot be handled as a Lease: parsing time "${text}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse spec.${field}`);
  }
  const micros = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  const utc = new Date(parsed).toISOString().slice(0, 19);
  return `${utc}.${micros}Z`;
}
