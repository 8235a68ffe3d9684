// package's archives must keep their bytes (and digests) across chartctl versions and machines: the zlib
// compiled to WebAssembly must write exactly what pako (the JavaScript port of the same zlib, which wrote
// every archive before it) writes at the same settings, for any input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import pako from 'pako';
import { rawDeflate } from '../../src/core/raw-deflate.js';
import { chartFromFiles, packChart } from '../../src/core/chart-archive.js';
import { readChartDirectory } from '../../src/adapters/chart-directory.js';
import { seededRandom } from '../support/seeded-random.js';
import { projectRoot } from '../support/project.js';

const pakoRaw = (data: Uint8Array) => pako.deflateRaw(data, { level: 9, memLevel: 8, windowBits: 15, strategy: 0 });

function assertSameAsPako(data: Uint8Array, what: string): void {
  const ours = rawDeflate(data);
  const theirs = pakoRaw(data);
  assert.ok(Buffer.from(ours).equals(Buffer.from(theirs)), `${what} (${data.length} bytes): ${ours.length} bytes against pako's ${theirs.length}`);
  assert.ok(inflateRawSync(ours).equals(Buffer.from(data)), `${what}: inflates to its input`);
}

test('the WebAssembly zlib writes pako\'s bytes for seeded inputs of every kind and size, calls of any order reusing its memory', () => {
  const random = seededRandom(20261203);
  const words = ['apiVersion', 'kind', 'metadata', 'name', 'labels', 'app.kubernetes.io/name', 'image', 'replicas', '{{ .Values.x }}', '\n  ', ': '];
  const kinds: Record<string, (n: number) => Uint8Array> = {
    random: (n) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256)),
    zeros: (n) => new Uint8Array(n),
    text: (n) => {
      let s = '';
      while (s.length < n) s += words[Math.floor(random() * words.length)];
      return new TextEncoder().encode(s.slice(0, n));
    },
    // Few distinct bytes: long runs and short matches, the paths where lazy matching decides.
    lowEntropy: (n) => Uint8Array.from({ length: n }, () => (random() < 0.9 ? 97 : 97 + Math.floor(random() * 4))),
    repeats: (n) => {
      const unit = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
      return Uint8Array.from({ length: n }, (_, i) => unit[i % unit.length]!);
    },
  };
  // Around the window (32 KiB), the pending buffer and zlib's block sizes, and well past them.
  const sizes = [0, 1, 2, 3, 257, 258, 259, 4096, 16383, 16384, 32767, 32768, 32769, 65535, 65536, 65537, 200_000, 1_500_000];
  for (const size of sizes) for (const [kind, make] of Object.entries(kinds)) assertSameAsPako(make(size), `${kind}`);
  // Big, then small: leftovers of the last call's memory must not leak into the next.
  assertSameAsPako(kinds.random!(3_000_000), 'random after the others');
  assertSameAsPako(kinds.text!(100), 'text after a large input');
});

test('the WebAssembly zlib writes pako\'s bytes for the archives of the example chart and the helm-package fixtures', () => {
  const fixtures = join(projectRoot, 'test', 'fixtures', 'helm-package');
  const charts = [join(projectRoot, 'charts', 'shop'), ...readdirSync(fixtures).map((d) => join(fixtures, d)).filter((d) => existsSync(join(d, 'Chart.yaml')))];
  assert.ok(charts.length >= 5, `charts found: ${charts.join(', ')}`);
  for (const dir of charts) assertSameAsPako(gunzipSync(packChart(chartFromFiles(readChartDirectory(dir), dir))), dir);
});
