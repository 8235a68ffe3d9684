import { readdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ChartctlError, ExitCode } from '../core/errors.js';
import { ENVIRONMENT_NAME, parseEnvironment } from '../core/environment-file.js';
import type { Environment } from '../core/environment.js';
import { MAX_CONFIG_FILE_BYTES, readUserText } from './user-files.js';

/** The application repository on disk: a directory holding `environments/`. */
export interface EnvironmentOverrides {
  /** --kube-context: replaces every loaded environment's kubeContext. */
  kubeContext?: string;
  /** helm's -n/--namespace given to chartctl: refused, naming where the namespace comes from. */
  namespaceFlag?: string;
}

export class AppRepo {
  constructor(
    readonly root: string,
    private readonly overrides: EnvironmentOverrides = {},
  ) {}

  get environmentsDir(): string {
    return join(this.root, 'environments');
  }

  /** Absolute path of a repository-relative path. */
  path(relativePath: string): string {
    return join(this.root, relativePath);
  }

  /** Repository-relative form of an absolute path, for messages. */
  display(absolutePath: string): string {
    const rel = relative(this.root, absolutePath);
    return rel && !rel.startsWith('..') ? rel : absolutePath;
  }

  async environmentNames(): Promise<string[]> {
    if (!existsSync(this.environmentsDir) || !statSync(this.environmentsDir).isDirectory()) {
      throw new ChartctlError(`${this.root} is not a chartctl application repository: it has no environments/ directory.`, {
        code: 'NO_ENVIRONMENTS_DIR',
        hint: 'Run chartctl from the repository root, or point at it with --cwd DIR.',
      });
    }
    const files = await readdir(this.environmentsDir, { withFileTypes: true });
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
