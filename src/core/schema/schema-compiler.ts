import type { Ajv, ErrorObject, Options } from 'ajv';
import { ajvClassFor, type AjvConstructor } from './ajv-classes.js';
import { SchemaInterpreter } from './schema-interpreter.js';

/** A schema ready to compile: its root, plus the documents its `$ref`s point into (registered under their ids). */
export interface CompilableSchema {
  /** Digest-based identity: same key, same compiled code. */
  key: string;
  root: () => object;
  documents: () => { id: string; schema: object }[];
}

/** Where compiled validators are kept between runs (ajv standalone code), keyed by CompilableSchema.key. */
export interface CompiledCodeStore {
  get(key: string): string | undefined;
  put(key: string, code: string): void;
  /** `require` for the ajv runtime helpers that generated code imports. */
  runtimeRequire: (id: string) => unknown;
}

export interface CompiledValidator {
  /** Fast check, compiled to stop at the first error. */
  isValid(data: unknown): boolean;
  /** Every error with its schema context (compiled on first use: only invalid resources need it). */
  errors(data: unknown): ErrorObject[];
}

export interface CompilerStats {
  compiled: number;
  loadedFromStore: number;
  /** Kinds checked by walking the schema (too few resources to be worth compiling). */
  interpreted: number;
  compileMs: number;
}

/**
 * Below this many resources of a kind, walking the schema is cheaper than compiling it. Measured (#20,
 * process CPU): compiling a Kubernetes kind and storing its code costs ~25 ms, and saves ~3 us per
 * resource only on later runs that load the stored code; walking 6,000 resources of 8 kinds cold took
 * ~570 ms against ~730 ms compiled, and ~595 ms against ~570 ms warm. 2,000 keeps the warm loss
 * at most ~6 ms a kind.
 */
export const COMPILE_THRESHOLD = 2000;

type ValidateFn = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

const BASE_OPTIONS: Options = {
  strict: false,
  validateSchema: false,
  validateFormats: false,
  unicodeRegExp: false,
  addUsedSchema: false,
};

/**
 * Compiles each schema once per run, and once across runs when a store is
 * given: the fast validator's standalone code is saved, and loading it next
 * time costs a function parse instead of ajv's code generation.
 */
export class SchemaCompiler {
  readonly stats: CompilerStats = { compiled: 0, loadedFromStore: 0, interpreted: 0, compileMs: 0 };
  private readonly interpreter = new SchemaInterpreter([]);
  private readonly supported = new Map<string, boolean>();
  private readonly roots = new Map<string, object>();
  private readonly validators = new Map<string, CompiledValidator>();
  private ajvConstructor: AjvConstructor | undefined;
  private standalone: ((ajv: Ajv, fn: unknown) => string) | undefined;
  private fastAjv: Ajv | undefined;
  private detailedAjv: Ajv | undefined;
  private readonly registered = { fast: new Set<string>(), detailed: new Set<string>() };

  constructor(private readonly store?: CompiledCodeStore) {}

  /** Loads ajv when something must be compiled (a warm run never imports it). */
  async prepare(): Promise<void> {
    this.ajvConstructor ??= await ajvClassFor();
    if (this.store && !this.standalone) {
      const mod = (await import('ajv/dist/standalone/index.js')) as unknown as { default: (ajv: Ajv, fn: unknown) => string };
      this.standalone = mod.default;
    }
  }

  /**
   * The validator for a schema: compiled code from the store, else a walk of
   * the schema when `uses` (resources of the kind in this run) is small, else
   * freshly compiled (and stored).
   */
  get(schema: CompilableSchema, uses = Infinity): CompiledValidator {
    let v = this.validators.get(schema.key);
    if (!v) {
      v = this.build(schema, uses);
      this.validators.set(schema.key, v);
    }
    return v;
  }

  /** Whether `get` would need ajv (not compiled this run, not in the store, and not walkable). */
  needsCompiler(schema: CompilableSchema, uses = Infinity): boolean {
    if (this.validators.has(schema.key) || this.store?.get(schema.key)) return false;
    return !((uses < COMPILE_THRESHOLD || this.mustWalk(schema)) && this.walkable(schema));
  }

