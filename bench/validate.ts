// chartctl validate: throughput with a warm cache, cold start, and validation time
// against the floor (parsing the same YAML with js-yaml alone) and against chartctl's
// own block reader alone, measured in one run.
//   npm run bench:validate
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { SchemaFetcher } from '../src/adapters/schema-sources/schema-fetcher.js';
import { SchemaRegistry } from '../src/actions/steps/schema-registry.js';
import { crdSchemasIn, validateDocuments } from '../src/actions/steps/schema-validation.js';
import { readBlockYaml } from '../src/core/schema/block-yaml-reader.js';
import { parseKubeVersion } from '../src/core/schema/kube-version.js';
import { readManifestText, type InputDocument } from '../src/core/schema/manifest-input.js';
import { SchemaCompiler } from '../src/core/schema/schema-compiler.js';
import { summarize } from '../src/core/schema/validation-result.js';
import { writeFixtureSchemas } from '../test/support/kube-schema-fixture.js';
import { cliPath, hasSharedCorpus, projectRoot, sharedCorpus } from '../test/support/project.js';
import { timeProcess } from './support.js';

const TARGET_RESOURCES = 5000;
const work = mkdtempSync(join(tmpdir(), 'chartctl-bench-validate-'));
const helm = join(projectRoot, '.tools', 'helm4', 'helm');
const env = { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt') };

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`chartctl validate benchmark (node ${process.version}, one thread)`);
  const renders = renderSources();
  const schemaDir = await schemas();
  const files = buildCorpus(renders);
  const resources = files.reduce((n, f) => n + (f.text.match(/^kind: /gm)?.length ?? 0), 0);
  const bytes = files.reduce((n, f) => n + f.text.length, 0);
  console.log(`corpus: ${resources} resources in ${files.length} files, ${(bytes / 1e6).toFixed(1)} MB (${renders.map((r) => r.name).join(', ')})`);

  // Warm: one session (fetched documents, compiled validators) reused, as a second run with the disk caches would.
  const fetcher = new SchemaFetcher({ offline: true, insecureSkipTlsVerify: false, cwd: work, timeoutMs: 1000 });
  const compiler = new SchemaCompiler();
  const transformedDocuments = new Map<string, object>();
  const validateAll = async () => {
    const docs: InputDocument[] = [];
    for (const f of files) docs.push(...readManifestText(f.name, f.text, { duplicateKeys: true })); // as `chartctl validate` reads: duplicate keys are always looked for (warnings outside --strict)
    const registry = new SchemaRegistry(fetcher, { kubeVersion: parseKubeVersion('1.33'), strict: false, locations: [schemaDir], defaultBase: schemaDir, crds: crdSchemasIn(docs), transformedDocuments });
    return validateDocuments(docs, registry, compiler, { skip: new Set(), reject: new Set(), ignoreMissingSchemas: true });
  };
  const parseAll = () => {
    let n = 0;
    for (const f of files) n += loadAll(f.text).length;
    return n;
  };
  const readAll = () => {
    let declined = 0;
    for (const f of files) {
      const stream = readBlockYaml(f.text, { duplicateKeys: false });
      declined += 'declined' in stream ? 1 : stream.documents.filter((d) => d.kind === 'declined').length;
    }
    return declined;
  };
  const first = await validateAll();
  const s = summarize(first, files.length);
  console.log(`results: valid ${s.valid}, invalid ${s.invalid}, errors ${s.errors}, skipped ${s.skipped} (${compiler.stats.compiled} kinds compiled in ${compiler.stats.compileMs.toFixed(0)} ms)`);
  parseAll();
  const declined = readAll();
  const parseMs: number[] = [];
  const readMs: number[] = [];
  const validateMs: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    parseAll();
    parseMs.push(performance.now() - t);
    t = performance.now();
    readAll();
    readMs.push(performance.now() - t);
    t = performance.now();
    await validateAll();
    validateMs.push(performance.now() - t);
  }
  const p = median(parseMs);
  const r = median(readMs);
  const v = median(validateMs);
  const perSecond = (ms: number) => Math.round((resources / ms) * 1000).toLocaleString('en');
  console.log(`\nthroughput (warm): validate ${v.toFixed(0)} ms for ${resources} resources = ${perSecond(v)} resources/s  (target >= 20,000/s; kubeconform README: ~7,500/s on 4 cores)`);
  console.log(`floor: js-yaml loadAll alone ${p.toFixed(0)} ms = ${perSecond(p)} resources/s`);
  console.log(`chartctl block reader alone (readBlockYaml, no fallback): ${r.toFixed(0)} ms = ${perSecond(r)} resources/s; ${declined} documents declined (left to js-yaml)`);
  console.log(`ratio validate-time / parse-time (js-yaml loadAll) = ${(v / p).toFixed(2)}  (target <= 2.0; read + parse + schema check + results, vs parse only)`);
  console.log(`ratio validate-time / parse-time (chartctl block reader) = ${(v / r).toFixed(2)}  (the same, against the parser validate now uses)`);

  coldStart(schemaDir, renders.find((r) => r.name === 'example app dev')!.text);
  coldBulk(schemaDir, renders);
}

