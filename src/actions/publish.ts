import { basename } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import { archiveMetadata } from '../core/chart-archive.js';
import { archiveLimitsFrom, assertCompressedSize } from '../core/archive-limits.js';
import { chartIndexEntry, OBJECT_ETAG_ANNOTATION, PROVENANCE, provenanceToMetadata, tarballFileName } from '../core/chart-index.js';
import { planIndexStep, planPublish, type PublishOutcome } from '../core/publish-plan.js';
import type { JsonValue } from '../core/go-yaml-style.js';
import type { ChartRepository } from '../adapters/chart-repository.js';
import { MAX_BULK_FILE_BYTES, readUserFile, readUserFileIfPresent } from '../adapters/user-files.js';
import { MAX_PROVENANCE_BYTES } from '../core/oci-manifest.js';
import type { Deps } from './deps.js';
import type { Environment } from '../core/environment.js';
import { isOciRepository } from '../core/environment.js';
import { publishToRegistry } from './publish-oci.js';
import type { PublishResult } from './publish-result.js';
import { readChartMetadata } from '../adapters/chart-directory.js';
import { addIndexEntry, listedVersionOf, openRepository, readChartIndex, requireConditionalWrites, SKIPPED_KEPT, storedObject, warnSkippedEntries } from './steps/repository-index.js';
import { resolveActor } from './steps/resolve-actor.js';
import { sha256 } from '../core/sha256.js';

export interface PublishOptions {
  env: string;
  /** Literal or bump keyword; ignored with `package`. */
  version?: string;
  appVersion?: string;
  preid?: string;
  chart?: string;
  /** An existing tarball (e.g. from `chartctl package`) instead of packaging now. */
  package?: string;
  /** Replace a version that already exists with different bytes. */
  force?: boolean;
  /** Publish even where the endpoint ignores conditional writes. */
  noLock?: boolean;
  /** Give up retrying a contended index after this long. */
  deadlineMs?: number;
}

interface Tarball {
  name: string;
  version: string;
  fileName: string;
  bytes: Uint8Array;
  digest: string;
  metadata: Record<string, JsonValue>;
  /** helm's signature file (`helm package --sign` writes `<tarball>.prov` beside it), pushed as helm push does to OCI. */
  provenance?: Uint8Array;
}

async function loadTarball(deps: Deps, options: PublishOptions, env: Environment): Promise<Tarball> {
  if (!options.package) {
    // Packaging (helm, values, the dirty-tree check) is loaded only here: `--package` publishes a file as it is.
    const { buildPackage } = await import('./steps/package-chart.js');
    // A prerelease goes above every version of the chart this repository holds (core/chart-version.ts nextPrerelease).
    const published = options.version === 'prerelease' ? await publishedVersions(deps, options, env) : undefined;
    return buildPackage(deps, { ...options, published, refuseDirtyForApproval: true });
  }
  const path = deps.repo.userPath(options.package);
  const bytes = await readUserFile(path, {
    shown: `--package ${options.package}`,
    what: 'chart archive',
    maxBytes: MAX_BULK_FILE_BYTES,
    hint: 'Build it with "chartctl package" first, or drop --package to package the chart now.',
    notFoundCode: 'PACKAGE_NOT_FOUND',
  });
  const limits = archiveLimitsFrom(deps.env);
  assertCompressedSize(bytes.length, deps.repo.display(path), limits);
  const metadata = archiveMetadata(bytes, deps.repo.display(path), limits);
  const name = metadata.name as string;
  const version = metadata.version as string;
  if (options.version && options.version !== version) {
    throw new ChartctlError(`--version ${options.version} does not match the version inside ${basename(path)} (${version}).`, {
      code: 'VERSION_MISMATCH',
      hint: 'A packaged chart is published as it is; drop --version, or package again with the version you want.',
    });
  }
  const provenance = await readUserFileIfPresent(`${path}.prov`, {
    shown: `${options.package}.prov`,
    what: 'provenance file',
    maxBytes: MAX_PROVENANCE_BYTES,
    hint: 'The .prov beside --package is pushed with the chart; remove it or replace it with the one "helm package --sign" wrote.',
  });
  return { name, version, fileName: tarballFileName(name, version), bytes, digest: sha256(bytes), metadata, provenance };
}

async function publishedVersions(deps: Deps, options: PublishOptions, env: Environment): Promise<string[]> {
  const [{ chartDirectoryFor }, { versionsIn }] = await Promise.all([import('./steps/package-chart.js'), import('./steps/repository-versions.js')]);
  const chartDir = await chartDirectoryFor(deps, options.chart);
  const { name } = await readChartMetadata(chartDir, (p) => deps.repo.display(p));
  return (await versionsIn(deps, env, name as string)).versions;
}

