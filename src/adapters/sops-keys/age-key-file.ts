import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { defaultAgeKeyFile } from './age-keys.js';

export interface AgeRecipientSource {
  /** The public key new secrets are encrypted for. */
  recipient: string;
  /** Where its identity lives: the key file path, or SOPS_AGE_KEY. */
  from: string;
  /** Whether the identity was generated now. */
  created: boolean;
}

/**
 * The age recipient of the user's own identity: the first identity of SOPS_AGE_KEY,
 * else of the sops key file (SOPS_AGE_KEY_FILE, else the default location), else a
 * new X25519 identity appended to that file (0600 in a 0700 directory). The secret
 * key is only ever written to that file, never returned.
 */
export async function ensureAgeRecipient(env: NodeJS.ProcessEnv): Promise<AgeRecipientSource> {
  const { generateX25519Identity, identityToRecipient } = await import('age-encryption');
  const firstIdentity = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).find((l) => l.startsWith('AGE-SECRET-KEY-1'));
  const inline = env.SOPS_AGE_KEY ? firstIdentity(env.SOPS_AGE_KEY) : undefined;
  if (inline) return { recipient: await identityToRecipient(inline), from: 'SOPS_AGE_KEY', created: false };

  const file = env.SOPS_AGE_KEY_FILE || defaultAgeKeyFile(env);
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const existing = firstIdentity(text);
  if (existing) return { recipient: await identityToRecipient(existing), from: file, created: false };

  const identity = await generateX25519Identity();
  const recipient = await identityToRecipient(identity);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${separator}# created: ${new Date().toISOString()} by chartctl init\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return { recipient, from: file, created: true };
}
