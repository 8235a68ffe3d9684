import { shownDigest } from '../../core/shown-digest.js';
import { ExitCode } from '../../core/errors.js';
import type { RegisterCommand } from '../context.js';
import { displayUrl } from '../../core/index-url.js';
import { table } from '../output.js';

export const registerRepo: RegisterCommand = (program, ctx) => {
  const repo = program.command('repo').description("inspect and repair an environment's chart repository (S3, or OCI: list and verify; reindex is S3 only)");

  repo
    .command('list')
    .argument('<env>', 'environment')
    .option('--chart <name>', 'only this chart')
    .description('versions in the repository with digest, created time and provenance')
    .action(async (env: string, opts: { chart?: string }, command) =>
      ctx.run(command, async (deps, out) => {
        const { repoList } = await import('../../actions/repo.js');
        const listed = await repoList(deps, { env, chart: opts.chart });
        const result = { ...listed, entries: listed.entries.map((e) => ({ ...e, digest: e.digest ? shownDigest(e.digest) : e.digest })) };
        if (out.format === 'json') return out.json(result);
        if (!result.indexPresent) {
          out.write(`${result.repository} (${result.env}) has no index.yaml yet.\n`);
          return;
        }
        const rows = result.entries.map((e) => [
          e.chart,
          e.version,
          (e.digest ?? '').slice(0, 19),
          e.created ?? '',
          [e.provenance['chartctl.io/promoted-from'] && `from ${e.provenance['chartctl.io/promoted-from']}`, e.provenance['chartctl.io/git-commit']?.slice(0, 7), e.provenance['chartctl.io/git-dirty'] === 'true' && 'dirty'].filter(Boolean).join(' '),
        ]);
        out.write(`${table(rows, ['CHART', 'VERSION', 'DIGEST', 'CREATED', 'PROVENANCE'])}\n`);
      }),
    );

  repo
    .command('verify')
    .argument('<env>', 'environment')
    .description('check every index entry points inside the repository to its tarball, with the listed sha256 and the same chart name and version in its Chart.yaml; list orphan tarballs (exit 1 on any inconsistency)')
    .action(async (env: string, _opts, command) =>
      ctx.run(command, async (deps, out) => {
        const { repoVerify } = await import('../../actions/repo.js');
        const result = await repoVerify(deps, { env });
        if (out.format === 'json') out.json(result);
        else {
          const lines = result.problems.map((p) => {
            switch (p.kind) {
              case 'indexCorrupt':
                return `  ${out.paint.red('corrupt')}  ${p.key}: ${p.message.split('\n')[0]}`;
              case 'missingTarball':
                return `  ${out.paint.red('missing')}  ${p.chart} ${p.version}: ${p.key} does not exist`;
              case 'digestMismatch':
                return `  ${out.paint.red('digest')}   ${p.chart} ${p.version}: ${p.key} has sha256 ${p.actual}, index lists ${p.listed}`;
              case 'urlOutsideRepository':
                return `  ${out.paint.red('url')}      ${p.chart} ${p.version}: its url ${displayUrl(p.url)} is not an object of this repository (${p.reason}); not read`;
              case 'invalidChart':
                return `  ${out.paint.red('invalid')}  ${p.chart} ${p.version}: ${p.message.split('\n')[0]}`;
              case 'identityMismatch':
                return `  ${out.paint.red('identity')} ${p.chart} ${p.version}: ${p.key}'s own Chart.yaml says ${JSON.stringify(p.actual.name)} version ${JSON.stringify(p.actual.version)}`;
              default:
                return `  ${out.paint.red('no digest')} ${p.chart} ${p.version}: the entry has no digest or url`;
            }
          });
          lines.push(...result.orphans.map((o) => `  ${out.paint.yellow('orphan')}   ${o} is not in the index (an interrupted publish; publish it again or delete it)`));
          const head = result.ok ? out.paint.green('ok') : out.paint.red('INCONSISTENT');
          out.write(`${result.repository} (${result.env}): ${head}, ${result.checked} entries checked, ${result.problems.length} problems, ${result.orphans.length} orphans\n${lines.map((l) => `${l}\n`).join('')}`);
          if (!result.ok) deps.reporter.progress(`Rebuild the index from the tarballs with: chartctl repo reindex ${result.env}`);
        }
        return result.ok ? ExitCode.ok : ExitCode.failure;
      }),
    );

  repo
    .command('reindex')
    .argument('<env>', 'environment')
    .option('--dry-run', 'read the tarballs and list what the index would hold, without writing index.yaml')
    .option('--full', 'download and hash every tarball, even those whose ETag shows they are unchanged')
    .option('--no-lock', 'write even where the endpoint ignores conditional writes')
    .description('rebuild index.yaml from the tarballs (at the top of the prefix and one folder down, as helm repo index), keeping provenance from the old index or the objects\' metadata')
    .action(async (env: string, opts: { dryRun?: boolean; lock?: boolean; full?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { repoReindex } = await import('../../actions/repo.js');
        const result = await repoReindex(deps, { env, dryRun: opts.dryRun, noLock: opts.lock === false, full: opts.full });
        if (out.format === 'json') return out.json(result);
        const lines = [
          `${result.repository} (${result.env}): ${result.dryRun ? 'would write' : result.written ? 'wrote' : 'index.yaml already up to date:'} ${result.written || result.dryRun ? 'index.yaml with ' : ''}${result.entries} entries (${result.provenanceKept} with provenance kept, ${result.reused} unchanged objects not re-read)`,
          ...(result.dryRun ? result.listed.map((e) => `  ${e.chart} ${e.version}  ${displayUrl(e.url)}`) : []),
          ...result.dropped.map((d) => `  dropped ${d}: its tarball is gone`),
          ...result.skipped.map((s) => `  skipped ${s.key}: ${s.reason.split('\n')[0]}`),
        ];
        out.write(`${lines.join('\n')}\n`);
      }),
    );
};
