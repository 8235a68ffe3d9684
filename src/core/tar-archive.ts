/**
 * Reading and writing tar archives in memory. The writer emits exactly the
 * header bytes Go's archive/tar writes for `helm package` (USTAR, mode 0644,
 * uid/gid 0, no user names, no directory entries; PAX only for paths USTAR
 * cannot hold) with one fixed mtime, so the same files always give the same bytes.
 */

import { ChartctlError } from './errors.js';
import { chartTooLarge, DecompressionBudget, formatBytes, HELM_ARCHIVE_LIMITS, type ArchiveLimits } from './archive-limits.js';

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
  // The checksum sums every byte of the block: only the fields written below are not zero, and none overlap.
  let sum = 0;
  const put = (text: string, offset: number, max: number) => {
    const bytes = encoder.encode(text).subarray(0, max);
    block.set(bytes, offset);
    for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
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
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return block;
}


interface Member {
  /** A regular file, or a header record that applies to the next member. */
  kind: 'file' | 'pax' | 'longName' | 'globalPax';
  path: string;
  data: Uint8Array;
  filled: number;
}

const REFUSED_TYPES: Record<string, string> = {
  '1': 'is a hard link',
  '2': 'is a symbolic link',
  '3': 'is a character device',
  '4': 'is a block device',
  '6': 'is a FIFO',
  K: 'names a link target (GNU long link name)',
};

/**
 * Reads a tar stream piece by piece (ustar, PAX `path`/`size`, GNU long
 * names), as it is decompressed, so a bomb is refused after `budget` bytes
 * instead of after all of them. Keeps regular files in order and refuses what
 * a chart never holds: links, devices, FIFOs, names that leave the archive
 * (`..`, absolute, drive letters, backslashes, empty or `.` segments) and a
 * path given twice (helm would load the last copy, chartctl read the first).
 */
export class TarReader {
  private readonly files: TarFile[] = [];
  private readonly paths = new Set<string>();
  private readonly header = new Uint8Array(BLOCK);
  private headerFilled = 0;
  private member: Member | undefined;
  private padding = 0;
  private offset = 0;
  private paxPath: string | undefined;
  private paxSize: number | undefined;
  private longName: string | undefined;
  private ended = false;

  constructor(
    private readonly where: string,
    private readonly budget: DecompressionBudget,
  ) {}

  /** Takes the next decompressed bytes; false once the end-of-archive marker is read (nothing after it matters). */
  push(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length && !this.ended) {
      const available = chunk.length - i;
      let n: number;
      if (this.member) {
        const m = this.member;
        n = Math.min(m.data.length - m.filled, available);
        m.data.set(chunk.subarray(i, i + n), m.filled);
        m.filled += n;
      } else if (this.padding > 0) {
        n = Math.min(this.padding, available);
        this.padding -= n;
      } else {
        n = Math.min(BLOCK - this.headerFilled, available);
        this.header.set(chunk.subarray(i, i + n), this.headerFilled);
        this.headerFilled += n;
      }
      i += n;
      this.offset += n;
      this.budget.take(n, this.where);
      if (this.headerFilled === BLOCK) {
        this.headerFilled = 0;
        this.readHeader();
      }
      if (this.member && this.member.filled === this.member.data.length) this.completeMember();
    }
    return !this.ended;
  }

  /** The files, once the whole stream was pushed; a stream cut inside a member is refused. */
  finish(): TarFile[] {
    if (!this.ended && (this.member || this.padding > 0 || this.headerFilled > 0)) {
      throw damaged(this.where, `the tar stream ends inside ${this.member ? JSON.stringify(this.member.path) : 'a header'}`);
    }
    return this.files;
  }

  private readHeader(): void {
    const block = this.header;
    // A header's checksum field is never all zero bytes, so only a block whose field is gets the full scan.
    if (isZeroBlock(block)) {
      this.ended = true;
      return;
    }
    if (!checksumMatches(block)) throw damaged(this.where, `no valid tar header at byte ${this.offset - BLOCK}`);
    const field = (start: number, length: number) => {
      const raw = block.subarray(start, start + length);
      const end = raw.indexOf(0);
      return decoder.decode(end < 0 ? raw : raw.subarray(0, end));
    };
    let type = String.fromCharCode(block[156]!);
    let size = parseSize(block.subarray(124, 136));
    if (size === undefined) throw damaged(this.where, `the tar header at byte ${this.offset - BLOCK} has no valid size`);
    // Go's archive/tar (what helm reads with) takes the prefix field only in USTAR/PAX headers, not GNU ones.
    const ustar = field(257, 6) === 'ustar' && field(263, 2) === '00';
    const prefix = ustar ? field(345, 155) : '';
    const headerName = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    if (type === 'x' || type === 'g' || type === 'L') {
      this.begin(type === 'x' ? 'pax' : type === 'L' ? 'longName' : 'globalPax', headerName, size);
      return;
    }
    const path = this.paxPath ?? this.longName ?? headerName;
    if (this.paxSize !== undefined) size = this.paxSize;
    this.paxPath = this.paxSize = this.longName = undefined;
    if (type === '\0' && path.endsWith('/')) type = '5';
    if (REFUSED_TYPES[type]) {
      const target = type === '1' || type === '2' ? ` to ${JSON.stringify(field(157, 100))}` : '';
      throw unsafeMember(this.where, path, `${REFUSED_TYPES[type]}${target}`);
    }
    const problem = memberPathProblem(type === '5' ? path.replace(/\/$/, '') : path);
    if (problem) throw unsafeMember(this.where, path, problem);
    // A directory has no data (Go ignores its size field too) and is not loaded.
    if (type === '5') return;
    if (type !== '0' && type !== '\0' && type !== '7') throw unsafeMember(this.where, path, `has tar type ${JSON.stringify(type)}, not a regular file or directory`);
    if (this.paths.has(path)) throw unsafeMember(this.where, path, 'appears twice (helm would load the last copy)');
    this.paths.add(path);
    this.begin('file', path, size);
  }

  /** Refuses a member over the file limit before reading (or allocating) its data, as helm does from the header's size. */
  private begin(kind: Member['kind'], path: string, size: number): void {
    const max = this.budget.limits.maxFileBytes;
    if (size > max) throw chartTooLarge(this.where, `${JSON.stringify(path)} is ${size} bytes decompressed, over the ${formatBytes(max)} limit for one file; refused before reading it`);
    this.member = { kind, path, data: new Uint8Array(size), filled: 0 };
    this.padding = Math.ceil(size / BLOCK) * BLOCK - size;
    if (size === 0) this.completeMember();
  }

  private completeMember(): void {
    const m = this.member!;
    this.member = undefined;
    if (m.kind === 'file') this.files.push({ path: m.path, data: m.data });
    else if (m.kind === 'longName') this.longName = decoder.decode(m.data).replace(/\0+$/, '');
    else if (m.kind === 'pax') this.applyPax(parsePax(m.data));
  }

  private applyPax(records: Record<string, string>): void {
    if (Object.keys(records).some((k) => k.startsWith('GNU.sparse.'))) throw unsafeMember(this.where, records.path ?? '(next member)', 'is a sparse file');
    if (records.path !== undefined) this.paxPath = records.path;
    if (records.size !== undefined) {
      const size = /^\d+$/.test(records.size) ? Number(records.size) : NaN;
      if (!Number.isSafeInteger(size)) throw damaged(this.where, `a PAX header gives the size ${JSON.stringify(records.size)}`);
      this.paxSize = size;
    }
  }
}

