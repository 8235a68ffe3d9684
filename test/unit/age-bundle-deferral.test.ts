/**
 * scripts/defer-age-recipient-types.mjs makes the CLI bundle evaluate age's post-quantum hybrid KEMs
 * and P-256 only when an identity or recipient needs them; scripts/native-age-hashes.mjs gives age
 * node:crypto's SHA-256 HKDF and HMAC. Here age-encryption is bundled with both plugins, as
 * scripts/bundle.mjs bundles it: an X25519 decryption evaluates neither deferred module, and every kind
 * of identity and recipient age supports works and writes what the published library writes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import * as published from 'age-encryption';
import { MLKEM768P256 } from '@noble/post-quantum/hybrid.js';
import { base64nopad, bech32 } from '@scure/base';
import { projectRoot } from '../support/project.js';

type Age = typeof published;
interface DeferralPlugin {
  deferAgeRecipientTypes: () => Plugin;
  deferImports: (text: string, path: string) => string;
  AGE_DEFERRED_IMPORTS: { statement: string }[];
}

const pluginModule = pathToFileURL(join(projectRoot, 'scripts', 'defer-age-recipient-types.mjs')).href;
const hashesPluginModule = pathToFileURL(join(projectRoot, 'scripts', 'native-age-hashes.mjs')).href;
const ageEntry = { contents: "export * from 'age-encryption';", resolveDir: projectRoot, loader: 'js' } as const;
/** The modules the plugin defers, as age resolves them (post-quantum has a copy of @noble/curves of its own). */
const DEFERRED = new Map([
  [join(projectRoot, 'node_modules', '@noble', 'post-quantum', 'hybrid.js'), 'hybrid'],
  [join(projectRoot, 'node_modules', '@noble', 'curves', 'nist.js'), 'nist'],
]);
declare global {
  var ageModulesEvaluated: string[] | undefined;
}

/** Records, in globalThis.ageModulesEvaluated, when each deferred module's top level has run. */
const recordEvaluation: Plugin = {
  name: 'record-evaluation',
  setup(b) {
    b.onLoad({ filter: /[/\\](hybrid|nist)\.js$/ }, (args) => {
      const name = DEFERRED.get(args.path);
      return name ? { contents: `${readFileSync(args.path, 'utf8')}\nglobalThis.ageModulesEvaluated?.push(${JSON.stringify(name)});`, loader: 'js' } : undefined;
    });
  },
};
const evaluated = (): string[] => [...(globalThis.ageModulesEvaluated ?? [])];

let scratch: string;
let bundled: Age;
let bundledText: string;
before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'chartctl-age-bundle-'));
  const { deferAgeRecipientTypes } = (await import(pluginModule)) as DeferralPlugin;
  const { nativeAgeHashes } = (await import(hashesPluginModule)) as { nativeAgeHashes: () => Plugin };
  const out = await build({
    stdin: ageEntry,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    plugins: [deferAgeRecipientTypes(), nativeAgeHashes(), recordEvaluation],
  });
  const file = join(scratch, 'age.mjs');
  bundledText = out.outputFiles[0]!.text;
  writeFileSync(file, bundledText);
  globalThis.ageModulesEvaluated = [];
  bundled = (await import(pathToFileURL(file).href)) as Age;
});
after(() => {
  delete globalThis.ageModulesEvaluated;
  rmSync(scratch, { recursive: true, force: true });
});

const plaintext = new TextEncoder().encode('a sops data key, 32 bytes long!!');

async function roundTrip(age: Age, identity: string): Promise<Uint8Array> {
  const encrypter = new age.Encrypter();
  encrypter.addRecipient(await age.identityToRecipient(identity));
  const decrypter = new age.Decrypter();
  decrypter.addIdentity(identity);
  return decrypter.decrypt(await encrypter.encrypt(plaintext));
}

test('an X25519 identity decrypts without evaluating the hybrid KEMs or P-256; a post-quantum one evaluates the KEMs when first used', async () => {
  assert.deepEqual(evaluated(), [], 'loading age evaluates neither');
  assert.deepEqual(await roundTrip(bundled, await bundled.generateX25519Identity()), plaintext);
  assert.deepEqual(evaluated(), []);
  assert.deepEqual(await roundTrip(bundled, await bundled.generateHybridIdentity()), plaintext);
  assert.deepEqual(evaluated(), ['hybrid'], 'only the KEMs: P-256 is for tag recipients');
});

test('post-quantum (AGE-SECRET-KEY-PQ-1) and passphrase (scrypt) files decrypt, in both directions with the published library', async () => {
  const pq = await published.generateHybridIdentity();
  assert.equal(await bundled.identityToRecipient(pq), await published.identityToRecipient(pq));
  assert.deepEqual(await roundTrip(bundled, pq), plaintext);
  for (const [from, to] of [
    [bundled, published],
    [published, bundled],
  ] as const) {
    const encrypter = new from.Encrypter();
    encrypter.addRecipient(await from.identityToRecipient(pq));
    const decrypter = new to.Decrypter();
    decrypter.addIdentity(pq);
    assert.deepEqual(await decrypter.decrypt(await encrypter.encrypt(plaintext)), plaintext);

    const withPassphrase = new from.Encrypter();
    withPassphrase.setPassphrase('correct horse battery staple');
    withPassphrase.setScryptWorkFactor(4);
    const byPassphrase = new to.Decrypter();
    byPassphrase.addPassphrase('correct horse battery staple');
    assert.deepEqual(await byPassphrase.decrypt(await withPassphrase.encrypt(plaintext)), plaintext);
  }
});

