// Deletion in the in-memory cluster: preconditions, graceful deletion, propagation finalizers, and namespace termination.
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject, ObjectMeta } from '../../domain/kubernetes.js';
import { formatInstant, parseInstant } from '../../domain/time.js';
import { conflict, type ApiError } from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import type { DeleteOptions, DeleteOutcome } from '../../ports/cluster.js';
import type { Controllers } from './controllers.js';
import { metaOf, NAMESPACE_KIND, withMeta, type Mutable } from './draft.js';
import { cloneJson, isObject, jsonEqual } from './json.js';
import { groupResourceOf, type KindInfo } from './kinds.js';
import type { ObjectStore } from './store.js';

/** What deletion acts through. */
export interface DeletionDeps {
  readonly store: ObjectStore;
  readonly clock: Clock;
  readonly commitChange: (k: KindInfo, current: KubeObject, next: Mutable) => KubeObject;
  readonly controllers: Controllers;
  /** Whether the garbage collector acts on Orphan and Foreground deletes. */
  readonly garbageCollector: boolean;
  /** Whether the namespace controller empties and removes a deleted namespace. */
  readonly namespaceController: boolean;
}

/** Deleting a stored object, as the API server's generic registry and the namespace registry do. */
export interface Deletion {
  /** Deletes (or starts deleting) an object already looked up and past its preconditions. */
  readonly deleteObject: (k: KindInfo, current: KubeObject, opts: DeleteOptions) => DeleteOutcome;
}

