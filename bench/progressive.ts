// Blue/green switch-back (chartctl rollback of a blue/green environment: one
// write of the router Service) against chartctl rollback of a rolling
// environment (helm rollback --wait), same run, same simulator, real helm.
// Targets (issue #17): blue/green median < 5 s and <= 0.2x the rolling rollback.
//   npm run bench:progressive
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { copyExampleApp, cliPath, helmBinaries, projectRoot } from '../test/support/project.js';
import { compare, median, report, timeProcess } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 6);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;

async function serve(script: string): Promise<{ line: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  return { line, stop: () => child.kill('SIGTERM') };
}

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-progressive-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const sim = await serve(`import { startSimulator } from '${projectRoot}/dist/src/sandbox/simulator.js';
    const s = await startSimulator({ readinessDelayMs: 20 }); console.log(s.url);`);
  stops.push(sim.stop);
  const s3 = await serve(`import { startS3Server } from '${projectRoot}/dist/src/sandbox/s3-server.js';
    const s = await startS3Server({ directory: '${join(work, 's3')}', buckets: ['acme-charts'] }); console.log(s.endpoint);`);
  stops.push(s3.stop);
  const { kubeconfigYaml } = await import('../src/sandbox/kubeconfig.js');
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(sim.line, { aliases: ['dev', 'staging', 'prod'] }));
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    CHARTCTL_HELM: helm,
    AWS_ENDPOINT_URL: s3.line,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    XDG_CACHE_HOME: join(work, 'cache'),
    SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'),
    CHARTCTL_ACTOR: 'bench',
  };
  // Two environments of the same chart: dev switched blue/green, "rolling" upgraded in place.
  const devFile = join(app.dir, 'environments', 'dev.yaml');
  const dev = readFileSync(devFile, 'utf8');
  writeFileSync(join(app.dir, 'environments', 'rolling.yaml'), dev.replace('namespace: shop-dev', 'namespace: shop-rolling').replace('s3://acme-charts/dev', 's3://acme-charts/rolling'));
  // With the router Ingress chartctl owns (#17): a switch back still writes the Service only.
  writeFileSync(devFile, dev.replace(/deploy: \{timeout: 5m, (.*)\}\n/, 'deploy:\n  timeout: 1m\n  strategy: {blueGreen: {router: {service: shop, ingress: shop, backend: api}}}\n'));
  const chartctl = (args: string[]) => {
    const r = spawnSync(process.execPath, [cliPath, ...args, '--quiet'], { cwd: app.dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chartctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  for (const e of ['dev', 'rolling']) {
    for (const version of ['1.0.0', '1.0.1']) {
      chartctl(['publish', e, '--version', version]);
      chartctl(['deploy', e, '--version', version, '--yes']);
    }
  }
  const time = (e: string) => () => {
    const start = process.hrtime.bigint();
    const out = chartctl(['rollback', e, '--yes']);
    if (e === 'dev' && !/Switched back/.test(out)) throw new Error(`blue/green rollback did not switch: ${out}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  // Each rollback switches (or rolls) back and forth between the two versions.
  const r = compare(runs, { label: 'chartctl rollback (blue/green switch-back)', run: time('dev') }, { label: 'chartctl rollback (rolling: helm rollback --wait)', run: time('rolling') });
  report(`Blue/green switch-back vs rolling rollback, helm ${helm.includes('helm3') ? 3 : 4}, simulator readiness 20 ms`, r, '<= 0.20, and A < 5000 ms');
  console.log(`  A median ${r.a.median < 5000 ? '<' : '>='} 5000 ms; ratio ${r.ratio <= 0.2 ? 'meets' : 'misses'} the 0.20 target`);
  // The floor both pay: starting the CLI at all. What is left above it is the work itself.
  const floor = median(Array.from({ length: runs }, () => timeProcess(process.execPath, [cliPath, '--version'], { env })));
  console.log(`  floor (chartctl --version, same run): median ${floor.toFixed(1)} ms; above it: A ${(r.a.median - floor).toFixed(1)} ms, B ${(r.b.median - floor).toFixed(1)} ms, ratio ${((r.a.median - floor) / (r.b.median - floor)).toFixed(2)}`);
} finally {
  for (const stop of stops) stop();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
