import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredActor } from '../../src/core/actor.js';
import { decideApproval } from '../../src/core/deploy-gates.js';

test('actor: CHARTCTL_ACTOR wins; else a CI user variable, recorded with its name', () => {
  assert.equal(declaredActor({ CHARTCTL_ACTOR: 'alice', GITHUB_ACTOR: 'octocat' }), 'alice');
  assert.equal(declaredActor({ GITHUB_ACTOR: 'octocat' }), 'octocat (GITHUB_ACTOR)');
  assert.equal(declaredActor({ GITLAB_USER_LOGIN: 'root' }), 'root (GITLAB_USER_LOGIN)');
  assert.equal(declaredActor({ GITHUB_ACTOR: '  ', CIRCLE_USERNAME: 'c' }), 'c (CIRCLE_USERNAME)');
  assert.equal(declaredActor({ USER: 'runner' }), undefined);
});

test('a CI job without CHARTCTL_ACTOR approves as its CI user (GITHUB_ACTOR / GITLAB_USER_LOGIN)', () => {
  const base = { required: true, yes: true, interactive: false, ci: true };
  assert.deepEqual(decideApproval({ ...base, actor: declaredActor({ CI: 'true', GITHUB_ACTOR: 'octocat' }) }), { kind: 'approved', how: 'flag', by: 'octocat (GITHUB_ACTOR)' });
  assert.deepEqual(decideApproval({ ...base, actor: declaredActor({ CI: 'true', GITLAB_USER_LOGIN: 'root' }) }), { kind: 'approved', how: 'flag', by: 'root (GITLAB_USER_LOGIN)' });
  const none = decideApproval({ ...base, actor: declaredActor({ CI: 'true' }) });
  assert.equal(none.kind, 'refused');
  assert.match((none as { reason: string }).reason, /CHARTCTL_ACTOR/);
});
