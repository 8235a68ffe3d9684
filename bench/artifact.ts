// deploy of a repository version that carries its configuration (values and
// encrypted secrets read from the tarball) against the same deploy of a version
// that carries none (a plain `helm package` tarball: values read from the working
// tree, as every deploy did before). Alternating A B A B on one release, so each
// run is a real upgrade; the simulator and the local S3 server each in their own
// process, with the real helm.
//   npm run bench:artifact
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { copyExampleApp, cliPath, helmBinaries, projectRoot } from '../test/support/project.js';
import { compare, report, timeProcess } from './support.js';

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

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-artifact-'));
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
  const chartctl = (args: string[]) => {
    const r = spawnSync(process.execPath, [cliPath, ...args, '--quiet'], { cwd: app.dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chartctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // A: chartctl's artifact. B: helm's own package of the same chart (no configuration inside).
  chartctl(['publish', 'dev', '--version', '1.0.0']);
  const plain = spawnSync(helm, ['package', join(app.dir, 'charts', 'shop'), '--version', '2.0.0', '--destination', work], { encoding: 'utf8' });
  if (plain.status !== 0) throw new Error(plain.stderr);
  chartctl(['publish', 'dev', '--package', join(work, 'shop-2.0.0.tgz')]);
  chartctl(['deploy', 'dev', '--yes', '--no-tests', '--version', '2.0.0']);
  const deploy = (version: string) => () => timeProcess(process.execPath, [cliPath, 'deploy', 'dev', '--yes', '--no-tests', '--version', version, '--quiet'], { cwd: app.dir, env });
  const r = compare(runs, { label: 'deploy, configuration from the artifact', run: deploy('1.0.0') }, { label: 'deploy, configuration from the working tree', run: deploy('2.0.0') });
  report('deploy dev of a repository version (helm upgrade --install --wait, real helm, simulator)', r, '≤ 1.05');
} finally {
  for (const stop of stops) stop();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
