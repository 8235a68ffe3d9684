import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join, resolve, relative } from 'node:path';
import { ChartctlError } from '../core/errors.js';
import { maskSecretsInStream, parseManifestStream, type ManifestDocument } from '../core/manifests.js';
import type { Deps } from './deps.js';
import { renderEnvironment } from './steps/render.js';

export interface TemplateOptions {
  env: string;
  set?: string[];
  valuesFiles?: string[];
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
  const outputDir = options.outputDir ? resolve(deps.repo.root, options.outputDir) : undefined;
  const rendered = await renderEnvironment(deps, env, { set: options.set, valuesFiles: options.valuesFiles });
  const docs = parseManifestStream(rendered.manifest);
  const hasSecretValues = env.secrets.length > 0;
  if (outputDir && options.showSecrets && hasSecretValues && !relative(deps.repo.root, outputDir).startsWith('..')) {
    throw new ChartctlError(`Refusing to write decrypted secrets of ${env.name} into the repository (${deps.repo.display(outputDir)}).`, {
      code: 'SECRETS_IN_REPO',
      hint: 'Choose an --output-dir outside the repository, or drop --show-secrets.',
    });
  }
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

/** One file per resource, named `<kind>-<name>.yaml`; written to a temp name first so a failure leaves no half file. */
async function writePerResource(dir: string, docs: ManifestDocument[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const used = new Set<string>();
  const written: string[] = [];
  for (const doc of docs) {
    const kind = doc.object?.kind?.toLowerCase();
    const name = doc.object?.metadata?.name;
    let base = kind && name ? `${kind}-${name}` : `document-${doc.index}`;
    base = base.replace(/[^a-z0-9._-]/gi, '_');
    let file = `${base}.yaml`;
    for (let n = 2; used.has(file); n++) file = `${base}-${n}.yaml`;
    used.add(file);
    const path = join(dir, file);
    await writeFile(`${path}.partial`, `${doc.text.trim()}\n`);
    await rename(`${path}.partial`, path);
    written.push(path);
  }
  return written;
}
