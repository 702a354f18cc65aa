// The cluster calls behind the lifecycle machine's commands, each answered as the observation the machine expects.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeObject } from '../domain/kubernetes.js';
import type { Observation } from '../domain/lifecycle/protocol.js';
import { sameRef, type ObjectRef } from '../domain/lifecycle/state.js';
import { markManaged, TASK_ANNOTATION } from '../domain/object-metadata.js';
import type { PlatformConfig } from '../domain/platform-config.js';
import type { AbortBehavior } from '../domain/plugin.js';
import type { Clock } from '../ports/clock.js';
import { isConflict, isInvalid, isNotFound, type ApiError } from '../domain/api-error.js';
import type { ClusterPort } from '../ports/cluster.js';

export { TASK_ANNOTATION };

/** What the commands need from the interpreter. */
export interface CommandPorts {
  readonly cluster: ClusterPort;
  readonly clock: Clock;
  readonly config: PlatformConfig;
  /** The informer's copy of an object: read before the server, so a command costs no GET when it is there. */
  readonly cached: (ref: ObjectRef) => KubeObject | undefined;
  /** Counts one request by verb and result. */
  readonly count: (verb: string, r: E.Either<ApiError, unknown>) => void;
}

/** Creates the manifest, labelled as ours and annotated with its task, so the informer sees it and it traces back. */
export const createObject = (
  ports: CommandPorts,
  taskId: string,
  ref: ObjectRef,
  manifest: KubeObject,
): Promise<Observation> => {
  return ports.cluster
    .create(markManaged(taskId, manifest))()
    .then((r): Observation => {
      ports.count('create', r);
      return E.isRight(r)
        ? {
            _tag: 'CreateSucceeded',
            ref,
            ...(r.right.metadata?.uid === undefined ? {} : { uid: r.right.metadata.uid }),
          }
        : { _tag: 'CreateFailed', ref, error: r.left };
    });
};

/**
 * Deletes in the background, only the object with this uid when it is known (a precondition: a newer object of
 * the same name answers Conflict and stays). An object already gone counts as deleted; its NotFound (or the
 * Conflict of a failed precondition) is passed on all the same, so the machine knows the object it meant is gone.
 */
export const deleteObject = (ports: CommandPorts, ref: ObjectRef, uid?: string): Promise<Observation> =>
  ports.cluster
    .delete(ref, {
      propagationPolicy: 'Background',
      ...(uid === undefined ? {} : { preconditions: { uid } }),
    })()
    .then((r): Observation => {
      ports.count('delete', r);
      return E.isLeft(r) ? { _tag: 'DeleteAnswered', ref, error: r.left } : { _tag: 'DeleteAnswered', ref };
    });

/**
 * Removes exactly our finalizer with a JSON patch guarded by a `test` of the current list, so concurrent writes
 * to other fields (a delete, a status update) never make it fail and other writers' finalizers are never lost.
 * If the list itself changed meanwhile, the test fails: re-read (cache first) and retry with back-off.
 */
export const removeFinalizer = async (
  ports: CommandPorts,
  ref: ObjectRef,
  finalizer: string,
): Promise<Observation> => {
  const k8s = ports.config.plugins.k8s;
  let object = ports.cached(ref);
  for (let attempt = 0; ; attempt++) {
    if (object === undefined) {
      const got = await ports.cluster.get(ref)();
      ports.count('get', got);
      // NotFound is passed on too: the machine counts it as removed, and knows nothing was there.
      if (E.isLeft(got)) return { _tag: 'FinalizerRemoved', ref, error: got.left };
      object = got.right;
    }
    const finalizers = object.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return { _tag: 'FinalizerRemoved', ref };
    const r = await ports.cluster.patch(ref, {
      type: 'json',
      body: [
        { op: 'test', path: '/metadata/finalizers', value: finalizers },
        { op: 'replace', path: '/metadata/finalizers', value: finalizers.filter((f) => f !== finalizer) },
      ],
    })();
    ports.count('patch', r);
    if (E.isRight(r)) return { _tag: 'FinalizerRemoved', ref };
    if (isNotFound(r.left)) return { _tag: 'FinalizerRemoved', ref, error: r.left };
    const raced = isInvalid(r.left) || isConflict(r.left);
    if (!raced || attempt >= k8s['update-backoff-retries']) {
      return { _tag: 'FinalizerRemoved', ref, error: r.left };
    }
    const seen = object.metadata?.resourceVersion;
    await ports.clock.sleep(k8s['update-base-backoff-duration'] * 2 ** attempt)();
    // The cache has usually caught up by now; read the server only if it has not.
    const fresh = ports.cached(ref);
    object = fresh?.metadata?.resourceVersion === seen ? undefined : fresh;
  }
};

/** The object a behaviour names, or the task's own. */
const targetOf = (ref: ObjectRef, resource: KubeObject | undefined): ObjectRef =>
  resource === undefined
    ? ref
    : {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        namespace: resource.metadata?.namespace ?? ref.namespace,
        name: resource.metadata?.name ?? ref.name,
      };

/**
 * The plugin's abort behaviour: delete, or patch/update with delete on error, each on the object the behaviour
 * names (`resource`) or else the task's own (as Flyte defaults the behaviour's resource to the identity resource).
 * A delete of the task's own object carries its uid as a precondition. An object already gone is aborted: its
 * NotFound (or the Conflict of a failed precondition) is passed on, and the machine counts it as applied.
 */
export const applyAbort = async (
  ports: CommandPorts,
  ref: ObjectRef,
  behavior: AbortBehavior,
  uid?: string,
): Promise<Observation> => {
  const b = behavior;
  const target = targetOf(ref, b.resource);
  const del = async (): Promise<E.Either<ApiError, unknown>> => {
    const r = await ports.cluster.delete(target, {
      propagationPolicy: 'Background',
      ...(uid === undefined || !sameRef(target, ref) ? {} : { preconditions: { uid } }),
    })();
    ports.count('delete', r);
    return r;
  };
  let r: E.Either<ApiError, unknown>;
  switch (b._tag) {
    case 'Delete':
      r = await del();
      break;
    case 'Patch': {
      r = await ports.cluster.patch(target, { type: 'merge', body: b.patch })();
      ports.count('patch', r);
      if (E.isLeft(r) && !isNotFound(r.left) && b.deleteOnError) r = await del();
      break;
    }
    case 'Update': {
      r = await ports.cluster.update(b.resource)();
      ports.count('update', r);
      if (E.isLeft(r) && !isNotFound(r.left) && b.deleteOnError) r = await del();
      break;
    }
  }
  // NotFound, or a failed uid precondition, is passed on: the abort is applied, and the machine learns that the
  // object it meant is gone (no watch event may ever say so: the object may have gone before this process saw it).
  return pipe(
    r,
    E.match(
      (e): Observation => ({ _tag: 'AbortApplied', ref, error: e }),
      (): Observation => ({ _tag: 'AbortApplied', ref }),
    ),
  );
};
