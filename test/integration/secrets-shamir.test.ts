import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { copyExampleApp, projectRoot, runCli } from '../support/project.js';
import { isolatedSecretsEnv } from '../support/secrets.js';

/*
 * Shamir key groups as sops writes them: three age key groups with
 * `shamir_threshold: 2`, so any two of the three people can decrypt and no
 * one alone can. sops splits the data key into one part per group (the part
 * at x = group index + 1, see the unit tests for the byte layout) and wraps
 * each part for every key of its group.
 */

let app: ReturnType<typeof copyExampleApp>;
let iso: ReturnType<typeof isolatedSecretsEnv>;
const identities: string[] = [];
before(async () => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
  for (let i = 0; i < 3; i++) identities.push(await generateIdentity());
  const recipients = await Promise.all(identities.map((id) => identityToRecipient(id)));
  writeFileSync(
    join(app.dir, '.sops.yaml'),
    `creation_rules:
  - path_regex: ^quorum/
    shamir_threshold: 2
    key_groups:
      - age:
          - ${recipients[0]}
      - age:
          - ${recipients[1]}
      - age:
          - ${recipients[2]}
`,
  );
  mkdirSync(join(app.dir, 'quorum'));
});
after(() => {
  app.remove();
  iso.remove();
});

/** Runs the CLI holding only the given people's age identities. */
const asPeople = (people: number[], args: string[]) =>
  runCli(args, { cwd: app.dir, env: { ...iso.env, SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY: people.map((p) => identities[p]).join('\n') }, timeoutMs: 60_000 });

const PAIRS = [
  [0, 1],
  [0, 2],
  [1, 2],
];

for (const [format, file, plain] of [
  ['yaml', 'quorum/prod.yaml', 'database:\n    password: quorum-Pa55\n    port: 5432\n'],
  ['json', 'quorum/prod.json', '{\n\t"database": {\n\t\t"password": "quorum-Pa55",\n\t\t"port": 5432\n\t}\n}\n'],
] as const) {
  test(`${format}: encrypted for 3 key groups with shamir_threshold 2, any 2 of the 3 keys decrypt it, 1 key alone cannot`, async () => {
    writeFileSync(join(app.dir, file), plain);
    const enc = await asPeople([0], ['secrets', 'encrypt', file]);
    assert.equal(enc.exitCode, 0, enc.stderr);
    const text = readFileSync(join(app.dir, file), 'utf8');
    assert.ok(!text.includes('quorum-Pa55'));
    if (format === 'yaml') {
      assert.match(text, /^ {4}shamir_threshold: 2$/m, 'written as a YAML int, as sops does');
      assert.equal(text.match(/^ {8}- age:$/gm)?.length, 3, 'one key group per person');
    } else {
      assert.match(text, /^\t\t"shamir_threshold": 2,$/m, 'written as a JSON number, as sops does');
      assert.equal(text.match(/^\t\t\t\t"age": \[$/gm)?.length, 3, 'one key group per person');
    }

    for (const pair of PAIRS) {
      const r = await asPeople(pair, ['secrets', 'decrypt', file]);
      assert.equal(r.exitCode, 0, `people ${pair.join('+')}: ${r.stderr}`);
      assert.equal(`${r.stdout}\n`, plain, `people ${pair.join('+')} get the cleartext back`);
    }

    for (const alone of [0, 1, 2]) {
      const r = await asPeople([alone], ['secrets', 'decrypt', file]);
      assert.equal(r.exitCode, 1, `person ${alone} alone`);
      assert.match(r.stderr, /cannot decrypt the data key \(the data key is split over 3 key groups, 2 of which are needed; 1 could be opened\)/);
      assert.match(r.stderr, /hint: You need the private key of a recipient in each of 2 key groups/);
      assert.doesNotMatch(r.stdout + r.stderr, /quorum-Pa55/);
    }
  });
}

test("a Shamir file in sops' layout, its parts made as sops' Split makes them, opens with any 2 of its 3 keys and not with 1", async () => {
  // test/fixtures/sops/shamir-2-of-3.yaml: a reproduction of a sops 3.10 file with three age key groups and
  // shamir_threshold 2, built from sops' shamir/shamir.go and aes/cipher.go without chartctl's code;
  // shamir-keys.txt holds the three test-only identities, one per key group.
  const fixtures = join(projectRoot, 'test', 'fixtures', 'sops');
  const keys = readFileSync(join(fixtures, 'shamir-keys.txt'), 'utf8').split('\n').filter((l) => l.startsWith('AGE-SECRET-KEY-'));
  assert.equal(keys.length, 3);
  copyFileSync(join(fixtures, 'shamir-2-of-3.yaml'), join(app.dir, 'quorum', 'sops-written.yaml'));
  const run = (people: number[]) =>
    runCli(['secrets', 'decrypt', 'quorum/sops-written.yaml'], { cwd: app.dir, env: { ...iso.env, SOPS_AGE_KEY_FILE: undefined, SOPS_AGE_KEY: people.map((p) => keys[p]).join('\n') }, timeoutMs: 60_000 });
  for (const pair of PAIRS) {
    const r = await run(pair);
    assert.equal(r.exitCode, 0, `keys ${pair.join('+')}: ${r.stderr}`);
    assert.equal(r.stdout, 'database:\n    password: quorum-Pa55\n    port: 5432');
  }
  const alone = await run([2]);
  assert.equal(alone.exitCode, 1);
  assert.match(alone.stderr, /2 of which are needed; 1 could be opened/);
});
