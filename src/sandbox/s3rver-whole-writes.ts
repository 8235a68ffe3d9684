import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';

/** The part of s3rver's FilesystemStore (lib/stores/filesystem.js, s3rver 3.7) this module relies on. */
export interface S3rverStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}

interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

/**
 * Makes s3rver answer a PUT only once the object is stored whole. Its own putObject settles when
 * the body has passed its md5 stream, not when the file write has finished: the object file is
 * opened (truncated) at once and its bytes land later, so on a loaded machine a GET sent right
 * after the answer could stat the empty file and serve 200, Content-Length 0 and the new ETag (a
 * concurrent publish then read an empty index.yaml). The bytes go to a temporary file beside the
 * object and are renamed into place before the md5 and metadata, so a reader, locked or not
 * (listings take no key lock), sees the old object or the new one, never part of one.
 * Multipart completion goes through putObject too.
 */
export function storeObjectsWhole(store: S3rverStore): void {
  store.putObject = async (object) => {
    const content = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content);
    const md5 = createHash('md5').update(content).digest('hex');
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    // Never an s3rver resource name: those end in `_object`, `.md5` or `.json`.
    const partial = `${objectPath}.${randomUUID()}.partial`;
    await mkdir(dirname(objectPath), { recursive: true });
    try {
      await writeFile(partial, content);
      await rename(partial, objectPath);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
