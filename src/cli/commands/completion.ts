import { Argument } from 'commander';
import { COMPLETION_SHELLS, type CompletionShell } from '../completion.js';
import type { RegisterCommand } from '../context.js';

export const registerCompletion: RegisterCommand = (program, ctx) => {
  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell to complete in').choices(COMPLETION_SHELLS))
    .description('print a shell completion script (commands, options, environment names)')
    .addHelpText(
      'after',
      `
Environment names are completed from environments/*.yaml of the directory (or of --cwd DIR)
at completion time.

Install:
  bash   echo 'eval "$(chartctl completion bash)"' >> ~/.bashrc
  zsh    echo 'source <(chartctl completion zsh)' >> ~/.zshrc
  fish   chartctl completion fish > ~/.config/fish/completions/chartctl.fish`,
    )
    .action(async (shell: CompletionShell, _opts, command) =>
      ctx.run(command, async (_deps, out) => {
        const { completionScript } = await import('../completion.js');
        const script = completionScript(program, shell);
        // JSON for tools that install completions themselves: the same script, with the shell it is for.
        if (out.format === 'json') return out.json({ shell, script });
        out.write(script);
      }),
    );
};
