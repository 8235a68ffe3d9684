/**
 * Blue/green end to end: the real chartctl CLI, a real helm (3 or 4), the
 * local S3 server and the simulator, whose EndpointSlices show which slot's
 * Pods the router Service sends traffic to.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Simulator } from '../../src/sandbox/simulator.js';
import { copyExampleApp, runCli, type CliRun } from '../support/project.js';
import { startClusterApp, type ClusterApp } from '../support/cluster-app.js';

const NS = 'shop-dev';
/** A smoke check that fails on demand (FAIL_SMOKE=1), and proves it ran against the idle slot. */
const SMOKE = 'process.exit(process.env.FAIL_SMOKE === "1" ? 7 : process.env.CHARTCTL_RELEASE === "shop-" + process.env.CHARTCTL_TRACK ? 0 : 9)';

export function blueGreenScenario(helm: string, major: 3 | 4): void {
  let cluster: ClusterApp;
  let sim: Simulator;
  let app: ReturnType<typeof copyExampleApp>;
  let env: Record<string, string>;
  /** The router Ingress's resourceVersion once created: no later switch may change it. */
  let ingressVersion: string | undefined;

  const cli = (args: string[], extra: Record<string, string> = {}): Promise<CliRun> => runCli(args, { cwd: app.dir, env: { ...env, ...extra }, timeoutMs: 120_000 });
  const ok = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await cli(args, extra);
    assert.equal(r.exitCode, 0, `chartctl ${args.join(' ')} exited ${r.exitCode}:\n${r.stderr}\n${r.stdout}`);
    return r;
  };
  const router = () => sim.getObject('Service', NS, 'shop');
  /** Slot release → ready endpoints of the router Service, read from its EndpointSlice. */
  const routed = async (): Promise<Record<string, number>> => {
    const deadline = performance.now() + 5000;
    let last: Record<string, number> = {};
    // The EndpointSlice controller follows the router's write asynchronously, as the real one does: poll until it settled.
    while (performance.now() < deadline) {
      const slice = sim.listObjects({ kind: 'EndpointSlice', namespace: NS }).find((s) => s.metadata.labels?.['kubernetes.io/service-name'] === 'shop');
      last = {};
      for (const e of slice?.endpoints ?? []) {
        if (!e.conditions.ready) continue;
        const release = sim.getObject('Pod', NS, e.targetRef.name)?.metadata.labels?.['app.kubernetes.io/instance'];
        last[release] = (last[release] ?? 0) + 1;
      }
      const selected = router()?.spec.selector['app.kubernetes.io/instance'];
      if (Object.keys(last).length === 1 && last[selected]) return last;
      await new Promise((r) => setTimeout(r, 25));
    }
    return last;
  };
  const routerIngress = () => sim.getObject('Ingress', NS, 'shop');
  /** Objects over the simulator's HTTP API, as kubectl would create or delete them. */
  const api = async (method: 'POST' | 'DELETE', path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.ok(res.status < 300, `${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  };
  const revisions = (release: string) => sim.releases(NS, release).map((r) => `${r.version}:${r.status}`);

  before(async () => {
    cluster = await startClusterApp({ name: 'bluegreen', readinessDelayMs: 50, contexts: ['dev', 'staging', 'prod'], helm, env: { CHARTCTL_ACTOR: 'blue-green-tests' } });
    ({ sim, app, env } = cluster);
    const file = join(app.dir, 'environments', 'dev.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        /deploy: \{timeout: 5m, (.*)\}\n/,
        `deploy:\n  timeout: 4s\n  strategy:\n    blueGreen:\n      router: {service: shop, ingress: shop, backend: api}\n      checks:\n        smoke: {command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(SMOKE)}]}\n`,
      ),
    );
    for (const version of ['1.0.0', '1.0.1', '1.0.2']) await ok(['publish', 'dev', '--version', version]);
  });
  after(async () => {
    await cluster?.close();
  });

  test(`[helm ${major}] blue/green: --dry-run names the idle slot and the switch, and changes nothing`, async () => {
    const r = await ok(['deploy', 'dev', '--version', '1.0.0', '--dry-run']);
    assert.match(r.stdout, /Plan: deploy into idle slot blue \(shop-blue\), run helm test and the checks there, then switch router Service shop to blue\./);
    assert.match(r.stdout, /Router Ingress shop does not exist: it is created in front of router Service shop \(hosts and paths from slot blue's own Ingress\) just before the switch\./);
    assert.equal(sim.releases(NS).length, 0);
    assert.equal(router(), undefined);
    assert.equal(routerIngress(), undefined);
  });

  test(`[helm ${major}] blue/green: an Ingress of the router's name that chartctl does not own stops the deploy before any slot is touched, and is left alone`, async () => {
    const foreign = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'shop', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, spec: { rules: [{ host: 'mine.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'theirs', port: { number: 80 } } } }] } }] } };
    await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await api('POST', `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, foreign);
    try {
      const r = JSON.parse((await cli(['deploy', 'dev', '--version', '1.0.0', '--yes', '--output', 'json'])).stdout);
      assert.equal(r.error?.code, 'ROUTER_INGRESS_NOT_OWNED', JSON.stringify(r));
      assert.match(r.error.message, /Ingress shop exists and chartctl does not own it \(app\.kubernetes\.io\/managed-by: Helm\); chartctl neither takes over nor deletes it/);
      assert.equal(sim.releases(NS).length, 0, 'no slot was installed');
      assert.equal(router(), undefined);
      assert.deepEqual(routerIngress()?.spec.rules, foreign.spec.rules, 'their Ingress is untouched');
      const text = (await ok(['status', 'dev'])).stdout;
      assert.match(text, /router: Ingress shop: exists but chartctl does not own it: deploy refuses/);
      const diff = (await ok(['diff', 'dev', '--version', '1.0.0'])).stdout;
      assert.match(diff, /Deploy would refuse: Ingress shop exists and chartctl does not own it \(app\.kubernetes\.io\/managed-by: Helm\)\./);
    } finally {
      await api('DELETE', `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/shop`);
    }
    assert.equal(routerIngress(), undefined);
  });

  test(`[helm ${major}] blue/green: the first deploy fills slot blue, and the router is created selecting it only after tests and checks`, async () => {
    const r = JSON.parse((await ok(['deploy', 'dev', '--version', '1.0.0', '--yes', '--output', 'json'])).stdout);
    assert.equal(r.outcome.kind, 'switched', JSON.stringify(r.outcome));
    assert.deepEqual([r.outcome.slot, r.outcome.from, r.outcome.tests], ['blue', null, 'passed']);
    assert.deepEqual(r.outcome.plan.blueGreen.ingress, { name: 'shop', create: true });
    // Created once in front of the router Service, with the slot's own host and path (charts/api's Ingress, api.ingress in values/dev.yaml).
    const ingress = routerIngress();
    assert.equal(ingress?.metadata.labels['app.kubernetes.io/managed-by'], 'chartctl');
    assert.equal(ingress?.metadata.annotations['chartctl.dev/router-service'], 'shop');
    assert.equal(ingress?.metadata.annotations['meta.helm.sh/release-name'], undefined, 'helm does not claim it');
    assert.equal(ingress?.spec.ingressClassName, sim.getObject('Ingress', NS, 'shop-blue-api')?.spec.ingressClassName);
    assert.deepEqual(ingress?.spec.rules, [{ host: 'api.shop.dev.acme.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { name: 'http' } } } }] } }]);
    ingressVersion = ingress?.metadata.resourceVersion;
    assert.deepEqual(r.outcome.checks.map((c: { name: string; passed: boolean }) => [c.name, c.passed]), [['smoke', true]]);
    assert.equal(router()?.metadata.annotations['chartctl.dev/live-slot'], 'blue');
    assert.deepEqual(await routed(), { 'shop-blue': 1 });
  });

  test(`[helm ${major}] blue/green: the next version goes to green; traffic switches in one write; blue is untouched`, async () => {
    const blueBefore = revisions('shop-blue');
    const r = await ok(['deploy', 'dev', '--version', '1.0.1', '--yes']);
    assert.equal(routerIngress()?.metadata.resourceVersion, ingressVersion, 'the router Ingress does not change on a switch');
    assert.doesNotMatch(r.stdout, /Router Ingress shop created/);
    assert.match(r.stdout, /Deployed 1\.0\.1 to slot green/);
    assert.match(r.stdout, /Router Service shop switched from blue to green: green is live\. blue stays up; chartctl rollback dev switches back\./);
    assert.deepEqual(revisions('shop-blue'), blueBefore, 'the live slot was never written to');
    assert.equal(router()?.metadata.annotations['chartctl.dev/previous-slot'], 'blue@1');
    assert.deepEqual(await routed(), { 'shop-green': 1 });
  });

  test(`[helm ${major}] blue/green: rollback switches the router back without helm rollback or a new revision`, async () => {
    const before = [revisions('shop-blue'), revisions('shop-green')];
    const r = await ok(['rollback', 'dev', '--yes']);
    assert.match(r.stdout, /Switched back: router Service shop selects slot blue \(revision 1\) again, in [\d.]+ s — no re-render, no helm rollback\. Slot green stays installed\./);
    assert.deepEqual([revisions('shop-blue'), revisions('shop-green')], before, 'no helm revision was written');
    assert.deepEqual(await routed(), { 'shop-blue': 1 });
    assert.equal(router()?.metadata.annotations['chartctl.dev/previous-slot'], 'green@1');
    assert.equal(routerIngress()?.metadata.resourceVersion, ingressVersion, 'a switch back does not touch the router Ingress');
  });

  test(`[helm ${major}] blue/green: status shows both slots (version, digest, health) and which one is live`, async () => {
    const s = JSON.parse((await ok(['status', 'dev', '--output', 'json'])).stdout);
    assert.equal(s.blueGreen.liveSlot, 'blue');
    assert.deepEqual(
      s.blueGreen.slots.map((x: any) => [x.slot, x.release, x.version, x.status, x.live]),
      [['blue', 'shop-blue', '1.0.0', 'deployed', true], ['green', 'shop-green', '1.0.1', 'deployed', false]],
    );
    assert.match(s.blueGreen.slots[0].digest, /^sha256:[a-f0-9]{64}$/);
    assert.notEqual(s.blueGreen.slots[0].digest, s.blueGreen.slots[1].digest);
    assert.equal(s.release, 'shop-blue', 'the health shown is the live slot\'s');
    assert.equal(s.health, 'healthy');
    const text = (await ok(['status', 'dev'])).stdout;
    assert.match(text, /router: Service shop → slot blue/);
    assert.match(text, /router: Ingress shop: api\.shop\.dev\.acme\.example → Service shop/);
    assert.deepEqual(s.blueGreen.ingress, { name: 'shop', hosts: ['api.shop.dev.acme.example'], owned: true });
    assert.match(text, /slot blue \(shop-blue\): revision 1, 1\.0\.0, deployed, sha256:[a-f0-9]{12}… — live/);
    assert.match(text, /slot green \(shop-green\): revision 1, 1\.0\.1, deployed, sha256:/);
  });

  test(`[helm ${major}] blue/green: diff compares the candidate with the idle slot deploy would change, and says where traffic stays`, async () => {
    const d = JSON.parse((await ok(['diff', 'dev', '--version', '1.0.2', '--output', 'json'])).stdout);
    assert.equal(d.release, 'shop-green');
    assert.deepEqual(d.blueGreen, { slot: 'green', live: 'blue', router: 'shop', ingress: { name: 'shop', create: false } });
    assert.equal(d.deployed.version, '1.0.1');
    const text = (await ok(['diff', 'dev', '--version', '1.0.2'])).stdout;
    assert.match(text, /Blue\/green: this is the idle slot green \(shop-green\), which deploy would change; router Service shop keeps sending traffic to slot blue until the switch\./);
    assert.doesNotMatch(text, /Router Ingress/, 'the router Ingress exists: nothing to create');
  });

  test(`[helm ${major}] blue/green: a deleted router Ingress is created again by the next deploy, even with nothing to deploy, without touching the router Service`, async () => {
    const rules = routerIngress()?.spec.rules;
    const serviceVersion = router()?.metadata.resourceVersion;
    await api('DELETE', `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/shop`);
    const text = (await ok(['diff', 'dev', '--version', '1.0.2'])).stdout;
    assert.match(text, /Router Ingress shop does not exist yet: deploy creates it in front of router Service shop\./);
    const planned = await ok(['deploy', 'dev', '--version', '1.0.0', '--dry-run']);
    assert.match(planned.stdout, /Plan: slot blue already runs this; create router Ingress shop in front of router Service shop \(hosts and paths from slot blue's own Ingress\)\./);
    assert.equal(routerIngress(), undefined, 'a dry run creates nothing');
    const r = await ok(['deploy', 'dev', '--version', '1.0.0', '--yes']);
    assert.match(r.stdout, /Nothing to deploy: dev already runs this exactly \(live slot blue\)\.\nRouter Ingress shop created in front of router Service shop\./);
    assert.deepEqual(routerIngress()?.spec.rules, rules);
    assert.equal(router()?.metadata.resourceVersion, serviceVersion, 'the router Service was not written');
    const again = await ok(['deploy', 'dev', '--version', '1.0.0', '--yes']);
    assert.doesNotMatch(again.stdout, /Router Ingress/, 'created once');
  });

  test(`[helm ${major}] blue/green: a candidate whose check fails never gets traffic (exit 1, live slot untouched)`, async () => {
    const blueBefore = revisions('shop-blue');
    const r = await cli(['deploy', 'dev', '--version', '1.0.2', '--yes'], { FAIL_SMOKE: '1' });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stdout, /Deploy failed in idle slot green: check smoke failed on slot green: .* exited 7\./);
    assert.match(r.stdout, /Router Service shop was not touched: blue is still live\./);
    assert.deepEqual(revisions('shop-blue'), blueBefore);
    assert.deepEqual(await routed(), { 'shop-blue': 1 });
  });

  test(`[helm ${major}] blue/green: a candidate that never gets ready is rolled back in its slot; blue keeps serving`, async () => {
    sim.injectFault(`${NS}/release/shop-green`, 'never-ready');
    try {
      const blueBefore = revisions('shop-blue');
      const r = await cli(['deploy', 'dev', '--version', '1.0.1', '--set', 'api.image.tag=never-ready-1', '--yes']);
      assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /Deploy failed in idle slot green/);
      assert.match(r.stdout, /Router Service shop was not touched: blue is still live\./);
      assert.deepEqual(revisions('shop-blue'), blueBefore);
      assert.deepEqual(await routed(), { 'shop-blue': 1 });
    } finally {
      sim.injectFault(`${NS}/release/shop-green`, 'clear');
    }
  });

  test(`[helm ${major}] blue/green: rollback refuses to switch to a slot that no longer holds the revision that served`, async () => {
    const r = await cli(['rollback', 'dev', '--yes']);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, /Cannot switch dev back: slot green now holds revision \d+ \(\w+\), not revision 1 that served/);
    assert.deepEqual(await routed(), { 'shop-blue': 1 });
  });

  test(`[helm ${major}] blue/green: watch deploys a newer version through the idle slot and switches; the live slot's version then counts as deployed`, async () => {
    await ok(['publish', 'dev', '--version', '1.0.3']);
    const liveBefore = router()?.metadata.annotations?.['chartctl.dev/live-slot'];
    const events = (r: CliRun) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const first = await ok(['watch', 'dev', '--once', '--output', 'json']);
    const deployed = events(first).find((e) => e.event === 'deployed');
    assert.equal(deployed?.version, '1.0.3', first.stdout);
    const live = router()?.metadata.annotations?.['chartctl.dev/live-slot'];
    assert.notEqual(live, liveBefore, 'the router switched slots');
    assert.deepEqual(await routed(), { [`shop-${live}`]: 1 });
    const again = await ok(['watch', 'dev', '--once', '--output', 'json']);
    assert.deepEqual(events(again).filter((e) => e.event === 'deployed' || e.event === 'deploying'), [], again.stdout);
    assert.ok(events(again).some((e) => e.event === 'up-to-date' && e.deployed === '1.0.3'), again.stdout);
  });
}
