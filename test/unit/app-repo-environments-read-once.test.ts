import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';

const envFile = (namespace: string) => `chart: charts/shop\nrelease: shop\nnamespace: ${namespace}\nkubeVersion: "1.33"\nrepository: {url: s3://charts/${namespace}, region: us-east-1}\n`;

test('environmentsReadOnce: each environment file read and checked once for the run; a plain AppRepo reads it afresh', async () => {
  const root = mkdtempSync(join(tmpdir(), 'chartctl-read-once-'));
  try {
    mkdirSync(join(root, 'environments'));
    writeFileSync(join(root, 'environments', 'dev.yaml'), envFile('shop-dev'));
    writeFileSync(join(root, 'environments', 'prod.yaml'), envFile('shop-prod'));
    const repo = new AppRepo(root, { overrides: { kubeContext: 'ci' } });
    const once = repo.environmentsReadOnce();
    const first = await once.loadEnvironment('dev');
    assert.equal(first.namespace, 'shop-dev');
    assert.equal(first.kubeContext, 'ci', 'the overrides still apply');
    writeFileSync(join(root, 'environments', 'dev.yaml'), envFile('shop-edited'));
    writeFileSync(join(root, 'environments', 'qa.yaml'), envFile('shop-qa'));
    assert.equal(await once.loadEnvironment('dev'), first, 'the same environment, not read again');
    assert.deepEqual((await once.loadEnvironments([])).map((e) => e.namespace), ['shop-dev', 'shop-prod'], 'the names as first listed');
    assert.equal(once.environmentsReadOnce(), once);
    await assert.rejects(once.loadEnvironment('staging'), /Unknown environment "staging"\. Known environments: dev, prod\./);
    assert.equal((await repo.loadEnvironment('dev')).namespace, 'shop-edited');
    assert.deepEqual(await repo.environmentNames(), ['dev', 'prod', 'qa']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('sharedRead: read once for the run in a repository read once (a failure is not kept, each caller then reads itself); afresh in a plain AppRepo', async () => {
  const repo = new AppRepo(tmpdir());
  const once = repo.environmentsReadOnce();
  let reads = 0;
  const read = async () => ({ n: ++reads });
  const [a, b] = await Promise.all([once.sharedRead('chart\0charts/shop', read), once.sharedRead('chart\0charts/shop', read)]);
  assert.equal(a, b);
  assert.equal(await once.sharedRead('chart\0charts/shop', read), a);
  assert.equal(reads, 1);
  assert.notEqual(await once.sharedRead('chart\0charts/api', read), a, 'another key, another read');
  assert.equal(reads, 2);

  const failures: string[] = [];
  const failing = (who: string) => async () => {
    failures.push(who);
    throw new Error(`${who} cannot read it`);
  };
  const outcomes = await Promise.allSettled([once.sharedRead('values\0missing.yaml', failing('dev')), once.sharedRead('values\0missing.yaml', failing('prod'))]);
  assert.deepEqual(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'read')), ['dev cannot read it', 'prod cannot read it']);
  assert.deepEqual(failures, ['dev', 'prod']);

  await repo.sharedRead('chart\0charts/shop', read);
  await repo.sharedRead('chart\0charts/shop', read);
  assert.equal(reads, 4);
});
