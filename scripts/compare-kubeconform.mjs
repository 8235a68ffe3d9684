// Runs kubeconform's own acceptance cases (../shared/corpus/kubeconform/expectations.tsv)
// through `chartctl validate`, with the command line exactly as kubeconform's suite types
// it (only `bin/kubeconform` replaced), and compares the exit code (0 vs non-zero) and the
// output with what kubeconform's suite asserts (test/fixtures/kubeconform/acceptance-output.json).
// Cases that need the network are skipped; the "default-location" stand-in is
// ../shared/corpus/k8s-schemas/v1.33-definitions.json, served from a directory that
// stands for kubeconform's default base URL: where the output names a schema under it,
// the comparison reads kubeconform's URL in its place.
// Prints one line per case and `agreement: N/M`; exits 1 on any unexpected disagreement.
// Skips (exit 0, with a SKIP line) when ../shared/corpus is absent.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(root, '..', 'shared', 'corpus');
const kubeconformDir = join(corpus, 'kubeconform');
const definitions = join(corpus, 'k8s-schemas', 'v1.33-definitions.json');
const cli = join(root, 'bin', 'chartctl.js');

/** Where chartctl differs on purpose (docs/validate.md, "Compatibility with kubeconform"). */
const DELIBERATE = {
  'Fail early when passing a non valid -kubernetes-version':
    'chartctl accepts X.Y (environment files say "1.33") and reads it as vX.Y.0; kubeconform requires X.Y.Z',
  'Fail when using HTTPS_PROXY with a failing proxy':
    'the default location is a local stand-in here, so no proxy is involved; chartctl does not read HTTPS_PROXY',
};

/** Cases where the exit code agrees and the output differs on purpose (docs/validate.md). */
const OUTPUT_DIFFERS = {
  'Pass when displaying help with -h': "chartctl's help describes chartctl validate (its own usage line); -h alone does not say the command line is kubeconform's",
  'Return relevant error for non-existent file':
    "no kubeconform flag on the command line, so a missing word is refused as chartctl refuses it (error: … no such file or directory, with a hint); with one, it is kubeconform's lstat result line",
};

/** What the stand-in directory stands for (kubeconform's default location, less its per-kind tail). */
const KUBECONFORM_DEFAULT_BASE = 'https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master';

const expectedOutput = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'kubeconform', 'acceptance-output.json'), 'utf8')).cases;

if (!existsSync(kubeconformDir) || !existsSync(definitions)) {
  console.log(`SKIP: ${corpus} is absent; the kubeconform comparison needs the shared reference corpus`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'chartctl-kubeconform-'));