/**
 * `validate -f` of 6,000 resources as a whole process (Node's start-up included), nothing cached
 * (fresh cache home: no fetched schemas, no compiled validators, no code cache), against js-yaml
 * parsing the same bytes in this process.
 */
function coldBulk(schemaDir: string, renders: { name: string; text: string }[]): void {
  const COUNT = 6000;
  let text = '';
  let count = 0;
  for (let copy = 0; count < COUNT; copy++) {
    for (const r of renders) {
      for (const doc of r.text.split(/^---$/m)) {
        if (count >= COUNT || !/^kind: /m.test(doc)) continue;
        text += `---${doc.replace(/^( {2}name: )(\S+)$/gm, `$1$2-${copy}`)}`;
        count++;
      }
    }
  }
  const file = join(work, 'bulk-6000.yaml');
  writeFileSync(file, text);
  const args = [cliPath, '--cwd', work, 'validate', '-f', file, '--schema-location', schemaDir];
  const cold: number[] = [];
  const parse: number[] = [];
  for (let i = 0; i < 5; i++) {
    const home = mkdtempSync(join(work, 'home-'));
    cold.push(timeProcess(process.execPath, args, { env: { ...env, XDG_CACHE_HOME: home } }));
    const t = performance.now();
    loadAll(text);
    parse.push(performance.now() - t);
  }
  const node = median([1, 2, 3, 4, 5].map(() => timeProcess(process.execPath, ['-e', '0'])));
  const c = median(cold);
  const p = median(parse);
  console.log(`
validate -f of ${count} resources (${(text.length / 1e6).toFixed(1)} MB), --schema-location ${schemaDir.endsWith('schemas') ? 'a local directory' : schemaDir}, nothing cached, process start included: median ${c.toFixed(0)} ms wall`);
  console.log(`floor: js-yaml loadAll of the same bytes in this process: median ${p.toFixed(0)} ms; node -e 0: median ${node.toFixed(0)} ms`);
  console.log(`ratio = ${(c / p).toFixed(2)} (target <= 1.5); without Node's own start-up ${((c - node) / p).toFixed(2)}`);
}

