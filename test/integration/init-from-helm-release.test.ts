/**
 * chartctl init --from-helm-release on the Kubernetes simulator with the real helm 3 and 4:
 * a chart with a helper template, a file, a values schema and a subchart is installed by
 * helm itself; the adopted repository renders exactly what helm get manifest shows and lints.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { load } from 'js-yaml';
import { startSimulator, type Simulator } from '../../src/sandbox/simulator.js';
import { kubeconfigYaml } from '../../src/sandbox/kubeconfig.js';
import { fixtureDefinitions } from '../support/kube-schema-fixture.js';
import { helmBinaries, runCli, type CliRun } from '../support/project.js';

const execFileAsync = promisify(execFile);

let sim: Simulator;
let home: string;
let env: Record<string, string | undefined>;

/** The chart as its author keeps it; cache is a subchart fetched from a file:// repository. */
const CHART: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.3\nappVersion: "4.5"\ndescription: A web app\ndependencies:\n  - name: cache\n    version: 0.1.0\n    repository: file://CACHE_DIR\n',
  'values.yaml': '# how many pods\nreplicas: 1\nimage: nginx:1.27\ncache:\n  size: 2\n',
  'values.schema.json': '{"$schema":"https://json-schema.org/draft-07/schema#","type":"object","properties":{"replicas":{"type":"integer","minimum":1}},"required":["replicas"]}\n',
  'templates/_helpers.tpl': '{{- define "web.fullname" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}\n{{- define "web.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/instance: {{ .Release.Name }}\n{{- end -}}\n',
  'templates/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "web.fullname" . }}\n  labels:\n    {{- include "web.labels" . | nindent 4 }}\ndata:\n  note: {{ .Files.Get "files/note.txt" | quote }}\n  replicas: {{ .Values.replicas | quote }}\n',
  'templates/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "web.fullname" . }}\n  labels:\n    {{- include "web.labels" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  selector:\n    matchLabels:\n      {{- include "web.labels" . | nindent 6 }}\n  template:\n    metadata:\n      labels:\n        {{- include "web.labels" . | nindent 8 }}\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n          resources:\n            limits: {cpu: 100m, memory: 64Mi}\n            requests: {cpu: 50m, memory: 32Mi}\n',
  'files/note.txt': 'hello from the chart\n',
};
const CACHE: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: cache\nversion: 0.1.0\n',
  'values.yaml': 'size: 1\n',
  'templates/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cache\ndata:\n  size: {{ .Values.size | quote }}\n',
};

const writeTree = (dir: string, files: Record<string, string>) => {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
};
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();

