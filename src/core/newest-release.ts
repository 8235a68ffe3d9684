import { splitChartField } from './release-history.js';

/** The newest revision's facts a diff shows, as `helm history` would give them for that row. */
export interface NewestRevisionFacts {
  revision: number;
  status: string;
  chartName: string;
  chartVersion: string;
}

/** The newest revision's facts and its manifest with hooks, read from one release record. */
export interface NewestWithManifest {
  newest: NewestRevisionFacts;
  manifest: string;
}

const HEADER = 'chartctl-newest';

/**
 * The Go template line `helm get all --template` prints before the manifest: its
 * own first line, fields URL-query-escaped (no space or newline inside one), so
 * no manifest text can pass for it. A release record without chart metadata
 * (helm history prints `MISSING`) leaves the chart fields empty.
 */
export const NEWEST_HEADER_TEMPLATE =
  `${HEADER} {{ .Release.Version }} {{ urlquery .Release.Info.Status }}` +
  ' {{ with .Release.Chart }}{{ with .Metadata }}{{ urlquery .Name }} {{ urlquery .Version }}{{ end }}{{ end }}\n';

/** Splits what helm printed for NEWEST_HEADER_TEMPLATE + the manifest template into the facts and the manifest. */
export function parseNewestWithManifest(stdout: string): NewestWithManifest {
  const end = stdout.indexOf('\n');
  const line = end < 0 ? stdout : stdout.slice(0, end);
  const [tag, revision, status, name, version] = line.split(' ');
  if (tag !== HEADER || !/^\d+$/.test(revision ?? '') || status === undefined) {
    throw new Error(`helm get all printed no release header (${JSON.stringify(line.slice(0, 80))})`);
  }
  const chartName = unescapeQuery(name ?? '');
  const chartVersion = unescapeQuery(version ?? '');
  // helm history's chart column is name-version: split the same way, so the same version comes out.
  const chart = chartName || chartVersion ? splitChartField(`${chartName}-${chartVersion}`) : { name: 'MISSING', version: '' };
  return {
    newest: { revision: Number(revision), status: unescapeQuery(status), chartName: chart.name, chartVersion: chart.version },
    manifest: end < 0 ? '' : stdout.slice(end + 1),
  };
}

/** Go's url.QueryEscape undone. */
function unescapeQuery(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}
