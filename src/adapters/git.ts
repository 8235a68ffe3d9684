import { runProcess } from './process-runner.js';
import { ChartctlError } from '../core/errors.js';

/** Where a chart's sources come from, as recorded in its provenance annotations. */
export interface SourceRevision {
  /** The last commit that touched the chart's files (so unrelated commits give the same bytes). */
  commit: string;
  /** Uncommitted changes under the paths. */
  dirty: boolean;
  /** The paths with uncommitted changes (relative to the repository's top), as `git status` names them. */
  dirtyFiles: string[];
  /** Commits touching those paths: grows on a branch, used as the prerelease counter. */
  commitCount: number;
}

export interface Git {
  /** undefined outside a git work tree or without git. */
  revision(cwd: string, paths: string[]): Promise<SourceRevision | undefined>;
  /** `user.name <user.email>` from git config, for provenance "actor". */
  actor(cwd: string): Promise<string | undefined>;
  /** Commits exactly these files (other staged changes are left alone); returns the new commit id. */
  commit(cwd: string, files: string[], message: string): Promise<string>;
}

export class GitCli implements Git {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  private async git(cwd: string, args: string[]): Promise<string | undefined> {
    const result = await runProcess('git', args, { cwd, env: { ...this.env, GIT_OPTIONAL_LOCKS: '0' }, timeoutMs: 30_000 });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  async revision(cwd: string, paths: string[]): Promise<SourceRevision | undefined> {
    // Two git calls in parallel (this runs on every package): commits touching the paths, newest first, and the status.
    const [history, status] = await Promise.all([
      this.git(cwd, ['rev-list', 'HEAD', '--', ...paths]),
      this.git(cwd, ['status', '--porcelain', '--untracked-files=normal', '--', ...paths]),
    ]);
    if (!history) return undefined; // not a work tree, no commits, or no git
    const commits = history.split('\n').filter(Boolean);
    // Porcelain lines are "XY path" (or "XY from -> to" for a rename), the path from the top of the work tree.
    let dirtyFiles = (status ?? '').split('\n').filter(Boolean).map((line) => line.replace(/^.{1,2} /, '').split(' -> ').at(-1)!.replace(/^"|"$/g, ''));
    if (dirtyFiles.length > 0) {
      const prefix = (await this.git(cwd, ['rev-parse', '--show-prefix'])) ?? '';
      dirtyFiles = dirtyFiles.map((f) => (prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f));
    }
    return { commit: commits[0]!, dirty: dirtyFiles.length > 0, dirtyFiles, commitCount: commits.length };
  }

  async commit(cwd: string, files: string[], message: string): Promise<string> {
    const result = await runProcess('git', ['commit', '--quiet', '--only', '-m', message, '--', ...files], { cwd, env: this.env, timeoutMs: 60_000 });
    if (result.exitCode !== 0) {
      throw new ChartctlError(`git commit failed: ${(result.stderr || result.stdout).trim().split('\n')[0] ?? 'unknown error'}`, {
        code: 'GIT_COMMIT_FAILED',
        hint: 'The files were edited but not committed; check `git status`, configure user.name/user.email if git asks, and commit them yourself.',
      });
    }
    return (await this.git(cwd, ['rev-parse', 'HEAD'])) ?? '';
  }

  async actor(cwd: string): Promise<string | undefined> {
    // One process for both keys (a git start costs as much as a registry round trip); the last value of a key wins, as in git.
    const lines = (await this.git(cwd, ['config', '--get-regexp', '^user\\.(name|email)$'])) ?? '';
    const values = new Map([...lines.matchAll(/^(\S+) ?(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    const name = values.get('user.name');
    const email = values.get('user.email');
    if (!name && !email) return undefined;
    return [name, email ? `<${email}>` : ''].filter(Boolean).join(' ');
  }
}
