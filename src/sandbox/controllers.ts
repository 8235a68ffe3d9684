/**
 * Stand-ins for kube-controller-manager and the kubelet: after a short,
 * configurable delay, workloads report the status real controllers would
 * write once their pods are up (observedGeneration, replica counts,
 * conditions), so helm 4's kstatus and helm 3's ready checks see them become
 * ready. Deployments get ReplicaSets (helm 3 looks for the new one) and
 * ReplicaSets get Pods; StatefulSets, DaemonSets and Jobs report status
 * without Pods. Standalone Pods (helm test hooks) run to
 * Succeeded when restartPolicy is Never/OnFailure, else become Running/Ready.
 * Injected faults (faults.ts) keep an object from becoming ready or make it
 * fail. For Deployments, StatefulSets and DaemonSets a fault behaves like a bad
 * image: it hits pod templates first rolled out while it is set, while
 * templates that were ready before stay good, so a rollback recovers.
 */
import { createHash } from 'node:crypto';
import type { Cluster } from './cluster.js';
import { ControllerLoop } from './controller-loop.js';
import { RELEASE_TARGET, type FaultRegistry, type WorkloadFault } from './faults.js';
import { canonicalJson, type KubeObject, type StoreEvent } from './object-store.js';
import { storageKeyOf, type ResourceType } from './resource-catalog.js';

export interface ControllerSettings {
  /** How long a workload takes to become ready after a change (ms). */
  readinessDelayMs: number;
}

