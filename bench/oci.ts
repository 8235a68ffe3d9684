/**
 * OCI registry figures, each against its peer and its physical floor, measured in the same
 * rounds on the same real distribution registry (loopback):
 *  1. chartctl publish --package X vs helm push X (same tarballs, both including start-up; target ≤ 1.5×);
 *  2. chartctl promote of a 5 MB chart within one registry (blob mount) vs the same promote
 *     to another registry (download + upload: chartctl's own streaming path, the same bytes
 *     pulled from one registry and pushed to the other, verified as a promote must); target ≤ 0.3×.
 * The floor of each (bench/oci-floor.ts) is a minimal Node client making exactly the requests
 * chartctl must make, each phase's independent ones at once: Node's start-up plus the
 * registry's own latency. `node -e 0` alone is printed beside it (the start-up share), and
 * chartctl's own start-up (`chartctl --version`), which is not a floor, to split its excess.
 * NODE_EXTRA_CA_CERTS is left out of the timed processes' environment, its cost per Node start printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { cliPath, copyExampleApp, helmBinaries } from '../test/support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry } from '../test/support/oci-registry.js';
import { archiveMetadata } from '../src/core/chart-archive.js';
import { helmConfigJson } from '../src/core/oci-manifest.js';
import { compare, median, report } from './support.js';

if (!hasRegistry) {
  console.log(`bench:oci skipped: ${REGISTRY_SKIP_REASON}`);
  process.exit(0);
}
const runs = Number(process.env.BENCH_RUNS ?? 5);
const [near, far] = await Promise.all([startTestRegistry(), startTestRegistry()]);
const app = copyExampleApp();
const home = mkdtempSync(join(tmpdir(), 'chartctl-bench-oci-'));
const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CHARTCTL_HELM: helmBinaries.helm4, SOPS_AGE_KEY_FILE: join(app.dir, 'examples', 'demo-age-key.txt'), NO_COLOR: '1' };
// Every Node process reads and parses NODE_EXTRA_CA_CERTS when it starts, before any code of its own, and helm
// never reads it: where the machine sets it (a proxy's CA bundle), it is a cost of Node on that machine, in
// chartctl's time and the floor's alike. Left out of every timed process (unless BENCH_KEEP_EXTRA_CA=1), its cost printed.
const extraCa = process.env.BENCH_KEEP_EXTRA_CA === '1' ? undefined : env.NODE_EXTRA_CA_CERTS;
if (extraCa) delete env.NODE_EXTRA_CA_CERTS;

function environment(name: string, url: string, from?: string): void {
  const text = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8')
    .replace(/repository:\n(  .*\n)+/, `repository:\n  url: ${url}\n  plainHttp: true\n`)
    .replace(/promotion: \{[^}]*\}/, `promotion: {${from ? `from: ${from}, ` : ''}allowPrerelease: true, requireApproval: false}`);
  writeFileSync(join(app.dir, 'environments', `${name}.yaml`), text);
}
environment('src', `oci://${near.host}/src`);
environment('mount', `oci://${near.host}/mounted`, 'src');
environment('far', `oci://${far.host}/far`, 'src');

function run(file: string, args: string[], runEnv = env): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: app.dir, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr.toString().slice(0, 2000)}`);
  return ms;
}
const chartctl = (args: string[]) => run(process.execPath, [cliPath, '--cwd', app.dir, ...args]);

const floorScript = join(dirname(fileURLToPath(import.meta.url)), 'oci-floor.js');
const floorClient = (args: string[]) => run(process.execPath, [floorScript, ...args]);

interface Side {
  label: string;
  run: () => number;
}

/**
 * A and B as support.ts compare() runs them (alternately, after a warm-up), with the floor
 * (round `i` of `floor(i)`), `node -e 0` and `chartctl --version` run in the same rounds
 * (A B floor node version ...), so load drift hits all of them alike.
 */
function compareWithFloor(a: Side, b: Side, floor: (round: number) => number) {
  const samples = { floor: [] as number[], node: [] as number[], startup: [] as number[] };
  let round = 0;
  const withFloor: Side = {
    label: b.label,
    run: () => {
      const ms = b.run();
      samples.floor.push(floor(round++));
      samples.node.push(run(process.execPath, ['-e', '0']));
      samples.startup.push(chartctl(['--version']));
      return ms;
    },
  };
  const r = compare(runs, a, withFloor);
  // The warm-up round's are dropped, as compare() drops its warm-up.
  const stat = (values: number[]) => ({ median: median(values.slice(1)), min: Math.min(...values.slice(1)) });
  return { ...r, floor: stat(samples.floor), node: stat(samples.node), startup: stat(samples.startup) };
}

