// Blue/green switch-back (chartctl rollback of a blue/green environment: one
// write of the router Service) against chartctl rollback of a rolling
// environment (helm rollback --wait), same run, same simulator, real helm.
// Targets (issue #17): blue/green median < 5 s and <= 0.2x the rolling rollback.
//   npm run bench:progressive
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, cliPath, helmBinaries } from '../test/support/project.js';
import { compare, median, report, timeProcess, startBenchSandbox } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 6);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-progressive-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const { env, chartctl } = await startBenchSandbox(work, stops, helm, app.dir);
  // Two environments of the same chart: dev switched blue/green, "rolling" upgraded in place.
  const devFile = join(app.dir, 'environments', 'dev.yaml');
  const dev = readFileSync(devFile, 'utf8');
  writeFileSync(join(app.dir, 'environments', 'rolling.yaml'), dev.replace('namespace: shop-dev', 'namespace: shop-rolling').replace('s3://acme-charts/dev', 's3://acme-charts/rolling'));
  // With the router Ingress chartctl owns (#17): a switch back still writes the Service only.
  writeFileSync(devFile, dev.replace(/deploy: \{timeout: 5m, (.*)\}\n/, 'deploy:\n  timeout: 1m\n  strategy: {blueGreen: {router: {service: shop, ingress: shop, backend: api}}}\n'));
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
