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
    '--kubeconform-dialect',
  ]);
  assert.deepEqual(translateKubeconformArgs(['--cwd', 'app', 'validate', '-verbose', '-']), ['--cwd', 'app', 'validate', '--verbose', '-', '--output', 'kubeconform', '--quiet', '--kubeconform-dialect']);
  assert.deepEqual(translateKubeconformArgs(['validate', '-output=tap', 'a.yaml']), ['validate', '--output', 'tap', 'a.yaml', '--quiet', '--kubeconform-dialect']);
});

test("chartctl's own spelling, other commands and unknown flags are left as they are", () => {
  assert.deepEqual(translateKubeconformArgs(['validate', 'prod', '--strict', '--output', 'json', '-f', 'x.yaml']), ['validate', 'prod', '--strict', '--output', 'json', '-f', 'x.yaml']);
  assert.deepEqual(translateKubeconformArgs(['validate', '--kubernetes-version', '1.33.0', 'a.yaml']), ['validate', '--kube-version', '1.33.0', 'a.yaml']);
  assert.deepEqual(translateKubeconformArgs(['lint', '-summary']), ['lint', '-summary']);
  assert.deepEqual(translateKubeconformArgs(['validate', '--', '-summary']), ['validate', '--', '-summary']);
});

test("kubeconform's -v, -debug and an undefined single-dash flag are kubeconform's command line too", () => {
  assert.deepEqual(translateKubeconformArgs(['validate', '-v']), ['validate', '--kubeconform-version', '--output', 'kubeconform', '--quiet', '--kubeconform-dialect']);
  assert.deepEqual(translateKubeconformArgs(['validate', '-debug', 'a.yaml']), ['validate', 'a.yaml', '--output', 'kubeconform', '--quiet', '--kubeconform-dialect']);
  assert.deepEqual(translateKubeconformArgs(['validate', '-xyz']), ['validate', '--kubeconform-unknown-flag=-xyz', '--output', 'kubeconform', '--quiet', '--kubeconform-dialect']);
  // chartctl's short flags are not kubeconform's.
  assert.deepEqual(translateKubeconformArgs(['validate', '-f', 'a.yaml']), ['validate', '-f', 'a.yaml']);
});
