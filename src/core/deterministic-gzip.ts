import { kMaxLength } from 'node:buffer';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import type * as Pako from 'pako';

type PakoPackage = Pick<typeof Pako, 'deflateRaw' | 'Inflate'>;
let loaded: PakoPackage | undefined;
/** Loaded on first use: most commands that read an archive (publish --package, diff, deploy) never deflate, and zlib inflates it. */
function pako(): PakoPackage {
  loaded ??= createRequire(import.meta.url)('pako') as PakoPackage;
  return loaded;
}

/**
 * gzip whose bytes depend only on the input. Node's own zlib is not used on
 * purpose: its deflate output changes with the bundled zlib build (it differs
 * between Node releases and CPU-specific code paths), which would give another
 * digest on another CI runner. pako is a pure-JavaScript port of zlib pinned in
 * the lockfile, so its output is the same everywhere. The header is fixed:
 * no file name, mtime 0, OS "unknown" (255), as Go's gzip writer leaves it for helm.
 */
const HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff);

export function deterministicGzip(data: Uint8Array): Uint8Array {
  const body = pako().deflateRaw(data, { level: 9, memLevel: 8, windowBits: 15, strategy: 0 });
  const out = new Uint8Array(HEADER.length + body.length + 8);
  out.set(HEADER, 0);
  out.set(body, HEADER.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(HEADER.length + body.length, crc32(data), true);
  view.setUint32(HEADER.length + body.length + 4, data.length >>> 0, true);
  return out;
}

export type GunzipOutcome = 'complete' | 'stopped' | { damaged: string };

const STOP = Symbol('stop');

const PIECE = 64 * 1024;

/**
 * Decompresses gzip `data` piece by piece (64 KiB at a time) into `onChunk`:
 * a consumer that throws or returns false stops there. Inflating is not
 * reproducibility's concern (one stream has one output), so Node's zlib does
 * it when the whole output fits in `maxBytes` (what the consumer will still
 * take): a cold pako inflate costs ~10 ms of start-up per archive, zlib's well
 * under 1. A stream zlib refuses, or one larger than that, goes through pako
 * piece by piece, so a bomb costs only what was read before it was refused
 * and a damaged stream is described as before.
 */
export function gunzipChunks(data: Uint8Array, onChunk: (chunk: Uint8Array) => boolean, maxBytes = 0): GunzipOutcome {
  const whole = maxBytes > 0 ? gunzipWhole(data, maxBytes) : undefined;
  if (whole) {
    for (let at = 0; at < whole.length; at += PIECE) if (!onChunk(whole.subarray(at, at + PIECE))) return 'stopped';
    return 'complete';
  }
  return gunzipPieces(data, onChunk);
}

/** The whole output of a single, intact gzip member of at most maxBytes, or undefined (then pako decides). */
function gunzipWhole(data: Uint8Array, maxBytes: number): Uint8Array | undefined {
  try {
    const out = zlib.gunzipSync(data, { maxOutputLength: Math.min(maxBytes, kMaxLength) });
    // Only a lone member (its ISIZE is the whole output) is taken: concatenated members or bytes after the stream are left to pako, as before.
    return out.length % 2 ** 32 === lastMemberSize(data) ? out : undefined;
  } catch {
    return undefined;
  }
}

/** The gzip trailer's ISIZE (the last member's output length mod 2^32), read from the last 4 bytes. */
function lastMemberSize(data: Uint8Array): number {
  if (data.length < 18) return -1;
  return new DataView(data.buffer, data.byteOffset + data.length - 4, 4).getUint32(0, true);
}

function gunzipPieces(data: Uint8Array, onChunk: (chunk: Uint8Array) => boolean): GunzipOutcome {
  const inflator = new (pako().Inflate)({ windowBits: 15 + 16 });
  inflator.onData = (chunk) => {
    if (!onChunk(chunk as Uint8Array)) throw STOP;
  };
  try {
    inflator.push(data, true);
  } catch (err) {
    if (err === STOP) return 'stopped';
    throw err;
  }
  if (inflator.err) return { damaged: inflator.msg || `zlib error ${inflator.err}` };
  // pako sets `ended` (missing from its typings) at the end of the stream; input that runs out before it is truncated.
  return (inflator as unknown as { ended: boolean }).ended ? 'complete' : { damaged: 'unexpected end of the gzip stream' };
}

let table: Uint32Array | undefined;

/** CRC-32 (IEEE), as gzip's trailer holds it: zlib's own where Node has it (20.15+; ~2 ms less per package than the table loop, cold). */
export function crc32(data: Uint8Array): number {
  return zlib.crc32 ? zlib.crc32(data) : tableCrc32(data);
}

export function tableCrc32(data: Uint8Array): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