/** The example app's environments, and podinfo with two value sets when ../shared is there. */
function renderSources(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const e of ['dev', 'staging', 'prod']) {
    const r = spawnSync(process.execPath, [cliPath, '--cwd', projectRoot, 'template', e], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`chartctl template ${e} failed: ${r.stderr}`);
    out.push({ name: `example app ${e}`, text: r.stdout });
  }
  const podinfo = join(sharedCorpus, 'charts', 'podinfo');
  if (hasSharedCorpus && existsSync(podinfo)) {
    for (const [name, set] of [
      ['podinfo', []],
      ['podinfo (hpa, ingress, redis, pdb)', ['--set', 'hpa.enabled=true,ingress.enabled=true,redis.enabled=true,podDisruptionBudget.maxUnavailable=1']],
    ] as const) {
      const r = spawnSync(helm, ['template', 'rel', podinfo, ...set], { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (r.status !== 0) throw new Error(`helm template podinfo failed: ${r.stderr}`);
      out.push({ name, text: r.stdout });
    }
  } else {
    console.log(`SKIP podinfo: ${sharedCorpus}/charts/podinfo is absent; the corpus is the example app only`);
  }
  return out;
}

/** The Kubernetes 1.33 definitions from ../shared, else the test suite's small fixture set. */
async function schemas(): Promise<string> {
  const dir = join(work, 'schemas');
  const defs = join(sharedCorpus, 'k8s-schemas', 'v1.33-definitions.json');
  if (hasSharedCorpus && existsSync(defs)) {
    mkdirSync(dir);
    symlinkSync(defs, join(dir, '_definitions.json'));
    console.log('schemas: Kubernetes 1.33 definitions (../shared/corpus/k8s-schemas)');
  } else {
    await writeFixtureSchemas(dir);
    console.log('SKIP full schemas: ../shared/corpus is absent; using the test fixture subset of the definitions');
  }
  return dir;
}

/** The renders repeated under different names until the corpus holds TARGET_RESOURCES resources, 20 copies per file. */
function buildCorpus(renders: { name: string; text: string }[]): { name: string; text: string }[] {
  const files: { name: string; text: string }[] = [];
  let count = 0;
  let copy = 0;
  while (count < TARGET_RESOURCES) {
    let text = '';
    for (let k = 0; k < 20 && count < TARGET_RESOURCES; k++, copy++) {
      for (const r of renders) {
        text += `${r.text.replace(/^( {2}name: )(\S+)$/gm, `$1$2-${copy}`)}\n---\n`;
        count += r.text.match(/^kind: /gm)?.length ?? 0;
      }
    }
    files.push({ name: `corpus-${files.length}.yaml`, text });
  }
  return files;
}

/** Whole-process wall time: nothing compiled yet (fresh cache home) vs compiled validators on disk. */
function coldStart(schemaDir: string, exampleApp: string): void {
  const file = join(work, 'example-app.yaml');
  writeFileSync(file, exampleApp);
  const args = [cliPath, '--cwd', work, 'validate', '-f', file, '--schema-location', schemaDir, '--strict'];
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    const home = mkdtempSync(join(work, 'home-'));
    cold.push(timeProcess(process.execPath, args, { env: { ...env, XDG_CACHE_HOME: home } }));
    warm.push(timeProcess(process.execPath, args, { env: { ...env, XDG_CACHE_HOME: home } }));
  }
  const app = join(work, 'app');
  for (const entry of ['charts', 'environments', 'examples', '.sops.yaml']) cpSync(join(projectRoot, entry), join(app, entry), { recursive: true });
  const envCold: number[] = [];
  for (let i = 0; i < 3; i++) {
    const home = mkdtempSync(join(work, 'home-'));
    envCold.push(timeProcess(process.execPath, [cliPath, '--cwd', app, 'validate', 'dev', '--schema-location', schemaDir], { env: { ...env, XDG_CACHE_HOME: home } }));
  }
  const help = median([1, 2, 3].map(() => timeProcess(process.execPath, [cliPath, '--help'])));
  console.log(`\ncold start, example app (${exampleApp.match(/^kind: /gm)?.length} resources, schemas on disk, nothing compiled): median ${median(cold).toFixed(0)} ms wall  (target < 1000 ms)`);
  console.log(`second run (same cache home; kinds with few resources are walked, not compiled, both times): median ${median(warm).toFixed(0)} ms wall; ratio cold/second = ${(median(cold) / median(warm)).toFixed(2)}`);
  console.log(`cold start including helm rendering (chartctl validate dev): median ${median(envCold).toFixed(0)} ms wall`);
  console.log(`for scale: chartctl --help alone takes ${help.toFixed(0)} ms (node start-up and CLI imports)`);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
