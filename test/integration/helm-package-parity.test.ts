// Differential test: the real helm 3 and helm 4 package real and crafted charts, and chartctl
// must write the same Chart.yaml, Chart.lock and index entry, byte for byte (issue #16).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { archiveFiles, archiveLayout, chartFromFiles, packChart } from '../../src/core/chart-archive.js';
import { chartIndexEntry, parseChartIndex, serializeChartIndex, withEntry } from '../../src/core/chart-index.js';
import { scanIndexText, spliceIndexEntry } from '../../src/core/chart-index-text.js';
import { readChartDirectory } from '../../src/adapters/chart-directory.js';
import { hasSharedCorpus, helmBinaries, projectRoot, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

const fixtures = join(projectRoot, 'test', 'fixtures', 'helm-package');
const decoder = new TextDecoder();
// The files helm re-marshals (or, for apiVersion v1, keeps beside Chart.yaml) at the top of the chart.
const METADATA_FILES = new Set(['Chart.yaml', 'Chart.lock', 'requirements.yaml', 'requirements.lock']);

interface HelmOutput {
  files: Map<string, string>;
  index: string;
}

/** `helm package` then `helm repo index` in a scratch directory: the top chart's metadata files and the index text. */
async function helmPackage(helm: string, chartDir: string): Promise<HelmOutput> {
  const work = mkdtempSync(join(tmpdir(), 'chartctl-helm-package-'));
  try {
    const env = { HOME: work, HELM_CACHE_HOME: join(work, 'cache'), HELM_CONFIG_HOME: join(work, 'config'), HELM_DATA_HOME: join(work, 'data') };
    const packaged = await execa(helm, ['package', chartDir, '-d', join(work, 'out')], { env, extendEnv: false, reject: false });
    assert.equal(packaged.exitCode, 0, String(packaged.stderr));
    const indexed = await execa(helm, ['repo', 'index', join(work, 'out')], { env, extendEnv: false, reject: false });
    assert.equal(indexed.exitCode, 0, String(indexed.stderr));
    const tgz = readdirSync(join(work, 'out')).find((f) => f.endsWith('.tgz'))!;
    const files = new Map<string, string>();
    for (const f of archiveFiles(readFileSync(join(work, 'out', tgz)), tgz)) {
      if (METADATA_FILES.has(f.path)) files.set(f.path, decoder.decode(f.data));
    }
    return { files, index: readFileSync(join(work, 'out', 'index.yaml'), 'utf8') };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** chartctl's metadata files for the chart, and its index for helm's created, digest and generated. */
async function chartctlPackage(chartDir: string, helmIndex: string): Promise<HelmOutput> {
  const chart = chartFromFiles(readChartDirectory(chartDir), chartDir);
  const name = chart.metadata.name as string;
  const files = new Map<string, string>();
  for (const f of archiveLayout(chart)) {
    const path = f.path.slice(name.length + 1);
    if (f.path.startsWith(`${name}/`) && METADATA_FILES.has(path)) files.set(path, decoder.decode(f.data));
  }
  const field = (key: string) => new RegExp(`^ *${key}: "?([^"\\n]+)"?$`, 'm').exec(helmIndex)?.[1] ?? assert.fail(`helm's index has no ${key}`);
  const url = `${name}-${chart.metadata.version as string}.tgz`;
  const entry = chartIndexEntry(chart.metadata, { digest: field('digest'), created: field('created'), url });
  const index = serializeChartIndex({ apiVersion: 'v1', entries: { [name]: [entry] }, generated: field('generated'), extra: {} });
  return { files, index };
}

// Real charts: helm's index of them must also keep the splice's fast path (crafted ones may need the full parse).
const REAL = new Set(['kube-prometheus-stack', 'prometheus', 'podinfo (shared corpus)']);
const charts = ['kube-prometheus-stack', 'prometheus', 'crafted', 'typed-scalars', 'v1-requirements'].map((name) => ({ name, dir: join(fixtures, name), skip: false as string | false }));
charts.push({ name: 'podinfo (shared corpus)', dir: join(sharedCorpus, 'charts', 'podinfo'), skip: hasSharedCorpus ? false : SHARED_SKIP_REASON });

for (const [major, helm] of [
  [3, helmBinaries.helm3],
  [4, helmBinaries.helm4],
] as const) {
  for (const chart of charts) {
    test(`${chart.name}: Chart.yaml, Chart.lock (requirements.* for v1) and the index entry are byte for byte helm ${major}'s`, { skip: chart.skip }, async () => {
      const expected = await helmPackage(helm, chart.dir);
      const actual = await chartctlPackage(chart.dir, expected.index);
      assert.deepEqual([...actual.files.keys()].sort(), [...expected.files.keys()].sort(), 'the same metadata files');
      for (const [path, text] of expected.files) assert.equal(actual.files.get(path), text, `${chart.name}/${path}`);
      assert.equal(actual.index, expected.index, `${chart.name}: index.yaml`);
      if (REAL.has(chart.name)) {
        const index = parseChartIndex(expected.index, 'index.yaml');
        const [name, versions] = Object.entries(index.entries)[0]!;
        const added = { ...versions[0]!, version: '999.0.0', urls: [`${name}-999.0.0.tgz`] };
        const when = new Date('2026-01-02T03:04:05.678Z');
        const scan = scanIndexText(expected.index, name);
        assert.ok(scan, `the splice reads helm's index of ${chart.name}`);
        assert.equal(spliceIndexEntry(scan, added, when), serializeChartIndex(withEntry(index, added, when)));
      }
    });
  }
}

test('the crafted chart still packs reproducibly (same bytes from the same sources)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-repro-'));
  try {
    // A fresh copy has fresh mtimes: they must not reach the archive.
    cpSync(join(fixtures, 'crafted'), dir, { recursive: true });
    assert.ok(existsSync(join(dir, 'Chart.lock')));
    const first = packChart(chartFromFiles(readChartDirectory(join(fixtures, 'crafted')), 'crafted'));
    const second = packChart(chartFromFiles(readChartDirectory(dir), 'crafted'));
    assert.deepEqual(Buffer.from(second), Buffer.from(first));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
