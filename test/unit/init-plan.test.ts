import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { planInit, type InitInputs, type PlannedFile } from '../../src/core/init/init-plan.js';
import { projectRoot } from '../support/project.js';

const RECIPIENT = 'age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv';
const base: InitInputs = { envs: ['dev', 'staging', 'prod'], appName: 'shop', repositoryBase: 's3://acme-charts', ageRecipient: RECIPIENT, existing: new Set(), gitDir: true };

const byPath = (files: PlannedFile[]) => new Map(files.map((f) => [f.path, f]));
const written = (files: PlannedFile[], path: string): string => {
  const f = byPath(files).get(path);
  assert.ok(f && f.action === 'write', `${path} is written (got ${f?.action})`);
  return f.content.toString();
};

test('init plan, no chart: a starter chart, one environment file per environment chained for promotion, each loaded by chartctl', () => {
  const plan = planInit(base);
  assert.equal(plan.chart, 'charts/shop');
  assert.match(written(plan.files, 'charts/shop/Chart.yaml'), /^name: shop$/m);
  const envs = ['dev', 'staging', 'prod'].map((name) => parseEnvironment(name, `environments/${name}.yaml`, written(plan.files, `environments/${name}.yaml`)));
  assert.deepEqual(envs.map((e) => [e.chart, e.release, e.namespace, e.repository.url]), [
    ['charts/shop', 'shop', 'shop-dev', 's3://acme-charts/dev'],
    ['charts/shop', 'shop', 'shop-staging', 's3://acme-charts/staging'],
    ['charts/shop', 'shop', 'shop-prod', 's3://acme-charts/prod'],
  ]);
  assert.deepEqual(envs.map((e) => [e.promotion.from, e.promotion.allowPrerelease, e.promotion.requireApproval]), [
    [undefined, true, false],
    ['dev', false, false],
    ['staging', false, true],
  ]);
  assert.deepEqual(envs[2]!.values, ['environments/values/common.yaml', 'environments/values/prod.yaml']);
  assert.deepEqual(envs[2]!.secrets, ['environments/secrets/prod.yaml']);
  for (const path of ['environments/values/common.yaml', 'environments/values/dev.yaml', 'environments/values/prod.yaml']) written(plan.files, path);
  const secrets = byPath(plan.files).get('environments/secrets/dev.yaml');
  assert.ok(secrets?.action === 'write' && secrets.encrypt, 'secrets files are written encrypted');
  assert.deepEqual(parse(written(plan.files, '.sops.yaml')).creation_rules, [{ path_regex: '^environments/secrets/[^/]+\\.ya?ml$', age: RECIPIENT }]);
  const hook = byPath(plan.files).get('.git/hooks/pre-commit');
  assert.ok(hook?.action === 'write' && hook.mode === 0o755 && /chartctl secrets check/.test(hook.content.toString()));
});

test('init plan: every key of the README environment file reference is documented in the generated file', () => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Environment file reference'), readme.indexOf('### Values layering'));
  const keys = [...section.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`([^`]+)`/g)].map((k) => k[1]!));
  assert.ok(keys.length >= 20, `read the README's keys (${keys.join(', ')})`);
  const text = written(planInit(base).files, 'environments/prod.yaml');
  for (const key of keys) {
    const leaf = key.split('.').pop()!;
    assert.match(text, new RegExp(`^ *(# *)?${leaf}:`, 'm'), `${key} is in the generated environment file (set, or commented out)`);
  }
});

test('init plan, --chart DIR: no starter chart; environments name the chart directory; --kube-context written', () => {
  const plan = planInit({ ...base, chart: { dir: 'deploy/helm/api', name: 'api' }, appName: 'api', kubeContext: 'prod-eu' });
  assert.equal(plan.chart, 'deploy/helm/api');
  assert.ok(!plan.files.some((f) => f.path.startsWith('charts/')), 'no starter chart');
  const env = parseEnvironment('dev', 'environments/dev.yaml', written(plan.files, 'environments/dev.yaml'));
  assert.equal(env.chart, 'deploy/helm/api');
  assert.equal(env.release, 'api');
  assert.equal(env.kubeContext, 'prod-eu');
});

test('init plan, --envs list: exactly those environments, in that promotion order; a single one needs no approval', () => {
  const two = planInit({ ...base, envs: ['qa', 'live'] });
  assert.deepEqual(two.files.filter((f) => /^environments\/[^/]+\.yaml$/.test(f.path)).map((f) => f.path), ['environments/qa.yaml', 'environments/live.yaml']);
  assert.equal(parseEnvironment('live', 'live.yaml', written(two.files, 'environments/live.yaml')).promotion.from, 'qa');
  const one = parseEnvironment('dev', 'dev.yaml', written(planInit({ ...base, envs: ['dev'] }).files, 'environments/dev.yaml'));
  assert.equal(one.promotion.requireApproval, false);
});

test('init plan: existing files are kept, .gitignore gets only the missing entries, no .git means no hook', () => {
  const existing = new Set(['environments/dev.yaml', '.sops.yaml', 'charts/shop/values.yaml', 'environments/secrets/dev.yaml']);
  const plan = planInit({ ...base, existing, gitignore: 'node_modules/\n.chartctl/', gitDir: false });
  const files = byPath(plan.files);
  for (const path of existing) assert.deepEqual(files.get(path), { path, action: 'keep', reason: 'exists' });
  assert.equal(files.get('environments/prod.yaml')?.action, 'write');
  assert.deepEqual(files.get('.gitignore'), { path: '.gitignore', action: 'append', added: ['charts/*/charts/*.tgz'], content: 'node_modules/\n.chartctl/\n\n# chartctl\ncharts/*/charts/*.tgz\n' });
  assert.match((files.get('.git/hooks/pre-commit') as { reason: string }).reason, /no \.git directory/);
  const again = planInit({ ...base, existing: new Set(plan.files.map((f) => f.path)), gitignore: '.chartctl/\ncharts/*/charts/*.tgz\n' });
  assert.deepEqual(again.files.filter((f) => f.action !== 'keep'), [], 'a second init writes nothing');
});

