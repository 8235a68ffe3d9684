import { Option } from 'commander';
import { ExitCode } from '../../core/errors.js';
import type { FileFormat } from '../../core/sops/types.js';
import type { UpdateKeysPlan } from '../../actions/secrets-updatekeys.js';
import type { RegisterCommand } from '../context.js';
import { askYesNo, canPrompt } from '../prompt.js';

const formatOption = () =>
  new Option('--format <format>', 'file format (default: from the extension, .env is dotenv and .ini INI; other names are read as YAML, or as sops binary files)').choices([
    'yaml',
    'json',
    'binary',
    'dotenv',
    'ini',
  ]);

const ignoreMacHelp = 'recovery: decrypt even if the MAC does not match (values may have been tampered with; warns on stderr)';

export const registerSecrets: RegisterCommand = (program, ctx) => {
  const secrets = program
    .command('secrets')
    .description('read and write sops-encrypted secrets files (age, AWS KMS, PGP) without the sops binary')
    .addHelpText(
      'after',
      `
Keys: age identities from SOPS_AGE_KEY, SOPS_AGE_KEY_FILE or $XDG_CONFIG_HOME/sops/age/keys.txt;
AWS KMS with the usual AWS credentials; PGP through gpg. Recipients of new files come from the
creation_rules of .sops.yaml (matched by path_regex). See docs/secrets.md.

Examples:
  chartctl secrets edit environments/secrets/prod.yaml
  chartctl secrets decrypt environments/secrets/dev.yaml | less
  chartctl secrets updatekeys environments/secrets/prod.yaml   # after changing .sops.yaml
  chartctl secrets check            # exit 1 if a secrets file holds cleartext`,
    );

  secrets
    .command('decrypt')
    .argument('<file>', 'sops-encrypted file')
    .description('print the decrypted file on stdout (refuses a terminal unless --force)')
    .addOption(formatOption())
    .option('--force', 'print to a terminal anyway')
    .option('--ignore-mac', ignoreMacHelp)
    .action(async (file: string, opts: { format?: FileFormat; force?: boolean; ignoreMac?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsDecrypt } = await import('../../actions/secrets-decrypt.js');
        const result = await secretsDecrypt(deps, { file, format: opts.format, toTerminal: Boolean(process.stdout.isTTY), force: opts.force, ignoreMac: opts.ignoreMac });
        if (out.format === 'json') return out.json({ file: result.file, format: result.format, values: result.values });
        out.write(result.content);
      }),
    );

  secrets
    .command('encrypt')
    .argument('<file>', 'cleartext YAML/JSON/dotenv/INI file to encrypt in place')
    .description('encrypt a file in place for the recipients of its .sops.yaml creation rule')
    .addOption(formatOption())
    .action(async (file: string, opts: { format?: FileFormat }, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsEncrypt } = await import('../../actions/secrets-encrypt.js');
        const result = await secretsEncrypt(deps, { file, format: opts.format });
        if (out.format === 'json') return out.json(result);
        out.write(`Encrypted ${result.file} for ${result.recipients.join(', ')} (rule ${result.rule} of ${result.config})\n`);
      }),
    );

  secrets
    .command('edit')
    .argument('<file>', 'sops-encrypted file (created from .sops.yaml when missing)')
    .description('decrypt to a private temp file, open $EDITOR, re-encrypt if changed (same data key: small diffs)')
    .addOption(formatOption())
    .option('--ignore-mac', `${ignoreMacHelp}; saving writes a new MAC`)
    .action(async (file: string, opts: { format?: FileFormat; ignoreMac?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsEdit } = await import('../../actions/secrets-edit.js');
        const { ProcessEditor } = await import('../../adapters/editor.js');
        const editor = new ProcessEditor(deps.env, Boolean(process.stdin.isTTY && process.stderr.isTTY));
        const result = await secretsEdit(deps, { file, format: opts.format, editor, ignoreMac: opts.ignoreMac });
        if (out.format === 'json') return out.json(result);
        out.write(result.changed ? `${result.created ? 'Created' : 'Updated'} ${result.file}\n` : `No changes to ${result.file}\n`);
      }),
    );

  secrets
    .command('rotate')
    .argument('<file>', 'sops-encrypted file')
    .description('re-encrypt every value under a new data key for the same recipients')
    .addOption(formatOption())
    .action(async (file: string, opts: { format?: FileFormat }, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsRotate } = await import('../../actions/secrets-rotate.js');
        const result = await secretsRotate(deps, { file, format: opts.format });
        if (out.format === 'json') return out.json(result);
        out.write(`Rotated the data key of ${result.file} (${result.recipients.join(', ')})\n`);
      }),
    );

  secrets
    .command('updatekeys')
    .argument('<file>', 'sops-encrypted file')
    .description('wrap the data key for the recipients .sops.yaml names now (sops updatekeys); values are not re-encrypted')
    .addOption(formatOption())
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (file: string, opts: { format?: FileFormat; yes?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsUpdateKeys } = await import('../../actions/secrets-updatekeys.js');
        const describe = (plan: UpdateKeysPlan) => {
          const lines = [`The following changes will be made to the key groups of ${plan.file} (rule ${plan.rule} of ${plan.config}):`];
          const { from, to } = plan.shamirThreshold;
          if (from !== to) {
            if (to) lines.push(out.paint.green(`+++ shamir_threshold: ${to}`));
            if (from) lines.push(out.paint.red(`--- shamir_threshold: ${from}`));
          }
          for (const g of plan.groups) {
            lines.push(`Group ${g.group}`, ...g.kept.map((k) => `    ${k}`), ...g.added.map((k) => out.paint.green(`+++ ${k}`)), ...g.removed.map((k) => out.paint.red(`--- ${k}`)));
          }
          return `${lines.join('\n')}\n`;
        };
        let shown = false;
        const confirm = canPrompt()
          ? async (plan: UpdateKeysPlan) => {
              if (out.format === 'text') out.write(describe(plan));
              shown = true;
              return askYesNo('Is this okay?');
            }
          : undefined;
        const result = await secretsUpdateKeys(deps, { file, format: opts.format, yes: opts.yes, confirm });
        if (out.format === 'json') return out.json({ ...result.plan, changed: result.changed, recipients: result.recipients });
        if (!result.changed) return out.write(`${result.plan.file} already matches rule ${result.plan.rule} of ${result.plan.config}\n`);
        if (!shown) out.write(describe(result.plan));
        out.write(`Updated the recipients of ${result.plan.file} (${result.recipients.join(', ')})\n`);
      }),
    );

  secrets
    .command('check')
    .argument('[paths...]', 'files or directories to check (default: the whole repository)')
    .description('exit 1 if a file .sops.yaml or an environment says is secret is not encrypted or holds cleartext values')
    .addHelpText(
      'after',
      `
A file must be encrypted when a .sops.yaml creation rule's path_regex matches it or an
environment lists it under "secrets". Needs no key. As a git pre-commit hook:

  printf '#!/bin/sh\\nexec npx chartctl secrets check\\n' > .git/hooks/pre-commit
  chmod +x .git/hooks/pre-commit`,
    )
    .action(async (paths: string[], _opts, command) =>
      ctx.run(command, async (deps, out) => {
        const { secretsCheck } = await import('../../actions/secrets-check.js');
        const result = await secretsCheck(deps, { paths });
        if (out.format === 'json') {
          out.json(result);
        } else {
          const lines: string[] = [];
          for (const f of result.files) {
            if (f.problems.length === 0) {
              lines.push(`${f.file}: ${out.paint.green('ok')}`);
              continue;
            }
            for (const p of f.problems) {
              const at = p.line ? `${f.file}:${p.line}:${p.col}` : f.file;
              lines.push(`${at}: ${out.paint.red(p.path ? `${p.path}: ${p.message}` : p.message)} (${f.requiredBy.join('; ')})`);
            }
          }
          lines.push(`${result.files.length} file${result.files.length === 1 ? '' : 's'} checked, ${result.problems} problem${result.problems === 1 ? '' : 's'}`);
          out.write(`${lines.join('\n')}\n`);
          if (!result.ok) deps.reporter.progress('Encrypt them with: chartctl secrets encrypt FILE (or create secrets with chartctl secrets edit FILE)');
        }
        return result.ok ? ExitCode.ok : ExitCode.failure;
      }),
    );
};
