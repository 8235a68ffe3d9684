/** Group, version and kind of a resource, as `apiVersion` + `kind` spell them. */
export interface GroupVersionKind {
  /** '' for the core group (`apiVersion: v1`). */
  group: string;
  version: string;
  kind: string;
}

export function gvkOf(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}

export function apiVersionOf(gvk: { group: string; version: string }): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/** `apps/v1/Deployment`, `v1/Service`: the form kubeconform's --skip/--reject accept besides a bare kind. */
export function gvkString(gvk: GroupVersionKind): string {
  return `${apiVersionOf(gvk)}/${gvk.kind}`;
}

/** Matches a --skip/--reject entry: a bare kind (`Secret`) or apiVersion/kind (`v1/Secret`, `apps/v1/Deployment`). */
export function matchesKindFilter(filters: ReadonlySet<string>, apiVersion: string, kind: string): boolean {
  return filters.size > 0 && (filters.has(kind) || filters.has(`${apiVersion}/${kind}`));
}
