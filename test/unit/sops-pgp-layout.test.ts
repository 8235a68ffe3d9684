import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgpKeySource } from '../../src/adapters/sops-keys/pgp-keys.js';
import { metadataEntries, WRITTEN_SOPS_VERSION, withDefaultRule } from '../../src/core/sops/metadata.js';
import { newDataKey } from '../../src/core/sops/data-key.js';
import { emitMetadataYaml } from '../../src/core/sops/yaml-format.js';
import { hasSharedCorpus, SHARED_SKIP_REASON, sharedCorpus } from '../support/project.js';

/*
 * sops stores gpg's armored output with bytes.TrimSpace (pgp/keysource.go),
 * so its YAML store writes the PGP key's `enc` as a `|-` block, as in sops'
 * own example.yaml (sops-upstream in ../shared/corpus).
 */
const hasGpg = spawnSync('gpg', ['--version'], { stdio: 'ignore' }).status === 0;

/** A pgp entry of a sops: block: `enc: |-`, the armored message at +2, then `fp`. */
const PGP_ENTRY = /^ {8}- created_at: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n {10}enc: \|-\n {12}-----BEGIN PGP MESSAGE-----\n\n(?: {12}\S+\n)+ {12}-----END PGP MESSAGE-----\n {10}fp: [0-9A-F]{40}$/m;

test('a PGP-wrapped data key is written `enc: |-` like sops writes it, and still opens', { skip: hasGpg ? false : 'gpg is not installed' }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'chartctl-gnupg-'));
  try {
    const env = { PATH: process.env.PATH, GNUPGHOME: home };
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'chartctl test <test@example.invalid>', 'default', 'default', 'never'], { env, stdio: 'ignore' });
    const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(execFileSync('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env, encoding: 'utf8' }))![1]!;
    const pgp = new PgpKeySource(env);
    const dataKey = newDataKey();
    const key = await pgp.wrap({ type: 'pgp', fingerprint }, dataKey, new Date('2026-12-02T07:00:00Z'));
    assert.match(key.enc, /-----END PGP MESSAGE-----$/, 'no trailing newline, as sops trims it');
    const block = emitMetadataYaml(metadataEntries({ keyGroups: [[key]], lastModified: '2026-12-02T07:00:00Z', mac: 'ENC[x]', version: WRITTEN_SOPS_VERSION, rules: withDefaultRule({}) }));
    assert.match(block, PGP_ENTRY);
    assert.deepEqual(Buffer.from(await pgp.unwrap(key)), Buffer.from(dataKey));
  } finally {
    // Stop the gpg-agent that key generation started for this home.
    spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { PATH: process.env.PATH, GNUPGHOME: home }, stdio: 'ignore' });
    rmSync(home, { recursive: true, force: true });
  }
});

test("the expected layout is the one in sops' own example.yaml", { skip: hasSharedCorpus ? false : SHARED_SKIP_REASON }, () => {
  const example = readFileSync(join(sharedCorpus, 'sops-upstream', 'example.yaml'), 'utf8');
  assert.match(example, PGP_ENTRY);
});
