/**
 * A small, hand-written subset of the Kubernetes API definitions in the
 * kubernetes-json-schema `_definitions.json` layout (definitions tagged with
 * x-kubernetes-group-version-kind, `$ref: #/definitions/...`), so tests of
 * `chartctl validate` and lint's schema check run without ../shared. Field
 * names, types, enums and required lists follow the Kubernetes 1.33 API for
 * the kinds the example application renders; fields it does not use are left
 * out, so strict mode here is stricter than real Kubernetes on those.
 */
const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
const str = { type: 'string' };
const int32 = { type: 'integer', format: 'int32' };
const strMap = { type: 'object', additionalProperties: str };
const gvk = (group: string, version: string, kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group, version, kind }] });

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const top = (kind: string, apiVersion: string, extra: Record<string, unknown>) => ({
  type: 'object',
  properties: { apiVersion: str, kind: { type: 'string', enum: [kind] }, metadata: ref(META), ...extra },
  ...gvk(apiVersion.includes('/') ? apiVersion.split('/')[0]! : '', apiVersion.split('/').pop()!, kind),
});

export const fixtureDefinitions = {
  definitions: {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    'io.k8s.apimachinery.pkg.api.resource.Quantity': { oneOf: [{ type: 'string' }, { type: 'number' }] },
    [META]: {
      type: 'object',
      properties: {
        name: str,
        generateName: str,
        namespace: str,
        labels: strMap,
        annotations: strMap,
        creationTimestamp: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      },
    },
    'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { type: 'object', properties: { matchLabels: strMap } },
    'io.k8s.api.core.v1.ConfigMap': top('ConfigMap', 'v1', { data: strMap, binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } } }),
    'io.k8s.api.core.v1.Secret': top('Secret', 'v1', { data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } }, stringData: strMap, type: str }),
    'io.k8s.api.core.v1.ServiceAccount': top('ServiceAccount', 'v1', {}),
    'io.k8s.api.core.v1.Service': top('Service', 'v1', { spec: ref('io.k8s.api.core.v1.ServiceSpec') }),
    'io.k8s.api.core.v1.ServiceSpec': {
      type: 'object',
      properties: {
        ports: { type: 'array', items: ref('io.k8s.api.core.v1.ServicePort') },
        selector: strMap,
        type: { type: 'string', enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] },
      },
    },
    'io.k8s.api.core.v1.ServicePort': {
      type: 'object',
      required: ['port'],
      properties: { name: str, port: int32, protocol: { type: 'string', enum: ['SCTP', 'TCP', 'UDP'] }, targetPort: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString') },
    },
    'io.k8s.api.core.v1.Pod': top('Pod', 'v1', { spec: ref('io.k8s.api.core.v1.PodSpec') }),
    'io.k8s.api.core.v1.PodTemplateSpec': { type: 'object', properties: { metadata: ref(META), spec: ref('io.k8s.api.core.v1.PodSpec') } },
    'io.k8s.api.core.v1.PodSpec': {
      type: 'object',
      required: ['containers'],
      properties: {
        containers: { type: 'array', items: ref('io.k8s.api.core.v1.Container') },
        restartPolicy: { type: 'string', enum: ['Always', 'Never', 'OnFailure'] },
        serviceAccountName: str,
      },
    },
    'io.k8s.api.core.v1.Container': {
      type: 'object',
      required: ['name'],
      properties: {
        name: str,
        image: str,
        command: { type: 'array', items: str },
        args: { type: 'array', items: str },
        imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
        env: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, value: str } } },
        envFrom: { type: 'array', items: { type: 'object', properties: { configMapRef: { type: 'object', properties: { name: str } } } } },
        ports: {
          type: 'array',
          items: { type: 'object', required: ['containerPort'], properties: { containerPort: int32, name: str, protocol: { type: 'string', enum: ['SCTP', 'TCP', 'UDP'] } } },
        },
        resources: {
          type: 'object',
          properties: {
            limits: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
            requests: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') },
          },
        },
        livenessProbe: ref('io.k8s.api.core.v1.Probe'),
        readinessProbe: ref('io.k8s.api.core.v1.Probe'),
      },
    },
    'io.k8s.api.core.v1.Probe': {
      type: 'object',
      properties: {
        httpGet: { type: 'object', required: ['port'], properties: { path: str, port: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString') } },
        initialDelaySeconds: int32,
        periodSeconds: int32,
      },
    },
    'io.k8s.api.core.v1.ReplicationController': top('ReplicationController', 'v1', {
      spec: { type: 'object', properties: { replicas: int32, selector: strMap, template: ref('io.k8s.api.core.v1.PodTemplateSpec') } },
    }),
    'io.k8s.api.apps.v1.Deployment': top('Deployment', 'apps/v1', { spec: ref('io.k8s.api.apps.v1.DeploymentSpec') }),
    'io.k8s.api.apps.v1.DeploymentSpec': {
      type: 'object',
      required: ['selector', 'template'],
      properties: { replicas: int32, selector: ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector'), template: ref('io.k8s.api.core.v1.PodTemplateSpec') },
    },
    'io.k8s.api.networking.v1.Ingress': top('Ingress', 'networking.k8s.io/v1', {
      spec: {
        type: 'object',
        properties: {
          ingressClassName: str,
          rules: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                host: str,
                http: {
                  type: 'object',
                  required: ['paths'],
                  properties: {
                    paths: {
                      type: 'array',
                      items: {
                        type: 'object',
                        required: ['pathType', 'backend'],
                        properties: {
                          path: str,
                          pathType: { type: 'string', enum: ['Exact', 'ImplementationSpecific', 'Prefix'] },
                          backend: {
                            type: 'object',
                            properties: { service: { type: 'object', required: ['name'], properties: { name: str, port: { type: 'object', properties: { name: str, number: int32 } } } } },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    }),
    'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': top('HorizontalPodAutoscaler', 'autoscaling/v2', {
      spec: {
        type: 'object',
        required: ['scaleTargetRef', 'maxReplicas'],
        properties: {
          minReplicas: int32,
          maxReplicas: int32,
          scaleTargetRef: { type: 'object', required: ['kind', 'name'], properties: { apiVersion: str, kind: str, name: str } },
          metrics: {
            type: 'array',
            items: {
              type: 'object',
              required: ['type'],
              properties: {
                type: str,
                resource: {
                  type: 'object',
                  required: ['name', 'target'],
                  properties: { name: str, target: { type: 'object', required: ['type'], properties: { type: str, averageUtilization: int32 } } },
                },
              },
            },
          },
        },
      },
    }),
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition': top('CustomResourceDefinition', 'apiextensions.k8s.io/v1', {
      spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    }),
  },
};

/** Writes the fixture as `<dir>/_definitions.json` (a local kubernetes-json-schema location). */
export async function writeFixtureSchemas(dir: string): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, '_definitions.json'), JSON.stringify(fixtureDefinitions));
  return dir;
}
