/**
 * Build once, deploy many, end to end: CI sets an image and publishes; deploying
 * jobs whose working tree is a clean checkout of an OLDER commit (or no checkout
 * at all, for watch) deploy exactly what the published version carries. The real
 * CLI, a real helm (3 or 4), the local S3 server and the Kubernetes simulator.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { copyExampleApp, runCli, type CliRun } from '../support/project.js';
import { isolateRepositories, startTestS3, type TestS3 } from '../support/s3.js';

export function artifactScenario(helm: string, major: 3 | 4): void {
  let sim: Simulator;
  let s3: TestS3;
  let app: ReturnType<typeof copyExampleApp>;
  let home: string;
  let deployer: string;
  let agent: string;
  let env: Record<string, string>;

  const cli = (cwd: string, args: string[]): Promise<CliRun> => runCli(args, { cwd, env, timeoutMs: 180_000 });
  const ok = async (cwd: string, args: string[]) => {
    const r = await cli(cwd, args);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const git = (cwd: string, args: string[]) => execa('git', args, { cwd, env: { ...process.env, GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' } });
  const image = (ns: string) => sim.getObject('Deployment', ns, 'shop-web')?.spec.template.spec.containers[0].image as string | undefined;

  before(async () => {
    sim = await startSimulator({ readinessDelayMs: 50 });
    s3 = await startTestS3();
    app = copyExampleApp();
    isolateRepositories(app.dir, s3);
    home = mkdtempSync(join(tmpdir(), 'chartctl-artifact-'));
    writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url, { aliases: ['dev', 'staging', 'prod'] }));
    env = { ...s3.env, KUBECONFIG: join(home, 'kubeconfig'), HOME: home, CHARTCTL_HELM: helm, CHARTCTL_ACTOR: 'artifact-tests', GIT_AUTHOR_NAME: 'ci', GIT_AUTHOR_EMAIL: 'ci@example.com', GIT_COMMITTER_NAME: 'ci', GIT_COMMITTER_EMAIL: 'ci@example.com' };
    // The web tag lives once, in common.yaml, as a team that promotes one image would keep it.
    for (const name of ['dev', 'staging', 'prod']) {
      const file = join(app.dir, 'environments', 'values', `${name}.yaml`);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/(\nweb:\n(?:  .*\n)*?)  image:\n    tag: "[^"]*"\n/, '$1'));
    }
    const common = join(app.dir, 'environments', 'values', 'common.yaml');
    writeFileSync(common, readFileSync(common, 'utf8').replace('web:\n', 'web:\n  image:\n    tag: "1.27.0"\n'));
    const prodFile = join(app.dir, 'environments', 'prod.yaml');
    writeFileSync(prodFile, readFileSync(prodFile, 'utf8').replace('requireApproval: true}', 'requireApproval: true, requireDeployedIn: staging}'));
    writeFileSync(join(app.dir, '.gitignore'), 'charts/*/charts/*.tgz\n.chartctl/\n');
    await git(app.dir, ['init', '-q', '-b', 'main']);
    await git(app.dir, ['add', '-A']);
    await git(app.dir, ['commit', '-qm', 'the application at 1.27.0']);
    // The deploying job: a clean checkout of this (soon older) commit.
    deployer = join(home, 'deployer');
    await git(home, ['clone', '-q', app.dir, deployer]);
    // The CD agent: environment files only, no git, no chart, no values.
    agent = join(home, 'agent');
    mkdirSync(join(agent, 'environments'), { recursive: true });
    for (const name of ['dev', 'staging', 'prod']) cpSync(join(app.dir, 'environments', `${name}.yaml`), join(agent, 'environments', `${name}.yaml`));
  });
  after(async () => {
    await sim?.close();
    await s3?.close();
    app?.remove();
    rmSync(home, { recursive: true, force: true });
  });

  test(`[helm ${major}] set-image in CI → publish → deploy/promote through prod from an older checkout: every environment runs the image set`, async () => {
    const set = JSON.parse((await ok(app.dir, ['set-image', 'web', '1.27.1', '--commit', '--output', 'json'])).stdout);
    assert.equal(set.scope, 'shared');
    assert.deepEqual(set.changedFiles, ['environments/values/common.yaml']);
    assert.equal((await git(app.dir, ['status', '--porcelain'])).stdout, '', 'set-image --commit leaves a clean tree');
    const published = JSON.parse((await ok(app.dir, ['publish', 'dev', '--version', '1.1.0', '--output', 'json'])).stdout);
    assert.equal((await git(app.dir, ['status', '--porcelain'])).stdout, '', "chartctl's own dependency build leaves no Chart.lock behind");

    // The deploying job's tree still says 1.27.0: only the published version may decide.
    assert.match(readFileSync(join(deployer, 'environments', 'values', 'common.yaml'), 'utf8'), /tag: "1\.27\.0"/);
    await ok(deployer, ['deploy', 'dev', '--yes']);
    assert.equal(image('shop-dev'), 'ghcr.io/acme/shop-web:1.27.1');
    await ok(deployer, ['promote', 'dev', 'staging', '--yes']);
    await ok(deployer, ['deploy', 'staging', '--yes']);
    assert.equal(image('shop-staging'), 'ghcr.io/acme/shop-web:1.27.1');
    await ok(deployer, ['promote', 'staging', 'prod', '--yes']);
    const prod = JSON.parse((await ok(deployer, ['deploy', 'prod', '--yes', '--output', 'json'])).stdout);
    assert.equal(prod.outcome.kind, 'deployed', JSON.stringify(prod.outcome));
    assert.equal(prod.outcome.plan.digest, published.digest, 'prod runs the very bytes published to dev');
    assert.equal(image('shop-prod'), 'ghcr.io/acme/shop-web:1.27.1');
    // Provenance names the application repository's commit that set the image, not the deployer's.
    const head = (await git(app.dir, ['rev-parse', 'HEAD'])).stdout.trim();
    const [live] = JSON.parse((await ok(deployer, ['history', 'prod', '--output', 'json'])).stdout).revisions;
    assert.equal(live.provenance.commit, head.slice(0, 12));
    // diff names where each tag comes from: web from the shared file, api from prod's own override.
    const d = JSON.parse((await ok(deployer, ['diff', 'prod', '--output', 'json'])).stdout);
    const origin = (s: string) => d.images.find((i: any) => i.service === s);
    assert.deepEqual([origin('web').file, origin('web').override, origin('web').tag], ['environments/values/common.yaml', false, '1.27.1']);
    assert.deepEqual([origin('api').file, origin('api').override], ['environments/values/prod.yaml', true]);
    assert.match((await ok(deployer, ['diff', 'prod'])).stdout, /override api\.image\.tag 1\.0\.0 is prod's own, from environments\/values\/prod\.yaml/);
    // status says the same of what is live.
    const status = JSON.parse((await ok(deployer, ['status', 'prod', '--output', 'json'])).stdout);
    assert.deepEqual(status.images.filter((i: any) => i.override).map((i: any) => i.service), ['api']);
    assert.match((await ok(deployer, ['status', 'prod'])).stdout, /override: api\.image\.tag 1\.0\.0 is prod's own \(environments\/values\/prod\.yaml\)/);
  });

  test(`[helm ${major}] requireDeployedIn refuses a digest staging never ran`, async () => {
    await ok(app.dir, ['set-image', 'web', '1.28.0', '--commit']);
    await ok(app.dir, ['publish', 'dev', '--version', '1.2.0']);
    await ok(deployer, ['promote', 'dev', 'staging', '--yes']);
    const refused = await cli(deployer, ['promote', 'staging', 'prod', '--yes']);
    assert.equal(refused.exitCode, 1, refused.stdout);
    assert.match(refused.stderr, /1\.2\.0 \(sha256:[a-f0-9]{64}\) has not been deployed and tested successfully in staging.*staging never ran it/);
  });

  test(`[helm ${major}] uncommitted files an approval environment would run are refused for publish and deploy --local; others warn`, async () => {
    const prodValues = join(app.dir, 'environments', 'values', 'prod.yaml');
    const before = readFileSync(prodValues, 'utf8');
    writeFileSync(prodValues, `${before}extra: uncommitted\n`);
    try {
      const publish = await cli(app.dir, ['publish', 'dev', '--version', '1.3.0']);
      assert.equal(publish.exitCode, 1, publish.stdout);
      assert.match(publish.stderr, /Uncommitted changes that prod would run \(it requires approval\): environments\/values\/prod\.yaml\. Nothing was published/);
      const local = await cli(app.dir, ['deploy', 'prod', '--local', '--yes']);
      assert.equal(local.exitCode, 1, local.stdout);
      assert.match(local.stderr, /Uncommitted changes that prod would run .*environments\/values\/prod\.yaml\. Nothing was deployed/);
      const devLocal = await cli(app.dir, ['diff', 'dev', '--local']);
      assert.notEqual(devLocal.exitCode, 1, devLocal.stderr);
    } finally {
      writeFileSync(prodValues, before);
    }
    const devValues = join(app.dir, 'environments', 'values', 'dev.yaml');
    const devBefore = readFileSync(devValues, 'utf8');
    writeFileSync(devValues, `${devBefore}extra: uncommitted\n`);
    try {
      const local = await cli(app.dir, ['deploy', 'dev', '--local', '--yes', '--dry-run']);
      assert.equal(local.exitCode, 0, local.stderr);
      assert.match(local.stderr, /Deploying uncommitted changes to dev: environments\/values\/dev\.yaml/);
    } finally {
      writeFileSync(devValues, devBefore);
    }
  });

  test(`[helm ${major}] watch deploys from the repository with no checkout at all`, async () => {
    const r = await ok(agent, ['watch', 'dev', '--once', '--output', 'json']);
    assert.match(r.stdout, /"event":"deployed".*"version":"1\.2\.0"/);
    assert.equal(image('shop-dev'), 'ghcr.io/acme/shop-web:1.28.0');
  });
}
