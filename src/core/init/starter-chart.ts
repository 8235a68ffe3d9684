/**
 * A small umbrella chart for a repository that has none yet: one Deployment and its
 * Service, written so that `chartctl lint` passes with no warning (tagged image,
 * requests and limits, probes) and `helm test` has a check to run.
 */
export function starterChartFiles(name: string): Record<string, string> {
  const dir = `charts/${name}`;
  return {
    [`${dir}/Chart.yaml`]: `apiVersion: v2
name: ${name}
description: The ${name} application (written by chartctl init; replace with your own templates)
type: application
version: 0.1.0
appVersion: "1.27.3"
`,
    [`${dir}/values.yaml`]: `# Chart defaults; environments/values/*.yaml override them per environment.
replicaCount: 1
image:
  repository: nginxinc/nginx-unprivileged
  tag: "1.27.3"
service:
  port: 8080
resources:
  requests: {cpu: 50m, memory: 64Mi}
  limits: {cpu: 200m, memory: 128Mi}
`,
    [`${dir}/.helmignore`]: `.git/\n*.tgz\n`,
    [`${dir}/templates/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
      app.kubernetes.io/instance: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/instance: {{ .Release.Name }}
    spec:
      containers:
        - name: ${name}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          livenessProbe:
            httpGet: {path: /, port: http}
          readinessProbe:
            httpGet: {path: /, port: http}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
`,
    [`${dir}/templates/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: {{ .Release.Name }}
  ports:
    - name: http
      port: {{ .Values.service.port }}
      targetPort: http
`,
    [`${dir}/templates/tests/connection.yaml`]: `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test-connection
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox:1.36
      command: ["wget", "-qO-", "http://{{ .Release.Name }}:{{ .Values.service.port }}/"]
      resources:
        requests: {cpu: 10m, memory: 16Mi}
        limits: {cpu: 50m, memory: 32Mi}
`,
  };
}
