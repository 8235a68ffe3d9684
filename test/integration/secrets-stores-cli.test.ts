import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateX25519Identity, identityToRecipient } from 'age-encryption';
import { copyExampleApp, runCli } from '../support/project.js';
import { isolatedSecretsEnv } from '../support/secrets.js';

/* The CLI side of sops' dotenv/INI stores and of `secrets updatekeys`, in a copy of the example app. */

let app: ReturnType<typeof copyExampleApp>;
let iso: ReturnType<typeof isolatedSecretsEnv>;
before(() => {
  app = copyExampleApp();
  iso = isolatedSecretsEnv();
});
after(() => {
  app.remove();
  iso.remove();
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: app.dir, env: { ...iso.env, ...env }, timeoutMs: 60_000 });
const read = (rel: string) => readFileSync(join(app.dir, rel), 'utf8');
const DEMO = 'age15c3992ylldev8feaquy5g747qnegsyly07esku9a95rw2g43asyqfj7uxv';

test('a .env file is encrypted, decrypted and re-keyed as sops dotenv; updatekeys asks unless --yes', async () => {
  const other = await generateX25519Identity();
  const otherRecipient = await identityToRecipient(other);
  const otherKeyFile = join(iso.dir, 'other-age-key.txt');
  writeFileSync(otherKeyFile, `${other}\n`);
  writeFileSync(join(app.dir, '.sops.yaml'), `creation_rules:\n  - path_regex: ^environments/secrets/\n    age: ${DEMO}\n`);
  const file = 'environments/secrets/worker.env';
  writeFileSync(join(app.dir, file), 'QUEUE_PASSWORD=queue-Pa55-word\n');
  const enc = await cli(['secrets', 'encrypt', file]);
  assert.equal(enc.exitCode, 0, enc.stderr);
  assert.match(read(file), /^QUEUE_PASSWORD=ENC\[AES256_GCM,data:[^\]]+,type:str\]\nsops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\n/);
  const dec = await cli(['secrets', 'decrypt', file]);
  assert.equal(dec.exitCode, 0, dec.stderr);
  assert.equal(dec.stdout, 'QUEUE_PASSWORD=queue-Pa55-word');

  writeFileSync(join(app.dir, '.sops.yaml'), `creation_rules:\n  - path_regex: ^environments/secrets/\n    age: ${otherRecipient}\n`);
  const before = read(file);
  const refused = await cli(['secrets', 'updatekeys', file]);
  assert.equal(refused.exitCode, 1);
  assert.match(refused.stderr, /error: Updating the recipients of environments\/secrets\/worker\.env needs confirmation, and this is not an interactive terminal\.\nhint: .*--yes/);
  assert.equal(read(file), before);
  const r = await cli(['secrets', 'updatekeys', file, '--yes']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(
    r.stdout,
    [
      'The following changes will be made to the key groups of environments/secrets/worker.env (rule 1 of .sops.yaml):',
      'Group 1',
      `+++ age ${otherRecipient}`,
      `--- age ${DEMO}`,
      `Updated the recipients of environments/secrets/worker.env (age ${otherRecipient})`,
    ].join('\n'),
  );
  assert.equal(read(file).split('\n')[0], before.split('\n')[0], 'the value keeps its ciphertext');
  const withOther = await cli(['secrets', 'decrypt', file], { SOPS_AGE_KEY_FILE: otherKeyFile });
  assert.equal(withOther.stdout, 'QUEUE_PASSWORD=queue-Pa55-word', withOther.stderr);
  const withDemo = await cli(['secrets', 'decrypt', file]);
  assert.equal(withDemo.exitCode, 1);
  assert.match(withDemo.stderr, /cannot decrypt the data key/);
  const json = await cli(['secrets', 'updatekeys', file, '--output', 'json'], { SOPS_AGE_KEY_FILE: otherKeyFile });
  assert.equal(json.exitCode, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).changed, false);
});
