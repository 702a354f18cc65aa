// Codecs every version of the stored lifecycle state shares: Kubernetes objects as handed over, abort behaviours.
import * as t from 'io-ts';
import type { KubeObject } from '../kubernetes.js';
import type { AbortBehavior } from '../plugin.js';

/** A Kubernetes object as the plugin handed it over: any JSON object with apiVersion and kind, kept as it is. */
const isKubeObject = (u: unknown): u is KubeObject =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  typeof (u as Record<string, unknown>)['apiVersion'] === 'string' &&
  typeof (u as Record<string, unknown>)['kind'] === 'string';

/** A plugin-built Kubernetes object, stored as it is (no transform, so encoding is the identity). */
export const KubeObjectC = new t.Type<KubeObject, KubeObject, unknown>(
  'KubeObject',
  isKubeObject,
  (u, c) => (isKubeObject(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

/** The plugin's abort behaviour, chosen once and kept, so every attempt (timer, restart) applies the same one. */
export const AbortBehaviorC: t.Type<AbortBehavior, AbortBehavior> = t.union([
  t.readonly(t.intersection([t.type({ _tag: t.literal('Delete') }), t.partial({ resource: KubeObjectC })])),
  t.readonly(
    t.intersection([
      t.type({ _tag: t.literal('Patch'), patch: t.UnknownRecord, deleteOnError: t.boolean }),
      t.partial({ resource: KubeObjectC }),
    ]),
  ),
  t.readonly(t.type({ _tag: t.literal('Update'), resource: KubeObjectC, deleteOnError: t.boolean })),
]);
