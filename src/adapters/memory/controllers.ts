// The controllers that live inside a real cluster, in the in-memory one: the garbage collector and namespace lifecycle.
import type { KubeObject } from '../../domain/kubernetes.js';
import type { DeleteOptions, DeleteOutcome } from '../../ports/cluster.js';
import { metaOf, NAMESPACE_KIND, withMeta, type Mutable } from './draft.js';
import { isObject } from './json.js';
import type { KindInfo } from './kinds.js';
import type { ObjectStore } from './store.js';

/** What the controllers act through: the store, and the cluster's own commit and delete paths. */
export interface ControllerDeps {
  readonly store: ObjectStore;
  readonly commitChange: (k: KindInfo, current: KubeObject, next: Mutable) => KubeObject;
  readonly deleteObject: (k: KindInfo, current: KubeObject, opts: DeleteOptions) => DeleteOutcome;
  /** Cascade deletion through ownerReferences, as kube-controller-manager does. */
  readonly garbageCollector: boolean;
  /** Empty and remove deleted namespaces, as kube-controller-manager does. */
  readonly namespaceController: boolean;
}

/**
 * The garbage collector and the namespace controller, run synchronously inside the write that triggers them
 * (a real cluster runs them a moment later; the outcome is the same, without the wait).
 */
export interface Controllers {
  /** Reacts to an object removed for good: collects its dependents, finishes its owners, finalizes its namespace. */
  readonly afterRemoval: (k: KindInfo, removed: KubeObject) => void;
  /** The garbage collector's part of a Foreground or Orphan delete of the object with this uid. */
  readonly processDeletingOwner: (uid: string) => void;
  /** Removes a terminating namespace once it is empty (the namespace controller's /finalize call). */
  readonly maybeFinalizeNamespace: (ns: string) => void;
  /** Deletes everything in a terminating namespace. */
  readonly emptyNamespace: (ns: string) => void;
}

/** The built-in controllers over a store. */
export const makeControllers = (deps: ControllerDeps): Controllers => {
  const { store, commitChange, garbageCollector, namespaceController } = deps;

  // A dependent whose owner is gone: deleted when no owner is left, else the dangling reference is dropped.
  const collectDependent = (depUid: string): void => {
    const entry = store.byUid(depUid);
    if (entry === undefined) return;
    const refs = metaOf(entry.obj).ownerReferences ?? [];
    const alive = refs.filter((r) => store.byUid(r.uid) !== undefined);
    if (alive.length === refs.length) return;
    if (alive.length > 0) {
      const next = withMeta(entry.obj, { ...metaOf(entry.obj), ownerReferences: alive });
      store.write(entry.kind, next, entry.obj);
      return;
    }
    deps.deleteObject(entry.kind, entry.obj, { propagationPolicy: 'Background' });
  };

  const removeFinalizer = (uid: string, finalizer: string): void => {
    const entry = store.byUid(uid);
    if (entry === undefined) return;
    const meta = metaOf(entry.obj);
    const finalizers = (meta.finalizers ?? []).filter((f) => f !== finalizer);
    if (finalizers.length === (meta.finalizers ?? []).length) return;
    const next = withMeta(entry.obj, { ...meta, finalizers });
    if (finalizers.length === 0) delete next.metadata.finalizers;
    commitChange(entry.kind, entry.obj, next);
  };

  const maybeFinishForeground = (ownerUid: string): void => {
    const owner = store.byUid(ownerUid);
    if (owner === undefined) return;
    const meta = metaOf(owner.obj);
    if (meta.deletionTimestamp === undefined || !(meta.finalizers ?? []).includes('foregroundDeletion'))
      return;
    if (store.dependentCount(ownerUid) > 0) return;
    removeFinalizer(ownerUid, 'foregroundDeletion');
  };

  const processDeletingOwner = (uid: string): void => {
    const owner = store.byUid(uid);
    if (owner === undefined) return;
    const finalizers = metaOf(owner.obj).finalizers ?? [];
    if (finalizers.includes('orphan')) {
      for (const depUid of store.dependentsOf(uid)) {
        const dep = store.byUid(depUid);
        if (dep === undefined) continue;
        const refs = (metaOf(dep.obj).ownerReferences ?? []).filter((r) => r.uid !== uid);
        const next = withMeta(dep.obj, { ...metaOf(dep.obj), ownerReferences: refs });
        if (refs.length === 0) delete next.metadata.ownerReferences;
        store.write(dep.kind, next, dep.obj);
      }
      removeFinalizer(uid, 'orphan');
    } else if (finalizers.includes('foregroundDeletion')) {
      for (const depUid of store.dependentsOf(uid)) {
        const dep = store.byUid(depUid);
        if (dep !== undefined) deps.deleteObject(dep.kind, dep.obj, { propagationPolicy: 'Foreground' });
      }
      maybeFinishForeground(uid);
    }
  };

  const maybeFinalizeNamespace = (ns: string): void => {
    const nsKind = store.kindByKey(NAMESPACE_KIND);
    if (nsKind === undefined) return;
    const namespace = store.lookup(nsKind, undefined, ns);
    if (namespace === undefined || metaOf(namespace).deletionTimestamp === undefined) return;
    if (store.namespaceCount(ns) > 0) return;
    const spec = isObject(namespace['spec']) ? namespace['spec'] : {};
    if (Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0) {
      // The namespace controller's /finalize call.
      const next = withMeta(namespace, metaOf(namespace));
      next['spec'] = { ...spec, finalizers: [] };
      const written = store.write(nsKind, next, namespace);
      if ((metaOf(written).finalizers ?? []).length === 0) store.erase(nsKind, written);
    } else if ((metaOf(namespace).finalizers ?? []).length === 0) {
      store.erase(nsKind, namespace);
    }
  };

  const emptyNamespace = (ns: string): void => {
    for (const [k, objects] of store.namespaceContents(ns)) {
      for (const obj of objects) {
        const current = store.lookup(k, ns, metaOf(obj).name ?? '');
        if (current !== undefined) deps.deleteObject(k, current, {});
      }
    }
  };

  const afterRemoval = (k: KindInfo, removed: KubeObject): void => {
    const meta = metaOf(removed);
    const uid = meta.uid ?? '';
    if (garbageCollector) {
      for (const depUid of store.dependentsOf(uid)) collectDependent(depUid);
      for (const r of meta.ownerReferences ?? []) maybeFinishForeground(r.uid);
    }
    if (k.namespaced && namespaceController) maybeFinalizeNamespace(meta.namespace ?? '');
  };

  return { afterRemoval, processDeletingOwner, maybeFinalizeNamespace, emptyNamespace };
};
