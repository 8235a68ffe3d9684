import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isChartctlError } from '../../src/core/errors.js';
import { matchCreationRule, parseSopsConfig } from '../../src/core/sops/creation-rules.js';

const CONFIG = `creation_rules:
  - path_regex: ^environments/secrets/prod\\.yaml$
    kms: "arn:aws:kms:us-east-1:111122223333:key/abc+arn:aws:iam::111122223333:role/deployer, arn:aws:kms:eu-west-1:111122223333:alias/backup"
    aws_profile: prod
    pgp: 0123456789ABCDEF0123456789ABCDEF01234567
    encrypted_regex: ^(password|token)$
  - path_regex: (?i)\\.SECRET\\.json$
    key_groups:
      - age: [age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv]
        kms:
          - arn: arn:aws:kms:us-east-1:111122223333:key/ctx
            context: {app: shop, tier: db}
      - pgp: [FINGERPRINT2]
    shamir_threshold: 2
  - age: age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv,age1rh2xsjg8avja92j3jhtttuczgmqkz89lezxt4e3mmp5ukl5j4f9smvteju
`;

test('creation rules: first match wins, with the short and long recipient forms', () => {
  const rules = parseSopsConfig(CONFIG, '.sops.yaml');
  const prod = matchCreationRule(rules, 'environments/secrets/prod.yaml')!;
  assert.equal(prod.index, 1);
  assert.deepEqual(prod.keyGroups, [
    [
      { type: 'kms', arn: 'arn:aws:kms:us-east-1:111122223333:key/abc', role: 'arn:aws:iam::111122223333:role/deployer', awsProfile: 'prod' },
      { type: 'kms', arn: 'arn:aws:kms:eu-west-1:111122223333:alias/backup', awsProfile: 'prod' },
      { type: 'pgp', fingerprint: '0123456789ABCDEF0123456789ABCDEF01234567' },
    ],
  ]);
  assert.equal(prod.rules.encryptedRegex, '^(password|token)$');
  const json = matchCreationRule(rules, 'config/app.secret.json')!;
  assert.equal(json.index, 2, '(?i) works');
  assert.equal(json.shamirThreshold, 2);
  assert.deepEqual(json.keyGroups[0]![0], { type: 'kms', arn: 'arn:aws:kms:us-east-1:111122223333:key/ctx', role: undefined, context: { app: 'shop', tier: 'db' }, awsProfile: undefined });
  assert.equal(matchCreationRule(rules, 'anything/else.yaml')!.index, 3, 'a rule without path_regex matches everything');
  assert.equal(matchCreationRule(rules, 'anything/else.yaml')!.keyGroups[0]!.length, 2);
  assert.equal(matchCreationRule(rules.slice(0, 2), 'anything/else.yaml'), undefined);
});

test('creation rules: bad recipients, conflicting rules and bad regexps are reported with file:line:col', () => {
  const bad = (text: string, pattern: RegExp) =>
    assert.throws(() => parseSopsConfig(text, '.sops.yaml'), (err: unknown) => isChartctlError(err) && pattern.test(err.message));
  bad('creation_rules:\n  - age: not-a-key\n', /^\.sops\.yaml:2:5: "not-a-key" is not an age recipient/);
  bad('creation_rules:\n  - age: age1rh2xsjg8avja92j3jhtttuczgmqkz89lezxt4e3mmp5ukl5j4f9smvteju\n    encrypted_regex: a\n    unencrypted_suffix: _x\n', /unencrypted_suffix and encrypted_regex cannot be used together/);
  bad('creation_rules:\n  - path_regex: "("\n', /invalid regular expression/);
  bad('other: 1\n', /no "creation_rules"/);
  const gcp = parseSopsConfig('creation_rules:\n  - gcp_kms: projects/p/locations/l/keyRings/r/cryptoKeys/k\n', '.sops.yaml');
  assert.deepEqual(gcp[0]!.unsupported, ['gcp_kms']);
});

test("creation rules: a post-quantum hybrid age recipient (age1pq1..., age 1.3 and sops 3.12) is an age key; a mangled one is still refused", () => {
  const pq = `age1pq1${'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.repeat(4)}`;
  const rules = parseSopsConfig(`creation_rules:\n  - age: ${pq}\n`, '.sops.yaml');
  assert.deepEqual(matchCreationRule(rules, 'any.yaml')!.keyGroups, [[{ type: 'age', recipient: pq }]]);
  assert.throws(() => parseSopsConfig(`creation_rules:\n  - age: age1pq1bad\n`, '.sops.yaml'), /"age1pq1bad" is not an age recipient/);
});
