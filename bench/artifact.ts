// deploy of a repository version that carries its configuration (values and
// encrypted secrets read from the tarball) against the same deploy of a version
// that carries none (a plain `helm package` tarball: values read from the working
// tree, as every deploy did before). Alternating A B A B on one release, so each
// run is a real upgrade; the simulator and the local S3 server each in their own
// process, with the real helm.
//   npm run bench:artifact
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, cliPath, helmBinaries } from '../test/support/project.js';
import { compare, report, timeProcess, startBenchSandbox } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 6);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-artifact-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const { env, chartctl } = await startBenchSandbox(work, stops, helm, app.dir);
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
