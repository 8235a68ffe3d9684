import type { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { ChartctlError } from '../core/errors.js';
import type { S3RepositoryConfig } from '../core/environment.js';
import type { S3Endpoint } from '../core/index-url.js';
import type { ChartRepository, GetResult, PutOptions, StoredObjectInfo, WriteResult } from './chart-repository.js';

/** How chartctl reaches S3; everything not in the environment file comes from the standard AWS variables. */
export interface S3Settings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  /**
   * Deadline of one request as a whole, connecting and the body download included: an endpoint
   * that drips bytes fails like a hung one (the SDK's own requestTimeout is a socket-idle timeout).
   */
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  /**
   * Attempts per call. A request that missed its deadline is sent again only when replaying it
   * is safe: reads, conditional writes (a replay that lands twice fails its own condition) and
   * deletes; an unconditional write is never replayed (the first attempt may still land).
   */
  maxAttempts: number;
  /** Explicit keys (tests, tools); normally absent so the standard AWS credential chain decides. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** AWS_PROFILE, named when the chain finds no credentials (the profile is then the likely cause). */
  profile?: string;
}

/** Settings for one environment's repository: its file wins over AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL / AWS_REGION. */
export function s3Settings(config: S3RepositoryConfig, env: NodeJS.ProcessEnv): S3Settings {
  const endpoint = config.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  const pathStyleEnv = env.CHARTCTL_S3_FORCE_PATH_STYLE;
  const requestTimeoutMs = positive(env.CHARTCTL_S3_TIMEOUT_MS, 30_000);
  return {
    endpoint,
    region: config.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1'),
    // Custom endpoints (MinIO, Ceph, s3rver) rarely have wildcard DNS, so path-style is the safe default there.
    forcePathStyle: config.forcePathStyle ?? (pathStyleEnv ? pathStyleEnv === 'true' : Boolean(endpoint)),
    requestTimeoutMs,
    connectionTimeoutMs: Math.min(requestTimeoutMs, 5_000),
    maxAttempts: positive(env.CHARTCTL_S3_MAX_ATTEMPTS, 3),
    profile: env.AWS_PROFILE || undefined,
  };
}

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return text && Number.isFinite(n) && n > 0 ? n : fallback;
}

type S3Module = typeof import('./s3-sdk.js');
let s3Module: Promise<S3Module> | undefined;
// Loaded on first use: the SDK costs ~0.1 s to import, and `package` never needs it.
function sdk(): Promise<S3Module> {
  s3Module ??= import('./s3-sdk.js');
  return s3Module;
}

/** Whether a request that missed its deadline may be sent again: see S3Settings.maxAttempts. */
type Replay = 'safe' | 'unsafe';

/** The reason a request's AbortSignal fires when its deadline passes (tells it from other aborts). */
class RequestDeadline extends Error {
  override name = 'RequestDeadline';
}

/** A response body whose length is not the Content-Length the endpoint announced. */
class IncompleteBody extends Error {
  override name = 'IncompleteBody';
  constructor(
    readonly received: number,
    readonly announced: number,
  ) {
    super(`${received} bytes received, Content-Length ${announced}`);
  }
}

export class S3ChartRepository implements ChartRepository {
  readonly url: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly copyScope: string;
  readonly servedBy: S3Endpoint;
  private client?: Promise<S3Client>;

  constructor(
    config: S3RepositoryConfig,
    private readonly settings: S3Settings,
    readonly environment: string,
  ) {
    this.url = config.url;
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.copyScope = `${settings.endpoint ?? `aws:${settings.region}`}`;
    this.servedBy = settings.endpoint ? { kind: 'custom', url: settings.endpoint } : { kind: 'aws' };
  }

  keyOf(name: string): string {
    return this.prefix ? `${this.prefix}/${name}` : name;
  }

  private s3(): Promise<S3Client> {
    this.client ??= sdk().then(
      ({ S3Client }) =>
        new S3Client({
          endpoint: this.settings.endpoint,
          region: this.settings.region,
          forcePathStyle: this.settings.forcePathStyle,
          maxAttempts: this.settings.maxAttempts,
          credentials: this.settings.credentials,
          // S3-compatible servers differ in flexible-checksum support; integrity is checked by sha256 instead.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
          requestHandler: { requestTimeout: this.settings.requestTimeoutMs, connectionTimeout: this.settings.connectionTimeoutMs, throwOnRequestTimeout: true },
        }),
    );
    return this.client;
  }

