// Objects that carry our finalizer and that no task holds any more: found in the watch caches, then released.
import type { ApiError } from '../domain/api-error.js';
import type { KubeObject } from '../domain/kubernetes.js';
import { FINALIZER } from '../domain/object-metadata.js';
import { refOf } from '../domain/object-ref.js';
import type { ObjectRef } from '../domain/lifecycle/state.js';
import type { KindInformers } from './kind-informers.js';
import type { TaskCommands } from './task-commands.js';
import type { TaskObjects } from './task-objects.js';

/** What became of one stray: released (finalizer off, delete sent), or the error that stopped it. */
export type StrayRelease =
  | { readonly _tag: 'Released'; readonly ref: ObjectRef }
  | { readonly _tag: 'Failed'; readonly ref: ObjectRef; readonly error: ApiError };

/**
 * Every cached object with our finalizer that no task holds and that `isStray` judges abandoned gets our finalizer
 * removed and is deleted. Such objects exist only when a create sent by a process that no longer leads lands after
 * the object's task moved on from it (docs/deploying.md): no task's state names them, so no step would ever clean
 * them, and the garbage collector cannot remove what our finalizer holds.
 */
export const releaseStrays = async (
  informers: KindInformers,
  objects: TaskObjects,
  commands: TaskCommands,
  isStray: (o: KubeObject) => boolean,
): Promise<ReadonlyArray<StrayRelease>> => {
  const strays = informers
    .entries()
    .filter(([, informer]) => informer.isSynced)
    .flatMap(([key, informer]) =>
      informer
        .list()
        .filter(
          (o) => (o.metadata?.finalizers ?? []).includes(FINALIZER) && !objects.owns(key, o) && isStray(o),
        ),
    );
  return Promise.all(
    strays.map(async (o): Promise<StrayRelease> => {
      const ref = refOf(o);
      const error = await commands.release(ref, FINALIZER, o.metadata?.uid);
      return error === undefined ? { _tag: 'Released', ref } : { _tag: 'Failed', ref, error };
    }),
  );
};
