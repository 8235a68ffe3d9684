import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvironment } from '../../src/core/environment-file.js';
import { ChartctlError } from '../../src/core/errors.js';

const base = `chart: charts/shop
release: shop
namespace: shop-prod
kubeVersion: "1.33"
repository: {url: s3://acme-charts/prod}
deploy:
  timeout: 5m
`;

/** The three forms, verbatim. */
const blueGreen = `${base}  strategy:
    blueGreen:
      slots: [blue, green]
      router: {service: shop, ingress: shop}
      keepPrevious: true
`;
const canary = `${base}  strategy:
    canary:
      traffic: replicas
      steps:
        - {weight: 10, pause: 2m, checks: [errors]}
        - {weight: 50, pause: 5m, checks: [errors, latency]}
        - approve: true
      checks:
        errors:  {prometheus: {url: http://prometheus:9090, query: 'sum(rate(http_requests_total{app="shop",track="canary",code=~"5.."}[1m])) / sum(rate(http_requests_total{app="shop",track="canary"}[1m]))', max: 0.01}}
        latency: {http: {url: https://shop-canary.example/healthz, expect: 200, every: 10s}}
        smoke:   {command: ["./scripts/smoke.sh"]}
`;

function parse(text: string) {
  return parseEnvironment('prod', 'environments/prod.yaml', text);
}

function refused(text: string, pattern: RegExp) {
  assert.throws(
    () => parse(text),
    (err: unknown) => {
      assert.ok(err instanceof ChartctlError);
      assert.equal(err.code, 'ENV_INVALID');
      assert.match(err.message, pattern);
      return true;
    },
  );
}

test('no strategy and "rolling" are today\'s rolling upgrade', () => {
  assert.deepEqual(parse(base).deploy.strategy, { kind: 'rolling' });
  assert.deepEqual(parse(`${base}  strategy: rolling\n`).deploy.strategy, { kind: 'rolling' });
});

test('the issue\'s blueGreen block parses, with defaults', () => {
  assert.deepEqual(parse(blueGreen).deploy.strategy, { kind: 'blueGreen', slots: ['blue', 'green'], router: { service: 'shop', ingress: 'shop' }, keepPrevious: true, checks: {} });
  const minimal = parse(`${base}  strategy: {blueGreen: {router: {service: web}}}\n`).deploy.strategy;
  assert.deepEqual(minimal, { kind: 'blueGreen', slots: ['blue', 'green'], router: { service: 'web', ingress: undefined }, keepPrevious: true, checks: {} });
});

