import { ChartctlError } from './errors.js';
import type { IndexEntry } from './chart-index.js';

/** Where a repository lives: `s3://bucket/prefix` (prefix without leading or trailing slash, '' for the bucket root). */
export interface RepositoryLocation {
  bucket: string;
  prefix: string;
  /**
   * The S3 endpoint the repository is read through, so that http(s) urls of this
   * very bucket there resolve too: `aws` for Amazon S3's own host names, else the
   * custom endpoint's url. Absent: only s3:// and relative urls name the bucket.
   */
  servedBy?: S3Endpoint;
}

export type S3Endpoint = { kind: 'aws' } | { kind: 'custom'; url: string };

/** Amazon S3 host names: `s3.amazonaws.com`, `s3.<region>.…`, `s3-<region>.…`, `s3.dualstack.<region>.…`, website and accelerate hosts. */
const AWS_S3_HOST = /^s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com$/;
const AWS_VIRTUAL_HOST = /^(.+)\.(s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com)$/;

/** An index url resolved against its repository: the object name under the prefix, or why it is not one. */
export type ResolvedIndexUrl = { kind: 'inside'; name: string } | { kind: 'outside'; reason: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
// Go's url.Parse refuses control characters too; NUL and friends never belong in a key.
const CONTROL = /[\u0000-\u001f\u007f]/;
/** S3's limit on a key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

const outside = (reason: string): ResolvedIndexUrl => ({ kind: 'outside', reason });

/**
 * Resolves an index entry's url the way helm does (repo.ResolveReferenceURL):
 * an absolute url as it is; anything else relative to the repository url with
 * a trailing slash, dot segments removed on the escaped path (RFC 3986), then
 * percent-decoded into the object key. The key must lie under the repository's
 * prefix, and every segment of the part below it must be a plain name.
 *
 * Stricter than helm where helm's answer would not be a chart of this
 * repository: `..` that climbs above the bucket root is refused (Go clamps it),
 * as are urls with a query or fragment, backslashes, control characters, and
 * schemes other than s3://, except http(s) urls that provably name this bucket
 * on the endpoint chartctl reads it through (see httpAuthority): any other
 * https:// url cannot be shown to be this bucket.
 */
export function resolveIndexUrl(url: unknown, repository: RepositoryLocation): ResolvedIndexUrl {
  if (typeof url !== 'string') return outside('the url is not a string');
  if (url === '') return outside('the url is empty');
  if (CONTROL.test(url)) return outside('the url contains a control character');
  if (url.includes('\\')) return outside('the url contains a backslash');
  if (/[?#]/.test(url)) return outside('the url has a query or fragment');

  const basePath = `/${repository.prefix ? `${repository.prefix.split('/').map(encodeURIComponent).join('/')}/` : ''}`;
  let authority = repository.bucket;
  let path: string | undefined;
  const scheme = SCHEME.exec(url);
  if (scheme) {
    const name = scheme[1]!.toLowerCase();
    const rest = url.slice(scheme[0].length);
    if (name === 'http' || name === 'https') {
      const served = httpAuthority(name, rest, repository.servedBy);
      if (served.kind === 'outside') return served;
      [authority, path] = [served.bucket, served.path];
    } else {
      if (name !== 's3') return outside(`it is a ${scheme[1]}: url, not an object of this S3 repository`);
      if (!rest.startsWith('//')) return outside('the s3: url names no bucket');
      // helm takes an absolute url as it is: no dot segments are removed, so any left are refused below.
      [authority, path] = splitAuthority(rest.slice(2));
    }
  } else if (url.startsWith('//')) {
    const [host, hostPath] = splitAuthority(url.slice(2));
    authority = host;
    path = removeDotSegments(hostPath);
  } else if (url.split('/')[0]!.includes(':')) {
    return outside('the url does not parse (a colon in its first segment)');
  } else {
    path = removeDotSegments(url.startsWith('/') ? url : basePath + url);
  }
  if (authority !== repository.bucket) return outside(`it names bucket "${authority}", not "${repository.bucket}"`);
  if (path === undefined) return outside('its ".." segments climb above the bucket root');

  let key: string;
  try {
    key = decodeURIComponent(path).slice(1);
  } catch {
    return outside('its percent-encoding is invalid');
  }
  const prefix = repository.prefix ? `${repository.prefix}/` : '';
  if (!key.startsWith(prefix)) return outside(`it resolves to key "${key}", outside the prefix "${prefix}"`);
  const name = key.slice(prefix.length);
  const problem = nameProblem(name);
  if (problem) return outside(`it resolves to key "${key}", ${problem}`);
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return outside(`its key is longer than S3 allows (${MAX_KEY_BYTES} bytes)`);
  return { kind: 'inside', name };
}

/** Why a name below the prefix is not a plain object name (checked after percent-decoding, so %2e%2e and %00 count). */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'which is the repository itself, not an object';
  for (const segment of name.split('/')) {
    if (segment === '') return 'which has an empty path segment';
    if (segment === '.' || segment === '..') return `which has a "${segment}" segment`;
  }
  if (CONTROL.test(name)) return 'which contains a control character';
  if (name.includes('\\')) return 'which contains a backslash';
  return undefined;
}

/**
 * The bucket and path an http(s) url names on the endpoint the repository is read through:
 * on AWS, virtual-hosted (`https://<bucket>.s3.<region>.amazonaws.com/<key>`) and path-style
 * (`https://s3.<region>.amazonaws.com/<bucket>/<key>`) host names; on a custom endpoint, its
 * own origin path-style (`<endpoint>/<bucket>/<key>`) or `<bucket>.<endpoint host>`. An AWS
 * host name on a custom endpoint (or the reverse) is another server's object: outside.
 */
function httpAuthority(scheme: string, rest: string, servedBy: S3Endpoint | undefined): { kind: 'served'; bucket: string; path: string } | { kind: 'outside'; reason: string } {
  const notThis = `it is a ${scheme}: url, not an object of this S3 repository`;
  if (!servedBy || !rest.startsWith('//')) return { kind: 'outside', reason: notThis };
  const [hostPort, path] = splitAuthority(rest.slice(2));
  const refuse = (why: string) => ({ kind: 'outside' as const, reason: `${notThis} (${why})` });
  if (hostPort.includes('@')) return refuse('it carries user information');
  const host = hostPort.toLowerCase();
  if (servedBy.kind === 'aws') {
    const bare = host.replace(scheme === 'https' ? /:443$/ : /:80$/, '');
    if (AWS_S3_HOST.test(bare)) {
      const [bucket, key] = splitAuthority(path.slice(1));
      return { kind: 'served', bucket, path: key };
    }
    const virtual = AWS_VIRTUAL_HOST.exec(bare);
    return virtual ? { kind: 'served', bucket: virtual[1]!, path } : refuse(`${JSON.stringify(host)} is not an Amazon S3 host name`);
  }
  let endpoint: URL;
  try {
    endpoint = new URL(servedBy.url);
  } catch {
    return refuse('the endpoint url does not parse');
  }
  const origin = `${endpoint.protocol}//${endpoint.host}`;
  if (endpoint.protocol !== `${scheme}:`) return refuse(`the endpoint is ${origin}`);
  const endpointHost = endpoint.host.toLowerCase();
  const basePath = endpoint.pathname.replace(/\/+$/, '');
  if (host === endpointHost && path.startsWith(`${basePath}/`)) {
    const [bucket, key] = splitAuthority(path.slice(basePath.length + 1));
    return { kind: 'served', bucket, path: key };
  }
  if (basePath === '' && host.endsWith(`.${endpointHost}`)) return { kind: 'served', bucket: host.slice(0, -endpointHost.length - 1), path };
  return refuse(`it is not on the endpoint ${origin}`);
}

function splitAuthority(rest: string): [string, string] {
  const slash = rest.indexOf('/');
  return slash < 0 ? [rest, '/'] : [rest.slice(0, slash), rest.slice(slash)];
}

/** RFC 3986 remove_dot_segments on an absolute path, as Go's resolvePath; undefined when ".." climbs above the root. */
function removeDotSegments(path: string): string | undefined {
  const segments = path.slice(1).split('/');
  const out: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..') {
        if (out.length === 0) return undefined;
        out.pop();
      }
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/** What an entry's url means (helm downloads its first url only, so that is the one chartctl reads). */
export type EntryObject = { kind: 'object'; name: string } | { kind: 'noUrl' } | { kind: 'outside'; url: string; reason: string };

export function entryObject(entry: IndexEntry, repository: RepositoryLocation): EntryObject {
  const url: unknown = entry.urls?.[0];
  if (url === undefined || url === null) return { kind: 'noUrl' };
  const resolved = resolveIndexUrl(url, repository);
  return resolved.kind === 'inside' ? { kind: 'object', name: resolved.name } : { kind: 'outside', url: String(url), reason: resolved.reason };
}

/** A url for a message: quoted with control characters escaped (it came from someone else's file), and cut short. */
export function displayUrl(url: string): string {
  const quoted = JSON.stringify(url);
  return quoted.length > 200 ? `${quoted.slice(0, 200)}…"` : quoted;
}

/** The refusal of an entry whose url leaves the repository; nothing was downloaded or written for it. */
export function indexUrlOutsideRepository(where: { env: string; repository: string }, entry: Pick<IndexEntry, 'name' | 'version'>, url: string, reason: string): ChartctlError {
  return new ChartctlError(
    `Refusing ${entry.name} ${entry.version}: the ${where.env} index lists its url as ${displayUrl(url)}, which is not an object of ${where.repository} (${reason}). Nothing was downloaded or written.`,
    {
      code: 'INDEX_URL_OUTSIDE_REPOSITORY',
      hint: `Someone who can write to ${where.repository} pointed this entry elsewhere. Inspect its index.yaml, then rebuild the entries from the tarballs under the prefix with "chartctl repo reindex ${where.env}".`,
    },
  );
}
