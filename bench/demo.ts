// `npm run demo` wall time against the < 20 s target and against the sum of its unavoidable
// parts, measured in the same run: helm's own runs (the time at least one helm process the demo
// started was running, recorded through a timing wrapper on alternate runs) plus one Node
// start-up (`node -e 0`) for each round of chartctl processes that could not overlap.
//   npm run bench:demo            (BENCH_RUNS=3 by default: 3 plain runs alternating with 3 recorded ones)
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinaries, projectRoot } from '../test/support/project.js';
import { median, timeProcess } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const TARGET_MS = 20_000;
const demo = join(projectRoot, 'scripts', 'demo.mjs');

interface DemoTimings {
  doneMs: number;
  processes: { args: string; startMs: number; ms: number }[];
}

/** Total length of the union of [start, end] intervals: the time at least one of them was running. */
function busyMs(intervals: [number, number][]): number {
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (s > end) total += e - s;
    else if (e > end) total += e - end;
    end = Math.max(end, e);
  }
  return total;
}

/** How many times a chartctl process started while no other was running: the start-ups nothing could hide. */
function sequentialRounds(t: DemoTimings): number {
  let rounds = 0;
  let end = -Infinity;
  for (const p of [...t.processes].sort((a, b) => a.startMs - b.startMs)) {
    if (p.startMs > end) rounds++;
    end = Math.max(end, p.startMs + p.ms);
  }
  return rounds;
}

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-demo-'));
try {
  const log = join(work, 'helm-calls');
  const wrapper = join(work, 'helm-timing.sh');
  // Start and end in ns since the epoch, one line per helm call.
  writeFileSync(wrapper, `#!/bin/sh\ns=$(date +%s%N)\n'${helm}' "$@"\nrc=$?\necho "$s $(date +%s%N)" >> '${log}'\nexit $rc\n`);
  chmodSync(wrapper, 0o700);

  const runDemo = (recorded: boolean): { wallMs: number; timings: DemoTimings; helmBusyMs?: number } => {
    const file = join(work, 'timings.json');
    rmSync(log, { force: true });
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [demo, `--timings-json=${file}`], { cwd: projectRoot, env: { ...process.env, NO_COLOR: '1', CHARTCTL_HELM: recorded ? wrapper : helm }, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`demo exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const timings = JSON.parse(readFileSync(file, 'utf8')) as DemoTimings;
    if (!recorded) return { wallMs, timings };
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').map((n) => Number(BigInt(n) / 1000n) / 1000) as [number, number]);
    return { wallMs, timings, helmBusyMs: busyMs(calls) };
  };

  console.log(`chartctl benchmark: npm run demo (node scripts/demo.mjs), ${runs} runs alternating with ${runs} runs whose helm calls are timed (${helm}); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const walls: number[] = [];
  const dones: number[] = [];
  const helmBusy: number[] = [];
  const nodes: number[] = [];
  let rounds = 0;
  let processes = 0;
  for (let i = 0; i < runs; i++) {
    const plain = runDemo(false);
    walls.push(plain.wallMs);
    dones.push(plain.timings.doneMs);
    rounds = sequentialRounds(plain.timings);
    processes = plain.timings.processes.length;
    helmBusy.push(runDemo(true).helmBusyMs!);
    for (let j = 0; j < 3; j++) nodes.push(timeProcess(process.execPath, ['-e', '0']));
  }
  const wall = median(walls);
  const floor = median(helmBusy) + rounds * median(nodes);
  console.log(`\n  demo wall (process start to exit, sandbox down included): median ${(wall / 1000).toFixed(1)} s (min ${(Math.min(...walls) / 1000).toFixed(1)}, max ${(Math.max(...walls) / 1000).toFixed(1)}); "done in" median ${(median(dones) / 1000).toFixed(1)} s`);
  console.log(`  ${processes} chartctl processes in ${rounds} rounds that could not overlap`);
  console.log(`  floor: helm running ${(median(helmBusy) / 1000).toFixed(1)} s (median; min ${(Math.min(...helmBusy) / 1000).toFixed(1)}) + ${rounds} × node -e 0 ${median(nodes).toFixed(0)} ms = ${(floor / 1000).toFixed(1)} s`);
  console.log(`  target: ${(wall / 1000).toFixed(1)} s vs < ${TARGET_MS / 1000} s → ${wall < TARGET_MS ? 'met' : 'NOT met'} (ratio to target ${(wall / TARGET_MS).toFixed(2)})`);
  console.log(`  beyond the floor (chartctl's own work, the sandbox's start, git, the demo itself): ${((wall - floor) / 1000).toFixed(1)} s (ratio to floor ${(wall / floor).toFixed(2)}); load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
