/**
 * The simulated cluster's write path, independent of HTTP: create, update,
 * patch, apply, delete and status writes with the bookkeeping the API server
 * does (uid, resourceVersion, generation, managedFields, namespace checks,
 * owner-reference garbage collection, CRDs registering their kinds).
 */
import { randomUUID } from 'node:crypto';
import { ApiError, alreadyExists, conflict, invalid, namespaceNotFound, notFound } from './api-status.js';
import { applyDefaults, ClusterIpAllocator, IMMUTABLE_SELECTOR_KINDS, preserveOnUpdate, UNGENERATED_KINDS } from './defaults.js';
import { canonicalJson, ObjectStore, type KubeObject } from './object-store.js';
import { checkLease } from './lease-fields.js';
import { validateMetadata } from './object-validation.js';
import { apiVersionOf, parseApiVersion, ResourceCatalog, storageKeyOf, type ResourceType } from './resource-catalog.js';
import { recordUpdate, serverSideApply } from './server-side-apply.js';

export interface WriteOptions {
  /** Field manager (query `fieldManager`, else derived from the User-Agent like the real server). */
  manager: string;
  dryRun?: boolean;
  subresource?: string;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class Cluster {
  readonly store = new ObjectStore();
  readonly catalog = new ResourceCatalog();
  private ips = new ClusterIpAllocator();

  constructor(private readonly clock: () => Date = () => new Date()) {
    for (const ns of SYSTEM_NAMESPACES) this.create(this.type('', 'v1', 'Namespace'), '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, { manager: 'kube-apiserver' });
    this.create(this.type('', 'v1', 'Node'), '', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'sandbox-node', labels: { 'kubernetes.io/hostname': 'sandbox-node', 'kubernetes.io/os': 'linux' } },
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }], nodeInfo: { kubeletVersion: 'v1.33.0' } },
    }, { manager: 'kubelet' });
  }

  now(): string {
    return this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  type(group: string, version: string, kind: string): ResourceType {
    const t = this.catalog.byKind(group, version, kind);
    if (!t) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (kind ${kind} in ${apiVersionOf({ group, version })})`);
    return t;
  }

  /** The type an object's own apiVersion/kind names. */
  typeOf(object: KubeObject): ResourceType {
    const { group, version } = parseApiVersion(String(object.apiVersion ?? ''));
    return this.type(group, version, String(object.kind ?? ''));
  }

  get(t: ResourceType, namespace: string, name: string): KubeObject {
    const found = this.store.get(storageKeyOf(t), t.namespaced ? namespace : '', name);
    if (!found) throw notFound(t, name);
    return this.present(t, found);
  }

  find(t: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const found = this.store.get(storageKeyOf(t), t.namespaced ? namespace : '', name);
    return found ? this.present(t, found) : undefined;
  }

  list(t: ResourceType, namespace?: string): KubeObject[] {
    return this.store.list(storageKeyOf(t), t.namespaced ? namespace : undefined).map((o) => this.present(t, o));
  }

  /** A copy as seen through the requested version (custom resources are stored as written). */
  present(t: ResourceType, object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    copy.apiVersion = apiVersionOf(t);
    return copy;
  }

  create(t: ResourceType, namespace: string, input: KubeObject, options: WriteOptions): KubeObject {
    const object = structuredClone(input);
    object.apiVersion = apiVersionOf(t);
    object.kind = t.kind;
    const meta = (object.metadata ??= {});
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    if (!meta.name) throw invalid(t, '', ['metadata.name: Required value: name or generateName is required']);
    validateMetadata(t, object);
    checkLease(t, object);
    if (t.namespaced) {
      const ns = namespace || meta.namespace || 'default';
      if (meta.namespace && meta.namespace !== ns) throw new ApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      if (!this.store.get('/namespaces', '', ns)) throw namespaceNotFound(ns);
      meta.namespace = ns;
    } else delete meta.namespace;
    if (this.store.get(storageKeyOf(t), meta.namespace ?? '', meta.name)) throw alreadyExists(t, meta.name);
    meta.uid = randomUUID();
    meta.creationTimestamp = this.now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    if (!UNGENERATED_KINDS.has(t.kind)) meta.generation = 1;
    if (t.subresources?.includes('status') && t.kind !== 'Node') delete object.status;
    applyDefaults(object, this.ips);
    if (!meta.managedFields?.length) recordUpdate(undefined, object, options.manager, t.kind, this.now());
    if (options.dryRun) return this.present(t, object);
    return this.commit(t, object);
  }

  /** PUT semantics: replaces the stored object (optionally guarded by metadata.resourceVersion). */
  update(t: ResourceType, namespace: string, name: string, input: KubeObject, options: WriteOptions): KubeObject {
    const previous = this.store.get(storageKeyOf(t), t.namespaced ? namespace : '', name);
    if (!previous) throw notFound(t, name);
    const next = structuredClone(input);
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== previous.metadata.resourceVersion) throw conflict(t, name);
    return this.replace(t, previous, next, options);
  }

  /** Writes a new version of an existing object computed by a patch. */
  replace(t: ResourceType, previous: KubeObject, next: KubeObject, options: WriteOptions, recordManager = true): KubeObject {
    next.apiVersion = apiVersionOf(t);
    next.kind = t.kind;
    const meta = (next.metadata ??= {});
    if (meta.name && meta.name !== previous.metadata.name) throw new ApiError(400, 'BadRequest', `the name of the object (${meta.name}) does not match the name on the URL (${previous.metadata.name})`);
    meta.name = previous.metadata.name;
    if (previous.metadata.namespace) meta.namespace = previous.metadata.namespace;
    meta.uid = previous.metadata.uid;
    meta.creationTimestamp = previous.metadata.creationTimestamp;
    if (previous.metadata.deletionTimestamp) meta.deletionTimestamp = previous.metadata.deletionTimestamp;
    if (options.subresource === 'status') {
      // Status writes change nothing but status.
      const kept = structuredClone(previous);
      kept.status = next.status;
      return this.finishUpdate(t, previous, kept, options, recordManager);
    }
    if (t.subresources?.includes('status')) {
      if (previous.status === undefined) delete next.status;
      else next.status = structuredClone(previous.status);
    }
    if (IMMUTABLE_SELECTOR_KINDS.has(t.kind) && canonicalJson(previous.spec?.selector) !== canonicalJson(next.spec?.selector)) {
      throw invalid(t, meta.name, [`spec.selector: Invalid value: ${JSON.stringify(next.spec?.selector ?? null)}: field is immutable`]);
    }
    preserveOnUpdate(previous, next);
    validateMetadata(t, next);
    checkLease(t, next);
    if (previous.metadata.generation !== undefined) {
      const specChanged = canonicalJson(withoutMetaStatus(previous)) !== canonicalJson(withoutMetaStatus(next));
      meta.generation = previous.metadata.generation + (specChanged ? 1 : 0);
    } else delete meta.generation;
    return this.finishUpdate(t, previous, next, options, recordManager);
  }

  private finishUpdate(t: ResourceType, previous: KubeObject, next: KubeObject, options: WriteOptions, recordManager: boolean): KubeObject {
    const incoming = next.metadata.managedFields;
    const unchangedFields = JSON.stringify(incoming ?? null) === JSON.stringify(previous.metadata.managedFields ?? null);
    if (recordManager && (!incoming?.length || unchangedFields)) {
      next.metadata.managedFields = previous.metadata.managedFields;
      recordUpdate(previous, next, options.manager, t.kind, this.now(), options.subresource);
    }
    // A write that changes nothing is a no-op: same resourceVersion, no watch event.
    const comparable = (o: KubeObject) => canonicalJson({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } });
    if (comparable(previous) === comparable(next)) return this.present(t, previous);
    if (options.dryRun) return this.present(t, next);
    return this.commit(t, next);
  }

  apply(t: ResourceType, namespace: string, name: string, applied: KubeObject, options: WriteOptions & { force: boolean }): KubeObject {
    if (applied.metadata?.name && applied.metadata.name !== name) throw new ApiError(400, 'BadRequest', `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
    if (t.kind !== applied.kind) throw new ApiError(400, 'BadRequest', `the kind of the applied object (${applied.kind}) does not match the URL (${t.kind})`);
    const previous = this.store.get(storageKeyOf(t), t.namespaced ? namespace : '', name);
    const body = structuredClone(applied);
    body.metadata = { ...body.metadata, name };
    if (options.subresource !== 'status' && t.subresources?.includes('status')) delete body.status;
    const merged = serverSideApply(previous, body, options.manager, t.kind, this.now(), options.force);
    if (!previous) return this.create(t, namespace, merged, options);
    return this.replace(t, previous, merged, options, false);
  }

  delete(t: ResourceType, namespace: string, name: string, options: { propagationPolicy?: string; dryRun?: boolean; preconditionUid?: string; preconditionResourceVersion?: string } = {}): KubeObject {
    const ns = t.namespaced ? namespace : '';
    const existing = this.store.get(storageKeyOf(t), ns, name);
    if (!existing) throw notFound(t, name);
    if (options.preconditionUid && options.preconditionUid !== existing.metadata.uid) throw conflict(t, name, `Precondition failed: UID in precondition: ${options.preconditionUid}, UID in object meta: ${existing.metadata.uid}`);
    if (options.preconditionResourceVersion && options.preconditionResourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(t, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditionResourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`);
    }
    if (options.dryRun) return this.present(t, existing);
    const removed = this.store.remove(storageKeyOf(t), ns, name)!;
    if (t.kind === 'Namespace') this.emptyNamespace(name);
    if (t.kind === 'CustomResourceDefinition') this.dropCrd(removed);
    if (options.propagationPolicy !== 'Orphan') this.collectDependents(removed.metadata.uid);
    return this.present(t, removed);
  }

  /** Controller-style status write: no generation change, manager kept out of the way. */
  writeStatus(t: ResourceType, object: KubeObject, status: KubeObject['status']): KubeObject | undefined {
    const current = this.store.get(storageKeyOf(t), object.metadata.namespace ?? '', object.metadata.name);
    if (!current || current.metadata.uid !== object.metadata.uid) return undefined;
    if (canonicalJson(current.status) === canonicalJson(status)) return current;
    return this.store.put(storageKeyOf(t), { ...structuredClone(current), status: structuredClone(status) });
  }

  private commit(t: ResourceType, object: KubeObject): KubeObject {
    const stored = this.store.put(storageKeyOf(t), object);
    if (t.kind === 'CustomResourceDefinition') this.establishCrd(t, stored);
    return this.present(t, this.store.get(storageKeyOf(t), stored.metadata.namespace ?? '', stored.metadata.name)!);
  }

  private establishCrd(t: ResourceType, crd: KubeObject): void {
    this.catalog.registerCrd(crd);
    const conditions = [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: crd.metadata.creationTimestamp },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: crd.metadata.creationTimestamp },
    ];
    const storedVersions = (crd.spec?.versions ?? []).filter((v: KubeObject) => v.storage).map((v: KubeObject) => v.name);
    this.store.put(storageKeyOf(t), { ...crd, status: { conditions, acceptedNames: crd.spec?.names ?? {}, storedVersions } });
  }

  private dropCrd(crd: KubeObject): void {
    const types = this.catalog.unregisterCrd(crd.metadata.name);
    const first = types[0];
    if (!first) return;
    for (const o of this.store.list(storageKeyOf(first))) this.store.remove(storageKeyOf(first), o.metadata.namespace ?? '', o.metadata.name);
  }

  private emptyNamespace(namespace: string): void {
    for (const key of this.store.storageKeys()) {
      for (const o of this.store.list(key, namespace)) this.store.remove(key, namespace, o.metadata.name);
    }
  }

  /** The garbage collector, done synchronously: dependents go with their owner. */
  private collectDependents(uid: string): void {
    for (const key of this.store.storageKeys()) {
      for (const o of this.store.list(key)) {
        if ((o.metadata.ownerReferences ?? []).some((r: KubeObject) => r.uid === uid)) {
          const removed = this.store.remove(key, o.metadata.namespace ?? '', o.metadata.name);
          if (removed) this.collectDependents(removed.metadata.uid);
        }
      }
    }
  }
}

const withoutMetaStatus = (o: KubeObject) => {
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
};
