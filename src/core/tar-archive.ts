/**
 * Reading and writing tar archives in memory. The writer emits exactly the
 * header bytes Go's archive/tar writes for `helm package` (USTAR, mode 0644,
 * uid/gid 0, no user names, no directory entries; PAX only for paths USTAR
 * cannot hold) with one fixed mtime, so the same files always give the same bytes.
 */

export interface TarFile {
  path: string;
  data: Uint8Array;
}

const BLOCK = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** 2001-01-01T00:00:00Z: fixed so archives are reproducible (any fixed value works; zero confuses some tools). */
export const FIXED_MTIME_SECONDS = 978307200;

export function writeTar(files: TarFile[], mtimeSeconds = FIXED_MTIME_SECONDS): Uint8Array {
  const blocks: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array) => {
    blocks.push(b);
    total += b.length;
  };
  for (const file of files) {
    const split = splitUstarPath(file.path);
    if (split === undefined) {
      const record = paxRecord('path', file.path);
      push(header({ name: paxHeaderName(file.path), size: record.length, mtime: mtimeSeconds, type: 'x' }));
      push(padded(record));
      push(header({ name: file.path.slice(0, 100), size: file.data.length, mtime: mtimeSeconds, type: '0' }));
    } else {
      push(header({ name: split.name, prefix: split.prefix, size: file.data.length, mtime: mtimeSeconds, type: '0' }));
    }
    push(padded(file.data));
  }
  push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of blocks) {
    out.set(b, offset);
    offset += b.length;
  }
  return out;
}

function padded(data: Uint8Array): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  if (size === data.length) return data;
  const out = new Uint8Array(size);
  out.set(data);
  return out;
}

function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

/** Go's splitUSTARPath: a prefix of at most 155 bytes and a name of at most 100. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (!isAscii(path)) return undefined;
  if (path.length <= 100) return { prefix: '', name: path };
  let length = path.length;
  if (length > 156) length = 156;
  else if (path[length - 1] === '/') length--;
  const i = path.slice(0, length).lastIndexOf('/');
  const nameLength = path.length - i - 1;
  if (i <= 0 || nameLength > 100 || nameLength === 0 || i > 155) return undefined;
  return { prefix: path.slice(0, i), name: path.slice(i + 1) };
}

function paxHeaderName(path: string): string {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '.' : path.slice(0, slash);
  const name = `${dir}/PaxHeaders.0/${path.slice(slash + 1)}`;
  return encoder.encode(name).length > 100 ? name.slice(0, 100) : name;
}

function paxRecord(key: string, value: string): Uint8Array {
  const body = ` ${key}=${value}\n`;
  const bodyLength = encoder.encode(body).length;
  let length = bodyLength + String(bodyLength).length;
  if (String(length).length !== String(bodyLength).length) length = bodyLength + String(length).length;
  return encoder.encode(`${length}${body}`);
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(h: { name: string; prefix?: string; size: number; mtime: number; type: string }): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (text: string, offset: number, max: number) => {
    const bytes = encoder.encode(text);
    block.set(bytes.subarray(0, max), offset);
  };
  put(h.name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(h.size, 12), 124, 12);
  put(octal(h.mtime, 12), 136, 12);
  put('        ', 148, 8);
  put(h.type, 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(octal(0, 8), 329, 8);
  put(octal(0, 8), 337, 8);
  if (h.prefix) put(h.prefix, 345, 155);
  let sum = 0;
  for (const b of block) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/** Regular files of a tar archive in order (ustar, PAX `path`, GNU long names); directories and links are skipped. */
export function readTar(archive: Uint8Array): TarFile[] {
  const files: TarFile[] = [];
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const field = (start: number, length: number) => {
      const raw = block.subarray(start, start + length);
      const end = raw.indexOf(0);
      return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
    };
    const size = parseSize(block.subarray(124, 136));
    const type = String.fromCharCode(block[156]!) || '0';
    const magic = field(257, 6);
    const prefix = magic.startsWith('ustar') ? field(345, 155) : '';
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const dataStart = offset + BLOCK;
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = parsePax(data).path ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = decoder.decode(data).replace(/\0+$/, '');
      continue;
    }
    if (type === 'g') continue;
    if (longName !== undefined) {
      name = longName;
      longName = undefined;
    }
    if (type === '0' || type === '\0' || type === '7') files.push({ path: name, data });
  }
  return files;
}

function parseSize(field: Uint8Array): number {
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = decoder.decode(field).replace(/[\0 ]+.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

function parsePax(data: Uint8Array): Record<string, string> {
  // Record lengths count bytes, so walk the bytes, not the decoded text.
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const length = Number(decoder.decode(data.subarray(i, space)));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = decoder.decode(data.subarray(space + 1, i + length - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return out;
}
