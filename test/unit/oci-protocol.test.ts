import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge, retryAfterMs, specErrorText } from '../../src/core/oci-protocol.js';

test('WWW-Authenticate challenges as registries send them', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/x:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/x:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
  assert.equal(parseChallenge('Bearer realm="file:///etc/passwd"'), undefined, 'a realm must be http(s)');
  assert.equal(parseChallenge('Negotiate abc'), undefined);
  assert.equal(parseChallenge(undefined), undefined);
});

test('Retry-After in seconds or as an HTTP date', () => {
  const now = new Date('2026-12-02T10:00:00Z');
  assert.equal(retryAfterMs('7', now), 7000);
  assert.equal(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', now), 30_000);
  assert.equal(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon', now), undefined);
  assert.equal(retryAfterMs(undefined, now), undefined);
});

test('spec error bodies become CODE: message', () => {
  assert.equal(specErrorText('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{}}]}'), 'NAME_UNKNOWN: repository name not known to registry');
  assert.equal(specErrorText('<html>bad gateway</html>'), '');
});
