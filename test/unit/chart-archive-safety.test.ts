import { test } from 'node:test';
import assert from 'node:assert/strict';
import pako from 'pako';
import { archiveFiles, archiveMetadata, chartFromArchive, chartFromFiles, packChart } from '../../src/core/chart-archive.js';
import { writeTar } from '../../src/core/tar-archive.js';
import { deterministicGzip } from '../../src/core/deterministic-gzip.js';
import { archiveLimitsFrom, assertCompressedSize, DecompressionBudget, HELM_ARCHIVE_LIMITS, parseByteSize } from '../../src/core/archive-limits.js';
import { isChartctlError } from '../../src/core/errors.js';

const enc = new TextEncoder();
const WHERE = 's3://acme-charts/dev/shop-1.0.0.tgz';
const CHART_YAML = enc.encode('apiVersion: v2\nname: shop\nversion: 1.0.0\n');

interface RawMember {
  name: string;
  /** Tar type flag; default '0' (regular file). */
  type?: string;
  data?: Uint8Array;
  linkname?: string;
  /** Header size field when it differs from data.length. */
  size?: number;
  /** A GNU-format header (GNU tar's default), with its access time where USTAR keeps the name prefix. */
  gnu?: boolean;
}

/** A tar stream header by header, for member types writeTar never writes (links, devices, PAX paths). */
function rawTar(members: RawMember[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const m of members) {
    const data = m.data ?? new Uint8Array(0);
    const h = new Uint8Array(512);
    const put = (text: string, at: number) => h.set(enc.encode(text), at);
    put(m.name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${(m.size ?? data.length).toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('        ', 148);
    put(m.type ?? '0', 156);
    if (m.linkname) put(m.linkname, 157);
    if (m.gnu) {
      put('ustar  \0', 257);
      put('14712345670\0', 345);
    } else {
      put('ustar\0', 257);
      put('00', 263);
    }
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function paxRecords(records: Record<string, string>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    // A record's length counts its bytes, its own digits included.
    const body = ` ${k}=${v}\n`;
    const bytes = (t: string) => enc.encode(t).length;
    let length = bytes(body) + 1;
    while (bytes(`${length}${body}`) !== length) length++;
    text += `${length}${body}`;
  }
  return enc.encode(text);
}

const chartYaml: RawMember = { name: 'shop/Chart.yaml', data: CHART_YAML };

function refusedAsUnsafe(what: string, members: RawMember[], member: string) {
  const tgz = deterministicGzip(rawTar(members));
  assert.throws(
    () => archiveFiles(tgz, WHERE),
    (e: unknown) => isChartctlError(e) && e.code === 'ARCHIVE_UNSAFE' && e.message.startsWith(`${WHERE}: `) && e.message.includes(JSON.stringify(member)) && Boolean(e.hint),
    `${what}: ${member} is refused, naming the archive and the member`,
  );
}

test('hostile tar members are refused with ARCHIVE_UNSAFE naming the archive and the member', () => {
  const cases: [string, RawMember[], string][] = [
    ['.. segments', [chartYaml, { name: 'shop/../../evil/Chart.yaml', data: CHART_YAML }], 'shop/../../evil/Chart.yaml'],
    ['a leading ..', [{ name: '../../evil/Chart.yaml', data: CHART_YAML }], '../../evil/Chart.yaml'],
    ['an absolute path', [chartYaml, { name: '/etc/cron.d/evil', data: enc.encode('x') }], '/etc/cron.d/evil'],
    ['backslashes', [chartYaml, { name: 'shop\\..\\..\\evil', data: enc.encode('x') }], 'shop\\..\\..\\evil'],
    ['a drive letter', [chartYaml, { name: 'C:/evil', data: enc.encode('x') }], 'C:/evil'],
    ['a "." segment', [chartYaml, { name: 'shop/./templates/x.yaml', data: enc.encode('x') }], 'shop/./templates/x.yaml'],
    ['an empty segment', [chartYaml, { name: 'shop//templates/x.yaml', data: enc.encode('x') }], 'shop//templates/x.yaml'],
    ['a symlink', [chartYaml, { name: 'shop/templates/creds.yaml', type: '2', linkname: '/home/user/.kube/config' }], 'shop/templates/creds.yaml'],
    ['a hard link', [chartYaml, { name: 'shop/values.yaml', type: '1', linkname: 'shop/Chart.yaml' }], 'shop/values.yaml'],
    ['a character device', [chartYaml, { name: 'shop/zero', type: '3' }], 'shop/zero'],
    ['a block device', [chartYaml, { name: 'shop/sda', type: '4' }], 'shop/sda'],
    ['a FIFO', [chartYaml, { name: 'shop/pipe', type: '6' }], 'shop/pipe'],
    ['an unknown type', [chartYaml, { name: 'shop/sparse', type: 'S', data: enc.encode('x') }], 'shop/sparse'],
    ['a second top-level directory', [chartYaml, { name: 'other/templates/x.yaml', data: enc.encode('x') }], 'other/templates/x.yaml'],
    ['a file at the top level', [chartYaml, { name: 'Chart.yaml', data: CHART_YAML }], 'Chart.yaml'],
    ['a path given twice', [chartYaml, { name: 'shop/Chart.yaml', data: enc.encode('apiVersion: v2\nname: shop\nversion: 6.6.6\n') }], 'shop/Chart.yaml'],
    ['a PAX path that traverses', [chartYaml, { name: 'shop/PaxHeaders.0/x', type: 'x', data: paxRecords({ path: 'shop/../../../.bashrc' }) }, { name: 'shop/x', data: enc.encode('x') }], 'shop/../../../.bashrc'],
    ['a GNU long name that traverses', [chartYaml, { name: '././@LongLink', type: 'L', data: enc.encode('shop/../../evil\0') }, { name: 'shop/x', data: enc.encode('x') }], 'shop/../../evil'],
  ];
  for (const [what, members, member] of cases) refusedAsUnsafe(what, members, member);
});

test('archiveMetadata (what publish and reindex read) refuses a traversing archive before parsing Chart.yaml', () => {
  const tgz = deterministicGzip(rawTar([chartYaml, { name: 'shop/templates/link.yaml', type: '2', linkname: '../../../../etc/passwd' }]));
  assert.throws(() => archiveMetadata(tgz, WHERE), (e: unknown) => isChartctlError(e) && e.code === 'ARCHIVE_UNSAFE' && /symbolic link to "..\/..\/..\/..\/etc\/passwd"/.test(e.message));
});

test('what helm and tar tools write is read as Go reads it: directory entries, global PAX headers, PAX names, GNU headers, ustar prefixes', () => {
  const long = `shop/templates/${'d'.repeat(120)}/${'f'.repeat(90)}.yaml`;
  const tgz = deterministicGzip(
    rawTar([
      { name: 'pax_global_header', type: 'g', data: paxRecords({ comment: 'git archive' }) },
      { name: 'shop/', type: '5' },
      chartYaml,
      { name: 'shop/PaxHeaders.0/x', type: 'x', data: paxRecords({ path: `shop/templates/${'ü'.repeat(80)}.yaml` }) },
      { name: 'shop/templates/placeholder', data: enc.encode('pax') },
      { name: 'shop/templates/gnu.yaml', gnu: true, data: enc.encode('gnu') },
    ]),
  );
  // Go's archive/tar reads no name prefix from a GNU header: its bytes there are a timestamp.
  assert.deepEqual(archiveFiles(tgz, WHERE).map((f) => f.path), ['Chart.yaml', `templates/${'ü'.repeat(80)}.yaml`, 'templates/gnu.yaml']);
  const packed = deterministicGzip(writeTar([{ path: 'shop/Chart.yaml', data: CHART_YAML }, { path: long, data: enc.encode('long') }]));
  assert.deepEqual(archiveFiles(packed, WHERE).map((f) => f.path), ['Chart.yaml', long.slice('shop/'.length)]);
});

test('a PAX size record is honoured as Go reads it, so chartctl and helm see the same members', () => {
  // The header says 0 bytes, the PAX record 5: reading the header's size would take "hello" for the next header.
  const tgz = deterministicGzip(rawTar([chartYaml, { name: 'x', type: 'x', data: paxRecords({ size: '5' }) }, { name: 'shop/README.md', size: 0, data: enc.encode('hello') }]));
  const readme = archiveFiles(tgz, WHERE).find((f) => f.path === 'README.md');
  assert.equal(new TextDecoder().decode(readme?.data), 'hello');
});

test('a file over the per-file limit is refused from its header, before its data is read', () => {
  // The header claims 64 MiB but the data is not there: only a header-based check can refuse it as too large.
  const tgz = deterministicGzip(rawTar([chartYaml, { name: 'shop/big.bin', size: 64 * 1024 * 1024 }]));
  assert.throws(
    () => archiveFiles(tgz, WHERE),
    (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && e.message.startsWith(WHERE) && /"shop\/big.bin" is 67108864 bytes decompressed, over the 5 MiB limit/.test(e.message),
  );
  const small = deterministicGzip(rawTar([chartYaml, { name: 'shop/data.bin', data: new Uint8Array(2000) }]));
  assert.throws(() => archiveFiles(small, WHERE, { maxChartBytes: 1024 * 1024, maxFileBytes: 1000 }), (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && /over the 1000 bytes limit/.test(e.message));
});

/** Counts what the reader decompressed, to show where inflation stopped. */
class CountingBudget extends DecompressionBudget {
  taken = 0;
  override take(bytes: number, where: string): void {
    this.taken += bytes;
    super.take(bytes, where);
  }
}

/**
 * 16 MiB of zero-filled files (each under the file limit) in a gzip stream
 * whose tail is broken: inflating all of it fails on the tail, so only a
 * reader that stops at the cap reports CHART_TOO_LARGE.
 */
function bombWithBrokenTail(): Uint8Array {
  const files = [{ path: 'shop/Chart.yaml', data: CHART_YAML }];
  for (let i = 0; i < 64; i++) files.push({ path: `shop/files/zeros-${i}.bin`, data: new Uint8Array(256 * 1024) });
  const deflate = new pako.Deflate({ gzip: true, level: 9 });
  const body: Uint8Array[] = [];
  deflate.onData = (chunk) => body.push(chunk as Uint8Array);
  deflate.push(writeTar(files), pako.constants.Z_SYNC_FLUSH);
  // After a sync flush the next block starts on a byte: 0xff is BFINAL=1 with the reserved block type 3.
  body.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  const out = new Uint8Array(body.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of body) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

test('a decompression bomb is refused while it is inflated, within one chunk of the chart limit', () => {
  const bomb = bombWithBrokenTail();
  assert.ok(bomb.length < 64 * 1024, `the bomb is small (${bomb.length} bytes)`);
  const limits = { maxChartBytes: 1024 * 1024, maxFileBytes: 1024 * 1024 };
  const budget = new CountingBudget(limits);
  assert.throws(
    () => archiveFiles(bomb, WHERE, budget),
    (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && e.message === `${WHERE}: decompresses to more than 1 MiB, the limit for one chart (subcharts included); decompression stopped there.`,
  );
  assert.ok(budget.taken <= limits.maxChartBytes + 64 * 1024, `stopped after ${budget.taken} bytes, not 16 MiB`);
  // With room for all of it the reader reaches the broken tail: the refusal above came before the tail was inflated.
  assert.throws(() => archiveFiles(bomb, WHERE, { maxChartBytes: 64 * 1024 * 1024, maxFileBytes: 1024 * 1024 }), (e: unknown) => isChartctlError(e) && e.code === 'CHART_INVALID' && /invalid block type/.test(e.message));
});

test('subchart archives draw on their parent chart\'s limit: many small bombs do not add up past it', () => {
  const sub = (name: string) =>
    packChart(chartFromFiles([{ path: 'Chart.yaml', data: enc.encode(`apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`) }, { path: 'files/zeros.bin', data: new Uint8Array(600 * 1024) }], name));
  const parent = [{ path: 'Chart.yaml', data: CHART_YAML }, { path: 'charts/a-0.1.0.tgz', data: sub('a') }, { path: 'charts/b-0.1.0.tgz', data: sub('b') }];
  const limits = { maxChartBytes: 1024 * 1024, maxFileBytes: 1024 * 1024 };
  assert.throws(() => chartFromFiles(parent, 'charts/shop', limits), (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && e.message.startsWith('charts/shop/charts/b-0.1.0.tgz: '));
  // A repository tarball whose charts/ holds the archives as they are (helm loads those too).
  const tgz = deterministicGzip(writeTar([{ path: 'shop/Chart.yaml', data: CHART_YAML }, ...parent.slice(1).map((f) => ({ path: `shop/${f.path}`, data: f.data }))]));
  assert.throws(() => chartFromArchive(tgz, WHERE, limits), (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && e.message.startsWith(`${WHERE}/charts/b-0.1.0.tgz: `));
  assert.equal(chartFromArchive(tgz, WHERE).dependencies.length, 2, 'within helm\'s limits the same chart loads');
});

test('a truncated archive is damaged (CHART_INVALID), not a partial chart', () => {
  const tgz = packChart(chartFromFiles([{ path: 'Chart.yaml', data: CHART_YAML }, { path: 'files/data.bin', data: new Uint8Array(4096).fill(7) }], 'shop'));
  assert.throws(() => archiveFiles(tgz.subarray(0, tgz.length - 40), WHERE), (e: unknown) => isChartctlError(e) && e.code === 'CHART_INVALID' && e.message.startsWith(WHERE));
  const garbage = deterministicGzip(new Uint8Array(512).fill(0x41));
  assert.throws(() => archiveFiles(garbage, WHERE), (e: unknown) => isChartctlError(e) && e.code === 'CHART_INVALID' && /no valid tar header at byte 0/.test(e.message));
});

test('limits: helm\'s by default, CHARTCTL_MAX_CHART_SIZE / CHARTCTL_MAX_FILE_SIZE as binary quantities', () => {
  assert.deepEqual(archiveLimitsFrom({}), { maxChartBytes: 100 * 1024 * 1024, maxFileBytes: 5 * 1024 * 1024 });
  assert.deepEqual(archiveLimitsFrom({}), HELM_ARCHIVE_LIMITS);
  assert.deepEqual(archiveLimitsFrom({ CHARTCTL_MAX_CHART_SIZE: '200Mi', CHARTCTL_MAX_FILE_SIZE: '512Ki' }), { maxChartBytes: 200 * 1024 * 1024, maxFileBytes: 512 * 1024 });
  assert.deepEqual(
    ['1048576', '1Gi', '64Ki', '0', '-1', '1.5Mi', '10MB', '10M', 'Mi', ''].map(parseByteSize),
    [1048576, 1024 ** 3, 65536, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  );
  assert.throws(() => archiveLimitsFrom({ CHARTCTL_MAX_FILE_SIZE: '5MB' }), (e: unknown) => isChartctlError(e) && e.code === 'BAD_SIZE' && e.message === 'CHARTCTL_MAX_FILE_SIZE=5MB is not a size.');
  assert.throws(() => assertCompressedSize(101 * 1024 * 1024, WHERE, HELM_ARCHIVE_LIMITS), (e: unknown) => isChartctlError(e) && e.code === 'CHART_TOO_LARGE' && e.message.startsWith(`${WHERE}: the archive is 105906176 bytes compressed`));
  assertCompressedSize(100 * 1024 * 1024, WHERE, HELM_ARCHIVE_LIMITS);
});
