import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChartctlError } from '../core/errors.js';
import type { OciRepositoryConfig } from '../core/environment.js';
import { isLoopbackHost } from '../core/oci-repository-url.js';
import { MAX_MANIFEST_BYTES, OCI_MANIFEST_MEDIA_TYPE } from '../core/oci-manifest.js';
import { parseChallenge, retryAfterMs, specErrorText, type Challenge } from '../core/oci-protocol.js';
import { httpRequest, ResponseTooLarge, type HttpResponse } from './oci-http.js';
import { lookUpCredential, type CredentialLookup } from './oci-credentials.js';
import type { FetchedManifest, OciRegistries, OciRegistry } from './oci-registry.js';

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const SMALL_RESPONSE = 1024 * 1024;
/** Blobs above this go up in PATCH chunks of this size (registries cap one request body; chunks resume nothing but stay under proxies' limits). */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/** 429s waited out before giving up, each for at most this long. */
const RATE_LIMIT_RETRIES = 3;
const MAX_RETRY_WAIT_MS = 30_000;
const MAX_TAG_PAGES = 10_000;
/** Node's codes for a certificate chain that does not verify (self-signed, unknown CA, wrong host, expired). */
const UNVERIFIED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/;

export interface RegistryClientOptions {
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  verbose?: (message: string) => void;
  chunkBytes?: number;
  /** ECR and other token sources plug in here: a credential for the registry when the config files have none. */
  fallbackCredential?: (registry: string) => Promise<CredentialLookup>;
}

interface Call {
  method: string;
  /** Path and query under the registry, e.g. `/v2/charts/shop/tags/list`. */
  path: string | URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  maxBytes?: number;
  /** Token scopes this call needs, e.g. `repository:charts/shop:pull`. */
  scopes: string[];
}

/** The OCI distribution API over HTTP(S), with helm's and docker's credentials and the bearer-token flow. */
export class OciRegistryClient implements OciRegistry {
  readonly url: string;
  readonly registry: string;
  private readonly base: string;
  private credential?: Promise<CredentialLookup>;
  private readonly tokens = new Map<string, string>();
  private basic?: string;

  constructor(
    private readonly config: OciRepositoryConfig,
    private readonly environment: string,
    private readonly options: RegistryClientOptions,
  ) {
    this.url = config.url;
    this.registry = config.registry;
    this.base = `${config.plainHttp ? 'http' : 'https'}://${config.registry}`;
  }

  repositoryOf(chart: string): string {
    return this.config.path ? `${this.config.path}/${chart}` : chart;
  }

