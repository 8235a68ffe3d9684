/**
 * Decodes the protobuf request bodies client-go's typed clients send
 * (`application/vnd.kubernetes.protobuf`): the 4-byte `k8s\0` magic, then a
 * runtime.Unknown whose `raw` field holds the object. Helm's release storage
 * writes Secrets (and ConfigMaps with HELM_DRIVER=configmap) this way; the
 * messages below are copied from k8s.io/api/core/v1/generated.proto and
 * k8s.io/apimachinery's generated.proto, trimmed to the fields those objects
 * use. Anything else answers 415 (see api-handlers.ts) rather than guessing.
 */
import protobuf from 'protobufjs';
import { unsupportedMediaType } from './api-status.js';

const PROTO = `
syntax = "proto2";
package sandbox;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message Time { optional int64 seconds = 1; optional int32 nanos = 2; }
message OwnerReference { optional string kind = 1; optional string name = 3; optional string uid = 4; optional string apiVersion = 5; optional bool controller = 6; optional bool blockOwnerDeletion = 7; }
message FieldsV1 { optional bytes Raw = 1; }
message ManagedFieldsEntry { optional string manager = 1; optional string operation = 2; optional string apiVersion = 3; optional Time time = 4; optional string fieldsType = 6; optional FieldsV1 fieldsV1 = 7; optional string subresource = 8; }
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3; optional string selfLink = 4;
  optional string uid = 5; optional string resourceVersion = 6; optional int64 generation = 7;
  optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9; optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11; map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14; repeated ManagedFieldsEntry managedFields = 17;
}
message Secret { optional ObjectMeta metadata = 1; map<string, bytes> data = 2; optional string type = 3; map<string, string> stringData = 4; optional bool immutable = 5; }
message ConfigMap { optional ObjectMeta metadata = 1; map<string, string> data = 2; map<string, bytes> binaryData = 3; optional bool immutable = 4; }
message NamespaceSpec { repeated string finalizers = 1; }
message Namespace { optional ObjectMeta metadata = 1; optional NamespaceSpec spec = 2; }
message Preconditions { optional string uid = 1; optional string resourceVersion = 2; }
message DeleteOptions { optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3; optional string propagationPolicy = 4; repeated string dryRun = 5; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const Unknown = root.lookupType('sandbox.Unknown');
const MESSAGES: Record<string, protobuf.Type> = {
  Secret: root.lookupType('sandbox.Secret'),
  ConfigMap: root.lookupType('sandbox.ConfigMap'),
  Namespace: root.lookupType('sandbox.Namespace'),
  DeleteOptions: root.lookupType('sandbox.DeleteOptions'),
};
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** Decodes an enveloped protobuf body into the JSON object the same request would have sent as JSON. */
export function decodeProtobufObject(body: Buffer): Record<string, any> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw unsupportedMediaType(`${PROTOBUF_CONTENT_TYPE} without the k8s\\0 envelope`);
  const unknown = Unknown.toObject(Unknown.decode(body.subarray(4)), { bytes: Buffer }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Buffer };
  const kind = unknown.typeMeta?.kind ?? '';
  const type = MESSAGES[kind];
  if (!type) throw unsupportedMediaType(`${PROTOBUF_CONTENT_TYPE} for kind ${kind || '(none)'} (the sandbox decodes Secret, ConfigMap, Namespace and DeleteOptions)`);
  const message = type.toObject(type.decode(unknown.raw ?? Buffer.alloc(0)), { longs: Number, bytes: Buffer, defaults: false });
  return { apiVersion: unknown.typeMeta?.apiVersion ?? 'v1', kind, ...toJsonShape(kind, message) };
}

/** Protobuf field shapes -> the JSON shapes (base64 bytes, RFC 3339 times, FieldsV1 as JSON). */
function toJsonShape(kind: string, message: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...message };
  if (message.metadata) out.metadata = metaToJson(message.metadata);
  if (kind === 'Secret' && message.data) out.data = mapValues(message.data, (b: Buffer) => b.toString('base64'));
  if (kind === 'ConfigMap' && message.binaryData) out.binaryData = mapValues(message.binaryData, (b: Buffer) => b.toString('base64'));
  return dropEmpty(out);
}

function metaToJson(meta: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...meta };
  for (const key of ['creationTimestamp', 'deletionTimestamp']) if (meta[key]) out[key] = timeToJson(meta[key]);
  if (meta.managedFields) {
    out.managedFields = meta.managedFields.map((e: Record<string, any>) => ({
      ...e,
      ...(e.time ? { time: timeToJson(e.time) } : {}),
      ...(e.fieldsV1?.Raw ? { fieldsV1: JSON.parse(Buffer.from(e.fieldsV1.Raw).toString('utf8')) } : {}),
    }));
  }
  if (out.generation === 0) delete out.generation;
  return dropEmpty(out);
}

const timeToJson = (t: { seconds?: number; nanos?: number }) => new Date((t.seconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const mapValues = <A, B>(m: Record<string, A>, f: (a: A) => B) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)]));

function dropEmpty(o: Record<string, any>): Record<string, any> {
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && Object.keys(v).length === 0)) delete o[k];
  }
  return o;
}
