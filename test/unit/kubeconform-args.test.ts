import { test } from 'node:test';
import assert from 'node:assert/strict';
import { translateKubeconformArgs } from '../../src/cli/kubeconform-args.js';

test("kubeconform's flag spellings become chartctl's after validate, and select kubeconform's output", () => {
  assert.deepEqual(translateKubeconformArgs(['validate', '-summary', '-kubernetes-version=1.33.0', '-n', '8', '-strict=false', '-output', 'json', 'a.yaml']), [
    'validate',
    '--summary',
    '--kube-version',
    '1.33.0',
    '--output',
    'kubeconform-json',
    'a.yaml',
    '--quiet',
  ]);
  assert.deepEqual(translateKubeconformArgs(['--cwd', 'app', 'validate', '-verbose', '-']), ['--cwd', 'app', 'validate', '--verbose', '-', '--output', 'kubeconform', '--quiet']);
  assert.deepEqual(translateKubeconformArgs(['validate', '-output=tap', 'a.yaml']), ['validate', '--output', 'tap', 'a.yaml', '--quiet']);
});

test("chartctl's own spelling, other commands and unknown flags are left as they are", () => {
  assert.deepEqual(translateKubeconformArgs(['validate', 'prod', '--strict', '--output', 'json', '-f', 'x.yaml']), ['validate', 'prod', '--strict', '--output', 'json', '-f', 'x.yaml']);
  assert.deepEqual(translateKubeconformArgs(['validate', '--kubernetes-version', '1.33.0', 'a.yaml']), ['validate', '--kube-version', '1.33.0', 'a.yaml']);
  assert.deepEqual(translateKubeconformArgs(['lint', '-summary']), ['lint', '-summary']);
  assert.deepEqual(translateKubeconformArgs(['validate', '-xyz']), ['validate', '-xyz']);
  assert.deepEqual(translateKubeconformArgs(['validate', '--', '-summary']), ['validate', '--', '-summary']);
});
