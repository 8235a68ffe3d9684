// Repository benchmarks, each against its peer measured in the same run:
//  1. publish one version into a 10,000-entry index vs `helm repo index --merge` (wall, peak memory)
//  2. `chartctl repo reindex` of 10,000 tarballs vs `helm repo index` of the same tarballs
//  3. `chartctl package` vs `helm package`, and whose digest survives touching every file
// Run: npm run build && npm run bench:repository   (BENCH_ENTRIES / BENCH_TARBALLS shrink it)
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startS3Server, S3_SERVER_CREDENTIALS } from '../src/sandbox/s3-server.js';
import { S3ChartRepository, s3Settings } from '../src/adapters/s3-chart-repository.js';
import { parseRepository } from '../src/core/environment-file.js';
import { readChartDirectory } from '../src/adapters/chart-directory.js';
import { archiveMetadata, chartFromFiles, packChart } from '../src/core/chart-archive.js';
import { chartIndexEntry, parseChartIndex, serializeChartIndex, sortedIndex, listEntries } from '../src/core/chart-index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'bin', 'chartctl.js');
const helm4 = join(root, '.tools', 'helm4', 'helm');
const helm3 = join(root, '.tools', 'helm3', 'helm');
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 10_000);
const TARBALLS = Number(process.env.BENCH_TARBALLS ?? 10_000);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Measured {
  wallS: number;
  peakMB: number;
  stdout: string;
  stderr: string;
  status: number;
}

/** One process, timed with GNU time for wall clock and peak RSS (async: the S3 server runs in this process). */
function measure(command: string, args: string[], env: Record<string, string> = {}): Promise<Measured> {
  const hasTime = existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const child = hasTime
    ? spawn('/usr/bin/time', ['-f', 'BENCH_TIME %e %M', command, ...args], { env: { ...process.env, ...env } })
    : spawn(command, args, { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => {
    child.on('close', (status) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const m = /BENCH_TIME ([\d.]+) (\d+)/.exec(stderr);
      resolve({ wallS: wall, peakMB: m ? Number(m[2]) / 1024 : NaN, stdout, stderr: stderr.replace(/BENCH_TIME.*\n?/, ''), status: status ?? -1 });
    });
  });
}

async function must(pending: Promise<Measured>, what: string): Promise<Measured> {
  const m = await pending;
  if (m.status !== 0) throw new Error(`${what} failed (${m.status}):\n${m.stderr}`);
  return m;
}

const fmt = (s: number) => `${s.toFixed(3)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}×`;

