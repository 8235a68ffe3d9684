import { createRequire } from 'node:module';
import type { SemVer } from 'semver';
import type gtFunction from 'semver/functions/gt.js';
import type gteFunction from 'semver/functions/gte.js';
import type incFunction from 'semver/functions/inc.js';
import type parseFunction from 'semver/functions/parse.js';
import type prereleaseFunction from 'semver/functions/prerelease.js';
import { ChartctlError } from './errors.js';

/**
 * semver's functions, each loaded on its first call: loading semver builds its ~80 regular expressions (~1 ms of
 * start-up), while package and template only check a Chart.yaml's version, which isValidChartVersion does alone.
 * Each alone, not the package's index: that builds every range and comparator class, ~5 ms more.
 */
function onFirstCall<F extends (...args: never[]) => unknown>(load: () => F): F {
  let loaded: F | undefined;
  return ((...args: Parameters<F>) => (loaded ??= load())(...args)) as F;
}
const gt = onFirstCall((): typeof gtFunction => createRequire(import.meta.url)('semver/functions/gt.js'));
const gte = onFirstCall((): typeof gteFunction => createRequire(import.meta.url)('semver/functions/gte.js'));
const inc = onFirstCall((): typeof incFunction => createRequire(import.meta.url)('semver/functions/inc.js'));
const parse = onFirstCall((): typeof parseFunction => createRequire(import.meta.url)('semver/functions/parse.js'));
const prerelease = onFirstCall((): typeof prereleaseFunction => createRequire(import.meta.url)('semver/functions/prerelease.js'));

/** `--version` keywords; anything else must be a literal semantic version. */
export const BUMP_KEYWORDS = ['patch', 'minor', 'major', 'prerelease'] as const;
export type BumpKeyword = (typeof BUMP_KEYWORDS)[number];

export function isBumpKeyword(text: string): text is BumpKeyword {
  return (BUMP_KEYWORDS as readonly string[]).includes(text);
}

export interface PrereleaseContext {
  /** Identifier of the prerelease channel, e.g. `dev`. */
  id: string;
  /** A number that only grows on a branch (publish uses the git commit count): the build number is at least this. */
  counter?: number;
  /** Short commit id; becomes build metadata `+g<commit>` like `git describe`. */
  commit?: string;
  /** Versions of the chart the repository already holds (the one published to, or the first environment's). */
  published?: readonly string[];
}

/**
 * semver's strict pattern (its FULL regular expression) without the leading `v` Chart.yaml may not have:
 * MAJOR.MINOR.PATCH, then -PRERELEASE and +BUILD, no leading zeros in numbers.
 */
