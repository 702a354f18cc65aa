// The cluster port over the Kubernetes REST API: discovery-resolved paths, patch media types, Status errors as data.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind, KubeObject } from '../../domain/kubernetes.js';
import {
  badRequest,
  internalError,
  isNotFound,
  isResourceExpired,
  resourceNotServed,
  type ApiError,
} from '../../domain/api-error.js';
import type {
  ClusterPort,
  DeleteOptions,
  DeleteOutcome,
  ObjectList,
  ObjectRef,
  Patch,
  ResourceInfo,
  Selection,
  WatchOptions,
  WatchStream,
} from '../../ports/cluster.js';
import type { Discovery } from './discovery.js';
import { decodeFailure, isRecord, isStatus, parseObject } from './errors.js';
import { collectionPath, objectPath, query, watchQuery } from './paths.js';
import type { HttpRequest, Transport } from './transport.js';
import { eventsStream, watchBodyStream } from './watch.js';

/**
 * How watches on a real API server are kept alive: servers and proxies drop long-lived connections silently,
 * so a watch is ended and restarted on a schedule rather than trusted forever.
 */
export interface WatchSettings {
  /**
   * Ask the server to end each watch after this many seconds (a random value in [min, 2*min), as client-go's
   * reflector does, so many watches do not reconnect together). 0: never. Default 300.
   */
  readonly watchTimeoutSeconds?: number;
  /** A watch silent for this long beyond its timeout is taken for a dead connection and ended. Default 30 000. */
  readonly watchIdleGraceMs?: number;
  /** Undelivered events at which reading pauses. Default 10 000. */
  readonly watchHighWaterMark?: number;
}

/** The media type of each patch kind. */
export const patchContentType: Readonly<Record<Patch['type'], string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

/**
 * Whether a DELETE removed the object, judged from the body the server answered with: a Status means it is gone,
 * and an object is still stored exactly when finalizers remain or a graceful pod waits for its kubelet (the API
 * server's own rule for removing at once: no finalizers and a zero grace period).
 */
export const deleteOutcomeOf = (body: Record<string, unknown>): DeleteOutcome => {
  if (isStatus(body)) return { removed: true };
  const object = body as unknown as KubeObject;
  const finalizers = object.metadata?.finalizers ?? [];
  const grace = object.metadata?.deletionGracePeriodSeconds ?? 0;
  return finalizers.length > 0 || grace > 0 ? { removed: false, object } : { removed: true };
};

const byNamespaceThenName = (a: KubeObject, b: KubeObject): number => {
  const na = a.metadata?.namespace ?? '';
  const nb = b.metadata?.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const ma = a.metadata?.name ?? '';
  const mb = b.metadata?.name ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
};

/** The list body as the port's ObjectList: items carry apiVersion/kind (the API server leaves them out) and are sorted. */
export const objectListOf = (gvk: GroupVersionKind, body: Record<string, unknown>): ObjectList => {
  const raw = Array.isArray(body['items']) ? (body['items'] as unknown[]) : [];
  const items = raw
    .filter(isRecord)
    .map((item): KubeObject => ({ ...item, apiVersion: gvk.apiVersion, kind: gvk.kind }))
    .sort(byNamespaceThenName);
  const metadata = isRecord(body['metadata']) ? body['metadata'] : {};
  const rv = metadata['resourceVersion'];
  return { items, resourceVersion: typeof rv === 'string' ? rv : '' };
};

const randomIn = (min: number): number => min + Math.floor(Math.random() * min);

