import { cancelled, ChartctlError, ExitCode } from '../core/errors.js';
import { chartIndexEntry, OBJECT_ETAG_ANNOTATION, provenanceToMetadata, type IndexEntry } from '../core/chart-index.js';
import { planPromotion, promotedEntry } from '../core/promotion-plan.js';
import type { Environment } from '../core/environment.js';
import type { ChartRepository } from '../adapters/chart-repository.js';
import type { Deps } from './deps.js';
import { requireDeployedIn } from './steps/deployed-in.js';
import { decideApproval } from '../core/deploy-gates.js';
import { declaredActor } from '../core/actor.js';
import { readChartMetadata } from '../adapters/chart-directory.js';
import { addIndexEntry, chartIndexSnapshot, openRepository, readIndex, requireConditionalWrites, SKIPPED_KEPT, warnSkippedEntries } from './steps/repository-index.js';
import { resolveActorAfterSending } from './steps/resolve-actor.js';
import { sha256 } from '../core/sha256.js';
import { fetchVerifiedTarball, type VerifiedTarball } from './steps/verified-tarball.js';
import { archiveLimitsFrom } from '../core/archive-limits.js';
import { archiveMetadata } from '../core/chart-archive.js';
import { isOciRepository } from '../core/environment.js';
import type { OciRegistry } from '../adapters/oci-registry.js';
import { ociReference, openRegistry, readVerifiedOciChart, readVerifiedOciManifest, type VerifiedOciChart } from './steps/oci-charts.js';
import { newestVersion } from '../core/chart-version.js';
import { OCI_VIEW_LOCATION, ociIndexView, promoteIntoRegistry } from './steps/oci-promotion.js';

export interface PromoteOptions {
  from: string;
  to: string;
  version?: string;
  /** Chart name in the repositories; default: the target environment's chart. */
  chart?: string;
  /** Approval given on the command line. */
  yes?: boolean;
  /** Asked when the target requires approval and --yes was not given; the CLI refuses on a non-TTY. */
  confirm?: (summary: PromotionSummary) => Promise<boolean>;
  dryRun?: boolean;
  noLock?: boolean;
  deadlineMs?: number;
}

export interface PromotionSummary {
  chart: string;
  version: string;
  digest: string;
  from: string;
  to: string;
  /** How the bytes travel: server-side copy within one S3 endpoint, blob mount within one registry, else download and upload. */
  transfer: 'server-side copy' | 'blob mount' | 'stream';
}

export type PromoteResult =
  | ({ kind: 'promoted' | 'wouldPromote' | 'repaired'; key: string } & PromotionSummary)
  | { kind: 'alreadyPromoted'; chart: string; version: string; digest: string; from: string; to: string }
  | { kind: 'upToDate'; chart: string; from: string; to: string; newestInSource?: string; newestInTarget?: string };

async function chartName(deps: Deps, env: Environment, explicit: string | undefined, sourceCharts: string[]): Promise<string> {
  if (explicit) return explicit;
  try {
    return (await readChartMetadata(deps.repo.path(env.chart), (p) => deps.repo.display(p))).name as string;
  } catch {
    // A CD job may run without the chart sources: fall back to the only chart in the source repository.
    if (sourceCharts.length === 1) return sourceCharts[0]!;
    throw new ChartctlError(`Cannot tell which chart to promote: ${env.chart}/Chart.yaml is not readable and the source repository holds ${sourceCharts.length} charts.`, {
      code: 'CHART_AMBIGUOUS',
      hint: 'Pass --chart NAME.',
    });
  }
}

