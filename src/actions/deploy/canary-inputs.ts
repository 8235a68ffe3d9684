import { sha256 } from '../../core/sha256.js';
import { inputsFingerprint } from '../../core/strategy/canary-inputs.js';
import { MAX_CONFIG_FILE_BYTES, readUserFile } from '../../adapters/user-files.js';
import type { Deps } from '../deps.js';
import type { CommandLineValues } from '../steps/values.js';

/** The fingerprint of the command line's values for a run (files by their bytes, so an edited -f file counts as other values). */
export async function commandLineFingerprint(deps: Deps, cli: CommandLineValues, run: { digest: string; startedAt: string }): Promise<string> {
  const bytes = async (given: string, what: string) =>
    sha256(await readUserFile(deps.repo.userPath(given), { shown: given, what, maxBytes: MAX_CONFIG_FILE_BYTES, hint: `Check the path given to ${what}.`, notFoundCode: 'VALUES_FILE_MISSING' }));
  const inputs = {
    values: await Promise.all((cli.valuesFiles ?? []).map(async (f) => [f, await bytes(f, '--values')])),
    setJson: cli.setJson ?? [],
    set: cli.set ?? [],
    setString: cli.setString ?? [],
    setFile: await Promise.all((cli.setFile ?? []).map(async (s) => [s, await bytes(s.slice(s.indexOf('=') + 1), '--set-file')])),
    helmArgs: cli.helmArgs ?? [],
  };
  return inputsFingerprint(JSON.stringify(inputs), run);
}
