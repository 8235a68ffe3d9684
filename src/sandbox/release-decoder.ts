/**
 * Reads helm's release records back out of the Secrets/ConfigMaps its storage
 * drivers write (`data.release`: gzip'd JSON, base64 encoded; Secrets add the
 * API's own base64 layer), so tests can assert on what helm stored.
 */
import { decodeReleaseData } from '../core/helm-release-record.js';
import type { KubeObject } from './object-store.js';

export interface DecodedRelease {
  name: string;
  namespace: string;
  version: number;
  status: string;
  /** The full record helm stored (chart, config, manifest, hooks, info). */
  record: Record<string, any>;
  manifest: string;
}

export function decodeReleaseObject(object: KubeObject): DecodedRelease {
  const stored: string | undefined = object.data?.release;
  if (!stored) throw new Error(`${object.kind} ${object.metadata?.namespace}/${object.metadata?.name} holds no helm release (no data.release)`);
  const record = decodeReleaseData(object.kind === 'Secret' ? 'Secret' : 'ConfigMap', stored);
  return {
    name: String(record.name),
    namespace: String(record.namespace),
    version: Number(record.version),
    status: String(record.info?.status ?? ''),
    record,
    manifest: String(record.manifest ?? ''),
  };
}

/** True for the objects helm's storage drivers own (labels `owner=helm`, data.release). */
export const isReleaseObject = (object: KubeObject): boolean =>
  (object.kind === 'Secret' || object.kind === 'ConfigMap') && object.metadata?.labels?.owner === 'helm' && typeof object.data?.release === 'string';
