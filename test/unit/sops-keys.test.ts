import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { isChartctlError } from '../../src/core/errors.js';
import { newDataKey, recoverDataKey, wrapDataKey } from '../../src/core/sops/data-key.js';
import { metadataEntries, WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { combineShares, splitSecret } from '../../src/core/sops/shamir.js';
import { emitMetadataYaml } from '../../src/core/sops/yaml-format.js';
import type { MasterKeySpec, SopsMetadata } from '../../src/core/sops/types.js';
import { AgeKeySource, defaultAgeKeyFile } from '../../src/adapters/sops-keys/age-keys.js';
import { FakeDataKeyService } from '../../src/adapters/sops-keys/fake-keys.js';

const NOW = new Date('2024-01-01T00:00:00Z');

test('Shamir: any threshold of the parts rebuilds the data key, fewer do not', () => {
  const secret = newDataKey();
  const parts = splitSecret(secret, 3, 2);
  assert.equal(parts.length, 3);
  assert.ok(parts.every((p) => p.length === 33));
  assert.equal(new Set(parts.map((p) => p[32])).size, 3, 'distinct x coordinates');
  for (const pair of [[0, 1], [1, 2], [0, 2]]) assert.deepEqual(combineShares(pair.map((i) => parts[i]!)), secret);
  assert.deepEqual(combineShares(parts), secret);
  assert.notDeepEqual(combineShares(splitSecret(secret, 3, 3).slice(0, 2)), secret, 'below the threshold the result is noise');
});

test('key groups: one key per group opens it; shamir_threshold groups are needed', async () => {
  const keys = new FakeDataKeyService();
  const groups: MasterKeySpec[][] = [
    [{ type: 'age', recipient: 'age1alice' }, { type: 'pgp', fingerprint: 'FP1' }],
    [{ type: 'kms', arn: 'arn:aws:kms:eu-west-1:111122223333:key/k1', context: { app: 'shop' } }],
    [{ type: 'age', recipient: 'age1bob' }],
  ];
  const dataKey = newDataKey();
  const wrapped = await wrapDataKey(groups, 2, dataKey, (s, d) => keys.wrap(s, d, NOW), 'f');
  assert.equal(wrapped.shamirThreshold, 2);
  const meta: SopsMetadata = { keyGroups: wrapped.keyGroups, shamirThreshold: 2, lastModified: '2024-01-01T00:00:00Z', mac: '', version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) };
  keys.denied.add('age1alice');
  keys.denied.add('arn:aws:kms:eu-west-1:111122223333:key/k1');
  assert.deepEqual(await recoverDataKey(meta, (k) => keys.unwrap(k), 'f'), dataKey, 'group 1 through its pgp key, group 3 through bob');
  keys.denied.add('age1bob');
  await assert.rejects(recoverDataKey(meta, (k) => keys.unwrap(k), 'secrets/prod.yaml'), (err: unknown) => {
    assert.ok(isChartctlError(err));
    assert.equal(err.code, 'SOPS_NO_DATA_KEY');
    assert.match(err.message, /^secrets\/prod\.yaml: cannot decrypt the data key \(the data key is split over 3 key groups, 2 of which are needed; 1 could be opened\): key group 2: kms arn:aws:kms:eu-west-1:111122223333:key\/k1: fake key service: access denied/);
    assert.match(err.hint!, /AWS KMS/);
    return true;
  });
});

test("a group's age keys whose identities are at hand are tried first; the others still are, in the file's order", async () => {
  const keys = new FakeDataKeyService();
  const dataKey = newDataKey();
  const group = await Promise.all(['age1alice', 'age1bob', 'age1carol'].map((recipient) => keys.wrap({ type: 'age', recipient }, dataKey, NOW)));
  const meta: SopsMetadata = { keyGroups: [group], lastModified: '2024-01-01T00:00:00Z', mac: '', version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) };
  const tried: string[] = [];
  const unwrap = (key: (typeof group)[number]) => {
    tried.push(key.type === 'age' ? key.recipient : key.type);
    return keys.unwrap(key);
  };
  keys.heldAge.add('age1carol');
  assert.deepEqual(await recoverDataKey(meta, unwrap, 'f', () => keys.heldAgeRecipients()), dataKey);
  assert.deepEqual(tried, ['age1carol']);
  // An identity that is held but does not open its entry (a stale recipient line): the others are tried after it.
  tried.length = 0;
  keys.denied.add('age1carol');
  assert.deepEqual(await recoverDataKey(meta, unwrap, 'f', () => keys.heldAgeRecipients()), dataKey);
  assert.deepEqual(tried, ['age1carol', 'age1alice']);
});

