import Handlebars from 'handlebars';
import { ChartctlError } from './errors.js';
import { checkValuesEnvRead, type ValuesEnvPolicy } from './values-env-policy.js';

export interface RenderedValuesTemplate {
  text: string;
  /** Values read from the environment: the caller masks them in output like decrypted secrets. */
  readFromEnv: string[];
}

/**
 * Renders a `*.hbs` values file so CI can inject e.g. an image tag:
 *   tag: {{ requiredEnv "API_TAG" }}
 *   host: {{ env "HOST" }}
 *   replicas: {{ default (env "REPLICAS") 2 }}
 * Output is not HTML-escaped: it is YAML, not markup. Which variables may be
 * read is the policy's decision (see values-env-policy.ts), made on the name
 * whether or not the variable is set, so a file fails the same way everywhere.
 */
export function renderValuesTemplate(text: string, file: string, env: NodeJS.ProcessEnv, policy: ValuesEnvPolicy): RenderedValuesTemplate {
  const readFromEnv: string[] = [];
  const read = (name: string): string | undefined => {
    checkValuesEnvRead(name, file, policy);
    const value = env[name];
    if (value) readFromEnv.push(value);
    return value;
  };
  const hb = Handlebars.create();
  hb.registerHelper('env', (name: unknown) => (typeof name === 'string' ? (read(name) ?? '') : ''));
  hb.registerHelper('requiredEnv', (name: unknown) => {
    const value = typeof name === 'string' ? read(name) : undefined;
    if (value === undefined || value === '') {
      throw new ChartctlError(`${file}: requiredEnv "${String(name)}": the environment variable ${String(name)} is not set.`, {
        code: 'VALUES_REQUIRED_ENV',
        hint: `Set ${String(name)} (e.g. export ${String(name)}=...) before running chartctl, or give it a default in ${file} with {{ default (env "${String(name)}") "fallback" }}.`,
      });
    }
    return value;
  });
  hb.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));
  try {
    return { text: hb.compile(text, { noEscape: true, strict: false })({}), readFromEnv };
  } catch (err) {
    if (err instanceof ChartctlError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const line = /line (\d+)/.exec(message)?.[1];
    throw new ChartctlError(`${file}${line ? `:${line}` : ''}: invalid Handlebars template: ${message.split('\n')[0]}`, {
      code: 'VALUES_TEMPLATE',
      hint: 'Helpers available in .hbs values files: env, requiredEnv, default.',
    });
  }
}