  async get(name: string, options: { ifNoneMatch?: string } = {}): Promise<GetResult> {
    const { GetObjectCommand } = await sdk();
    const client = await this.s3();
    try {
      return await this.withDeadline('safe', async (abortSignal) => {
        const res = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name), IfNoneMatch: options.ifNoneMatch }), { abortSignal });
        const body = await res.Body!.transformToByteArray();
        // Node's HTTP parser already fails a body cut short of its Content-Length; checked here too,
        // so no request handler or proxy can pass part of an object off as the whole of it.
        if (res.ContentLength !== undefined && body.length !== res.ContentLength) throw new IncompleteBody(body.length, res.ContentLength);
        return { kind: 'found', body, etag: res.ETag ?? '', metadata: res.Metadata ?? {} } as const;
      });
    } catch (err) {
      const status = statusOf(err);
      if (status === 304) return { kind: 'notModified', etag: options.ifNoneMatch! };
      if (status === 404 && nameOf(err) !== 'NoSuchBucket') return { kind: 'missing' };
      throw this.failure(err, 'read', name);
    }
  }

  async head(name: string): Promise<StoredObjectInfo | undefined> {
    const { HeadObjectCommand } = await sdk();
    const client = await this.s3();
    try {
      const res = await this.withDeadline('safe', (abortSignal) => client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }), { abortSignal }));
      return { name, etag: res.ETag ?? '', size: res.ContentLength ?? 0, lastModified: res.LastModified, metadata: res.Metadata ?? {} };
    } catch (err) {
      // HEAD has no body, so a missing bucket also looks like 404; list() tells them apart when it matters.
      if (statusOf(err) === 404) return undefined;
      throw this.failure(err, 'inspect', name);
    }
  }

  async put(name: string, body: Uint8Array, options: PutOptions = {}): Promise<WriteResult> {
    const { PutObjectCommand } = await sdk();
    const client = await this.s3();
    const replay: Replay = options.ifMatch !== undefined || options.ifNoneMatch !== undefined ? 'safe' : 'unsafe';
    try {
      const res = await this.withDeadline(replay, (abortSignal) => client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(name),
          Body: body,
          ContentLength: body.length,
          ContentType: options.contentType,
          Metadata: options.metadata,
          IfMatch: options.ifMatch,
          IfNoneMatch: options.ifNoneMatch,
        }),
        { abortSignal },
      ));
      return { kind: 'written', etag: res.ETag ?? '' };
    } catch (err) {
      if (isPreconditionFailure(err)) return { kind: 'preconditionFailed' };
      throw this.failure(err, 'write', name);
    }
  }

  async copyFrom(source: ChartRepository, sourceName: string, name: string, options: PutOptions = {}): Promise<WriteResult> {
    const { CopyObjectCommand } = await sdk();
    const client = await this.s3();
    const sourceKey = source.keyOf(sourceName);
    const replay: Replay = options.ifMatch !== undefined || options.ifNoneMatch !== undefined ? 'safe' : 'unsafe';
    try {
      const res = await this.withDeadline(replay, (abortSignal) => client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(name),
          CopySource: `${source.bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: options.metadata ? 'REPLACE' : 'COPY',
          Metadata: options.metadata,
          ContentType: options.metadata ? options.contentType : undefined,
          IfMatch: options.ifMatch,
          IfNoneMatch: options.ifNoneMatch,
        }),
        { abortSignal },
      ));
      return { kind: 'written', etag: res.CopyObjectResult?.ETag ?? '' };
    } catch (err) {
      if (isPreconditionFailure(err)) return { kind: 'preconditionFailed' };
      throw this.failure(err, `copy s3://${source.bucket}/${sourceKey} to`, name);
    }
  }

  async delete(name: string): Promise<void> {
    const { DeleteObjectCommand } = await sdk();
    const client = await this.s3();
    try {
      // Replayed: chartctl deletes only objects it just wrote itself (probe scratch objects, a bad copy).
      await this.withDeadline('safe', (abortSignal) => client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }), { abortSignal }));
    } catch (err) {
      throw this.failure(err, 'delete', name);
    }
  }

  async list(): Promise<StoredObjectInfo[]> {
    const { ListObjectsV2Command } = await sdk();
    const client = await this.s3();
    const prefix = this.prefix ? `${this.prefix}/` : '';
    const out: StoredObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = token;
        const res = await this.withDeadline('safe', (abortSignal) => client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: page }), { abortSignal }));
        for (const o of res.Contents ?? []) {
          if (!o.Key) continue;
          out.push({ name: o.Key.slice(prefix.length), etag: o.ETag ?? '', size: o.Size ?? 0, lastModified: o.LastModified });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
    } catch (err) {
      throw this.failure(err, 'list', '');
    }
    return out;
  }

  /**
   * Runs one SDK call (and whatever it reads of the response body) under an overall deadline:
   * its AbortSignal fires after requestTimeoutMs, which tears the connection down even while
   * bytes are still trickling in. A missed deadline is tried again, up to maxAttempts, only for
   * `safe` calls; the last miss throws a RequestDeadline that failure() reports as REPO_TIMEOUT.
   */
  private async withDeadline<T>(replay: Replay, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    const attempts = replay === 'safe' ? this.settings.maxAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new RequestDeadline(`attempt ${attempt} of ${attempts} missed its deadline`)), this.settings.requestTimeoutMs);
      try {
        return await call(deadline.signal);
      } catch (err) {
        if (!deadline.signal.aborted) throw err;
        if (attempt >= attempts) throw new RequestDeadline(`${attempts} attempt(s), each given ${this.settings.requestTimeoutMs} ms`, { cause: err });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** One paragraph: what failed, which key, which endpoint, what to do. */
  private failure(err: unknown, action: string, name: string): ChartctlError {
    const key = name ? `s3://${this.bucket}/${this.keyOf(name)}` : `s3://${this.bucket}/${this.prefix ? `${this.prefix}/` : ''}`;
    const where = `${key} (environment ${this.environment}, endpoint ${this.settings.endpoint ?? `AWS ${this.settings.region}`})`;
    const code = nameOf(err);
    const status = statusOf(err);
    const detail = err instanceof Error ? err.message : String(err);
    const networkCode = (err as { code?: string } | undefined)?.code ?? (err as { cause?: { code?: string } } | undefined)?.cause?.code;
    if (code === 'NoSuchBucket') {
      return new ChartctlError(`Could not ${action} ${where}: the bucket "${this.bucket}" does not exist.`, {
        code: 'REPO_BUCKET_MISSING',
        hint: `Create the bucket (or fix repository.url in the environment file of ${this.environment}); chartctl never creates buckets itself.`,
        cause: err,
      });
    }
    if (status === 403 || code === 'AccessDenied' || code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch' || code === 'Forbidden') {
      return new ChartctlError(`Could not ${action} ${where}: access denied (${code ?? status}).`, {
        code: 'REPO_ACCESS_DENIED',
        hint: 'Check the credentials the AWS chain finds (AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SSO, instance role) and that they allow s3:GetObject, s3:PutObject and s3:ListBucket on this bucket and prefix.',
        cause: err,
      });
    }
    if (code === 'CredentialsProviderError') {
      const profile = this.settings.profile;
      return new ChartctlError(`Could not ${action} ${where}: no AWS credentials were found${profile ? ` for AWS_PROFILE=${profile}` : ''}.`, {
        code: 'REPO_NO_CREDENTIALS',
        hint: profile
          ? `Check that the profile "${profile}" exists in ~/.aws/config or ~/.aws/credentials (aws configure list-profiles) and has credentials (aws sso login --profile ${profile} for SSO), or unset AWS_PROFILE.`
          : 'Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run where an instance/task role is available.',
        cause: err,
      });
    }
    if (err instanceof RequestDeadline || code === 'TimeoutError' || code === 'RequestTimeout' || networkCode === 'ETIMEDOUT' || /timed? ?out/i.test(detail)) {
      const tries = err instanceof RequestDeadline ? err.message : `${this.settings.maxAttempts} attempt(s)`;
      return new ChartctlError(`Could not ${action} ${where}: the endpoint did not complete the request within ${this.settings.requestTimeoutMs} ms (${tries}).`, {
        code: 'REPO_TIMEOUT',
        hint: `${action === 'write' ? 'A write that timed out may still land; chartctl checks what is stored the next time it runs. ' : 'Nothing was left half-written. '}Check the endpoint and network, then run the same command again (CHARTCTL_S3_TIMEOUT_MS is the deadline of each whole request, body included; raise it for a slow link).`,
        cause: err,
      });
    }
    if (err instanceof IncompleteBody) {
      return new ChartctlError(`Could not ${action} ${where}: the endpoint sent ${err.received} bytes where its Content-Length announced ${err.announced}.`, {
        code: 'REPO_ERROR',
        hint: 'Nothing of the partial answer was used. Run the same command again; if it persists, the endpoint or a proxy in front of it cuts answers short.',
        cause: err,
      });
    }
    if (networkCode && /^E[A-Z]+/.test(networkCode)) {
      return new ChartctlError(`Could not ${action} ${where}: the endpoint is unreachable (${networkCode}).`, {
        code: 'REPO_UNREACHABLE',
        hint: 'Check repository.endpoint / AWS_ENDPOINT_URL and that the S3 service is running, then run the same command again.',
        cause: err,
      });
    }
    return new ChartctlError(`Could not ${action} ${where}: ${code ?? 'error'}${status ? ` (HTTP ${status})` : ''}: ${detail}`, {
      code: 'REPO_ERROR',
      hint: 'Nothing was left half-written. Run the same command again; if it persists, check the endpoint with the AWS CLI.',
      cause: err,
    });
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as S3ServiceException | undefined)?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string | undefined {
  return (err as { name?: string } | undefined)?.name;
}

/** 412 PreconditionFailed, and 409 ConditionalRequestConflict (a concurrent conditional write in flight): both mean "re-read and retry". */
function isPreconditionFailure(err: unknown): boolean {
  const status = statusOf(err);
  const name = nameOf(err);
  return status === 412 || name === 'PreconditionFailed' || (status === 409 && name === 'ConditionalRequestConflict');
}
