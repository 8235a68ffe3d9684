// How long chartctl takes to refuse each kind of hostile repository content, against the same
// command on the clean repository in the same run (#13: every refusal under 5 s). The refusals
// must stay cheap: before the checks, an alias-bomb index hung publish for 100 s and a
// decompression bomb took reindex to 3.2 GB.
//   npm run bench:hostile
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, cliPath, helmBinaries, projectRoot } from '../test/support/project.js';
import { HOSTILE_CONTENT, restore, type GoodRepository } from '../test/support/hostile-bucket.js';
import { median, report, timeProcess } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 5_000;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-hostile-'));
const app = copyExampleApp();
const { startSimulator } = await import('../src/sandbox/simulator.js');
const { startS3Server, S3_SERVER_CREDENTIALS } = await import('../src/sandbox/s3-server.js');
const { kubeconfigYaml } = await import('../src/sandbox/kubeconfig.js');
const { S3ChartRepository, s3Settings } = await import('../src/adapters/s3-chart-repository.js');
const { parseRepository } = await import('../src/core/environment-file.js');
const sim = await startSimulator({ readinessDelayMs: 20 });
const s3 = await startS3Server({ directory: join(work, 's3'), buckets: ['acme-charts'] });
try {
  writeFileSync(join(work, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
  writeFileSync(join(work, 'victim.txt'), "the user's own file\n");
  const env = {
    ...process.env,
    KUBECONFIG: join(work, 'kubeconfig'),
    CHARTCTL_HELM: process.env.CHARTCTL_HELM ?? helmBinaries.helm4,
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_ACCESS_KEY_ID: S3_SERVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_SERVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    XDG_CACHE_HOME: join(work, 'cache'),
    SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'),
    CHARTCTL_ACTOR: 'bench',
  };
  // Asynchronous: the S3 server and the simulator answer from this process's event loop.
  const chartctl = (args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [cliPath, ...args, '--quiet'], { cwd: app.dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (status) => resolve({ status, stderr }));
    });
  /** One timed run; a refusal must exit 1 and a clean run 0, or the figure means nothing. */
  const timed = async (args: string[], exit: number) => {
    const started = performance.now();
    const r = await chartctl(args);
    const ms = performance.now() - started;
    if (r.status !== exit) throw new Error(`chartctl ${args.join(' ')} exited ${r.status}, expected ${exit}: ${r.stderr}`);
    return ms;
  };
  await timed(['publish', 'dev', '--version', '1.0.0'], 0);
  await timed(['deploy', 'dev', '--yes', '--no-tests'], 0);
  const config = parseRepository({ url: 's3://acme-charts/dev', endpoint: s3.endpoint, forcePathStyle: true });
  const dev = new S3ChartRepository(config, { ...s3Settings(config, env), credentials: S3_SERVER_CREDENTIALS }, 'dev');
  const got = async (name: string) => {
    const r = await dev.get(name);
    if (r.kind !== 'found') throw new Error(`${name} is missing`);
    return r.body;
  };
  const good: GoodRepository = { tarball: await got('shop-1.0.0.tgz'), index: new TextDecoder().decode(await got('index.yaml')), victimFile: join(work, 'victim.txt') };

  console.log(`chartctl benchmark: refusing hostile repository content, against the same command on the clean repository (${runs} runs each, alternating; target: every refusal < ${TARGET_MS} ms)`);
  const nodeStart: number[] = [];
  for (let i = 0; i < runs; i++) nodeStart.push(timeProcess(process.execPath, ['-e', '0']));
  console.log(`\nfloor: node -e 0, median ${median(nodeStart).toFixed(1)} ms (n=${runs})`);
  let slowest = 0;
  for (const hostile of HOSTILE_CONTENT) {
    for (const args of [['diff', 'dev'], ['repo', 'verify', 'dev']]) {
      // Hostile and clean runs alternate, so load on the machine falls on both alike.
      const refused: number[] = [];
      const clean: number[] = [];
      for (let i = 0; i <= runs; i++) {
        await hostile.arrange(dev, good);
        const a = await timed(args, 1);
        await restore(dev, good);
        const b = await timed(args, 0);
        if (i === 0) continue; // warm-up
        refused.push(a);
        clean.push(b);
      }
      slowest = Math.max(slowest, ...refused);
      const r = {
        a: { label: `chartctl ${args.join(' ')}, ${hostile.name}`, samples: refused, median: median(refused) },
        b: { label: `chartctl ${args.join(' ')}, clean repository`, samples: clean, median: median(clean) },
        ratio: median(refused) / median(clean),
      };
      report(`refusal: ${hostile.name} (${args.join(' ')})`, r);
      console.log(`  slowest refusal ${Math.max(...refused).toFixed(0)} ms = ${(Math.max(...refused) / TARGET_MS).toFixed(2)}× of the ${TARGET_MS} ms target`);
    }
  }
  console.log(`\nslowest refusal: ${slowest.toFixed(0)} ms = ${(slowest / TARGET_MS).toFixed(2)}× of the ${TARGET_MS} ms target`);
} finally {
  await sim.close();
  await s3.close();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
