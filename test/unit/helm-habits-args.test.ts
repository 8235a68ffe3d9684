import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkHelmPassthrough } from '../../src/core/helm-passthrough.js';
import { splitHelmHabits } from '../../src/cli/helm-habits-args.js';

test('arguments after -- go to helm on template, lint, diff and deploy only', () => {
  assert.deepEqual(splitHelmHabits(['deploy', 'prod', '-y', '--', '--post-renderer', './k.sh']), { argv: ['deploy', 'prod', '-y'], helmArgs: ['--post-renderer', './k.sh'] });
  assert.deepEqual(splitHelmHabits(['--cwd', 'app', '-o', 'json', 'template', 'dev', '--']), { argv: ['--cwd', 'app', '-o', 'json', 'template', 'dev'], helmArgs: [] });
  // validate keeps -- for file names, as kubeconform does.
  assert.deepEqual(splitHelmHabits(['validate', '--', '-odd-name.yaml']), { argv: ['validate', '--', '-odd-name.yaml'], helmArgs: [] });
});

test("-q on diff is helm-diff's --suppress-secrets; elsewhere it stays -q (--quiet)", () => {
  assert.deepEqual(splitHelmHabits(['diff', 'prod', '-q']).argv, ['diff', 'prod', '--suppress-secrets']);
  assert.deepEqual(splitHelmHabits(['-o', 'json', 'diff', 'prod', '-q', '--', '-q']), { argv: ['-o', 'json', 'diff', 'prod', '--suppress-secrets'], helmArgs: ['-q'] });
  assert.deepEqual(splitHelmHabits(['template', 'prod', '-q']).argv, ['template', 'prod', '-q']);
  assert.deepEqual(splitHelmHabits(['--cwd', 'diff', 'template', '-q']).argv, ['--cwd', 'diff', 'template', '-q'], 'the value of --cwd is not the command');
});

test('helm flags chartctl sets itself are refused after --, in every spelling', () => {
  for (const args of [['--namespace', 'x'], ['--namespace=x'], ['-n', 'x'], ['-nx'], ['--kube-context=c'], ['-f', 'v.yaml'], ['--values', 'v.yaml'], ['--version', '1.0.0'], ['--set', 'a=1'], ['--kube-version', '1.30'], ['--timeout=1m']]) {
    assert.throws(() => checkHelmPassthrough('deploy', ['--post-renderer', './k.sh', ...args]), (err: any) => {
      assert.equal(err.code, 'HELM_ARG_CONTROLLED');
      assert.match(err.message, new RegExp(`"${args[0]!.replace(/[-=]/g, '\\$&')}" after "--" is a helm flag chartctl deploy sets itself`));
      assert.match(err.hint, /^[A-Z].*post-renderer/);
      return true;
    }, args.join(' '));
  }
  checkHelmPassthrough('deploy', ['--post-renderer', './k.sh', '--post-renderer-args', '--namespace-less', '--force', '--api-versions', 'x/v1']);
});

test('-o before validate is a global flag with a value, as --output is, for the kubeconform spelling', async () => {
  const { translateKubeconformArgs } = await import('../../src/cli/kubeconform-args.js');
  assert.deepEqual(translateKubeconformArgs(['-o', 'json', 'validate', '-summary', 'm.yaml']), ['-o', 'json', 'validate', '--summary', 'm.yaml', '--quiet', '--kubeconform-dialect']);
});
