import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './project.js';

/** The DEMO age identity of the example application (published on purpose; never for real secrets). */
export const demoAgeKeyFile = join(projectRoot, 'examples', 'demo-age-key.txt');

/**
 * A private HOME, XDG_CONFIG_HOME and TMPDIR for CLI runs, so tests never
 * read the developer's own age keys and can check that no temp file is left.
 */
export function isolatedSecretsEnv(): { dir: string; tmp: string; env: Record<string, string>; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-secrets-test-'));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  mkdirSync(join(dir, 'home'));
  return {
    dir,
    tmp,
    env: { HOME: join(dir, 'home'), XDG_CONFIG_HOME: join(dir, 'home', '.config'), TMPDIR: tmp, SOPS_AGE_KEY_FILE: demoAgeKeyFile },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A scriptable $EDITOR (run with this node binary). EDIT_MODE: replace (write
 * EDIT_CONTENT), sed (EDIT_FROM -> EDIT_TO), noop, fail (exit 3), hang (sleep).
 * It records the file it was given, with the file and directory modes, in EDIT_MARKER.
 */
export function fakeEditor(dir: string): string {
  const script = join(dir, 'fake-editor.mjs');
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
const file = process.argv[2];
if (process.env.EDIT_MARKER) {
  writeFileSync(process.env.EDIT_MARKER, JSON.stringify({ file, mode: statSync(file).mode & 0o777, dirMode: statSync(dirname(file)).mode & 0o777, content: readFileSync(file, 'utf8') }));
}
switch (process.env.EDIT_MODE) {
  case 'replace': writeFileSync(file, process.env.EDIT_CONTENT); break;
  case 'sed': writeFileSync(file, readFileSync(file, 'utf8').split(process.env.EDIT_FROM).join(process.env.EDIT_TO)); break;
  case 'fail': process.exit(3);
  case 'hang': setInterval(() => {}, 1000); break;
  default: break;
}
`,
  );
  return `"${process.execPath}" "${script}"`;
}

/** Every regular file under `dir` (dot-directories included) whose content contains `needle`. */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && statSync(path).size < 5_000_000 && readFileSync(path).includes(needle)) hits.push(path);
    }
  };
  walk(dir);
  return hits;
}

/** Paths left under a directory (to check temp dirs are cleaned up). */
export function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}
