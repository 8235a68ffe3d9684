// gunzipChunks takes Node's zlib for a lone, intact gzip member that fits in what the consumer will
// still take, and pako piece by piece otherwise: both ways must hand the consumer the same bytes and outcomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { deterministicGzip, gunzipChunks, type GunzipOutcome } from '../../src/core/deterministic-gzip.js';

function collect(data: Uint8Array, maxBytes?: number, stopAfter = Infinity): { outcome: GunzipOutcome; bytes: Buffer; pieces: number } {
  const parts: Uint8Array[] = [];
  const outcome = gunzipChunks(data, (chunk) => parts.push(Buffer.from(chunk)) < stopAfter, maxBytes);
  return { outcome, bytes: Buffer.concat(parts), pieces: parts.length };
}

const input = Buffer.from(Array.from({ length: 200_000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join(''));

test('with room for the whole output: the same bytes in the same 64 KiB pieces as piece by piece', () => {
  const gz = deterministicGzip(input);
  const whole = collect(gz, 1 << 20);
  const pieces = collect(gz);
  assert.equal(whole.outcome, 'complete');
  assert.deepEqual(whole.bytes, input);
  assert.deepEqual(pieces.bytes, input);
  assert.equal(whole.pieces, Math.ceil(input.length / 65536));
  assert.equal(collect(gz, 1 << 20, 2).outcome, 'stopped');
});

test('an output larger than maxBytes still reaches the consumer piece by piece (it refuses it itself)', () => {
  const r = collect(deterministicGzip(input), 1000);
  assert.equal(r.outcome, 'complete');
  assert.deepEqual(r.bytes, input);
});

test('concatenated members, and bytes after the stream: read the same with or without maxBytes', () => {
  const two = Buffer.concat([gzipSync('first '), gzipSync('second')]);
  assert.equal(collect(two, 1 << 20).bytes.toString(), 'first second');
  assert.equal(collect(two).bytes.toString(), 'first second');
  const trailing = Buffer.concat([gzipSync('only'), Buffer.from('garbage!')]);
  assert.deepEqual(collect(trailing, 1 << 20), collect(trailing));
});

test('a truncated or damaged stream is described the same way with or without maxBytes', () => {
  const gz = Buffer.from(deterministicGzip(input));
  const truncated = gz.subarray(0, gz.length - 20);
  assert.deepEqual(collect(truncated, 1 << 20).outcome, collect(truncated).outcome);
  assert.equal(typeof collect(truncated, 1 << 20).outcome, 'object');
  const damaged = Buffer.from(gz);
  damaged[gz.length >> 1] ^= 0xff;
  assert.deepEqual(collect(damaged, 1 << 20).outcome, collect(damaged).outcome);
});
