import { scrypt } from 'node:crypto';

/**
 * A canary walks and is promoted with the command line's own values (-f
 * files, --set*, helm's args after --), and the job that resumes it may not be
 * the one that started it: unless it gives the same values, what reaches the
 * stable release is not what the canary ran. The record keeps only a
 * fingerprint, for it is a ConfigMap and those values may be secrets: scrypt,
 * salted with the run's digest and start, so reading the record does not make
 * guessing a short value cheap.
 */
export function inputsFingerprint(inputs: string, run: { digest: string; startedAt: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(inputs, `chartctl-canary-inputs|${run.digest}|${run.startedAt}`, 32, { N: 1 << 14, r: 8, p: 1 }, (err, key) => (err ? reject(err) : resolve(key.toString('hex'))));
  });
}
