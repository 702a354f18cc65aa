// Related resources: plugins' queries answered from the shared informers, and who to tell when a match changes.
import { gvkKey, type GroupVersionKind, type KubeObject } from '../domain/kubernetes.js';
import type { RelatedResourceQuery } from '../domain/plugin.js';
import { keyOf, type Informer } from './informer.js';

/** Whether an object answers a related-resource query (namespace, name, labels, owner). */
export const matchesQuery = (q: RelatedResourceQuery, o: KubeObject): boolean => {
  const m = o.metadata;
  if ((m?.namespace ?? '') !== q.namespace) return false;
  if (q.name !== undefined && m?.name !== q.name) return false;
  if (q.labelSelector !== undefined) {
    const labels = m?.labels ?? {};
    for (const [k, v] of Object.entries(q.labelSelector)) if (labels[k] !== v) return false;
  }
  if (q.ownerUid !== undefined && !(m?.ownerReferences ?? []).some((r) => r.uid === q.ownerUid)) return false;
  return true;
};

const bucketOf = (kind: GroupVersionKind, namespace: string): string => `${gvkKey(kind)}|${namespace}`;

/**
 * The related-resource queries of every task (its latest ones), indexed by kind and namespace, so a changed object
 * reaches only the tasks in its namespace that asked for its kind. Answers come from the informers' caches only.
 */
export class RelatedResources<Owner> {
  private readonly queries = new Map<Owner, ReadonlyArray<RelatedResourceQuery>>();
  private readonly buckets = new Map<string, Set<Owner>>();

  constructor(private readonly informerOf: (kind: GroupVersionKind) => Informer | undefined) {}

  /** Records `owner`'s queries (replacing its earlier ones) and returns the cached objects answering them. */
  answer(owner: Owner, queries: ReadonlyArray<RelatedResourceQuery>): ReadonlyArray<KubeObject> {
    this.forget(owner);
    if (queries.length > 0) this.queries.set(owner, queries);
    for (const q of queries) {
      const k = bucketOf(q.kind, q.namespace);
      const set = this.buckets.get(k) ?? new Set<Owner>();
      set.add(owner);
      this.buckets.set(k, set);
    }
    const out: KubeObject[] = [];
    const seen = new Set<string>();
    for (const q of queries) {
      for (const o of this.lookup(q)) {
        const k = `${gvkKey(o)}|${keyOf(o.metadata?.namespace, o.metadata?.name ?? '')}`;
        if (!seen.has(k)) {
          seen.add(k);
          out.push(o);
        }
      }
    }
    return out;
  }

  /** Drops `owner`'s queries (a settled task). */
  forget(owner: Owner): void {
    for (const q of this.queries.get(owner) ?? []) {
      const k = bucketOf(q.kind, q.namespace);
      const set = this.buckets.get(k);
      set?.delete(owner);
      if (set?.size === 0) this.buckets.delete(k);
    }
    this.queries.delete(owner);
  }

  /** The owners with a query that `object` (of kind `kindKey`, as gvkKey gives it) answers. */
  ownersOf(kindKey: string, object: KubeObject): ReadonlyArray<Owner> {
    if (this.buckets.size === 0) return [];
    const owners = this.buckets.get(`${kindKey}|${object.metadata?.namespace ?? ''}`);
    if (owners === undefined) return [];
    return [...owners].filter((o) =>
      (this.queries.get(o) ?? []).some((q) => gvkKey(q.kind) === kindKey && matchesQuery(q, object)),
    );
  }

  private lookup(q: RelatedResourceQuery): ReadonlyArray<KubeObject> {
    const informer = this.informerOf(q.kind);
    if (informer === undefined) return [];
    const candidates =
      q.name === undefined
        ? informer.inNamespace(q.namespace)
        : [informer.get(q.namespace, q.name)].filter((o): o is KubeObject => o !== undefined);
    return candidates.filter((o) => matchesQuery(q, o));
  }
}
