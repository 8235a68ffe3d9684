import { openPrivateOutputDir, type PrivateOutputDir } from '../adapters/private-output.js';
import { maskSecretsInStream, mayHoldSecret, parseManifestStream, type ManifestDocument } from '../core/manifests.js';
import type { Deps } from './deps.js';
import { renderEnvironment } from './steps/render.js';
import type { CommandLineValues } from './steps/values.js';

export interface TemplateOptions {
  env: string;
  /** -f/--values, --set*, and the arguments after `--`. */
  values?: CommandLineValues;
  /** helm template's --show-only: only these templates (paths inside the chart, e.g. templates/x.yaml). */
  showOnly?: string[];
  /** Write one file per resource here instead of returning the stream. */
  outputDir?: string;
  /** Print Secret values instead of `***`. */
  showSecrets?: boolean;
}

export interface TemplateResult {
  env: string;
  release: string;
  namespace: string;
  documents: number;
  /** The rendered stream (Secret values masked unless showSecrets). */
  manifest: string;
  /** Files written with outputDir, repository-relative where possible. */
  files: string[];
}

export async function template(deps: Deps, options: TemplateOptions): Promise<TemplateResult> {
  const env = await deps.repo.loadEnvironment(options.env);
  // Checked before rendering: a refused directory means nothing was decrypted.
  const outputDir = options.outputDir
    ? await openPrivateOutputDir({
        dir: deps.repo.userPath(options.outputDir),
        shown: options.outputDir,
        flag: '--output-dir',
        repositoryRoot: deps.repo.root,
        holds: options.showSecrets ? `the unmasked secrets of ${env.name}` : undefined,
      })
    : undefined;
  const showOnlyArgs = (options.showOnly ?? []).flatMap((t) => ['--show-only', t]);
  const rendered = await renderEnvironment(deps, env, { ...options.values, helmArgs: [...showOnlyArgs, ...(options.values?.helmArgs ?? [])] });
  // Printing needs only the Secrets parsed (to mask them): the other documents go out as helm wrote them.
  const docs = parseManifestStream(rendered.manifest, outputDir ? {} : { parseWhen: mayHoldSecret });
  // Re-serialising is only needed when there is a Secret to mask; other output stays byte for byte helm's.
  const hasSecrets = docs.some((d) => d.object?.kind === 'Secret');
  const manifest = options.showSecrets || !hasSecrets ? rendered.manifest : maskSecretsInStream(docs);
  const files = outputDir ? await writePerResource(outputDir, options.showSecrets ? docs : parseManifestStream(manifest)) : [];
  return {
    env: env.name,
    release: env.release,
    namespace: env.namespace,
    documents: docs.length,
    manifest,
    files: files.map((f) => deps.repo.display(f)),
  };
}

/** One file per resource, named `<kind>-<name>.yaml`; each written to a temp name first so a failure leaves no half file. */
async function writePerResource(dir: PrivateOutputDir, docs: ManifestDocument[]): Promise<string[]> {
  const used = new Set<string>();
  const files: { name: string; text: string }[] = [];
  for (const doc of docs) {
    const kind = doc.object?.kind?.toLowerCase();
    const name = doc.object?.metadata?.name;
    let base = kind && name ? `${kind}-${name}` : `document-${doc.index}`;
    base = base.replace(/[^a-z0-9._-]/gi, '_');
    let file = `${base}.yaml`;
    for (let n = 2; used.has(file); n++) file = `${base}-${n}.yaml`;
    used.add(file);
    files.push({ name: file, text: `${doc.text.trim()}\n` });
  }
  return dir.writeAll(files);
}