function reportFloor(r: ReturnType<typeof compareWithFloor>, target: number, floorLabel: string): void {
  const minA = Math.min(...r.a.samples);
  const minB = Math.min(...r.b.samples);
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  console.log(`  floor (${floorLabel}): median ${ms(r.floor.median)} (min ${ms(r.floor.min)}) = ${(r.floor.median / r.b.median).toFixed(2)}× B (by min ${(r.floor.min / minB).toFixed(2)}×)`);
  console.log(`    of which node -e 0: median ${ms(r.node.median)} (min ${ms(r.node.min)}) = ${(r.node.median / r.b.median).toFixed(2)}× B; the registry's latency: ${ms(r.floor.median - r.node.median)}`);
  const excess = r.a.median - r.floor.median;
  console.log(`  chartctl's excess over the floor: median ${ms(excess)} (by min ${ms(minA - r.floor.min)}); of it, chartctl's start-up beyond node -e 0 (chartctl --version, not a floor): ${ms(r.startup.median - r.node.median)}`);
  const allowed = target * r.b.median;
  if (r.floor.median > allowed) {
    console.log(`  target ${target}× cannot be met here: the floor alone is ${ms(r.floor.median)}, ${ms(r.floor.median - allowed)} above ${target}× B (${ms(allowed)})`);
  } else {
    console.log(`  target ${target}× B = ${ms(allowed)}: ${r.a.median <= allowed ? 'met' : `missed by ${ms(r.a.median - allowed)}`}; the floor leaves chartctl ${ms(allowed - r.floor.median)} of its own`);
  }
  console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

function packageVersions(prefix: string, count: number, dir: string): string[] {
  const chartYaml = join(app.dir, 'charts', 'shop', 'Chart.yaml');
  const original = readFileSync(chartYaml, 'utf8');
  const files: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      writeFileSync(chartYaml, original.replace(/^version: .*$/m, `version: ${prefix}.${i}`));
      const r = spawnSync(process.execPath, [cliPath, '--cwd', app.dir, 'package', '--destination', dir, '--output', 'json'], { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      files.push(JSON.parse(r.stdout).file);
    }
  } finally {
    writeFileSync(chartYaml, original);
  }
  return files;
}

/** What NODE_EXTRA_CA_CERTS costs one Node start here: node -e 0 with it and without it, alternately. */
function reportExtraCa(file: string): void {
  const withIt: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 2 * runs; i++) {
    withIt.push(run(process.execPath, ['-e', '0'], { ...env, NODE_EXTRA_CA_CERTS: file }));
    without.push(run(process.execPath, ['-e', '0']));
  }
  const ms = (values: number[]) => `${median(values).toFixed(1)} ms`;
  console.log(`NODE_EXTRA_CA_CERTS (${file}) is left out of every timed process: each Node start here spends ${(median(withIt) - median(without)).toFixed(1)} ms reading it (node -e 0 with it ${ms(withIt)}, without ${ms(without)}; BENCH_KEEP_EXTRA_CA=1 keeps it)`);
}

const out = join(home, 'packages');
try {
  if (extraCa) reportExtraCa(extraCa);
  const count = runs + 1;
  const small = packageVersions('1.0', 2 * count, out);
  // The floor pushes helm's tarballs again to a repository of its own (new tags), with the config blob chartctl and helm write.
  const floorPushes = small.slice(count).map((file, i) => {
    const metadata = archiveMetadata(readFileSync(file), file);
    const config = join(home, `floor-config-${i}.json`);
    writeFileSync(config, helmConfigJson(metadata));
    return [near.host, 'floor-pushed/shop', String(metadata.version), file, config];
  });
  let a = 0;
  let b = 0;
  const publish = compareWithFloor(
    { label: 'chartctl publish --package (new version)', run: () => chartctl(['publish', 'src', '--package', small[a++]!]) },
    { label: 'helm push (same tarballs, new version)', run: () => run(helmBinaries.helm4, ['push', small[count + b++]!, `oci://${near.host}/helm-pushed`, '--plain-http']) },
    (round) => floorClient(['publish', ...floorPushes[round]!]),
  );
  report('publish to a local OCI registry vs helm push of the same tarballs (start-up included)', publish, '≤ 1.5');
  reportFloor(publish, 1.5, 'a Node client pushing the same tarball: [GET tag, HEAD ×2] → POST+PUT ×2 → PUT manifest → GET manifest');

  // 5 MB of incompressible bytes in two files (helm caps one file at 5 MiB).
  const files = join(app.dir, 'charts', 'shop', 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'blob-a.bin'), randomBytes(2.5 * 1024 * 1024));
  writeFileSync(join(files, 'blob-b.bin'), randomBytes(2.5 * 1024 * 1024));
  const big = packageVersions('5.0', count, join(home, 'big'));
  for (const file of big) chartctl(['publish', 'src', '--package', file]);
  const versions = big.map((_, i) => `5.0.${i}`);
  let m = 0;
  let s = 0;
  const promote = compareWithFloor(
    { label: 'promote 5 MB chart, same registry (blob mount)', run: () => chartctl(['promote', 'src', 'mount', '--version', versions[m++]!]) },
    { label: 'promote 5 MB chart, other registry (download + upload)', run: () => chartctl(['promote', 'src', 'far', '--version', versions[s++]!]) },
    (round) => floorClient(['mount', near.host, 'src/shop', 'floor-mounted/shop', versions[round]!]),
  );
  report('promote with cross-repository blob mount vs download + upload', promote, '≤ 0.3');
  reportFloor(promote, 0.3, 'a Node client mounting the same version: [GET tags ×2, GET manifest] → GET config → mount ×2 → PUT manifest → GET manifest');
} finally {
  await Promise.all([near.close(), far.close()]);
  app.remove();
  rmSync(home, { recursive: true, force: true });
}
