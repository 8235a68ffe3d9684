import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { CompiledCodeStore } from '../../core/schema/schema-compiler.js';

const HEADER = '// chartctl compiled validator';

/**
 * Keeps ajv standalone code on disk so a later run loads validators instead of
 * compiling them. Files carry a checksum line, so a truncated or edited file is
 * recompiled rather than run; the directory is private (0700) and skipped if
 * others can write to it.
 */
export class CompiledValidatorStore implements CompiledCodeStore {
  readonly runtimeRequire = ajvRuntime;
  private usable: boolean | undefined;

  constructor(private readonly dir: string) {}

  get(key: string): string | undefined {
    if (!this.isUsable()) return undefined;
    let text: string;
    try {
      text = readFileSync(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    const newline = text.indexOf('\n');
    const header = text.slice(0, newline);
    const code = text.slice(newline + 1);
    return header === `${HEADER} ${digest(code)}` ? code : undefined;
  }

  put(key: string, code: string): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const file = this.file(key);
      const tmp = `${file}.${process.pid}.partial`;
      writeFileSync(tmp, `${HEADER} ${digest(code)}\n${code}`, { mode: 0o600 });
      renameSync(tmp, file);
      this.usable = undefined;
    } catch {
      // A read-only home only costs the next run a compile.
    }
  }

  private file(key: string): string {
    return join(this.dir, `${key}.cjs`);
  }

  private isUsable(): boolean {
    if (this.usable === undefined) {
      try {
        const st = statSync(this.dir);
        const ownedByUs = typeof process.getuid !== 'function' || st.uid === process.getuid();
        this.usable = st.isDirectory() && ownedByUs && (st.mode & 0o022) === 0;
      } catch {
        this.usable = false;
      }
    }
    return this.usable;
  }
}

/**
 * The ajv helpers standalone code requires, each named literally so the bundle carries them
 * (scripts/bundle.mjs): an installed chartctl has no node_modules to look them up in.
 */
function ajvRuntime(id: string): unknown {
  switch (id) {
    case 'ajv/dist/runtime/equal':
      return createRequire(import.meta.url)('ajv/dist/runtime/equal');
    case 'ajv/dist/runtime/ucs2length':
      return createRequire(import.meta.url)('ajv/dist/runtime/ucs2length');
    case 'ajv/dist/runtime/uri':
      return createRequire(import.meta.url)('ajv/dist/runtime/uri');
    case 'ajv/dist/runtime/validation_error':
      return createRequire(import.meta.url)('ajv/dist/runtime/validation_error');
    case 'ajv/dist/runtime/timestamp':
      return createRequire(import.meta.url)('ajv/dist/runtime/timestamp');
    case 'ajv/dist/runtime/parseJson':
      return createRequire(import.meta.url)('ajv/dist/runtime/parseJson');
    case 'ajv/dist/runtime/quote':
      return createRequire(import.meta.url)('ajv/dist/runtime/quote');
    default:
      // Code compiled with helpers not listed above is refused; the compiler then compiles afresh.
      throw new Error(`ajv standalone code requires ${id}, which chartctl does not provide`);
  }
}

function digest(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
