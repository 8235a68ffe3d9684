import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ChartctlError, isChartctlError } from '../core/errors.js';
import { describeMasterKey } from '../core/sops/data-key.js';
import { WRITTEN_SOPS_VERSION } from '../core/sops/metadata.js';
import { detectFormat } from '../core/sops/open-document.js';
import { emitPlainBytes, openSopsText, parsePlainText, sealSopsText } from '../core/sops/sops-file.js';
import { leafTexts } from '../core/sops/tree-crypto.js';
import type { FileFormat, MapNode } from '../core/sops/types.js';
import { privateTempDir } from '../adapters/cleanup.js';
import type { Editor } from '../adapters/editor.js';
import type { Deps } from './deps.js';
import { warnIgnoredMac } from './secrets-decrypt.js';
import { recipientsOf, sealNewFile } from './secrets-encrypt.js';
import { creationRuleFor } from './steps/sops-config.js';
import { readSopsFile, replaceFile, sopsFileRef } from './steps/sops-file-io.js';

export interface SecretsEditOptions {
  file: string;
  format?: FileFormat;
  editor: Editor;
  /** Recovery: open a file whose MAC does not match (sops' --ignore-mac); saving writes a new MAC. */
  ignoreMac?: boolean;
}

export interface SecretsEditResult {
  file: string;
  format: FileFormat;
  /** The file did not exist and was created (recipients from .sops.yaml). */
  created: boolean;
  changed: boolean;
  recipients: string[];
}

const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');

/**
 * Decrypts into a private 0700 temp directory, runs the editor, and
 * re-encrypts only when the content changed, under the same data key and
 * with the same IVs for unchanged values, so the diff shows only what was
 * edited. The temp directory is removed whatever happens (main's cleanup
 * covers SIGINT/SIGTERM). A missing file is created from .sops.yaml's
 * recipients, so new secrets never exist in cleartext inside the repository.
 */
export async function secretsEdit(deps: Deps, options: SecretsEditOptions): Promise<SecretsEditResult> {
  const ref = sopsFileRef(deps, options.file);
  const created = !existsSync(ref.path);
  let format: FileFormat;
  let plainText: Buffer;
  let seal: (branches: MapNode[]) => Promise<{ text: string; recipients: string[] }>;
  let recipients: string[];
  if (created) {
    format = options.format ?? detectFormat(ref.path);
    const { rule } = await creationRuleFor(deps, ref.path);
    recipients = rule.keyGroups.flat().map((k) => describeMasterKey(k));
    plainText = Buffer.from(format === 'json' ? '{}\n' : '');
    seal = async (branches) => sealNewFile(deps, ref, branches, format);
  } else {
    const read = await readSopsFile(ref, options.format);
    format = read.format;
    const opened = await openSopsText(read.text, { file: ref.shown, format, keepIvs: true, ignoreMac: options.ignoreMac }, (key) => deps.secrets.keys.unwrap(key));
    for (const secret of opened.secrets) deps.masker.add(secret);
    if (opened.macMismatch) warnIgnoredMac(deps, opened.macMismatch);
    plainText = emitPlainBytes(opened.branches, format);
    recipients = recipientsOf(opened.metadata.keyGroups);
    const { keyGroups, shamirThreshold, rules } = opened.metadata;
    seal = async (branches) => ({
      text: sealSopsText(branches, format, { keyGroups, shamirThreshold, rules, version: WRITTEN_SOPS_VERSION }, opened.dataKey, deps.now(), ref.shown, opened.stash),
      recipients,
    });
  }

  const temp = await privateTempDir(deps.cleanup, 'chartctl-edit-');
  try {
    const editing = join(temp.path, basename(ref.path));
    await writeFile(editing, plainText, { mode: 0o600, flag: 'wx' });
    const before = sha256(plainText);
    for (;;) {
      await options.editor.edit(editing, deps.signal);
      const edited = await readFile(editing);
      if (sha256(edited) === before) return { file: ref.shown, format, created: false, changed: false, recipients };
      let branches: MapNode[];
      try {
        const doc = parsePlainText(edited, format, `${ref.shown} (your edit)`);
        if (doc.metadata) {
          throw new ChartctlError(`${ref.shown} (your edit): the cleartext must not contain a top-level "sops" key.`, {
            code: 'SOPS_METADATA_IN_EDIT',
            hint: 'The sops metadata is managed by chartctl; remove the "sops" key.',
          });
        }
        branches = doc.branches;
      } catch (err) {
        if (isChartctlError(err) && (await options.editor.retry(deps.masker.mask(`error: ${err.message}`)))) continue;
        if (isChartctlError(err)) {
          throw new ChartctlError(`${err.message} Your changes were discarded; ${ref.shown} is unchanged.`, { code: err.code, hint: err.hint });
        }
        throw err;
      }
      for (const value of leafTexts(branches)) deps.masker.add(value);
      const sealed = await seal(branches);
      await replaceFile(ref, sealed.text);
      return { file: ref.shown, format, created, changed: true, recipients: sealed.recipients };
    }
  } finally {
    await temp.remove();
  }
}
