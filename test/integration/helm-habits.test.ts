/**
 * helm users' habits on the real CLI (issue #19): short flags, helm's values flags with helm's
 * semantics, -n explained, template --show-only, and `--` handing extra arguments to helm.
 * The cluster commands (--kube-context, -y, deploy -- ...) are in helm-habits-cluster.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExampleApp, helmBinaries, runCli } from '../support/project.js';
import { parseManifestStream } from '../../src/core/manifests.js';

let app: ReturnType<typeof copyExampleApp>;
before(() => {
  app = copyExampleApp();
  writeFileSync(join(app.dir, 'hotfix.yaml'), 'web:\n  replicaCount: 6\n');
  writeFileSync(join(app.dir, 'motd.txt'), 'line one\nline "two"');
  // A post-renderer as helm 3 runs it: the whole manifest on stdin, the result on stdout.
  writeFileSync(join(app.dir, 'rename.sh'), "#!/bin/sh\nsed 's/^  name: shop-/  name: renamed-shop-/'\n");
  chmodSync(join(app.dir, 'rename.sh'), 0o755);
});
after(() => app.remove());

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: app.dir, env });
const objects = (stdout: string) => parseManifestStream(stdout).map((d) => d.object as any).filter(Boolean);
const find = (stdout: string, kind: string, name: string) => objects(stdout).find((o) => o.kind === kind && o.metadata.name === name);

test('-o is --output: json before or after the command, errors included', async () => {
  const envs = await cli(['envs', '-o', 'json']);
  assert.equal(envs.exitCode, 0, envs.stderr);
  assert.deepEqual(JSON.parse(envs.stdout).map((e: any) => e.name), ['dev', 'prod', 'staging']);
  const before = await cli(['-o', 'json', 'envs']);
  assert.deepEqual(JSON.parse(before.stdout), JSON.parse(envs.stdout));
  const failed = await cli(['template', 'nowhere', '-o', 'json']);
  assert.equal(failed.exitCode, 3);
  assert.equal(JSON.parse(failed.stdout).error.code, 'ENV_NOT_FOUND');
});

test('-q is --quiet: no progress lines on stderr', async () => {
  const loud = await cli(['template', 'staging']);
  assert.match(loud.stderr, /Rendering staging/);
  const quiet = await cli(['template', 'staging', '-q']);
  assert.equal(quiet.exitCode, 0, quiet.stderr);
  assert.equal(quiet.stderr, '');
  assert.equal(quiet.stdout, loud.stdout);
});

test('-f is --values on template and lint', async () => {
  const t = await cli(['template', 'staging', '-f', 'hotfix.yaml']);
  assert.equal(t.exitCode, 0, t.stderr);
  assert.equal(find(t.stdout, 'Deployment', 'shop-web').spec.replicas, 6);
  const l = await cli(['lint', 'staging', '-f', 'hotfix.yaml', '--set-json', 'web.replicaCount="six"', '-o', 'json']);
  assert.equal(l.exitCode, 1, 'the extra values reach lint: "six" breaks the values schema');
  assert.match(JSON.stringify(JSON.parse(l.stdout).environments[0].findings), /replicaCount/);
});

test("--set-json and --set-file reach helm with helm's semantics and order (-f < --set-json < --set < --set-string < --set-file)", async () => {
  const r = await cli([
    'template', 'staging',
    '--set', 'web.replicaCount=4',
    '--set-json', 'web.replicaCount=5',
    '--set-json', 'web.config={"FEATURES":"a,b","RETRIES":3}',
    '--set-file', 'web.config.MOTD=motd.txt',
    '--set-string', 'web.config.MOTD=overridden by --set-file',
  ]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(find(r.stdout, 'Deployment', 'shop-web').spec.replicas, 4, '--set applies after --set-json, whatever the argv order');
  const config = find(r.stdout, 'ConfigMap', 'shop-web').data;
  assert.equal(config.FEATURES, 'a,b', 'a JSON string with a comma stays one string (--set would split it)');
  assert.equal(config.RETRIES, '3');
  assert.equal(config.LOG_LEVEL, 'info', '--set-json merges into the map as helm does');
  assert.equal(config.MOTD, 'line one\nline "two"', "--set-file: the file's content, applied last");
  const missing = await cli(['template', 'staging', '--set-file', 'web.config.MOTD=nope.txt']);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /nope\.txt/);
  assert.match(missing.stderr, /hint: Check the path given to --set-file/);
  const bad = await cli(['template', 'staging', '--set-json', 'no-equals']);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /--set-json "no-equals" is not of the form key=value/);
});

test('-n/--namespace is refused: the namespace comes from the environment file', async () => {
  for (const args of [['template', 'prod', '-n', 'elsewhere'], ['diff', 'dev', '--namespace', 'elsewhere'], ['lint', 'staging', '-n', 'x']]) {
    const r = await cli(args);
    assert.equal(r.exitCode, 1, args.join(' '));
    assert.match(r.stderr, /the namespace comes from the environment file \(environments\/(prod|dev|staging)\.yaml: namespace: shop-(prod|dev|staging)\)/);
    assert.match(r.stderr, /hint: /);
    assert.equal(r.stdout, '');
  }
});

test("template -s/--show-only renders only the named templates (helm's --show-only, repeatable)", async () => {
  const r = await cli(['template', 'prod', '-s', 'charts/web/templates/configmap.yaml', '--show-only', 'charts/api/templates/service.yaml']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(objects(r.stdout).map((o) => `${o.kind}/${o.metadata.name}`).sort(), ['ConfigMap/shop-web', 'Service/shop-api']);
  const none = await cli(['template', 'prod', '-s', 'templates/nope.yaml']);
  assert.equal(none.exitCode, 1);
  assert.match(none.stderr, /could not find template templates\/nope\.yaml/);
});

test('-- hands the rest to helm: a post-renderer is run by helm template', async () => {
  // helm 4 runs post-renderers as plugins only; helm 3 runs the executable named here.
  const r = await cli(['template', 'staging', '--', '--post-renderer', join(app.dir, 'rename.sh')], { CHARTCTL_HELM: helmBinaries.helm3 });
  assert.equal(r.exitCode, 0, r.stderr);
  // helm 3 post-renders the release's manifest, not its hooks (the test Pod).
  const all = objects(r.stdout).filter((o) => !o.metadata.annotations?.['helm.sh/hook']);
  assert.ok(all.length > 3);
  for (const o of all) assert.match(o.metadata.name, /^renamed-shop-/, `${o.kind}/${o.metadata.name}`);
});

test('-- refuses the helm flags chartctl sets itself, before running anything', async () => {
  const r = await cli(['template', 'staging', '--', '--namespace', 'other']);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /"--namespace" after "--" is a helm flag chartctl template sets itself/);
  assert.match(r.stderr, /hint: The namespace comes from the environment file/);
  assert.doesNotMatch(r.stderr, /Rendering/);
  const values = await cli(['deploy', 'dev', '--local', '-y', '--', '-f', 'x.yaml']);
  assert.equal(values.exitCode, 1);
  assert.match(values.stderr, /"-f" after "--"/);
});