const WATCHED = new Set(['apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets', 'batch/jobs', '/pods']);
const MANAGER = 'kube-controller-manager';
/** Kinds whose readiness faults follow the pod template (see the header). */
const TEMPLATED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export class Controllers extends ControllerLoop {
  /** uid -> the generation being rolled out and when it becomes ready. */
  private rollouts = new Map<string, { generation: number; readyAt: number; timer?: NodeJS.Timeout }>();
  /** workload uid -> pod template hashes that have been ready (immune to later faults). */
  private goodTemplates = new Map<string, Set<string>>();

  constructor(
    cluster: Cluster,
    private readonly faults: FaultRegistry,
    readonly settings: ControllerSettings,
    onError?: (err: unknown) => void,
  ) {
    super(cluster, onError);
  }

  override stop(): void {
    super.stop();
    for (const r of this.rollouts.values()) clearTimeout(r.timer);
    this.rollouts.clear();
  }

  /** Re-evaluates one object now (after a fault was injected or cleared). */
  poke(namespace: string, kind: string, name: string): void {
    if (kind === RELEASE_TARGET) return this.pokeRelease(namespace, name);
    const t = this.cluster.catalog.all().find((x) => x.kind === kind && WATCHED.has(storageKeyOf(x)));
    if (!t) return;
    this.enqueue(storageKeyOf(t), namespace, name);
    // ReplicaSets take their readiness from their Deployment's fault: they re-evaluate too.
    const owner = this.cluster.store.get(storageKeyOf(t), namespace, name);
    for (const rs of owner && kind === 'Deployment' ? this.cluster.store.list('apps/replicasets', namespace) : []) {
      if (controllerUid(rs) === owner!.metadata.uid) this.enqueue('apps/replicasets', namespace, rs.metadata.name);
    }
  }

  /** Re-evaluates every workload helm installed for this release. */
  private pokeRelease(namespace: string, release: string): void {
    for (const key of WATCHED) {
      for (const o of this.cluster.store.list(key, namespace)) {
        if (o.metadata.annotations?.['meta.helm.sh/release-name'] === release) this.poke(namespace, o.kind, o.metadata.name);
      }
    }
  }

  protected onEvent(event: StoreEvent): void {
    if (!WATCHED.has(event.storageKey)) return;
    if (event.type === 'DELETED') {
      const r = this.rollouts.get(event.object.metadata.uid);
      clearTimeout(r?.timer);
      this.rollouts.delete(event.object.metadata.uid);
      this.goodTemplates.delete(event.object.metadata.uid);
      // A ReplicaSet replaces a Pod deleted under it.
      const owner = event.object.metadata.ownerReferences?.find((r: KubeObject) => r.controller);
      if (event.storageKey === '/pods' && owner?.kind === 'ReplicaSet') this.enqueue('apps/replicasets', event.namespace, owner.name);
      return;
    }
    this.enqueue(event.storageKey, event.namespace, event.object.metadata.name);
    // A Deployment's readiness follows its ReplicaSets.
    const owner = event.object.metadata.ownerReferences?.find((r: KubeObject) => r.controller);
    if (event.storageKey === 'apps/replicasets' && owner?.kind === 'Deployment') this.enqueue('apps/deployments', event.namespace, owner.name);
  }

  private enqueue(storageKey: string, namespace: string, name: string): void {
    this.schedule(`${storageKey}|${namespace}|${name}`, () => this.reconcile(storageKey, namespace, name));
  }

  private reconcile(storageKey: string, namespace: string, name: string): void {
    const t = this.cluster.catalog.all().find((x) => storageKeyOf(x) === storageKey);
    const object = t && this.cluster.store.get(storageKey, namespace, name);
    if (!t || !object) return;
    const fault = this.effectiveFault(object, this.faults.faultOf(object as KubeObject & { kind: string; metadata: { name: string } }));
    if (t.kind === 'Deployment') return this.reconcileDeployment(t, object, fault);
    // Pods of a ReplicaSet follow it (reconcileReplicaSet writes their status).
    const podOwner = t.kind === 'Pod' ? object.metadata.ownerReferences?.find((r: KubeObject) => r.controller) : undefined;
    if (podOwner?.kind === 'ReplicaSet') return this.enqueue('apps/replicasets', namespace, podOwner.name);
    const ready = this.isReadyNow(object, storageKey, namespace, name) && fault !== 'never-ready';
    if (ready && fault === undefined && TEMPLATED_KINDS.has(t.kind)) this.markGood(object.metadata.uid, podTemplateHash(object.spec?.template ?? {}));
    switch (t.kind) {
      case 'ReplicaSet':
        return this.reconcileReplicaSet(t, object, ready, fault);
      case 'StatefulSet':
        return void this.cluster.writeStatus(t, object, statefulSetStatus(object, ready));
      case 'DaemonSet':
        return void this.cluster.writeStatus(t, object, daemonSetStatus(object, ready));
      case 'Job':
        return void this.cluster.writeStatus(t, object, jobStatus(object, ready, fault, this.cluster.now(), object.status));
      case 'Pod':
        return void this.cluster.writeStatus(t, object, podStatus(object, ready, fault, this.cluster.now()));
    }
  }

  private effectiveFault(object: KubeObject, fault: WorkloadFault | undefined): WorkloadFault | undefined {
    if (!fault || !TEMPLATED_KINDS.has(object.kind)) return fault;
    return this.goodTemplates.get(object.metadata.uid)?.has(podTemplateHash(object.spec?.template ?? {})) ? undefined : fault;
  }

  private markGood(uid: string, hash: string): void {
    let set = this.goodTemplates.get(uid);
    if (!set) this.goodTemplates.set(uid, (set = new Set()));
    set.add(hash);
  }

  /** Ready once `readinessDelayMs` has passed since this generation was first seen. */
  private isReadyNow(object: KubeObject, storageKey: string, namespace: string, name: string): boolean {
    const uid = object.metadata.uid;
    const generation = object.metadata.generation ?? 0;
    let rollout = this.rollouts.get(uid);
    if (!rollout || rollout.generation !== generation) {
      clearTimeout(rollout?.timer);
      rollout = { generation, readyAt: performance.now() + this.settings.readinessDelayMs };
      this.rollouts.set(uid, rollout);
    }
    const remaining = rollout.readyAt - performance.now();
    if (remaining <= 0) return true;
    if (!rollout.timer) {
      // Timers may fire a little early: whoever wakes up re-checks and re-arms.
      const current = rollout;
      current.timer = setTimeout(() => {
        current.timer = undefined;
        this.enqueue(storageKey, namespace, name);
      }, Math.ceil(remaining) + 1);
      current.timer.unref();
    }
    return false;
  }

  /** Ready when the ReplicaSet of the current pod template has all its Pods ready (so a rollback to a still-running one is ready at once). */
  private reconcileDeployment(t: ResourceType, deployment: KubeObject, fault: WorkloadFault | undefined): void {
    const replicas: number = deployment.spec?.replicas ?? 1;
    const template = deployment.spec?.template ?? {};
    const hash = podTemplateHash(template);
    const rsType = this.cluster.type('apps', 'v1', 'ReplicaSet');
    const owned = this.cluster.list(rsType, deployment.metadata.namespace).filter((rs) => controllerUid(rs) === deployment.metadata.uid);
    const rsName = `${deployment.metadata.name}-${hash}`;
    const current = owned.find((rs) => rs.metadata.name === rsName);
    // The active ReplicaSet carries the highest revision; a rollback to an old template re-uses (and re-numbers) its ReplicaSet.
    const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    const revision = String(current && revisionOf(current) === maxRevision ? maxRevision : maxRevision + 1);
    const labels = { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash };
    const desired: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: deployment.metadata.namespace,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + 1),
          'deployment.kubernetes.io/revision': revision,
        },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas,
        selector: { ...(deployment.spec?.selector ?? {}), matchLabels: { ...(deployment.spec?.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
      },
    };
    const ready =
      fault !== 'never-ready' &&
      current !== undefined &&
      current.spec?.replicas === replicas &&
      current.status?.observedGeneration === current.metadata.generation &&
      (current.status?.readyReplicas ?? 0) >= replicas;
    if (ready && fault === undefined) this.markGood(deployment.metadata.uid, hash);
    if (!current) this.cluster.create(rsType, deployment.metadata.namespace, desired, { manager: MANAGER });
    else if (current.spec?.replicas !== replicas || revisionOf(current) !== Number(revision)) {
      const stored = this.cluster.store.get(storageKeyOf(rsType), current.metadata.namespace, current.metadata.name)!;
      this.cluster.replace(rsType, stored, { ...current, metadata: { ...current.metadata, annotations: desired.metadata.annotations }, spec: { ...current.spec, replicas } }, { manager: MANAGER });
    }
    // Like a rolling update: old ReplicaSets keep their Pods until the new one is ready.
    for (const old of ready ? owned : []) {
      if (old.metadata.name === rsName || old.spec?.replicas === 0) continue;
      this.cluster.replace(rsType, this.cluster.store.get(storageKeyOf(rsType), old.metadata.namespace, old.metadata.name)!, { ...old, spec: { ...old.spec, replicas: 0 } }, { manager: MANAGER });
    }
    // Old ReplicaSets still running (kept until the new one is ready) count as the real controller counts them.
    const old = ready ? [] : owned.filter((rs) => rs.metadata.name !== rsName);
    const oldPods = old.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
    const oldReady = old.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
    const readyReplicas = (ready ? replicas : 0) + oldReady;
    const minAvailable = replicas - maxUnavailable(deployment.spec?.strategy, replicas);
    const now = this.cluster.now();
    const progressing =
      fault === 'fail'
        ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing (sandbox fault).` }
        : ready
          ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
          : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
    const available = readyReplicas >= minAvailable
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
    const previousConditions: KubeObject[] = deployment.status?.conditions ?? [];
    const stamp = (c: KubeObject) => {
      const before = previousConditions.find((p) => p.type === c.type);
      const same = before && before.status === c.status && before.reason === c.reason;
      return { ...c, lastUpdateTime: same ? before.lastUpdateTime : now, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime : now };
    };
    this.cluster.writeStatus(t, deployment, {
      observedGeneration: deployment.metadata.generation,
      replicas: replicas + oldPods,
      updatedReplicas: replicas,
      readyReplicas,
      availableReplicas: readyReplicas,
      ...(readyReplicas < replicas ? { unavailableReplicas: replicas - readyReplicas } : {}),
      conditions: [stamp(available), stamp(progressing)],
    });
  }

  private reconcileReplicaSet(t: ResourceType, rs: KubeObject, ready: boolean, fault: WorkloadFault | undefined): void {
    const owner = rs.metadata.ownerReferences?.find((r: KubeObject) => r.controller);
    const ownerObject = owner?.kind === 'Deployment' ? this.cluster.store.get('apps/deployments', rs.metadata.namespace, owner.name) : undefined;
    const ownerFault = ownerObject ? this.faults.faultOf(ownerObject as KubeObject & { kind: string; metadata: { name: string } }) : undefined;
    const hash = rs.metadata.labels?.['pod-template-hash'];
    const brokenByOwner = ownerFault !== undefined && !(owner && hash && this.goodTemplates.get(owner.uid)?.has(hash));
    const replicas: number = rs.spec?.replicas ?? 1;
    const readyReplicas = ready && !brokenByOwner && fault !== 'never-ready' ? replicas : 0;
    const podState: ReplicaPodState = readyReplicas > 0 ? 'ready' : brokenByOwner ? (ownerFault === 'fail' ? 'crashing' : 'image-pull-backoff') : 'starting';
    this.syncPods(rs, replicas, podState);
    this.cluster.writeStatus(t, rs, {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas,
      availableReplicas: readyReplicas,
      observedGeneration: rs.metadata.generation,
    });
  }

  /** The ReplicaSet's share of the kubelet's work: as many Pods as replicas, with a status that says how they are doing. */
  private syncPods(rs: KubeObject, replicas: number, state: ReplicaPodState): void {
    const podType = this.cluster.type('', 'v1', 'Pod');
    const owned = this.cluster.list(podType, rs.metadata.namespace).filter((p) => controllerUid(p) === rs.metadata.uid);
    const template = rs.spec?.template ?? {};
    for (let i = owned.length; i < replicas; i++) {
      const pod = this.cluster.create(
        podType,
        rs.metadata.namespace,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${rs.metadata.name}-${randomSuffix()}`,
            labels: template.metadata?.labels,
            annotations: template.metadata?.annotations,
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          spec: template.spec ?? {},
        },
        { manager: MANAGER },
      );
      owned.push(pod);
    }
    for (const extra of owned.splice(replicas)) this.cluster.delete(podType, extra.metadata.namespace, extra.metadata.name);
    const now = this.cluster.now();
    for (const pod of owned) this.cluster.writeStatus(podType, pod, replicaPodStatus(pod, state, now));
  }
}

