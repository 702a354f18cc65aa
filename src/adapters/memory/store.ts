// The object tracker of the in-memory cluster: stored objects indexed by kind, namespace, name, uid and owner.
import type { GroupVersionKind, KubeObject } from '../../domain/kubernetes.js';
import { asKube, metaOf, omitEmpty, withMeta, type Mutable } from './draft.js';
import { deepFreeze } from './json.js';
import { kindKey, type KindInfo } from './kinds.js';
import type { ChangeEvent } from './watch.js';

/** A stored object and the kind it is stored as. */
export interface StoredEntry {
  readonly kind: KindInfo;
  readonly obj: KubeObject;
}

/** What the store tells the rest of the cluster about each committed change. */
export interface StoreListener {
  /** Every write and removal, in resourceVersion order (the watch hub's input). */
  readonly changed: (k: KindInfo, e: ChangeEvent) => void;
  /** After an object is gone for good (the built-in controllers' input). */
  readonly removed: (k: KindInfo, final: KubeObject) => void;
}

/**
 * The tracker: every stored object, frozen, behind indexes for the lookups the API server's semantics need (by
 * name, by uid, dependents by owner uid, objects per namespace). It owns the resourceVersion counter: each write
 * or removal is one version, handed to the listener with the change.
 */
export interface ObjectStore {
  /** Serves a kind from now on; false when it was already served. */
  readonly register: (k: KindInfo) => boolean;
  readonly kindOf: (gvk: GroupVersionKind) => KindInfo | undefined;
  readonly kindByKey: (key: string) => KindInfo | undefined;
  /** How many kinds are served. */
  readonly kindCount: () => number;
  readonly lookup: (k: KindInfo, ns: string | undefined, name: string) => KubeObject | undefined;
  readonly byUid: (uid: string) => StoredEntry | undefined;
  /** The uids of the objects that name `uid` as an owner (a copy: safe to iterate while writing). */
  readonly dependentsOf: (uid: string) => ReadonlyArray<string>;
  readonly dependentCount: (uid: string) => number;
  /** How many namespaced objects (of any kind) live in the namespace. */
  readonly namespaceCount: (ns: string) => number;
  /** The stored objects of a kind in one namespace, unsorted (a live view: do not write while iterating). */
  readonly inNamespace: (key: string, ns: string) => Iterable<KubeObject>;
  /**
   * Every namespaced kind with objects in the namespace, each with a copy of its objects there taken when the
   * iteration reaches the kind (so writes made while iterating one kind are seen by the next).
   */
  readonly namespaceContents: (ns: string) => Iterable<readonly [KindInfo, ReadonlyArray<KubeObject>]>;
  /** The stored objects of a kind (in one namespace) that `keep` accepts, sorted by namespace and name. */
  readonly select: (
    k: KindInfo,
    namespace: string | undefined,
    keep: (o: KubeObject) => boolean,
  ) => KubeObject[];
  /** Stores a new state of an object (its resourceVersion is assigned here) and tells the listener. */
  readonly write: (k: KindInfo, next: Mutable, prev: KubeObject | undefined) => KubeObject;
  /** Removes an object for good; `last` is its final content (the state a DELETED event shows). */
  readonly erase: (k: KindInfo, current: KubeObject, last?: KubeObject) => KubeObject;
  /** The latest resourceVersion (the version of the last write). */
  readonly resourceVersion: () => number;
  /** How many objects are stored (of one kind, or in total). */
  readonly count: (gvk?: GroupVersionKind) => number;
}

const ownerUids = (o: KubeObject | undefined): ReadonlyArray<string> =>
  (o === undefined ? [] : (metaOf(o).ownerReferences ?? [])).map((r) => r.uid);

const byNamespaceAndName = (a: KubeObject, b: KubeObject): number => {
  const na = metaOf(a).namespace ?? '';
  const nb = metaOf(b).namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  const xa = metaOf(a).name ?? '';
  const xb = metaOf(b).name ?? '';
  return xa < xb ? -1 : xa > xb ? 1 : 0;
};

