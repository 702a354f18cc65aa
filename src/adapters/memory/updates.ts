// The update strategies of the in-memory cluster: preconditions, system metadata, validation and the commit every change goes through.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Pod, PodSpec } from '../../domain/kubernetes.js';
import { setOwn } from '../../domain/own-keys.js';
import { conflict, invalid, statusError, type ApiError, type FieldError } from '../../domain/api-error.js';
import {
  asKube,
  CONFIGMAP_KIND,
  metaOf,
  omitEmpty,
  POD_KIND,
  pruned,
  SECRET_KIND,
  withMeta,
  type Mutable,
  type MutableMeta,
} from './draft.js';
import { cloneJson, deepFreeze, isObject, jsonEqual, type JsonObject } from './json.js';
import { groupKindOf, groupResourceOf, type KindInfo } from './kinds.js';
import { convertPodStatusIps, defaultPodSpec, validatePodStatusUpdate, validatePodUpdate } from './pods.js';
import type { ObjectStore } from './store.js';
import { validateImmutableData, validateMetadata, validateMetadataUpdate } from './validation.js';

/** Updates of stored objects: whole-object (update, patch) and status (updateStatus, patchStatus). */
export interface Updates {
  /**
   * Commits `next` as the new state of `current`: bumps generation on spec changes, skips no-op writes, and
   * removes an object that is being deleted once its last finalizer is gone (ShouldDeleteDuringUpdate).
   */
  readonly commitChange: (k: KindInfo, current: KubeObject, next: Mutable) => KubeObject;
  /** An update (or, `viaPatch`, a patch's result) of the object's main resource. */
  readonly update: (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ) => E.Either<ApiError, KubeObject>;
  /** An update (or, `viaPatch`, a patch's result) through the status subresource. */
  readonly updateStatus: (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ) => E.Either<ApiError, KubeObject>;
}

/** No copy: for data the store made itself (patch results), which nothing outside the store can reach. */
const ownData = <A>(a: A): A => a;

const specView = (k: KindInfo, o: KubeObject): unknown => {
  switch (k.generation) {
    case 'none':
      return undefined;
    case 'spec':
      return o['spec'];
    case 'content': {
      const { metadata: _m, status, ...rest } = o as JsonObject;
      return k.statusSubresource ? rest : { ...rest, status };
    }
  }
};

// Keeps what a client may not change through an update: identity, timestamps, deletion state, generation.
const restoreSystemMetadata = (
  k: KindInfo,
  current: KubeObject,
  next: Mutable,
): E.Either<ApiError, Mutable> => {
  const cur = metaOf(current);
  const meta = next.metadata;
  const name = cur.name ?? '';
  if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== cur.uid) {
    return E.left(
      statusError(
        'Invalid',
        `${k.kind} "${name}" is invalid: metadata.uid: Invalid value: "${meta.uid}": field is immutable`,
      ),
    );
  }
  if (cur.deletionTimestamp === undefined && meta.deletionTimestamp !== undefined) {
    return E.left(
      invalid(groupKindOf(k), name, [
        {
          type: 'FieldValueInvalid',
          field: 'metadata.deletionTimestamp',
          value: meta.deletionTimestamp,
          detail: 'field is immutable; may only be changed via deletion',
        },
      ]),
    );
  }
  const out: MutableMeta = { ...meta, name, uid: cur.uid ?? '' };
  if (k.namespaced) out.namespace = cur.namespace ?? '';
  else delete out.namespace;
  if (cur.creationTimestamp === undefined) delete out.creationTimestamp;
  else out.creationTimestamp = cur.creationTimestamp;
  if (cur.deletionTimestamp === undefined) delete out.deletionTimestamp;
  else out.deletionTimestamp = cur.deletionTimestamp;
  if (cur.deletionGracePeriodSeconds === undefined) delete out.deletionGracePeriodSeconds;
  else out.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
  if (cur.generation === undefined) delete out.generation;
  else out.generation = cur.generation;
  delete out.selfLink;
  delete out.managedFields;
  next.metadata = out;
  return E.right(pruned(k, next));
};

const checkPreconditions = (k: KindInfo, current: KubeObject, input: KubeObject): ApiError | undefined => {
  const want = metaOf(input).resourceVersion;
  const cur = metaOf(current);
  if (want !== undefined && want !== '') {
    // kube-apiserver parses it only in storage and answers an unclassified 500 with Go's parse error.
    if (!/^\d+$/.test(want))
      return statusError('Unknown', `strconv.ParseUint: parsing ${JSON.stringify(want)}: invalid syntax`);
    if (want !== cur.resourceVersion) return conflict(groupResourceOf(k), cur.name ?? '');
  } else if (!k.builtIn) {
    // Custom resources do not allow unconditional updates; the store names the resource where a kind belongs.
    return invalid({ group: k.group, kind: k.plural }, cur.name ?? '', [
      {
        type: 'FieldValueInvalid',
        field: 'metadata.resourceVersion',
        value: 0,
        detail: 'must be specified for an update',
      },
    ]);
  }
  return undefined;
};

const validateUpdate = (
  k: KindInfo,
  current: KubeObject,
  next: Mutable,
  status: boolean,
): ApiError | undefined => {
  const errors: FieldError[] = [
    ...validateMetadata(k, next.metadata, metaOf(current)),
    ...validateMetadataUpdate(metaOf(current), next.metadata),
  ];
  if (k.key === CONFIGMAP_KIND) errors.push(...validateImmutableData(current, next, ['data', 'binaryData']));
  if (k.key === SECRET_KIND) errors.push(...validateImmutableData(current, next, ['data']));
  if (k.key === POD_KIND) {
    errors.push(
      ...(status
        ? validatePodStatusUpdate(current as Pod, asKube(next) as Pod)
        : validatePodUpdate(current as Pod, asKube(next) as Pod)),
    );
  }
  return errors.length === 0 ? undefined : invalid(groupKindOf(k), metaOf(current).name ?? '', errors);
};

