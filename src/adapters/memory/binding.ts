// The pods/binding subresource of the in-memory cluster: assigning a pod to a node, as the scheduler does.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { formatInstant } from '../../domain/time.js';
import { conflict, invalid, type ApiError } from '../../domain/api-error.js';
import type { Clock } from '../../ports/clock.js';
import { metaOf, withMeta } from './draft.js';
import { isObject } from './json.js';
import type { KindInfo } from './kinds.js';
import type { ObjectStore } from './store.js';

/**
 * Binds the stored pod `current` to `nodeName`: sets spec.nodeName and a PodScheduled condition, or refuses a pod
 * that is being deleted or already assigned (Conflict) and an empty node name (Invalid).
 */
export const bindPod = (
  store: ObjectStore,
  clock: Clock,
  k: KindInfo,
  current: KubeObject,
  nodeName: string,
): E.Either<ApiError, void> => {
  const meta = metaOf(current);
  const name = meta.name ?? '';
  const binding = { group: '', resource: 'pods/binding' };
  if (meta.deletionTimestamp !== undefined) {
    return E.left(conflict(binding, name, `pod ${name} is being deleted, cannot be assigned to a host`));
  }
  const spec = isObject(current['spec']) ? current['spec'] : {};
  const assigned = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
  if (assigned !== '')
    return E.left(conflict(binding, name, `pod ${name} is already assigned to node "${assigned}"`));
  if (nodeName === '') {
    return E.left(
      invalid({ group: '', kind: 'Binding' }, name, [{ type: 'FieldValueRequired', field: 'target.name' }]),
    );
  }
  // The binding writes the stored pod directly, not through the pod strategy: generation stays.
  const next = withMeta(current, meta);
  next['spec'] = { ...spec, nodeName };
  const status = isObject(current['status']) ? current['status'] : {};
  const conditions = (Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]) : []).filter(
    (c: unknown) => !(isObject(c) && c['type'] === 'PodScheduled'),
  );
  next['status'] = {
    ...status,
    conditions: [
      ...conditions,
      {
        type: 'PodScheduled',
        status: 'True',
        lastProbeTime: null,
        lastTransitionTime: formatInstant(clock.now()),
      },
    ],
  };
  store.write(k, next, current);
  return E.right(undefined);
};