test('init plan, --ci github: a workflow that parses and names lint, diff, publish and a deploy job per environment', () => {
  const plan = planInit({ ...base, ci: 'github' });
  const wf = parse(written(plan.files, '.github/workflows/chartctl.yml'));
  assert.deepEqual(Object.keys(wf.jobs), ['lint', 'diff', 'publish', 'deploy-dev', 'deploy-staging', 'deploy-prod']);
  assert.ok('pull_request' in wf.on && wf.on.push.branches.includes('main'));
  const runs = (job: string) => (wf.jobs[job].steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
  assert.match(wf.jobs.diff.if, /pull_request/);
  assert.deepEqual(wf.jobs.diff.strategy.matrix.env, ['dev', 'staging', 'prod']);
  assert.match(runs('diff'), /chartctl diff \$\{\{ matrix\.env \}\} --local --output markdown >> "\$GITHUB_STEP_SUMMARY"/);
  assert.match(runs('lint'), /chartctl lint --output markdown >> "\$GITHUB_STEP_SUMMARY"/);
  assert.match(wf.jobs.publish.if, /refs\/heads\/main/);
  assert.match(runs('publish'), /chartctl publish dev/);
  for (const [env, previous] of [['dev', undefined], ['staging', 'dev'], ['prod', 'staging']] as const) {
    const job = wf.jobs[`deploy-${env}`];
    assert.equal(job.environment, env, 'GitHub environments carry the approval');
    assert.deepEqual(job.concurrency, { group: `chartctl-shop-${env}`, 'cancel-in-progress': false });
    assert.deepEqual(job.needs, [previous ? `deploy-${previous}` : 'publish']);
    if (previous) assert.match(runs(`deploy-${env}`), new RegExp(`chartctl promote ${previous} ${env} --yes\\n[^]*chartctl deploy ${env} --yes`));
  }
  assert.ok(!/cancel-in-progress: true/.test(written(plan.files, '.github/workflows/chartctl.yml')));
});

test('init plan, --ci gitlab: a pipeline that parses, with resource_group per environment and manual protected environments', () => {
  const plan = planInit({ ...base, ci: 'gitlab' });
  const ci = parse(written(plan.files, '.gitlab-ci.yml'));
  assert.deepEqual(ci.stages, ['lint', 'diff', 'publish', 'deploy']);
  for (const job of ['lint', 'diff', 'publish', 'deploy-dev', 'deploy-staging', 'deploy-prod']) assert.ok(ci[job], `job ${job}`);
  assert.equal(ci.diff.rules[0].if, '$CI_PIPELINE_SOURCE == "merge_request_event"');
  assert.deepEqual(ci.diff.parallel.matrix, [{ ENV: ['dev', 'staging', 'prod'] }]);
  assert.match(ci.diff.script.join('\n'), /chartctl diff "\$ENV" --local --output markdown/);
  for (const env of ['dev', 'staging', 'prod']) {
    const job = ci[`deploy-${env}`];
    assert.equal(job.environment.name, env);
    assert.equal(job.resource_group, `chartctl-shop-${env}`);
    assert.equal(job.rules[0].when, env === 'dev' ? undefined : 'manual');
  }
  assert.equal(ci['deploy-prod'].allow_failure, false, 'the manual gate blocks the pipeline');
  assert.deepEqual(ci['deploy-prod'].script, ['chartctl promote staging prod --yes', 'chartctl deploy prod --yes']);
});

test('init plan: a live release\'s values and namespace go to the first environment', () => {
  const plan = planInit({ ...base, releaseValues: 'replicaCount: 3\n', releaseNamespace: 'legacy' });
  assert.match(written(plan.files, 'environments/values/dev.yaml'), /^replicaCount: 3$/m);
  assert.equal(parseEnvironment('dev', 'dev.yaml', written(plan.files, 'environments/dev.yaml')).namespace, 'legacy');
  assert.equal(parseEnvironment('prod', 'prod.yaml', written(plan.files, 'environments/prod.yaml')).namespace, 'shop-prod');
});

test('init plan: a live release\'s chart goes to charts/<chart name>/ instead of the starter chart; existing files of it are kept; --chart wins', () => {
  const releaseChart = { name: 'web', files: [{ path: 'Chart.yaml', content: Buffer.from('name: web\n') }, { path: 'templates/a.yaml', content: Buffer.from('a: 1\n') }] };
  const plan = planInit({ ...base, releaseChart, existing: new Set(['charts/web/templates/a.yaml']) });
  assert.equal(plan.chart, 'charts/web');
  assert.equal(parseEnvironment('dev', 'dev.yaml', written(plan.files, 'environments/dev.yaml')).chart, 'charts/web');
  assert.equal(written(plan.files, 'charts/web/Chart.yaml'), 'name: web\n');
  assert.deepEqual(byPath(plan.files).get('charts/web/templates/a.yaml'), { path: 'charts/web/templates/a.yaml', action: 'keep', reason: 'exists' });
  assert.deepEqual(plan.files.filter((f) => f.path.startsWith('charts/')).map((f) => f.path), ['charts/web/Chart.yaml', 'charts/web/templates/a.yaml'], 'no starter chart');
  const own = planInit({ ...base, releaseChart, chart: { dir: 'deploy/chart', name: 'shop' } });
  assert.equal(own.chart, 'deploy/chart');
  assert.ok(!own.files.some((f) => f.path.startsWith('charts/')), 'nothing written over --chart');
});
