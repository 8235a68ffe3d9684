import { createRequire } from 'node:module';
import type SemVerClass from 'semver/classes/semver.js';

/**
 * chart-metadata reaches this module at every template and package, which sort no index: the class is loaded on the
 * first sort (loading it builds semver's regular expressions, ~1 ms), and alone, not the package's index (every range
 * and comparator).
 */
let semverClass: typeof SemVerClass | undefined;

/**
 * What helm accepts of an index entry when it loads index.yaml (repo.loadIndex):
 * each entry's chart metadata must pass chart.Metadata.Validate, except for
 * duplicate dependency names (JFrog strips aliases, helm#12748); an entry that
 * fails is skipped with a warning and the rest of the index is used.
 */

/** Masterminds/semver v3 (helm's parser): optional `v`, MINOR and PATCH optional, no leading zeros. */
const HELM_SEMVER =
  /^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** Masterminds refuses longer version strings outright. */
const MAX_VERSION_LENGTH = 256;
/** chart.Dependency's aliasNameFormat. */
const ALIAS = /^[a-zA-Z0-9_-]+$/;

/** The version as helm reads it, in node-semver's strict form (`v1.2` → `1.2.0`), or undefined when helm refuses it. */
export function helmSemver(version: string): string | undefined {
  if (version.length > MAX_VERSION_LENGTH) return undefined;
  const m = HELM_SEMVER.exec(version);
  if (!m) return undefined;
  return `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ? `-${m[4]}` : ''}`;
}

/**
 * Newest first, as helm's IndexFile.SortEntries orders a chart's versions
 * (build metadata ignored; versions helm cannot parse last). Equal versions
 * keep their order in the index.
 */
export function sortNewestFirstAsHelm<T extends { version: string }>(versions: readonly T[]): T[] {
  const SemVer = (semverClass ??= createRequire(import.meta.url)('semver/classes/semver.js') as typeof SemVerClass);
  // Parsed once per entry, not per comparison: a 10,000-version chart is sorted on every listing.
  const keyed = versions.map((v) => {
    const parsed = helmSemver(v.version);
    return { v, parsed: parsed === undefined ? undefined : new SemVer(parsed) };
  });
  keyed.sort((a, b) => {
    if (a.parsed === undefined || b.parsed === undefined) return (a.parsed === undefined ? 1 : 0) - (b.parsed === undefined ? 1 : 0);
    return b.parsed.compare(a.parsed);
  });
  return keyed.map((k) => k.v);
}

/** helm's sanitizeString: whitespace becomes a space, other non-printable characters are removed. */
function sanitize(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value)
    .replace(/\s/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/gu, '');
}

/**
 * Why helm skips this entry when loading the index (its own wording), or
 * undefined when helm keeps it. `entry` is the value as parsed from YAML.
 */
export function helmSkipReason(entry: unknown): string | undefined {
  if (entry === null || entry === undefined) return 'empty entry';
  if (typeof entry !== 'object' || Array.isArray(entry)) return 'the entry is not a mapping';
  const md = entry as Record<string, unknown>;
  const name = sanitize(md.name);
  if (name === '') return 'chart.metadata.name is required';
  if (name === '.' || name === '..') return `chart.metadata.name ${JSON.stringify(name)} is not allowed`;
  if (name.includes('/')) return `chart.metadata.name ${JSON.stringify(name)} is invalid`;
  const version = md.version === undefined || md.version === null ? '' : String(md.version);
  if (version === '') return 'chart.metadata.version is required';
  if (helmSemver(version) === undefined) return `chart.metadata.version ${JSON.stringify(version)} is invalid`;
  const type = md.type === undefined || md.type === null ? '' : String(md.type);
  if (type !== '' && type !== 'application' && type !== 'library') return 'chart.metadata.type must be application or library';
  if (Array.isArray(md.maintainers) && md.maintainers.some((m) => m === null)) return 'maintainers must not contain empty or null nodes';
  if (Array.isArray(md.dependencies)) {
    for (const d of md.dependencies as unknown[]) {
      if (d === null || typeof d !== 'object') return 'dependencies must not contain empty or null nodes';
      const { alias, name: dependency } = d as Record<string, unknown>;
      if (alias !== undefined && alias !== null && alias !== '' && !ALIAS.test(String(alias))) {
        return `dependency ${JSON.stringify(sanitize(dependency))} has disallowed characters in the alias`;
      }
    }
  }
  return undefined;
}
