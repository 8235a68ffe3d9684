/**
 * The example app's environment file with its rolling `deploy:` line replaced by a `traffic: replicas` canary on the
 * chart's shop Service, a 4 s deploy timeout, the given walk and a `smoke` command check running `smokeScript` in Node:
 * what the canary integration scenarios deploy.
 */
export function withReplicasCanary(environmentFile: string, steps: string[], smokeScript: string): string {
  return environmentFile.replace(
    /deploy: \{timeout: 5m, (.*)\}\n/,
    [
      'deploy:',
      '  timeout: 4s',
      '  strategy:',
      '    canary:',
      '      traffic: replicas',
      '      router: {service: shop, backend: api}',
      '      replicasValue: api.replicaCount',
      '      steps:',
      ...steps.map((s) => `        - ${s}`),
      '      checks:',
      `        smoke: {command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(smokeScript)}]}`,
      '',
    ].join('\n'),
  );
}
