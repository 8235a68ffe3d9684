import { scalarReader } from './yaml-scalar-edit.js';

/** Where one environment's image tag comes from: the file every environment reads, or its own override. */
export interface ImageOrigin {
  service: string;
  tagPath: string;
  tag: unknown;
  /** The last values file of the environment that sets the tag (null: none, the chart default applies). */
  file: string | null;
  /** Set in a file not every environment lists: a per-environment override that promotion does not change. */
  override: boolean;
}

/**
 * For each service, the highest-precedence plain values file that sets its tag
 * (templates are rendered at deploy time and are not looked into).
 */
export function imageOrigins(services: { service: string; tagPath: string }[], values: string[], shared: ReadonlySet<string>, text: (file: string) => string | undefined): ImageOrigin[] {
  // Each file is read and parsed once for all the services (a file that does not parse is passed over).
  const readers = new Map<string, ReturnType<typeof scalarReader> | undefined>();
  const readerOf = (file: string) => {
    if (!readers.has(file)) {
      const t = file.endsWith('.hbs') ? undefined : text(file);
      let reader: ReturnType<typeof scalarReader> | undefined;
      try {
        reader = t === undefined ? undefined : scalarReader(t, file);
      } catch {
        reader = undefined;
      }
      readers.set(file, reader);
    }
    return readers.get(file);
  };
  return services.map(({ service, tagPath }) => {
    const path = tagPath.split('.');
    for (const file of [...values].reverse()) {
      const reader = readerOf(file);
      if (!reader) continue;
      let found: { value: unknown; found: boolean };
      try {
        found = reader(path);
      } catch {
        continue;
      }
      if (found.found) return { service, tagPath, tag: found.value, file, override: !shared.has(file) };
    }
    return { service, tagPath, tag: null, file: null, override: false };
  });
}

/** The values files every environment lists. */
export function sharedFiles(environments: { values: string[] }[]): Set<string> {
  const [first, ...rest] = environments;
  return new Set((first?.values ?? []).filter((v) => rest.every((e) => e.values.includes(v))));
}
