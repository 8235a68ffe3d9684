/**
 * The kubeconfig that points kubectl/helm at a simulator: context `sandbox`
 * (current) plus, optionally, aliases named like the kubeContexts an
 * application's environments use, so `chartctl deploy dev` reaches the
 * sandbox unchanged. Plain HTTP on loopback, no credentials.
 */

export function kubeconfigYaml(server: string, options: { namespace?: string; aliases?: string[] } = {}): string {
  const contexts = ['sandbox', ...(options.aliases ?? []).filter((a) => a && a !== 'sandbox')];
  return [
    'apiVersion: v1',
    'kind: Config',
    '# chartctl sandbox: a LOCAL Kubernetes API simulator, not a real cluster.',
    'clusters:',
    '- name: sandbox',
    '  cluster:',
    `    server: ${server}`,
    'users:',
    '- name: sandbox',
    '  user: {}',
    'contexts:',
    ...contexts.flatMap((name) => [
      `- name: ${JSON.stringify(name)}`,
      '  context:',
      '    cluster: sandbox',
      '    user: sandbox',
      ...(options.namespace ? [`    namespace: ${options.namespace}`] : []),
    ]),
    'current-context: sandbox',
    '',
  ].join('\n');
}
