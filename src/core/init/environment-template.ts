/** What one generated environment file says; the text documents every key of the README's "Environment file reference". */
export interface EnvironmentTemplate {
  name: string;
  chart: string;
  release: string;
  namespace: string;
  repositoryUrl: string;
  kubeContext?: string;
  /** The environment promotions come from; none for the first. */
  from?: string;
  /** Prerelease versions allowed (the first environment, where CI publishes). */
  allowPrerelease: boolean;
  requireApproval: boolean;
  values: string[];
  secrets: string[];
}

const list = (items: string[]) => items.map((i) => `  - ${i}`).join('\n');

/** An environment file whose comments name every key, with the optional ones commented out. */
export function environmentFileText(t: EnvironmentTemplate): string {
  const promotion = [
    t.from ? `  from: ${t.from}                  # the environment this one receives promotions from` : `  # from: dev                   # the environment this one receives promotions from (none: versions are published here)`,
    `  allowPrerelease: ${t.allowPrerelease}     # whether prerelease chart versions (1.2.0-dev.3) may reach this environment`,
    `  requireApproval: ${t.requireApproval}     # promotions and deploys need --yes or a confirmation at a terminal (in CI, also an actor)`,
    t.from ? `  # requireDeployedIn: ${t.from}   # a version must have been deployed and tested there first` : `  # requireDeployedIn: dev       # a version must have been deployed and tested there first`,
  ];
  return `# The ${t.name} environment, written by chartctl init. Every path is relative to the repository root.
# Reference: "Environment file reference" in chartctl's README. Unknown keys are errors.

chart: ${t.chart}                # umbrella chart directory
release: ${t.release}                # helm release name
namespace: ${t.namespace}            # Kubernetes namespace
${t.kubeContext ? `kubeContext: ${t.kubeContext}` : '# kubeContext: my-cluster'}           # kubeconfig context for cluster commands (default: the current context)
kubeVersion: "1.33"           # Kubernetes version for rendering (--kube-version) and schema validation; keep it quoted

repository:
  url: ${t.repositoryUrl}   # s3://bucket/prefix of this environment's chart repository, or oci://host[:port]/path
  # endpoint: http://127.0.0.1:9000   # S3-compatible endpoint (MinIO, R2, Ceph)
  # region: us-east-1                # AWS region
  # forcePathStyle: true             # path-style S3 addressing
  # plainHttp: true                  # oci:// only: HTTP instead of HTTPS (loopback hosts unless insecure: true)
  # insecure: true                   # oci:// only: accept an unverified TLS certificate

# Values files, lowest precedence first; *.hbs files are rendered with Handlebars first.
values:
${list(t.values)}
# Environment variables *.hbs values files may read (names, or prefixes ending in *); credentials are refused.
# valuesEnv: [IMAGE_TAG, BUILD_*]

# sops-encrypted values files, decrypted in memory (chartctl secrets edit FILE).
secrets:
${list(t.secrets)}

promotion:
${promotion.join('\n')}

deploy:
  timeout: 5m               # helm --timeout
  wait: true                # wait for readiness
  tests: true               # run helm test after the upgrade
  rollbackOnFailure: true   # roll back by itself when the upgrade, the wait or the tests fail
  historyMax: 10            # helm --history-max
  strategy: rolling         # helm upgrade in place; or blueGreen / canary (README "Progressive delivery"):
  # strategy:
  #   blueGreen:
  #     slots: [blue, green]                    # releases <release>-blue and <release>-green in this namespace
  #     router: {service: ${t.release}, backend: api}   # the Service chartctl owns and switches; it fronts <release>-<slot>-api (ingress: <name> adds an Ingress chartctl owns in front of it)
  #     keepPrevious: true                      # the old slot stays up for an instant switch back
  #     checks: {smoke: {command: [./scripts/smoke.sh]}}   # run against the idle slot before the switch
  # strategy:
  #   canary:
  #     traffic: replicas                       # replicas | ingress-nginx | gateway
  #     router: {service: ${t.release}, backend: api}   # replicas: the Service chartctl owns, selecting both tracks' Pods
  #     replicasValue: api.replicaCount         # replicas: values key of the canary's replica count, set per weight
  #     ingress: ${t.release}                   # traffic: ingress-nginx only: the stable Ingress the split applies to
  #     httpRoute: ${t.release}                 # traffic: gateway only: the stable HTTPRoute the split applies to
  #     set: {api.ingress.enabled: false}       # values on the canary release only (never promoted)
  #     steps:
  #       - {weight: 10, pause: 2m, checks: [errors]}
  #       - approve: true                       # wait for a person, --yes, or deploy --resume
  #     checks:
  #       errors: {prometheus: {url: http://prometheus:9090, query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))', max: 0.5}}
  recoverStuck: false       # true: deploy rolls back a release left pending-* by a job that died

# Lint policy id -> error, warning or off (chartctl lint --help lists them).
# policies: {image-tag: error, resources: warning, probes: warning}

# service -> dotted values path of its image tag, when it is not <service>.image.tag (chartctl set-image).
# images: {api: api.image.tag}

# ISO 8601 windows in which deploys are refused (deploy --override-freeze --reason "..." for an emergency).
# freeze:
#   - {from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z", reason: holidays}
`;
}
