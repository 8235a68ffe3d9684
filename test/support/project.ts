import { cpSync, mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** The chartctl checkout (tests are compiled to dist/test/...). */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cliPath = join(projectRoot, 'bin', 'chartctl.js');

/** Real helm binaries extracted by scripts/install-helm.mjs; tests run against both majors. */
export const helmBinaries = {
  helm4: join(projectRoot, '.tools', 'helm4', 'helm'),
  helm3: join(projectRoot, '.tools', 'helm3', 'helm'),
} as const;

/** `../shared/corpus` when present; tests that need it must skip visibly otherwise. */
export const sharedCorpus = join(projectRoot, '..', 'shared', 'corpus');
export const hasSharedCorpus = existsSync(sharedCorpus);
export const SHARED_SKIP_REASON = `../shared/corpus is absent (${sharedCorpus}); this check needs the shared reference corpus`;

/** A private copy of the example application (charts/, environments/, .sops.yaml) in a temp dir. */
export function copyExampleApp(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'chartctl-app-'));
  for (const entry of ['charts', 'environments', '.sops.yaml', 'examples']) {
    const from = join(projectRoot, entry);
    if (existsSync(from)) {
      cpSync(from, join(dir, entry), {
        recursive: true,
        filter: (src) => !/\/charts\/[^/]+\/charts\/[^/]+\.tgz$/.test(src),
      });
    }
  }
  // What this repository's own .gitignore says of the application's files (and what chartctl init writes):
  // dependency archives that helm dependency build derives, and chartctl's scratch.
  writeFileSync(join(dir, '.gitignore'), 'charts/*/charts/*.tgz\n.chartctl/\n');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a subprocess, like a user or a CI job would. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  // The example app's secrets are encrypted to the demo age key (examples/demo-age-key.txt).
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', SOPS_AGE_KEY_FILE: join(projectRoot, 'examples', 'demo-age-key.txt'), ...options.env };
  const result = await execa(process.execPath, [cliPath, ...args], {
    cwd: options.cwd ?? projectRoot,
    env,
    extendEnv: false,
    input: options.input ?? '',
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}