export async function publish(deps: Deps, options: PublishOptions): Promise<PublishResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  if (isOciRepository(env.repository)) return publishToRegistry(deps, { ...env, repository: env.repository }, await loadTarball(deps, options, env), Boolean(options.force));
  const repository = openRepository(deps, env);
  const tarball = await loadTarball(deps, options, env);
  const where = `s3://${repository.bucket}/${repository.keyOf(tarball.fileName)}`;

  // Read the index first: a corrupt index refuses the publish before anything is uploaded.
  const snapshot = await readChartIndex(repository, tarball.name);
  // Only a full parse finds what helm would skip; an index the splice can take is kept byte for byte anyway.
  warnSkippedEntries(deps, repository, snapshot.index, SKIPPED_KEPT);
  const listed = listedVersionOf(snapshot, tarball.version);
  let existing = await storedObject(repository, tarball.fileName);
  let plan = planPublish({ chart: tarball, storedDigest: existing?.digest, listed, force: Boolean(options.force) });
  if (plan.kind === 'refused') throw versionExists(env.name, where, tarball, plan.existingDigest, plan.reason);
  // Probe (once per bucket, cached) only when something is about to be written.
  if (plan.tarball !== 'keep' || plan.index !== 'keep') await requireConditionalWrites(deps, repository, env, Boolean(options.noLock));

  const actor = await resolveActor(deps);
  const repositoryAnnotations: Record<string, string> = actor ? { [PROVENANCE.publishedBy]: actor } : {};
  const objectMetadata = { sha256: tarball.digest, ...provenanceToMetadata(repositoryAnnotations) };

  let uploaded = false;
  if (plan.tarball !== 'keep') {
    deps.reporter.progress(`Uploading ${tarball.fileName} to ${repository.url} (${env.name})`);
    const written = await repository.put(tarball.fileName, tarball.bytes, {
      ifNoneMatch: plan.tarball === 'create' ? '*' : undefined,
      contentType: 'application/gzip',
      metadata: objectMetadata,
    });
    if (written.kind === 'preconditionFailed') {
      // Another job uploaded the same name between our check and our write.
      existing = await storedObject(repository, tarball.fileName);
      plan = planPublish({ chart: tarball, storedDigest: existing?.digest, listed, force: false });
      if (plan.kind === 'refused') throw versionExists(env.name, where, tarball, plan.existingDigest, plan.reason);
    } else {
      uploaded = true;
    }
    existing = await verifyUpload(repository, tarball, where);
  }

  const annotations = existing?.etag ? { ...repositoryAnnotations, [OBJECT_ETAG_ANNOTATION]: existing.etag } : repositoryAnnotations;
  const entry = chartIndexEntry(tarball.metadata, { digest: tarball.digest, created: deps.now().toISOString(), url: tarball.fileName, annotations });
  const update = await addIndexEntry(
    deps,
    repository,
    entry,
    (listedNow) => {
      const step = planIndexStep(listedNow, tarball.digest);
      if (step === 'replace' && !options.force) throw versionExists(env.name, where, tarball, listedNow!.digest!, 'indexDiffers');
      return step !== 'keep';
    },
    { lock: !options.noLock, deadlineMs: options.deadlineMs, initial: snapshot },
  );
  const forced = plan.kind === 'apply' && plan.outcome === 'replaced';
  const outcome: PublishOutcome = forced ? 'replaced' : uploaded ? 'published' : update.written ? 'repaired' : 'unchanged';
  return {
    env: env.name,
    repository: repository.url,
    chart: tarball.name,
    version: tarball.version,
    digest: tarball.digest,
    key: repository.keyOf(tarball.fileName),
    outcome,
    indexAttempts: update.attempts,
  };
}

/** Reads the object back and compares sha256: what is in the bucket is what we built. */
async function verifyUpload(repository: ChartRepository, tarball: Tarball, where: string): Promise<{ digest: string; etag: string }> {
  const stored = await storedObject(repository, tarball.fileName);
  if (stored?.digest === tarball.digest) return stored;
  throw new ChartctlError(`Uploaded ${where} but reading it back gave sha256 ${stored?.digest ?? '(missing)'} instead of ${tarball.digest}.`, {
    code: 'UPLOAD_CORRUPTED',
    hint: 'The index was not updated. Check the endpoint (proxies that rewrite content, eventual consistency), then publish again with --force.',
  });
}

function versionExists(env: string, where: string, tarball: Tarball, existingDigest: string, reason: 'tarballDiffers' | 'indexDiffers'): ChartctlError {
  const what = reason === 'tarballDiffers' ? `${where} already exists` : `the ${env} index already lists ${tarball.name} ${tarball.version}`;
  return new ChartctlError(
    `${tarball.name} ${tarball.version} is already published to ${env} with different content: ${what} with sha256 ${existingDigest}, the new package has sha256 ${tarball.digest}.`,
    {
      code: 'VERSION_EXISTS',
      hint: 'Versions are immutable: bump the version (--version patch or prerelease), or pass --force to replace it (consumers that pulled the old bytes will not notice the change).',
    },
  );
}
