import type { Environment } from '../../core/environment.js';
import { isChartctlError } from '../../core/errors.js';
import type { Finding } from '../../core/findings.js';
import type { ManifestDocument } from '../../core/manifests.js';
import { uncheckedMessage, type Unchecked } from '../../core/unchecked-resources.js';
import { parseKubeVersion } from '../../core/schema/kube-version.js';
import { duplicateKeyMessage, takeDuplicateKeys } from '../../core/schema/duplicate-keys.js';
import { readManifestText, type InputDocument } from '../../core/schema/manifest-input.js';
import { describeResource, type ResourceResult } from '../../core/schema/validation-result.js';
import type { Deps } from '../deps.js';
import { SchemaRegistry } from './schema-registry.js';
import { createSchemaSession, schemaLocationsFromEnv, type SchemaSession } from './schema-session.js';
import { crdSchemasIn, validateDocuments } from './schema-validation.js';

/** One session per Deps (one command run): lint's environments share fetched schemas and compiled validators. */
const sessions = new WeakMap<Deps, SchemaSession>();

/**
 * Kubernetes schema validation of rendered manifests for lint and deploy.
 * Schemas: CRDs in the output, then CHARTCTL_SCHEMA_LOCATION (comma-separated
 * locations, e.g. a local kubernetes-json-schema tree), else the default
 * location through the cache. An invalid resource is an error finding
 * (check "schema"); schemas that cannot be had are one warning, not a
 * failure, so lint and deploy work offline.
 */
export async function validateRenderedManifests(deps: Deps, env: Environment, docs: ManifestDocument[]): Promise<Finding[]> {
  // Duplicate keys are reported whether or not schemas can be had.
  const input = toInputDocuments(env, docs);
  const duplicates = takeDuplicateKeys(input).map((d): Finding => ({
    severity: 'warning',
    check: 'duplicate-key',
    env: env.name,
    source: d.source,
    message: `rendered document ${d.document}, line ${d.line} of the document: ${duplicateKeyMessage(d)}`,
  }));
  let session = sessions.get(deps);
  try {
    if (!session) {
      session = createSchemaSession(deps, { offline: false, insecureSkipTlsVerify: false, timeoutMs: 10_000 });
      sessions.set(deps, session);
    }
    const registry = new SchemaRegistry(session.fetcher, {
      kubeVersion: parseKubeVersion(env.kubeVersion, `kubeVersion in ${env.file}`),
      strict: false,
      locations: schemaLocationsFromEnv(deps.env),
      locationsSetting: 'CHARTCTL_SCHEMA_LOCATION',
      defaultBase: session.defaultBase,
      crds: crdSchemasIn(input),
      transformedDocuments: session.transformedDocuments,
    });
    const results = await validateDocuments(input, registry, session.compiler, { skip: new Set(), reject: new Set(), ignoreMissingSchemas: false });
    return [...duplicates, ...findingsOf(deps, env, results)];
  } catch (err) {
    if (!isChartctlError(err)) throw err;
    return [...duplicates, uncheckedFinding(env, { kind: 'schema-setup', reason: `${err.message}${err.hint ? ` (${err.hint})` : ''}`, resources: input.length })];
  }
}

/** Re-reads each rendered document as Kubernetes reads YAML (booleans, octal); documents that did not parse were already reported by lint. */
function toInputDocuments(env: Environment, docs: ManifestDocument[]): InputDocument[] {
  const out: InputDocument[] = [];
  for (const d of docs) {
    if (d.error || !d.object) continue;
    for (const parsed of readManifestText(`rendered:${env.name}`, d.text, { duplicateKeys: true })) {
      out.push({ ...parsed, index: d.index, source: d.source, line: d.startLine + parsed.line - 1, textLine: d.startLine + parsed.textLine - 1 });
    }
  }
  return out;
}

function findingsOf(deps: Deps, env: Environment, results: ResourceResult[]): Finding[] {
  const findings: Finding[] = [];
  const unavailable = new Map<string, number>();
  const missing = new Map<string, number>();
  for (const r of results) {
    if (r.status === 'invalid') {
      for (const p of r.problems) {
        findings.push({
          severity: 'error',
          check: 'schema',
          env: env.name,
          resource: describeResource(r),
          source: r.source,
          message: deps.masker.mask(`${p.path ? `${p.path}: ` : ''}${p.message}`),
        });
      }
    } else if (r.status === 'error') {
      const p = r.problems[0];
      if (p?.keyword === 'missing-schema') missing.set(`${r.apiVersion}/${r.kind}`, (missing.get(`${r.apiVersion}/${r.kind}`) ?? 0) + 1);
      else if (p?.keyword === 'schema-source') unavailable.set(p.message, (unavailable.get(p.message) ?? 0) + 1);
      else findings.push({ severity: 'error', check: 'schema', env: env.name, resource: describeResource(r), source: r.source, message: deps.masker.mask(p?.message ?? 'cannot be checked') });
    }
  }
  for (const [reason, resources] of unavailable) findings.push(uncheckedFinding(env, { kind: 'schema-source', reason, resources }));
  for (const [resourceKind, resources] of missing) findings.push(uncheckedFinding(env, { kind: 'missing-schema', resourceKind, resources }));
  return findings;
}

function uncheckedFinding(env: Environment, unchecked: Unchecked): Finding {
  return { severity: 'warning', check: 'schema', env: env.name, message: uncheckedMessage(unchecked, env.name), unchecked };
}
