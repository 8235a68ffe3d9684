import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffReleases } from '../../src/core/release-diff.js';
import { helmDiffLines } from '../../src/core/release-diff-lines.js';
import { compileLineRegex, isTestHook } from '../../src/core/release-diff-filters.js';
import { renderHelmDiffView } from '../../src/cli/diff-views.js';
import { createOutput } from '../../src/cli/output.js';
import { renderReleaseDiff } from '../../src/cli/diff-report.js';

const deployed = `---
# Source: shop/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  a: "1"
  b: two
---
# Source: shop/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: web
          image: web:1.0.0
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  minReplicas: 2
---
# Source: shop/templates/old.yaml
apiVersion: v1
kind: Service
metadata:
  name: old
---
# Source: shop/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  PASSWORD: old-password-value
  USER: shop
`;

const candidate = `---
# Source: shop/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  annotations: null
data:
  b: two
  a: "1"
---
# Source: shop/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  labels: {app: web}
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: web:1.1.0
---
# Source: shop/templates/hpa.yaml
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  minReplicas: 2
---
# Source: shop/templates/new.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: new
---
# Source: shop/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: db
stringData:
  PASSWORD: new-password-value
  USER: shop
---
# Source: shop/templates/tests/t.yaml
apiVersion: v1
kind: Pod
metadata:
  name: t
  annotations: {helm.sh/hook: test}
`;

test('resource-level changes: added, removed, changed, unchanged; noise ignored', () => {
  const d = diffReleases(deployed, candidate, { namespace: 'ns' });
  const by = (c: string) => d.changes.filter((x) => x.change === c).map((x) => x.resource);
  assert.deepEqual(by('removed'), ['Service ns/old']);
  assert.deepEqual(by('changed'), ['apps/Deployment ns/web', 'Secret ns/db']);
  assert.deepEqual(by('added'), ['ServiceAccount ns/new', 'Pod ns/t']);
  // key order and null annotations are not changes; the HPA moved API version only
  assert.deepEqual(by('unchanged'), ['ConfigMap ns/cfg', 'autoscaling/HorizontalPodAutoscaler ns/web']);
  assert.deepEqual(d.counts, { added: 2, removed: 1, changed: 2, unchanged: 2 });
  assert.equal(d.hasChanges, true);
});

test('a type change is a change ("1" vs 1, true vs "true"): the API server stores them apart; a quantity is stored in one form', () => {
  const deploy = (replicas: string, cpu = '500m') =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: ${replicas}\n  template:\n    spec:\n      containers:\n        - name: web\n          resources: {requests: {cpu: ${cpu}, memory: 1Gi}, limits: {cpu: 1}}\n`;
  const quoted = diffReleases(deploy('"1"'), deploy('1'), { namespace: 'ns' });
  assert.equal(quoted.hasChanges, true);
  assert.match(quoted.changes[0]!.diff!, /^- {2}replicas: '1'$/m);
  assert.match(quoted.changes[0]!.diff!, /^\+ {2}replicas: 1$/m);
  const flag = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {enabled: ${v}}\n`;
  assert.equal(diffReleases(flag('"true"'), flag('true'), { namespace: 'ns' }).hasChanges, true);
  assert.equal(diffReleases(flag('"yes"'), flag('yes'), { namespace: 'ns' }).hasChanges, true, 'plain yes is a boolean to the API server (sigs.k8s.io/yaml reads YAML 1.1)');
  for (const [a, b] of [['500m', '0.5'], ['500m', '"0.5"'], ['1', '"1"'], ['1', '1000m']]) {
    assert.equal(diffReleases(deploy('1', a), deploy('1', b), { namespace: 'ns' }).hasChanges, false, `cpu ${a} and ${b} are one quantity`);
  }
  assert.equal(diffReleases(deploy('1', '500m'), deploy('1', '600m'), { namespace: 'ns' }).hasChanges, true);
  const mem = (v: string) => deploy('1').replace('memory: 1Gi', `memory: ${v}`);
  assert.equal(diffReleases(mem('1Gi'), mem('1024Mi'), { namespace: 'ns' }).hasChanges, false);
  assert.equal(diffReleases(mem('1Gi'), mem('1G'), { namespace: 'ns' }).hasChanges, true, 'Gi is binary, G decimal');
});