export async function promote(deps: Deps, options: PromoteOptions): Promise<PromoteResult> {
  const [fromEnv, toEnv] = await Promise.all([deps.repo.loadEnvironment(options.from), deps.repo.loadEnvironment(options.to)]);
  if (fromEnv.name === toEnv.name) {
    throw new ChartctlError(`Cannot promote ${fromEnv.name} to itself.`, { code: 'PROMOTE_INVALID', hint: 'Name two different environments: chartctl promote <from> <to>.' });
  }
  // Each side is an S3 repository (index.yaml) or an OCI registry (its tags read as an index).
  const fromRegistry = isOciRepository(fromEnv.repository) ? openRegistry(deps, { ...fromEnv, repository: fromEnv.repository }) : undefined;
  const toRegistry = isOciRepository(toEnv.repository) ? openRegistry(deps, { ...toEnv, repository: toEnv.repository }) : undefined;
  const source = fromRegistry ? undefined : openRepository(deps, fromEnv);
  const target = toRegistry ? undefined : openRepository(deps, toEnv);
  const [fromIndex, toIndex] = await Promise.all([source && readIndex(source), target && readIndex(target)]);
  if (source) warnSkippedEntries(deps, source, fromIndex!.index, 'it is not listed, so it cannot be promoted');
  if (target) warnSkippedEntries(deps, target, toIndex!.index, SKIPPED_KEPT);
  const chart = await chartName(deps, toEnv, options.chart, Object.keys(fromIndex?.index?.entries ?? {}));
  // The version the plan will look at (the one asked for, or the newest the target accepts): only its manifests are read.
  const pick = (versions: string[]) => options.version ?? newestVersion(versions, { allowPrerelease: toEnv.promotion.allowPrerelease });
  // A version named on the command line is read from both registries at once, with their tag lists.
  const fromViewing = fromRegistry && ociIndexView(fromRegistry, chart, deps.now(), pick, options.version);
  const toViewing = toRegistry && options.version !== undefined ? ociIndexView(toRegistry, chart, deps.now(), pick, options.version) : undefined;
  toViewing?.catch(() => undefined);
  // The provenance entry needs the actor: git is asked while the registries answer.
  const actorLookup = options.dryRun ? undefined : resolveActorAfterSending(deps);
  const fromOciView = await fromViewing;
  const fromView = fromOciView ? fromOciView.index : fromIndex!.index;
  const chosen = pick((fromView?.entries[chart] ?? []).map((e) => e.version));
  const toView = toRegistry ? (await (toViewing ?? ociIndexView(toRegistry, chart, deps.now(), () => chosen, chosen))).index : toIndex!.index;
  const plan = planPromotion({
    chart,
    from: { name: fromEnv.name, index: fromView, repository: source ?? OCI_VIEW_LOCATION },
    to: { name: toEnv.name, index: toView, rules: toEnv.promotion },
    version: options.version,
  });
  const base = { chart, from: fromEnv.name, to: toEnv.name };
  if (plan.kind === 'upToDate') return { kind: 'upToDate', ...base, newestInSource: plan.newestInSource, newestInTarget: plan.newestInTarget };
  if (plan.kind === 'alreadyPromoted') return { kind: 'alreadyPromoted', ...base, version: plan.version, digest: plan.digest };
  if (plan.kind === 'refused') throw refusal(plan.reason, plan.detail, fromEnv, toEnv);
  // The plan judged what the source index (or tags) says; these are the bytes it says it about. Only a tarball
  // whose sha256 and own Chart.yaml name and version match goes on (so every rule above held
  // for the chart inside it too), and nothing is written before.
  const limits = archiveLimitsFrom(deps.env);
  const listed = { name: chart, version: plan.version };
  // Within one registry the chart layer is mounted and never leaves it: the manifest and config are verified here,
  // the tarball by whoever reads it (deploy, diff, repo verify). Everything else is read and verified in full first.
  const mounting = Boolean(fromRegistry && toRegistry && fromRegistry.registry === toRegistry.registry);
  // The source manifest is the one the view read for this version (its digest checked then), not asked for again.
  const sourceManifest = chosen === plan.version ? fromOciView?.detailed : undefined;
  const fromOciReading = fromRegistry && (mounting ? readVerifiedOciManifest(fromRegistry, fromEnv.name, listed, limits, sourceManifest) : readVerifiedOciChart(fromRegistry, fromEnv.name, listed, limits, sourceManifest));
  const verifiedReading = fromOciReading ? undefined : fetchVerifiedTarball(source!, fromEnv.name, plan.source, listed, limits);
  verifiedReading?.catch(() => undefined);
  const fromOci = await fromOciReading;
  if (fromRegistry && !fromOci) throw refusal('notInSource', `${chart} ${plan.version} is no longer tagged in the ${fromEnv.name} registry`, fromEnv, toEnv);
  const fromBytes = fromOci && 'tarball' in fromOci ? (fromOci as VerifiedOciChart).tarball : undefined;
  const verified: VerifiedTarball | undefined = fromOci
    ? fromBytes && { name: plan.targetName, body: fromBytes, digest: fromOci.digest }
    : await verifiedReading!;
  if ((verified?.digest ?? fromOci?.digest) !== plan.source.digest) throw refusal('targetDiffers', `the ${fromEnv.name} tag of ${chart} ${plan.version} changed while it was read`, fromEnv, toEnv);
  const readVerified = async () => (await readVerifiedOciChart(fromRegistry!, fromEnv.name, listed, limits))!.tarball;

  const summary: PromotionSummary = {
    ...base,
    version: plan.version,
    digest: plan.source.digest!,
    transfer: transferOf(source, target, fromRegistry, toRegistry),
  };
  const key = target ? target.keyOf(plan.targetName) : ociReference(toRegistry!, chart, plan.version);
  if (options.dryRun) return { kind: 'wouldPromote', key, ...summary };
  if (toEnv.promotion.requireDeployedIn) {
    await requireDeployedIn(deps, toEnv, { chartName: chart, version: plan.version, digest: plan.source.digest ? `sha256:${plan.source.digest}` : undefined });
  }
  // The same approval rule as deploy: a terminal is asked; a machine passes --yes, and in CI names the approver.
  const approval = decideApproval({
    required: toEnv.promotion.requireApproval,
    yes: Boolean(options.yes),
    interactive: Boolean(options.confirm),
    actor: declaredActor(deps.env),
    ci: Boolean(deps.env.CI),
  });
  if (approval.kind === 'ask' && !(await options.confirm!(summary))) throw cancelled(`Promotion of ${chart} ${plan.version} to ${toEnv.name} cancelled; nothing was copied.`);
  if (approval.kind === 'refused') {
    throw new ChartctlError(`Promotion of ${chart} ${plan.version} to ${toEnv.name} needs approval and was not approved: ${approval.reason}.`, {
      code: 'APPROVAL_REQUIRED',
      hint: `${toEnv.name} sets promotion.requireApproval: pass --yes (with CHARTCTL_ACTOR in CI, e.g. from a CD job with a manual gate), or run it in a terminal and confirm.`,
    });
  }
  const actor = await actorLookup;
  // An OCI source has no index entry: the S3 target's entry is made from the verified chart, as publish makes it.
  const sourceEntry = fromOci && verified
    ? chartIndexEntry(archiveMetadata(verified.body, key, limits), { digest: fromOci.digest, created: plan.source.created ?? deps.now().toISOString(), url: plan.targetName, annotations: plan.source.annotations ?? {} })
    : plan.source;
  const entry = promotedEntry({ ...sourceEntry, name: chart }, plan.targetName, { from: fromEnv.name, at: deps.now(), by: actor });
  if (toRegistry) {
    deps.reporter.progress(`Promoting ${chart} ${plan.version} from ${fromEnv.name} to ${toEnv.name} (${summary.transfer})`);
    await promoteIntoRegistry({
      target: toRegistry,
      source: fromRegistry && fromOci ? { registry: fromRegistry, chart: fromOci } : undefined,
      chart,
      version: plan.version,
      tarball: verified ? verified.body : readVerified,
      metadata: verified ? archiveMetadata(verified.body, key, limits) : {},
      provenance: entry.annotations ?? {},
      at: deps.now(),
    });
    return { kind: 'promoted', key, ...summary };
  }
  await requireConditionalWrites(deps, target!, toEnv, Boolean(options.noLock));
  deps.reporter.progress(`Promoting ${chart} ${plan.version} from ${fromEnv.name} to ${toEnv.name} (${summary.transfer})`);
  const copied = await copyTarball(source, target!, verified!, plan.targetName, entry, fromEnv, toEnv);
  entry.annotations = { ...entry.annotations, [OBJECT_ETAG_ANNOTATION]: copied.etag };

  await addIndexEntry(
    deps,
    target!,
    entry,
    (listed) => {
      if (listed?.digest === entry.digest) return false;
      if (listed) throw refusal('targetDiffers', `${toEnv.name} already lists ${chart} ${plan.version} with digest ${listed.digest}`, fromEnv, toEnv);
      return true;
    },
    { lock: !options.noLock, deadlineMs: options.deadlineMs, initial: chartIndexSnapshot(target!, entry.name, toIndex!) },
  );
  return { kind: copied.written ? 'promoted' : 'repaired', key, ...summary };
}