/** spec.strategy.rollingUpdate.maxUnavailable resolved against the replica count (25% by default, rounded down). */
function maxUnavailable(strategy: KubeObject | undefined, replicas: number): number {
  if (strategy?.type === 'Recreate') return replicas;
  const value = strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  const n = typeof value === 'string' && value.endsWith('%') ? Math.floor((replicas * Number(value.slice(0, -1))) / 100) : Number(value);
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), replicas) : 0;
}

/** A stable address per Pod (EndpointSlices list one per endpoint, so they must differ). */
function podIpOf(pod: KubeObject): string {
  const d = createHash('sha256').update(String(pod.metadata.uid ?? pod.metadata.name)).digest();
  return `10.244.${d[0]!}.${1 + (d[1]! % 254)}`;
}

type ReplicaPodState = 'starting' | 'ready' | 'image-pull-backoff' | 'crashing';

function controllerUid(o: KubeObject): string | undefined {
  return o.metadata.ownerReferences?.find((r: KubeObject) => r.controller)?.uid;
}

/** A stable hash of the pod template, in the alphabet the real controller uses for names. */
export function podTemplateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(canonicalJson(template)).digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function statefulSetStatus(sts: KubeObject, ready: boolean): KubeObject {
  const replicas: number = sts.spec?.replicas ?? 1;
  const revision = `${sts.metadata.name}-${podTemplateHash(sts.spec?.template ?? {})}`;
  const readyReplicas = ready ? replicas : 0;
  return {
    observedGeneration: sts.metadata.generation,
    replicas,
    readyReplicas,
    currentReplicas: readyReplicas,
    updatedReplicas: readyReplicas,
    availableReplicas: readyReplicas,
    currentRevision: ready ? revision : (sts.status?.currentRevision ?? revision),
    updateRevision: revision,
    collisionCount: 0,
  };
}