test('hooks are matched by template source when their template makes up a name on every render', () => {
  const pod = (name: string, image = 'busybox') =>
    `---\n# Source: app/templates/tests/test-connection.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  annotations: {helm.sh/hook: test}\nspec:\n  containers: [{name: t, image: ${image}}]\n`;
  const same = diffReleases(pod('app-test-ab12c'), pod('app-test-zz9yx'), { namespace: 'ns' });
  assert.deepEqual(same.counts, { added: 0, removed: 0, changed: 0, unchanged: 1 });
  assert.equal(same.changes[0]!.name, 'app-test-zz9yx');
  const changed = diffReleases(pod('app-test-ab12c'), pod('app-test-zz9yx', 'curl'), { namespace: 'ns' });
  assert.deepEqual(changed.counts, { added: 0, removed: 0, changed: 1, unchanged: 0 });
  assert.equal(changed.changes[0]!.renamedFrom, 'Pod ns/app-test-ab12c');
  assert.match(changed.changes[0]!.diff!, /^\+.*image: curl$/m);
  const other = pod('app-test-zz9yx').replace('tests/test-connection.yaml', 'tests/other.yaml');
  assert.deepEqual(diffReleases(pod('app-test-ab12c'), other, { namespace: 'ns' }).counts, { added: 1, removed: 1, changed: 0, unchanged: 0 }, 'another template is another hook');
  const regular = (name: string) => `---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;
  assert.deepEqual(diffReleases(regular('a'), regular('b'), { namespace: 'ns' }).counts, { added: 1, removed: 1, changed: 0, unchanged: 0 }, 'a renamed regular resource is a new object in the cluster');
});

test('kinds that move between API versions are matched by group/kind/name', () => {
  const hpa = diffReleases(deployed, candidate, { namespace: 'ns' }).changes.find((c) => c.kind === 'HorizontalPodAutoscaler')!;
  assert.equal(hpa.apiVersion, 'autoscaling/v2');
  assert.equal(hpa.previousApiVersion, 'autoscaling/v2beta2');
});

test('hooks and tests are flagged and listed after regular resources', () => {
  const d = diffReleases(deployed, candidate, { namespace: 'ns' });
  const t = d.changes.find((c) => c.name === 't')!;
  assert.equal(t.hook, true);
  assert.equal(d.changes.at(-1), t);
});

test('unified diff with context shows the changed lines', () => {
  const web = diffReleases(deployed, candidate, { namespace: 'ns', context: 1 }).changes.find((c) => c.kind === 'Deployment')!;
  assert.match(web.diff!, /^-  replicas: 2$/m);
  assert.match(web.diff!, /^\+  replicas: 3$/m);
  assert.match(web.diff!, /^-\s+- image: web:1\.0\.0$/m);
  assert.match(web.diff!, /^\+\s+- image: web:1\.1\.0$/m);
  assert.match(web.diff!, /^--- apps\/Deployment ns\/web \(deployed\)/m);
});

test('Secret values are masked: changed keys listed, values never shown', () => {
  const db = diffReleases(deployed, candidate, { namespace: 'ns' }).changes.find((c) => c.kind === 'Secret')!;
  assert.deepEqual(db.secretKeysChanged, ['stringData.PASSWORD']);
  assert.doesNotMatch(db.diff!, /password-value/);
  assert.match(db.diff!, /^-\s+PASSWORD: '\*\*\* \(before\)'$/m);
  assert.match(db.diff!, /^\+\s+PASSWORD: '\*\*\* \(after\)'$/m);
  const shown = diffReleases(deployed, candidate, { namespace: 'ns', showSecrets: true }).changes.find((c) => c.kind === 'Secret')!;
  assert.match(shown.diff!, /new-password-value/);
});

test('a release that does not exist yet shows everything as added', () => {
  const d = diffReleases('', candidate, { namespace: 'ns' });
  assert.equal(d.counts.added, 6);
  assert.equal(d.counts.removed + d.counts.changed + d.counts.unchanged, 0);
});

test('identical manifests have no changes', () => {
  const d = diffReleases(deployed, deployed, { namespace: 'ns' });
  assert.equal(d.hasChanges, false);
  assert.equal(d.counts.unchanged, 5);
});

// --- helm-diff's options (databus23/helm-diff diff/diff.go, diff/report.go; expected texts from its diff_test.go) ---

const lines10 = 'line1\nline2\nline3\nline4\nline5\nline6\nline7\nline8\nline9\nline10';
const lines10Changed = 'line1 - different!\nline2 - different!\nline3\nline4\nline5\nline6\nline7\nline8 - different!\nline9\nline10';

test('helm-diff context: -1 prints every line, N folds lines further than N from a change into "..." (helm-diff TestPrintDiffWithContext)', () => {
  assert.deepEqual(helmDiffLines(lines10, lines10Changed, -1), [
    '- line1', '- line2', '+ line1 - different!', '+ line2 - different!',
    '  line3', '  line4', '  line5', '  line6', '  line7',
    '- line8', '+ line8 - different!', '  line9', '  line10',
  ]);
  assert.deepEqual(helmDiffLines(lines10, lines10Changed, 0), ['- line1', '- line2', '+ line1 - different!', '+ line2 - different!', '...', '- line8', '+ line8 - different!', '...']);
  assert.deepEqual(helmDiffLines(lines10, lines10Changed, 1), [
    '- line1', '- line2', '+ line1 - different!', '+ line2 - different!', '  line3', '...', '  line7', '- line8', '+ line8 - different!', '  line9', '...',
  ]);
  assert.deepEqual(helmDiffLines(lines10, lines10Changed, 2), [
    '- line1', '- line2', '+ line1 - different!', '+ line2 - different!', '  line3', '  line4', '...', '  line6', '  line7', '- line8', '+ line8 - different!', '  line9', '  line10',
  ]);
});

const bigConfig = (changed: boolean) => `apiVersion: v1
kind: ConfigMap
metadata: {name: big}
data:
${Array.from({ length: 30 }, (_, i) => `  k${String(i).padStart(2, '0')}: ${i === 15 && changed ? 'new' : 'v'}`).join('\n')}
`;

test('context -1 gives the unified diff of the whole object; the default stays 3 lines', () => {
  const whole = diffReleases(bigConfig(false), bigConfig(true), { namespace: 'ns', context: -1 }).changes[0]!;
  for (const k of ['k00', 'k29', 'name: big']) assert.match(whole.diff!, new RegExp(`^ .*${k}`, 'm'));
  const three = diffReleases(bigConfig(false), bigConfig(true), { namespace: 'ns' }).changes[0]!;
  assert.doesNotMatch(three.diff!, /k00/);
  assert.match(three.diff!, /^ {3}k12: v$/m);
  assert.doesNotMatch(three.diff!, /k11/);
});

test('the text report shows added and removed resources whole, as helm-diff does', () => {
  const text = renderReleaseDiff(diffReleases(deployed, candidate, { namespace: 'ns' }), createOutput('text', false, () => undefined), 'shop');
  assert.match(text, /^\+ added {3}ServiceAccount ns\/new\n(?: {4}@@.*\n)? {4}\+apiVersion: v1\n {4}\+kind: ServiceAccount\n {4}\+metadata:\n {4}\+ {2}name: new$/m);
  assert.match(text, /^- removed Service ns\/old\n(?: {4}@@.*\n)? {4}-apiVersion: v1\n {4}-kind: Service\n/m);
});

test('--suppress KIND: the resource is still reported as changed, its content is not (helm-diff SuppressedKinds)', () => {
  const d = diffReleases(deployed, candidate, { namespace: 'ns', suppressKinds: ['Secret', 'Deployment'] });
  for (const kind of ['Secret', 'Deployment']) {
    const c = d.changes.find((x) => x.kind === kind)!;
    assert.equal(c.change, 'changed');
    assert.equal(c.suppressed, 'kind');
    assert.equal(c.diff, undefined);
    assert.equal(c.secretKeysChanged, undefined, 'not even the key names');
  }
  assert.equal(d.hasChanges, true);
});

// helm-diff TestManifests OnChangeWithSuppress / OnChangeWithSuppressAll: --suppress-output-line-regex apiVersion
const nginxBeta = 'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata:\n  name: nginx\n';
const nginxV1Spec = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx\nspec:\n  replicas: 3\n';
const nginxRenamed = (replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nginx-renamed\nspec:\n  replicas: ${replicas}\n`;

test('--suppress-output-line-regex drops matching lines from both sides; nothing left means "diff is empty after suppression"', () => {
  const labels = (chart: string, replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {helm.sh/chart: ${chart}}\nspec:\n  replicas: ${replicas}\n`;
  const some = diffReleases(labels('shop-1.0.0', 2), labels('shop-1.1.0', 3), { namespace: 'default', suppressLines: [compileLineRegex('helm.sh/chart')], helmDiffLines: true }).changes[0]!;
  assert.deepEqual(some.helmDiffLines?.filter((l) => /^[+-]/.test(l)), ['-   replicas: 2', '+   replicas: 3']);
  const all = diffReleases(labels('shop-1.0.0', 2), labels('shop-1.1.0', 2), { namespace: 'default', suppressLines: [compileLineRegex('(?i)HELM.SH/CHART')] }).changes[0]!;
  assert.equal(all.change, 'changed');
  assert.equal(all.suppressed, 'lines');
  assert.equal(all.diff, undefined);
  const out = createOutput('text', false, () => undefined);
  const beta = diffReleases(nginxBeta, nginxV1Spec, { namespace: 'default', suppressLines: [/apiVersion/], helmDiffLines: true });
  assert.equal(renderHelmDiffView('diff', beta, 'default', out), 'default, nginx, Deployment (apps) has changed:\n  kind: Deployment\n  metadata:\n    name: nginx\n+ spec:\n+   replicas: 3\n');
  assert.throws(() => compileLineRegex('('), (e: any) => e.code === 'BAD_LINE_REGEX' && /not a valid regular expression/.test(e.message));
});

test('--find-renames pairs a removed and an added resource of one kind (helm-diff OnChangeRename, OnChangeRenameAndUpdate)', () => {
  const out = createOutput('text', false, () => undefined);
  const off = diffReleases(nginxV1Spec, nginxRenamed(3), { namespace: 'default' });
  assert.deepEqual([off.counts.added, off.counts.removed], [1, 1]);
  const renamed = diffReleases(nginxV1Spec, nginxRenamed(3), { namespace: 'default', findRenames: 0.5, helmDiffLines: true });
  assert.deepEqual(renamed.counts, { added: 0, removed: 0, changed: 1, unchanged: 0 });
  assert.equal(renamed.changes[0]!.renamedFrom, 'apps/Deployment default/nginx');
  assert.equal(
    renderHelmDiffView('diff', renamed, 'default', out),
    'default, nginx, Deployment (apps) has changed:\n  apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n-   name: nginx\n+   name: nginx-renamed\n  spec:\n    replicas: 3\n',
  );
  const updated = diffReleases(nginxV1Spec, nginxRenamed(1), { namespace: 'default', findRenames: 0.5 });
  assert.equal(updated.counts.changed, 1, '4 changed lines of 9 is below 0.5, as in helm-diff');
  const strict = diffReleases(nginxV1Spec, nginxRenamed(1), { namespace: 'default', findRenames: 0.2 });
  assert.deepEqual([strict.counts.added, strict.counts.removed], [1, 1]);
  const otherKind = diffReleases(nginxV1Spec, nginxRenamed(3).replace('Deployment', 'StatefulSet'), { namespace: 'default', findRenames: 0.9 });
  assert.deepEqual([otherKind.counts.added, otherKind.counts.removed], [1, 1], 'only objects of the same kind are matched');
});

test('--strip-trailing-cr: CR before line ends in values is not a change', () => {
  const cm = (script: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: scripts}\ndata:\n  run.sh: ${JSON.stringify(script)}\n`;
  const windows = cm('#!/bin/sh\r\necho hi\r\n');
  const unix = cm('#!/bin/sh\necho hi\n');
  assert.equal(diffReleases(windows, unix, { namespace: 'ns' }).hasChanges, true);
  assert.equal(diffReleases(windows, unix, { namespace: 'ns', stripTrailingCR: true }).hasChanges, false);
  assert.equal(diffReleases(cm('a\rb\n'), cm('ab\n'), { namespace: 'ns', stripTrailingCR: true }).hasChanges, true, 'only CR at a line end');
});

test('--no-hooks leaves every hook out, tests included; tests take part unless tests: false (chartctl diff passes false without --include-tests)', () => {
  const hooked = `${candidate}---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations: {helm.sh/hook: pre-upgrade}\n`;
  const names = (o: object) => diffReleases('', hooked, { namespace: 'ns', ...o }).changes.filter((c) => c.hook).map((c) => c.name);
  assert.deepEqual(names({}), ['migrate', 't']);
  assert.deepEqual(names({ hooks: false }), []);
  assert.deepEqual(names({ tests: false }), ['migrate']);
  assert.equal(isTestHook({ metadata: { annotations: { 'helm.sh/hook': 'post-install, test-success' } } }), true);
});

test('--show-secrets-decoded shows data base64-decoded, stringData folded in; masked without --show-secrets', () => {
  const secret = (v: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata:\n  PASSWORD: ${Buffer.from(v).toString('base64')}\nstringData:\n  USER: shop\n`;
  const decoded = diffReleases(secret('hunter2'), secret('hunter3'), { namespace: 'ns', showSecrets: true, showSecretsDecoded: true }).changes[0]!;
  assert.match(decoded.diff!, /^-\s+PASSWORD: hunter2$/m);
  assert.match(decoded.diff!, /^\+\s+PASSWORD: hunter3$/m);
  assert.match(decoded.diff!, /^ \s+USER: shop$/m);
  assert.doesNotMatch(decoded.diff!, /stringData/);
  const masked = diffReleases(secret('hunter2'), secret('hunter3'), { namespace: 'ns', showSecretsDecoded: true }).changes[0]!;
  assert.doesNotMatch(masked.diff!, /hunter|aHVudGVy/);
});

test('simple, json and template views print what helm-diff prints (helm-diff OnChangeSimple, OnChangeJSON, OnChangeTemplate)', () => {
  const out = createOutput('text', false, () => undefined);
  const d = diffReleases(nginxBeta, nginxV1Spec, { namespace: 'default' });
  assert.equal(renderHelmDiffView('simple', d, 'default', out), 'default, nginx, Deployment (apps) to be changed.\nPlan: 0 to add, 1 to change, 0 to destroy, 0 to change ownership.\n');
  const helmDiffJson = '[{\n  "api": "apps",\n  "kind": "Deployment",\n  "namespace": "default",\n  "name": "nginx",\n  "change": "MODIFY"\n}]\n';
  assert.equal(renderHelmDiffView('json', d, 'default', out), helmDiffJson);
  assert.equal(renderHelmDiffView('template', d, 'default', out), helmDiffJson);
  assert.equal(renderHelmDiffView('template', diffReleases(nginxBeta, nginxBeta, { namespace: 'default' }), 'default', out), '[]\n', 'helm-diff OnNoChangeTemplate');
  assert.equal(JSON.parse(renderHelmDiffView('json', diffReleases(deployed, candidate, { namespace: 'ns' }), 'ns', out)).length, 5);
  const all = diffReleases(deployed, candidate, { namespace: 'ns' });
  const simple = renderHelmDiffView('simple', all, 'ns', out);
  assert.match(simple, /^ns, old, Service \(v1\) to be removed\.$/m);
  assert.match(simple, /^ns, new, ServiceAccount \(v1\) to be added\.$/m);
  assert.match(simple, /^ns, web, Deployment \(apps\) to be changed\.$/m);
  assert.match(simple, /^Plan: 2 to add, 2 to change, 1 to destroy, 0 to change ownership\.$/m);
  assert.equal(renderHelmDiffView('simple', diffReleases(deployed, deployed, { namespace: 'ns' }), 'ns', out), 'Plan: 0 to add, 0 to change, 0 to destroy, 0 to change ownership.\n');
  const suppressed = diffReleases(deployed, candidate, { namespace: 'ns', suppressKinds: ['Secret'], helmDiffLines: true });
  assert.match(renderHelmDiffView('diff', suppressed, 'ns', out), /^ns, db, Secret \(v1\) has changed:\n\+ Changes suppressed on sensitive content of type Secret$/m);
});

test('dyff view: one block per changed path, named list items by name, whole documents added (helm-diff --output dyff)', () => {
  const out = createOutput('text', false, () => undefined);
  const d = diffReleases(deployed, candidate, { namespace: 'ns', pathChanges: true });
  const text = renderHelmDiffView('dyff', d, 'ns', out);
  assert.match(text, /^spec\.replicas {2}\(apps\/v1\/Deployment\/web\)\n {2}± value change\n {4}- 2\n {4}\+ 3$/m);
  assert.match(text, /^spec\.template\.spec\.containers\.web\.image {2}\(apps\/v1\/Deployment\/web\)\n {2}± value change\n {4}- web:1\.0\.0\n {4}\+ web:1\.1\.0$/m);
  assert.match(text, /^\(root level\) {2}\(v1\/ServiceAccount\/new\)\n\+ one document added:\n {2}---\n {2}apiVersion: v1\n {2}kind: ServiceAccount\n/m);
  assert.match(text, /^\(root level\) {2}\(v1\/Service\/old\)\n- one document removed:$/m);
  assert.match(text, /^stringData\.PASSWORD {2}\(v1\/Secret\/db\)\n {2}± value change\n {4}- \*\*\* \(before\)\n {4}\+ \*\*\* \(after\)$/m);
  assert.doesNotMatch(text, /password-value/);
  const labels = diffReleases('apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {a: "1"}}\n', 'apiVersion: v1\nkind: Service\nmetadata: {name: s, labels: {a: "1", b: "2", c: "3"}}\n', { namespace: 'ns', pathChanges: true });
  assert.match(renderHelmDiffView('dyff', labels, 'ns', out), /^metadata\.labels {2}\(v1\/Service\/s\)\n {2}\+ two map entries added:\n {4}b: '2'\n {4}c: '3'$/m);
});

test('manifests are read as the API server reads them, with each template named, whatever the line ends', async () => {
  const { parseReleaseObjects } = await import('../../src/core/release-diff-parse.js');
  const stream = '---\n# Source: a/templates/x.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {on: "1", flag: yes, mode: 0755}\n---\n# Source: a/templates/empty.yaml\n---\n# Source: a/templates/y.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: "y"\n  labels: {a: [b, {c: d}]}\n';
  const expected = [
    { obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { true: '1', flag: true, mode: 493 } }, source: 'a/templates/x.yaml' },
    { obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'y', labels: { a: ['b', { c: 'd' }] } } }, source: 'a/templates/y.yaml' },
  ];
  assert.deepEqual(parseReleaseObjects(stream), expected);
  assert.deepEqual(parseReleaseObjects(stream.replace(/\n/g, '\r\n')), expected, 'CRLF streams (left to js-yaml whole) read the same');
  assert.deepEqual(parseReleaseObjects(stream.replace('  labels: {a: [b, {c: d}]}\n', '  labels: &l {a: b}\n  annotations: *l\n'))[1]!.obj.metadata, { name: 'y', labels: { a: 'b' }, annotations: { a: 'b' } }, 'a document the block reader declines (anchors) goes to js-yaml');
});
