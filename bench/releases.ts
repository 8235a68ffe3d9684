// chartctl diff against the steps it replaces (helm template + helm get manifest + diff -u),
// (the 500-resource diff is bench/large-diff.ts). Runs against the Kubernetes simulator and the
// local S3 server, each in its own process, with the real helm.
//   npm run bench:releases
import { dump } from 'js-yaml';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, cliPath, helmBinaries } from '../test/support/project.js';
import { compare, loadOnlyScript, report, timeProcess, startBenchSandbox } from './support.js';

const runs = Number(process.env.BENCH_RUNS ?? 8);
const helm = process.env.CHARTCTL_HELM ?? helmBinaries.helm4;

const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-releases-'));
const app = copyExampleApp();
const stops: (() => void)[] = [];
try {
  const { env, chartctl } = await startBenchSandbox(work, stops, helm, app.dir);
  chartctl(['publish', 'prod', '--version', '1.0.0']);
  chartctl(['deploy', 'prod', '--yes', '--no-tests']);
  chartctl(['set-image', 'prod', 'api', '2.0.0']);

  // The peer: the same three steps by hand, with the values chartctl would pass (decrypted once into a private file).
  mkdirSync(join(work, 'peer'), { mode: 0o700 });
  const values = join(work, 'peer', 'values.yaml');
  const { resolveValues } = await import('../src/actions/steps/values.js');
  const { AppRepo } = await import('../src/adapters/app-repo.js');
  const { createSecretsReader } = await import('../src/adapters/secrets-factory.js');
  const { SecretMasker } = await import('../src/core/secret-masker.js');
  const repo = new AppRepo(app.dir);
  const prod = await repo.loadEnvironment('prod');
  const resolved = await resolveValues(
    { repo, env, masker: new SecretMasker(), secrets: createSecretsReader(env) } as never,
    prod,
  );
  // helm itself reads the values files; the peer gets their merged result as one file.
  writeFileSync(values, dump(resolved.merged, { lineWidth: -1, noRefs: true }), { mode: 0o600 });
  const tarball = join(work, 'peer', 'shop-1.0.0.tgz');
  spawnSync(process.execPath, [cliPath, 'package', '--version', '1.0.0', '--destination', join(work, 'peer'), '--quiet'], { cwd: app.dir, env });
  const script = join(work, 'peer', 'diff-by-hand.sh');
  writeFileSync(
    script,
    `#!/bin/sh
'${helm}' template shop '${tarball}' --namespace shop-prod --kube-version 1.33 --is-upgrade -f '${values}' > '${work}/peer/candidate.yaml'
'${helm}' get manifest shop --namespace shop-prod --kube-context prod > '${work}/peer/deployed.yaml'
diff -u '${work}/peer/deployed.yaml' '${work}/peer/candidate.yaml' > /dev/null
exit 0
`,
  );
  chmodSync(script, 0o700);
  console.log(`chartctl benchmark: diff against the steps it replaces (${helm}), ${runs} runs each, alternating`);
  const d = compare(
    runs,
    { label: 'chartctl diff prod', run: () => timeProcess(process.execPath, [cliPath, 'diff', 'prod', '--quiet'], { cwd: app.dir, env }) },
    { label: 'helm template + helm get manifest + diff -u', run: () => timeProcess('/bin/sh', [script], { env }) },
  );
  report('diff prod (example app)', d, '<= 1.5');
  // The parts the project requires (the AWS SDK's S3 client, age for sops), loaded and nothing done.
  const loadOnly = await loadOnlyScript(work, ['@aws-sdk/client-s3', 'age-encryption', 'yaml']);
  const floor = compare(
    runs,
    { label: 'node loading @aws-sdk/client-s3 + age-encryption + yaml, bundled like the CLI, doing nothing', run: () => timeProcess(process.execPath, [loadOnly]) },
    { label: 'helm template + helm get manifest + diff -u', run: () => timeProcess('/bin/sh', [script], { env }) },
  );
  report('floor: what reading an S3 repository and a sops file costs a Node process before any work', floor);

} finally {
  for (const stop of stops) stop();
  app.remove();
  rmSync(work, { recursive: true, force: true });
}
