import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeFixtureSchemas } from '../support/kube-schema-fixture.js';
import { hasSharedCorpus, projectRoot, runCli, sharedCorpus, SHARED_SKIP_REASON } from '../support/project.js';

// kubeconform's own acceptance cases, run through chartctl validate with kubeconform's
// command lines as typed, exit code and output compared (scripts/compare-kubeconform.mjs).
test('chartctl validate agrees with kubeconform on exit code and output for every offline acceptance case', { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON, timeout: 300_000 }, async () => {
  const r = await execa(process.execPath, [join(projectRoot, 'scripts', 'compare-kubeconform.mjs')], { reject: false });
  assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  const m = /agreement: (\d+)\/(\d+) \(deliberate differences: (\d+), unexpected: 0.*exit codes agree: (\d+)\/\d+; cases with asserted output: (\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  const [, agree, compared, deliberate, exitAgree, withOutput] = m.map(Number);
  assert.equal(agree! + deliberate!, compared, r.stdout);
  assert.ok(agree! >= 53, r.stdout);
  assert.ok(exitAgree! >= 55, r.stdout);
  assert.ok(withOutput! >= 35, r.stdout);
});

// A faithful reproduction of a few of those cases (kubeconform's acceptance.bats expectations,
// with the fixture schemas standing in for kubeconform's download location), run always.
let dir: string;
let schemas: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chartctl-kubeconform-it-'));
  schemas = await writeFixtureSchemas(join(dir, 'schemas'));
  mkdirSync(join(dir, 'fixtures'));
  writeFileSync(join(dir, 'fixtures', 'valid.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bob\ndata:\n  a: b\n');
  writeFileSync(
    join(dir, 'fixtures', 'list_invalid.yaml'),
    'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: ok\n  - apiVersion: v1\n    kind: Service\n    metadata:\n      name: bob\n    spec:\n      ports:\n        - port: "eighty"\n',
  );
  writeFileSync(join(dir, 'fixtures', 'generate_name.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: pi-\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** `kubeconform ARGS` with kubeconform replaced by `chartctl validate`; output is stdout + stderr as a CI log shows it. */
async function kubeconform(args: string[], input?: string) {
  const r = await runCli(['--cwd', dir, 'validate', '-schema-location', join(schemas, '_definitions.json'), ...args], { env: { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')), NO_COLOR: '1' }, input, timeoutMs: 60_000 });
  return { exitCode: r.exitCode, output: (r.stdout + r.stderr).replace(/\n$/, '') };
}

test('kubeconform command lines: single-dash flags, files as arguments, its summary and result lines', async () => {
  assert.deepEqual(await kubeconform(['-summary', '-kubernetes-version', '1.33.0', 'fixtures/valid.yaml']), { exitCode: 0, output: 'Summary: 1 resource found in 1 file - Valid: 1, Invalid: 0, Errors: 0, Skipped: 0' });
  assert.deepEqual(await kubeconform(['-summary', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bob}\n'), { exitCode: 0, output: 'Summary: 1 resource found parsing stdin - Valid: 1, Invalid: 0, Errors: 0, Skipped: 0' });
  assert.deepEqual(await kubeconform(['-verbose', '-skip', 'ConfigMap', 'fixtures/valid.yaml']), { exitCode: 0, output: 'fixtures/valid.yaml - bob ConfigMap skipped' });
  assert.deepEqual(await kubeconform(['-verbose', 'fixtures/generate_name.yaml']), { exitCode: 0, output: 'fixtures/generate_name.yaml - ConfigMap pi-{{ generateName }} is valid' });
  assert.deepEqual(await kubeconform(['-verbose', '-reject=ConfigMap', 'fixtures/valid.yaml']), { exitCode: 1, output: 'fixtures/valid.yaml - ConfigMap bob failed validation: prohibited resource kind ConfigMap' });
  assert.deepEqual(await kubeconform(['-output', 'tap', '-n', '8', 'fixtures/valid.yaml']), { exitCode: 0, output: 'TAP version 13\nok 1 - fixtures/valid.yaml (v1/ConfigMap//bob)\n1..1' });
  const invalid = await kubeconform(['-summary', 'fixtures/list_invalid.yaml']);
  assert.equal(invalid.exitCode, 1);
  assert.match(invalid.output, /^fixtures\/list_invalid\.yaml - Service bob is invalid: problem validating schema\. Check JSON formatting: jsonschema validation failed with '.*_definitions\.json#' - at '\/spec\/ports\/0\/port': got string, want integer\nSummary: 2 resources found in 1 file - Valid: 1, Invalid: 1, Errors: 0, Skipped: 0$/);
});

// kubeconform's "Fail when parsing a List that contains an invalid resource" (fixtures/list_invalid.yaml,
// its replicas a string), with the fixture schemas standing in for kubeconform's default location.
test("kubeconform's list_invalid case: jsonschema's words and the per-kind schema kubeconform names", async () => {
  writeFileSync(
    join(dir, 'fixtures', 'rc_invalid.yaml'),
    'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ReplicationController\n    metadata:\n      name: bob\n    spec:\n      replicas: asd\n',
  );
  const env = { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')), NO_COLOR: '1', CHARTCTL_SCHEMA_BASE_URL: schemas };
  const r = await runCli(['--cwd', dir, 'validate', '-summary', 'fixtures/rc_invalid.yaml'], { env });
  assert.equal(r.exitCode, 1);
  assert.equal(
    r.stdout,
    `fixtures/rc_invalid.yaml - ReplicationController bob is invalid: problem validating schema. Check JSON formatting: jsonschema validation failed with '${schemas}/master-standalone/replicationcontroller-v1.json#' - at '/spec/replicas': got string, want null or integer\n` +
      'Summary: 1 resource found in 1 file - Valid: 0, Invalid: 1, Errors: 0, Skipped: 0',
  );
  // chartctl's own output keeps its wording and names the file it read.
  const own = await runCli(['--cwd', dir, 'validate', 'fixtures/rc_invalid.yaml', '--output', 'json'], { env });
  const resource = JSON.parse(own.stdout).resources[0];
  assert.equal(resource.problems[0].message, 'expected integer, got string');
  assert.equal(resource.schema, join(schemas, '_definitions.json'));
  assert.equal(resource.kubeconform, undefined);
});

test('kubeconform -output json has its shape; -exit-on-error stops at the first failure; pretty marks results', async () => {
  const json = await kubeconform(['-output', 'json', '-summary', 'fixtures/list_invalid.yaml', 'fixtures/valid.yaml']);
  assert.equal(json.exitCode, 1);
  assert.deepEqual(JSON.parse(json.output), {
    resources: [
      {
        filename: 'fixtures/list_invalid.yaml',
        kind: 'Service',
        name: 'bob',
        version: 'v1',
        status: 'statusInvalid',
        msg: JSON.parse(json.output).resources[0].msg,
        // jsonschema's words; `port` is required, so kubeconform's schema does not allow null there.
        validationErrors: [{ path: '/spec/ports/0/port', msg: 'got string, want integer' }],
      },
    ],
    summary: { valid: 2, invalid: 1, errors: 0, skipped: 0 },
  });
  const early = await kubeconform(['-exit-on-error', '-verbose', 'fixtures/list_invalid.yaml', 'fixtures/valid.yaml']);
  assert.equal(early.exitCode, 1);
  assert.equal(early.output.split('\n').length, 2, early.output); // the List's ConfigMap, then the invalid Service; valid.yaml is never reached
  const pretty = await kubeconform(['-output', 'pretty', '-verbose', 'fixtures/valid.yaml']);
  assert.equal(pretty.output, '\u001b[32m\u2714\u001b[0m fixtures/valid.yaml: \u001b[32mConfigMap bob is valid\u001b[0m');
  // chartctl's own json keeps its shape under its own name.
  const own = await runCli(['--cwd', dir, 'validate', 'fixtures/valid.yaml', '--schema-location', schemas, '--output', 'json'], { env: { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) } });
  assert.equal(JSON.parse(own.stdout).summary.valid, 1, own.stderr);
});

// kubeconform's acceptance cases "Return relevant error for non-existent file", "Fail when cache folder
// does not exist", "Fail early when passing a non valid -schema-location template", "Fail and display help
// when using an incorrect flag", its -v and -debug, and its TAP line for an empty file (pkg/output/tap.go).
test("kubeconform's command line: a missing file is a result line, refusals in kubeconform's words, -v, -debug", async () => {
  assert.deepEqual(await kubeconform(['-summary', 'fixtures/valid.yaml', 'fixtures/not-here']), {
    exitCode: 1,
    output: 'fixtures/not-here - failed validation: lstat fixtures/not-here: no such file or directory\nSummary: 2 resources found in 2 files - Valid: 1, Invalid: 0, Errors: 1, Skipped: 0',
  });
  assert.deepEqual(await kubeconform(['-cache', 'cache_does_not_exist', 'fixtures/valid.yaml']), {
    exitCode: 1,
    output: 'failed opening cache folder cache_does_not_exist: stat cache_does_not_exist: no such file or directory',
  });
  const template = await kubeconform(['-schema-location', 'foo {{ .Foo }}/x.json', 'fixtures/valid.yaml']);
  assert.equal(template.exitCode, 1);
  assert.match(template.output, /^failed initialising schema location registry: [^\n]*Foo[^\n]*$/);
  const unknown = await kubeconform(['-xyz']);
  assert.equal(unknown.exitCode, 1);
  const lines = unknown.output.split('\n');
  assert.deepEqual(lines.slice(0, 4), ['flag provided but not defined: -xyz', 'Usage: chartctl validate [OPTION]... [FILE OR FOLDER]...', '  -cache string', '    \tdirectory for downloaded schemas (must exist; kubeconform cache directories work)']);
  assert.ok(lines.includes('  -v\tshow version information'), unknown.output);
  const version = await kubeconform(['-v']);
  assert.equal(version.exitCode, 0);
  assert.match(version.output, /^v\d+\.\d+\.\d+\S*$/);
  assert.deepEqual(await kubeconform(['-debug', '-summary', 'fixtures/valid.yaml']), { exitCode: 0, output: 'Summary: 1 resource found in 1 file - Valid: 1, Invalid: 0, Errors: 0, Skipped: 0' });
  writeFileSync(join(dir, 'fixtures', 'blank.yaml'), '# nothing here\n');
  assert.deepEqual(await kubeconform(['-output', 'tap', 'fixtures/blank.yaml', 'fixtures/valid.yaml']), {
    exitCode: 0,
    output: 'TAP version 13\nok 1 - fixtures/blank.yaml (empty)\nok 2 - fixtures/valid.yaml (v1/ConfigMap//bob)\n1..2',
  });
});

test('a positional word is a file when it is a path, and a missing one says it is not an environment either', async () => {
  const r = await runCli(['--cwd', dir, 'validate', 'fixtures/not-here'], { env: { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) } });
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /fixtures\/not-here: no such file or directory[\s\S]*environments\/fixtures\/not-here\.yaml/);
});

// kubeconform's fixtures/duplicate_property.yaml gives `containers` twice: kubeconform passes it
// without -strict and fails it with; chartctl warns (key, line, column) and validates the last value.
test("kubeconform's duplicate-key fixture: a warning naming the key and line, an error with --strict", { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, async () => {
  const file = join(sharedCorpus, 'kubeconform', 'fixtures', 'duplicate_property.yaml');
  const env = { XDG_CACHE_HOME: mkdtempSync(join(dir, 'xdg-')) };
  const definitions = join(sharedCorpus, 'k8s-schemas', 'v1.33-definitions.json');
  const loose = await runCli(['validate', file, '--schema-location', definitions], { env });
  assert.equal(loose.exitCode, 0, loose.stdout + loose.stderr);
  assert.match(loose.stdout, /^warning: .*duplicate_property\.yaml:16:7: spec\.template\.spec\.containers: key "containers" given more than once; the API server keeps the last value \(an error with --strict\)$/m);
  assert.match(loose.stdout, /1 of 1 resources valid/);
  const strict = await runCli(['validate', file, '--strict', '--schema-location', definitions], { env });
  assert.equal(strict.exitCode, 1);
  assert.match(strict.stdout, /:16:7: spec\.template\.spec\.containers: key "containers" given more than once; the API server keeps the last value$/m);
});
