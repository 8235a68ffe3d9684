import { cancelled, ChartctlError } from '../core/errors.js';
import { recoverDataKey, wrapDataKey } from '../core/sops/data-key.js';
import { diffKeyGroups, updatedShamirThreshold, type KeyGroupChange } from '../core/sops/key-group-diff.js';
import { notEncryptedError } from '../core/sops/open-document.js';
import { emitEncryptedText, parseSopsText } from '../core/sops/sops-file.js';
import type { FileFormat, SopsMetadata } from '../core/sops/types.js';
import type { Deps } from './deps.js';
import { recipientsOf } from './secrets-encrypt.js';
import { creationRuleFor } from './steps/sops-config.js';
import { readSopsFile, replaceFile, sopsFileRef } from './steps/sops-file-io.js';

export interface UpdateKeysPlan {
  file: string;
  /** `.sops.yaml` and the 1-based index of the creation rule that names the recipients now. */
  config: string;
  rule: number;
  groups: KeyGroupChange[];
  shamirThreshold: { from?: number; to?: number };
}

export interface SecretsUpdateKeysOptions {
  file: string;
  format?: FileFormat;
  /** Apply without asking (--yes). */
  yes?: boolean;
  /** Asks a person to approve the plan; absent when nobody can be asked. */
  confirm?: (plan: UpdateKeysPlan) => Promise<boolean>;
}

export interface SecretsUpdateKeysResult {
  plan: UpdateKeysPlan;
  /** False when the file's recipients already match the rule. */
  changed: boolean;
  recipients: string[];
}

function planChanges(plan: UpdateKeysPlan): boolean {
  return plan.groups.some((g) => g.added.length > 0 || g.removed.length > 0) || plan.shamirThreshold.from !== plan.shamirThreshold.to;
}

/**
 * `sops updatekeys`: wraps the file's data key for the recipients its
 * `.sops.yaml` creation rule names now. The values, `lastmodified` and the
 * MAC stay exactly as they are (same data key); only the key groups change,
 * every recipient getting a fresh wrap, as in sops.
 */
export async function secretsUpdateKeys(deps: Deps, options: SecretsUpdateKeysOptions): Promise<SecretsUpdateKeysResult> {
  const ref = sopsFileRef(deps, options.file);
  const { text, format } = await readSopsFile(ref, options.format);
  const doc = parseSopsText(text, format, ref.shown);
  if (!doc.metadata) throw notEncryptedError(ref.shown);
  const metadata = doc.metadata;
  const { config, rule } = await creationRuleFor(deps, ref.path);
  const shamirThreshold = updatedShamirThreshold(metadata.shamirThreshold, rule.keyGroups.length);
  const plan: UpdateKeysPlan = {
    file: ref.shown,
    config: deps.repo.display(config.path),
    rule: rule.index,
    groups: diffKeyGroups(metadata.keyGroups, rule.keyGroups),
    shamirThreshold: { from: metadata.shamirThreshold, to: shamirThreshold },
  };
  if (!planChanges(plan)) return { plan, changed: false, recipients: recipientsOf(metadata.keyGroups) };
  if (!options.yes) {
    if (!options.confirm) {
      throw new ChartctlError(`Updating the recipients of ${ref.shown} needs confirmation, and this is not an interactive terminal.`, {
        code: 'NOT_CONFIRMED',
        hint: `Review the change (chartctl secrets updatekeys ${ref.shown} at a terminal shows it), then pass --yes.`,
      });
    }
    if (!(await options.confirm(plan))) throw cancelled(`Updating the recipients of ${ref.shown} cancelled; the file is unchanged.`);
  }
  const dataKey = await recoverDataKey(metadata, (key) => deps.secrets.keys.unwrap(key), ref.shown);
  deps.reporter.progress(`Wrapping the data key of ${ref.shown} for rule ${rule.index} of ${plan.config}`);
  const now = deps.now();
  const wrapped = await wrapDataKey(rule.keyGroups, shamirThreshold, dataKey, (spec, part) => deps.secrets.keys.wrap(spec, part, now), ref.shown);
  const updated: SopsMetadata = {
    ...metadata,
    keyGroups: wrapped.keyGroups,
    // sops writes the capped threshold even when a single group is left.
    shamirThreshold: wrapped.shamirThreshold ?? shamirThreshold,
  };
  await replaceFile(ref, emitEncryptedText(doc.branches, format, updated));
  return { plan, changed: true, recipients: recipientsOf(wrapped.keyGroups) };
}
