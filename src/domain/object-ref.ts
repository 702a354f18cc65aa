// One object's reference (apiVersion, kind, namespace, name): how every layer names an object, with its codec.
import * as t from 'io-ts';
import type { GroupVersionKind, KubeObject } from './kubernetes.js';

/** The reference's codec, for the persisted task state (plain data: it encodes as itself). */
export const ObjectRefC = t.readonly(
  t.type({ apiVersion: t.string, kind: t.string, namespace: t.string, name: t.string }),
  'ObjectRef',
);

/**
 * Where an object lives. `namespace` is `''` for a cluster-scoped kind (as Kubernetes' own object keys write it):
 * one shape for both scopes, so a reference read from an object, persisted in a task's state and handed to the
 * cluster port is the same value everywhere.
 */
export interface ObjectRef extends GroupVersionKind, t.TypeOf<typeof ObjectRefC> {}

/** The reference of an object, read from the object itself (a missing namespace or name is `''`). */
export const refOf = (o: KubeObject): ObjectRef => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});

/**
 * Whether two references name the same object (kind, namespace and name); uids are not compared, so an object
 * recreated under the same name counts as the same.
 */
export const sameRef = (a: ObjectRef, b: ObjectRef): boolean =>
  a.name === b.name && a.namespace === b.namespace && a.kind === b.kind && a.apiVersion === b.apiVersion;
