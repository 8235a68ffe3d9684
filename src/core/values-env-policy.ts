import { ChartctlError } from './errors.js';

/**
 * Which environment variables a `*.hbs` values file may read. A values file
 * is rendered on laptops and CD runners whose environment holds cloud
 * credentials, so reading is denied unless the environment file allows the
 * name in `valuesEnv`, and a name that looks like a credential is refused even
 * when allowed: a credential belongs in a sops `secrets` file, where it is
 * encrypted at rest and masked in output.
 */
export interface ValuesEnvPolicy {
  /** The environment's `valuesEnv`: names, or prefixes ending in `*`. */
  allowed: string[];
  /** The environment file that holds `valuesEnv`, for messages. */
  environmentFile: string;
}

/** A `valuesEnv` entry: a variable name, or a prefix ending in `*` (never `*` alone: that would allow everything). */
export const VALUES_ENV_ENTRY = '^[A-Za-z_][A-Za-z0-9_]*\\*?$';

/** Words that make a variable a credential wherever they appear in its name (APITOKEN, DB_PASSWORD, MYSECRET). */
const CREDENTIAL_WORDS = ['SECRET', 'TOKEN', 'PASSWORD', 'PASSWD', 'PASSPHRASE', 'CREDENTIAL', 'PRIVATE', 'APIKEY', 'COOKIE'];
/** Words that make a variable a credential as a whole `_`-separated part (AWS_ACCESS_KEY_ID, DB_PASS, NPM_AUTH), not inside others (KEYBOARD, PASSTHROUGH). */
const CREDENTIAL_PARTS = ['KEY', 'KEYS', 'PASS', 'AUTH', 'DSN'];
/** Prefixes of tools whose configuration is key material (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_PGP_FP, ...). */
const CREDENTIAL_PREFIXES = ['SOPS_'];

/** Why a variable name is a credential chartctl never reads into values, or undefined when it is not one. */
export function credentialReason(name: string): string | undefined {
  const upper = name.toUpperCase();
  const prefix = CREDENTIAL_PREFIXES.find((p) => upper.startsWith(p));
  if (prefix) return `names starting with ${prefix} hold key material`;
  const word = CREDENTIAL_WORDS.find((w) => upper.includes(w));
  if (word) return `its name contains ${word}`;
  const part = upper.split('_').find((p) => CREDENTIAL_PARTS.includes(p));
  if (part) return `its name has the part ${part}`;
  return undefined;
}

/** Whether `valuesEnv` allows the name: an exact entry, or an entry `PREFIX*` it starts with. */
export function isAllowedByValuesEnv(name: string, allowed: string[]): boolean {
  return allowed.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/**
 * Why a `valuesEnv` entry can never allow anything, for load-time validation:
 * a credential name, or a prefix every match of which is a credential.
 */
export function deniedValuesEnvEntry(entry: string): string | undefined {
  const reason = credentialReason(entry.endsWith('*') ? entry.slice(0, -1) : entry);
  return reason && `${entry} is refused: ${reason}; chartctl never reads credentials into values`;
}

/**
 * Refuses reading `name` from `file` unless the policy allows it. The message
 * names the variable and the file, never the value.
 */
export function checkValuesEnvRead(name: string, file: string, policy: ValuesEnvPolicy): void {
  const reason = credentialReason(name);
  if (reason) {
    throw new ChartctlError(`${file}: refusing to read the environment variable ${name} into values: ${reason}, and chartctl never reads credentials into values.`, {
      code: 'VALUES_ENV_DENIED',
      hint: `Put the value in a sops-encrypted file listed under "secrets" in ${policy.environmentFile} (chartctl secrets edit FILE), or, if ${name} is no credential, read it under another name.`,
    });
  }
  if (!isAllowedByValuesEnv(name, policy.allowed)) {
    throw new ChartctlError(`${file}: the environment variable ${name} is not allowed in values: it is not listed under "valuesEnv" in ${policy.environmentFile}.`, {
      code: 'VALUES_ENV_NOT_ALLOWED',
      hint: `Allow it in ${policy.environmentFile}: valuesEnv: [${policy.allowed.length > 0 ? `${policy.allowed.join(', ')}, ` : ''}${name}] (names, or prefixes ending in *).`,
    });
  }
}
