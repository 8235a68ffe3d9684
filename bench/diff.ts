// `chartctl diff <env>` of the example app (a new chart version published, the release deployed
// on the simulator): chartctl's own time beyond its floor, measured in the same interleaved rounds:
// a minimal Node client making the S3 requests the diff must make (a fresh process: Node's start-up,
// node:http's first request and the server's latency for index.yaml, then the candidate's tarball)
// and the helm calls the diff makes (replayed at once). Target <= 80 ms (#20).
//   npm run bench:diff            (BENCH_RUNS=10 by default; uses helm 4 from .tools unless CHARTCTL_HELM is set)
//   BENCH_CPU_PROF=DIR npm run bench:diff   also writes one CPU profile of the diff to DIR
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { helmBinaries } from '../test/support/project.js';
import { prepareDiffBench } from './diff-floor.js';
import { median, timeProcessCpu } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const TARGET_MS = 80;

const bench = await prepareDiffBench(helm);
try {
  const { cwd, env, diffArgs, result, calls } = bench;
  if (result.diff.counts.changed === 0) throw new Error('expected the new chart version to change resources (its helm.sh/chart label)');
  console.log(`chartctl benchmark: own time of diff staging (${result.diff.changes.length} resources, ${result.diff.counts.changed} changed), ${runs} rounds, interleaved with its floor (${helm})`);
  console.log(`helm calls a diff makes: ${calls.map((c) => c.args.slice(0, 2).join(' ')).join('; ')}`);
  timeProcessCpu(process.execPath, diffArgs, { cwd, env }); // writes its code cache
  if (process.env.BENCH_CPU_PROF) {
    spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, ...diffArgs], { cwd, env, stdio: 'ignore' });
    console.log(`CPU profile of one diff written to ${process.env.BENCH_CPU_PROF}`);
  }
  const diffs: number[] = [];
  const diffCpu: number[] = [];
  const nodes: number[] = [];
  const helms: number[] = [];
  const s3s: number[] = [];
  const clients: number[] = [];
  const versions: number[] = [];
  for (let i = 0; i < runs; i++) {
    const d = timeProcessCpu(process.execPath, diffArgs, { cwd, env });
    diffs.push(d.wallMs);
    diffCpu.push(d.cpuMs);
    nodes.push(timeProcessCpu(process.execPath, ['-e', '0']).wallMs);
    helms.push(await bench.helmAtOnce(calls));
    s3s.push(await bench.s3RoundTrips());
    clients.push(await bench.s3ClientProcess());
    versions.push(timeProcessCpu(process.execPath, [diffArgs[0]!, '--version'], { cwd, env }).wallMs);
  }
  const own = diffs.map((d, i) => d - clients[i]! - helms[i]!);
  const ownMedian = median(own);
  console.log(`\n  chartctl diff staging: median wall ${median(diffs).toFixed(1)} ms (min ${Math.min(...diffs).toFixed(1)}), CPU ${median(diffCpu).toFixed(0)} ms (chartctl and its helm calls)`);
  console.log(`  floor: a Node process fetching the S3 index and tarball over node:http ${median(clients).toFixed(1)} ms + the ${calls.length} helm calls at once ${median(helms).toFixed(1)} ms`);
  console.log(`    (in it: node -e 0 ${median(nodes).toFixed(1)} ms; the same two requests over a warm connection, from a running process, ${median(s3s).toFixed(1)} ms)`);
  console.log(`  chartctl's own time beyond the floor (round by round): median ${ownMedian.toFixed(1)} ms, min ${Math.min(...own).toFixed(1)} ms (target <= ${TARGET_MS} ms: ${ownMedian <= TARGET_MS ? 'met' : `over by ${(ownMedian - TARGET_MS).toFixed(1)} ms`})`);
  // Not a floor: the part of the own time any chartctl command pays before it does anything (bin/, the bundle's loader).
  console.log(`  of it, chartctl's start-up (chartctl --version beyond node -e 0, same rounds): median ${median(versions.map((v, i) => v - nodes[i]!)).toFixed(1)} ms`);
  console.log(`  (wall counts waiting for a core on a loaded machine; load average now ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`);
} finally {
  bench.stop();
}
