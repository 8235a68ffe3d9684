import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { helmBinaries, runCli } from '../support/project.js';

// Values files written with the YAML 1.1 constructs helm reads differently from YAML 1.2:
// what chartctl hands helm must render exactly as `helm template -f first -f second` does.
const FIRST = `defaultMode: 0440
octalNew: 0o17
hex: 0x1F
yesValue: yes
noValue: no
onValue: on
offValue: off
yValue: y
nValue: n
capitalYes: Yes
underscored: 1_000
underscoredFloat: 1_000.5
sexagesimal: 1:30
tilde: ~
timestamp: 2001-12-14t21:59:43.10-05:00
date: 2002-12-14
binary: !!binary aGVsbG8gaGVsbQ==
forcedString: !!str 0440
quotedOctal: "0440"
base: &base
  a: 1
  b: two
  mode: 0644
merged:
  <<: *base
  b: three
list: &list [1, 0755, on]
listAgain: *list
nested:
  keep: 1
  replaceMe: [a, b]
`;
const SECOND = `onValue: off
merged:
  c: 0o10
nested:
  replaceMe: [c]
  added: yes
`;

const CHART = `apiVersion: v2
name: dump
version: 0.1.0
`;
// Every value with its Go type, so a string "440" and the number 288 cannot render alike.
const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: dump
data:
  values: |
{{ toYaml .Values | indent 4 }}
  types: |
{{- range $k, $v := .Values }}
    {{ $k }}: {{ typeOf $v }}
{{- end }}
`;

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chartctl-semantics-'));
  mkdirSync(join(dir, 'charts', 'dump', 'templates'), { recursive: true });
  mkdirSync(join(dir, 'environments', 'values'), { recursive: true });
  writeFileSync(join(dir, 'charts', 'dump', 'Chart.yaml'), CHART);
  writeFileSync(join(dir, 'charts', 'dump', 'templates', 'dump.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'environments', 'values', 'first.yaml'), FIRST);
  writeFileSync(join(dir, 'environments', 'values', 'second.yaml'), SECOND);
  writeFileSync(
    join(dir, 'environments', 'dev.yaml'),
    `chart: charts/dump
release: dump
namespace: dump-dev
kubeVersion: "1.33"
repository: {url: s3://dump-charts/dev}
values: [environments/values/first.yaml, environments/values/second.yaml]
`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [major, helm] of Object.entries(helmBinaries)) {
  test(`chartctl template renders YAML 1.1 values byte for byte as helm template -f … does (${major})`, async () => {
    const direct = await execa(
      helm,
      ['template', 'dump', join(dir, 'charts', 'dump'), '--namespace', 'dump-dev', '--kube-version', '1.33', '-f', join(dir, 'environments/values/first.yaml'), '-f', join(dir, 'environments/values/second.yaml')],
      { reject: false },
    );
    assert.equal(direct.exitCode, 0, direct.stderr);
    // The corpus must exercise the constructs: helm reads 0440 as 288, yes as true, 1_000 as 1000, merge keys merged.
    assert.match(direct.stdout, /defaultMode: 288\n/);
    assert.match(direct.stdout, /yesValue: true\n/);
    assert.match(direct.stdout, /underscored: 1000\n/);
    assert.match(direct.stdout, /merged:\n\s+a: 1\n\s+b: three\n\s+c: 8\n\s+mode: 420\n/);
    const viaChartctl = await runCli(['template', 'dev'], { cwd: dir, env: { CHARTCTL_HELM: helm } });
    assert.equal(viaChartctl.exitCode, 0, viaChartctl.stderr);
    assert.equal(viaChartctl.stdout, direct.stdout);
  });
}