/** An empty store; `listener` hears every change it commits. */
export const makeObjectStore = (listener: StoreListener): ObjectStore => {
  let rv = 0;
  const kinds = new Map<string, KindInfo>();
  const buckets = new Map<string, Map<string, Map<string, KubeObject>>>();
  const uids = new Map<string, StoredEntry>();
  const dependents = new Map<string, Set<string>>();
  const nsCount = new Map<string, number>();

  const nsKey = (k: KindInfo, ns: string | undefined): string => (k.namespaced ? (ns ?? '') : '');

  const reindexOwners = (
    uid: string,
    before: KubeObject | undefined,
    after: KubeObject | undefined,
  ): void => {
    // Most writes (status, finalizers) keep the stored owner list itself: nothing to re-index.
    if (
      before !== undefined &&
      after !== undefined &&
      metaOf(before).ownerReferences === metaOf(after).ownerReferences
    )
      return;
    const old = ownerUids(before);
    const now = ownerUids(after);
    for (const o of old) {
      if (now.includes(o)) continue;
      const set = dependents.get(o);
      set?.delete(uid);
      if (set?.size === 0) dependents.delete(o);
    }
    for (const o of now) {
      if (old.includes(o)) continue;
      let set = dependents.get(o);
      if (set === undefined) {
        set = new Set();
        dependents.set(o, set);
      }
      set.add(uid);
    }
  };

  return {
    register: (k) => {
      if (kinds.has(k.key)) return false;
      kinds.set(k.key, k);
      buckets.set(k.key, new Map());
      return true;
    },

    kindOf: (gvk) => kinds.get(kindKey(gvk)),
    kindByKey: (key) => kinds.get(key),
    kindCount: () => kinds.size,

    lookup: (k, ns, name) => buckets.get(k.key)?.get(nsKey(k, ns))?.get(name),
    byUid: (uid) => uids.get(uid),
    dependentsOf: (uid) => [...(dependents.get(uid) ?? [])],
    dependentCount: (uid) => dependents.get(uid)?.size ?? 0,
    namespaceCount: (ns) => nsCount.get(ns) ?? 0,
    inNamespace: (key, ns) => buckets.get(key)?.get(ns)?.values() ?? [],

    namespaceContents: function* (ns) {
      for (const [key, byNs] of buckets) {
        const k = kinds.get(key);
        const bucket = byNs.get(ns);
        if (k === undefined || !k.namespaced || bucket === undefined) continue;
        yield [k, [...bucket.values()]] as const;
      }
    },

    select: (k, namespace, keep) => {
      const byNs = buckets.get(k.key);
      if (byNs === undefined) return [];
      const out: KubeObject[] = [];
      if (namespace !== undefined) {
        for (const o of byNs.get(namespace)?.values() ?? []) if (keep(o)) out.push(o);
      } else {
        for (const bucket of byNs.values()) for (const o of bucket.values()) if (keep(o)) out.push(o);
      }
      return out.sort(byNamespaceAndName);
    },

    write: (k, next, prev) => {
      rv++;
      next.metadata.resourceVersion = String(rv);
      omitEmpty(next.metadata);
      const frozen = deepFreeze(asKube(next));
      const meta = metaOf(frozen);
      const ns = nsKey(k, meta.namespace);
      const key = k.key;
      let bucket = buckets.get(key)?.get(ns);
      if (bucket === undefined) {
        bucket = new Map();
        buckets.get(key)?.set(ns, bucket);
      }
      bucket.set(meta.name ?? '', frozen);
      const uid = meta.uid ?? '';
      uids.set(uid, { kind: k, obj: frozen });
      reindexOwners(uid, prev, frozen);
      if (prev === undefined && k.namespaced) nsCount.set(ns, (nsCount.get(ns) ?? 0) + 1);
      listener.changed(k, {
        rv,
        type: prev === undefined ? 'ADDED' : 'MODIFIED',
        object: frozen,
        prev,
        namespace: ns,
      });
      return frozen;
    },

    erase: (k, current, last = current) => {
      rv++;
      const final = deepFreeze(asKube(withMeta(last, { ...metaOf(last), resourceVersion: String(rv) })));
      const meta = metaOf(current);
      const ns = nsKey(k, meta.namespace);
      const bucket = buckets.get(k.key)?.get(ns);
      bucket?.delete(meta.name ?? '');
      if (bucket?.size === 0) buckets.get(k.key)?.delete(ns);
      const uid = meta.uid ?? '';
      uids.delete(uid);
      reindexOwners(uid, current, undefined);
      if (k.namespaced) nsCount.set(ns, (nsCount.get(ns) ?? 1) - 1);
      listener.changed(k, { rv, type: 'DELETED', object: final, prev: current, namespace: ns });
      listener.removed(k, final);
      return final;
    },

    resourceVersion: () => rv,

    count: (gvk) => {
      if (gvk !== undefined) {
        let n = 0;
        for (const b of buckets.get(kindKey(gvk))?.values() ?? []) n += b.size;
        return n;
      }
      return uids.size;
    },
  };
};
