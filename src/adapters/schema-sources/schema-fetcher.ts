import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ChartctlError } from '../../core/errors.js';
import { MAX_BULK_FILE_BYTES, readUserText } from '../user-files.js';
import { httpGet, type HttpGetOptions } from './http-get.js';

/** What fetching one schema document gave. */
export type FetchOutcome =
  | { kind: 'ok'; value: unknown; digest: string; location: string; from: 'file' | 'network' | 'cache' }
  /** 404, or no such file: try the next source. */
  | { kind: 'not-found'; message: string }
  /** Fetched, but not JSON: try the next source, and say so if nothing else has a schema. */
  | { kind: 'invalid'; message: string }
  /** Could not ask (network down, offline, permission denied, HTTP 500): the resource cannot be checked. */
  | { kind: 'error'; message: string };

export interface SchemaFetcherOptions {
  /** Directory of cached HTTP responses (kubeconform's layout: file name = sha256 of the URL); undefined = no disk cache. */
  cacheDir?: string;
  /** Never use the network; the disk cache only. */
  offline: boolean;
  insecureSkipTlsVerify: boolean;
  /** Relative paths are resolved from here (the --cwd directory). */
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RequestOptions extends Omit<HttpGetOptions, 'timeoutMs' | 'signal'> {
  /** Keep the response on disk (false for answers that change, like the /openapi/v3 index). */
  cacheable?: boolean;
}

/**
 * Reads schema documents from paths and http(s) URLs, each once per run.
 * Successful HTTP answers are kept on disk; a cache file that is not JSON is
 * ignored and fetched again; 404s are never cached.
 */
export class SchemaFetcher {
  private readonly memo = new Map<string, Promise<FetchOutcome>>();
  readonly cacheWarnings: string[] = [];

  constructor(private readonly options: SchemaFetcherOptions) {}

  fetch(location: string, request: RequestOptions = {}): Promise<FetchOutcome> {
    let pending = this.memo.get(location);
    if (!pending) {
      pending = /^https?:\/\//i.test(location) ? this.fromNetwork(location, request) : this.fromFile(location);
      this.memo.set(location, pending);
    }
    return pending;
  }

  /** Absolute path of a local location (relative to --cwd). */
  localPath(location: string): string {
    const path = location.startsWith('file://') ? new URL(location).pathname : location;
    return isAbsolute(path) ? path : resolve(this.options.cwd, path);
  }

  private async fromFile(location: string): Promise<FetchOutcome> {
    const path = this.localPath(location);
    let text: string;
    try {
      text = await readUserText(path, { shown: path, what: 'schema file', maxBytes: MAX_BULK_FILE_BYTES, hint: 'Check --schema-location.' });
    } catch (err) {
      if (!(err instanceof ChartctlError)) throw err;
      // A template location names a file per kind: one that is not there means "try the next location".
      if (err.code === 'FILE_NOT_FOUND' || err.code === 'FILE_IS_DIRECTORY') return { kind: 'not-found', message: `no file ${path}` };
      return { kind: 'error', message: err.message.replace(/\.$/, '') };
    }
    return parsed(text, path, 'file');
  }

  private async fromNetwork(url: string, request: RequestOptions): Promise<FetchOutcome> {
    const cacheable = request.cacheable !== false && this.options.cacheDir !== undefined;
    const cacheFile = cacheable ? join(this.options.cacheDir!, createHash('sha256').update(url).digest('hex')) : undefined;
    if (cacheFile) {
      const cached = readCache(cacheFile);
      if (cached !== undefined) {
        const outcome = parsed(cached, url, 'cache');
        if (outcome.kind === 'ok') return outcome;
        this.cacheWarnings.push(`ignored a corrupt cache entry for ${url} (${cacheFile}); fetching it again`);
      }
    }
    if (this.options.offline) return { kind: 'error', message: `${url} is not in the schema cache and --offline forbids fetching it` };
    let status: number;
    let body: Buffer;
    try {
      ({ status, body } = await httpGet(url, { ...request, insecureSkipTlsVerify: request.insecureSkipTlsVerify ?? this.options.insecureSkipTlsVerify, timeoutMs: this.options.timeoutMs, signal: this.options.signal }));
    } catch (err) {
      return { kind: 'error', message: `failed downloading ${url}: ${(err as Error).message}` };
    }
    if (status === 404) return { kind: 'not-found', message: `${url} answered 404` };
    if (status !== 200) return { kind: 'error', message: `${url} answered HTTP ${status}${status === 401 || status === 403 ? ' (not authorised)' : ''}` };
    const text = body.toString('utf8');
    const outcome = parsed(text, url, 'network');
    if (outcome.kind === 'ok' && cacheFile) this.writeCache(cacheFile, text);
    return outcome;
  }

  private writeCache(file: string, text: string): void {
    try {
      mkdirSync(this.options.cacheDir!, { recursive: true });
      const tmp = `${file}.${process.pid}.partial`;
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    } catch (err) {
      this.cacheWarnings.push(`could not write to the schema cache ${this.options.cacheDir}: ${(err as Error).message}`);
    }
  }
}

function readCache(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parsed(text: string, location: string, from: 'file' | 'network' | 'cache'): FetchOutcome {
  try {
    const value = JSON.parse(text) as unknown;
    return { kind: 'ok', value, digest: createHash('sha256').update(text).digest('hex'), location, from };
  } catch (err) {
    return { kind: 'invalid', message: `${location} is not JSON (${(err as Error).message.split('\n')[0]})` };
  }
}
