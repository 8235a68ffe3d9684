import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEcrToken, ecrRegistryOf } from '../../src/core/ecr-registry.js';

test('ECR host names: account and region, commercial, FIPS, China and GovCloud partitions', () => {
  const cases: [string, ReturnType<typeof ecrRegistryOf>][] = [
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', { account: '123456789012', region: 'eu-west-1' }],
    ['123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM', { account: '123456789012', region: 'us-east-1' }],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com:443', { account: '123456789012', region: 'eu-west-1' }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { account: '123456789012', region: 'us-gov-west-1' }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { account: '123456789012', region: 'cn-north-1' }],
    ['123456789012.dkr.ecr.ap-southeast-2.amazonaws.com', { account: '123456789012', region: 'ap-southeast-2' }],
  ];
  for (const [host, expected] of cases) assert.deepEqual(ecrRegistryOf(host), expected, host);
});

test('not ECR: public ECR, other registries, look-alikes, bad accounts, other ports, loopback', () => {
  for (const host of [
    'public.ecr.aws',
    'ghcr.io',
    '127.0.0.1:5000',
    'localhost',
    '12345678901.dkr.ecr.eu-west-1.amazonaws.com',
    '1234567890123.dkr.ecr.eu-west-1.amazonaws.com',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example',
    'evil.example/123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    'x123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com:5000',
    '123456789012.dkr.ecr.amazonaws.com',
    '123456789012.ecr.eu-west-1.amazonaws.com',
  ]) {
    assert.equal(ecrRegistryOf(host), undefined, host);
  }
});

test('ECR tokens decode to user and password; malformed ones are refused', () => {
  assert.deepEqual(decodeEcrToken(Buffer.from('AWS:pa:ss').toString('base64')), { username: 'AWS', secret: 'pa:ss' });
  assert.equal(decodeEcrToken(Buffer.from('no-colon').toString('base64')), undefined);
  assert.equal(decodeEcrToken(Buffer.from(':secret').toString('base64')), undefined);
  assert.equal(decodeEcrToken(Buffer.from('AWS:').toString('base64')), undefined);
  assert.equal(decodeEcrToken(''), undefined);
});