test("the sops block is written in sops' field order, as yaml.v3 lays it out", () => {
  const meta: SopsMetadata = {
    keyGroups: [
      [
        { type: 'kms', arn: 'arn:aws:kms:us-east-1:1:key/a', role: 'arn:aws:iam::1:role/r', context: { env: 'prod' }, createdAt: '2024-01-01T00:00:00Z', enc: 'QUJD', awsProfile: '' },
        { type: 'pgp', fingerprint: 'ABCD', createdAt: '2024-01-01T00:00:00Z', enc: '-----BEGIN PGP MESSAGE-----\n\nx\n-----END PGP MESSAGE-----' },
        { type: 'age', recipient: 'age1x', enc: '-----BEGIN AGE ENCRYPTED FILE-----\nYQ==\n-----END AGE ENCRYPTED FILE-----\n' },
      ],
    ],
    lastModified: '2024-01-01T00:00:00Z',
    mac: 'ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]',
    version: WRITTEN_SOPS_VERSION,
    rules: { encryptedRegex: '^(data|stringData)$', macOnlyEncrypted: true },
  };
  assert.equal(
    emitMetadataYaml(metadataEntries(meta)),
    `sops:
    kms:
        - arn: arn:aws:kms:us-east-1:1:key/a
          role: arn:aws:iam::1:role/r
          context:
            env: prod
          created_at: "2024-01-01T00:00:00Z"
          enc: QUJD
          aws_profile: ""
    age:
        - recipient: age1x
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YQ==
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2024-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]
    pgp:
        - created_at: "2024-01-01T00:00:00Z"
          enc: |-
            -----BEGIN PGP MESSAGE-----

            x
            -----END PGP MESSAGE-----
          fp: ABCD
    encrypted_regex: ^(data|stringData)$
    mac_only_encrypted: true
    version: ${WRITTEN_SOPS_VERSION}
`,
  );
});

test('age identities: SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default file are all tried', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-age-'));
  try {
    const [alice, bob, carol] = await Promise.all([generateX25519Identity(), generateX25519Identity(), generateX25519Identity()]);
    const recipients = await Promise.all([alice, bob, carol].map((i) => identityToRecipient(i)));
    const keyFile = join(dir, 'keys.txt');
    writeFileSync(keyFile, `# created by a test\n\n${bob}\n`);
    mkdirSync(join(dir, 'xdg', 'sops', 'age'), { recursive: true });
    writeFileSync(join(dir, 'xdg', 'sops', 'age', 'keys.txt'), `${carol}\n`);
    const env = { SOPS_AGE_KEY: alice, SOPS_AGE_KEY_FILE: keyFile, XDG_CONFIG_HOME: join(dir, 'xdg'), HOME: dir };
    assert.equal(defaultAgeKeyFile(env, 'linux'), join(dir, 'xdg', 'sops', 'age', 'keys.txt'));
    assert.equal(defaultAgeKeyFile({ HOME: '/home/u' }, 'linux'), '/home/u/.config/sops/age/keys.txt');
    const source = new AgeKeySource(env, 'linux');
    const dataKey = newDataKey();
    for (const recipient of recipients) {
      const wrapped = await source.wrap({ type: 'age', recipient }, dataKey);
      assert.match(wrapped.enc, /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
      assert.deepEqual(await source.unwrap(wrapped), dataKey);
    }
    const stranger = await source.wrap({ type: 'age', recipient: await identityToRecipient(await generateX25519Identity()) }, dataKey);
    await assert.rejects(source.unwrap(stranger), /none of the 3 age identities from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE=.*keys\.txt, .*xdg\/sops\/age\/keys\.txt can decrypt it/);
    assert.deepEqual(await source.heldAgeRecipients(), new Set(recipients));
    assert.deepEqual(await new AgeKeySource({ HOME: dir }, 'linux').heldAgeRecipients(), new Set(), 'no identities: none held (unwrap says why)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('age identities: unreadable, missing or malformed key files are named, keys are never echoed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-age-'));
  try {
    const wrapped = await new AgeKeySource({ HOME: dir }, 'linux').wrap({ type: 'age', recipient: await identityToRecipient(await generateX25519Identity()) }, newDataKey());
    const unwrapWith = (env: NodeJS.ProcessEnv) => new AgeKeySource({ HOME: dir, ...env }, 'linux').unwrap(wrapped);
    await assert.rejects(unwrapWith({}), new RegExp(`no age identities: SOPS_AGE_KEY and SOPS_AGE_KEY_FILE are not set and ${dir}/.config/sops/age/keys.txt does not exist`));
    await assert.rejects(unwrapWith({ SOPS_AGE_KEY_FILE: join(dir, 'missing.txt') }), /cannot read SOPS_AGE_KEY_FILE=.*missing\.txt: it does not exist/);
    await assert.rejects(unwrapWith({ SOPS_AGE_KEY_FILE: dir }), /cannot read SOPS_AGE_KEY_FILE=.*: it is a directory/);
    const damaged = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEY';
    writeFileSync(join(dir, 'bad.txt'), `# comment\n${damaged}\n`);
    await assert.rejects(unwrapWith({ SOPS_AGE_KEY_FILE: join(dir, 'bad.txt') }), (err: Error) => {
      assert.match(err.message, /line 2 of SOPS_AGE_KEY_FILE=.*bad\.txt is not a valid age identity/);
      assert.ok(!err.message.includes(damaged.slice(16)), 'the key is not echoed');
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
