// `chartctl diff` of a release with 500 resources, one of them changed, against the 1 s target
// and against its floor measured in the same run: Node's own start-up, the helm calls chartctl
// made (recorded from a run through a logging wrapper, replayed as chartctl may run them: at
// once), and the S3 round trips a repository candidate needs (index.yaml, then the tarball).
//   npm run bench:large-diff            (BENCH_RUNS=8 by default)
//   BENCH_CPU_PROF=DIR npm run bench:large-diff   also writes one CPU profile of the diff to DIR
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { copyExampleApp, cliPath, helmBinaries } from '../test/support/project.js';
import { median, timeProcess, startBenchSandbox } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;
const TARGET_MS = 1000;
const BULK = 489; // plus the example chart's own 11 resources (its test pod is left out of diff): 500 in all

/** A chart template of BULK ConfigMaps; only bulk-7 depends on `changed`. */
function bulkTemplate(changed: string): string {
  return Array.from({ length: BULK }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${i}\ndata:\n  index: "${i}"\n  version: "${i === 7 ? changed : 'same'}"\n`).join('');
}

/** Runs commands at once and resolves with the wall time until the last one exits. */
function timeAtOnce(calls: { args: string[]; input?: Buffer }[], env: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  return Promise.all(
    calls.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(helm, c.args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d) => (stderr += d));
          child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`helm ${c.args.join(' ')}: ${stderr}`))));
          child.stdin.end(c.input);
        }),
    ),
  ).then(() => Number(process.hrtime.bigint() - start) / 1e6);
}

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-large-diff-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const { s3, env, chartctl } = await startBenchSandbox(work, stops, helm, app.dir);
  const bulkFile = join(app.dir, 'charts', 'shop', 'templates', 'bulk.yaml');
  writeFileSync(bulkFile, bulkTemplate('a'));
  chartctl(['publish', 'staging', '--version', '1.0.0']);
  chartctl(['deploy', 'staging', '--yes', '--no-tests']);
  writeFileSync(bulkFile, bulkTemplate('b'));
  chartctl(['publish', 'staging', '--version', '1.0.1']);

  const diffArgs = [cliPath, 'diff', 'staging', '--quiet'];
  const result = JSON.parse(chartctl(['diff', 'staging', '--output', 'json']));
  const total = result.diff.changes.length;
  // The new chart version also changes the helm.sh/chart label of the example chart's own resources.
  const changedBulk = result.diff.changes.filter((c: { change: string; name: string }) => c.change === 'changed' && c.name.startsWith('bulk-'));
  if (total < 500 || changedBulk.length !== 1) throw new Error(`expected 500 resources, one bulk ConfigMap changed; got ${total}, ${changedBulk.length}`);

  // The helm calls one diff makes, recorded (argv, and stdin where helm reads values from it) in a private dir.
  // helm reads the values files and the candidate's tarball itself (#15), and chartctl deletes them once the
  // diff is done: the wrapper copies every file an argument names, so the replay reads the same bytes.
  const log = join(work, 'helm-calls');
  mkdirSync(log, { mode: 0o700 });
  const wrapper = join(work, 'helm-logging.sh');
  writeFileSync(
    wrapper,
    `#!/bin/sh
f="${log}/$(date +%s%N).$$"
i=0
for a in "$@"; do
  case "$a" in /*) if [ -f "$a" ]; then i=$((i + 1)); cp "$a" "$f.file$i"; a="$f.file$i"; fi ;; esac
  printf '%s\\0' "$a" >> "$f.args"
done
case " $* " in *" - "*|*" --values - "*|*" -f - "*) tee "$f.stdin" | exec '${helm}' "$@" ;; *) exec '${helm}' "$@" < /dev/null ;; esac
`,
  );
  chmodSync(wrapper, 0o700);
  chartctl(['diff', 'staging'], { CHARTCTL_HELM: wrapper });
  const calls = readdirSync(log)
    .filter((f) => f.endsWith('.args'))
    .sort()
    .map((f) => {
      const base = join(log, f.slice(0, -'.args'.length));
      const args = readFileSync(`${base}.args`, 'utf8').split('\0').slice(0, -1); // NUL-separated: helm's --template holds newlines
      let input: Buffer | undefined;
      try {
        input = readFileSync(`${base}.stdin`);
      } catch {
        input = undefined;
      }
      return { args, input };
    });

  // The S3 round trips a repository candidate needs: the index, then the tarball it names.
  const client = new S3Client({ endpoint: s3.line, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const get = async (key: string) => {
    const res = await client.send(new GetObjectCommand({ Bucket: 'acme-charts', Key: key }));
    return Buffer.from(await res.Body!.transformToByteArray());
  };
  const s3RoundTrips = async () => {
    const start = process.hrtime.bigint();
    await get('staging/index.yaml');
    await get('staging/shop-1.0.1.tgz');
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  await s3RoundTrips();

  if (process.env.BENCH_CPU_PROF) {
    spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, ...diffArgs], { cwd: app.dir, env, stdio: 'ignore' });
    console.log(`CPU profile of one diff written to ${process.env.BENCH_CPU_PROF}`);
  }

  console.log(`chartctl benchmark: diff of a release with ${total} resources (1 of the ${BULK} bulk ConfigMaps changed, ${result.diff.counts.changed} in all with the chart label), ${runs} runs, alternating with its floor (${helm})`);
  console.log(`helm calls a diff makes: ${calls.map((c) => c.args.slice(0, 2).join(' ')).join('; ')}`);
  timeProcess(process.execPath, diffArgs, { cwd: app.dir, env });
  const diffs: number[] = [];
  const nodes: number[] = [];
  const helms: number[] = [];
  const s3s: number[] = [];
  for (let i = 0; i < runs; i++) {
    diffs.push(timeProcess(process.execPath, diffArgs, { cwd: app.dir, env }));
    nodes.push(timeProcess(process.execPath, ['-e', '0']));
    helms.push(await timeAtOnce(calls, env));
    s3s.push(await s3RoundTrips());
  }
  const alone: string[] = [];
  for (const c of calls) alone.push(`${c.args.slice(0, 2).join(' ')} ${(await timeAtOnce([c], env)).toFixed(0)} ms`);
  const floors = nodes.map((n, i) => n + helms[i]! + s3s[i]!);
  const d = median(diffs);
  const f = median(floors);
  console.log(`\n  chartctl diff staging: median ${d.toFixed(0)} ms (min ${Math.min(...diffs).toFixed(0)}, max ${Math.max(...diffs).toFixed(0)})`);
  console.log(`  floor: node -e 0 ${median(nodes).toFixed(0)} ms + the ${calls.length} helm calls at once ${median(helms).toFixed(0)} ms + S3 index and tarball ${median(s3s).toFixed(0)} ms = median ${f.toFixed(0)} ms`);
  console.log(`  each helm call alone: ${alone.join('; ')}`);
  console.log(`  target: ${d.toFixed(0)} ms vs < ${TARGET_MS} ms → ${d < TARGET_MS ? 'met' : 'NOT met'} (ratio to target ${(d / TARGET_MS).toFixed(2)})`);
  console.log(`  chartctl's own time beyond the floor: ${(d - f).toFixed(0)} ms (ratio to floor ${(d / f).toFixed(2)})`);
} finally {
  for (const stop of stops) stop();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