function touchAll(dir: string, when: Date): void {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) touchAll(p, when);
    else utimesSync(p, when, when);
  }
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-'));
  const app = join(work, 'app');
  for (const entry of ['charts', 'environments']) cpSync(join(root, entry), join(app, entry), { recursive: true, filter: (src) => !/\/charts\/[^/]+\/charts\/[^/]+\.tgz$/.test(src) });
  for (const file of readdirSync(join(app, 'environments')).filter((f) => f.endsWith('.yaml'))) {
    const p = join(app, 'environments', file);
    writeFileSync(p, readFileSync(p, 'utf8').replace(/url: s3:\/\/acme-charts\//, 'url: s3://acme-charts/bench/'));
  }
  const server = await startS3Server({ directory: join(work, 's3'), buckets: ['acme-charts'] });
  const env = {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: S3_SERVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_SERVER_CREDENTIALS.secretAccessKey,
    XDG_CACHE_HOME: join(work, 'cache'),
    CHARTCTL_ACTOR: 'bench',
  };
  const repository = (name: string) => {
    const config = parseRepository({ url: `s3://acme-charts/bench/${name}` });
    return new S3ChartRepository(config, { ...s3Settings(config, { ...process.env, ...env }), credentials: S3_SERVER_CREDENTIALS }, name);
  };
  const chartctl = (...args: string[]) => measure(process.execPath, [cli, '--cwd', app, '--quiet', ...args], env);
  console.log(`chartctl repository benchmarks (${ENTRIES} index entries, ${TARBALLS} tarballs) — ${new Date().toISOString()}`);

  try {
    // ---- 3. package vs helm package (first: it also builds the dependencies once) ----
    await must(chartctl('package', '--destination', join(work, 'warm')), 'warm-up package');
    const runs = 5;
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push((await must(chartctl('package', '--destination', join(work, 'pkg')), 'chartctl package')).wallS);
      theirs.push((await must(measure(helm4, ['package', join(app, 'charts/shop'), '-d', join(work, 'helmpkg')]), 'helm package')).wallS);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const nodeAlone: number[] = [];
    for (let i = 0; i < runs; i++) nodeAlone.push((await must(measure(process.execPath, ['-e', '0']), 'node -e 0')).wallS);
    const digestOf = (file: string) => sha256(readFileSync(file));
    const beforeTouch = digestOf(join(work, 'pkg', 'shop-1.0.0.tgz'));
    const helm4Before = digestOf(join(work, 'helmpkg', 'shop-1.0.0.tgz'));
    await must(measure(helm3, ['package', join(app, 'charts/shop'), '-d', join(work, 'helm3a')]), 'helm3 package');
    await sleep(1100); // helm 3 stamps entries with the current second
    await must(measure(helm3, ['package', join(app, 'charts/shop'), '-d', join(work, 'helm3b')]), 'helm3 package');
    touchAll(join(app, 'charts'), new Date(Date.now() + 3_600_000));
    await must(chartctl('package', '--destination', join(work, 'pkg2')), 'chartctl package after touch');
    await must(measure(helm4, ['package', join(app, 'charts/shop'), '-d', join(work, 'helmpkg2')]), 'helm package after touch');
    const afterTouch = digestOf(join(work, 'pkg2', 'shop-1.0.0.tgz'));
    const helm4After = digestOf(join(work, 'helmpkg2', 'shop-1.0.0.tgz'));
    const helm3Same = digestOf(join(work, 'helm3a', 'shop-1.0.0.tgz')) === digestOf(join(work, 'helm3b', 'shop-1.0.0.tgz'));
    console.log('\n[package] example umbrella chart (median of 5 runs, process wall time)');
    console.log(`  chartctl package : ${fmt(median(ours))}`);
    console.log(`  helm 4 package   : ${fmt(median(theirs))}`);
    console.log(`  ratio            : ${ratio(median(ours), median(theirs))} (target ≤ 1.5×)`);
    console.log(`  floor: node -e 0 (the runtime starting and exiting) : ${fmt(median(nodeAlone))} → ${ratio(median(nodeAlone), median(theirs))} of helm package`);
    const inProcess: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      packChart(chartFromFiles(readChartDirectory(join(app, 'charts/shop')), 'shop'));
      inProcess.push((performance.now() - t0) / 1000);
    }
    console.log(`  chartctl packaging itself, in process (no Node start-up, no CLI module loading): ${fmt(median(inProcess))} → ${ratio(median(inProcess), median(theirs))} of helm package's process`);
    console.log(`  digest after touching every file: chartctl ${beforeTouch === afterTouch ? 'UNCHANGED' : 'CHANGED'} (${afterTouch.slice(0, 12)}), helm 4 ${helm4Before === helm4After ? 'unchanged' : 'CHANGED'} (${helm4Before.slice(0, 12)} → ${helm4After.slice(0, 12)}), helm 3 two runs in a row: ${helm3Same ? 'same' : 'DIFFERENT'}`);

    // ---- 1. publish into a 10,000-entry index vs helm repo index --merge ----
    const tgz = join(work, 'pkg', 'shop-9.9.9.tgz');
    await must(chartctl('package', '--version', '9.9.9', '--destination', join(work, 'pkg')), 'package 9.9.9');
    const metadata = archiveMetadata(readFileSync(tgz), 'shop');
    const created = new Date('2026-01-01T00:00:00Z');
    const bigIndex = sortedIndex(
      Array.from({ length: ENTRIES }, (_, i) => {
        const version = `0.${Math.floor(i / 1000)}.${i % 1000}`;
        return chartIndexEntry({ ...metadata, version }, { digest: sha256(new TextEncoder().encode(version)), created: new Date(created.getTime() + i * 1000).toISOString(), url: `shop-${version}.tgz`, annotations: { 'chartctl.io/published-by': 'bench' } });
      }),
      created,
    );
    const indexText = serializeChartIndex(bigIndex);
    await repository('dev').put('index.yaml', new TextEncoder().encode(indexText));
    await must(chartctl('repo', 'reindex', 'staging'), 'warm-up (probe cache)');
    const publish = await must(chartctl('publish', 'dev', '--package', tgz, '--output', 'json'), 'chartctl publish');
    const after = await repository('dev').get('index.yaml');
    const count = after.kind === 'found' ? listEntries(parseChartIndex(new TextDecoder().decode(after.body), 'index.yaml')).length : 0;
    const helmDir = join(work, 'helm-merge');
    mkdirSync(helmDir);
    writeFileSync(join(helmDir, 'index-old.yaml'), indexText);
    cpSync(tgz, join(helmDir, 'shop-9.9.9.tgz'));
    const merge = await must(measure(helm4, ['repo', 'index', helmDir, '--merge', join(helmDir, 'index-old.yaml')]), 'helm repo index --merge');
    const helmCount = listEntries(parseChartIndex(readFileSync(join(helmDir, 'index.yaml'), 'utf8'), 'helm index')).length;
    console.log(`\n[publish] one version into an index of ${ENTRIES} entries (${(indexText.length / 1e6).toFixed(1)} MB)`);
    console.log(`  chartctl publish (incl. S3 round trips) : ${fmt(publish.wallS)}, peak ${publish.peakMB.toFixed(0)} MB, index now ${count} entries`);
    console.log(`  helm repo index --merge (local only)    : ${fmt(merge.wallS)}, peak ${merge.peakMB.toFixed(0)} MB, index now ${helmCount} entries`);
    console.log(`  ratio                                   : ${ratio(publish.wallS, merge.wallS)} (target ≤ 0.05×, publish ≤ 1 s, ≤ 250 MB)`);

    // ---- 2. reindex 10,000 tarballs vs helm repo index ----
    const tarDir = join(work, 'tarballs');
    mkdirSync(tarDir);
    const prod = repository('prod');
    const enc = new TextEncoder();
    const started = Date.now();
    const names: string[] = [];
    for (let i = 0; i < TARBALLS; i++) {
      const version = `1.${Math.floor(i / 1000)}.${i % 1000}`;
      const bytes = packChart(
        chartFromFiles(
          [
            { path: 'Chart.yaml', data: enc.encode(`apiVersion: v2\nname: svc\nversion: ${version}\nappVersion: "${i}"\ndescription: benchmark chart ${i}\n`) },
            { path: 'values.yaml', data: enc.encode(`replicas: ${i % 5}\n`) },
            { path: 'templates/cm.yaml', data: enc.encode('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n') },
          ],
          'svc',
        ),
      );
      const name = `svc-${version}.tgz`;
      writeFileSync(join(tarDir, name), bytes);
      names.push(name);
    }
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < names.length) {
          const name = names[next++]!;
          await prod.put(name, readFileSync(join(tarDir, name)));
        }
      }),
    );
    console.log(`\n[reindex] ${TARBALLS} tarballs (generated and uploaded in ${((Date.now() - started) / 1000).toFixed(1)} s, not measured)`);
    const reindex = await must(chartctl('repo', 'reindex', 'prod', '--output', 'json'), 'chartctl repo reindex');
    const warm = await must(chartctl('repo', 'reindex', 'prod', '--output', 'json'), 'chartctl repo reindex (warm)');
    const helmIndex = await must(measure(helm4, ['repo', 'index', tarDir]), 'helm repo index');
    const listStarted = performance.now();
    const listed = (await prod.list()).length;
    const listS = (performance.now() - listStarted) / 1000;
    const reindexed = JSON.parse(reindex.stdout) as { entries: number };
    const warmed = JSON.parse(warm.stdout) as { entries: number; reused: number };
    console.log(`  chartctl repo reindex, cold (no index: downloads and hashes every object over S3) : ${fmt(reindex.wallS)}, peak ${reindex.peakMB.toFixed(0)} MB, ${reindexed.entries} entries → ${ratio(reindex.wallS, helmIndex.wallS)}`);
    console.log(`  chartctl repo reindex, warm (index from the cold run: one listing, ${warmed.reused} unchanged objects by ETag) : ${fmt(warm.wallS)}, peak ${warm.peakMB.toFixed(0)} MB → ${ratio(warm.wallS, helmIndex.wallS)}`);
    console.log(`  helm repo index (local directory, hashes every file)                               : ${fmt(helmIndex.wallS)}, peak ${helmIndex.peakMB.toFixed(0)} MB`);
    console.log(`  floor: listing the ${listed} keys once on this S3 server (in process, what a warm reindex cannot skip) : ${fmt(listS)} → ${ratio(listS, helmIndex.wallS)}`);
    console.log(`  target ≤ 1.0×; a cold rebuild is bound by one S3 GET per tarball (~1 ms of AWS SDK CPU each, plus the server)`);
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