test('the issue\'s canary block parses into steps and checks', () => {
  const s = parse(canary).deploy.strategy;
  assert.equal(s.kind, 'canary');
  if (s.kind !== 'canary') return assert.fail('canary');
  assert.equal(s.traffic, 'replicas');
  assert.deepEqual(s.steps, [
    { kind: 'weight', weight: 10, pauseMs: 120_000, checks: ['errors'] },
    { kind: 'weight', weight: 50, pauseMs: 300_000, checks: ['errors', 'latency'] },
    { kind: 'approve' },
  ]);
  assert.deepEqual(s.checks.errors, { kind: 'prometheus', url: 'http://prometheus:9090', query: s.checks.errors!.kind === 'prometheus' ? s.checks.errors!.query : '', max: 0.01, min: undefined, allowNoData: false });
  assert.match((s.checks.errors as { query: string }).query, /^sum\(rate\(http_requests_total\{app="shop",track="canary",code=~"5\.\."\}/);
  assert.deepEqual(s.checks.latency, { kind: 'http', url: 'https://shop-canary.example/healthz', expect: 200, everyMs: 10_000, timeoutMs: 5000 });
  assert.deepEqual(s.checks.smoke, { kind: 'command', argv: ['./scripts/smoke.sh'] });
});

test('an unknown strategy name is refused at its position', () => {
  refused(`${base}  strategy: blue-green\n`, /environments\/prod\.yaml:8:13: "deploy\.strategy" must be "rolling", or a mapping with one key, blueGreen or canary/);
});

test('a misspelt strategy key says did you mean, at file:line:col', () => {
  refused(blueGreen.replace('blueGreen:', 'blueGren:'), /prod\.yaml:9:5: unknown key "deploy\.strategy\.blueGren" \(did you mean "blueGreen"\?\)/);
});

test('both strategies at once are refused', () => {
  refused(`${base}  strategy: {blueGreen: {router: {service: web}}, canary: {steps: [{weight: 5}]}}\n`, /prod\.yaml:8:\d+: "deploy\.strategy" must have exactly one key/);
});

test('blueGreen needs a router service, and two distinct slot names', () => {
  refused(`${base}  strategy: {blueGreen: {slots: [blue, green]}}\n`, /missing required key "deploy\.strategy\.blueGreen\.router"/);
  refused(blueGreen.replace('[blue, green]', '[blue]'), /prod\.yaml:10:14: "deploy\.strategy\.blueGreen\.slots" must NOT have fewer than 2 items/);
  refused(blueGreen.replace('[blue, green]', '[blue, blue]'), /"deploy\.strategy\.blueGreen\.slots"/);
  refused(blueGreen.replace('service: shop', 'service: Shop_1'), /"deploy\.strategy\.blueGreen\.router\.service" does not look right: expected the name of the Service/);
});

test('canary: a bad traffic mode, a weight over 100 and a bad pause are refused with positions', () => {
  refused(canary.replace('traffic: replicas', 'traffic: istio'), /prod\.yaml:10:16: "deploy\.strategy\.canary\.traffic" must be one of "replicas", "ingress-nginx", "gateway"/);
  refused(canary.replace('weight: 50', 'weight: 150'), /prod\.yaml:13:\d+: "deploy\.strategy\.canary\.steps\.1\.weight" must be <= 100/);
  refused(canary.replace('pause: 2m', 'pause: soon'), /"deploy\.strategy\.canary\.steps\.0\.pause" does not look right: expected a duration/);
});

test('canary: a step without weight, an approve mixed with a weight, and approve: false are refused', () => {
  refused(canary.replace('{weight: 10, pause: 2m, checks: [errors]}', '{pause: 2m}'), /prod\.yaml:12:11: "deploy\.strategy\.canary\.steps\.0": a step needs "weight"/);
  refused(canary.replace('- approve: true', '- {approve: true, weight: 80}'), /"deploy\.strategy\.canary\.steps\.2": an approve step has no other keys/);
  refused(canary.replace('- approve: true', '- approve: false'), /"deploy\.strategy\.canary\.steps\.2\.approve" must be true/);
});

test('canary: a step naming an undefined check is refused at the name, listing the defined ones', () => {
  refused(canary.replace('checks: [errors, latency]', 'checks: [errors, latncy]'), /prod\.yaml:13:\d+: "deploy\.strategy\.canary\.steps\.1\.checks\.1": no check named "latncy" in deploy\.strategy\.canary\.checks \(defined: errors, latency, smoke\)/);
});

test('checks: exactly one kind, prometheus needs a bound, http a URL, command a non-empty argv', () => {
  refused(canary.replace("max: 0.01}}", '}}'), /prod\.yaml:16:\d+: "deploy\.strategy\.canary\.checks\.errors\.prometheus": a prometheus check needs "max", "min" or both/);
  refused(canary.replace('smoke:   {command: ["./scripts/smoke.sh"]}', 'smoke: {command: [x], http: {url: http://a}}'), /"deploy\.strategy\.canary\.checks\.smoke" must have exactly one key: one of prometheus, http or command/);
  refused(canary.replace('url: https://shop-canary.example/healthz', 'url: shop-canary/healthz'), /"deploy\.strategy\.canary\.checks\.latency\.http\.url" does not look right: expected an http/);
  refused(canary.replace('["./scripts/smoke.sh"]', '[]'), /"deploy\.strategy\.canary\.checks\.smoke\.command" must NOT have fewer than 1 items/);
  refused(canary.replace('smoke:   {command', 'smoke:   {comand'), /unknown key "deploy\.strategy\.canary\.checks\.smoke\.comand" \(did you mean "command"\?\)/);
});
