import { runProcess } from './process-runner.js';
import { ChartctlError } from '../core/errors.js';

/** The state of the work tree under some paths, as recorded in a package's provenance annotations. */
export interface SourceRevision {
  /** The last commit that touched the paths (so commits that change nothing there give the same bytes). */
  commit: string;
  /** Uncommitted changes under the paths. */
  dirty: boolean;
  /** The paths with uncommitted changes (relative to the repository's top), as `git status` names them. */
  dirtyFiles: string[];
}

/** The commits that touched some paths: what a prerelease's build number and `+g<commit>` come from. */
export interface SourceHistory {
  /** The newest of them. */
  commit: string;
  /** How many: grows on a branch, used as the prerelease counter. */
  commitCount: number;
}

export interface Git {
  /** undefined outside a git work tree or without git. */
  revision(cwd: string, paths: string[]): Promise<SourceRevision | undefined>;
  /** undefined outside a git work tree or without git. Walks the whole history of the paths: only for a prerelease. */
  history(cwd: string, paths: string[]): Promise<SourceHistory | undefined>;
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
    // Two git processes at once (this runs on every package): the newest commit touching the paths (-n 1 stops
    // there instead of walking the whole history) and the status.
    const [commit, status] = await Promise.all([
      this.git(cwd, ['rev-list', '-n', '1', 'HEAD', '--', ...paths]),
      this.git(cwd, ['status', '--porcelain', '--untracked-files=normal', '--', ...paths]),
    ]);
    if (!commit) return undefined; // not a work tree, no commits, or no git
    // Porcelain lines are "XY path" (or "XY from -> to" for a rename), the path from the top of the work tree.
    let dirtyFiles = (status ?? '').split('\n').filter(Boolean).map((line) => line.replace(/^.{1,2} /, '').split(' -> ').at(-1)!.replace(/^"|"$/g, ''));
    if (dirtyFiles.length > 0) {
      const prefix = (await this.git(cwd, ['rev-parse', '--show-prefix'])) ?? '';
      dirtyFiles = dirtyFiles.map((f) => (prefix && f.startsWith(prefix) ? f.slice(prefix.length) : f));
    }
    return { commit, dirty: dirtyFiles.length > 0, dirtyFiles };
  }

  async history(cwd: string, paths: string[]): Promise<SourceHistory | undefined> {
    const commits = ((await this.git(cwd, ['rev-list', 'HEAD', '--', ...paths])) ?? '').split('\n').filter(Boolean);
    return commits.length > 0 ? { commit: commits[0]!, commitCount: commits.length } : undefined;
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
