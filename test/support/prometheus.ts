// A real Prometheus (Debian's `prometheus`, docs/progressive-delivery.md) on
// loopback, scraping every second an exporter the test controls: the test sets
// the canary's error ratio and waits until Prometheus has scraped it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-port.js';
import { waitFor } from './wait-for.js';

export const PROMETHEUS = process.env.CHARTCTL_TEST_PROMETHEUS ?? '/usr/bin/prometheus';

/** The `skip` option of a test that needs Prometheus: false, or why it is skipped. */
export const prometheusSkip = (): false | string => (existsSync(PROMETHEUS) ? false : `no Prometheus at ${PROMETHEUS} (apt-get install prometheus; see docs/progressive-delivery.md)`);

export interface TestPrometheus {
  /** Prometheus' base URL (its HTTP API is under /api/v1). */
  url: string;
  /** The exporter's base URL: `POST /error-ratio?value=V` sets the canary's error ratio, as a command check can. */
  exporterUrl: string;
  setErrorRatio(value: number): void;
  /** Waits (polling Prometheus, never a fixed sleep) until a scrape has brought `value` in. */
  seen(value: number): Promise<void>;
  close(): Promise<void>;
}

/** Serves `shop_error_ratio{track="canary"}` (starting at `errorRatio`) and `{track="stable"} 0`. */
export async function startPrometheus(errorRatio = 0.001): Promise<TestPrometheus> {
  let ratio = errorRatio;
  const exporter: Server = createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://exporter');
    if (req.method === 'POST' && asked.pathname === '/error-ratio') {
      ratio = Number(asked.searchParams.get('value'));
      res.end();
      return;
    }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE shop_error_ratio gauge\nshop_error_ratio{track="canary"} ${ratio}\nshop_error_ratio{track="stable"} 0\n`);
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', () => resolve()));
  const exporterUrl = `http://127.0.0.1:${(exporter.address() as { port: number }).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global: {scrape_interval: 1s, evaluation_interval: 1s}\nscrape_configs:\n  - job_name: shop\n    static_configs: [{targets: ["${exporterUrl.slice('http://'.length)}"]}]\n`);
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const prometheus: ChildProcess = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const close = async () => {
    if (prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    exporter.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const seen = (value: number) =>
    waitFor(async () => {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent('shop_error_ratio{track="canary"}')}`).catch(() => undefined);
      const body = (await response?.json().catch(() => undefined)) as { data?: { result?: Array<{ value: [number, string] }> } } | undefined;
      return Number(body?.data?.result?.[0]?.value[1]) === value;
    }, `Prometheus scraped ${value}`, 30_000);
  try {
    await waitFor(async () => (await fetch(`${url}/-/ready`).catch(() => undefined))?.status === 200, 'Prometheus ready', 30_000);
    await seen(ratio);
  } catch (e) {
    await close();
    throw e;
  }
  return { url, exporterUrl, setErrorRatio: (v) => (ratio = v), seen, close };
}