const STRICT_SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\d*)(?:\.(?:\d*[a-zA-Z-][a-zA-Z0-9-]*|0|[1-9]\d*))*))?(?:\+([a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*))?$/;
/** semver refuses longer version strings. */
const MAX_VERSION_LENGTH = 256;

/**
 * Helm's own rule (strict semver 2, optional leading v is not allowed in Chart.yaml): what semver's strict parse
 * accepts and writes back unchanged, build metadata included (test/unit/chart-version.test.ts compares them).
 */
export function isValidChartVersion(version: string): boolean {
  if (version.length > MAX_VERSION_LENGTH) return false;
  const m = STRICT_SEMVER.exec(version);
  return m !== null && [m[1], m[2], m[3]].every((n) => Number(n) <= Number.MAX_SAFE_INTEGER);
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
 * chart's version (`prerelease`: see nextPrerelease).
 */
export function resolveChartVersion(current: string, requested: string | undefined, prerelease?: PrereleaseContext): string {
  assertChartVersion(current, 'Chart.yaml version');
  if (requested === undefined || requested === '') return current;
  if (!isBumpKeyword(requested)) return assertChartVersion(requested.replace(/^v(?=\d)/, ''), '--version');
  if (requested === 'prerelease') return nextPrerelease(current, prerelease ?? { id: 'dev' });
  return inc(current, requested)!;
}

/**
 * The one prerelease scheme, for `publish --version prerelease` and `bump prerelease`
 * alike: `<base>-<id>.<n>[+g<commit>]`, always above every release the repository
 * holds, so diff, deploy and watch (which take the newest version) pick it.
 *
 * - base: the release the build leads up to. Chart.yaml's version is the last
 *   release (`0.2.1` → `0.2.2`, as `npm version prerelease`), or, when it is a
 *   prerelease itself, the release it names (`1.5.0-rc.1` → `1.5.0`). Raised to the
 *   patch after the newest release the repository holds when that is not below it
 *   (`0.2.1` published → `0.2.2-dev.N`, whatever Chart.yaml says), and to the base of a
 *   later prerelease there (another branch's `0.3.0-dev.4`), so the build is the
 *   newest version in the repository.
 * - n: one more than the highest `<base>-<id>.<n>` in the repository or in
 *   Chart.yaml, and at least `counter` (publish's git commit count); 0 when none.
 *   When another channel of that base sorts above it (`0.2.2-rc.5` over `0.2.2-dev.0`),
 *   the base moves to the next patch.
 */
export function nextPrerelease(current: string, ctx: PrereleaseContext): string {
  if (!/^[0-9A-Za-z-]+$/.test(ctx.id) || /^\d+$/.test(ctx.id)) {
    throw new ChartctlError(`Prerelease identifier "${ctx.id}" is not valid: use letters, digits and hyphens, not only digits.`, {
      code: 'VERSION_INVALID',
      hint: 'Pass a name such as --preid dev or --preid rc.',
    });
  }
  const own = parse(current);
  if (!own) assertChartVersion(current, 'Chart.yaml version');
  const published = (ctx.published ?? []).map((v) => parse(v)).filter((v): v is SemVer => v !== null);
  const baseOf = (v: SemVer) => `${v.major}.${v.minor}.${v.patch}`;
  let base = own!.prerelease.length > 0 ? baseOf(own!) : inc(own!, 'patch')!;
  const newestRelease = published.filter((v) => v.prerelease.length === 0).sort((a, b) => b.compare(a))[0];
  if (newestRelease && gte(newestRelease, base)) base = inc(newestRelease, 'patch')!;
  for (const v of published) if (v.prerelease.length > 0 && gt(baseOf(v), base)) base = baseOf(v);
  const buildNumber = (v: SemVer, of: string) => (baseOf(v) === of && v.prerelease.length === 2 && v.prerelease[0] === ctx.id && typeof v.prerelease[1] === 'number' ? v.prerelease[1] : -1);
  const numbered = (of: string) => Math.max(Math.max(-1, ...[own!, ...published].map((v) => buildNumber(v, of))) + 1, ctx.counter ?? 0);
  let n = numbered(base);
  // Another channel of the same base can sort above this one (`rc` > `dev`): the next patch is then the base.
  while (published.some((v) => v.compare(`${base}-${ctx.id}.${n}`) >= 0)) {
    base = inc(base, 'patch')!;
    n = numbered(base);
  }
  return `${base}-${ctx.id}.${n}${ctx.commit ? `+g${ctx.commit.slice(0, 7)}` : ''}`;
}

export function isPrerelease(version: string): boolean {
  return (prerelease(version)?.length ?? 0) > 0;
}

/** Semver order (build metadata ignored, as helm sorts it), ties broken by the text so sorting is total. */
export function compareVersions(a: string, b: string): number {
  return compareParsed(a, parse(a), b, parse(b));
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
  const parsed = versions.map((v) => parse(v));
  for (let i = 1; i < versions.length; i++) {
    if (compareParsed(versions[i - 1]!, parsed[i - 1]!, versions[i]!, parsed[i]!) < 0) return undefined;
  }
  const own = parse(version);
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
