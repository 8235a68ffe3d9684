// `chartctl diff` of a release with 500 resources, one of them changed, against the 1 s target
// and against its floor measured in the same run: Node's own start-up, the helm calls chartctl
// made (recorded from a run through a logging wrapper, replayed as chartctl may run them: at
// once), and the S3 round trips a repository candidate needs (index.yaml, then the tarball).
//   npm run bench:large-diff            (BENCH_RUNS=8 by default)
//   BENCH_CPU_PROF=DIR npm run bench:large-diff   also writes one CPU profile of the diff to DIR
import { spawnSync } from 'node:child_process';
import { helmBinaries } from '../test/support/project.js';
import { prepareDiffBench } from './diff-floor.js';
import { median, timeProcess } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const TARGET_MS = 1000;
const BULK = 489; // plus the example chart's own 11 resources (its test pod is left out of diff): 500 in all

/** A chart template of BULK ConfigMaps; only bulk-7 depends on `changed`. */
function bulkTemplate(changed: string): string {
  return Array.from({ length: BULK }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${i}\ndata:\n  index: "${i}"\n  version: "${i === 7 ? changed : 'same'}"\n`).join('');
}

const bench = await prepareDiffBench(helm, { before: { 'bulk.yaml': bulkTemplate('a') }, after: { 'bulk.yaml': bulkTemplate('b') } });
try {
  const { cwd, env, diffArgs, result, calls } = bench;
  const total = result.diff.changes.length;
  // The new chart version also changes the helm.sh/chart label of the example chart's own resources.
  const changedBulk = result.diff.changes.filter((c) => c.change === 'changed' && c.name.startsWith('bulk-'));
  if (total < 500 || changedBulk.length !== 1) throw new Error(`expected 500 resources, one bulk ConfigMap changed; got ${total}, ${changedBulk.length}`);

  if (process.env.BENCH_CPU_PROF) {
    spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, ...diffArgs], { cwd, env, stdio: 'ignore' });
    console.log(`CPU profile of one diff written to ${process.env.BENCH_CPU_PROF}`);
  }

  console.log(`chartctl benchmark: diff of a release with ${total} resources (1 of the ${BULK} bulk ConfigMaps changed, ${result.diff.counts.changed} in all with the chart label), ${runs} runs, alternating with its floor (${helm})`);
  console.log(`helm calls a diff makes: ${calls.map((c) => c.args.slice(0, 2).join(' ')).join('; ')}`);
  timeProcess(process.execPath, diffArgs, { cwd, env });
  const diffs: number[] = [];
  const nodes: number[] = [];
  const helms: number[] = [];
  const s3s: number[] = [];
  for (let i = 0; i < runs; i++) {
    diffs.push(timeProcess(process.execPath, diffArgs, { cwd, env }));
    nodes.push(timeProcess(process.execPath, ['-e', '0']));
    helms.push(await bench.helmAtOnce(calls));
    s3s.push(await bench.s3RoundTrips());
  }
  const alone: string[] = [];
  for (const c of calls) alone.push(`${c.args.slice(0, 2).join(' ')} ${(await bench.helmAtOnce([c])).toFixed(0)} ms`);
  const floors = nodes.map((n, i) => n + helms[i]! + s3s[i]!);
  const d = median(diffs);
  const f = median(floors);
  console.log(`\n  chartctl diff staging: median ${d.toFixed(0)} ms (min ${Math.min(...diffs).toFixed(0)}, max ${Math.max(...diffs).toFixed(0)})`);
  console.log(`  floor: node -e 0 ${median(nodes).toFixed(0)} ms + the ${calls.length} helm calls at once ${median(helms).toFixed(0)} ms + S3 index and tarball ${median(s3s).toFixed(0)} ms = median ${f.toFixed(0)} ms`);
  console.log(`  each helm call alone: ${alone.join('; ')}`);
  console.log(`  target: ${d.toFixed(0)} ms vs < ${TARGET_MS} ms → ${d < TARGET_MS ? 'met' : 'NOT met'} (ratio to target ${(d / TARGET_MS).toFixed(2)})`);
  console.log(`  chartctl's own time beyond the floor: ${(d - f).toFixed(0)} ms (ratio to floor ${(d / f).toFixed(2)})`);
} finally {
  bench.stop();
}
