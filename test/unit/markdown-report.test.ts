import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiffResult } from '../../src/actions/diff.js';
import { renderDiffMarkdown, renderLintMarkdown } from '../../src/cli/markdown-report.js';
import { ChartctlError } from '../../src/core/errors.js';
import { SecretMasker } from '../../src/core/secret-masker.js';

function result(): DiffResult {
  return {
    env: 'prod',
    release: 'shop',
    namespace: 'shop-prod',
    deployed: { revision: 4, version: '1.2.0', status: 'deployed' },
    candidate: { version: '1.3.0', digest: 'sha256:ab', source: 's3', revision: null },
    drift: null,
    diff: {
      hasChanges: true,
      counts: { changed: 2, added: 1, removed: 0, unchanged: 7 },
      changes: [
        { change: 'changed', resource: 'apps/Deployment shop-prod/api', apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop-prod', name: 'api', hook: false, diff: '--- a\n+++ b\n@@ -1 +1 @@\n-replicas: 2\n+replicas: 3 # token hunter2-secret\n' },
        { change: 'changed', resource: 'Secret shop-prod/db', apiVersion: 'v1', kind: 'Secret', namespace: 'shop-prod', name: 'db', hook: false, secretKeysChanged: ['password'], diff: '--- a\n+++ b\n@@ -1 +1 @@\n-password: ***\n+password: ***\n' },
        { change: 'added', resource: 'ConfigMap shop-prod/a|b', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop-prod', name: 'a|b', hook: false, diff: '--- a\n+++ b\n@@ -0,0 +1 @@\n+x: "```"\n' },
        { change: 'unchanged', resource: 'Service shop-prod/api', apiVersion: 'v1', kind: 'Service', namespace: 'shop-prod', name: 'api', hook: false },
      ],
    },
  } as DiffResult;
}

test('diff --output markdown: headings, a table of changed resources, each diff in a ```diff block, secrets masked', () => {
  const masker = new SecretMasker();
  masker.add('hunter2-secret');
  const md = renderDiffMarkdown([{ env: 'prod', ok: true, result: result() }, { env: 'dev', ok: false, error: new ChartctlError('No release.', { code: 'RELEASE_READ', hint: 'Check the context.' }) }], masker);
  assert.match(md, /^# chartctl diff: prod, dev\n\n## prod\n\nRelease `shop` in `shop-prod`: revision 4 \(1\.2\.0\) → 1\.3\.0\n\n\| Change \| Resource \|\n\| --- \| --- \|\n\| changed \| apps\/Deployment shop-prod\/api \|\n\| changed \| Secret shop-prod\/db \|\n\| added \| ConfigMap shop-prod\/a\\\|b \|\n\n2 changed, 1 added, 0 removed, 7 unchanged\n/);
  assert.doesNotMatch(md, /Service shop-prod\/api/, 'unchanged resources stay out of the table');
  assert.match(md, /```diff\n@@ -1 \+1 @@\n-replicas: 2\n\+replicas: 3 # token \*\*\*\n```/);
  assert.doesNotMatch(md, /hunter2/);
  assert.match(md, /Secret keys changed: password \(values hidden\)\./);
  assert.match(md, /````diff\n@@ -0,0 \+1 @@\n\+x: "```"\n````/, 'a fence longer than the backticks inside');
  assert.match(md, /## dev\n\n\*\*Failed\*\* \(RELEASE_READ\): No release\.\n\nHint: Check the context\./);
});

test('lint --output markdown: a summary table, a findings table per environment with findings, counts that agree', () => {
  const md = renderLintMarkdown(
    {
      ok: false,
      counts: { error: 1, warning: 1, info: 0 },
      environments: [
        { env: 'dev', ok: true, resources: 12, counts: { error: 0, warning: 0, info: 0 }, findings: [] },
        { env: 'prod', ok: false, resources: 1, counts: { error: 1, warning: 1, info: 0 }, findings: [
          { severity: 'error', check: 'values-schema', message: 'values a: unknown key "b"' },
          { severity: 'warning', check: 'image-tag', message: 'uses :latest', resource: 'apps/v1/Deployment shop/api', source: 'templates/api.yaml' },
        ] },
      ],
    },
    new SecretMasker(),
  );
  assert.match(md, /^# chartctl lint\n\n\| Environment \| Result \| Resources \| Errors \| Warnings \|\n\| --- \| --- \| --- \| --- \| --- \|\n\| dev \| ok \| 12 \| 0 \| 0 \|\n\| prod \| \*\*FAILED\*\* \| 1 \| 1 \| 1 \|\n/);
  assert.doesNotMatch(md, /## dev/);
  assert.match(md, /## prod\n\n\| Severity \| Check \| Where \| Message \|\n\| --- \| --- \| --- \| --- \|\n\| error \| values-schema \|  \| values a: unknown key "b" \|\n\| warning \| image-tag \| apps\/v1\/Deployment shop\/api \[templates\/api\.yaml\] \| uses :latest \|/);
  assert.match(md, /\n2 environments: 1 error, 1 warning — lint failed\n$/);
});

test('lint --output markdown: resources not schema-checked for one cause in every environment are one row, not one per environment', () => {
  const offline = (env: string, resources: number) => ({
    severity: 'warning' as const,
    check: 'schema',
    env,
    message: `schemas unavailable, ${resources} resources not schema-checked: offline. (${env})`,
    unchecked: { kind: 'schema-source' as const, reason: 'offline', resources },
  });
  const md = renderLintMarkdown(
    {
      ok: true,
      counts: { error: 0, warning: 2, info: 0 },
      environments: [
        { env: 'dev', ok: true, resources: 12, counts: { error: 0, warning: 1, info: 0 }, findings: [offline('dev', 12)] },
        { env: 'prod', ok: true, resources: 13, counts: { error: 0, warning: 1, info: 0 }, findings: [offline('prod', 13)] },
      ],
    },
    new SecretMasker(),
  );
  assert.doesNotMatch(md, /## dev|## prod/);
  assert.match(md, /\n## Across environments\n\n\| Severity \| Check \| Environments \| Message \|\n\| --- \| --- \| --- \| --- \|\n\| warning \| schema \| both environments \| schemas unavailable, 25 resources not schema-checked: offline\. Point CHARTCTL_SCHEMA_LOCATION [^|]*"chartctl validate dev"[^|]* \|\n\n2 environments: 0 errors, 2 warnings\n$/);
});
