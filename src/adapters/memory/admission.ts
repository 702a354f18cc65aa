// Admission in the in-memory cluster: the NamespaceLifecycle, Priority and ResourceQuota plugins a create passes.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Pod } from '../../domain/kubernetes.js';
import { forbidden, notFound, type ApiError } from '../../domain/api-error.js';
import {
  asKube,
  metaOf,
  NAMESPACE_KIND,
  POD_KIND,
  PRIORITY_KIND,
  QUOTA_KIND,
  type Mutable,
} from './draft.js';
import { groupResourceOf, type KindInfo } from './kinds.js';
import { admitPodPriority, admitPriorityClass } from './priority.js';
import { podQuotaRefusal } from './quota.js';
import type { ObjectStore } from './store.js';

const priorityClasses = (store: ObjectStore): Iterable<KubeObject> => store.inNamespace(PRIORITY_KIND, '');

/**
 * Runs the admission chain on a validated create of `name` (in namespace `ns` for namespaced kinds): refuses
 * creates in a missing or terminating namespace, resolves a pod's priority (writing it into the draft's spec),
 * checks the namespace's quotas, and guards PriorityClasses. Undefined when the create is admitted.
 */
export const admitCreate = (
  store: ObjectStore,
  k: KindInfo,
  next: Mutable,
  ns: string | undefined,
  name: string,
): ApiError | undefined => {
  if (k.namespaced) {
    const nsKind = store.kindByKey(NAMESPACE_KIND);
    const namespace = nsKind === undefined ? undefined : store.lookup(nsKind, undefined, ns ?? '');
    if (namespace === undefined) return notFound({ group: '', resource: 'namespaces' }, ns ?? '');
    if (metaOf(namespace).deletionTimestamp !== undefined) {
      return forbidden(
        groupResourceOf(k),
        name,
        `unable to create new content in namespace ${ns ?? ''} because it is being terminated`,
      );
    }
    if (k.key === POD_KIND) {
      const admitted = admitPodPriority(asKube(next) as Pod, priorityClasses(store));
      if (E.isLeft(admitted)) return forbidden(groupResourceOf(k), name, admitted.left);
      next['spec'] = admitted.right.spec;
      const quotas =
        store.kindByKey(QUOTA_KIND) === undefined ? [] : [...store.inNamespace(QUOTA_KIND, ns ?? '')];
      if (quotas.length > 0) {
        const refusal = podQuotaRefusal(quotas, store.inNamespace(POD_KIND, ns ?? ''), asKube(next) as Pod);
        if (refusal !== undefined) return forbidden(groupResourceOf(k), name, refusal);
      }
    }
  }
  if (k.key === PRIORITY_KIND) {
    const refusal = admitPriorityClass(asKube(next), priorityClasses(store));
    if (refusal !== undefined) return forbidden(groupResourceOf(k), name, refusal);
  }
  return undefined;
};