  /** A schema with a check only the walker makes (formats.ts, REGEX_FORMAT_KEYWORD) is walked whatever the count. */
  private mustWalk(schema: CompilableSchema): boolean {
    return this.walkable(schema) && this.interpreter.requiresWalking(this.rootOf(schema));
  }

  private walkable(schema: CompilableSchema): boolean {
    let ok = this.supported.get(schema.key);
    if (ok === undefined) {
      this.interpreter.add(schema.documents());
      ok = this.interpreter.supports(this.rootOf(schema));
      this.supported.set(schema.key, ok);
    }
    return ok;
  }

  private rootOf(schema: CompilableSchema): object {
    let root = this.roots.get(schema.key);
    if (!root) {
      root = schema.root();
      this.roots.set(schema.key, root);
    }
    return root;
  }

  private build(schema: CompilableSchema, uses: number): CompiledValidator {
    const stored = this.loadStored(schema.key);
    if (!stored && (uses < COMPILE_THRESHOLD || this.mustWalk(schema)) && this.walkable(schema)) {
      this.stats.interpreted++;
      const root = this.rootOf(schema);
      return { isValid: (data) => this.interpreter.errors(root, data).length === 0, errors: (data) => this.interpreter.errors(root, data) };
    }
    const fast = stored ?? this.compileFast(schema);
    let detailed: ValidateFn | undefined;
    return {
      isValid: (data) => fast(data),
      errors: (data) => {
        if (this.walkable(schema)) return this.interpreter.errors(this.rootOf(schema), data);
        detailed ??= this.compileWith('detailed', schema);
        return detailed(data) ? [] : [...(detailed.errors ?? [])];
      },
    };
  }

  private loadStored(key: string): ValidateFn | undefined {
    const code = this.store?.get(key);
    if (!code) return undefined;
    try {
      const module = { exports: {} as unknown };
      new Function('require', 'module', 'exports', code)(this.store!.runtimeRequire, module, module.exports);
      const fn = module.exports as ValidateFn;
      if (typeof fn !== 'function') return undefined;
      this.stats.loadedFromStore++;
      return fn;
    } catch {
      // A damaged entry is as good as none: compile again and overwrite it.
      return undefined;
    }
  }

  private compileFast(schema: CompilableSchema): ValidateFn {
    const fn = this.compileWith('fast', schema);
    if (this.store) {
      try {
        this.store.put(schema.key, this.standalone!(this.fastAjv!, fn));
      } catch {
        // Saving is an optimisation only.
      }
    }
    return fn;
  }

  private compileWith(mode: 'fast' | 'detailed', schema: CompilableSchema): ValidateFn {
    if (!this.ajvConstructor) throw new Error('SchemaCompiler.prepare() must run before compiling');
    const started = performance.now();
    const ajv = mode === 'fast' ? (this.fastAjv ??= this.newAjv(mode)) : (this.detailedAjv ??= this.newAjv(mode));
    for (const doc of schema.documents()) {
      if (this.registered[mode].has(doc.id)) continue;
      ajv.addSchema(doc.schema, doc.id);
      this.registered[mode].add(doc.id);
    }
    const fn = ajv.compile(schema.root()) as ValidateFn;
    if (mode === 'fast') {
      this.stats.compiled++;
      this.stats.compileMs += performance.now() - started;
    }
    return fn;
  }

  private newAjv(mode: 'fast' | 'detailed'): Ajv {
    // The fast validator only answers valid or not (findings come from the walker or the
    // detailed one), so it needs no error messages; and its code-optimising pass cost more
    // CPU in a cold `validate -f` of 6,000 resources than it saved (bench:validate, #20).
    const fast = mode === 'fast';
    return new this.ajvConstructor!({
      ...BASE_OPTIONS,
      allErrors: !fast,
      verbose: !fast,
      messages: !fast,
      code: { source: fast && this.store !== undefined, optimize: fast ? 0 : 1 },
    });
  }
}

