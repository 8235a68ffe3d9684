/**
 * `Status` objects shaped like the real API server's, so client-go maps them
 * onto the same errors (apierrors.IsNotFound, IsAlreadyExists, IsConflict...).
 */
import type { ResourceType } from './resource-catalog.js';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `deployments.apps` the way the API server names a resource in messages. */
export const qualifiedResource = (t: ResourceType): string => (t.group ? `${t.resource}.${t.group}` : t.resource);

const detailsOf = (t: ResourceType, name: string) => ({ name, group: t.group || undefined, kind: t.resource });

export const notFound = (t: ResourceType, name: string) => new ApiError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, detailsOf(t, name));
export const alreadyExists = (t: ResourceType, name: string) => new ApiError(409, 'AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, detailsOf(t, name));
export const conflict = (t: ResourceType, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again') =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`, detailsOf(t, name));
export const invalid = (t: ResourceType, name: string, problems: string[]) =>
  new ApiError(422, 'Invalid', `${t.kind} "${name}" is invalid: ${problems.join(', ')}`, { ...detailsOf(t, name), kind: t.kind });
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const gone = (message: string) => new ApiError(410, 'Expired', message);
export const methodNotAllowed = (message: string) => new ApiError(405, 'MethodNotAllowed', message);
export const unsupportedMediaType = (contentType: string) => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${contentType})`);
export const pathNotFound = () => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
export const internalError = (message: string) => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
export const namespaceNotFound = (ns: string) =>
  new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
