import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayUrl, entryObject, indexUrlOutsideRepository, resolveIndexUrl, type RepositoryLocation } from '../../src/core/index-url.js';

const dev = { bucket: 'acme-charts', prefix: 'dev' };
const nested = { bucket: 'acme-charts', prefix: 'team/a/dev' };
const root = { bucket: 'acme-charts', prefix: '' };

/** [repository, url, the object name it resolves to] — what helm would download, under the prefix. */
const inside: [typeof dev, string, string][] = [
  [dev, 'shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, './shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, 'enc%2B-1.2.3.tgz', 'enc+-1.2.3.tgz'],
  [dev, 'shop-1.0.0+build.1.tgz', 'shop-1.0.0+build.1.tgz'],
  [dev, 'a%20b-1.0.0.tgz', 'a b-1.0.0.tgz'],
  [dev, 'sub/shop-1.0.0.tgz', 'sub/shop-1.0.0.tgz'],
  [dev, 'sub/../shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, 'sub/./shop-1.0.0.tgz', 'sub/shop-1.0.0.tgz'],
  [dev, '../dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, '/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, '/other/../dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, '//acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, 's3://acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, 'S3://acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [dev, 's3://acme-charts/dev/enc%2B-1.2.3.tgz', 'enc+-1.2.3.tgz'],
  [nested, 'shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [nested, '../../a/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [nested, '/team/a/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [root, 'shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [root, '/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [root, 's3://acme-charts/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  [root, 'dev/../shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
];

/** [repository, url, words the reason contains] — refused: not an object of this repository. */
const outside: [typeof dev, unknown, RegExp][] = [
  [dev, '../../../../home/u/.bashrc', /climb above the bucket root/],
  [dev, '../prod/shop-1.0.0.tgz', /key "prod\/shop-1.0.0.tgz", outside the prefix "dev\/"/],
  [dev, '../shop-1.0.0.tgz', /outside the prefix/],
  [dev, '../dev2/shop-1.0.0.tgz', /outside the prefix/],
  [dev, '/prod/shop-1.0.0.tgz', /outside the prefix/],
  [dev, '/devx/shop-1.0.0.tgz', /outside the prefix/],
  [dev, '/shop-1.0.0.tgz', /outside the prefix/],
  [dev, '//other-bucket/dev/shop-1.0.0.tgz', /names bucket "other-bucket", not "acme-charts"/],
  [dev, 's3://other-bucket/dev/shop-1.0.0.tgz', /names bucket "other-bucket"/],
  [dev, 's3://acme-charts/prod/shop-1.0.0.tgz', /outside the prefix/],
  [dev, 's3://acme-charts/dev/../prod/shop-1.0.0.tgz', /has a "\.\." segment/],
  [dev, 's3://acme-charts/dev/../../../etc/passwd', /has a "\.\." segment/],
  [dev, 's3:acme-charts/dev/shop-1.0.0.tgz', /names no bucket/],
  [dev, 'https://acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz', /https: url/],
  [dev, 'http://127.0.0.1:9000/acme-charts/dev/shop-1.0.0.tgz', /http: url/],
  [dev, 'file:///etc/passwd', /file: url/],
  [dev, '%2e%2e/%2e%2e/home/u/.bashrc', /has a "\.\." segment/],
  [dev, 'a%2F..%2F..%2F..%2Fhome%2Fu%2F.bashrc', /has a "\.\." segment/],
  [dev, '..%5C..%5Chome%5Cu.tgz', /backslash/],
  [dev, '..\\..\\home\\u.tgz', /backslash/],
  [dev, 'shop\u0000.tgz', /control character/],
  [dev, 'shop%00.tgz', /control character/],
  [dev, 'shop%0a.tgz', /control character/],
  [dev, 'shop\n.tgz', /control character/],
  [dev, 'shop%zz.tgz', /percent-encoding is invalid/],
  [dev, 'shop-1.0.0.tgz?x=1', /query or fragment/],
  [dev, 'shop-1.0.0.tgz#x', /query or fragment/],
  [dev, '', /empty/],
  [dev, './', /the repository itself/],
  [dev, '.', /the repository itself/],
  [dev, '/dev/', /the repository itself/],
  [dev, '/dev', /outside the prefix/],
  [dev, 'sub/', /empty path segment/],
  [dev, 'a//b.tgz', /empty path segment/],
  [dev, 'sub/..', /the repository itself/],
  [dev, '1:x.tgz', /does not parse/],
  [dev, `${'a'.repeat(1100)}.tgz`, /longer than S3 allows/],
  [dev, 42, /not a string/],
  [dev, null, /not a string/],
  [nested, '../../../x.tgz', /outside the prefix/],
  [root, '../shop-1.0.0.tgz', /climb above the bucket root/],
  [root, '/../shop-1.0.0.tgz', /climb above the bucket root/],
];

test('index urls resolve as helm resolves them, to an object name under the prefix', () => {
  for (const [repository, url, name] of inside) {
    assert.deepEqual(resolveIndexUrl(url, repository), { kind: 'inside', name }, `${repository.prefix}: ${url}`);
  }
});

test('index urls that leave the repository (or are no plain key) are refused with the reason', () => {
  for (const [repository, url, reason] of outside) {
    const resolved = resolveIndexUrl(url, repository);
    assert.equal(resolved.kind, 'outside', `${repository.prefix}: ${String(url)} must be refused, got ${JSON.stringify(resolved)}`);
    assert.match(resolved.kind === 'outside' ? resolved.reason : '', reason, `${repository.prefix}: ${String(url)}`);
  }
});

test('an entry is read at its first url only, as helm downloads it', () => {
  assert.deepEqual(entryObject({ name: 'shop', version: '1.0.0', urls: ['shop-1.0.0.tgz', '../../x'] }, dev), { kind: 'object', name: 'shop-1.0.0.tgz' });
  assert.deepEqual(entryObject({ name: 'shop', version: '1.0.0', urls: ['https://mirror.example/shop-1.0.0.tgz', 'shop-1.0.0.tgz'] }, dev), {
    kind: 'outside',
    url: 'https://mirror.example/shop-1.0.0.tgz',
    reason: 'it is a https: url, not an object of this S3 repository',
  });
  assert.deepEqual(entryObject({ name: 'shop', version: '1.0.0' }, dev), { kind: 'noUrl' });
  assert.deepEqual(entryObject({ name: 'shop', version: '1.0.0', urls: [] }, dev), { kind: 'noUrl' });
});

test('the refusal names the environment, chart, version and url, with control characters escaped', () => {
  const err = indexUrlOutsideRepository({ env: 'dev', repository: 's3://acme-charts/dev' }, { name: 'shop', version: '9.9.9' }, '../x\u001b[2J', 'its ".." segments climb above the bucket root');
  assert.equal(err.code, 'INDEX_URL_OUTSIDE_REPOSITORY');
  assert.match(err.message, /^Refusing shop 9\.9\.9: the dev index lists its url as "\.\.\/x\\u001b\[2J", which is not an object of s3:\/\/acme-charts\/dev/);
  assert.doesNotMatch(err.message, /\u001b/);
  assert.match(err.hint ?? '', /chartctl repo reindex dev/);
  assert.equal(displayUrl('a'.repeat(500)).length, 202);
});

test('http(s) urls of this very bucket on the endpoint it is read through resolve inside it; other hosts, ports and endpoints do not', () => {
  const aws = { ...dev, servedBy: { kind: 'aws' as const } };
  const minio = { ...dev, servedBy: { kind: 'custom' as const, url: 'http://127.0.0.1:9000' } };
  const served: [RepositoryLocation, string, string][] = [
    [aws, 'https://acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
    [aws, 'https://acme-charts.s3.eu-west-1.amazonaws.com/dev/enc%2B-1.2.3.tgz', 'enc+-1.2.3.tgz'],
    [aws, 'https://acme-charts.s3-eu-west-1.amazonaws.com/dev/sub/shop-1.0.0.tgz', 'sub/shop-1.0.0.tgz'],
    [aws, 'https://ACME-CHARTS.S3.amazonaws.com:443/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
    [aws, 'https://s3.eu-west-1.amazonaws.com/acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
    [aws, 'http://s3.amazonaws.com/acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
    [minio, 'http://127.0.0.1:9000/acme-charts/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
    [minio, 'http://acme-charts.127.0.0.1:9000/dev/shop-1.0.0.tgz', 'shop-1.0.0.tgz'],
  ];
  for (const [repository, url, name] of served) assert.deepEqual(resolveIndexUrl(url, repository), { kind: 'inside', name }, url);
  const refused: [RepositoryLocation, string, RegExp][] = [
    [aws, 'https://other.s3.amazonaws.com/dev/shop-1.0.0.tgz', /names bucket "other"/],
    [aws, 'https://s3.amazonaws.com/other/dev/shop-1.0.0.tgz', /names bucket "other"/],
    [aws, 'https://acme-charts.s3.amazonaws.com/prod/shop-1.0.0.tgz', /outside the prefix/],
    [aws, 'https://acme-charts.s3.amazonaws.com/dev/../prod/shop-1.0.0.tgz', /has a "\.\." segment/],
    [aws, 'https://acme-charts.s3.amazonaws.com.attacker.example/dev/shop-1.0.0.tgz', /is not an Amazon S3 host name/],
    [aws, 'https://acme-charts.s3.amazonaws.com:8443/dev/shop-1.0.0.tgz', /is not an Amazon S3 host name/],
    [aws, 'https://user@acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz', /user information/],
    [aws, 'https://charts.example.com/dev/shop-1.0.0.tgz', /is not an Amazon S3 host name/],
    [aws, 'https://acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz?x-id=GetObject', /query or fragment/],
    [minio, 'https://acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz', /the endpoint is http:\/\/127\.0\.0\.1:9000/],
    [minio, 'http://127.0.0.1:9001/acme-charts/dev/shop-1.0.0.tgz', /not on the endpoint/],
    [minio, 'http://127.0.0.1:9000/other/dev/shop-1.0.0.tgz', /names bucket "other"/],
    [dev, 'https://acme-charts.s3.amazonaws.com/dev/shop-1.0.0.tgz', /^it is a https: url, not an object of this S3 repository$/],
  ];
  for (const [repository, url, reason] of refused) {
    const resolved = resolveIndexUrl(url, repository);
    assert.match(resolved.kind === 'outside' ? resolved.reason : `inside: ${JSON.stringify(resolved)}`, reason, url);
  }
});
