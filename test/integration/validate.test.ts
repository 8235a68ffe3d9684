import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { fixtureDefinitions, writeFixtureSchemas } from '../support/kube-schema-fixture.js';
import { COMPILE_THRESHOLD } from '../../src/core/schema/schema-compiler.js';

let dir: string;
let schemas: string;
let server: Server;
let base: string;
const requests: { path: string; auth?: string }[] = [];

/** The fixture definitions as the API server publishes them under /openapi/v3: components, allOf-wrapped refs. */
function openApiDocument(group: string, version: string): object {
  const json = JSON.stringify(fixtureDefinitions.definitions).replace(/"\$ref":"#\/definitions\/([^"]+)"/g, '"allOf":[{"$ref":"#/components/schemas/$1"}]');
  const schemas = JSON.parse(json) as Record<string, any>;
  for (const [name, s] of Object.entries(schemas)) {
    const tags = s['x-kubernetes-group-version-kind'] as { group: string; version: string }[] | undefined;
    if (tags && !tags.some((t) => t.group === group && t.version === version)) delete schemas[name];
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths: {}, components: { schemas } };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chartctl-validate-it-'));
  schemas = await writeFixtureSchemas(join(dir, 'schemas'));
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push({ path: req.url!, auth: req.headers.authorization });
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    if (url.pathname === '/base/v1.33.0/_definitions.json') return send(200, JSON.stringify(fixtureDefinitions));
    if (url.pathname.startsWith('/notjson/')) return send(200, '<html>maintenance</html>');
    if (url.pathname === '/openapi/v3') {
      return send(200, JSON.stringify({ paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=AAA' }, 'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=BBB' } } }));
    }
    if (url.pathname === '/openapi/v3/api/v1') return send(200, JSON.stringify(openApiDocument('', 'v1')));
    if (url.pathname === '/openapi/v3/apis/apps/v1') return send(200, JSON.stringify(openApiDocument('apps', 'v1')));
    send(404, '{"message":"not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  writeFileSync(join(dir, 'valid.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80, targetPort: http}]\n');
  writeFileSync(join(dir, 'invalid.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: "eighty"\n  type: Sometimes\n');
});
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A template bug the values schema cannot see: the api container's port rendered as a string. */
function breakContainerPort(appDir: string): void {
  const template = join(appDir, 'charts', 'api', 'templates', 'deployment.yaml');
  writeFileSync(template, readFileSync(template, 'utf8').replace('containerPort: {{ .Values.containerPort }}', 'containerPort: {{ .Values.containerPort | quote }}'));
}

/** A fresh cache home per call unless one is given: tests must not share compiled validators by accident. */
function cli(args: string[], env: Record<string, string> = {}, input?: string) {
  return runCli(['--cwd', dir, 'validate', ...args], { env: { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')), ...env }, input, timeoutMs: 60_000 });
}

test('files: exit 0 when valid, 1 when invalid, with the documented JSON shape', async () => {
  const ok = await cli(['-f', 'valid.yaml', '--schema-location', schemas, '--output', 'json']);
  assert.equal(ok.exitCode, 0, ok.stderr);
  const good = JSON.parse(ok.stdout);
  assert.deepEqual(good.summary, { resources: 2, valid: 2, invalid: 0, errors: 0, skipped: 0, files: 1 });
  assert.equal(good.kubeVersion, 'master');
  const bad = await cli(['-f', 'invalid.yaml', '--schema-location', schemas, '--output', 'json']);
  assert.equal(bad.exitCode, 1);
  const r = JSON.parse(bad.stdout).resources[0];
  assert.deepEqual(
    { file: r.file, document: r.document, line: r.line, apiVersion: r.apiVersion, kind: r.kind, name: r.name, status: r.status },
    { file: 'invalid.yaml', document: 0, line: 1, apiVersion: 'v1', kind: 'Service', name: 's', status: 'invalid' },
  );
  assert.deepEqual(
    r.problems.map((p: any) => [p.path, p.line, p.column]),
    [
      ['spec.ports[0].port', 6, 5],
      ['spec.type', 7, 3],
    ],
  );
});

test('text output names file:line:col, the path and what was expected; stdin works', async () => {
  const r = await cli(['--schema-location', schemas], {}, readFileSync(join(dir, 'invalid.yaml'), 'utf8'));
  assert.equal(r.exitCode, 1);
  assert.match(r.stdout, /^v1\/Service s stdin:1: invalid\n {2}stdin:6:5: spec\.ports\[0\]\.port: expected integer, got string\n {2}stdin:7:3: spec\.type: must be one of: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n/);
});

test('junit and tap output for CI', async () => {
  const junit = await cli(['-f', 'invalid.yaml', '-f', 'valid.yaml', '--schema-location', schemas, '--output', 'junit']);
  assert.equal(junit.exitCode, 1);
  assert.match(junit.stdout + junit.stderr, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="chartctl validate" time="[\d.]+" tests="3" failures="1" disabled="0" errors="0">/);
  assert.equal((junit.stdout.match(/<testsuite /g) ?? []).length, 2);
  const tap = await cli(['-f', 'valid.yaml', '--schema-location', schemas, '--output', 'tap', '--summary']);
  assert.equal(tap.exitCode, 0);
  // kubeconform's TAP lines (pkg/output/tap.go): path (apiVersion/Kind/namespace/name), no summary comment.
  assert.deepEqual(tap.stdout.trim().split('\n'), ['TAP version 13', 'ok 1 - valid.yaml (v1/ConfigMap//c)', 'ok 2 - valid.yaml (v1/Service//s)', '1..2']);
});

test('bad input: unparseable YAML, no kind, missing file, bad version, bad template, missing --cache dir', async () => {
  writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n    oops: here\n---\nmetadata: {name: nokind}\n');
  const r = await cli(['-f', 'broken.yaml', '--schema-location', schemas]);
  assert.equal(r.exitCode, 1);
  assert.match(r.stdout, /broken\.yaml:9:\d+: not valid YAML/);
  assert.match(r.stdout, /kind: missing 'kind'/);
  assert.match(r.stdout, /1 of 3 resources valid|2 of 3 resources failed/);
  const missing = await cli(['-f', 'nope.yaml']);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /nope\.yaml: no such file or directory/);
  const version = await cli(['-f', 'valid.yaml', '--kube-version', 'one.two']);
  assert.equal(version.exitCode, 1);
  assert.match(version.stderr, /--kube-version "one\.two" is not a Kubernetes version/);
  const template = await cli(['-f', 'valid.yaml', '--schema-location', 'x/{{ .Foo }}.json']);
  assert.equal(template.exitCode, 1);
  assert.match(template.stderr, /it has no field "Foo"/);
  const cache = await cli(['-f', 'valid.yaml', '--cache', 'no-such-dir']);
  assert.equal(cache.exitCode, 1);
  assert.match(cache.stderr, /--cache no-such-dir: no such directory/);
});

test('a location that 404s or is not JSON is reported, and the next location is tried', async () => {
  const r = await cli(['-f', 'valid.yaml', '--schema-location', `${base}/missing/{{ .ResourceKind }}.json`, '--schema-location', `${base}/notjson/{{ .ResourceKind }}.json`, '--output', 'json']);
  assert.equal(r.exitCode, 1);
  const message = JSON.parse(r.stdout).resources[0].problems[0].message as string;
  assert.match(message, /could not find a schema for v1\/ConfigMap/);
  assert.match(message, /missing\/configmap\.json/);
  assert.match(message, /notjson\/configmap\.json is not JSON/);
  const fallback = await cli(['-f', 'valid.yaml', '--schema-location', `${base}/missing/{{ .ResourceKind }}.json`, '--schema-location', schemas]);
  assert.equal(fallback.exitCode, 0, fallback.stdout);
});

test('default location over HTTP: cached on disk, second run makes no request and compiles nothing; a corrupt cache file is refetched', async () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const env = { CHARTCTL_SCHEMA_BASE_URL: `${base}/base`, XDG_CACHE_HOME: home };
  // Enough ConfigMaps to be worth compiling; the one Service is checked by walking its schema.
  writeFileSync(join(dir, 'many.yaml'), Array.from({ length: COMPILE_THRESHOLD + 100 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\ndata: {a: b}\n`).join('---\n') + '---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n');
  const count = () => requests.filter((q) => q.path === '/base/v1.33.0/_definitions.json').length;
  const before = count();
  const first = await cli(['-f', 'many.yaml', '--kube-version', '1.33', '--output', 'json'], env);
  assert.equal(first.exitCode, 0, first.stdout + first.stderr);
  assert.equal(count(), before + 1);
  assert.deepEqual(JSON.parse(first.stdout).compiled, { compiled: 1, fromCache: 0, interpreted: 1 });
  const second = await cli(['-f', 'many.yaml', '--kube-version', '1.33', '--output', 'json'], env);
  assert.equal(second.exitCode, 0);
  assert.equal(count(), before + 1, 'served from the cache');
  assert.deepEqual(JSON.parse(second.stdout).compiled, { compiled: 0, fromCache: 1, interpreted: 1 });
  const cacheFile = join(home, 'chartctl', 'schemas', createHash('sha256').update(`${base}/base/v1.33.0/_definitions.json`).digest('hex'));
  assert.ok(readdirSync(join(home, 'chartctl', 'schemas')).length === 1);
  writeFileSync(cacheFile, '{"definitions": {trunc');
  const third = await cli(['-f', 'valid.yaml', '--kube-version', '1.33'], env);
  assert.equal(third.exitCode, 0, third.stdout);
  assert.match(third.stdout, /warning: ignored a corrupt cache entry/);
  assert.equal(count(), before + 2);
  JSON.parse(readFileSync(cacheFile, 'utf8'));
  const offline = await cli(['-f', 'valid.yaml', '--kube-version', '1.30', '--offline'], env);
  assert.equal(offline.exitCode, 1);
  assert.match(offline.stdout, /--offline forbids fetching it/);
});

test('CHARTCTL_SCHEMA_LOCATION stands in for --schema-location, as the lint and deploy hint says', async () => {
  const r = await cli(['-f', 'valid.yaml', '--output', 'json'], { CHARTCTL_SCHEMA_LOCATION: schemas, CHARTCTL_SCHEMA_BASE_URL: 'http://127.0.0.1:1/unreachable' });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(out.resources.length >= 2 && out.resources.every((x: any) => x.status === 'valid' && x.schema.startsWith(schemas)), JSON.stringify(out.resources.map((x: any) => x.schema)));
  const flagWins = await cli(['-f', 'valid.yaml', '--schema-location', schemas], { CHARTCTL_SCHEMA_LOCATION: 'http://127.0.0.1:1/nothing/{{ .ResourceKind }}.json' });
  assert.equal(flagWins.exitCode, 0, flagWins.stdout);
});

test('the cluster source: /openapi/v3 of the kube context, with its bearer token; an unreachable cluster is an error', async () => {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts:\n- name: test\n  context: {cluster: c, user: u}\n- name: other\n  context: {cluster: down, user: u}\nclusters:\n- name: c\n  cluster: {server: "${base}"}\n- name: down\n  cluster: {server: "http://127.0.0.1:1"}\nusers:\n- name: u\n  user: {token: sekret-token}\n`,
  );
  writeFileSync(join(dir, 'deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    spec:\n      containers: [{name: c, image: x, imagePullPolice: Always}]\n');
  const r = await cli(['-f', 'deploy.yaml', '-f', 'valid.yaml', '--schema-location', `${base}/missing/{{ .ResourceKind }}.json`, '--cluster', '--kube-context', 'test', '--strict', '--output', 'json'], { KUBECONFIG: kubeconfig });
  const out = JSON.parse(r.stdout);
  assert.equal(r.exitCode, 1, r.stdout + r.stderr);
  assert.deepEqual(out.resources.map((x: any) => [x.kind, x.status, x.schema]), [
    ['Deployment', 'invalid', 'cluster test (apis/apps/v1)'],
    ['ConfigMap', 'valid', 'cluster test (api/v1)'],
    ['Service', 'valid', 'cluster test (api/v1)'],
  ]);
  assert.equal(out.resources[0].problems[0].path, 'spec.template.spec.containers[0].imagePullPolice');
  assert.ok(requests.some((q) => q.path === '/openapi/v3' && q.auth === 'Bearer sekret-token'));
  const down = await cli(['-f', 'valid.yaml', '--schema-location', schemas, '--cluster'], { KUBECONFIG: kubeconfig });
  assert.equal(down.exitCode, 0, 'the schema location answers first');
  writeFileSync(join(dir, 'job.yaml'), 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n');
  // Not in the schema location, so the (unreachable) cluster is asked.
  const unreachable = await cli(['-f', 'job.yaml', '--schema-location', schemas, '--cluster'], { KUBECONFIG: kubeconfig });
  assert.equal(unreachable.exitCode, 1);
  assert.match(unreachable.stdout, /cluster \(context other\) did not serve its schemas: failed downloading http:\/\/127\.0\.0\.1:1\/openapi\/v3: connection refused/);
  // --cluster alone: no dummy --schema-location to keep the (here unreachable) default location from being asked first.
  const clusterOnly = await cli(['-f', 'valid.yaml', '--cluster', '--kube-context', 'test', '--output', 'json'], { KUBECONFIG: kubeconfig, CHARTCTL_SCHEMA_BASE_URL: 'http://127.0.0.1:1/unreachable' });
  assert.equal(clusterOnly.exitCode, 0, clusterOnly.stdout + clusterOnly.stderr);
  assert.deepEqual(JSON.parse(clusterOnly.stdout).resources.map((x: any) => x.schema), ['cluster test (api/v1)', 'cluster test (api/v1)']);
  const noContext = await cli(['-f', 'valid.yaml', '--cluster', '--kube-context', 'nope'], { KUBECONFIG: kubeconfig });
  assert.equal(noContext.exitCode, 1);
  assert.match(noContext.stderr, /Kube context "nope" is not in the kubeconfig/);
});

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`validate an environment: rendered with its CRDs by ${major}, kubeVersion from the environment`, async () => {
    const app = copyExampleApp();
    try {
      const env = { CHARTCTL_HELM: helm, CHARTCTL_SCHEMA_BASE_URL: schemas, XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) };
      const r = await runCli(['--cwd', app.dir, 'validate', 'dev', '--strict', '--output', 'json'], { env });
      assert.equal(r.exitCode, 0, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.kubeVersion, '1.33');
      assert.ok(out.summary.valid >= 10, JSON.stringify(out.summary));
      assert.ok(out.resources.every((x: any) => x.file === 'rendered:dev' && x.source?.startsWith('shop/')));
      // A schema violation in a chart value surfaces with the template that rendered it.
      breakContainerPort(app.dir);
      const bad = await runCli(['--cwd', app.dir, 'validate', 'dev'], { env });
      assert.equal(bad.exitCode, 1, bad.stdout);
      assert.match(bad.stdout, /apps\/v1\/Deployment .*shop-api .*shop\/charts\/api\/templates\/deployment\.yaml/);
      assert.match(bad.stdout, /rendered:dev:\d+:\d+: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort: expected integer, got string/);
    } finally {
      app.remove();
    }
  });
}

test('lint reports schema findings, and degrades to one warning when no schema can be had', async () => {
  const app = copyExampleApp();
  try {
    const ok = await runCli(['--cwd', app.dir, 'lint', 'dev', '--output', 'json'], { env: { CHARTCTL_SCHEMA_LOCATION: schemas, XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) } });
    const okFindings = JSON.parse(ok.stdout).environments[0].findings;
    assert.ok(!okFindings.some((f: any) => f.check === 'schema'), JSON.stringify(okFindings));
    breakContainerPort(app.dir);
    const bad = await runCli(['--cwd', app.dir, 'lint', 'dev', '--output', 'json'], { env: { CHARTCTL_SCHEMA_LOCATION: schemas, XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) } });
    assert.equal(bad.exitCode, 1);
    const schemaFindings = JSON.parse(bad.stdout).environments[0].findings.filter((f: any) => f.check === 'schema');
    assert.equal(schemaFindings.length, 1, JSON.stringify(schemaFindings));
    assert.equal(schemaFindings[0].severity, 'error');
    assert.equal(schemaFindings[0].source, 'shop/charts/api/templates/deployment.yaml');
    assert.equal(schemaFindings[0].message, 'spec.template.spec.containers[0].ports[0].containerPort: expected integer, got string');
    const offline = await runCli(['--cwd', app.dir, 'lint', 'dev', '--output', 'json'], { env: { CHARTCTL_SCHEMA_BASE_URL: 'http://127.0.0.1:1/schemas', XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) } });
    const warnings = JSON.parse(offline.stdout).environments[0].findings.filter((f: any) => f.check === 'schema');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0].severity, 'warning');
    assert.match(warnings[0].message, /^schemas unavailable, \d+ resources not schema-checked: .*connection refused.*CHARTCTL_SCHEMA_LOCATION/);
  } finally {
    app.remove();
  }
});
