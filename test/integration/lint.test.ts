import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFixtureSchemas } from '../support/kube-schema-fixture.js';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';

let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
});
after(() => app.remove());

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`lint passes every environment of the example app with ${major}`, async () => {
    const r = await runCli(['lint', '--output', 'json'], { cwd: app.dir, env: { CHARTCTL_HELM: helm } });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.ok, true);
    assert.deepEqual(result.environments.map((e: any) => e.env), ['dev', 'prod', 'staging']);
    for (const env of result.environments) {
      assert.ok(env.resources >= 10, `${env.env} rendered ${env.resources} resources`);
      assert.equal(env.counts.error, 0, JSON.stringify(env.findings));
    }
  });
}

test('lint reports a template that renders broken YAML, naming the template', async () => {
  const broken = copyExampleApp();
  try {
    writeFileSync(join(broken.dir, 'charts/shop/templates/broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  a: {{ "[" }}\n');
    const r = await runCli(['lint', 'staging', '--output', 'json'], { cwd: broken.dir });
    assert.equal(r.exitCode, 1, r.stderr);
    const findings = JSON.parse(r.stdout).environments[0].findings;
    assert.ok(findings.some((f: any) => f.severity === 'error' && f.source === 'templates/broken.yaml' && /parse YAML/.test(f.message)), JSON.stringify(findings));
  } finally {
    broken.remove();
  }
});

test('a values.schema.json that is no valid schema is a values-schema finding in each environment, beside helm lint\'s, not a crash', async () => {
  const broken = copyExampleApp();
  try {
    writeFileSync(join(broken.dir, 'charts/shop/values.schema.json'), '{"$schema": "http://json-schema.org/draft-07/schema#", "type": 5}\n');
    const r = await runCli(['lint', 'dev', 'prod', '--output', 'json'], { cwd: broken.dir });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /unexpected internal error/);
    for (const env of JSON.parse(r.stdout).environments) {
      const errors = env.findings.filter((f: any) => f.severity === 'error');
      assert.ok(errors.some((f: any) => f.check === 'values-schema' && f.source === 'charts/shop/values.schema.json' && /^the schema itself: schema is invalid: data\/type /.test(f.message)), JSON.stringify(errors));
      assert.ok(errors.some((f: any) => f.check === 'helm-lint'), `helm lint's own finding is kept: ${JSON.stringify(errors)}`);
    }
  } finally {
    broken.remove();
  }
});