try {
  process.exitCode = await compare(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function compare(work) {
  cpSync(join(kubeconformDir, 'fixtures'), join(work, 'fixtures'), { recursive: true });
  // kubeconform's acceptance suite generates this one before running.
  const valid = readFileSync(join(work, 'fixtures', 'valid.yaml'), 'utf8');
  writeFileSync(join(work, 'fixtures', 'valid_large.yaml'), Array.from({ length: 100_000 }, () => valid.trimEnd()).join('\n---\n') + '\n');
  mkdirSync(join(work, 'cache'));
  mkdirSync(join(work, 'standin'));
  symlinkSync(definitions, join(work, 'standin', '_definitions.json'));

  const rows = readFileSync(join(kubeconformDir, 'expectations.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [name, command, expected, source] = line.split('\t');
      return { name, command, expected: Number(expected), source };
    });

  const results = await mapLimit(rows, 2, async (row) => {
    if (row.source === 'network') return { row, status: 'network' };
    const run = translate(row, work);
    const { exit, output: raw } = await runCli(run, work);
    const output = raw.replaceAll(join(work, 'standin'), KUBECONFORM_DEFAULT_BASE);
    const exitAgrees = (exit === 0) === (row.expected === 0);
    const mismatch = outputMismatch(expectedOutput[row.name] ?? [], output);
    const status = exitAgrees && !mismatch ? 'agree' : DELIBERATE[row.name] || (exitAgrees && OUTPUT_DIFFERS[row.name]) ? 'deliberate' : 'disagree';
    return { row, status, exit, args: run.args, output, mismatch, exitAgrees };
  });

  let agree = 0;
  let compared = 0;
  for (const r of results) {
    if (r.status === 'network') {
      console.log(`skip      ${r.row.name} (needs the network)`);
      continue;
    }
    compared++;
    if (r.status === 'agree') agree++;
    const label = r.status === 'agree' ? 'agree    ' : r.status === 'deliberate' ? 'differs  ' : 'DISAGREE ';
    const why = DELIBERATE[r.row.name] ?? OUTPUT_DIFFERS[r.row.name];
    console.log(`${label} ${r.row.name}: kubeconform exit ${r.row.expected}, chartctl exit ${r.exit}${r.mismatch ? `, output: ${r.mismatch}` : ''}${r.status === 'deliberate' ? ` — deliberate: ${why}` : ''}`);
    if (r.status === 'disagree') console.log(`          chartctl validate ${r.args.join(' ')}\n          ${r.output.trim().split('\n').slice(0, 3).join('\n          ')}`);
  }
  const deliberate = results.filter((r) => r.status === 'deliberate').length;
  const disagree = results.filter((r) => r.status === 'disagree').length;
  const outputChecked = results.filter((r) => r.status !== 'network' && (expectedOutput[r.row.name] ?? []).length > 0).length;
  const exitAgree = results.filter((r) => r.status !== 'network' && r.exitAgrees).length;
  console.log(
    `agreement: ${agree}/${compared} (deliberate differences: ${deliberate}, unexpected: ${disagree}, network cases skipped: ${results.length - compared}; exit codes agree: ${exitAgree}/${compared}; cases with asserted output: ${outputChecked})`,
  );
  return disagree === 0 ? 0 : 1;
}

/** kubeconform command line → chartctl validate arguments, environment and stdin. */
function translate(row, work) {
  let command = row.command.trim();
  const env = { CHARTCTL_SCHEMA_BASE_URL: join(work, 'standin') };
  let stdinFile;
  const bash = /^bash -c "(.*)"$/.exec(command);
  if (bash) command = bash[1].replace(/\\"/g, '"').trim();
  command = command.replace(/\s*>\s*\S+\s*$/, '');
  const piped = /^cat (\S+) \| (.*)$/.exec(command);
  if (piped) {
    stdinFile = join(work, piped[1]);
    command = piped[2];
  }
  for (let m = /^([A-Z_]+)=(\S+) (.*)$/.exec(command); m; m = /^([A-Z_]+)=(\S+) (.*)$/.exec(command)) {
    env[m[1]] = m[2];
    command = m[3];
  }
  const args = shellWords(command).slice(1); // bin/kubeconform → chartctl validate, the rest as typed
  if (row.source === 'no-network') {
    // The real default location, reachable only through the cache: never the network, whatever this machine has.
    delete env.CHARTCTL_SCHEMA_BASE_URL;
    args.push('--offline');
  }
  return { args, env, stdinFile };
}

/** Runs chartctl; `output` is stdout and stderr in the order they came, as bats' `run` captures them. */
function runCli({ args, env, stdinFile }, work) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--cwd', work, 'validate', ...args], {
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: mkdtempSync(join(work, 'xdg-')), ...env },
      stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    if (stdinFile) child.stdin.end(readFileSync(stdinFile));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exit: code ?? -1, output });
    });
  });
}

/** The first assertion of kubeconform's suite that `output` fails, described; undefined when all hold. */
function outputMismatch(assertions, output) {
  const whole = output.replace(/\n+$/, '');
  const lines = whole.split('\n').filter((l) => l !== '');
  for (const a of assertions) {
    const subject = a.line !== undefined ? lines[a.line] ?? '' : whole;
    const where = a.line !== undefined ? `line ${a.line}` : 'output';
    if (a.output !== undefined && whole !== a.output) return `${where} ${JSON.stringify(whole.slice(0, 300))}, expected ${JSON.stringify(a.output)}`;
    if (a.text !== undefined && subject !== a.text) return `${where} ${JSON.stringify(subject.slice(0, 300))}, expected ${JSON.stringify(a.text)}`;
    if (a.contains !== undefined && !subject.includes(a.contains)) return `${where} lacks ${JSON.stringify(a.contains)}`;
    if (a.prefix !== undefined && !subject.startsWith(a.prefix)) return `${where} ${JSON.stringify(subject.slice(0, 120))} does not start with ${JSON.stringify(a.prefix)}`;
    if (a.lines !== undefined && lines.length !== a.lines) return `${lines.length} lines, expected ${a.lines}`;
  }
  return undefined;
}

function shellWords(text) {
  const out = [];
  const re = /'([^']*)'|"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}
