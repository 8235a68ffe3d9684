import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/core/findings.js';
import { shareFindings, sharedEnvironments } from '../../src/core/shared-findings.js';
import { uncheckedMessage, type Unchecked } from '../../src/core/unchecked-resources.js';

const OFFLINE = 'https://example.test/v1.33.0/_definitions.json is not in the schema cache and --offline forbids fetching it';

function unchecked(env: string, u: Unchecked): Finding {
  return { severity: 'warning', check: 'schema', env, message: uncheckedMessage(u, env), unchecked: u };
}

test('one cause in several environments is told once, counts added up, the first environment in the advice; each keeps the rest', () => {
  const policy: Finding = { severity: 'warning', check: 'image-tag', env: 'prod', resource: 'apps/v1/Deployment shop/api', message: 'uses :latest' };
  const environments = [
    { env: 'dev', findings: [unchecked('dev', { kind: 'schema-source', reason: OFFLINE, resources: 12 })] },
    { env: 'prod', findings: [policy, unchecked('prod', { kind: 'schema-source', reason: OFFLINE, resources: 13 })] },
    { env: 'staging', findings: [unchecked('staging', { kind: 'schema-source', reason: OFFLINE, resources: 12 })] },
  ];
  const { shared, own } = shareFindings(environments);
  assert.deepEqual(shared, [
    {
      severity: 'warning',
      check: 'schema',
      envs: ['dev', 'prod', 'staging'],
      message: `schemas unavailable, 37 resources not schema-checked: ${OFFLINE}. Point CHARTCTL_SCHEMA_LOCATION at a local kubernetes-json-schema directory or _definitions.json, or run "chartctl validate dev" once with network access to fill the cache.`,
    },
  ]);
  assert.deepEqual(own, [[], [policy], []]);
  assert.equal(sharedEnvironments(shared[0]!, 3), 'all 3 environments');
});

test('a cause only one environment has stays its own; different reasons (another Kubernetes version) are told apart', () => {
  const other = OFFLINE.replace('v1.33.0', 'v1.30.0');
  const hpa = unchecked('prod', { kind: 'missing-schema', resourceKind: 'autoscaling/v2/HorizontalPodAutoscaler', resources: 1 });
  const environments = [
    { env: 'dev', findings: [unchecked('dev', { kind: 'schema-source', reason: OFFLINE, resources: 12 }), unchecked('dev', { kind: 'missing-schema', resourceKind: 'v1/Pod', resources: 1 })] },
    { env: 'prod', findings: [unchecked('prod', { kind: 'schema-source', reason: other, resources: 13 }), hpa, unchecked('prod', { kind: 'missing-schema', resourceKind: 'v1/Pod', resources: 2 })] },
    { env: 'staging', findings: [unchecked('staging', { kind: 'schema-source', reason: OFFLINE, resources: 12 })] },
  ];
  const { shared, own } = shareFindings(environments);
  assert.deepEqual(shared.map((s) => s.envs), [['dev', 'staging'], ['dev', 'prod']]);
  assert.match(shared[0]!.message, /^schemas unavailable, 24 resources not schema-checked: https:\/\/example\.test\/v1\.33\.0\/.*"chartctl validate dev"/);
  assert.equal(shared[1]!.message, 'no schema for v1/Pod (3 resources not schema-checked); add its CRD to the chart or a location to CHARTCTL_SCHEMA_LOCATION');
  assert.deepEqual(own, [[], [environments[1]!.findings[0], hpa], []]);
  assert.equal(sharedEnvironments(shared[0]!, 3), 'dev, staging');
  assert.equal(sharedEnvironments({ ...shared[0]!, envs: ['dev', 'prod'] }, 2), 'both environments');
});

test('one environment: nothing is shared, its findings stay as they are', () => {
  const findings = [unchecked('dev', { kind: 'schema-setup', reason: 'bad location', resources: 12 })];
  assert.deepEqual(shareFindings([{ env: 'dev', findings }]), { shared: [], own: [findings] });
  assert.equal(findings[0]!.message, 'schemas unavailable: bad location');
});
