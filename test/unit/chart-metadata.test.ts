import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChartMetadata } from '../../src/adapters/chart-directory.js';
import { chartNameProblem, parseChartMetadata, sanitizeString } from '../../src/core/chart-metadata.js';
import { chartFromFiles } from '../../src/core/chart-archive.js';
import { ChartctlError } from '../../src/core/errors.js';

function chartDir(chartYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-meta-'));
  if (chartYaml !== undefined) writeFileSync(join(dir, 'Chart.yaml'), chartYaml);
  return dir;
}

const code = (err: unknown) => (err instanceof ChartctlError ? err.code : String(err));

test('readChartMetadata types Chart.yaml as helm does: plain numbers become Go\'s text (1.10 is "1.1"), empty fields dropped, repository always there', async () => {
  const dir = chartDir('apiVersion: v2\nname: shop\nversion: 1.10.0\nappVersion: 1.10\ndescription: ""\ndependencies:\n  - name: api\n    alias: backend\n    enabled: true\n');
  try {
    const meta = await readChartMetadata(dir);
    assert.equal(meta.appVersion, '1.1', 'helm 3 and 4 read the float 1.1 (test/fixtures/helm-package/typed-scalars)');
    assert.equal(meta.version, '1.10.0');
    assert.equal(meta.description, undefined);
    assert.deepEqual(meta.dependencies, [{ name: 'api', alias: 'backend', enabled: true, repository: '' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readChartMetadata: a missing Chart.yaml is CHART_NOT_FOUND, a broken one CHART_INVALID naming the file', async () => {
  const missing = chartDir();
  const broken = chartDir('apiVersion: v2\nname: [shop\n');
  const noVersion = chartDir('apiVersion: v2\nname: shop\n');
  try {
    await assert.rejects(readChartMetadata(missing, () => 'charts/x/Chart.yaml'), (err) => code(err) === 'CHART_NOT_FOUND' && /charts\/x\/Chart.yaml: no such file/.test((err as Error).message));
    await assert.rejects(readChartMetadata(broken), (err) => code(err) === 'CHART_INVALID' && (err as Error).message.includes(join(broken, 'Chart.yaml')));
    await assert.rejects(readChartMetadata(noVersion), (err) => code(err) === 'CHART_INVALID' && /no version/.test((err as Error).message));
  } finally {
    for (const d of [missing, broken, noVersion]) rmSync(d, { recursive: true, force: true });
  }
});

test('chart names are validated as helm does, wherever Chart.yaml is read: no path separators, ".", "..", or characters helm would strip', async () => {
  const chartYaml = (name: string) => `apiVersion: v2\nname: ${JSON.stringify(name)}\nversion: 1.0.0\n`;
  const refused = ['../../evil', 'a/b', 'evil/', '/abs', '.', '..', 'a\\b', '..\\..\\evil', 'tab\there', 'new\nline', 'nul\u0000', 'bidi\u202egpj.exe', 'zero\u200bwidth'];
  for (const name of refused) {
    assert.throws(
      () => parseChartMetadata(chartYaml(name), 'dev/x.tgz:Chart.yaml'),
      (e: unknown) => code(e) === 'CHART_INVALID' && (e as Error).message.startsWith(`dev/x.tgz:Chart.yaml: Chart.yaml name ${JSON.stringify(name)} `),
      `name ${JSON.stringify(name)} is refused`,
    );
  }
  assert.throws(() => parseChartMetadata(chartYaml(''), 'Chart.yaml'), (e: unknown) => code(e) === 'CHART_INVALID' && /has no name/.test((e as Error).message));
  for (const name of ['my-chart_1.x', 'shop', 'ünïcødé-chart', '日本語', 'UPPER.case', 'with space']) {
    assert.equal(parseChartMetadata(chartYaml(name), 'Chart.yaml').name, name, `name ${JSON.stringify(name)} is accepted (helm accepts it)`);
  }
  // A subchart in charts/ and a chart directory go through the same check.
  const parent = { path: 'Chart.yaml', data: new TextEncoder().encode(chartYaml('shop')) };
  const sub = { path: 'charts/sub/Chart.yaml', data: new TextEncoder().encode(chartYaml('../../../evil')) };
  assert.throws(() => chartFromFiles([parent, sub], 'charts/shop'), (e: unknown) => code(e) === 'CHART_INVALID' && (e as Error).message.startsWith('charts/shop/charts/sub/Chart.yaml: Chart.yaml name "../../../evil"'));
  const dir = chartDir(chartYaml('../evil'));
  try {
    await assert.rejects(readChartMetadata(dir), (e: unknown) => code(e) === 'CHART_INVALID' && /name "\.\.\/evil" contains a path separator/.test((e as Error).message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the printable-ASCII shortcut agrees with the Unicode classes, one character and mixed strings alike', () => {
  // Go's unicode.IsPrint as the Unicode property classes say it; the shortcut must never decide otherwise.
  const printable = (c: string) => /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(c);
  const samples = [...Array.from({ length: 0x100 }, (_, i) => String.fromCharCode(i)), '\u00a0', '\u200b', '\u2028', 'é', '\ufeff'];
  for (const c of samples) {
    for (const text of [c, `shop${c}`, `${c}shop x`]) {
      const expected = [...text].every(printable) ? undefined : 'contains a control, format or whitespace character';
      if (!text.includes('/') && !text.includes('\\') && text !== '.' && text !== '..') assert.equal(chartNameProblem(text), expected, JSON.stringify(text));
      const sanitized = text.replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/g, ' ').replace(/[^\p{L}\p{M}\p{N}\p{P}\p{S} ]/gu, '');
      assert.equal(sanitizeString(text), sanitized, JSON.stringify(text));
    }
  }
});
