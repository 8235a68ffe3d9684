import { describeMasterKey } from './data-key.js';
import type { MasterKey, MasterKeySpec } from './types.js';

/** What `updatekeys` changes in one key group, each key as describeMasterKey prints it. */
export interface KeyGroupChange {
  /** 1-based. */
  group: number;
  kept: string[];
  added: string[];
  removed: string[];
}

/**
 * The identity sops compares keys by (MasterKey.ToString): the age
 * recipient, the PGP fingerprint, the KMS key ARN. A KMS role or context
 * change alone is therefore no change, as in sops.
 */
function identity(key: MasterKey | MasterKeySpec): string {
  switch (key.type) {
    case 'age':
      return `age:${key.recipient}`;
    case 'pgp':
      return `pgp:${key.fingerprint}`;
    case 'kms':
      return `kms:${key.arn}`;
    case 'unsupported':
      return `${key.field}:${JSON.stringify(key.raw)}`;
  }
}

/** sops' DiffKeyGroups: group i of the file against group i of the creation rule. */
export function diffKeyGroups(current: readonly MasterKey[][], wanted: readonly MasterKeySpec[][]): KeyGroupChange[] {
  const changes: KeyGroupChange[] = [];
  for (let i = 0; i < Math.max(current.length, wanted.length); i++) {
    const ours = current[i] ?? [];
    const theirs = wanted[i] ?? [];
    const ourIds = new Set(ours.map(identity));
    const theirIds = new Set(theirs.map(identity));
    changes.push({
      group: i + 1,
      kept: theirs.filter((k) => ourIds.has(identity(k))).map(describeMasterKey),
      added: theirs.filter((k) => !ourIds.has(identity(k))).map(describeMasterKey),
      removed: ours.filter((k) => !theirIds.has(identity(k))).map(describeMasterKey),
    });
  }
  return changes;
}

/**
 * The Shamir threshold sops keeps: the file's own, capped at the number of
 * groups the rule now names (sops does not take the rule's threshold here).
 */
export function updatedShamirThreshold(current: number | undefined, groups: number): number | undefined {
  const threshold = Math.min(current ?? 0, groups);
  return threshold > 0 ? threshold : undefined;
}