before(async () => {
  sim = await startSimulator({ readinessDelayMs: 0 });
  home = mkdtempSync(join(tmpdir(), 'chartctl-adopt-'));
  writeFileSync(join(home, 'kubeconfig'), kubeconfigYaml(sim.url));
  const schemas = join(home, 'definitions.json');
  writeFileSync(schemas, JSON.stringify(fixtureDefinitions));
  env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), KUBECONFIG: join(home, 'kubeconfig'), CHARTCTL_SCHEMA_LOCATION: schemas, HELM_DRIVER: undefined, HELM_KUBECONTEXT: undefined };
  writeTree(join(home, 'cache-src'), CACHE);
  writeTree(join(home, 'web'), { ...CHART, 'Chart.yaml': CHART['Chart.yaml']!.replace('CACHE_DIR', join(home, 'cache-src')) });
});
after(async () => {
  await sim?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const helmEnv = () => ({ ...process.env, ...env, HELM_CACHE_HOME: join(home, 'cache', 'helm'), HELM_CONFIG_HOME: join(home, 'config', 'helm'), HELM_DATA_HOME: join(home, 'data', 'helm') }) as NodeJS.ProcessEnv;
const helm = async (binary: string, args: string[], extra: Record<string, string> = {}) => (await execFileAsync(binary, args, { env: { ...helmEnv(), ...extra } })).stdout;

for (const major of ['helm3', 'helm4'] as const) {
  const binary = helmBinaries[major];
  const cli = (args: string[], cwd: string, extra: Record<string, string | undefined> = {}): Promise<CliRun> => runCli(args, { cwd, env: { ...env, CHARTCTL_HELM: binary, ...extra }, timeoutMs: 120_000 });

  test(`${major}: init --from-helm-release writes the release's chart; template renders what helm get manifest shows, and lint passes`, async () => {
    const ns = `web-${major}`;
    await helm(binary, ['dependency', 'build', join(home, 'web')]);
    await helm(binary, ['install', 'web', join(home, 'web'), '-n', ns, '--create-namespace', '--set', 'replicas=3', '--set', 'cache.size=5']);
    const app = join(home, `app-${major}`);
    mkdirSync(app);
    const r = await cli(['init', '--from-helm-release', 'web', '--namespace', ns, '--envs', 'prod'], app);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Its chart, as the release record holds it, went to charts\/web /);
    assert.match(r.stdout, new RegExp(`subchart cache 0\\.1\\.0: not in the release record .*fetch it from file://${home.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/cache-src`));
    const chartDir = join(app, 'charts', 'web');
    assert.deepEqual(filesUnder(chartDir), ['Chart.lock', 'Chart.yaml', 'files/note.txt', 'templates/_helpers.tpl', 'templates/configmap.yaml', 'templates/deployment.yaml', 'values.schema.json', 'values.yaml']);
    for (const path of ['files/note.txt', 'templates/_helpers.tpl', 'templates/configmap.yaml', 'templates/deployment.yaml', 'values.schema.json']) {
      assert.equal(readFileSync(join(chartDir, path), 'utf8'), CHART[path], `${path} is the chart's own`);
    }
    const chartYaml = load(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(chartYaml, { apiVersion: 'v2', name: 'web', version: '1.2.3', appVersion: '4.5', description: 'A web app', dependencies: [{ name: 'cache', version: '0.1.0', repository: `file://${join(home, 'cache-src')}` }] });
    const lock = (dir: string) => load(readFileSync(join(dir, 'Chart.lock'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual({ ...lock(chartDir), generated: null }, { ...lock(join(home, 'web')), generated: null }, 'the lock helm dependency build wrote, digest included');
    assert.deepEqual((load(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, any>).replicas, 1, 'the chart\'s defaults, not the release\'s');
    assert.match(readFileSync(join(app, 'environments', 'values', 'prod.yaml'), 'utf8'), /^replicas: 3$/m);

    const rendered = await cli(['template', 'prod'], app);
    assert.equal(rendered.exitCode, 0, rendered.stderr);
    const manifest = await helm(binary, ['get', 'manifest', 'web', '-n', ns]);
    assert.equal(rendered.stdout.trim(), manifest.trim());
    assert.match(manifest, /name: web-cache\n.*\n.*size: "5"/, 'the subchart rendered with the release\'s values');

    const lint = await cli(['lint', '--output', 'json'], app);
    assert.equal(lint.exitCode, 0, lint.stderr + lint.stdout);
    assert.equal(JSON.parse(lint.stdout).ok, true, lint.stdout);

    const again = await cli(['init', '--from-helm-release', 'web', '--namespace', ns, '--envs', 'prod'], app);
    assert.equal(again.exitCode, 0, again.stderr);
    assert.match(again.stdout, /kept +charts\/web\/templates\/_helpers\.tpl \(exists\)/);
    assert.doesNotMatch(again.stdout, /wrote/);

    // The adopted values.schema.json (https $schema, as charts write it) is enforced.
    writeFileSync(join(app, 'environments', 'values', 'prod.yaml'), 'replicas: 0\n');
    const refused = await cli(['lint', '--output', 'json'], app);
    assert.equal(refused.exitCode, 1, refused.stderr);
    const findings = JSON.parse(refused.stdout).environments[0].findings as { check: string; message: string }[];
    assert.ok(findings.some((f) => f.check === 'values-schema' && /values replicas: must be >= 1/.test(f.message)), JSON.stringify(findings));
  });

  test(`${major}: init --from-helm-release refuses a missing release, no cluster, and a release helm keeps in ConfigMaps, writing nothing`, async () => {
    const app = mkdtempSync(join(home, `refused-${major}-`));
    const missing = await cli(['init', '--from-helm-release', 'nope', '--namespace', `web-${major}`, '--output', 'json'], app);
    assert.equal(missing.exitCode, 1);
    assert.equal(JSON.parse(missing.stdout).error.code, 'INIT_RELEASE_NOT_FOUND', missing.stdout);
    assert.match(JSON.parse(missing.stdout).error.message, /^Cannot read the helm release nope in namespace web-helm\d: .*not found/);

    const noCluster = await cli(['init', '--from-helm-release', 'web', '--output', 'json'], app, { KUBECONFIG: join(home, 'no-such-kubeconfig') });
    assert.equal(noCluster.exitCode, 1);
    assert.equal(JSON.parse(noCluster.stdout).error.code, 'INIT_NO_CLUSTER', noCluster.stdout);
    assert.match(JSON.parse(noCluster.stdout).error.message, /needs the cluster the release runs in: No kubeconfig found/);

    const down = join(home, `kubeconfig-down-${major}`);
    writeFileSync(down, kubeconfigYaml('http://127.0.0.1:9'));
    const unreachable = await cli(['init', '--from-helm-release', 'web', '--output', 'json'], app, { KUBECONFIG: down });
    assert.equal(unreachable.exitCode, 1);
    assert.equal(JSON.parse(unreachable.stdout).error.code, 'INIT_NO_CLUSTER', unreachable.stdout);
    assert.match(JSON.parse(unreachable.stdout).error.hint, /Check that the cluster of context sandbox is up and reachable/);

    const ns = `cm-${major}`;
    await helm(binary, ['install', 'web', join(home, 'web'), '-n', ns, '--create-namespace'], { HELM_DRIVER: 'configmap' });
    assert.ok(sim.getObject('ConfigMap', ns, 'sh.helm.release.v1.web.v1'), 'helm stored the release in a ConfigMap');
    const inConfigMaps = await cli(['init', '--from-helm-release', 'web', '--namespace', ns, '--output', 'json'], app, { HELM_DRIVER: 'configmap' });
    assert.equal(inConfigMaps.exitCode, 1);
    const error = JSON.parse(inConfigMaps.stdout).error;
    assert.equal(error.code, 'INIT_RELEASE_STORAGE', inConfigMaps.stdout);
    assert.match(error.message, new RegExp(`^helm found release web revision 1 in namespace ${ns} in its configmap storage \\(HELM_DRIVER=configmap\\)`));
    assert.deepEqual(readdirSync(app), [], 'nothing written');
  });
}
