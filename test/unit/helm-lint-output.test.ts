import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelmLintOutput } from '../../src/core/helm-lint-output.js';

// Output of `helm lint platform` (helm v4.1 and v3.17, .tools/) on a chart whose template
// reads .Values.a.b.deep with `a: {}`, and on one with two failing `required` calls.
const HELM4_NIL_POINTER = `==> Linting platform
[INFO] Chart.yaml: icon is recommended
[ERROR] templates/: platform/templates/cm.yaml:7:15
  executing "platform/templates/cm.yaml" at <.Values.a.b.deep>:
    nil pointer evaluating interface {}.deep

Error: 1 chart(s) linted, 1 chart(s) failed
`;
const HELM3_NIL_POINTER = `==> Linting platform
[INFO] Chart.yaml: icon is recommended
[ERROR] templates/: template: platform/templates/cm.yaml:7:15: executing "platform/templates/cm.yaml" at <.Values.a.b.deep>: nil pointer evaluating interface {}.deep

Error: 1 chart(s) linted, 1 chart(s) failed
`;
const HELM4_REQUIRED = `level=WARN msg="missing required value" message="x is required"
level=WARN msg="missing required value" message="y: \\"quoted\\""
==> Linting platform
[INFO] Chart.yaml: icon is recommended

1 chart(s) linted, 0 chart(s) failed
`;
const HELM3_REQUIRED = `engine.go:206: [INFO] Missing required value: x is required
engine.go:206: [INFO] Missing required value: y: "quoted"
==> Linting platform
[INFO] Chart.yaml: icon is recommended

1 chart(s) linted, 0 chart(s) failed
`;

test("helm 4's multi-line template error keeps its text, as helm 3's one line does", () => {
  for (const output of [HELM4_NIL_POINTER, HELM3_NIL_POINTER]) {
    const errors = parseHelmLintOutput(output, 'dev').filter((f) => f.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0]!.source, 'templates/');
    assert.match(errors[0]!.message, /platform\/templates\/cm\.yaml:7:15: executing "platform\/templates\/cm\.yaml" at <\.Values\.a\.b\.deep>: nil pointer evaluating interface \{\}\.deep$/);
  }
});

test('a missing required value, only logged by helm lint, is a render error (helm 3 and helm 4)', () => {
  for (const output of [HELM4_REQUIRED, HELM3_REQUIRED]) {
    const errors = parseHelmLintOutput(output, 'dev').filter((f) => f.severity === 'error');
    assert.deepEqual(
      errors.map((f) => [f.check, f.message.replace(/ \(helm lint only logs it.*$/, '')]),
      [
        ['render', 'missing required value: x is required'],
        ['render', 'missing required value: y: "quoted"'],
      ],
    );
  }
});
