import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ChartctlError, ExitCode } from '../core/errors.js';
import { ENVIRONMENT_NAME, parseEnvironment } from '../core/environment-file.js';
import type { Environment } from '../core/environment.js';
import { MAX_CONFIG_FILE_BYTES, readUserText } from './user-files.js';
import type { Discovery } from './app-repo-discovery.js';

/** The application repository on disk: a directory holding `environments/`. */
export interface EnvironmentOverrides {
  /** --kube-context: replaces every loaded environment's kubeContext. */
  kubeContext?: string;
  /** helm's -n/--namespace given to chartctl: refused, naming where the namespace comes from. */
  namespaceFlag?: string;
}

export class AppRepo {
  readonly here: string;
  private readonly discovery: Pick<Discovery, 'searched' | 'foreign'>;
  private readonly overrides: EnvironmentOverrides;

  /**
   * `here`: where chartctl was run (the directory --cwd names, else the current directory), which
   * may be a subdirectory of `root`; `discovery`: where app-repo-discovery.ts looked, named when
   * no environments/ was found; `overrides`: flags that replace what environment files say.
   */
  constructor(
    readonly root: string,
    options: { here?: string; discovery?: Pick<Discovery, 'searched' | 'foreign'>; overrides?: EnvironmentOverrides } = {},
  ) {
    this.here = options.here ?? root;
    this.discovery = options.discovery ?? { searched: [this.here] };
    this.overrides = options.overrides ?? {};
  }

  get environmentsDir(): string {
    return join(this.root, 'environments');
  }

  /** Absolute path of a repository-relative path. */
  path(relativePath: string): string {
    return join(this.root, relativePath);
  }

  /**
   * Absolute path of a path typed on the command line: relative to where chartctl was run, as
   * git's are, so `chartctl secrets edit dev.yaml` in environments/secrets/ means that file.
   * Paths in environment files stay relative to the repository root (`path`).
   */
  userPath(typed: string): string {
    return resolve(this.here, typed);
  }

  /** Repository-relative form of an absolute path, for messages. */
  display(absolutePath: string): string {
    const rel = relative(this.root, absolutePath);
    return rel && !rel.startsWith('..') ? rel : absolutePath;
  }

  async environmentNames(): Promise<string[]> {
    if (!existsSync(this.environmentsDir) || !statSync(this.environmentsDir).isDirectory()) {
      const { searched, foreign } = this.discovery;
      if (foreign) {
        throw new ChartctlError(`${searched[0]} is not in a chartctl application repository of yours: ${join(foreign.dir, 'environments')} belongs to another user (uid ${foreign.uid}), so it was not used.`, {
          code: 'NO_ENVIRONMENTS_DIR',
          hint: `To work on it anyway, name it: chartctl --cwd ${foreign.dir} ... ; otherwise run chartctl inside your own repository.`,
        });
      }
      const where = searched.length > 1 ? `none of ${searched.join(', ')} has an environments/ directory` : 'it has no environments/ directory';
      throw new ChartctlError(`${searched[0]} is not in a chartctl application repository: ${where}.`, {
        code: 'NO_ENVIRONMENTS_DIR',
        hint: 'Run chartctl inside the repository (any subdirectory of the one holding environments/), or point at it with --cwd DIR.',
      });
    }
    const files = readdirSync(this.environmentsDir, { withFileTypes: true });
    return files
      .filter((f) => f.isFile() && /\.ya?ml$/.test(f.name))
      .map((f) => f.name.replace(/\.ya?ml$/, ''))
      .filter((n) => ENVIRONMENT_NAME.test(n))
      .sort();
  }

  async loadEnvironment(name: string): Promise<Environment> {
    const known = await this.environmentNames();
    if (!known.includes(name)) {
      throw new ChartctlError(`Unknown environment "${name}". Known environments: ${known.join(', ') || '(none)'}.`, {
        code: 'ENV_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: `Create environments/${name}.yaml, or use one of the names above.`,
      });
    }
    const candidates = [`${name}.yaml`, `${name}.yml`].map((f) => join(this.environmentsDir, f));
    const file = candidates.find((f) => existsSync(f))!;
    const text = await readUserText(file, { shown: this.display(file), what: 'environment file', maxBytes: MAX_CONFIG_FILE_BYTES, hint: `Check ${this.display(file)}.` });
    const env = parseEnvironment(name, this.display(file), text);
    if (this.overrides.namespaceFlag !== undefined) {
      throw new ChartctlError(`-n/--namespace "${this.overrides.namespaceFlag}": the namespace comes from the environment file (${env.file}: namespace: ${env.namespace}).`, {
        code: 'NAMESPACE_FROM_ENVIRONMENT',
        hint: `Drop -n; to deploy elsewhere, change "namespace:" in ${env.file} or add an environment.`,
      });
    }
    return this.overrides.kubeContext ? { ...env, kubeContext: this.overrides.kubeContext } : env;
  }

  /**
   * The same repository with each environment file read and checked once, however often it is
   * asked for, and the files they share read once too (sharedRead): for one command over many
   * environments (diff --all reads every environment for each one diffed, lint and diff --all the
   * same Chart.yaml and values files for each). Edits made to those files meanwhile are not seen.
   */
  environmentsReadOnce(): AppRepo {
    return new EnvironmentsReadOnce(this.root, { here: this.here, discovery: this.discovery, overrides: this.overrides });
  }

  /**
   * What `read` gives for `key` (a file the environments share: a Chart.yaml, a values file, parsed):
   * read afresh each time here, once per run in a repository whose environments are read once.
   * The result is shared, so it is never changed in place.
   */
  sharedRead<T>(_key: string, read: () => Promise<T>): Promise<T> {
    return read();
  }

  /** The named environments, or all of them when none is named; each must exist. */
  async loadEnvironments(names: string[]): Promise<Environment[]> {
    const wanted = names.length > 0 ? names : await this.environmentNames();
    if (wanted.length === 0) {
      throw new ChartctlError(`No environment files in ${this.display(this.environmentsDir)}/.`, {
        code: 'ENV_NOT_FOUND',
        exitCode: ExitCode.noMatch,
        hint: 'Add environments/<name>.yaml (see "Environment file reference" in the README).',
      });
    }
    return Promise.all(wanted.map((n) => this.loadEnvironment(n)));
  }
}

class EnvironmentsReadOnce extends AppRepo {
  private names?: Promise<string[]>;
  private readonly loaded = new Map<string, Promise<Environment>>();

  override environmentNames(): Promise<string[]> {
    this.names ??= super.environmentNames();
    return this.names;
  }

  override loadEnvironment(name: string): Promise<Environment> {
    let env = this.loaded.get(name);
    if (!env) {
      env = super.loadEnvironment(name);
      this.loaded.set(name, env);
    }
    return env;
  }

  override environmentsReadOnce(): AppRepo {
    return this;
  }

  private readonly shared = new Map<string, Promise<unknown>>();

  /** A failed read is not kept: each caller then reads for itself, and its error names its own environment. */
  override sharedRead<T>(key: string, read: () => Promise<T>): Promise<T> {
    const kept = this.shared.get(key) as Promise<T> | undefined;
    if (kept) return kept.catch(() => read());
    const pending = read();
    this.shared.set(key, pending);
    pending.catch(() => this.shared.delete(key));
    return pending;
  }
}
