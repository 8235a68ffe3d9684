import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppRepo } from '../../src/adapters/app-repo.js';
import { Cleanup } from '../../src/adapters/cleanup.js';
import type { Editor } from '../../src/adapters/editor.js';
import { SopsSecretsReader } from '../../src/adapters/secrets-reader.js';
import { FakeDataKeyService } from '../../src/adapters/sops-keys/fake-keys.js';
import { fakeDeps } from '../support/fake-deps.js';
import { secretsCheck } from '../../src/actions/secrets-check.js';
import { secretsDecrypt } from '../../src/actions/secrets-decrypt.js';
import { secretsEdit } from '../../src/actions/secrets-edit.js';
import { secretsEncrypt } from '../../src/actions/secrets-encrypt.js';
import { secretsRotate } from '../../src/actions/secrets-rotate.js';
import { isChartctlError } from '../../src/core/errors.js';

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'chartctl-secrets-unit-'));
  mkdirSync(join(root, 'secrets'));
  writeFileSync(join(root, '.sops.yaml'), 'creation_rules:\n  - path_regex: ^secrets/\n    age: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n');
  const keys = new FakeDataKeyService();
  const cleanup = new Cleanup();
  const deps = fakeDeps({
    repo: new AppRepo(root),
    cleanup,
    secrets: new SopsSecretsReader(keys),
    now: () => new Date('2024-02-03T04:05:06Z'),
  });
  return { root, deps, keys, cleanup, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Scripted editor: each call applies the next edit to the file. */
function scripted(...edits: Array<(text: string) => string>): Editor & { retries: string[]; seen: string[] } {
  const retries: string[] = [];
  const seen: string[] = [];
  return {
    retries,
    seen,
    async edit(path) {
      seen.push(path);
      const edit = edits.shift()!;
      await writeFile(path, edit(readFileSync(path, 'utf8')));
    },
    async retry(problem) {
      retries.push(problem);
      return edits.length > 0;
    },
  };
}

test('decrypt refuses a terminal unless forced, and registers what it decrypted with the masker', async () => {
  const { root, deps, remove } = setup();
  try {
    writeFileSync(join(root, 'secrets/app.yaml'), 'api:\n    key: api-key-value-123\n');
    await secretsEncrypt(deps, { file: 'secrets/app.yaml' });
    await assert.rejects(secretsDecrypt(deps, { file: 'secrets/app.yaml', toTerminal: true }), (e: unknown) => isChartctlError(e) && e.code === 'SECRETS_TTY' && /--force/.test(e.hint!));
    const fresh = setup();
    const result = await secretsDecrypt({ ...deps, masker: fresh.deps.masker }, { file: 'secrets/app.yaml', toTerminal: true, force: true });
    fresh.remove();
    assert.equal(result.content.toString(), 'api:\n    key: api-key-value-123\n');
    assert.equal(fresh.deps.masker.mask('key=api-key-value-123'), 'key=***');
  } finally {
    remove();
  }
});

test('edit reopens the editor after invalid YAML, then saves; the temp file is gone and nothing is pending', async () => {
  const { root, deps, cleanup, remove } = setup();
  try {
    writeFileSync(join(root, 'secrets/app.yaml'), 'a: one-value\nb: two-value\n');
    await secretsEncrypt(deps, { file: 'secrets/app.yaml' });
    const editor = scripted(
      () => 'a: [broken\n',
      () => 'a: one-value\nb: two-value\nc: three-value\n',
    );
    const result = await secretsEdit(deps, { file: 'secrets/app.yaml', editor });
    assert.deepEqual({ changed: result.changed, created: result.created }, { changed: true, created: false });
    assert.equal(editor.retries.length, 1);
    assert.match(editor.retries[0]!, /^error: secrets\/app\.yaml \(your edit\):2:1: invalid YAML: Flow sequence/);
    assert.equal(editor.seen.length, 2);
    assert.equal(existsSync(editor.seen[0]!), false);
    assert.equal(cleanup.pending, 0);
    const out = await secretsDecrypt(deps, { file: 'secrets/app.yaml', toTerminal: false });
    assert.deepEqual(out.values, { a: 'one-value', b: 'two-value', c: 'three-value' });
  } finally {
    remove();
  }
});

test('a recipient that refuses: encrypt fails and leaves the cleartext file as it was', async () => {
  const { root, deps, keys, remove } = setup();
  try {
    writeFileSync(join(root, 'secrets/app.yaml'), 'a: b-value\n');
    keys.denied.add('age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq');
    await assert.rejects(secretsEncrypt(deps, { file: 'secrets/app.yaml' }), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_WRAP_FAILED');
    assert.equal(readFileSync(join(root, 'secrets/app.yaml'), 'utf8'), 'a: b-value\n');
  } finally {
    remove();
  }
});

test('rotate refuses files with key types chartctl cannot re-wrap for; check needs no key at all', async () => {
  const { root, deps, keys, remove } = setup();
  try {
    writeFileSync(join(root, 'secrets/app.yaml'), 'a: b-value\n');
    await secretsEncrypt(deps, { file: 'secrets/app.yaml' });
    const file = join(root, 'secrets/app.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('sops:\n', 'sops:\n    gcp_kms:\n        - resource_id: projects/p/locations/global/keyRings/r/cryptoKeys/k\n          created_at: "2024-01-01T00:00:00Z"\n          enc: CiQA\n'));
    await assert.rejects(secretsRotate(deps, { file: 'secrets/app.yaml' }), (e: unknown) => isChartctlError(e) && e.code === 'SOPS_UNSUPPORTED_KEY' && /gcp_kms/.test(e.message));
    assert.match(readFileSync(file, 'utf8'), /gcp_kms:/, 'an edit keeps keys chartctl cannot use');
    keys.denied.add('age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq');
    const before = keys.unwrapCalls;
    const result = await secretsCheck(deps, { paths: [] });
    assert.equal(result.ok, true);
    assert.deepEqual(result.files.map((f) => f.file), ['secrets/app.yaml']);
    assert.equal(keys.unwrapCalls, before, 'check never asks for a key');
  } finally {
    remove();
  }
});
