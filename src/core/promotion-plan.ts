import { findEntry, PROVENANCE, tarballFileName, type ChartIndex, type IndexEntry } from './chart-index.js';
import { compareVersions, isPrerelease, newestVersion } from './chart-version.js';
import type { PromotionRules } from './environment.js';
import { displayUrl, entryObject, type RepositoryLocation } from './index-url.js';

/**
 * What `promote <from> <to>` should do, decided from both indexes alone.
 * Refusals carry a reason the action turns into an error with a hint;
 * "already there with the same bytes" and "nothing newer" are outcomes.
 */
export interface PromotionInput {
  chart: string;
  /** `repository`: where the source's index urls are resolved (a url outside it is refused). */
  from: { name: string; index: ChartIndex | undefined; repository: RepositoryLocation };
  to: { name: string; index: ChartIndex | undefined; rules: PromotionRules };
  /** Literal version; default is the newest in `from` that `to`'s rules allow. */
  version?: string;
}

export type PromotionPlan =
  /**
   * Only when the source entry's url resolves inside the source repository. `targetName` is
   * `<chart>-<version>.tgz`, never taken from the source url, so the target key stays under
   * the target prefix whatever the source index says.
   */
  | { kind: 'promote'; version: string; source: IndexEntry; targetName: string }
  | { kind: 'alreadyPromoted'; version: string; digest: string }
  | { kind: 'upToDate'; newestInSource?: string; newestInTarget?: string }
  | { kind: 'refused'; reason: PromotionRefusal; version?: string; detail: string };

export type PromotionRefusal = 'wrongSource' | 'notInSource' | 'prereleaseNotAllowed' | 'targetDiffers' | 'noDigest' | 'olderThanTarget' | 'urlOutsideRepository' | 'unsafeTargetName';

/** A target object name that is one plain path segment (chart names and versions are not validated by the index). */
function isPlainObjectName(name: string): boolean {
  return !/[\/\\\u0000-\u001f\u007f]/.test(name) && !name.startsWith('.');
}

export function planPromotion(input: PromotionInput): PromotionPlan {
  const { chart, from, to } = input;
  if (to.rules.from && to.rules.from !== from.name) {
    return { kind: 'refused', reason: 'wrongSource', detail: `${to.name} is promoted from ${to.rules.from}, not from ${from.name}` };
  }
  const sourceVersions = (from.index?.entries[chart] ?? []).map((e) => e.version);
  const targetVersions = (to.index?.entries[chart] ?? []).map((e) => e.version);
  const allow = { allowPrerelease: to.rules.allowPrerelease };
  let version = input.version;
  if (version === undefined) {
    version = newestVersion(sourceVersions, allow);
    if (version === undefined) {
      return { kind: 'upToDate', newestInSource: newestVersion(sourceVersions), newestInTarget: newestVersion(targetVersions) };
    }
    const newestTarget = newestVersion(targetVersions);
    if (targetVersions.includes(version) || (newestTarget !== undefined && compareVersions(newestTarget, version) > 0)) {
      const there = findEntry(to.index!, chart, version);
      const sourceEntry = findEntry(from.index!, chart, version)!;
      if (there && there.digest !== sourceEntry.digest) {
        return { kind: 'refused', reason: 'targetDiffers', version, detail: `${to.name} already holds ${chart} ${version} with digest ${there.digest}, but ${from.name} has ${sourceEntry.digest}` };
      }
      return { kind: 'upToDate', newestInSource: version, newestInTarget: newestTarget };
    }
  }
  const source = from.index ? findEntry(from.index, chart, version) : undefined;
  if (!source) {
    return { kind: 'refused', reason: 'notInSource', version, detail: `${chart} ${version} is not in the ${from.name} repository` };
  }
  if (isPrerelease(version) && !to.rules.allowPrerelease) {
    return { kind: 'refused', reason: 'prereleaseNotAllowed', version, detail: `${version} is a prerelease and ${to.name} does not accept prereleases (promotion.allowPrerelease: false)` };
  }
  if (!source.digest) return { kind: 'refused', reason: 'noDigest', version, detail: `the ${from.name} index lists ${chart} ${version} without a digest` };
  const object = entryObject(source, from.repository);
  if (object.kind === 'noUrl') return { kind: 'refused', reason: 'noDigest', version, detail: `the ${from.name} index lists ${chart} ${version} without a url` };
  if (object.kind === 'outside') {
    return { kind: 'refused', reason: 'urlOutsideRepository', version, detail: `the ${from.name} index lists the url of ${chart} ${version} as ${displayUrl(object.url)}, which is not an object of its repository (${object.reason})` };
  }
  const targetName = tarballFileName(chart, version);
  if (!isPlainObjectName(targetName)) {
    return { kind: 'refused', reason: 'unsafeTargetName', version, detail: `${displayUrl(targetName)} (from the chart name and version) is not a plain object name` };
  }
  const existing = to.index ? findEntry(to.index, chart, version) : undefined;
  if (existing) {
    if (existing.digest === source.digest) return { kind: 'alreadyPromoted', version, digest: source.digest };
    return { kind: 'refused', reason: 'targetDiffers', version, detail: `${to.name} already holds ${chart} ${version} with digest ${existing.digest}, but ${from.name} has ${source.digest}` };
  }
  return { kind: 'promote', version, source, targetName };
}

/** The target's index entry: the source entry (same digest, same metadata) at the target's own object name, plus promotion provenance. */
export function promotedEntry(source: IndexEntry, targetName: string, provenance: { from: string; at: Date; by?: string }): IndexEntry {
  const annotations: Record<string, string> = { ...(source.annotations ?? {}) };
  annotations[PROVENANCE.promotedFrom] = provenance.from;
  annotations[PROVENANCE.sourceDigest] = source.digest!;
  annotations[PROVENANCE.promotedAt] = provenance.at.toISOString();
  if (provenance.by) annotations[PROVENANCE.promotedBy] = provenance.by;
  else delete annotations[PROVENANCE.promotedBy];
  return { ...source, urls: [targetName], annotations, created: provenance.at.toISOString() };
}
