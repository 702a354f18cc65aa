// REST paths and query strings of the Kubernetes API for a discovered resource.
import type { ResourceInfo, WatchOptions } from '../../ports/cluster.js';

const seg = encodeURIComponent;

/** `/api/v1` or `/apis/<group>/<version>`. */
export const versionRoot = (apiVersion: string): string =>
  apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;

/**
 * The collection: namespaced kinds with a namespace get `/namespaces/<ns>/`, cluster-scoped kinds and
 * all-namespace reads do not (a namespace given for a cluster-scoped kind is ignored, as the port says).
 */
export const collectionPath = (info: ResourceInfo, namespace: string | undefined): string =>
  info.namespaced && namespace !== undefined && namespace !== ''
    ? `${versionRoot(info.apiVersion)}/namespaces/${seg(namespace)}/${info.plural}`
    : `${versionRoot(info.apiVersion)}/${info.plural}`;

export const objectPath = (
  info: ResourceInfo,
  namespace: string | undefined,
  name: string,
  subresource?: 'status' | 'binding',
): string =>
  `${collectionPath(info, namespace)}/${seg(name)}${subresource === undefined ? '' : `/${subresource}`}`;

/** A query string (with its `?`) from the defined, non-empty values; empty when there are none. */
export const query = (params: Readonly<Record<string, string | undefined>>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
};

/**
 * The query of a watch. `sendInitialEvents` needs `resourceVersionMatch=NotOlderThan` and bookmarks (the API
 * server rejects it otherwise); `timeoutSeconds` makes the server end a quiet watch, so a half-open connection
 * cannot hang forever.
 */
export const watchQuery = (options: WatchOptions, timeoutSeconds: number | undefined): string =>
  query({
    watch: 'true',
    resourceVersion: options.resourceVersion,
    allowWatchBookmarks:
      options.allowBookmarks === true || options.sendInitialEvents === true ? 'true' : undefined,
    sendInitialEvents: options.sendInitialEvents === true ? 'true' : undefined,
    resourceVersionMatch: options.sendInitialEvents === true ? 'NotOlderThan' : undefined,
    labelSelector: options.labelSelector,
    fieldSelector: options.fieldSelector,
    timeoutSeconds: timeoutSeconds === undefined ? undefined : String(timeoutSeconds),
  });
