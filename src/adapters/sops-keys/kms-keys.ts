import { hostname } from 'node:os';
import type { KMSClient } from '@aws-sdk/client-kms';
import { sopsTimestamp } from '../../core/sops/metadata.js';
import type { MasterKey, MasterKeySpec } from '../../core/sops/types.js';
import { KeySourceError, type KeySource } from './key-service.js';

type KmsKey = Extract<MasterKey, { type: 'kms' }>;
type KmsSpec = Extract<MasterKeySpec, { type: 'kms' }>;

/** The ARN pattern sops accepts (kms/keysource.go); the region comes from the ARN. */
const KMS_ARN = /^arn:aws[\w-]*:kms:(.+):[0-9]+:(key|alias)\/.+$/;

interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * AWS KMS through the AWS SDK: credentials from the usual chain (or the
 * key's aws_profile), an optional role assumed with STS first (session name
 * `sops@<hostname>` like sops), the encryption context bound to every call.
 * The SDK is loaded only when a file actually has a KMS key.
 */
export class KmsKeySource implements KeySource<KmsKey, KmsSpec> {
  private readonly clients = new Map<string, Promise<KMSClient>>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly host: string = hostname(),
  ) {}

  async unwrap(key: KmsKey): Promise<Uint8Array> {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key.enc)) throw new KeySourceError('the KMS-encrypted data key in the file is not base64');
    const { DecryptCommand } = await import('@aws-sdk/client-kms');
    const client = await this.client(key.arn, key.role, key.awsProfile);
    try {
      const out = await client.send(
        new DecryptCommand({ CiphertextBlob: Buffer.from(key.enc, 'base64'), EncryptionContext: key.context, KeyId: key.arn }),
      );
      if (!out.Plaintext) throw new KeySourceError('AWS KMS returned no plaintext');
      return out.Plaintext;
    } catch (err) {
      throw awsError(err, 'kms:Decrypt');
    }
  }

  async wrap(spec: KmsSpec, dataKey: Uint8Array, now: Date): Promise<KmsKey> {
    const { EncryptCommand } = await import('@aws-sdk/client-kms');
    const client = await this.client(spec.arn, spec.role, spec.awsProfile);
    try {
      const out = await client.send(new EncryptCommand({ KeyId: spec.arn, Plaintext: dataKey, EncryptionContext: spec.context }));
      if (!out.CiphertextBlob) throw new KeySourceError('AWS KMS returned no ciphertext');
      return {
        type: 'kms',
        arn: spec.arn,
        role: spec.role,
        context: spec.context,
        createdAt: sopsTimestamp(now),
        enc: Buffer.from(out.CiphertextBlob).toString('base64'),
        awsProfile: spec.awsProfile ?? '',
      };
    } catch (err) {
      throw awsError(err, 'kms:Encrypt');
    }
  }

  private client(arn: string, role: string | undefined, profile: string | undefined): Promise<KMSClient> {
    const region = KMS_ARN.exec(arn)?.[1];
    if (!region) return Promise.reject(new KeySourceError(`"${arn}" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID or alias/NAME)`));
    const cacheKey = `${region}|${role ?? ''}|${profile ?? ''}`;
    let client = this.clients.get(cacheKey);
    if (!client) {
      client = this.createClient(region, role, profile);
      this.clients.set(cacheKey, client);
    }
    return client;
  }

  private async createClient(region: string, role: string | undefined, profile: string | undefined): Promise<KMSClient> {
    const { KMSClient } = await import('@aws-sdk/client-kms');
    const credentials = role ? await this.assumeRole(role, region, profile) : undefined;
    return new KMSClient({
      region,
      profile: profile || undefined,
      credentials,
      endpoint: this.env.AWS_ENDPOINT_URL_KMS || this.env.AWS_ENDPOINT_URL || undefined,
    });
  }

  private async assumeRole(role: string, region: string, profile: string | undefined): Promise<AssumedCredentials> {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region, profile: profile || undefined, endpoint: this.env.AWS_ENDPOINT_URL_STS || this.env.AWS_ENDPOINT_URL || undefined });
    try {
      const out = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: `sops@${this.host}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64) }));
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new KeySourceError(`STS returned no credentials for role ${role}`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    } catch (err) {
      throw awsError(err, `sts:AssumeRole on ${role}`);
    } finally {
      sts.destroy();
    }
  }
}

/** AWS SDK errors carry a name (AccessDeniedException, ...) and a message without request data. */
function awsError(err: unknown, action: string): KeySourceError {
  if (err instanceof KeySourceError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  const status = e?.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
  return new KeySourceError(`AWS ${action} failed${status}: ${name}${(e?.message ?? String(err)).split('\n')[0]}`);
}
