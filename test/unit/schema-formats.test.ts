import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaFetcher } from '../../src/adapters/schema-sources/schema-fetcher.js';
import { SchemaRegistry } from '../../src/actions/steps/schema-registry.js';
import { crdSchemasIn, validateDocuments } from '../../src/actions/steps/schema-validation.js';
import { FORMAT_CHECKS } from '../../src/core/schema/formats.js';
import { SchemaCompiler } from '../../src/core/schema/schema-compiler.js';
import { parseKubeVersion } from '../../src/core/schema/kube-version.js';
import { readManifestText } from '../../src/core/schema/manifest-input.js';

// Values each of santhosh-tekuri/jsonschema v6's format validators (format.go, the ones
// kubeconform runs on its draft-4 schemas) accepts or refuses, and kubeconform's duration.
const CASES: Record<string, { valid: string[]; invalid: string[] }> = {
  ipv4: { valid: ['10.0.0.1', '255.255.255.255', '0.0.0.0'], invalid: ['10.0.0', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d'] },
  ipv6: { valid: ['::1', 'fd00::1', '2001:db8:0:0:0:0:2:1', '::', '::ffff:10.0.0.1', '1:2:3:4:5:6:7:8'], invalid: ['1.2.3.4', '2001:db8::g', '1:2:3:4:5:6:7:8:9', 'fe80::1%eth0', ':::1'] },
  hostname: { valid: ['api.example.com', 'localhost', 'a-b.c', 'example.com.'], invalid: ['-a.com', 'a-.com', 'a..b', 'under_score.com', '', 'a'.repeat(64)] },
  email: { valid: ['ops@example.com', 'a.b+c@x.io', '"quoted"@example.com', 'x@[10.0.0.1]', 'x@[IPv6:::1]'], invalid: ['no-at-sign', 'a..b@x.com', '.a@x.com', 'a@-x.com', 'a b@x.com'] },
  date: { valid: ['2026-01-02', '2024-02-29', '2000-02-29'], invalid: ['2026-02-29', '1900-02-29', '2026-13-01', '2026-04-31', '2026-1-2', '2026-01-02T00:00:00Z'] },
  time: { valid: ['15:04:05Z', '15:04:05.123+02:00', '00:00:00z'], invalid: ['15:04:05', '24:00:00Z', '15:60:00Z', '15:04:05+2:00'] },
  duration: { valid: ['1h30m', '5m0s', '0', '-1.5h', '300ms', '2\u00b5s', 'PT1H30M', 'P1D', 'P2W', 'P1Y2M3DT4H5M6S'], invalid: ['5 minutes', '1d', 'P', 'PT', 'P1H', 'P1M1Y', '.s', 'h'] },
  uri: { valid: ['https://example.com/path?q=1#f', 'urn:isbn:0451450523', 'mailto:ops@example.com'], invalid: ['/relative/path', 'example.com', 'https://exa mple.com', 'http://x/%zz'] },
  'uri-reference': { valid: ['/relative/path', 'https://example.com', '#frag', ''], invalid: ['a\\b', 'with space'] },
  'json-pointer': { valid: ['', '/spec/replicas', '/a~0b/c~1d'], invalid: ['spec', '/a~2'] },
  uuid: { valid: ['123e4567-e89b-12d3-a456-426614174000', 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE'], invalid: ['123e4567e89b12d3a456426614174000', '123e4567-e89b-12d3-a456-42661417400g'] },
};

test("each asserted format accepts and refuses what kubeconform's validator does", () => {
  assert.deepEqual(Object.keys(CASES).sort(), Object.keys(FORMAT_CHECKS).sort());
  for (const [format, { valid, invalid }] of Object.entries(CASES)) {
    const re = new RegExp(FORMAT_CHECKS[format]!.pattern);
    for (const v of valid) assert.ok(re.test(v), `${format}: ${JSON.stringify(v)} should be valid`);
    for (const v of invalid) assert.ok(!re.test(v), `${format}: ${JSON.stringify(v)} should be invalid`);
  }
});

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'chartctl-formats-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: probes.example.com}
spec:
  group: example.com
  names: {kind: Probe, plural: probes}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                address: {type: string, format: ipv4}
                host: {type: string, format: hostname}
                url: {type: string, format: uri}
                interval: {type: string, format: duration}
                size: {type: string, format: int64}
`;
const probe = (i: number, spec: string) => `---\napiVersion: example.com/v1\nkind: Probe\nmetadata: {name: p${i}}\nspec: ${spec}\n`;

async function validateText(text: string) {
  const docs = readManifestText('in.yaml', text, { duplicateKeys: false });
  const fetcher = new SchemaFetcher({ offline: true, insecureSkipTlsVerify: false, cwd: dir, timeoutMs: 1000 });
  const registry = new SchemaRegistry(fetcher, { kubeVersion: parseKubeVersion('1.33'), strict: false, locations: [], defaultBase: join(dir, 'none'), crds: crdSchemasIn(docs) });
  return validateDocuments(docs, registry, new SchemaCompiler(), { skip: new Set(['CustomResourceDefinition']), reject: new Set(), ignoreMissingSchemas: false });
}

test('a CRD-derived schema asserts its formats, walked (few resources) and compiled (many) alike', async () => {
  const good = '{address: 10.0.0.1, host: api.example.com, url: "https://example.com/x", interval: 1m30s, size: anything}';
  const bad = '{address: 10.0.0.300, host: -bad-, url: /relative, interval: 5 minutes, size: anything}';
  for (const copies of [1, 320]) {
    const text = CRD + probe(0, bad) + Array.from({ length: copies }, (_, i) => probe(i + 1, good)).join('');
    const results = (await validateText(text)).filter((r) => r.kind === 'Probe');
    assert.equal(results.length, copies + 1);
    assert.equal(results[0]!.status, 'invalid');
    assert.deepEqual(
      results[0]!.problems.map((p) => [p.path, p.message]),
      [
        ['spec.address', `expected ${FORMAT_CHECKS.ipv4!.expected}`],
        ['spec.host', `expected ${FORMAT_CHECKS.hostname!.expected}`],
        ['spec.url', `expected ${FORMAT_CHECKS.uri!.expected}`],
        ['spec.interval', `expected ${FORMAT_CHECKS.duration!.expected}`],
      ],
      `${copies + 1} resources`,
    );
    assert.ok(results.slice(1).every((r) => r.status === 'valid'), JSON.stringify(results.find((r) => r.status !== 'valid')));
  }
});

// jsonschema v6 asserts `format: regex` by compiling the value with Go's regexp (RE2 syntax).
const REGEX_CRD = CRD.replace('probes.example.com', 'filters.example.com').replace('{kind: Probe, plural: probes}', '{kind: Filter, plural: filters}').replace(
  /properties:\n {16}address[\s\S]*$/,
  'properties:\n                match: {type: string, format: regex}\n',
);
const filter = (i: number, match: string) => `---\napiVersion: example.com/v1\nkind: Filter\nmetadata: {name: f${i}}\nspec: {match: ${JSON.stringify(match)}}\n`;

test('format: regex is a Go regular expression, checked for few resources and for many', async () => {
  for (const copies of [1, 320]) {
    // Go accepts (?P<n>…), \pL and [[:alpha:]]; it refuses an unclosed group, a backreference and lookahead.
    const good = ['^api-(?P<tier>[a-z]+)$', '\\pL+[[:digit:]]', '.*'];
    const bad = ['(', '(a)\\1', 'x(?=y)'];
    const text = REGEX_CRD + [...bad, ...Array.from({ length: copies }, (_, i) => good[i % good.length]!)].map((m, i) => filter(i, m)).join('');
    const results = (await validateText(text)).filter((r) => r.kind === 'Filter');
    assert.deepEqual(
      results.slice(0, 3).map((r) => r.problems.map((p) => [p.path, p.message])),
      [
        [['spec.match', 'expected a Go (RE2) regular expression (format: regex): missing closing ): `(`']],
        [['spec.match', 'expected a Go (RE2) regular expression (format: regex): invalid escape sequence: `\\1`']],
        [['spec.match', 'expected a Go (RE2) regular expression (format: regex): invalid or unsupported Perl syntax: `(?=`']],
      ],
      `${copies + 3} resources`,
    );
    assert.equal(results[0]!.kubeconform?.errors[0]?.msg, "'(' is not valid regex: error parsing regexp: missing closing ): `(`");
    assert.ok(results.slice(3).every((r) => r.status === 'valid'), JSON.stringify(results.find((r, i) => i >= 3 && r.status !== 'valid')));
  }
});
