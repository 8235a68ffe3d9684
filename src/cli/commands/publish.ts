import { shownDigest } from '../../core/shown-digest.js';
import type { RegisterCommand } from '../context.js';

export const registerPublish: RegisterCommand = (program, ctx) => {
  program
    .command('publish')
    .argument('<env>', 'environment whose chart repository receives the tarball')
    .description("push the chart tarball to an environment's chart repository (S3 with index.yaml, or an OCI registry)")
    .option('--version <version>', 'literal semver or patch|minor|major|prerelease (when packaging now)')
    .option('--app-version <version>', 'set appVersion (when packaging now)')
    .option('--preid <id>', 'prerelease identifier for --version prerelease', 'dev')
    .option('--chart <dir>', 'chart directory (default: the environment\'s chart)')
    .option('--package <file>', 'publish this tarball (from chartctl package) instead of packaging now; to oci://, a FILE.prov beside it is pushed too')
    .option('--force', 'replace a version that exists with different bytes')
    .option('--no-lock', 'publish even where the endpoint ignores conditional writes (unsafe with concurrent jobs)')
    .addHelpText(
      'after',
      `
The tarball is uploaded with If-None-Match: * (versions are immutable: the same bytes again is a
no-op success, different bytes are refused with both digests unless --force), read back and
checked, and only then added to index.yaml with If-Match on its ETag, retrying with jittered
backoff when another job changed it. The index never lists a tarball that is not there.

On an oci:// repository the version is the tag (+ written as _, as helm does), the manifest is
the one helm push writes; a tag that holds other chart bytes is refused (both manifest digests
shown) unless --force, the same chart bytes again is a no-op.

Outcome (text and JSON "outcome"): published, unchanged, repaired (tarball was there, the
index entry was missing after an interrupted publish), replaced (--force).

Examples:
  chartctl publish dev --version prerelease
  chartctl package --destination dist && chartctl publish dev --package dist/shop-1.4.0.tgz
  chartctl publish staging --output json`,
    )
    .action(async (env: string, opts: { version?: string; appVersion?: string; preid?: string; chart?: string; package?: string; force?: boolean; lock?: boolean }, command) =>
      ctx.run(command, async (deps, out) => {
        const { publish } = await import('../../actions/publish.js');
        const published = await publish(deps, { env, ...opts, noLock: opts.lock === false });
        const result = { ...published, digest: shownDigest(published.digest) };
        if (out.format === 'json') return out.json(result);
        const verb = { published: 'published', unchanged: 'already published (same bytes), nothing to do', repaired: 'tarball was there; index entry restored', replaced: 'replaced (--force)' }[result.outcome];
        const manifest = result.manifestDigest ? `\n  manifest ${result.manifestDigest}` : '';
        out.write(`${result.chart} ${result.version} → ${result.env} (${result.repository}): ${verb}\n  digest ${result.digest}\n  key    ${result.key}${manifest}\n`);
      }),
    );
};
