/**
 * Which bucket and key a request names, read from the raw request line as
 * s3rver will read it, and refused when s3rver would turn it into a file path
 * outside its data directory (it joins bucket, key and upload id onto the
 * directory as they are). Real S3 stores keys with `.`/`..` segments as
 * ordinary keys; this local server refuses them instead, with an S3-style 400.
 */
export type RequestTarget =
  | { bucket: string; key: string; copySourceKey?: string }
  | { refusal: { code: string; message: string } };

// S3's bucket naming rules (3–63 characters, lowercase letters, digits, `.` and `-`, no `..`).
const BUCKET_NAME = /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// s3rver's own upload ids are hex; anything else would be joined onto the path as it is.
const UPLOAD_ID = /^[A-Za-z0-9_-]+$/;

export function parseTarget(rawUrl: string, copySource: string | undefined): RequestTarget {
  const [rawPath = '/', rawQuery = ''] = rawUrl.split('?', 2);
  const uploadId = new URLSearchParams(rawQuery).get('uploadId');
  if (uploadId !== null && !UPLOAD_ID.test(uploadId)) return refuse('NoSuchUpload', `The upload id ${JSON.stringify(uploadId)} is not one this server issued.`);
  const named = bucketAndKey(rawPath.replace(/^\//, ''), 'request path');
  if ('refusal' in named) return named;
  if (copySource === undefined) return named;
  const source = bucketAndKey(copySource.replace(/^\//, '').split('?')[0]!, 'x-amz-copy-source');
  if ('refusal' in source) return source;
  if (!source.bucket || !source.key) return refuse('InvalidArgument', 'x-amz-copy-source must name a bucket and a key.');
  return { ...named, copySourceKey: `${source.bucket}/${source.key}` };
}

/** `bucket/key` with both percent-decoded (an encoded `/` in the key is a `/` to s3rver too). */
function bucketAndKey(raw: string, where: string): RequestTarget {
  const slash = raw.indexOf('/');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(slash < 0 ? raw : raw.slice(0, slash));
    key = slash < 0 ? '' : decodeURIComponent(raw.slice(slash + 1));
  } catch {
    return refuse('InvalidURI', `Couldn't parse the specified URI (${where}).`);
  }
  if (bucket && !BUCKET_NAME.test(bucket)) return refuse('InvalidBucketName', `The specified bucket is not valid: ${JSON.stringify(bucket)} (${where}).`);
  if (key.includes('\0') || key.split('/').some((segment) => segment === '.' || segment === '..')) {
    return refuse('InvalidArgument', `Object key ${JSON.stringify(key)} (${where}) has a "." or ".." segment. This local server stores keys as files and refuses such keys (real S3 would store them as ordinary keys).`);
  }
  return { bucket, key };
}

function refuse(code: string, message: string): RequestTarget {
  return { refusal: { code, message } };
}
