/**
 * lint of several environments without network and without cached schemas: the cause is the run's,
 * not any environment's, so the text report says it once; --output json keeps each environment's record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyExampleApp, runCli } from '../support/project.js';

test('lint offline of 4 environments: one "schemas unavailable" line naming them all; json keeps each environment\'s warning and count', async () => {
  const app = copyExampleApp();
  const cache = mkdtempSync(join(tmpdir(), 'chartctl-empty-cache-'));
  try {
    const dev = readFileSync(join(app.dir, 'environments', 'dev.yaml'), 'utf8');
    writeFileSync(join(app.dir, 'environments', 'qa.yaml'), dev.replace('namespace: shop-dev', 'namespace: shop-qa'));
    const env = { CHARTCTL_OFFLINE: '1', XDG_CACHE_HOME: cache, CHARTCTL_SCHEMA_LOCATION: undefined, CHARTCTL_SCHEMA_BASE_URL: undefined };
    const [text, json] = await Promise.all([runCli(['lint'], { cwd: app.dir, env }), runCli(['lint', '--output', 'json'], { cwd: app.dir, env })]);
    assert.equal(text.exitCode, 0, text.stdout + text.stderr);
    assert.equal(json.exitCode, 0, json.stdout + json.stderr);

    const lines = text.stdout.split('\n').filter((l) => l.includes('schemas unavailable'));
    assert.equal(lines.length, 1, text.stdout);
    const told = /^warning schema: all 4 environments: schemas unavailable, (\d+) resources not schema-checked: (.+ --offline forbids fetching it)\. Point CHARTCTL_SCHEMA_LOCATION at a local kubernetes-json-schema directory or _definitions\.json, or run "chartctl validate dev" once with network access to fill the cache\.$/.exec(lines[0]!);
    assert.ok(told, lines[0]);
    assert.match(text.stdout, /^qa: ok \(\d+ resources, 0 errors, 1 warning\)$/m, 'each environment still counts its warning');

    const environments: { env: string; resources: number; findings: { check: string; env: string; message: string; unchecked?: unknown }[] }[] = JSON.parse(json.stdout).environments;
    assert.deepEqual(environments.map((e) => e.env), ['dev', 'prod', 'qa', 'staging']);
    for (const e of environments) {
      const schema = e.findings.filter((f) => f.check === 'schema');
      assert.equal(schema.length, 1, JSON.stringify(e.findings));
      assert.equal(schema[0]!.env, e.env);
      assert.equal(
        schema[0]!.message,
        `schemas unavailable, ${e.resources} resources not schema-checked: ${told[2]}. Point CHARTCTL_SCHEMA_LOCATION at a local kubernetes-json-schema directory or _definitions.json, or run "chartctl validate ${e.env}" once with network access to fill the cache.`,
      );
      assert.deepEqual(schema[0]!.unchecked, { kind: 'schema-source', reason: told[2], resources: e.resources });
    }
    assert.equal(Number(told[1]), environments.reduce((sum, e) => sum + e.resources, 0), 'the one line counts the resources of all environments');
  } finally {
    app.remove();
    rmSync(cache, { recursive: true, force: true });
  }
});

test('lint with a bad CHARTCTL_SCHEMA_LOCATION names the variable, not a flag lint does not have', async () => {
  const app = copyExampleApp();
  try {
    const r = await runCli(['lint', 'dev'], { cwd: app.dir, env: { CHARTCTL_OFFLINE: '1', CHARTCTL_SCHEMA_LOCATION: 'schemas/{{ .Nope }}.json' } });
    assert.match(r.stdout + r.stderr, /CHARTCTL_SCHEMA_LOCATION "schemas\/\{\{ \.Nope \}\}\.json" is not a valid location template: it has no field "Nope"/);
    assert.doesNotMatch(r.stdout + r.stderr, /--schema-location/);
  } finally {
    app.remove();
  }
});