  async tags(repository: string): Promise<string[] | undefined> {
    const tags: string[] = [];
    let next: string | URL | undefined = `/v2/${repository}/tags/list?n=1000`;
    for (let page = 0; next && page < MAX_TAG_PAGES; page++) {
      const res = await this.call({ method: 'GET', path: next, scopes: [`repository:${repository}:pull`] });
      if (res.status === 404 && /NAME_UNKNOWN/.test(decode(res.body))) return undefined;
      if (res.status === 404 || res.status === 405 || (res.status === 400 && /UNSUPPORTED/.test(decode(res.body)))) {
        throw new ChartctlError(`${this.registry} does not list the tags of ${repository} (HTTP ${res.status}${specErrorSuffix(res)}), so chartctl cannot tell which versions ${this.environment} holds.`, {
          code: 'OCI_TAG_LISTING_UNAVAILABLE',
          hint: 'Enable tag listing for this repository (some registries need the "list" permission), or name the version: --version X.',
        });
      }
      this.expect(res, [200], `listing the tags of ${repository}`);
      const parsed = JSON.parse(decode(res.body)) as { tags?: string[] | null };
      tags.push(...(parsed.tags ?? []).filter((t) => typeof t === 'string'));
      next = nextLink(res, this.base);
    }
    return tags;
  }

  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const res = await this.call({
      method: 'GET',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: `${OCI_MANIFEST_MEDIA_TYPE}, application/vnd.docker.distribution.manifest.v2+json;q=0.5` },
      maxBytes: MAX_MANIFEST_BYTES,
      scopes: [`repository:${repository}:pull`],
    });
    if (res.status === 404) return undefined;
    this.expect(res, [200], `reading the manifest ${repository}:${reference}`);
    const digest = sha256(res.body);
    const claimed = reference.startsWith('sha256:') ? reference : header(res, 'docker-content-digest');
    if (claimed && claimed !== digest) {
      throw new ChartctlError(`Refusing the manifest of ${this.registry}/${repository}:${reference}: its bytes hash to ${digest}, not ${claimed}. Nothing was used from it.`, {
        code: 'DIGEST_MISMATCH',
        hint: 'Something between chartctl and the registry changed the manifest, or the registry is broken. Investigate before deploying from it.',
      });
    }
    return { digest, bytes: res.body, mediaType: header(res, 'content-type') };
  }

  async blob(repository: string, digest: string, size: number): Promise<Uint8Array> {
    const where = `${this.registry}/${repository}@${digest}`;
    const res = await this.call({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, maxBytes: size, scopes: [`repository:${repository}:pull`] }).catch((err) => {
      if (err instanceof ResponseTooLarge) throw blobRefused(where, `it is larger than the ${size} bytes its manifest says`);
      throw err;
    });
    if (res.status === 404) throw new ChartctlError(`${where} is missing, though its manifest lists it.`, { code: 'TARBALL_MISSING', hint: 'Publish or promote the version again.' });
    this.expect(res, [200], `reading ${where}`);
    if (res.body.length !== size) throw blobRefused(where, `it is ${res.body.length} bytes, its manifest says ${size}`);
    const actual = sha256(res.body);
    if (actual !== digest) throw blobRefused(where, `its bytes hash to ${actual}`);
    return res.body;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    // The push scope already: the upload that usually follows then reuses the token.
    const head = await this.call({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, scopes: [`repository:${repository}:pull,push`] });
    return head.status === 200;
  }

  async uploadBlob(repository: string, digest: string, bytes: Uint8Array): Promise<void> {
    const scopes = [`repository:${repository}:pull,push`];
    const started = await this.call({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, scopes });
    this.expect(started, [202], `starting an upload to ${repository}`);
    let location = this.location(started);
    const chunk = this.options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (bytes.length > chunk) {
      for (let offset = 0; offset < bytes.length; offset += chunk) {
        const part = bytes.subarray(offset, Math.min(bytes.length, offset + chunk));
        const res = await this.call({
          method: 'PATCH',
          path: location,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + part.length - 1}` },
          body: part,
          scopes,
        });
        this.expect(res, [202], `uploading bytes ${offset}-${offset + part.length - 1} to ${repository}`);
        location = this.location(res);
      }
      location.searchParams.set('digest', digest);
      const done = await this.call({ method: 'PUT', path: location, scopes });
      this.expect(done, [201], `finishing the upload of ${digest} to ${repository}`);
    } else {
      location.searchParams.set('digest', digest);
      const done = await this.call({ method: 'PUT', path: location, headers: { 'content-type': 'application/octet-stream' }, body: bytes, scopes });
      this.expect(done, [201], `uploading ${digest} to ${repository}`);
    }
  }

  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const res = await this.call({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      scopes: [`repository:${repository}:pull,push`, `repository:${from}:pull`],
    });
    if (res.status === 201) return true;
    this.expect(res, [202], `mounting ${digest} from ${from} into ${repository}`);
    // The registry opened an upload session instead: close it, the caller uploads.
    await this.call({ method: 'DELETE', path: this.location(res), scopes: [`repository:${repository}:pull,push`] }).catch(() => undefined);
    return false;
  }

  async putManifest(repository: string, tag: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const res = await this.call({ method: 'PUT', path: `/v2/${repository}/manifests/${tag}`, headers: { 'content-type': mediaType }, body: bytes, scopes: [`repository:${repository}:pull,push`] });
    this.expect(res, [201], `writing the manifest ${repository}:${tag}`);
    return header(res, 'docker-content-digest') ?? sha256(bytes);
  }

  private location(res: HttpResponse): URL {
    const location = header(res, 'location');
    if (!location) throw this.protocolError(`answered ${res.status} without a Location header`);
    const url = new URL(location, this.base);
    // A registry may hand uploads to another host (a CDN); credentials only ever go to the registry itself.
    return url;
  }

  private async credentials(): Promise<CredentialLookup> {
    this.credential ??= (async () => {
      const found = await lookUpCredential(this.registry, this.options.env);
      if (found.credential || !this.options.fallbackCredential) return found;
      const fallback = await this.options.fallbackCredential(this.registry);
      return { credential: fallback.credential, tried: [...found.tried, ...fallback.tried], hint: fallback.hint };
    })();
    return this.credential;
  }

  private authorization(scopes: string[], url: URL): string | undefined {
    if (url.host.toLowerCase() !== this.registry) return undefined;
    return this.tokens.get(scopes.join(' ')) ?? this.basic;
  }

  private async call(call: Call): Promise<HttpResponse> {
    const url = typeof call.path === 'string' ? new URL(call.path, this.base) : call.path;
    for (let attempt = 0; ; attempt++) {
      const auth = this.authorization(call.scopes, url);
      let res = await this.send(call, url, auth);
      if (res.status === 401 && url.host.toLowerCase() === this.registry) {
        const challenge = parseChallenge(header(res, 'www-authenticate'));
        if (challenge && (await this.authenticate(challenge, call.scopes, auth))) res = await this.send(call, url, this.authorization(call.scopes, url));
        if (res.status === 401) throw await this.deniedError(401, call, res);
      }
      if (res.status === 403) throw await this.deniedError(403, call, res);
      if (res.status === 429) {
        const wait = retryAfterMs(header(res, 'retry-after'), new Date());
        if (attempt < RATE_LIMIT_RETRIES && wait !== undefined && wait <= MAX_RETRY_WAIT_MS) {
          this.options.verbose?.(`${this.registry}: rate limited (429), retrying after ${Math.ceil(wait / 1000)} s`);
          await sleep(wait, undefined, { signal: this.options.signal });
          continue;
        }
        throw new ChartctlError(`${this.registry} is rate limiting chartctl (HTTP 429${header(res, 'retry-after') ? `, Retry-After: ${header(res, 'retry-after')}` : ''}) while ${describe(call)}.`, {
          code: 'OCI_RATE_LIMITED',
          hint: 'Wait and run the command again; authenticated pulls usually get a higher limit (helm registry login).',
        });
      }
      return res;
    }
  }

  private async send(call: Call, url: URL, authorization: string | undefined): Promise<HttpResponse> {
    try {
      const res = await httpRequest({
        method: call.method,
        url,
        headers: { 'user-agent': 'chartctl', ...call.headers, ...(authorization ? { authorization } : {}) },
        body: call.body,
        maxBytes: call.maxBytes ?? SMALL_RESPONSE,
        signal: this.options.signal,
        insecure: this.config.insecure,
      });
      this.options.verbose?.(`${call.method} ${url.host}${url.pathname} → ${res.status}`);
      return res;
    } catch (err) {
      if (err instanceof ResponseTooLarge || (err as Error).name === 'AbortError') throw err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ChartctlError(`Cannot reach the ${this.environment} registry ${this.registry} (${code}) while ${describe(call)}.`, {
        code: 'OCI_REGISTRY_UNREACHABLE',
        hint: UNVERIFIED_CERTIFICATE.test(code)
          ? `The registry's TLS certificate does not verify (${code}): give Node its CA with NODE_EXTRA_CA_CERTS, or, for a registry you trust, set repository.insecure: true in ${this.environment}.`
          : `Check that the registry is up and reachable from here${this.config.plainHttp ? '' : isLoopbackHost(this.registry) ? ' (a local registry without TLS needs repository.plainHttp: true)' : ''}.`,
        cause: err,
      });
    }
  }

  /**
   * Answers a challenge to a request sent with `sent`: Basic with the stored credential, or a bearer token from
   * the realm. Requests run at once: one refused before another answered the same challenge retries with its answer.
   */
  private async authenticate(challenge: Challenge, scopes: string[], sent: string | undefined): Promise<boolean> {
    const { credential } = await this.credentials();
    const basic = credential ? `Basic ${Buffer.from(`${credential.username}:${credential.secret}`).toString('base64')}` : undefined;
    if (challenge.scheme === 'basic') {
      // Refused with this very credential: it is wrong.
      if (!basic || sent === basic) return false;
      this.basic = basic;
      return true;
    }
    const known = this.tokens.get(scopes.join(' '));
    if (known && known !== sent) return true;
    const realm = new URL(challenge.params.realm ?? '');
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    for (const scope of new Set([...scopes, ...(challenge.params.scope ? challenge.params.scope.split(' ') : [])])) realm.searchParams.append('scope', scope);
    const res = await httpRequest({ method: 'GET', url: realm, headers: { 'user-agent': 'chartctl', ...(basic ? { authorization: basic } : {}) }, maxBytes: SMALL_RESPONSE, signal: this.options.signal, insecure: this.config.insecure }).catch((err) => {
      throw new ChartctlError(`Cannot reach the token server of ${this.registry} (${realm.host}: ${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { code: 'OCI_REGISTRY_UNREACHABLE', hint: 'Check the network path to the token server the registry names.' });
    });
    if (res.status !== 200) return false;
    const body = JSON.parse(decode(res.body)) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) return false;
    this.tokens.set(scopes.join(' '), `Bearer ${token}`);
    return true;
  }

  private async deniedError(status: 401 | 403, call: Call, res: HttpResponse): Promise<ChartctlError> {
    const { credential, tried, hint } = await this.credentials();
    const used = credential ? `the credential from ${credential.source}` : `no credential (looked in: ${tried.join('; ')})`;
    return new ChartctlError(
      `${this.registry} ${status === 401 ? 'refused to authenticate' : 'denied access'} (HTTP ${status}${specErrorSuffix(res)}) while ${describe(call)}; chartctl used ${used}.`,
      {
        code: status === 401 ? 'OCI_UNAUTHORIZED' : 'OCI_FORBIDDEN',
        hint: status === 401 ? hint ?? `Log in with "helm registry login ${this.registry}" (or docker login), then run the command again.` : `The credential is valid but may not ${call.method === 'GET' || call.method === 'HEAD' ? 'pull from' : 'push to'} this repository: ask for the permission, or log in as another user.`,
      },
    );
  }

  private expect(res: HttpResponse, statuses: number[], doing: string): void {
    if (statuses.includes(res.status)) return;
    if (res.status === 404 && /NAME_UNKNOWN/.test(decode(res.body))) {
      throw new ChartctlError(`The repository does not exist on ${this.registry} (${doing}).`, { code: 'OCI_REPOSITORY_NOT_FOUND', hint: `Check repository.url of ${this.environment} (${this.url}).` });
    }
    throw this.protocolError(`answered HTTP ${res.status}${specErrorSuffix(res)} while ${doing}`);
  }

  private protocolError(detail: string): ChartctlError {
    return new ChartctlError(`The ${this.environment} registry ${this.registry} ${detail}.`, { code: 'OCI_REGISTRY_ERROR', hint: 'Nothing was changed by this step; run the command again, or check the registry logs.' });
  }
}

function blobRefused(where: string, detail: string): ChartctlError {
  return new ChartctlError(`Refusing ${where}: ${detail}. Nothing was written or deployed from it.`, {
    code: 'DIGEST_MISMATCH',
    hint: 'The registry served other bytes than the manifest names. Investigate the registry before using this version.',
  });
}

function describe(call: Call): string {
  const path = typeof call.path === 'string' ? call.path.split('?')[0] : call.path.pathname;
  return `${call.method} ${path}`;
}

function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function specErrorSuffix(res: HttpResponse): string {
  const text = specErrorText(decode(res.body));
  return text ? `: ${text}` : '';
}

function nextLink(res: HttpResponse, base: string): URL | undefined {
  const link = header(res, 'link');
  const match = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return match ? new URL(match[1]!, base) : undefined;
}

function decode(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** The real registries built in main. */
export class HttpOciRegistries implements OciRegistries {
  constructor(private readonly options: RegistryClientOptions) {}

  open(config: OciRepositoryConfig, environment: string): OciRegistry {
    return new OciRegistryClient(config, environment, this.options);
  }
}
