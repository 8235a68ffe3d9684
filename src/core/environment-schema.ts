import { VALUES_ENV_ENTRY } from './values-env-policy.js';
import { strategySchema } from './strategy/strategy-schema.js';

/** JSON Schema of `environments/<name>.yaml`. Unknown keys are errors so typos never pass silently. */
export const environmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['chart', 'release', 'namespace', 'kubeVersion', 'repository'],
  properties: {
    chart: { type: 'string', minLength: 1, description: 'umbrella chart directory, relative to the repository root' },
    release: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$', description: 'helm release name' },
    namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' },
    kubeContext: { type: 'string', minLength: 1 },
    kubeVersion: { type: 'string', pattern: '^v?1\\.[0-9]+(\\.[0-9]+)?$', description: 'Kubernetes version such as "1.33"' },
    repository: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: {
          type: 'string',
          pattern: '^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?|oci://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*/?)$',
          description: 's3://bucket/prefix or oci://host[:port]/path',
        },
        endpoint: { type: 'string', pattern: '^https?://', description: 'an http(s):// S3 endpoint (s3:// repositories only)' },
        region: { type: 'string', minLength: 1 },
        forcePathStyle: { type: 'boolean' },
        plainHttp: { type: 'boolean', description: 'speak HTTP to the registry (oci:// repositories only)' },
        insecure: { type: 'boolean', description: 'skip TLS verification, or allow plainHttp to a non-loopback host (oci:// only)' },
      },
    },
    values: { type: 'array', items: { type: 'string', minLength: 1 } },
    valuesEnv: {
      type: 'array',
      items: { type: 'string', pattern: VALUES_ENV_ENTRY, description: 'an environment variable name, or a prefix ending in * (e.g. IMAGE_TAG, BUILD_*)' },
    },
    secrets: { type: 'array', items: { type: 'string', minLength: 1 } },
    promotion: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { type: 'string', minLength: 1 },
        allowPrerelease: { type: 'boolean' },
        requireApproval: { type: 'boolean' },
        requireDeployedIn: { type: 'string', minLength: 1 },
      },
    },
    deploy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timeout: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', description: 'a duration such as 5m or 90s' },
        wait: { type: 'boolean' },
        tests: { type: 'boolean' },
        rollbackOnFailure: { type: 'boolean' },
        historyMax: { type: 'integer', minimum: 0 },
        strategy: strategySchema,
        recoverStuck: { type: 'boolean' },
      },
    },
    policies: {
      type: 'object',
      additionalProperties: { enum: ['error', 'warning', 'off'] },
    },
    images: {
      type: 'object',
      additionalProperties: { type: 'string', minLength: 1 },
    },
    freeze: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['from', 'to'],
        properties: {
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Formats used by the schema (kept as regular expressions so the compiled validator needs no plugin). */
export const environmentFormats: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/,
};
