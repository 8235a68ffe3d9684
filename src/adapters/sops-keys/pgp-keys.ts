import { sopsTimestamp } from '../../core/sops/metadata.js';
import type { MasterKey, MasterKeySpec } from '../../core/sops/types.js';
import { KeySourceError, type KeySource } from './key-service.js';

type PgpKey = Extract<MasterKey, { type: 'pgp' }>;
type PgpSpec = Extract<MasterKeySpec, { type: 'pgp' }>;

/**
 * PGP through the user's own `gpg` (SOPS_GPG_EXEC overrides the binary, as in
 * sops), with argv arrays and the data key on stdin/stdout only. gpg-agent
 * and pinentry handle passphrases, exactly as they do for sops.
 */
export class PgpKeySource implements KeySource<PgpKey, PgpSpec> {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly signal?: AbortSignal,
  ) {}

  private get gpg(): string {
    return this.env.SOPS_GPG_EXEC || 'gpg';
  }

  async unwrap(key: PgpKey): Promise<Uint8Array> {
    const out = await this.run(['--quiet', '--use-agent', '--decrypt'], key.enc, `decrypt the data key for ${key.fingerprint}`);
    return out;
  }

  async wrap(spec: PgpSpec, dataKey: Uint8Array, now: Date): Promise<PgpKey> {
    const out = await this.run(
      ['--batch', '--quiet', '--armor', '--trust-model', 'always', '--no-encrypt-to', '--encrypt', '--recipient', spec.fingerprint],
      dataKey,
      `encrypt the data key for ${spec.fingerprint}`,
    );
    // sops stores gpg's armored output with surrounding whitespace trimmed, so the YAML block is written `enc: |-`.
    return { type: 'pgp', fingerprint: spec.fingerprint, createdAt: sopsTimestamp(now), enc: Buffer.from(out).toString('utf8').trim() };
  }

  private async run(args: string[], input: string | Uint8Array, what: string): Promise<Uint8Array> {
    // execa is loaded only when a file actually has PGP keys.
    const { execa } = await import('execa');
    let result;
    try {
      result = await execa(this.gpg, args, {
        input,
        encoding: 'buffer',
        // The data key is binary: a final 0x0a byte is part of it.
        stripFinalNewline: false,
        env: this.env,
        extendEnv: false,
        reject: false,
        timeout: 120_000,
        cancelSignal: this.signal,
      });
    } catch (err) {
      throw this.launchError(err);
    }
    if (result.failed && (result as { code?: string }).code === 'ENOENT') throw this.launchError(result);
    if (result.exitCode !== 0) {
      const stderr = Buffer.from(result.stderr ?? new Uint8Array()).toString('utf8').trim().split('\n').filter(Boolean);
      const reason = stderr.slice(-2).join(' / ') || (result.exitCode === undefined ? 'gpg could not be started' : `gpg exited with code ${result.exitCode}`);
      throw new KeySourceError(`gpg could not ${what}: ${reason}`);
    }
    return result.stdout as Uint8Array;
  }

  private launchError(err: unknown): KeySourceError {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') {
      return new KeySourceError(`gpg is not installed: "${this.gpg}" was not found on PATH (install GnuPG, or set SOPS_GPG_EXEC to its path)`);
    }
    return new KeySourceError(`gpg could not be started: ${(err as Error).message?.split('\n')[0] ?? String(err)}`);
  }
}
