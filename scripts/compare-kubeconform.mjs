// Runs kubeconform's own acceptance cases (../shared/corpus/kubeconform/expectations.tsv)
// through `chartctl validate` and counts how often chartctl agrees with kubeconform on
// valid/invalid (exit 0 vs non-zero). Cases that need the network are skipped; the
// "default-location" stand-in is ../shared/corpus/k8s-schemas/v1.33-definitions.json.
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

/** Where chartctl differs on purpose (docs/validate.md, "Deliberate differences"). */
const DELIBERATE = {
  'Fail early when passing a non valid -kubernetes-version':
    'chartctl accepts X.Y (environment files say "1.33") and reads it as vX.Y.0; kubeconform requires X.Y.Z',
  'Fail when using HTTPS_PROXY with a failing proxy':
    'the default location is a local stand-in here, so no proxy is involved; chartctl does not read HTTPS_PROXY',
};

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
  writeFileSync(join(work, 'fixtures', 'valid_large.yaml'), Array.from({ length: 10_000 }, () => valid.trimEnd()).join('\n---\n') + '\n');
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
    const { exit, stderr } = await runCli(run, work);
    const agree = (exit === 0) === (row.expected === 0);
    return { row, status: agree ? 'agree' : DELIBERATE[row.name] ? 'deliberate' : 'disagree', exit, args: run.args, stderr };
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
    console.log(`${label} ${r.row.name}: kubeconform exit ${r.row.expected}, chartctl exit ${r.exit}${r.status === 'deliberate' ? ` — deliberate: ${DELIBERATE[r.row.name]}` : ''}`);
    if (r.status === 'disagree') console.log(`          chartctl validate ${r.args.join(' ')}\n          ${r.stderr.trim().split('\n').slice(0, 3).join('\n          ')}`);
  }
  const deliberate = results.filter((r) => r.status === 'deliberate').length;
  const disagree = results.filter((r) => r.status === 'disagree').length;
  console.log(`agreement: ${agree}/${compared} (deliberate differences: ${deliberate}, unexpected: ${disagree}, network cases skipped: ${results.length - compared})`);
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
  const words = shellWords(command);
  words.shift(); // bin/kubeconform
  const args = [];
  const valueFlags = { '-kubernetes-version': '--kube-version', '-schema-location': '--schema-location', '-skip': '--skip', '-reject': '--reject', '-output': '--output', '-cache': '--cache', '-ignore-filename-pattern': '--ignore-filename-pattern', '--ignore-filename-pattern': '--ignore-filename-pattern', '-n': null };
  const boolFlags = { '-summary': '--summary', '-strict': '--strict', '-ignore-missing-schemas': '--ignore-missing-schemas', '-verbose': null, '-debug': null, '-h': '--help', '-insecure-skip-tls-verify': '--insecure-skip-tls-verify' };
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w in valueFlags) {
      const value = words[++i];
      if (valueFlags[w]) args.push(valueFlags[w], value);
    } else if (w in boolFlags) {
      if (boolFlags[w]) args.push(boolFlags[w]);
    } else if (w === '-') {
      args.push('-f', '-');
    } else if (w.startsWith('-')) {
      args.push(`-${w}`); // an unknown flag stays unknown
    } else {
      args.push('-f', w);
    }
  }
  if (row.source === 'no-network') {
    // The real default location, reachable only through the cache: never the network, whatever this machine has.
    delete env.CHARTCTL_SCHEMA_BASE_URL;
    args.push('--offline');
  }
  return { args, env, stdinFile };
}

function runCli({ args, env, stdinFile }, work) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--cwd', work, 'validate', ...args], {
      env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: mkdtempSync(join(work, 'xdg-')), ...env },
      stdio: [stdinFile ? 'pipe' : 'ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    if (stdinFile) child.stdin.end(readFileSync(stdinFile));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exit: code ?? -1, stderr });
    });
  });
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
