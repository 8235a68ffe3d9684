/**
 * OCI registry figures, each against its floor measured in the same run on the
 * same real distribution registry (loopback):
 *  1. chartctl publish --package X vs helm push X (same tarballs, both including start-up; target ≤ 1.5×);
 *  2. chartctl promote of a 5 MB chart within one registry (blob mount) vs the same promote
 *     to another registry (download + upload: chartctl's own streaming path, the same bytes
 *     pulled from one registry and pushed to the other, verified as a promote must); target ≤ 0.3×.
 * Where a target is missed, the floors measured in the same run say why: Node's start-up
 * (`node -e 0`) and chartctl's start-up (`chartctl --version`, bundle load), against which
 * chartctl's own work (its time minus its start-up) is compared.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath, copyExampleApp, helmBinaries } from '../test/support/project.js';
import { hasRegistry, REGISTRY_SKIP_REASON, startTestRegistry } from '../test/support/oci-registry.js';
import { compare, median, report } from './support.js';

if (!hasRegistry) {
  console.log(`bench:oci skipped: ${REGISTRY_SKIP_REASON}`);
  process.exit(0);
}
const runs = Number(process.env.BENCH_RUNS ?? 5);
const [near, far] = await Promise.all([startTestRegistry(), startTestRegistry()]);
const app = copyExampleApp();
const home = mkdtempSync(join(tmpdir(), 'chartctl-bench-oci-'));
const env = { ...process.env, HOME: home, CHARTCTL_HELM: helmBinaries.helm4, SOPS_AGE_KEY_FILE: join(app.dir, 'examples', 'demo-age-key.txt'), NO_COLOR: '1' };

function environment(name: string, url: string, from?: string): void {
  const text = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8')
    .replace(/repository:\n(  .*\n)+/, `repository:\n  url: ${url}\n  plainHttp: true\n`)
    .replace(/promotion: \{[^}]*\}/, `promotion: {${from ? `from: ${from}, ` : ''}allowPrerelease: true, requireApproval: false}`);
  writeFileSync(join(app.dir, 'environments', `${name}.yaml`), text);
}
environment('src', `oci://${near.host}/src`);
environment('mount', `oci://${near.host}/mounted`, 'src');
environment('far', `oci://${far.host}/far`, 'src');

function run(file: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${r.stderr.toString().slice(0, 2000)}`);
  return ms;
}
const chartctl = (args: string[]) => run(process.execPath, [cliPath, '--cwd', app.dir, ...args]);

/**
 * A and B as support.ts compare() runs them (alternately, after a warm-up), with the two floors
 * run in the same rounds (A B node chartctl --version ...), so load drift hits all four alike.
 */
function compareWithFloors(a: { label: string; run: () => number }, b: { label: string; run: () => number }) {
  const node: number[] = [];
  const startup: number[] = [];
  const withFloors = (side: { label: string; run: () => number }) => ({
    label: side.label,
    run: () => {
      const ms = side.run();
      if (side === b) {
        node.push(run(process.execPath, ['-e', '0']));
        startup.push(chartctl(['--version']));
      }
      return ms;
    },
  });
  const r = compare(runs, withFloors(a), withFloors(b));
  // The warm-up round's floors are dropped, as compare() drops its warm-up.
  return { ...r, floor: { node: median(node.slice(1)), startup: median(startup.slice(1)), nodeMin: Math.min(...node.slice(1)), startupMin: Math.min(...startup.slice(1)) } };
}

function reportFloors(r: ReturnType<typeof compareWithFloors>, peerHasStartup: boolean): void {
  const { floor } = r;
  const minA = Math.min(...r.a.samples);
  const minB = Math.min(...r.b.samples);
  console.log(`  floor: node -e 0 median ${floor.node.toFixed(1)} ms (min ${floor.nodeMin.toFixed(1)}) = ${(floor.node / r.b.median).toFixed(2)}× B; chartctl --version (start-up) median ${floor.startup.toFixed(1)} ms (min ${floor.startupMin.toFixed(1)}) = ${(floor.startup / r.b.median).toFixed(2)}× B`);
  console.log(`  by min: A/B = ${(minA / minB).toFixed(2)}, node -e 0 / B = ${(floor.nodeMin / minB).toFixed(2)}, start-up / B = ${(floor.startupMin / minB).toFixed(2)}`);
  const own = minA - floor.startupMin;
  const peerOwn = peerHasStartup ? minB - floor.startupMin : minB;
  console.log(`  chartctl's own work (min A − min start-up): ${own.toFixed(1)} ms = ${(own / peerOwn).toFixed(2)}× ${peerHasStartup ? "B's own work (min B − min start-up)" : 'min B'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
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

const out = join(home, 'packages');
try {
  const count = runs + 1;
  const small = packageVersions('1.0', 2 * count, out);
  let a = 0;
  let b = 0;
  const publish = compareWithFloors(
    { label: 'chartctl publish --package (new version)', run: () => chartctl(['publish', 'src', '--package', small[a++]!]) },
    { label: 'helm push (same tarballs, new version)', run: () => run(helmBinaries.helm4, ['push', small[count + b++]!, `oci://${near.host}/helm-pushed`, '--plain-http']) },
  );
  report('publish to a local OCI registry vs helm push of the same tarballs (start-up included)', publish, '≤ 1.5');
  reportFloors(publish, false);

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
  const promote = compareWithFloors(
    { label: 'promote 5 MB chart, same registry (blob mount)', run: () => chartctl(['promote', 'src', 'mount', '--version', versions[m++]!]) },
    { label: 'promote 5 MB chart, other registry (download + upload)', run: () => chartctl(['promote', 'src', 'far', '--version', versions[s++]!]) },
  );
  report('promote with cross-repository blob mount vs download + upload', promote, '≤ 0.3');
  reportFloors(promote, true);
} finally {
  await Promise.all([near.close(), far.close()]);
  app.remove();
  rmSync(home, { recursive: true, force: true });
}
