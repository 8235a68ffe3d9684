import { ChartctlError } from '../core/errors.js';
import { describeMasterKey, newDataKey, wrapDataKey } from '../core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION, withDefaultRule } from '../core/sops/metadata.js';
import { parsePlainText, sealSopsText } from '../core/sops/sops-file.js';
import { leafTexts } from '../core/sops/tree-crypto.js';
import type { FileFormat, MapNode, MasterKey } from '../core/sops/types.js';
import type { Deps } from './deps.js';
import { creationRuleFor } from './steps/sops-config.js';
import { readSopsFile, replaceFile, sopsFileRef, type SopsFileRef } from './steps/sops-file-io.js';

export interface SecretsEncryptOptions {
  file: string;
  format?: FileFormat;
}

export interface SecretsEncryptResult {
  file: string;
  format: FileFormat;
  /** `.sops.yaml` and the 1-based index of the creation rule that chose the recipients. */
  config: string;
  rule: number;
  recipients: string[];
}

/** Encrypts a cleartext file in place for the recipients `.sops.yaml` assigns to its path. */
export async function secretsEncrypt(deps: Deps, options: SecretsEncryptOptions): Promise<SecretsEncryptResult> {
  const ref = sopsFileRef(deps, options.file);
  const { text, bytes, format } = await readSopsFile(ref, options.format);
  const doc = parsePlainText(format === 'binary' ? bytes : text, format, ref.shown);
  if (doc.metadata) {
    throw new ChartctlError(`${ref.shown} is already encrypted.`, {
      code: 'SOPS_ALREADY_ENCRYPTED',
      hint: `Use chartctl secrets edit ${ref.shown} to change it, or chartctl secrets rotate ${ref.shown} for a new data key.`,
    });
  }
  for (const value of leafTexts(doc.branches)) deps.masker.add(value);
  const sealed = await sealNewFile(deps, ref, doc.branches, format);
  await replaceFile(ref, sealed.text);
  return { file: ref.shown, format, config: sealed.config, rule: sealed.rule, recipients: sealed.recipients };
}

/** Encrypts a cleartext tree under a new data key for the recipients of the matching creation rule. */
export async function sealNewFile(
  deps: Deps,
  ref: SopsFileRef,
  branches: MapNode[],
  format: FileFormat,
): Promise<{ text: string; config: string; rule: number; recipients: string[] }> {
  const { config, rule } = await creationRuleFor(deps, ref.path);
  deps.reporter.progress(`Encrypting ${ref.shown} for rule ${rule.index} of ${deps.repo.display(config.path)} (path_regex ${rule.pathPattern ?? '(any)'})`);
  const now = deps.now();
  const dataKey = newDataKey();
  const wrapped = await wrapDataKey(rule.keyGroups, rule.shamirThreshold, dataKey, (spec, part) => deps.secrets.keys.wrap(spec, part, now), ref.shown);
  const text = sealSopsText(
    branches,
    format,
    { keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold, version: WRITTEN_SOPS_VERSION, rules: withDefaultRule(rule.rules) },
    dataKey,
    now,
    ref.shown,
  );
  return { text, config: deps.repo.display(config.path), rule: rule.index, recipients: recipientsOf(wrapped.keyGroups) };
}

export function recipientsOf(groups: MasterKey[][]): string[] {
  return groups.flat().map((k) => describeMasterKey(k));
}
