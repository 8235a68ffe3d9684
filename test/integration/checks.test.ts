// The three kinds of check against real things: a real Prometheus server
// (Debian's `prometheus`, docs/progressive-delivery.md) scraping an exporter
// this test controls, an HTTP server on loopback, and a real child process.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CheckRunner } from '../../src/adapters/check-runner.js';
import type { CheckTarget } from '../../src/adapters/checks.js';
import { freeLoopbackPort } from '../support/free-port.js';
import { prometheusSkip, startPrometheus, type TestPrometheus } from '../support/prometheus.js';

const target: CheckTarget = { env: 'prod', namespace: 'shop-prod', kubeContext: 'prod', release: 'shop-canary', track: 'canary' };
const runner = new CheckRunner({ env: process.env, cwd: process.cwd(), timeoutMs: 10_000 });
const signal = new AbortController().signal;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('prometheus check against a real Prometheus', { skip: prometheusSkip() }, () => {
  let prometheus: TestPrometheus;
  let url: string;

  before(async () => {
    prometheus = await startPrometheus(0.001);
    url = prometheus.url;
  });

  after(() => prometheus?.close());

  const errors = (over: Record<string, unknown> = {}) => ({ kind: 'prometheus' as const, url: '', query: 'max(shop_error_ratio{track="canary"})', max: 0.01, allowNoData: false, ...over, ...(over.url ? {} : { url }) });

  test('a value under max passes, reporting the value Prometheus returned', async () => {
    const r = await runner.run('errors', errors({ url }), target, signal);
    assert.deepEqual(r, { name: 'errors', kind: 'prometheus', passed: true, value: 0.001, detail: 'value 0.001 is within max 0.01' });
  });

  test('once the exporter reports 0.2, the same check fails with 0.2', async () => {
    prometheus.setErrorRatio(0.2);
    await prometheus.seen(0.2);
    const r = await runner.run('errors', errors({ url }), target, signal);
    assert.equal(r.passed, false);
    assert.equal(r.value, 0.2);
    assert.equal(r.detail, 'value 0.2 is outside max 0.01');
    prometheus.setErrorRatio(0.001);
    await prometheus.seen(0.001);
  });

  test('a vector of several series is judged sample by sample (min bound)', async () => {
    const r = await runner.run('floor', errors({ url, query: 'shop_error_ratio', max: undefined, min: 0.0005 }), target, signal);
    assert.equal(r.passed, false, 'the stable series at 0 is under min');
    assert.equal(r.value, 0);
  });

  test('no data fails, unless allowNoData', async () => {
    const missing = errors({ url, query: 'shop_error_ratio{track="nowhere"}' });
    assert.match((await runner.run('e', missing, target, signal)).detail, /^no data/);
    assert.equal((await runner.run('e', { ...missing, allowNoData: true }, target, signal)).passed, true);
  });

  test('a query Prometheus rejects fails with its error', async () => {
    const r = await runner.run('e', errors({ url, query: 'sum(rate(' }), target, signal);
    assert.equal(r.passed, false);
    assert.match(r.detail, /^Prometheus refused the query: bad_data: /);
  });
});

describe('http and command checks', () => {
  let server: Server;
  let base: string;
  let status = 200;
  before(async () => {
    server = createServer((_req, res) => {
      res.statusCode = status;
      res.end('ok');
    });
    base = await listen(server);
  });
  after(() => server.close());

  test('http: the expected status passes; another status fails with it; nothing listening fails', async () => {
    const probe = { kind: 'http' as const, url: `${base}/healthz`, expect: 200, timeoutMs: 2000 };
    assert.equal((await runner.run('latency', probe, target, signal)).passed, true);
    status = 503;
    const failed = await runner.run('latency', probe, target, signal);
    assert.deepEqual([failed.passed, failed.value], [false, 503]);
    const closedPort = await freeLoopbackPort();
    const refused = await runner.run('latency', { ...probe, url: `http://127.0.0.1:${closedPort}/` }, target, signal);
    assert.match(refused.detail, /failed: ECONNREFUSED/);
  });

  test('command: runs with the environment\'s context in its environment and gates on its exit code', async () => {
    const script = 'const e = process.env; process.exit(e.CHARTCTL_ENV === "prod" && e.CHARTCTL_NAMESPACE === "shop-prod" && e.CHARTCTL_KUBE_CONTEXT === "prod" && e.CHARTCTL_RELEASE === "shop-canary" && e.CHARTCTL_TRACK === "canary" ? 0 : 4)';
    const ok = await runner.run('smoke', { kind: 'command', argv: [process.execPath, '-e', script] }, target, signal);
    assert.equal(ok.passed, true, ok.detail);
    const other = await runner.run('smoke', { kind: 'command', argv: [process.execPath, '-e', script] }, { ...target, release: 'shop' }, signal);
    assert.deepEqual([other.passed, other.value], [false, 4]);
    const missing = await runner.run('smoke', { kind: 'command', argv: ['./no-such-smoke.sh'] }, target, signal);
    assert.equal(missing.detail, './no-such-smoke.sh could not be started: ENOENT');
  });
});
