// A cluster port wrapper that counts each call as the HTTP request the real-cluster adapter sends for it.
import type { GroupVersionKind } from '../../src/domain/kubernetes.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import { requestKey } from './apiserver-metrics.js';

export interface CountingPort {
  readonly port: ClusterPort;
  /** Calls by the same key as the API server's counters (`POST pods`, `PATCH pods/status`, `WATCH pods`, ...). */
  readonly counts: Map<string, number>;
}

// Good enough for the built-in kinds a bench touches (Pod, Namespace); a custom resource would need discovery.
const pluralOf = (gvk: GroupVersionKind): string => `${gvk.kind.toLowerCase()}s`;
const groupOf = (gvk: GroupVersionKind): string =>
  gvk.apiVersion.includes('/') ? (gvk.apiVersion.split('/')[0] ?? '') : '';

/**
 * One port call is one request, except retries (429 / Retry-After, stale keep-alive sockets) and discovery
 * (`GET /api/v1`, cached); the adapter's `stats()` reports those separately.
 */
export const countingPort = (inner: ClusterPort): CountingPort => {
  const counts = new Map<string, number>();
  const bump = (verb: string, gvk: GroupVersionKind, subresource = ''): void => {
    const key = requestKey(verb, pluralOf(gvk), subresource, groupOf(gvk));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  // Counted when the task runs, not when it is built: a TaskEither built and never run sends nothing.
  const counted =
    <A>(verb: string, gvk: GroupVersionKind, te: () => Promise<A>, subresource = ''): (() => Promise<A>) =>
    () => {
      bump(verb, gvk, subresource);
      return te();
    };
  const port: ClusterPort = {
    ...inner,
    get: (r) => counted('GET', r, inner.get(r)),
    list: (g, s) => counted('LIST', g, inner.list(g, s)),
    watch: (g, o) => counted('WATCH', g, inner.watch(g, o)),
    create: (o) => counted('POST', o, inner.create(o)),
    update: (o) => counted('PUT', o, inner.update(o)),
    updateStatus: (o) => counted('PUT', o, inner.updateStatus(o), 'status'),
    patch: (r, p) => counted('PATCH', r, inner.patch(r, p)),
    patchStatus: (r, p) => counted('PATCH', r, inner.patchStatus(r, p), 'status'),
    delete: (r, o) => counted('DELETE', r, inner.delete(r, o)),
    bind: (r, n) => counted('POST', r, inner.bind(r, n), 'binding'),
  };
  return { port, counts };
};