/** `fn` run with crypto.getRandomValues drawing from a fixed sequence, so age's output is the same on every run. */
async function withFixedRandomness<T>(fn: () => Promise<T>): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(globalThis.crypto, 'getRandomValues');
  let next = 0;
  Object.defineProperty(globalThis.crypto, 'getRandomValues', {
    configurable: true,
    value: <A extends ArrayBufferView | null>(array: A): A => {
      const bytes = new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (next++ * 131 + 7) & 0xff;
      return array;
    },
  });
  try {
    return await fn();
  } finally {
    if (real) Object.defineProperty(globalThis.crypto, 'getRandomValues', real);
    else delete (globalThis.crypto as { getRandomValues?: unknown }).getRandomValues;
  }
}

test('files for every recipient type (age1, age1pq, age1tag, age1tagpq, a passphrase) are byte for byte what the published library writes', async () => {
  const tagKey = createECDH('prime256v1');
  tagKey.generateKeys();
  const tagPq = MLKEM768P256.keygen();
  const recipients = {
    x25519: await published.identityToRecipient(await published.generateX25519Identity()),
    pq: await published.identityToRecipient(await published.generateHybridIdentity()),
    tag: bech32.encodeFromBytes('age1tag', tagKey.getPublicKey(null, 'compressed')),
    tagPq: bech32.encode('age1tagpq', bech32.toWords(tagPq.publicKey), false),
  };
  const encrypt = async (age: Age, recipient: string | undefined) => {
    const encrypter = new age.Encrypter();
    if (recipient) encrypter.addRecipient(recipient);
    else {
      encrypter.setPassphrase('correct horse battery staple');
      encrypter.setScryptWorkFactor(4);
    }
    return Buffer.from(await encrypter.encrypt(plaintext));
  };
  for (const [kind, recipient] of [...Object.entries(recipients), ['passphrase', undefined] as const]) {
    // Once first: a module evaluated on first use may draw randomness as it sets up (a curve's blinding).
    await encrypt(bundled, recipient);
    const ours = await withFixedRandomness(() => encrypt(bundled, recipient));
    const theirs = await withFixedRandomness(() => encrypt(published, recipient));
    assert.ok(ours.equals(theirs), `${kind}: the bundled age wrote other bytes than the published one`);
  }
  assert.ok(evaluated().includes('nist'), 'the tag recipients used P-256');

  // The tag stanzas hold a point of the recipient's curve: ECDH with its key accepts it.
  const header = (await encrypt(bundled, recipients.tag)).toString('latin1');
  const stanza = /^-> p256tag (\S+) (\S+)$/m.exec(header);
  assert.ok(stanza, header.slice(0, 200));
  assert.equal(tagKey.computeSecret(Buffer.from(base64nopad.decode(stanza[2]!))).length, 32);
  assert.match((await encrypt(bundled, recipients.tagPq)).toString('latin1'), /^-> mlkem768p256tag \S+ \S+$/m);
});

test('a release of age whose recipients.js no longer has an import the plugin defers, or uses its names otherwise, fails the build, naming it', async () => {
  const { deferImports, AGE_DEFERRED_IMPORTS } = (await import(pluginModule)) as DeferralPlugin;
  const source = readFileSync(join(projectRoot, 'node_modules', 'age-encryption', 'dist', 'recipients.js'), 'utf8');
  assert.doesNotMatch(deferImports(source, 'recipients.js'), /^import .*(hybrid|nist)\.js/m);
  const p256Import = AGE_DEFERRED_IMPORTS[1]!.statement;
  assert.throws(() => deferImports(source.replace(p256Import, p256Import.replace('{ p256 }', '{ p256, p384 }')), 'recipients.js'), /recipients\.js no longer has import \{ p256 \} from "@noble\/curves\/nist\.js";/);
  assert.throws(() => deferImports(`${source}\nexport const curve = p256;\n`, 'recipients.js'), /recipients\.js uses p256 other than as p256\.member/);
});

test("age's HKDF and HMAC imports become node:crypto's; a release of age without them fails the build, naming the plugin", async () => {
  assert.match(bundledText, /hkdfSync\(/, 'the bundled age derives its keys with node:crypto');
  const { nativeAgeHashes } = (await import(hashesPluginModule)) as { nativeAgeHashes: () => Plugin };
  // As if age imported them some other way: they resolve before the plugin sees them.
  const elsewhere: Plugin = {
    name: 'elsewhere',
    setup(b) {
      b.onResolve({ filter: /^@noble\/hashes\/(hkdf|hmac)\.js$/ }, (args) => ({ path: join(projectRoot, 'node_modules', '@noble', 'hashes', args.path.slice('@noble/hashes/'.length)) }));
    },
  };
  await assert.rejects(
    build({ stdin: ageEntry, bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent', plugins: [elsewhere, nativeAgeHashes()] }),
    /age-encryption no longer imports @noble\/hashes\/hkdf\.js or hmac\.js: update scripts\/native-age-hashes\.mjs/,
  );
});