/**
 * Puts the verified source bytes under the target name, never over different
 * bytes (If-None-Match: *), and checks the sha256 of what landed. Within one
 * endpoint the object is copied server-side (no upload); the landed check then
 * also catches a source replaced since it was verified. `written` is false when
 * the target already had the identical object (an earlier, interrupted promotion).
 */
async function copyTarball(source: ChartRepository | undefined, target: ChartRepository, verified: VerifiedTarball, targetName: string, entry: IndexEntry, fromEnv: Environment, toEnv: Environment): Promise<{ written: boolean; etag: string }> {
  const metadata = { sha256: entry.digest!, ...provenanceToMetadata(entry.annotations) };
  const targetKey = `s3://${target.bucket}/${target.keyOf(targetName)}`;
  const options = { ifNoneMatch: '*', metadata, contentType: 'application/gzip' } as const;
  const result = source && source.copyScope === target.copyScope ? await target.copyFrom(source, verified.name, targetName, options) : await target.put(targetName, verified.body, options);
  const landed = await target.get(targetName);
  const digest = landed.kind === 'found' ? sha256(landed.body) : undefined;
  if (digest === entry.digest && landed.kind === 'found') return { written: result.kind === 'written', etag: landed.etag };
  if (result.kind === 'preconditionFailed') {
    throw refusal('targetDiffers', `${targetKey} already exists with sha256 ${digest}, but ${fromEnv.name} has ${entry.digest}`, fromEnv, toEnv);
  }
  // We created this object and it is wrong: the source object changed after it was verified. Remove what we wrote.
  await target.delete(targetName).catch(() => undefined);
  throw sourceMismatch(fromEnv, source, verified.name, digest ?? '(missing)', entry.digest!);
}