/** The update strategies over a store. */
export const makeUpdates = (store: ObjectStore): Updates => {
  const commitChange = (k: KindInfo, current: KubeObject, next: Mutable): KubeObject => {
    const cur = metaOf(current);
    next.metadata.resourceVersion = cur.resourceVersion ?? '';
    omitEmpty(next.metadata);
    if (k.generation !== 'none' && !jsonEqual(specView(k, current), specView(k, asKube(next)))) {
      next.metadata.generation = (cur.generation ?? 0) + 1;
    }
    if (jsonEqual(next, current)) return current;
    const deleting = next.metadata.deletionTimestamp !== undefined;
    const noFinalizers = (next.metadata.finalizers ?? []).length === 0;
    const grace = next.metadata.deletionGracePeriodSeconds;
    // kube-apiserver never stores this update: it deletes the stored object (the DELETED event shows that state,
    // finalizers and all, at the deletion's version) and answers with the updated object at its old version.
    if (deleting && noFinalizers && (grace === undefined || grace === 0)) {
      store.erase(k, current);
      return deepFreeze(asKube(next));
    }
    return store.write(k, next, current);
  };

  const update = (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ): E.Either<ApiError, KubeObject> => {
    const pre = checkPreconditions(k, current, input);
    if (pre !== undefined) return E.left(pre);
    const cur = metaOf(current);
    // An update's uid is a precondition (Conflict); a patch that changes it fails validation instead (Invalid).
    if (
      !viaPatch &&
      metaOf(input).uid !== undefined &&
      metaOf(input).uid !== '' &&
      metaOf(input).uid !== cur.uid
    ) {
      return E.left(
        conflict(
          groupResourceOf(k),
          cur.name ?? '',
          `Precondition failed: UID in precondition: ${metaOf(input).uid}, UID in object meta: ${cur.uid}`,
        ),
      );
    }
    // A patch result is the store's own data: its new parts were made by the patch (which copies every value it
    // takes from the body; test/adapters/patch.test.ts checks it) and its old parts are frozen stored snapshots, so
    // it needs no copy. An update body is the caller's.
    const copy = viaPatch ? ownData : cloneJson;
    const next = withMeta(copy(input), copy(metaOf(input)));
    next['apiVersion'] = k.apiVersion;
    next['kind'] = k.kind;
    if (k.statusSubresource) {
      if (current['status'] === undefined) delete next['status'];
      else next['status'] = current['status'];
    }
    // The stored spec was defaulted when it was written; a patch that leaves it alone (finalizers, labels) shares it.
    if (k.key === POD_KIND && isObject(next['spec']) && next['spec'] !== current['spec']) {
      next['spec'] = defaultPodSpec(next['spec'] as unknown as PodSpec);
    }
    const restored = restoreSystemMetadata(k, current, next);
    if (E.isLeft(restored)) return restored;
    const bad = validateUpdate(k, current, restored.right, false);
    if (bad !== undefined) return E.left(bad);
    return E.right(commitChange(k, current, restored.right));
  };

  const updateStatus = (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ): E.Either<ApiError, KubeObject> => {
    const pre = checkPreconditions(k, current, input);
    if (pre !== undefined) return E.left(pre);
    const copy = viaPatch ? ownData : cloneJson;
    let next: Mutable;
    if (k.builtIn) {
      // Built-in status strategies reset the spec (and, for pods, the owners) but keep metadata changes.
      // Only the input's metadata and status are kept, so only they are copied; the rest is the stored (frozen)
      // content, shared rather than copied and frozen again.
      const kept: JsonObject = {};
      for (const key in input) {
        const v = (input as JsonObject)[key];
        if (v === undefined) continue;
        if (key === 'metadata') kept[key] = copy(metaOf(input));
        else if (key === 'status' || key === 'apiVersion' || key === 'kind') kept[key] = copy(v);
      }
      next = { ...kept, metadata: (kept['metadata'] as MutableMeta | undefined) ?? {} };
      for (const [key, v] of Object.entries(current)) {
        if (key !== 'metadata' && key !== 'status' && key !== 'apiVersion' && key !== 'kind')
          setOwn(next, key, v);
      }
      if (k.key === POD_KIND) {
        const owners = metaOf(current).ownerReferences;
        if (owners === undefined) delete next.metadata.ownerReferences;
        else next.metadata.ownerReferences = owners;
      }
      const restored = restoreSystemMetadata(k, current, next);
      if (E.isLeft(restored)) return restored;
      next = restored.right;
    } else {
      // Custom resources: only status changes through the status subresource.
      next = withMeta(current, metaOf(current));
      if (input['status'] === undefined) delete next['status'];
      else next['status'] = copy(input['status']);
    }
    next['apiVersion'] = k.apiVersion;
    next['kind'] = k.kind;
    if (k.key === POD_KIND) {
      // The pod status strategy backfills an empty qosClass from the stored pod (old kubelets dropped it).
      const oldStatus = isObject(current['status']) ? current['status'] : {};
      const newStatus = isObject(next['status']) ? next['status'] : {};
      if ((newStatus['qosClass'] ?? '') === '' && typeof oldStatus['qosClass'] === 'string')
        next['status'] = { ...newStatus, qosClass: oldStatus['qosClass'] };
      if (isObject(next['status'])) next['status'] = convertPodStatusIps(next['status']);
    }
    const bad = validateUpdate(k, current, next, true);
    if (bad !== undefined) return E.left(bad);
    return E.right(commitChange(k, current, next));
  };

  return { commitChange, update, updateStatus };
};