test('lint reports duplicates, values-schema violations and policies', async () => {
  const broken = copyExampleApp();
  try {
    writeFileSync(join(broken.dir, 'charts/shop/templates/dup.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-api\nspec:\n  ports: [{port: 80}]\n');
    writeFileSync(join(broken.dir, 'charts/shop/templates/latest.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cron\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: "busybox:latest"}]\n');
    // helm refuses to render values that break the schema, so that goes into dev only
    const dev = join(broken.dir, 'environments/values/dev.yaml');
    writeFileSync(dev, `${readFileSync(dev, 'utf8')}database:\n  port: 5432\n`);
    const r = await runCli(['lint', 'prod', 'dev', '--output', 'json'], { cwd: broken.dir });
    assert.equal(r.exitCode, 1, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.ok, false);
    const prodFindings = result.environments.find((e: any) => e.env === 'prod').findings;
    const byCheck = (c: string) => prodFindings.filter((f: any) => f.check === c);
    assert.ok(byCheck('duplicate').some((f: any) => f.resource === 'v1/Service shop-prod/shop-api' && /shop\/templates\/dup\.yaml/.test(f.source)), JSON.stringify(byCheck('duplicate')));
    const devFindings = result.environments.find((e: any) => e.env === 'dev').findings;
    assert.deepEqual(devFindings.filter((f: any) => f.severity === 'error').map((f: any) => [f.check, f.message]), [['values-schema', 'values database: unknown key "port"']]);
    assert.ok(byCheck('image-tag').some((f: any) => f.severity === 'warning' && /latest/.test(f.message)));
    assert.ok(byCheck('resources').length >= 1 && byCheck('probes').length >= 1);
    // text report: grouped by environment, one summary line
    const text = await runCli(['lint', 'dev'], { cwd: broken.dir });
    assert.equal(text.exitCode, 1);
    assert.match(text.stdout, /^dev: FAILED/m);
    assert.match(text.stdout, /^1 environment: 1 error, \d+ warnings? — lint failed$/m);
  } finally {
    broken.remove();
  }
});

test('a policy raised to error fails lint', async () => {
  const strict = copyExampleApp();
  try {
    const envFile = join(strict.dir, 'environments/dev.yaml');
    writeFileSync(envFile, `${readFileSync(envFile, 'utf8')}policies: {image-tag: error}\n`);
    writeFileSync(join(strict.dir, 'environments/values/dev.yaml'), readFileSync(join(strict.dir, 'environments/values/dev.yaml'), 'utf8').replace(/tag: "1\.1\.0-dev\.3"/g, 'tag: latest'));
    const r = await runCli(['lint', 'dev', '--output', 'json'], { cwd: strict.dir });
    assert.equal(r.exitCode, 1);
    const f = JSON.parse(r.stdout).environments[0].findings.filter((x: any) => x.check === 'image-tag');
    assert.equal(f.length, 2);
    assert.ok(f.every((x: any) => x.severity === 'error'));
  } finally {
    strict.remove();
  }
});

// kube-prometheus-stack with its ci/03-non-defaults-values.yaml renders a document with a key
// given twice; helm lint --strict passes and the API server keeps the last value. Reproduced here
// with a template that repeats a label: one warning naming the key and the line, in lint and in
// validate alike, and the resource still schema-checked (here: found invalid, with the last value).
test('a duplicated mapping key is one warning naming the key and line, in lint and validate; the resource is still validated', async () => {
  const dupApp = copyExampleApp();
  const schemasFile = join(await writeFixtureSchemas(mkdtempSync(join(tmpdir(), 'chartctl-lint-schemas-'))), '_definitions.json');
  try {
    writeFileSync(
      join(dupApp.dir, 'charts/shop/templates/dup.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: dup\n  labels:\n    team: a\n    team: b\nspec:\n  ports:\n    - port: "eighty"\n',
    );
    const r = await runCli(['lint', 'dev', '--output', 'json'], { cwd: dupApp.dir, env: { CHARTCTL_SCHEMA_LOCATION: schemasFile } });
    const findings: any[] = JSON.parse(r.stdout).environments[0].findings;
    const dup = findings.filter((f) => f.source === 'shop/templates/dup.yaml');
    assert.deepEqual(
      dup.map((f) => [f.severity, f.check]),
      [
        ['warning', 'duplicate-key'],
        ['error', 'schema'],
      ],
      JSON.stringify(findings),
    );
    // Line 8: the document starts with helm's "# Source:" comment, then the template's 7 lines.
    assert.match(dup[0].message, /line 8 of the document: metadata\.labels\.team: key "team" given more than once; the API server keeps the last value/);
    assert.match(dup[1].message, /spec\.ports\[0\]\.port: expected integer/);
    assert.ok(!findings.some((f) => /not valid YAML/.test(f.message)), JSON.stringify(findings));
    const v = await runCli(['validate', 'dev', '--schema-location', schemasFile], { cwd: dupApp.dir });
    assert.equal(v.exitCode, 1, v.stdout + v.stderr);
    assert.match(v.stdout, /^warning: rendered:dev:\d+:5: metadata\.labels\.team: key "team" given more than once; the API server keeps the last value \(an error with --strict\)$/m);
    assert.match(v.stdout, /v1\/Service dup shop\/templates\/dup\.yaml[^\n]*: invalid\n {2}rendered:dev:\d+:\d+: spec\.ports\[0\]\.port: expected integer/);
  } finally {
    dupApp.remove();
    rmSync(dirname(schemasFile), { recursive: true, force: true });
  }
});

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`lint keeps helm's template error text and reports a failing required as a render error with ${major}`, async () => {
    const broken = copyExampleApp();
    try {
      writeFileSync(join(broken.dir, 'charts/shop/templates/nil.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nil\ndata:\n  y: {{ .Values.nothing.deep }}\n');
      writeFileSync(join(broken.dir, 'charts/shop/templates/req.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: req\ndata:\n  x: {{ required "x is required" .Values.x }}\n');
      const r = await runCli(['lint', 'dev', '--output', 'json'], { cwd: broken.dir, env: { CHARTCTL_HELM: helm } });
      assert.equal(r.exitCode, 1, r.stderr);
      const errors: any[] = JSON.parse(r.stdout).environments[0].findings.filter((f: any) => f.severity === 'error');
      assert.ok(errors.some((f) => f.check === 'helm-lint' && /shop\/templates\/nil\.yaml:6:\d+: executing "shop\/templates\/nil\.yaml" at <\.Values\.nothing\.deep>: nil pointer evaluating interface \{\}\.deep/.test(f.message)), JSON.stringify(errors));
      assert.ok(errors.some((f) => f.check === 'render' && /^missing required value: x is required/.test(f.message)), JSON.stringify(errors));
    } finally {
      broken.remove();
    }
  });
}
