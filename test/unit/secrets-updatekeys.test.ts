import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeDeps } from '../support/fake-deps.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { AppRepo } from '../../src/adapters/app-repo.js';
import { createSecretsReader } from '../../src/adapters/secrets-factory.js';
import { secretsDecrypt } from '../../src/actions/secrets-decrypt.js';
import { secretsEncrypt } from '../../src/actions/secrets-encrypt.js';
import { secretsUpdateKeys, type UpdateKeysPlan } from '../../src/actions/secrets-updatekeys.js';
import { isChartctlError } from '../../src/core/errors.js';
import { demoAgeKeyFile } from '../support/secrets.js';

/*
 * `secrets updatekeys` as `sops updatekeys` does it: the data key is wrapped
 * for the recipients .sops.yaml names now, with real age keys; the values,
 * lastmodified and the MAC are left exactly as they were.
 */

const DEMO_IDENTITY = readFileSync(demoAgeKeyFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
const DEMO_RECIPIENT = 'age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv';

function project() {
  const root = mkdtempSync(join(tmpdir(), 'chartctl-updatekeys-'));
  mkdirSync(join(root, 'secrets'));
  mkdirSync(join(root, 'home'));
  const deps = (identities: string[]) =>
    fakeDeps({
      repo: new AppRepo(root),
      secrets: createSecretsReader({ PATH: process.env.PATH, HOME: join(root, 'home'), XDG_CONFIG_HOME: join(root, 'home'), SOPS_AGE_KEY: identities.join('\n') }),
      now: () => new Date('2024-02-03T04:05:06Z'),
    });
  const rule = (...recipients: string[]) => writeFileSync(join(root, '.sops.yaml'), `creation_rules:\n  - path_regex: ^secrets/\n    age: ${recipients.join(',')}\n`);
  return { root, deps, rule, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** What updatekeys must not touch: the encrypted values (and comments), lastmodified, the MAC. */
function untouched(text: string): string[] {
  const values = text.includes('\nsops:\n') ? text.slice(0, text.indexOf('\nsops:\n')) : text.includes('[sops]\n') ? text.slice(0, text.indexOf('[sops]\n')) : text.split('\n').filter((l) => !l.startsWith('sops_')).join('\n');
  const field = (name: string) => new RegExp(`^(?:sops_|\\s*)${name}\\s*[:=].*$`, 'm').exec(text)?.[0];
  return [values, field('lastmodified')!, field('mac')!];
}

const CLEARTEXT: Record<string, string> = {
  'secrets/app.env': 'DB_PASSWORD=hunter2-long-enough\n#rotated monthly\nAPI_TOKEN=tok-0123456789\n',
  'secrets/app.ini': '[db]\n; rotated monthly\npassword = hunter2-long-enough\n',
  'secrets/app.yaml': 'db:\n    # rotated monthly\n    password: hunter2-long-enough\n',
};

test('updatekeys adds then removes an age recipient: the new key decrypts, the removed one cannot, values/lastmodified/MAC unchanged', async () => {
  const p = project();
  try {
    const other = await generateX25519Identity();
    const otherRecipient = await identityToRecipient(other);
    p.rule(DEMO_RECIPIENT);
    for (const [file, text] of Object.entries(CLEARTEXT)) {
      writeFileSync(join(p.root, file), text);
      await secretsEncrypt(p.deps([DEMO_IDENTITY]), { file });
    }
    for (const file of Object.keys(CLEARTEXT)) {
      const path = join(p.root, file);
      const before = readFileSync(path, 'utf8');

      p.rule(DEMO_RECIPIENT, otherRecipient);
      const added = await secretsUpdateKeys(p.deps([DEMO_IDENTITY]), { file, yes: true });
      assert.equal(added.changed, true, file);
      assert.deepEqual(added.plan.groups, [{ group: 1, kept: [`age ${DEMO_RECIPIENT}`], added: [`age ${otherRecipient}`], removed: [] }], file);
      const both = readFileSync(path, 'utf8');
      assert.deepEqual(untouched(both), untouched(before), `${file}: same values, lastmodified and MAC`);
      assert.equal((await secretsDecrypt(p.deps([other]), { file, toTerminal: false })).content.toString('utf8'), CLEARTEXT[file], `${file}: the added key decrypts (MAC valid)`);
      assert.equal((await secretsDecrypt(p.deps([DEMO_IDENTITY]), { file, toTerminal: false })).content.toString('utf8'), CLEARTEXT[file], `${file}: the kept key still decrypts`);

      p.rule(otherRecipient);
      const removed = await secretsUpdateKeys(p.deps([DEMO_IDENTITY]), { file, yes: true });
      assert.deepEqual(removed.plan.groups, [{ group: 1, kept: [`age ${otherRecipient}`], added: [], removed: [`age ${DEMO_RECIPIENT}`] }], file);
      const after = readFileSync(path, 'utf8');
      assert.deepEqual(untouched(after), untouched(before), `${file}: still the same values, lastmodified and MAC`);
      assert.doesNotMatch(after, new RegExp(DEMO_RECIPIENT), file);
      assert.equal((await secretsDecrypt(p.deps([other]), { file, toTerminal: false })).content.toString('utf8'), CLEARTEXT[file], file);
      await assert.rejects(secretsDecrypt(p.deps([DEMO_IDENTITY]), { file, toTerminal: false }), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_NO_DATA_KEY', `${file}: the removed key cannot decrypt`);

      const again = await secretsUpdateKeys(p.deps([other]), { file });
      assert.equal(again.changed, false, `${file}: already up to date, nothing to confirm`);
      assert.equal(readFileSync(path, 'utf8'), after);
    }
  } finally {
    p.remove();
  }
});

test('updatekeys shows the change and asks: no terminal or a "no" leaves the file as it was', async () => {
  const p = project();
  try {
    const other = await generateX25519Identity();
    const otherRecipient = await identityToRecipient(other);
    p.rule(DEMO_RECIPIENT);
    const file = 'secrets/app.env';
    writeFileSync(join(p.root, file), CLEARTEXT[file]!);
    await secretsEncrypt(p.deps([DEMO_IDENTITY]), { file });
    const before = readFileSync(join(p.root, file), 'utf8');
    p.rule(otherRecipient);
    await assert.rejects(secretsUpdateKeys(p.deps([DEMO_IDENTITY]), { file }), (e: unknown) => isChartctlError(e) && e.code === 'NOT_CONFIRMED' && /--yes/.test(e.hint ?? ''));
    const asked: UpdateKeysPlan[] = [];
    await assert.rejects(
      secretsUpdateKeys(p.deps([DEMO_IDENTITY]), { file, confirm: async (plan) => (asked.push(plan), false) }),
      (e: unknown) => isChartctlError(e) && e.code === 'CANCELLED' && /cancelled/.test(e.message) && e.hint === undefined,
    );
    assert.deepEqual(asked.map((a) => a.groups), [[{ group: 1, kept: [], added: [`age ${otherRecipient}`], removed: [`age ${DEMO_RECIPIENT}`] }]]);
    assert.equal(readFileSync(join(p.root, file), 'utf8'), before);
    const approved = await secretsUpdateKeys(p.deps([DEMO_IDENTITY]), { file, confirm: async () => true });
    assert.equal(approved.changed, true);
    assert.deepEqual(approved.recipients, [`age ${otherRecipient}`]);
  } finally {
    p.remove();
  }
});
