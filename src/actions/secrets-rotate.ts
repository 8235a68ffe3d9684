import { newDataKey, specsOf, wrapDataKey } from '../core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION } from '../core/sops/metadata.js';
import { openSopsText, sealSopsText } from '../core/sops/sops-file.js';
import type { FileFormat } from '../core/sops/types.js';
import type { Deps } from './deps.js';
import { recipientsOf } from './secrets-encrypt.js';
import { readSopsFile, replaceFile, sopsFileRef } from './steps/sops-file-io.js';

export interface SecretsRotateOptions {
  file: string;
  format?: FileFormat;
}

export interface SecretsRotateResult {
  file: string;
  recipients: string[];
}

/** Re-encrypts every value under a new data key, wrapped for the same recipients (sops --rotate). */
export async function secretsRotate(deps: Deps, options: SecretsRotateOptions): Promise<SecretsRotateResult> {
  const ref = sopsFileRef(deps, options.file);
  const { text, format } = await readSopsFile(ref, options.format);
  const opened = await openSopsText(text, { file: ref.shown, format }, (key) => deps.secrets.keys.unwrap(key));
  for (const secret of opened.secrets) deps.masker.add(secret);
  const specs = specsOf(opened.metadata, ref.shown);
  deps.reporter.progress(`Rotating the data key of ${ref.shown}`);
  const now = deps.now();
  const dataKey = newDataKey();
  const wrapped = await wrapDataKey(specs, opened.metadata.shamirThreshold, dataKey, (spec, part) => deps.secrets.keys.wrap(spec, part, now), ref.shown);
  const sealed = sealSopsText(
    opened.branches,
    format,
    { keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold, rules: opened.metadata.rules, version: WRITTEN_SOPS_VERSION },
    dataKey,
    now,
    ref.shown,
  );
  await replaceFile(ref, sealed);
  return { file: ref.shown, recipients: recipientsOf(wrapped.keyGroups) };
}