/** Regular files of a whole tar archive in memory, with TarReader's checks. */
export function readTar(archive: Uint8Array, where = 'tar archive', limits: ArchiveLimits = HELM_ARCHIVE_LIMITS): TarFile[] {
  const reader = new TarReader(where, new DecompressionBudget(limits));
  reader.push(archive);
  return reader.finish();
}

/** Why a member's name is refused, or undefined: it must stay inside the archive's directory, on any OS. */
export function memberPathProblem(path: string): string | undefined {
  if (path.includes('\\')) return 'has a backslash in its name (a Windows path separator)';
  if (path.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  if (/[\x00-\x1f\x7f]/.test(path)) return 'has a control character in its name';
  const segments = path.split('/');
  if (segments.includes('..')) return 'leaves the archive\'s directory (a ".." segment)';
  if (segments.some((s) => s === '' || s === '.')) return 'has an empty or "." path segment';
  return undefined;
}

export function unsafeMember(where: string, path: string, problem: string): ChartctlError {
  return new ChartctlError(`${where}: archive member ${JSON.stringify(path)} ${problem}; refused.`, {
    code: 'ARCHIVE_UNSAFE',
    hint: 'helm package and chartctl package write only regular files under one <chart>/ directory, so something else made this archive. Do not use it: find out who wrote it, then package and publish the chart again.',
  });
}

function damaged(where: string, detail: string): ChartctlError {
  return new ChartctlError(`${where}: not a readable chart archive (${detail}).`, {
    code: 'CHART_INVALID',
    hint: 'The archive is damaged or is not a chart: package and publish it again.',
  });
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 148; i < 156; i++) if (block[i] !== 0) return false;
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** The header checksum, summed over unsigned or signed bytes as Go's archive/tar accepts either. */
function checksumMatches(block: Uint8Array): boolean {
  const stored = parseSize(block.subarray(148, 156));
  // The checksum field counts as eight spaces; a signed sum differs by 256 for each byte of 0x80 or more.
  let unsigned = 8 * 0x20;
  let high = 0;
  for (let i = 0; i < BLOCK; i++) {
    if (i === 148) i = 156;
    const b = block[i]!;
    unsigned += b;
    if (b >= 0x80) high++;
  }
  return stored === unsigned || stored === unsigned - 256 * high;
}

/** An octal (or GNU base-256) number field; undefined if it holds anything else. */
function parseSize(field: Uint8Array): number | undefined {
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const text = decoder.decode(field).replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
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
