/**
 * JSON Schema of `deploy.strategy`: `rolling`, `{blueGreen: …}` or `{canary: …}`.
 * What a schema cannot say (a step is a weight or an approval, step checks
 * exist, a Prometheus check has a bound) is checked in strategy-config.ts.
 */
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** A dotted values path as helm --set takes it (api.replicaCount). */
const VALUES_PATH = '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$';
const DURATION = { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$', description: 'a duration such as 2m or 30s' } as const;

const prometheusCheck = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'query'],
  properties: {
    url: { type: 'string', pattern: '^https?://', description: 'the Prometheus base URL, e.g. http://prometheus:9090' },
    query: { type: 'string', minLength: 1 },
    max: { type: 'number' },
    min: { type: 'number' },
    allowNoData: { type: 'boolean' },
  },
} as const;

const httpCheck = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^https?://', description: 'an http:// or https:// URL' },
    expect: { type: 'integer', minimum: 100, maximum: 599 },
    every: DURATION,
    timeout: DURATION,
  },
} as const;

export const checksSchema = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z0-9][-A-Za-z0-9_.]*$' },
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    expected: 'one of prometheus, http or command',
    properties: {
      prometheus: prometheusCheck,
      http: httpCheck,
      command: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 }, description: 'argv, e.g. ["./scripts/smoke.sh"]' },
    },
  },
} as const;

const blueGreen = {
  type: 'object',
  additionalProperties: false,
  required: ['router'],
  properties: {
    slots: { type: 'array', minItems: 2, maxItems: 2, uniqueItems: true, items: { type: 'string', pattern: DNS_LABEL, description: 'a slot name such as blue' } },
    router: {
      type: 'object',
      additionalProperties: false,
      required: ['service'],
      properties: {
        service: { type: 'string', pattern: DNS_LABEL, description: 'the name of the Service chartctl owns and switches' },
        ingress: { type: 'string', pattern: DNS_LABEL, description: 'the name of the Ingress chartctl owns in front of that Service' },
        backend: { type: 'string', pattern: DNS_LABEL, description: "the slot's Service the router fronts, as the suffix of <release>-<slot>-<backend> (e.g. api)" },
      },
    },
    keepPrevious: { type: 'boolean' },
    checks: checksSchema,
  },
} as const;

const canary = {
  type: 'object',
  additionalProperties: false,
  required: ['steps'],
  properties: {
    traffic: { enum: ['replicas', 'ingress-nginx', 'gateway'] },
    steps: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          weight: { type: 'integer', minimum: 1, maximum: 100 },
          pause: DURATION,
          checks: { type: 'array', items: { type: 'string', minLength: 1 } },
          approve: { const: true },
        },
      },
    },
    checks: checksSchema,
    router: {
      type: 'object',
      additionalProperties: false,
      required: ['service'],
      properties: {
        service: { type: 'string', pattern: DNS_LABEL, description: 'the Service chartctl owns selecting the stable and canary Pods' },
        backend: { type: 'string', pattern: DNS_LABEL, description: "the release's Service it copies, as the suffix of <release>-<backend> (e.g. api)" },
      },
    },
    replicasValue: { type: 'string', pattern: VALUES_PATH, description: 'the values key of the replica count, e.g. api.replicaCount' },
    ingress: { type: 'string', pattern: DNS_LABEL, description: 'ingress-nginx: the stable Ingress' },
    httpRoute: { type: 'string', pattern: DNS_LABEL, description: 'gateway: the HTTPRoute to weight' },
    set: {
      type: 'object',
      description: 'values set on the canary release only (helm --set), e.g. api.ingress.enabled: false',
      propertyNames: { pattern: VALUES_PATH },
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
  },
} as const;

export const strategySchema = {
  expected: '"rolling", or a mapping with one key, blueGreen or canary',
  if: { type: 'string' },
  then: { enum: ['rolling'] },
  else: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    expected: 'a mapping with one key, blueGreen or canary',
    properties: { blueGreen, canary },
  },
} as const;