function transferOf(source: ChartRepository | undefined, target: ChartRepository | undefined, fromRegistry: OciRegistry | undefined, toRegistry: OciRegistry | undefined): PromotionSummary['transfer'] {
  if (source && target && source.copyScope === target.copyScope) return 'server-side copy';
  if (fromRegistry && toRegistry && fromRegistry.registry === toRegistry.registry) return 'blob mount';
  return 'stream';
}

function sourceMismatch(fromEnv: Environment, source: ChartRepository | undefined, name: string, actual: string, listed: string): ChartctlError {
  const where = source ? `s3://${source.bucket}/${source.keyOf(name)}` : `The promoted copy of ${name}`;
  return new ChartctlError(`${where} has sha256 ${actual}, but the ${fromEnv.name} index lists ${listed}.`, {
    code: 'DIGEST_MISMATCH',
    hint: `Nothing was promoted. Run "chartctl repo verify ${fromEnv.name}" and republish the version to ${fromEnv.name}.`,
  });
}

function refusal(reason: string, detail: string, fromEnv: Environment, toEnv: Environment): ChartctlError {
  const hints: Record<string, { code: string; hint: string; exitCode?: number }> = {
    wrongSource: { code: 'PROMOTE_WRONG_SOURCE', hint: `Promote into ${toEnv.name} from ${toEnv.promotion.from} (promotion.from in ${toEnv.file}).` },
    notInSource: { code: 'VERSION_NOT_FOUND', hint: `List what ${fromEnv.name} has with "chartctl repo list ${fromEnv.name}".`, exitCode: ExitCode.noMatch },
    prereleaseNotAllowed: { code: 'PRERELEASE_NOT_ALLOWED', hint: `Promote a release version (without -suffix), or set promotion.allowPrerelease: true in ${toEnv.file}.` },
    targetDiffers: { code: 'TARGET_DIFFERS', hint: `Versions are immutable: inspect both with "chartctl repo list", then publish a new version instead.` },
    noDigest: { code: 'INDEX_INCOMPLETE', hint: `Run "chartctl repo reindex ${fromEnv.name}" to rebuild its entries from the tarballs.` },
    urlOutsideRepository: {
      code: 'INDEX_URL_OUTSIDE_REPOSITORY',
      hint: `Nothing was copied. Someone who can write to the ${fromEnv.name} repository pointed this entry elsewhere: inspect its index.yaml, then run "chartctl repo reindex ${fromEnv.name}".`,
    },
    unsafeTargetName: { code: 'CHART_NAME_INVALID', hint: `Nothing was copied. Inspect the ${fromEnv.name} index: chart names and versions must be plain names.` },
  };
  const h = hints[reason] ?? { code: 'PROMOTE_REFUSED', hint: 'See the message above.' };
  return new ChartctlError(`Cannot promote from ${fromEnv.name} to ${toEnv.name}: ${detail}.`, { code: h.code, hint: h.hint, exitCode: h.exitCode });
}
