import type { ECRClient } from '@aws-sdk/client-ecr';
import { decodeEcrToken, ecrRegistryOf, type EcrRegistry } from '../core/ecr-registry.js';
import type { CredentialLookup, RegistryCredential } from './oci-credentials.js';

type EcrModule = typeof import('@aws-sdk/client-ecr');
let ecrModule: Promise<EcrModule> | undefined;
/** Loaded on first use: commands that never meet an ECR registry do not pay for the SDK. */
function sdk(): Promise<EcrModule> {
  ecrModule ??= import('@aws-sdk/client-ecr');
  return ecrModule;
}

/** A token is not reused this close to its expiry: a long publish must not start with one about to lapse. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** Where ECR registry credentials come from when the user's helm/docker configs have none for the host. */
export interface EcrTokenSource {
  credentialFor(registry: string, ecr: EcrRegistry): Promise<CredentialLookup>;
}

interface CachedToken {
  credential: RegistryCredential;
  expiresAt: number;
}

/**
 * ECR's `GetAuthorizationToken` through the AWS credential chain (the one
 * chartctl's S3 client uses: env vars, AWS_PROFILE, SSO, web identity,
 * instance role), so ECR needs no `docker-credential-ecr-login`. Tokens are
 * kept in memory for the process, until shortly before their `expiresAt`.
 * `AWS_ENDPOINT_URL_ECR` / `AWS_ENDPOINT_URL` point the SDK elsewhere, as for
 * any AWS SDK.
 */
export class AwsEcrTokens implements EcrTokenSource {
  private readonly clients = new Map<string, Promise<ECRClient>>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: { env: NodeJS.ProcessEnv; now: () => Date; signal?: AbortSignal; verbose?: (message: string) => void }) {}

  async credentialFor(registry: string, ecr: EcrRegistry): Promise<CredentialLookup> {
    const profile = this.options.env.AWS_PROFILE;
    const source = `Amazon ECR GetAuthorizationToken (AWS credential chain${profile ? `, AWS_PROFILE=${profile}` : ''}, region ${ecr.region})`;
    const key = `${ecr.account}/${ecr.region}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > this.options.now().getTime()) return { credential: cached.credential, tried: [source] };
    try {
      const { GetAuthorizationTokenCommand } = await sdk();
      const client = await this.client(ecr.region);
      const answer = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: this.options.signal });
      const data = answer.authorizationData?.[0];
      const decoded = data?.authorizationToken ? decodeEcrToken(data.authorizationToken) : undefined;
      if (!decoded) return { tried: [`${source}: the answer held no usable token`], hint: ecrHint(registry) };
      const credential = { ...decoded, source };
      this.tokens.set(key, { credential, expiresAt: data?.expiresAt?.getTime() ?? this.options.now().getTime() });
      this.options.verbose?.(`${registry}: token from ${source}${data?.expiresAt ? `, expires ${data.expiresAt.toISOString()}` : ''}`);
      return { credential, tried: [source] };
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      // AWS error names and messages name principals and actions, never the token.
      return { tried: [`${source}: failed (${(err as Error).name}: ${(err as Error).message})`], hint: ecrHint(registry) };
    }
  }

  private client(region: string): Promise<ECRClient> {
    let client = this.clients.get(region);
    if (!client) {
      client = sdk().then(({ ECRClient }) => new ECRClient({ region, maxAttempts: 3 }));
      this.clients.set(region, client);
    }
    return client;
  }
}

function ecrHint(registry: string): string {
  return `Give chartctl AWS credentials allowed ecr:GetAuthorizationToken (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance role), or log in: aws ecr get-login-password | helm registry login --username AWS --password-stdin ${registry}`;
}

/** The registry client's fallback: ECR hosts get a token from `tokens`, every other host nothing more. */
export function ecrCredentialFallback(tokens: EcrTokenSource): (registry: string) => Promise<CredentialLookup> {
  return async (registry) => {
    const ecr = ecrRegistryOf(registry);
    return ecr ? tokens.credentialFor(registry, ecr) : { tried: [] };
  };
}