function daemonSetStatus(ds: KubeObject, ready: boolean): KubeObject {
  const n = ready ? 1 : 0; // one simulated node
  return {
    observedGeneration: ds.metadata.generation,
    desiredNumberScheduled: 1,
    currentNumberScheduled: 1,
    numberMisscheduled: 0,
    numberReady: n,
    updatedNumberScheduled: n,
    numberAvailable: n,
    ...(n === 0 ? { numberUnavailable: 1 } : {}),
  };
}

function jobStatus(job: KubeObject, done: boolean, fault: WorkloadFault | undefined, now: string, previous: KubeObject | undefined): KubeObject {
  const startTime = previous?.startTime ?? now;
  const base = { startTime };
  if (fault === 'fail' && done) {
    return {
      ...base,
      failed: (job.spec?.backoffLimit ?? 6) + 1,
      conditions: [
        { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit (sandbox fault)', lastProbeTime: now, lastTransitionTime: now },
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit (sandbox fault)', lastProbeTime: now, lastTransitionTime: now },
      ],
    };
  }
  if (!done) return { ...base, active: job.spec?.parallelism ?? 1, ready: 0 };
  const completions = job.spec?.completions ?? 1;
  const completedAt = previous?.completionTime ?? now;
  return {
    ...base,
    succeeded: completions,
    ready: 0,
    completionTime: completedAt,
    conditions: [
      { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: completedAt, lastTransitionTime: completedAt },
      { type: 'Complete', status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods', lastProbeTime: completedAt, lastTransitionTime: completedAt },
    ],
  };
}

function podStatus(pod: KubeObject, started: boolean, fault: WorkloadFault | undefined, now: string): KubeObject {
  const previous = pod.status ?? {};
  // A pod that already finished stays finished.
  if (previous.phase === 'Succeeded' || previous.phase === 'Failed') return previous;
  const containers: KubeObject[] = pod.spec?.containers ?? [];
  const runsToCompletion = pod.spec?.restartPolicy === 'Never' || pod.spec?.restartPolicy === 'OnFailure';
  const scheduled = { type: 'PodScheduled', status: 'True', lastTransitionTime: previous.conditions?.[0]?.lastTransitionTime ?? now };
  const base = { hostIP: '10.0.0.1', podIP: '10.244.0.10', podIPs: [{ ip: '10.244.0.10' }], startTime: previous.startTime ?? now, qosClass: previous.qosClass ?? 'BestEffort' };
  if (!started) {
    return {
      ...base,
      phase: 'Pending',
      conditions: [scheduled, { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: now }],
      containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } })),
    };
  }
  if (fault === 'fail' || runsToCompletion) {
    const failed = fault === 'fail';
    return {
      ...base,
      phase: failed ? 'Failed' : 'Succeeded',
      conditions: [scheduled, { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
      containerStatuses: containers.map((c) => ({
        name: c.name,
        image: c.image,
        ready: false,
        restartCount: 0,
        started: false,
        state: { terminated: { exitCode: failed ? 1 : 0, reason: failed ? 'Error' : 'Completed', startedAt: base.startTime, finishedAt: now } },
      })),
    };
  }
  return {
    ...base,
    phase: 'Running',
    conditions: [scheduled, { type: 'Initialized', status: 'True', lastTransitionTime: now }, { type: 'ContainersReady', status: 'True', lastTransitionTime: now }, { type: 'Ready', status: 'True', lastTransitionTime: now }],
    containerStatuses: containers.map((c) => ({ name: c.name, image: c.image, ready: true, restartCount: 0, started: true, state: { running: { startedAt: base.startTime } } })),
  };
}

const randomSuffix = () => Array.from({ length: 5 }, () => 'bcdfghjklmnpqrstvwxz2456789'[Math.floor(Math.random() * 27)]).join('');

/** A workload Pod's status: starting, Running and Ready, or stuck the way a bad image or a crashing process leaves it. */
function replicaPodStatus(pod: KubeObject, state: ReplicaPodState, now: string): KubeObject {
  const previous = pod.status ?? {};
  const started = previous.startTime ?? now;
  const ready = state === 'ready';
  const since = (type: string, status: string) => {
    const before = (previous.conditions ?? []).find((c: KubeObject) => c.type === type);
    return { type, status, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now };
  };
  const containerState: Record<ReplicaPodState, KubeObject> = {
    ready: { running: { startedAt: started } },
    starting: { waiting: { reason: 'ContainerCreating' } },
    'image-pull-backoff': { waiting: { reason: 'ImagePullBackOff', message: 'sandbox fault: never-ready' } },
    crashing: { waiting: { reason: 'CrashLoopBackOff', message: 'sandbox fault: fail' } },
  };
  return {
    phase: state === 'ready' || state === 'crashing' ? 'Running' : 'Pending',
    conditions: [since('PodScheduled', 'True'), since('Initialized', 'True'), since('ContainersReady', ready ? 'True' : 'False'), since('Ready', ready ? 'True' : 'False')],
    hostIP: '10.0.0.1',
    podIP: podIpOf(pod),
    podIPs: [{ ip: podIpOf(pod) }],
    startTime: started,
    qosClass: previous.qosClass ?? 'BestEffort',
    containerStatuses: (pod.spec?.containers ?? []).map((c: KubeObject) => ({
      name: c.name,
      image: c.image,
      ready,
      started: ready,
      restartCount: state === 'crashing' ? 3 : 0,
      state: containerState[state],
    })),
  };
}
