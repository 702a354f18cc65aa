// Discovery: kind -> plural, scope and status subresource from /api/v1 and /apis/<group>/<version>, cached per version.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { GroupVersionKind } from '../../domain/kubernetes.js';
import type { ApiError } from '../../domain/api-error.js';
import type { ResourceInfo } from '../../ports/cluster.js';
import { decodeFailure, isRecord, parseObject } from './errors.js';
import type { Transport } from './transport.js';

/** One entry of an APIResourceList, reduced to what the adapter uses. */
export interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export interface Discovery {
  /** The kind's resource, or none when its group/version or the kind itself is not served. */
  readonly lookup: (gvk: GroupVersionKind) => Promise<E.Either<ApiError, O.Option<ResourceInfo>>>;
  /** Forgets a group/version, e.g. after the server answered that a resource it listed is gone. */
  readonly invalidate: (apiVersion: string) => void;
  /** Discovery requests sent so far (for the cache's own tests). */
  readonly fetches: () => number;
}

const coreVersion = /^v\d+[a-z0-9]*$/;
const groupVersion = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/v\d+[a-z0-9]*$/;

/** The discovery path of an apiVersion, or none for a string that cannot be one. */
export const discoveryPath = (apiVersion: string): O.Option<string> =>
  coreVersion.test(apiVersion)
    ? O.some(`/api/${apiVersion}`)
    : groupVersion.test(apiVersion)
      ? O.some(`/apis/${apiVersion}`)
      : O.none;

/** The resources of an APIResourceList body (subresources included, as `pods/status`). */
export const resourcesOf = (list: Record<string, unknown>): ReadonlyArray<ApiResource> => {
  const raw = list['resources'];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((r: unknown) =>
    isRecord(r) && typeof r['name'] === 'string' && typeof r['kind'] === 'string'
      ? [{ name: r['name'], kind: r['kind'], namespaced: r['namespaced'] === true }]
      : [],
  );
};

/** Finds a kind in a version's resource list: the top-level resource, and whether it has a status subresource. */
export const resolveKind = (
  gvk: GroupVersionKind,
  resources: ReadonlyArray<ApiResource>,
): O.Option<ResourceInfo> => {
  const main = resources.find((r) => r.kind === gvk.kind && !r.name.includes('/'));
  if (main === undefined) return O.none;
  return O.some({
    apiVersion: gvk.apiVersion,
    kind: gvk.kind,
    plural: main.name,
    namespaced: main.namespaced,
    statusSubresource: resources.some((r) => r.name === `${main.name}/status`),
  });
};

/**
 * Positive answers are kept for the adapter's lifetime (kinds rarely change shape while served); a miss always
 * asks the server again, so a CRD installed after start-up is found. Concurrent misses share one request.
 */
export const makeDiscovery = (transport: Transport): Discovery => {
  const cache = new Map<string, ReadonlyArray<ApiResource>>();
  const inflight = new Map<string, Promise<E.Either<ApiError, ReadonlyArray<ApiResource>>>>();
  let fetches = 0;

  const fetchVersion = async (
    apiVersion: string,
    path: string,
  ): Promise<E.Either<ApiError, ReadonlyArray<ApiResource>>> => {
    fetches++;
    const res = await transport.send({ method: 'GET', path });
    if (E.isLeft(res)) return res;
    const { status, body, headers } = res.right;
    // A group/version that is not served (CRD not installed yet): an empty list, not an error.
    if (status === 404) return E.right([]);
    if (status < 200 || status >= 300) {
      const retryAfter = headers['retry-after'];
      return E.left(decodeFailure(status, body, typeof retryAfter === 'string' ? retryAfter : undefined));
    }
    return E.map((list: Record<string, unknown>) => {
      const resources = resourcesOf(list);
      cache.set(apiVersion, resources);
      return resources;
    })(parseObject(`discovery of ${apiVersion}`, body));
  };

  const refresh = (
    apiVersion: string,
    path: string,
  ): Promise<E.Either<ApiError, ReadonlyArray<ApiResource>>> => {
    const pending = inflight.get(apiVersion);
    if (pending !== undefined) return pending;
    const p = fetchVersion(apiVersion, path).finally(() => inflight.delete(apiVersion));
    inflight.set(apiVersion, p);
    return p;
  };

  const lookup = async (gvk: GroupVersionKind): Promise<E.Either<ApiError, O.Option<ResourceInfo>>> => {
    const path = discoveryPath(gvk.apiVersion);
    if (O.isNone(path)) return E.right(O.none);
    const cached = cache.get(gvk.apiVersion);
    if (cached !== undefined) {
      const hit = resolveKind(gvk, cached);
      if (O.isSome(hit)) return E.right(hit);
    }
    return E.map((resources: ReadonlyArray<ApiResource>) => resolveKind(gvk, resources))(
      await refresh(gvk.apiVersion, path.value),
    );
  };

  return {
    lookup,
    invalidate: (apiVersion) => {
      cache.delete(apiVersion);
    },
    fetches: () => fetches,
  };
};
