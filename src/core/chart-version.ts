import semver, { type SemVer } from 'semver';
import { ChartctlError } from './errors.js';

/** `--version` keywords; anything else must be a literal semantic version. */
export const BUMP_KEYWORDS = ['patch', 'minor', 'major', 'prerelease'] as const;
export type BumpKeyword = (typeof BUMP_KEYWORDS)[number];

export function isBumpKeyword(text: string): text is BumpKeyword {
  return (BUMP_KEYWORDS as readonly string[]).includes(text);
}

export interface PrereleaseContext {
  /** Identifier of the prerelease channel, e.g. `dev`. */
  id: string;
  /** A number that only grows on a branch (chartctl uses the git commit count), so builds sort in order. */
  counter: number;
  /** Short commit id; becomes build metadata `+g<commit>` like `git describe`. */
  commit?: string;
}

/** Helm's own rule (strict semver 2, optional leading v is not allowed in Chart.yaml). */
export function isValidChartVersion(version: string): boolean {
  // semver.valid() drops build metadata (+g1a2b3c4), so compare against the parsed parts.
  const parsed = semver.parse(version, { loose: false });
  return parsed !== null && version === `${parsed.version}${parsed.build.length ? `+${parsed.build.join('.')}` : ''}`;
}

export function assertChartVersion(version: string, where: string): string {
  if (!isValidChartVersion(version)) {
    throw new ChartctlError(`${where}: "${version}" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]).`, {
      code: 'VERSION_INVALID',
      hint: 'Use a version such as 1.4.0 or 1.4.0-dev.7, or one of the keywords patch, minor, major, prerelease.',
    });
  }
  return version;
}

/**
 * The version to package: the chart's own version, a literal, or a bump of the
 * chart's version. `prerelease` keeps the chart's base version and appends
 * `-<id>.<counter>+g<commit>` (e.g. 1.4.0 → 1.4.0-dev.7+g1a2b3c4): the chart's
 * version names the release being prepared, and dev builds lead up to it.
 */
export function resolveChartVersion(current: string, requested: string | undefined, prerelease?: PrereleaseContext): string {
  assertChartVersion(current, 'Chart.yaml version');
  if (requested === undefined || requested === '') return current;
  if (!isBumpKeyword(requested)) return assertChartVersion(requested.replace(/^v(?=\d)/, ''), '--version');
  if (requested === 'prerelease') {
    const ctx = prerelease ?? { id: 'dev', counter: 0 };
    if (!/^[0-9A-Za-z-]+$/.test(ctx.id) || /^\d+$/.test(ctx.id)) {
      throw new ChartctlError(`Prerelease identifier "${ctx.id}" is not valid: use letters, digits and hyphens, not only digits.`, {
        code: 'VERSION_INVALID',
        hint: 'Pass a name such as --preid dev or --preid rc.',
      });
    }
    const parsed = semver.parse(current)!;
    const base = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
    const build = ctx.commit ? `+g${ctx.commit.slice(0, 7)}` : '';
    return `${base}-${ctx.id}.${ctx.counter}${build}`;
  }
  return semver.inc(current, requested)!;
}

export function isPrerelease(version: string): boolean {
  return (semver.prerelease(version)?.length ?? 0) > 0;
}

/** Semver order (build metadata ignored, as helm sorts it), ties broken by the text so sorting is total. */
export function compareVersions(a: string, b: string): number {
  return compareParsed(a, semver.parse(a), b, semver.parse(b));
}

function compareParsed(a: string, pa: SemVer | null, b: string, pb: SemVer | null): number {
  if (pa && pb) {
    const c = pa.compare(pb);
    if (c !== 0) return c;
  } else if (pa || pb) {
    return pa ? 1 : -1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Where `version` goes in a newest-first list (helm's SortEntries order): before
 * the first older version, after equal ones; undefined when the list is not
 * newest first. Both ways of adding an index entry (withEntry and the in-place
 * text splice) use it, so they agree on the position. Parses each version once:
 * a chart can have 10,000 versions.
 */
export function newestFirstPosition(versions: readonly string[], version: string): number | undefined {
  const parsed = versions.map((v) => semver.parse(v));
  for (let i = 1; i < versions.length; i++) {
    if (compareParsed(versions[i - 1]!, parsed[i - 1]!, versions[i]!, parsed[i]!) < 0) return undefined;
  }
  const own = semver.parse(version);
  const at = versions.findIndex((v, i) => compareParsed(v, parsed[i]!, version, own) < 0);
  return at < 0 ? versions.length : at;
}

export interface VersionRules {
  allowPrerelease: boolean;
}

export function versionAllowed(version: string, rules: VersionRules): boolean {
  return rules.allowPrerelease || !isPrerelease(version);
}

/** Newest version that the rules allow, or undefined. */
export function newestVersion(versions: Iterable<string>, rules: VersionRules = { allowPrerelease: true }): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (!versionAllowed(v, rules)) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}
