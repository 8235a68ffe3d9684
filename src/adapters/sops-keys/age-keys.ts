import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
type AgeModule = typeof import('age-encryption');
let ageModule: Promise<AgeModule> | undefined;
// Loaded on first use: the age library and its curves cost ~30 ms of every start-up otherwise.
const age = (): Promise<AgeModule> => (ageModule ??= import('age-encryption'));
import type { MasterKey, MasterKeySpec } from '../../core/sops/types.js';
import { KeySourceError, type KeySource } from './key-service.js';

type AgeKey = Extract<MasterKey, { type: 'age' }>;
type AgeSpec = Extract<MasterKeySpec, { type: 'age' }>;

/**
 * Where sops looks for age identities when no variable is set: the user config
 * directory (Go's os.UserConfigDir, with XDG_CONFIG_HOME honoured on macOS too)
 * + `sops/age/keys.txt`.
 */
export function defaultAgeKeyFile(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home: string = env.HOME || homedir()): string {
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'sops', 'age', 'keys.txt');
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'sops', 'age', 'keys.txt');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'sops', 'age', 'keys.txt');
  return join(home, '.config', 'sops', 'age', 'keys.txt');
}

interface IdentitySource {
  /** Printable origin, e.g. `SOPS_AGE_KEY_FILE=/path`; never the key itself. */
  name: string;
  text: string;
}

interface LoadedIdentities {
  /** Holds every identity: age decodes each (and derives its public key) once per process, not once per file. */
  decrypter: InstanceType<AgeModule['Decrypter']>;
  /** The identities themselves, for their recipients. */
  identities: string[];
  from: string[];
}

/**
 * age identities from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE and the default key file
 * (all that are present are used, as sops does), loaded once per process.
 */
export class AgeKeySource implements KeySource<AgeKey, AgeSpec> {
  private loaded?: Promise<LoadedIdentities>;
  private recipients?: Promise<ReadonlySet<string>>;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  async unwrap(key: AgeKey): Promise<Uint8Array> {
    const { decrypter, identities, from } = await (this.loaded ??= this.load());
    const count = identities.length;
    const { armor } = await age();
    let encrypted: Uint8Array;
    try {
      encrypted = armor.decode(key.enc);
    } catch {
      throw new KeySourceError('the age-encrypted data key in the file is malformed');
    }
    try {
      // Given bytes, age collects its output through `new Response()`, which loads Node's
      // whole fetch implementation (~20 ms of start-up); given a stream it hands one back.
      return await readStream(await decrypter.decrypt(streamOf(encrypted)));
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      if (/no identity matched/.test(message)) {
        throw new KeySourceError(`none of the ${count} age identit${count === 1 ? 'y' : 'ies'} from ${from.join(', ')} can decrypt it`);
      }
      throw new KeySourceError('the age-encrypted data key in the file is malformed or was tampered with');
    }
  }

  heldAgeRecipients(): Promise<ReadonlySet<string>> {
    this.recipients ??= (this.loaded ??= this.load()).then(
      async ({ identities }) => {
        const { identityToRecipient } = await age();
        return new Set(await Promise.all(identities.map((identity) => identityToRecipient(identity))));
      },
      () => new Set<string>(),
    );
    return this.recipients;
  }

  async wrap(spec: AgeSpec, dataKey: Uint8Array): Promise<AgeKey> {
    const { Encrypter, armor } = await age();
    const encrypter = new Encrypter();
    try {
      encrypter.addRecipient(spec.recipient);
    } catch {
      throw new KeySourceError(`"${spec.recipient}" is not a valid age recipient`);
    }
    const encrypted = await encrypter.encrypt(dataKey);
    return { type: 'age', recipient: spec.recipient, enc: armor.encode(encrypted) };
  }

  private async load(): Promise<LoadedIdentities> {
    const sources: IdentitySource[] = [];
    if (this.env.SOPS_AGE_KEY !== undefined) sources.push({ name: 'SOPS_AGE_KEY', text: this.env.SOPS_AGE_KEY });
    const keyFile = this.env.SOPS_AGE_KEY_FILE;
    if (keyFile !== undefined) sources.push({ name: `SOPS_AGE_KEY_FILE=${keyFile}`, text: await readKeyFile(keyFile, 'SOPS_AGE_KEY_FILE') });
    const fallback = defaultAgeKeyFile(this.env, this.platform);
    try {
      sources.push({ name: fallback, text: await readFile(fallback, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new KeySourceError(`cannot read the age key file ${fallback} (${code ?? 'error'})`);
      if (sources.length === 0) {
        throw new KeySourceError(`no age identities: SOPS_AGE_KEY and SOPS_AGE_KEY_FILE are not set and ${fallback} does not exist`);
      }
    }
    const decrypter = new (await age()).Decrypter();
    const identities = sources.flatMap((source) => addIdentities(source, decrypter));
    if (identities.length === 0) throw new KeySourceError(`no age identities in ${sources.map((s) => s.name).join(', ')}`);
    return { decrypter, identities, from: sources.map((s) => s.name) };
  }
}

async function readKeyFile(path: string, variable: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code;
    throw new KeySourceError(`cannot read ${variable}=${path}: ${why}`);
  }
}

/** One identity per line, added to `decrypter`; blank lines and `#` comments are skipped. Errors name the line, never its content. */
function addIdentities(source: IdentitySource, decrypter: LoadedIdentities['decrypter']): string[] {
  const added: string[] = [];
  source.text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('AGE-PLUGIN-')) throw new KeySourceError(`line ${i + 1} of ${source.name} is an age plugin identity, which chartctl does not support`);
    try {
      // Decodes the key now, without letting the library's message (which may quote the key) escape.
      decrypter.addIdentity(line);
    } catch {
      throw new KeySourceError(`line ${i + 1} of ${source.name} is not a valid age identity (AGE-SECRET-KEY-1...)`);
    }
    added.push(line);
  });
  return added;
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