export const makeClusterPort = (
  transport: Transport,
  discovery: Discovery,
  settings: WatchSettings = {},
): ClusterPort => {
  const watchTimeoutSeconds = settings.watchTimeoutSeconds ?? 300;
  const idleGraceMs = settings.watchIdleGraceMs ?? 30_000;
  const highWaterMark = settings.watchHighWaterMark ?? 10_000;

  // A TaskEither never rejects: anything thrown by a bug below becomes an InternalError value.
  const task =
    <A>(run: () => Promise<E.Either<ApiError, A>>): TE.TaskEither<ApiError, A> =>
    () =>
      run().catch((error: unknown) => E.left(internalError(`kubernetes adapter: ${String(error)}`)));

  const resolve = async (gvk: GroupVersionKind): Promise<E.Either<ApiError, ResourceInfo>> => {
    const found = await discovery.lookup(gvk);
    if (E.isLeft(found)) return found;
    return O.isSome(found.right) ? E.right(found.right.value) : E.left(resourceNotServed());
  };

  // Sends a request and decodes the answer: a JSON object on 2xx, the Status error otherwise.
  const call = async (
    info: ResourceInfo,
    req: HttpRequest,
  ): Promise<E.Either<ApiError, Record<string, unknown>>> => {
    const res = await transport.send(req);
    if (E.isLeft(res)) return res;
    const { status, body, headers } = res.right;
    if (status >= 200 && status < 300) return parseObject(`${req.method} ${req.path}`, body);
    const retryAfter = headers['retry-after'];
    const error = decodeFailure(status, body, typeof retryAfter === 'string' ? retryAfter : undefined);
    // The resource itself vanished (a CRD deleted): forget the version so the next call rediscovers it. A missing
    // subresource (status of a kind without one) says nothing about the resource.
    const subresource = /\/(status|binding)$/.test(req.path.split('?')[0] ?? '');
    if (isNotFound(error) && error.details?.name === undefined && !subresource)
      discovery.invalidate(info.apiVersion);
    return E.left(error);
  };

  const asObject = (gvk: GroupVersionKind, body: Record<string, unknown>): KubeObject =>
    typeof body['apiVersion'] === 'string' && typeof body['kind'] === 'string'
      ? (body as KubeObject)
      : { ...body, apiVersion: gvk.apiVersion, kind: gvk.kind };

  // Without a namespace the request would go to the all-namespaces path, where the server answers a puzzling 404
  // or 405; say what is wrong instead (the in-memory cluster's words).
  const resolveFor = async (
    gvk: GroupVersionKind,
    namespace: string | undefined,
  ): Promise<E.Either<ApiError, ResourceInfo>> => {
    const info = await resolve(gvk);
    if (E.isRight(info) && info.right.namespaced && (namespace === undefined || namespace === ''))
      return E.left(badRequest(`the namespace of the object is required for ${info.right.plural}`));
    return info;
  };

  const objectCall = (
    gvk: GroupVersionKind,
    namespace: string | undefined,
    build: (info: ResourceInfo) => HttpRequest,
  ): TE.TaskEither<ApiError, KubeObject> =>
    task(async () => {
      const info = await resolveFor(gvk, namespace);
      if (E.isLeft(info)) return info;
      return E.map((body: Record<string, unknown>) => asObject(gvk, body))(
        await call(info.right, build(info.right)),
      );
    });

  const json = (body: unknown): string => JSON.stringify(body);

  const get = (ref: ObjectRef): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(ref, ref.namespace, (info) => ({
      method: 'GET',
      path: objectPath(info, ref.namespace, ref.name),
    }));

  const list = (gvk: GroupVersionKind, selection: Selection = {}): TE.TaskEither<ApiError, ObjectList> =>
    task(async () => {
      const info = await resolve(gvk);
      if (E.isLeft(info)) return info;
      const path =
        collectionPath(info.right, selection.namespace) +
        query({ labelSelector: selection.labelSelector, fieldSelector: selection.fieldSelector });
      return E.map((body: Record<string, unknown>) => objectListOf(gvk, body))(
        await call(info.right, { method: 'GET', path }),
      );
    });

  const create = (object: KubeObject): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(object, object.metadata?.namespace, (info) => ({
      method: 'POST',
      path: collectionPath(info, object.metadata?.namespace),
      body: json(object),
    }));

  const update = (object: KubeObject): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(object, object.metadata?.namespace, (info) => ({
      method: 'PUT',
      path: objectPath(info, object.metadata?.namespace, object.metadata?.name ?? ''),
      body: json(object),
    }));

  const patchRequest = (info: ResourceInfo, ref: ObjectRef, patch: Patch, status: boolean): HttpRequest => ({
    method: 'PATCH',
    path: objectPath(info, ref.namespace, ref.name, status ? 'status' : undefined),
    body: json(patch.body),
    contentType: patchContentType[patch.type],
  });

  const patch = (ref: ObjectRef, p: Patch): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(ref, ref.namespace, (info) => patchRequest(info, ref, p, false));

  const updateStatus = (object: KubeObject): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(object, object.metadata?.namespace, (info) => ({
      method: 'PUT',
      path: objectPath(info, object.metadata?.namespace, object.metadata?.name ?? '', 'status'),
      body: json(object),
    }));

  const patchStatus = (ref: ObjectRef, p: Patch): TE.TaskEither<ApiError, KubeObject> =>
    objectCall(ref, ref.namespace, (info) => patchRequest(info, ref, p, true));

  const deleteOptionsBody = (options: DeleteOptions): string =>
    json({
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(options.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
      ...(options.propagationPolicy === undefined ? {} : { propagationPolicy: options.propagationPolicy }),
      ...(options.preconditions === undefined ? {} : { preconditions: options.preconditions }),
    });

  const del = (ref: ObjectRef, options?: DeleteOptions): TE.TaskEither<ApiError, DeleteOutcome> =>
    task(async () => {
      const info = await resolveFor(ref, ref.namespace);
      if (E.isLeft(info)) return info;
      const res = await call(info.right, {
        method: 'DELETE',
        path: objectPath(info.right, ref.namespace, ref.name),
        ...(options === undefined ? {} : { body: deleteOptionsBody(options) }),
      });
      return E.map(deleteOutcomeOf)(res);
    });

  const bind = (pod: ObjectRef, nodeName: string): TE.TaskEither<ApiError, void> =>
    task(async () => {
      const info = await resolveFor(pod, pod.namespace);
      if (E.isLeft(info)) return info;
      const binding = {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.name, ...(pod.namespace === undefined ? {} : { namespace: pod.namespace }) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      };
      const res = await call(info.right, {
        method: 'POST',
        path: objectPath(info.right, pod.namespace, pod.name, 'binding'),
        body: json(binding),
      });
      return E.map(() => undefined)(res);
    });

  const watch = (gvk: GroupVersionKind, options: WatchOptions = {}): TE.TaskEither<ApiError, WatchStream> =>
    task(async () => {
      const info = await resolve(gvk);
      if (E.isLeft(info)) return info;
      const timeoutSeconds = watchTimeoutSeconds > 0 ? randomIn(watchTimeoutSeconds) : undefined;
      const path = collectionPath(info.right, options.namespace) + watchQuery(options, timeoutSeconds);
      const opened = await transport.open({ method: 'GET', path });
      if (E.isLeft(opened)) return opened;
      const res = opened.right;
      if (res.status !== 200) {
        const body = await new Promise<string>((done) => {
          const chunks: Buffer[] = [];
          res.body.on('data', (c: Buffer) => chunks.push(c));
          res.body.on('end', () => {
            done(Buffer.concat(chunks).toString('utf8'));
          });
          res.body.on('error', () => {
            done(Buffer.concat(chunks).toString('utf8'));
          });
        });
        const retryAfter = res.headers['retry-after'];
        const error = decodeFailure(
          res.status,
          body,
          typeof retryAfter === 'string' ? retryAfter : undefined,
        );
        // "Too old" refused up front means the same as in-stream: the consumer re-lists.
        return isResourceExpired(error) ? E.right(eventsStream([{ type: 'ERROR', error }])) : E.left(error);
      }
      const idleTimeoutMs =
        timeoutSeconds === undefined ? Number.MAX_SAFE_INTEGER : timeoutSeconds * 1000 + idleGraceMs;
      return E.right(
        watchBodyStream(res.body, res.abort, {
          idleTimeoutMs: Math.min(idleTimeoutMs, 2 ** 31 - 1),
          highWaterMark,
        }),
      );
    });

  const discover = (gvk: GroupVersionKind): TE.TaskEither<ApiError, O.Option<ResourceInfo>> =>
    task(() => discovery.lookup(gvk));

  const serves = (gvk: GroupVersionKind): TE.TaskEither<ApiError, boolean> =>
    task(async () => E.map((found: O.Option<ResourceInfo>) => O.isSome(found))(await discovery.lookup(gvk)));

  return {
    get,
    list,
    create,
    update,
    patch,
    delete: del,
    updateStatus,
    patchStatus,
    watch,
    bind,
    discover,
    serves,
  };
};
