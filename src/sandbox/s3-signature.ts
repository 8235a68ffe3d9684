import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * AWS Signature Version 4 as S3 checks it, for the local S3 server: s3rver
 * looks up the access key of a V4 request but never computes its signature,
 * so any secret would do. Covers the Authorization header and presigned URLs
 * (X-Amz-* query parameters); V2 signatures are left to s3rver, which checks
 * them. Clock skew and expiry are s3rver's too.
 */
export type RequestAuthority =
  | { kind: 'anonymous' }
  /** V2, verified by s3rver itself. */
  | { kind: 'delegated' }
  | { kind: 'signed'; accessKeyId: string }
  | { kind: 'refused'; status: number; code: string; message: string };

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function verifyRequest(req: IncomingMessage, credentials: Credentials): RequestAuthority {
  const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
  const query = new URLSearchParams(rawQuery);
  const authorization = headerValue(req, 'authorization');
  let signed: { credential: string; signedHeaders: string; signature: string; amzDate: string; payloadHash: string; excluded?: string };
  if (authorization !== undefined) {
    if (/^AWS /.test(authorization)) return { kind: 'delegated' };
    if (!authorization.startsWith(`${ALGORITHM} `)) return malformed('Unsupported Authorization Type');
    const fields = new Map(authorization.slice(ALGORITHM.length + 1).split(',').map((part) => {
      const [name = '', ...value] = part.trim().split('=');
      return [name, value.join('=')] as const;
    }));
    signed = {
      credential: fields.get('Credential') ?? '',
      signedHeaders: fields.get('SignedHeaders') ?? '',
      signature: fields.get('Signature') ?? '',
      amzDate: headerValue(req, 'x-amz-date') ?? '',
      payloadHash: headerValue(req, 'x-amz-content-sha256') ?? '',
    };
  } else if (query.get('X-Amz-Algorithm') === ALGORITHM) {
    signed = {
      credential: query.get('X-Amz-Credential') ?? '',
      signedHeaders: query.get('X-Amz-SignedHeaders') ?? '',
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate: query.get('X-Amz-Date') ?? '',
      payloadHash: 'UNSIGNED-PAYLOAD',
      excluded: 'X-Amz-Signature',
    };
  } else {
    return { kind: 'anonymous' };
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = signed.credential.split('/');
  if (!signed.signedHeaders || !/^[0-9a-f]{64}$/.test(signed.signature) || terminator !== 'aws4_request' || !/^\d{8}T\d{6}Z$/.test(signed.amzDate) || !signed.payloadHash) {
    return malformed('The authorization is malformed: it needs Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders, Signature, X-Amz-Date and X-Amz-Content-Sha256.');
  }
  if (accessKeyId !== credentials.accessKeyId) {
    return { kind: 'refused', status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
  }
  const canonicalRequest = [
    req.method ?? 'GET',
    rawPath,
    canonicalQuery(rawQuery, signed.excluded),
    ...signed.signedHeaders.split(';').map((name) => `${name}:${(headerValue(req, name) ?? '').trim().replace(/\s+/g, ' ')}`),
    '',
    signed.signedHeaders,
    signed.payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, signed.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${credentials.secretAccessKey}`));
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signed.signature, 'hex'))) {
    return { kind: 'refused', status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
  }
  return { kind: 'signed', accessKeyId };
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Parameters decoded, encoded again the RFC 3986 way, sorted by name then value. */
function canonicalQuery(rawQuery: string, excluded: string | undefined): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [name = '', ...value] = pair.split('=');
      return [decodeQueryPart(name), decodeQueryPart(value.join('='))] as const;
    })
    .filter(([name]) => name !== excluded)
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function malformed(message: string): RequestAuthority {
  return { kind: 'refused', status: 400, code: 'AuthorizationHeaderMalformed', message };
}
