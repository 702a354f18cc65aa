// Drafts: objects the in-memory cluster is preparing to write (plain JSON with mutable metadata), and the kind keys it special-cases.
import type { KubeObject, ObjectMeta } from '../../domain/kubernetes.js';
import { setOwn } from '../../domain/own-keys.js';
import type { JsonObject } from './json.js';
import { kindKey, OBJECT_META_FIELDS, type KindInfo } from './kinds.js';
import { PRIORITY_CLASS } from './priority.js';

/** Object metadata that a write may still change. */
export type MutableMeta = { -readonly [K in keyof ObjectMeta]?: ObjectMeta[K] };

/** An object being prepared for a write: plain JSON with mutable metadata. */
export interface Mutable {
  [field: string]: unknown;
  metadata: MutableMeta;
}

/** The kind keys (`kindKey`) of the built-in kinds whose strategies or admission differ from the rest. */
export const NAMESPACE_KIND = kindKey({ apiVersion: 'v1', kind: 'Namespace' });
/** See NAMESPACE_KIND. */
export const POD_KIND = kindKey({ apiVersion: 'v1', kind: 'Pod' });
/** See NAMESPACE_KIND. */
export const QUOTA_KIND = kindKey({ apiVersion: 'v1', kind: 'ResourceQuota' });
/** See NAMESPACE_KIND. */
export const PRIORITY_KIND = kindKey(PRIORITY_CLASS);
/** See NAMESPACE_KIND. */
export const CONFIGMAP_KIND = kindKey({ apiVersion: 'v1', kind: 'ConfigMap' });
/** See NAMESPACE_KIND. */
export const SECRET_KIND = kindKey({ apiVersion: 'v1', kind: 'Secret' });

/** An object's metadata, `{}` when it has none. */
export const metaOf = (o: KubeObject): ObjectMeta => o.metadata ?? {};

/** A draft of `o` with a shallow copy of `meta` as its metadata (the rest of `o` is shared, not copied). */
export const withMeta = (o: KubeObject, meta: ObjectMeta): Mutable => ({
  ...(o as JsonObject),
  metadata: { ...meta },
});

/** A draft seen as the object it will become. */
export const asKube = (m: Mutable): KubeObject => m as unknown as KubeObject;

// Go drops empty `omitempty` lists and maps when it stores an object; so does this store.
/** Drops empty finalizer, owner, label and annotation collections, as Go's `omitempty` does when it stores. */
export const omitEmpty = (meta: MutableMeta): void => {
  if (meta.finalizers?.length === 0) delete meta.finalizers;
  if (meta.ownerReferences?.length === 0) delete meta.ownerReferences;
  if (meta.labels !== undefined && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.annotations !== undefined && Object.keys(meta.annotations).length === 0) delete meta.annotations;
};

// The API server decodes a body into the kind's type (ObjectMeta for every kind): other fields do not survive.
// Loops rather than entries/filter/fromEntries: this runs on every write.
/** The draft without the fields the kind's type (and ObjectMeta) does not have. */
export const pruned = (k: KindInfo, next: Mutable): Mutable => {
  const top = k.topLevel;
  const metadata: JsonObject = {};
  for (const f in next.metadata) {
    if (OBJECT_META_FIELDS.has(f)) metadata[f] = (next.metadata as JsonObject)[f];
  }
  const out: JsonObject = {};
  for (const f in next) {
    if (top === undefined || f === 'apiVersion' || f === 'kind' || f === 'metadata' || top.has(f))
      setOwn(out, f, next[f]);
  }
  out['metadata'] = metadata;
  return out as Mutable;
};
