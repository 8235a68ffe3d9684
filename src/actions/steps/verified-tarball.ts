import { ChartctlError } from '../../core/errors.js';
import type { IndexEntry } from '../../core/chart-index.js';
import { archiveContents } from '../../core/chart-archive.js';
import type { JsonValue } from '../../core/go-yaml-style.js';
import type { TarFile } from '../../core/tar-archive.js';
import { assertCompressedSize, type ArchiveLimits } from '../../core/archive-limits.js';
import { chartIdentityMismatch, identityMismatch, type ChartIdentity } from '../../core/chart-identity.js';
import { entryObject, indexUrlOutsideRepository } from '../../core/index-url.js';
import type { ChartRepository } from '../../adapters/chart-repository.js';
import { sha256 } from '../../core/sha256.js';

/** A tarball read from a repository and checked against its index entry: in the repository, same sha256, same name and version inside. */
export interface VerifiedTarball {
  /** The object's name under the repository prefix. */
  name: string;
  body: Uint8Array;
  /** Hex sha256, equal to the entry's digest. */
  digest: string;
}

/** A verified tarball with its chart-relative files and Chart.yaml, as checked (callers need not decompress it again). */
export interface CheckedTarball extends VerifiedTarball {
  files: TarFile[];
  metadata: Record<string, JsonValue>;
}

/**
 * Downloads the object an index entry points to, into memory, and refuses it
 * unless its url resolves inside the repository, its sha256 is the entry's
 * digest, and its own Chart.yaml names `listed` (the chart and version the
 * caller looked up). Only bytes that passed all three reach helm or another
 * repository.
 */
export async function fetchVerifiedTarball(repository: ChartRepository, env: string, entry: IndexEntry, listed: ChartIdentity, limits: ArchiveLimits): Promise<CheckedTarball> {
  const object = entryObject(entry, repository);
  if (object.kind === 'outside') throw indexUrlOutsideRepository({ env, repository: repository.url }, listed, object.url, object.reason);
  if (object.kind === 'noUrl' || !entry.digest) {
    throw new ChartctlError(`The ${env} index lists ${listed.name} ${listed.version} without ${object.kind === 'noUrl' ? 'a url' : 'a digest'}.`, {
      code: 'INDEX_ENTRY_INCOMPLETE',
      hint: `Run chartctl repo verify ${env}, then chartctl repo reindex ${env}.`,
    });
  }
  const key = `s3://${repository.bucket}/${repository.keyOf(object.name)}`;
  const got = await repository.get(object.name);
  if (got.kind !== 'found') {
    throw new ChartctlError(`The ${env} index lists ${listed.name} ${listed.version}, but ${key} is missing.`, {
      code: 'TARBALL_MISSING',
      hint: `Run chartctl repo verify ${env}; promote or publish the version again.`,
    });
  }
  assertCompressedSize(got.body.length, key, limits);
  const digest = sha256(got.body);
  if (digest !== entry.digest) {
    throw new ChartctlError(`Refusing ${listed.name} ${listed.version}: the tarball's sha256 ${digest} does not match the ${env} index (${entry.digest}) for ${key}. Nothing was changed in the cluster or any repository.`, {
      code: 'DIGEST_MISMATCH',
      hint: `Someone replaced ${key} after it was indexed. Run chartctl repo verify ${env} and investigate before using it.`,
    });
  }
  const { files, metadata } = archiveContents(got.body, key, limits);
  const actual = identityMismatch(listed, metadata);
  if (actual) throw chartIdentityMismatch({ env, key }, listed, actual);
  return { name: object.name, body: got.body, digest, files, metadata };
}
