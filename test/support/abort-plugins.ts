// Test plugins whose abort is not a delete: the pod plugin with an onAbort that patches or updates, for both clusters.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import type { AbortBehavior } from '../../src/domain/plugin.js';
import { fromPlugins, type Registry } from '../../src/domain/registry.js';
import { podPlugin } from '../../src/plugins/index.js';

/** The label an abort by patch or update puts on the pod. */
export const STOPPED_LABEL = 'example.com/stopped';

/** How the test plugin aborts. `bad-patch` sets a label value the API server refuses (Invalid, 422). */
export type AbortKind = 'patch' | 'update' | 'bad-patch';

/** The behaviour for the object the plugin is handed. */
export const abortBehaviorFor =
  (kind: AbortKind, deleteOnError: boolean) =>
  (object: KubeObject): AbortBehavior => {
    switch (kind) {
      case 'patch':
        return { _tag: 'Patch', patch: { metadata: { labels: { [STOPPED_LABEL]: 'true' } } }, deleteOnError };
      case 'bad-patch':
        return {
          _tag: 'Patch',
          patch: { metadata: { labels: { [STOPPED_LABEL]: '-bad-' } } },
          deleteOnError,
        };
      case 'update': {
        // Without its resourceVersion the update is unconditional: the behaviour is kept for every attempt, and a
        // version read once would make every retry a Conflict once the pod changed.
        const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
        return {
          _tag: 'Update',
          resource: {
            ...object,
            metadata: { ...metadata, labels: { ...object.metadata?.labels, [STOPPED_LABEL]: 'true' } },
          },
          deleteOnError,
        };
      }
    }
  };

/** A registry of the pod plugin whose onAbort answers with `kind`. */
export const abortingRegistry = (kind: AbortKind, deleteOnError: boolean): Registry => {
  const r = fromPlugins([{ ...podPlugin, onAbort: (_ctx, o) => abortBehaviorFor(kind, deleteOnError)(o) }]);
  if (E.isLeft(r)) throw new Error('registry');
  return r.right;
};