// The API server adds these finalizers whether or not a garbage collector is running to act on them.
const gcFinalizers = (meta: ObjectMeta, policy: DeleteOptions['propagationPolicy']): string[] | undefined => {
  if (policy === undefined) return undefined;
  const base = (meta.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  if (policy === 'Orphan') return [...base, 'orphan'];
  if (policy === 'Foreground') return [...base, 'foregroundDeletion'];
  return base;
};

const isTerminalPod = (o: KubeObject): boolean => {
  const phase = isObject(o['status']) ? o['status']['phase'] : undefined;
  return phase === 'Succeeded' || phase === 'Failed';
};

/** Why a delete request may not go ahead on this object (uid and resourceVersion preconditions), if it may not. */
export const deleteRefusal = (
  k: KindInfo,
  current: KubeObject,
  opts: DeleteOptions,
): ApiError | undefined => {
  const meta = metaOf(current);
  const pre = opts.preconditions;
  const gr = groupResourceOf(k);
  if (pre?.uid !== undefined && pre.uid !== meta.uid) {
    return conflict(
      gr,
      meta.name ?? '',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
    );
  }
  if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
    return conflict(
      gr,
      meta.name ?? '',
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
  // kube-apiserver quirk: when the delete drops the last (garbage-collector) finalizers, the removal that
  // follows checks the resourceVersion precondition against the object it never wrote, and fails. Nothing
  // changes.
  const after = gcFinalizers(meta, opts.propagationPolicy);
  if (
    pre?.resourceVersion !== undefined &&
    !k.gracefulDelete &&
    after !== undefined &&
    after.length === 0 &&
    (meta.finalizers ?? []).length > 0
  ) {
    return conflict(
      gr,
      meta.name ?? '',
      `StorageError: invalid object, Code: 4, Key: /registry/${gr.resource}/${meta.namespace ?? ''}/${meta.name ?? ''}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: , ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
    );
  }
  return undefined;
};

/** Deletion over a store, with the built-in controllers acting on what it starts. */
export const makeDeletion = (deps: DeletionDeps): Deletion => {
  const { store, clock, commitChange, controllers, garbageCollector, namespaceController } = deps;

  const stillThere = (k: KindInfo, o: KubeObject): DeleteOutcome => {
    const now = store.lookup(k, metaOf(o).namespace, metaOf(o).name ?? '');
    return now === undefined
      ? { removed: true, object: cloneJson(o) }
      : { removed: false, object: cloneJson(now) };
  };

  const deleteNamespace = (k: KindInfo, current: KubeObject): DeleteOutcome => {
    const meta = metaOf(current);
    if (meta.deletionTimestamp !== undefined) return { removed: false, object: cloneJson(current) };
    const next = withMeta(current, {
      ...meta,
      deletionTimestamp: formatInstant(clock.now()),
      deletionGracePeriodSeconds: 0,
    });
    next['status'] = { ...(isObject(current['status']) ? current['status'] : {}), phase: 'Terminating' };
    const marked = store.write(k, next, current);
    const name = meta.name ?? '';
    if (namespaceController) {
      controllers.emptyNamespace(name);
      controllers.maybeFinalizeNamespace(name);
    }
    return stillThere(k, marked);
  };

  const deleteObject = (k: KindInfo, current: KubeObject, opts: DeleteOptions): DeleteOutcome => {
    const meta = metaOf(current);
    const now = clock.now();
    if (k.key === NAMESPACE_KIND) return deleteNamespace(k, current);
    const alreadyDeleting = meta.deletionTimestamp !== undefined;
    const requested =
      opts.gracePeriodSeconds === undefined
        ? undefined
        : opts.gracePeriodSeconds < 0
          ? 1
          : opts.gracePeriodSeconds;
    // A policy given again on an object already being deleted still switches its garbage-collector finalizers.
    const finalizersAfter = gcFinalizers(meta, opts.propagationPolicy) ?? meta.finalizers;
    const gcFinalizersChanged = !jsonEqual(
      [...(finalizersAfter ?? [])].sort(),
      [...(meta.finalizers ?? [])].sort(),
    );
    const pendingFinalizers = (finalizersAfter ?? []).length > 0;
    const next = withMeta(current, meta);
    if (finalizersAfter !== undefined && finalizersAfter.length > 0)
      next.metadata.finalizers = finalizersAfter;
    else delete next.metadata.finalizers;

    if (k.gracefulDelete && !(alreadyDeleting && (meta.deletionGracePeriodSeconds ?? 0) === 0)) {
      if (alreadyDeleting) {
        const stored = meta.deletionGracePeriodSeconds ?? 0;
        if ((requested === undefined || requested >= stored) && !gcFinalizersChanged)
          return { removed: false, object: cloneJson(current) };
        if (requested === undefined || requested >= stored)
          return stillThere(k, commitChange(k, current, next));
        const start = O.getOrElse(() => now)(parseInstant(meta.deletionTimestamp)) - stored * 1000;
        next.metadata.deletionTimestamp = formatInstant(start + requested * 1000);
        next.metadata.deletionGracePeriodSeconds = requested;
      } else {
        const spec = isObject(current['spec']) ? current['spec'] : {};
        let period =
          requested ??
          (typeof spec['terminationGracePeriodSeconds'] === 'number'
            ? spec['terminationGracePeriodSeconds']
            : 0);
        if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '' || isTerminalPod(current))
          period = 0;
        if (period < 0) period = 1;
        next.metadata.deletionTimestamp = formatInstant(now + period * 1000);
        next.metadata.deletionGracePeriodSeconds = period;
        if ((meta.generation ?? 0) > 0) next.metadata.generation = (meta.generation ?? 0) + 1;
      }
      const marked = store.write(k, next, current);
      if (!pendingFinalizers && (metaOf(marked).deletionGracePeriodSeconds ?? 0) === 0) {
        store.erase(k, marked);
        return { removed: true, object: cloneJson(marked) };
      }
      if (garbageCollector && (!alreadyDeleting || gcFinalizersChanged))
        controllers.processDeletingOwner(meta.uid ?? '');
      return stillThere(k, marked);
    }
    if (pendingFinalizers) {
      // markAsDeleting: the timestamp is set once (or moved earlier), the grace period becomes 0.
      const existing = O.toUndefined(parseInstant(meta.deletionTimestamp));
      if (existing === undefined && (meta.generation ?? 0) > 0)
        next.metadata.generation = (meta.generation ?? 0) + 1;
      if (existing === undefined || existing > now) next.metadata.deletionTimestamp = formatInstant(now);
      next.metadata.deletionGracePeriodSeconds = 0;
      const marked = commitChange(k, current, next);
      if (garbageCollector && (!alreadyDeleting || gcFinalizersChanged))
        controllers.processDeletingOwner(meta.uid ?? '');
      return stillThere(k, marked);
    }
    const removed = store.erase(k, current);
    return { removed: true, object: cloneJson(removed) };
  };

  return { deleteObject };
};
