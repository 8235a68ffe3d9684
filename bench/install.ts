// How long `npm install -g --offline ./chartctl-X.tgz` takes on a clean prefix with an empty
// npm cache (#19: under 20 s on a clean machine), against installing an empty package the same
// way in the same run (npm's own fixed cost), and how big the tarball is.
//   npm run bench:install
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { installOffline, packChartctl } from '../test/support/packed-install.js';
import { median } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_S = 20;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-install-'));
try {
  const packed = await packChartctl(join(work, 'pack'));
  const empty = join(work, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'package.json'), JSON.stringify({ name: 'empty-package', version: '1.0.0' }));
  const emptyTarball = join(work, 'pack', (await execa('npm', ['pack', '--pack-destination', join(work, 'pack')], { cwd: empty })).stdout.trim().split('\n').pop()!);

  const timings = { chartctl: [] as number[], empty: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const [label, tarball] of [['chartctl', packed.file], ['empty', emptyTarball]] as const) {
      const run = join(work, `${label}-${i}`);
      timings[label].push((await installOffline(tarball, join(run, 'prefix'), join(run, 'cache'))).seconds);
    }
  }
  const fmt = (samples: number[]) => `median ${median(samples).toFixed(2)} s (min ${Math.min(...samples).toFixed(2)}, max ${Math.max(...samples).toFixed(2)}, n=${samples.length})`;
  console.log(`\nnpm install -g --offline into an empty prefix, empty npm cache`);
  console.log(`  A chartctl (${(statSync(packed.file).size / 1e6).toFixed(1)} MB tarball, ${packed.files.length} files): ${fmt(timings.chartctl)}`);
  console.log(`  B an empty package: ${fmt(timings.empty)}`);
  console.log(`  A - B = ${(median(timings.chartctl) - median(timings.empty)).toFixed(2)} s  (target: A under ${TARGET_S} s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
