import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandVerdict, httpVerdict, prometheusVerdict } from '../../src/core/strategy/check-verdict.js';
import type { PrometheusCheck } from '../../src/core/strategy/strategy-config.js';

const check = (over: Partial<PrometheusCheck> = {}): PrometheusCheck => ({ kind: 'prometheus', url: 'http://p', query: 'q', max: 0.01, allowNoData: false, ...over });
const vector = (...values: string[]) => ({ status: 'success', data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1700000000.1, v] })) } });
const scalar = (v: string) => ({ status: 'success', data: { resultType: 'scalar', result: [1700000000.1, v] } });

test('prometheus: a vector within max passes and reports its worst sample', () => {
  assert.deepEqual(prometheusVerdict(check(), vector('0.001', '0.009')), { passed: true, value: 0.009, detail: 'value 0.009 is within max 0.01' });
});

test('prometheus: one sample over max fails with that value', () => {
  assert.deepEqual(prometheusVerdict(check(), vector('0.001', '0.2')), { passed: false, value: 0.2, detail: 'value 0.2 is outside max 0.01' });
});

test('prometheus: min bound, scalar results, and both bounds', () => {
  assert.equal(prometheusVerdict(check({ max: undefined, min: 0.99 }), scalar('0.995')).passed, true);
  assert.deepEqual(prometheusVerdict(check({ max: undefined, min: 0.99 }), scalar('0.5')), { passed: false, value: 0.5, detail: 'value 0.5 is outside min 0.99' });
  assert.equal(prometheusVerdict(check({ min: 1, max: 5 }), scalar('3')).passed, true);
  assert.equal(prometheusVerdict(check({ min: 1, max: 5 }), scalar('6')).passed, false);
  assert.equal(prometheusVerdict(check({ max: 0.01 }), scalar('0.01')).passed, true, 'the bound itself is inside');
});

test('prometheus: no data (empty vector, NaN) fails unless allowNoData', () => {
  for (const response of [vector(), vector('NaN'), scalar('NaN')]) {
    const refused = prometheusVerdict(check(), response);
    assert.equal(refused.passed, false);
    assert.match(refused.detail, /^no data/);
    assert.deepEqual(prometheusVerdict(check({ allowNoData: true }), response), { passed: true, detail: 'no data (allowed by allowNoData)' });
  }
});

test('prometheus: an error answer, a matrix and a malformed body fail, saying why', () => {
  assert.match(prometheusVerdict(check(), { status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }).detail, /refused the query: bad_data: parse error at char 3/);
  assert.match(prometheusVerdict(check(), { status: 'success', data: { resultType: 'matrix', result: [] } }).detail, /matrix result; a check needs a scalar or an instant vector/);
  assert.equal(prometheusVerdict(check(), 'nonsense').passed, false);
});

test('http: the expected status passes, another one or a connection error fails', () => {
  const http = { kind: 'http' as const, url: 'http://a/healthz', expect: 200, timeoutMs: 1000 };
  assert.deepEqual(httpVerdict(http, { status: 200 }), { passed: true, value: 200, detail: 'GET http://a/healthz answered 200' });
  assert.deepEqual(httpVerdict(http, { status: 503 }), { passed: false, value: 503, detail: 'GET http://a/healthz answered 503, expected 200' });
  assert.deepEqual(httpVerdict({ ...http, expect: 204 }, { status: 200 }).passed, false);
  assert.deepEqual(httpVerdict(http, { error: 'ECONNREFUSED' }), { passed: false, detail: 'GET http://a/healthz failed: ECONNREFUSED' });
});

test('command: exit 0 passes; non-zero, a timeout and a missing binary fail', () => {
  assert.equal(commandVerdict(['./smoke.sh'], { exitCode: 0, timedOut: false, stderrTail: '' }).passed, true);
  assert.deepEqual(commandVerdict(['./smoke.sh', 'x'], { exitCode: 3, timedOut: false, stderrTail: 'checkout broken' }), { passed: false, value: 3, detail: './smoke.sh x exited 3: checkout broken' });
  assert.equal(commandVerdict(['s'], { exitCode: null, timedOut: true, stderrTail: '' }).detail, 's did not finish in time');
  assert.equal(commandVerdict(['nope'], { exitCode: null, timedOut: false, spawnError: 'ENOENT', stderrTail: '' }).detail, 'nope could not be started: ENOENT');
});
