// The in-memory cluster: an embedded API server with the semantics the contract suite checks, indexed for scale.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind, KubeObject, ObjectMeta, Pod, PodSpec } from '../../domain/kubernetes.js';
import { ownValue, setOwn } from '../../domain/own-keys.js';
import { formatInstant, parseInstant } from '../../domain/time.js';
import type { Clock } from '../../ports/clock.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  internalError,
  invalid,
  notFound,
  requestEntityTooLarge,
  resourceExpired,
  resourceNotServed,
  serverTimeout,
  statusError,
  unsupportedMediaType,
  type ClusterError,
  type FieldError,
} from '../../ports/cluster-error.js';
import {
  type ClusterPort,
  type DeleteOptions,
  type DeleteOutcome,
  type ObjectList,
  type ObjectRef,
  type Patch,
  type ResourceInfo,
  type Selection,
  type WatchOptions,
  type WatchStream,
} from '../../ports/cluster.js';
import { silentLogger, type Logger } from '../../ports/logger.js';
import { noopMetrics, type Metrics } from '../../ports/metrics.js';
import { systemClock } from '../clock/system.js';
import { cloneJson, deepFreeze, exceedsJsonSize, isObject, jsonEqual, type JsonObject } from './json.js';
import {
  builtInKinds,
  customKindInfo,
  groupKindOf,
  groupResourceOf,
  kindKey,
  OBJECT_META_FIELDS,
  type CustomKind,
  type KindInfo,
} from './kinds.js';
import { jsonPatch, mergePatch, strategicMergePatch, type PatchFailure } from './patch.js';
import {
  convertPodStatusIps,
  defaultPod,
  defaultPodSpec,
  undecodableQuantity,
  validatePodSpec,
  validatePodStatusUpdate,
  validatePodUpdate,
} from './pods.js';
import { makePrng, nameSuffix, uuid } from './prng.js';
import {
  admitPodPriority,
  admitPriorityClass,
  defaultPriorityClass,
  PRIORITY_CLASS,
  SYSTEM_PRIORITY_CLASSES,
  validatePriorityClass,
} from './priority.js';
import { podQuotaRefusal } from './quota.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { validateImmutableData, validateMetadata, validateMetadataUpdate } from './validation.js';
import {
  makeEventLog,
  makeWatchStream,
  viewOf,
  watcherSelects,
  type ChangeEvent,
  type EventLog,
  type Watcher,
} from './watch.js';

/** How to build an in-memory cluster. Every option has a default that mirrors a real cluster. */
export interface MemoryClusterOptions {
  /** Time source for timestamps, graceful deletion and bookmarks. Default: the system clock. */
  readonly clock?: Clock;
  /** Seed for uids and generated names, so runs replay. Default 1. */
  readonly seed?: number;
  /** Custom resources to serve from the start (as installed CRDs). */
  readonly kinds?: ReadonlyArray<CustomKind>;
  /** Namespaces to create besides default, kube-system, kube-public and kube-node-lease. */
  readonly namespaces?: ReadonlyArray<string>;
  /** Objects present from the start; like everything created at start-up, they are before any watch window. */
  readonly objects?: ReadonlyArray<KubeObject>;
  /** Changes kept per kind for watches that resume from a resourceVersion. Default 10,000. */
  readonly watchHistory?: number;
  /** How often watches that allow bookmarks get one. Default 60 s, as the API server does. */
  readonly bookmarkIntervalMs?: number;
  /** Cascade deletion through ownerReferences, as kube-controller-manager does. Default true. */
  readonly garbageCollector?: boolean;
  /** Empty and remove deleted namespaces, as kube-controller-manager does. Default true. */
  readonly namespaceController?: boolean;
  /** Largest accepted request body, in JSON characters. Default 3 MiB, the API server's limit. */
  readonly maxRequestBytes?: number;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The in-memory cluster: the port, plus what a test harness needs. */
export interface MemoryCluster extends ClusterPort {
  /** Serves a custom resource from now on, as installing its CRD does. Re-registering is a no-op. */
  readonly registerKind: (kind: CustomKind) => void;
  /** The latest resourceVersion (the version of the last write). */
  readonly resourceVersion: () => string;
  /** How many objects are stored (of one kind, or in total). */
  readonly count: (gvk?: GroupVersionKind) => number;
  /** Ends every watch and stops timers. The cluster must not be used afterwards. */
  readonly close: () => void;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const NAMESPACE_KIND = kindKey({ apiVersion: 'v1', kind: 'Namespace' });
const POD_KIND = kindKey({ apiVersion: 'v1', kind: 'Pod' });
const QUOTA_KIND = kindKey({ apiVersion: 'v1', kind: 'ResourceQuota' });
const PRIORITY_KIND = kindKey(PRIORITY_CLASS);
const CONFIGMAP_KIND = kindKey({ apiVersion: 'v1', kind: 'ConfigMap' });
const SECRET_KIND = kindKey({ apiVersion: 'v1', kind: 'Secret' });
const MAX_GENERATE_NAME_PREFIX = 58;
const GENERATE_NAME_ATTEMPTS = 8;

type MutableMeta = { -readonly [K in keyof ObjectMeta]?: ObjectMeta[K] };

/** An object being prepared for a write: plain JSON with mutable metadata. */
interface Mutable {
  [field: string]: unknown;
  metadata: MutableMeta;
}

const metaOf = (o: KubeObject): ObjectMeta => o.metadata ?? {};

const withMeta = (o: KubeObject, meta: ObjectMeta): Mutable => ({
  ...(o as JsonObject),
  metadata: { ...meta },
});

const asKube = (m: Mutable): KubeObject => m as unknown as KubeObject;

// Go drops empty `omitempty` lists and maps when it stores an object; so does this store.
const omitEmpty = (meta: MutableMeta): void => {
  if (meta.finalizers?.length === 0) delete meta.finalizers;
  if (meta.ownerReferences?.length === 0) delete meta.ownerReferences;
  if (meta.labels !== undefined && Object.keys(meta.labels).length === 0) delete meta.labels;
  if (meta.annotations !== undefined && Object.keys(meta.annotations).length === 0) delete meta.annotations;
};

const copyOut = (o: KubeObject): KubeObject => cloneJson(o);

/** No copy: for data the store made itself (patch results), which nothing outside the store can reach. */
const ownData = <A>(a: A): A => a;

// Write results are the stored snapshot itself: frozen all the way down, like watch events' objects.
const shared = (o: KubeObject): KubeObject => o;

// The API server decodes a body into the kind's type (ObjectMeta for every kind): other fields do not survive.
// Loops rather than entries/filter/fromEntries: this runs on every write.
const pruned = (k: KindInfo, next: Mutable): Mutable => {
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

const strategicUnsupported = (): ClusterError =>
  unsupportedMediaType(
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
  );

const patchFailure = (f: PatchFailure): ClusterError =>
  f.kind === 'malformed' ? badRequest(f.message) : statusError('Invalid', f.message);

export const makeMemoryCluster = (options: MemoryClusterOptions = {}): MemoryCluster => {
  const clock = options.clock ?? systemClock;
  const prng = makePrng(options.seed ?? 1);
  const history = options.watchHistory ?? 10_000;
  const bookmarkInterval = options.bookmarkIntervalMs ?? 60_000;
  const gcEnabled = options.garbageCollector ?? true;
  const nsController = options.namespaceController ?? true;
  const maxRequest = options.maxRequestBytes ?? 3 * 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetrics;

  let rv = 0;
  let closed = false;
  const kinds = new Map<string, KindInfo>();
  const buckets = new Map<string, Map<string, Map<string, KubeObject>>>();
  const byUid = new Map<string, { readonly kind: KindInfo; readonly obj: KubeObject }>();
  const dependents = new Map<string, Set<string>>();
  const nsCount = new Map<string, number>();
  const logs = new Map<string, EventLog>();
  const watchers = new Map<string, Set<Watcher>>();
  const allStreams = new Set<WatchStream>();
  let bookmarkWatchers = 0;
  let cancelBookmarks: (() => void) | undefined;

  // -----------------------------------------------------------------------------------
  // storage primitives
  // -----------------------------------------------------------------------------------

  const register = (k: KindInfo): void => {
    const key = k.key;
    if (kinds.has(key)) return;
    kinds.set(key, k);
    buckets.set(key, new Map());
    logs.set(key, makeEventLog(history, rv));
    watchers.set(key, new Set());
  };

  const kindOf = (gvk: GroupVersionKind): KindInfo | undefined => kinds.get(kindKey(gvk));

  const nsKey = (k: KindInfo, ns: string | undefined): string => (k.namespaced ? (ns ?? '') : '');

  const lookup = (k: KindInfo, ns: string | undefined, name: string): KubeObject | undefined =>
    buckets.get(k.key)?.get(nsKey(k, ns))?.get(name);

  const priorityClasses = (): Iterable<KubeObject> => buckets.get(PRIORITY_KIND)?.get('')?.values() ?? [];

  const ownerUids = (o: KubeObject | undefined): ReadonlyArray<string> =>
    (o === undefined ? [] : (metaOf(o).ownerReferences ?? [])).map((r) => r.uid);

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

  const dispatch = (k: KindInfo, e: ChangeEvent): void => {
    logs.get(k.key)?.append(e);
    for (const w of watchers.get(k.key) ?? []) {
      const view = viewOf(w, e);
      if (view !== undefined) w.sink.push(view);
    }
  };

  /** Stores a new state of an object (its resourceVersion is assigned here) and tells the watchers. */
  const write = (k: KindInfo, next: Mutable, prev: KubeObject | undefined): KubeObject => {
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
    byUid.set(uid, { kind: k, obj: frozen });
    reindexOwners(uid, prev, frozen);
    if (prev === undefined && k.namespaced) nsCount.set(ns, (nsCount.get(ns) ?? 0) + 1);
    dispatch(k, { rv, type: prev === undefined ? 'ADDED' : 'MODIFIED', object: frozen, prev, namespace: ns });
    return frozen;
  };

  /** Removes an object for good; `last` is its final content (the state a DELETED event shows). */
  const erase = (k: KindInfo, current: KubeObject, last: KubeObject = current): KubeObject => {
    rv++;
    const final = deepFreeze(asKube(withMeta(last, { ...metaOf(last), resourceVersion: String(rv) })));
    const meta = metaOf(current);
    const ns = nsKey(k, meta.namespace);
    const bucket = buckets.get(k.key)?.get(ns);
    bucket?.delete(meta.name ?? '');
    if (bucket?.size === 0) buckets.get(k.key)?.delete(ns);
    const uid = meta.uid ?? '';
    byUid.delete(uid);
    reindexOwners(uid, current, undefined);
    if (k.namespaced) nsCount.set(ns, (nsCount.get(ns) ?? 1) - 1);
    dispatch(k, { rv, type: 'DELETED', object: final, prev: current, namespace: ns });
    afterRemoval(k, final);
    return final;
  };

  // -----------------------------------------------------------------------------------
  // controllers that live inside a real cluster: garbage collector and namespace lifecycle
  // -----------------------------------------------------------------------------------

  const afterRemoval = (k: KindInfo, removed: KubeObject): void => {
    const meta = metaOf(removed);
    const uid = meta.uid ?? '';
    if (gcEnabled) {
      for (const depUid of [...(dependents.get(uid) ?? [])]) collectDependent(depUid);
      for (const ownerUid of ownerUids(removed)) maybeFinishForeground(ownerUid);
    }
    if (k.namespaced && nsController) maybeFinalizeNamespace(meta.namespace ?? '');
  };

  // A dependent whose owner is gone: deleted when no owner is left, else the dangling reference is dropped.
  const collectDependent = (depUid: string): void => {
    const entry = byUid.get(depUid);
    if (entry === undefined) return;
    const refs = metaOf(entry.obj).ownerReferences ?? [];
    const alive = refs.filter((r) => byUid.has(r.uid));
    if (alive.length === refs.length) return;
    if (alive.length > 0) {
      const next = withMeta(entry.obj, { ...metaOf(entry.obj), ownerReferences: alive });
      write(entry.kind, next, entry.obj);
      return;
    }
    deleteObject(entry.kind, entry.obj, { propagationPolicy: 'Background' });
  };

  const removeFinalizer = (uid: string, finalizer: string): void => {
    const entry = byUid.get(uid);
    if (entry === undefined) return;
    const meta = metaOf(entry.obj);
    const finalizers = (meta.finalizers ?? []).filter((f) => f !== finalizer);
    if (finalizers.length === (meta.finalizers ?? []).length) return;
    const next = withMeta(entry.obj, { ...meta, finalizers });
    if (finalizers.length === 0) delete next.metadata.finalizers;
    commitChange(entry.kind, entry.obj, next);
  };

  const maybeFinishForeground = (ownerUid: string): void => {
    const owner = byUid.get(ownerUid);
    if (owner === undefined) return;
    const meta = metaOf(owner.obj);
    if (meta.deletionTimestamp === undefined || !(meta.finalizers ?? []).includes('foregroundDeletion'))
      return;
    if ((dependents.get(ownerUid)?.size ?? 0) > 0) return;
    removeFinalizer(ownerUid, 'foregroundDeletion');
  };

  // The garbage collector's part of a Foreground or Orphan delete.
  const processDeletingOwner = (uid: string): void => {
    const owner = byUid.get(uid);
    if (owner === undefined) return;
    const finalizers = metaOf(owner.obj).finalizers ?? [];
    if (finalizers.includes('orphan')) {
      for (const depUid of [...(dependents.get(uid) ?? [])]) {
        const dep = byUid.get(depUid);
        if (dep === undefined) continue;
        const refs = (metaOf(dep.obj).ownerReferences ?? []).filter((r) => r.uid !== uid);
        const next = withMeta(dep.obj, { ...metaOf(dep.obj), ownerReferences: refs });
        if (refs.length === 0) delete next.metadata.ownerReferences;
        write(dep.kind, next, dep.obj);
      }
      removeFinalizer(uid, 'orphan');
    } else if (finalizers.includes('foregroundDeletion')) {
      for (const depUid of [...(dependents.get(uid) ?? [])]) {
        const dep = byUid.get(depUid);
        if (dep !== undefined) deleteObject(dep.kind, dep.obj, { propagationPolicy: 'Foreground' });
      }
      maybeFinishForeground(uid);
    }
  };

  const maybeFinalizeNamespace = (ns: string): void => {
    const nsKind = kinds.get(NAMESPACE_KIND);
    if (nsKind === undefined) return;
    const namespace = lookup(nsKind, undefined, ns);
    if (namespace === undefined || metaOf(namespace).deletionTimestamp === undefined) return;
    if ((nsCount.get(ns) ?? 0) > 0) return;
    const spec = isObject(namespace['spec']) ? namespace['spec'] : {};
    if (Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0) {
      // The namespace controller's /finalize call.
      const next = withMeta(namespace, metaOf(namespace));
      next['spec'] = { ...spec, finalizers: [] };
      const written = write(nsKind, next, namespace);
      if ((metaOf(written).finalizers ?? []).length === 0) erase(nsKind, written);
    } else if ((metaOf(namespace).finalizers ?? []).length === 0) {
      erase(nsKind, namespace);
    }
  };

  const emptyNamespace = (ns: string): void => {
    for (const [key, byNs] of buckets) {
      const k = kinds.get(key);
      const bucket = byNs.get(ns);
      if (k === undefined || !k.namespaced || bucket === undefined) continue;
      for (const obj of [...bucket.values()]) {
        const current = lookup(k, ns, metaOf(obj).name ?? '');
        if (current !== undefined) deleteObject(k, current, {});
      }
    }
  };

  // -----------------------------------------------------------------------------------
  // shared write path for update, patch, status writes and finalizer removal
  // -----------------------------------------------------------------------------------

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

  /**
   * Commits `next` as the new state of `current`: bumps generation on spec changes, skips no-op writes, and
   * removes an object that is being deleted once its last finalizer is gone (ShouldDeleteDuringUpdate).
   */
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
      erase(k, current);
      return deepFreeze(asKube(next));
    }
    return write(k, next, current);
  };

  // Keeps what a client may not change through an update: identity, timestamps, deletion state, generation.
  const restoreSystemMetadata = (
    k: KindInfo,
    current: KubeObject,
    next: Mutable,
  ): E.Either<ClusterError, Mutable> => {
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

  const checkPreconditions = (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
  ): ClusterError | undefined => {
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
  ): ClusterError | undefined => {
    const errors: FieldError[] = [
      ...validateMetadata(k, next.metadata, metaOf(current)),
      ...validateMetadataUpdate(metaOf(current), next.metadata),
    ];
    if (k.key === CONFIGMAP_KIND)
      errors.push(...validateImmutableData(current, next, ['data', 'binaryData']));
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

  const updateMain = (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ): E.Either<ClusterError, KubeObject> => {
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

  const updateStatusOf = (
    k: KindInfo,
    current: KubeObject,
    input: KubeObject,
    viaPatch: boolean,
  ): E.Either<ClusterError, KubeObject> => {
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

  // -----------------------------------------------------------------------------------
  // deletion
  // -----------------------------------------------------------------------------------

  const gcFinalizers = (
    meta: ObjectMeta,
    policy: DeleteOptions['propagationPolicy'],
  ): string[] | undefined => {
    // The API server adds these finalizers whether or not a garbage collector is running to act on them.
    if (policy === undefined) return undefined;
    const base = (meta.finalizers ?? []).filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    if (policy === 'Orphan') return [...base, 'orphan'];
    if (policy === 'Foreground') return [...base, 'foregroundDeletion'];
    return base;
  };

  const isTerminalPod = (o: KubeObject): boolean => {
    const phase = isObject(o['status']) ? o['status']['phase'] : undefined;
    return phase === 'Succeeded' || phase === 'Failed';
  };

  const deleteObject = (k: KindInfo, current: KubeObject, opts: DeleteOptions): DeleteOutcome => {
    const meta = metaOf(current);
    const now = clock.now();
    if (k.key === NAMESPACE_KIND) return deleteNamespace(k, current);
    const alreadyDeleting = meta.deletionTimestamp !== undefined;
    const requested =
      opts.gracePeriodSeconds === undefined
        ? undefined
        : opts.gracePeriodSeconds < 0
          ? 1
          : opts.gracePeriodSeconds;
    // A policy given again on an object already being deleted still switches its garbage-collector finalizers.
    const finalizersAfter = gcFinalizers(meta, opts.propagationPolicy) ?? meta.finalizers;
    const gcFinalizersChanged = !jsonEqual(
      [...(finalizersAfter ?? [])].sort(),
      [...(meta.finalizers ?? [])].sort(),
    );
    const pendingFinalizers = (finalizersAfter ?? []).length > 0;
    const next = withMeta(current, meta);
    if (finalizersAfter !== undefined && finalizersAfter.length > 0)
      next.metadata.finalizers = finalizersAfter;
    else delete next.metadata.finalizers;

    if (k.gracefulDelete && !(alreadyDeleting && (meta.deletionGracePeriodSeconds ?? 0) === 0)) {
      if (alreadyDeleting) {
        const stored = meta.deletionGracePeriodSeconds ?? 0;
        if ((requested === undefined || requested >= stored) && !gcFinalizersChanged)
          return { removed: false, object: cloneJson(current) };
        if (requested === undefined || requested >= stored)
          return stillThere(k, commitChange(k, current, next));
        const start = O.getOrElse(() => now)(parseInstant(meta.deletionTimestamp)) - stored * 1000;
        next.metadata.deletionTimestamp = formatInstant(start + requested * 1000);
        next.metadata.deletionGracePeriodSeconds = requested;
      } else {
        const spec = isObject(current['spec']) ? current['spec'] : {};
        let period =
          requested ??
          (typeof spec['terminationGracePeriodSeconds'] === 'number'
            ? spec['terminationGracePeriodSeconds']
            : 0);
        if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '' || isTerminalPod(current))
          period = 0;
        if (period < 0) period = 1;
        next.metadata.deletionTimestamp = formatInstant(now + period * 1000);
        next.metadata.deletionGracePeriodSeconds = period;
        if ((meta.generation ?? 0) > 0) next.metadata.generation = (meta.generation ?? 0) + 1;
      }
      const marked = write(k, next, current);
      if (!pendingFinalizers && (metaOf(marked).deletionGracePeriodSeconds ?? 0) === 0) {
        erase(k, marked);
        return { removed: true, object: cloneJson(marked) };
      }
      if (gcEnabled && (!alreadyDeleting || gcFinalizersChanged)) processDeletingOwner(meta.uid ?? '');
      return stillThere(k, marked);
    }
    if (pendingFinalizers) {
      // markAsDeleting: the timestamp is set once (or moved earlier), the grace period becomes 0.
      const existing = O.toUndefined(parseInstant(meta.deletionTimestamp));
      if (existing === undefined && (meta.generation ?? 0) > 0)
        next.metadata.generation = (meta.generation ?? 0) + 1;
      if (existing === undefined || existing > now) next.metadata.deletionTimestamp = formatInstant(now);
      next.metadata.deletionGracePeriodSeconds = 0;
      const marked = commitChange(k, current, next);
      if (gcEnabled && (!alreadyDeleting || gcFinalizersChanged)) processDeletingOwner(meta.uid ?? '');
      return stillThere(k, marked);
    }
    const removed = erase(k, current);
    return { removed: true, object: cloneJson(removed) };
  };

  const stillThere = (k: KindInfo, o: KubeObject): DeleteOutcome => {
    const now = lookup(k, metaOf(o).namespace, metaOf(o).name ?? '');
    return now === undefined
      ? { removed: true, object: cloneJson(o) }
      : { removed: false, object: cloneJson(now) };
  };

  const deleteNamespace = (k: KindInfo, current: KubeObject): DeleteOutcome => {
    const meta = metaOf(current);
    if (meta.deletionTimestamp !== undefined) return { removed: false, object: cloneJson(current) };
    const next = withMeta(current, {
      ...meta,
      deletionTimestamp: formatInstant(clock.now()),
      deletionGracePeriodSeconds: 0,
    });
    next['status'] = { ...(isObject(current['status']) ? current['status'] : {}), phase: 'Terminating' };
    const marked = write(k, next, current);
    const name = meta.name ?? '';
    if (nsController) {
      emptyNamespace(name);
      maybeFinalizeNamespace(name);
    }
    return stillThere(k, marked);
  };

  // -----------------------------------------------------------------------------------
  // create
  // -----------------------------------------------------------------------------------

  const prepareCreate = (k: KindInfo, input: KubeObject): E.Either<ClusterError, Mutable> => {
    const inMeta = metaOf(input);
    if (inMeta.resourceVersion !== undefined && inMeta.resourceVersion !== '') {
      return E.left(statusError('Unknown', 'resourceVersion should not be set on objects to be created'));
    }
    const copy = cloneJson(input);
    let next = pruned(k, withMeta(copy, copy.metadata ?? {}));
    next['apiVersion'] = k.apiVersion;
    next['kind'] = k.kind;
    const meta = next.metadata;
    if (k.namespaced) {
      if (meta.namespace === undefined || meta.namespace === '') {
        return E.left(badRequest(`the namespace of the object is required for ${k.plural}`));
      }
    } else delete meta.namespace;
    delete meta.uid;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    delete meta.managedFields;
    delete meta.resourceVersion;
    if (k.generation === 'none') delete meta.generation;
    else meta.generation = 1;
    meta.creationTimestamp = formatInstant(clock.now());
    if (k.statusSubresource && !k.statusOnCreate) delete next['status'];
    if (k.key === POD_KIND) {
      const undecodable = undecodableQuantity(asKube(next) as Pod);
      if (undecodable !== undefined) return E.left(badRequest(undecodable));
      next = defaultPod(asKube(next) as Pod) as unknown as Mutable;
    }
    if (k.key === NAMESPACE_KIND) {
      const spec = isObject(next['spec']) ? next['spec'] : {};
      next['spec'] = {
        ...spec,
        finalizers: Array.isArray(spec['finalizers']) ? spec['finalizers'] : ['kubernetes'],
      };
      next['status'] = { phase: 'Active' };
    }
    if (k.key === PRIORITY_KIND) next = defaultPriorityClass(next) as Mutable;
    return E.right(next);
  };

  const generatedName = (k: KindInfo, ns: string | undefined, prefix: string): string | undefined => {
    const base = prefix.slice(0, MAX_GENERATE_NAME_PREFIX);
    for (let i = 0; i < GENERATE_NAME_ATTEMPTS; i++) {
      const candidate = `${base}${nameSuffix(prng)}`;
      if (lookup(k, ns, candidate) === undefined) return candidate;
    }
    return undefined;
  };

  const createObject = (k: KindInfo, input: KubeObject): E.Either<ClusterError, KubeObject> => {
    const prepared = prepareCreate(k, input);
    if (E.isLeft(prepared)) return prepared;
    const next = prepared.right;
    const meta = next.metadata;
    const ns = k.namespaced ? meta.namespace : undefined;
    if (
      (meta.name === undefined || meta.name === '') &&
      meta.generateName !== undefined &&
      meta.generateName !== ''
    ) {
      const name = generatedName(k, ns, meta.generateName);
      if (name === undefined) return E.left(serverTimeout(groupResourceOf(k), 'POST', 0));
      meta.name = name;
    }
    if (k.key === NAMESPACE_KIND) {
      meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' };
    }
    const name = meta.name ?? '';
    const errors = validateMetadata(k, meta);
    if (k.key === POD_KIND) errors.push(...validatePodSpec(asKube(next) as Pod));
    if (k.key === PRIORITY_KIND) errors.push(...validatePriorityClass(asKube(next)));
    if (errors.length > 0) return E.left(invalid(groupKindOf(k), name, errors));
    // Admission: NamespaceLifecycle, then ResourceQuota.
    if (k.namespaced) {
      const nsKind = kinds.get(NAMESPACE_KIND);
      const namespace = nsKind === undefined ? undefined : lookup(nsKind, undefined, ns ?? '');
      if (namespace === undefined) return E.left(notFound({ group: '', resource: 'namespaces' }, ns ?? ''));
      if (metaOf(namespace).deletionTimestamp !== undefined) {
        return E.left(
          forbidden(
            groupResourceOf(k),
            name,
            `unable to create new content in namespace ${ns ?? ''} because it is being terminated`,
          ),
        );
      }
      if (k.key === POD_KIND) {
        const admitted = admitPodPriority(asKube(next) as Pod, priorityClasses());
        if (E.isLeft(admitted)) return E.left(forbidden(groupResourceOf(k), name, admitted.left));
        next['spec'] = admitted.right.spec;
        const quotaKind = kinds.get(QUOTA_KIND);
        const quotas =
          quotaKind === undefined
            ? []
            : [
                ...(buckets
                  .get(QUOTA_KIND)
                  ?.get(ns ?? '')
                  ?.values() ?? []),
              ];
        if (quotas.length > 0) {
          const refusal = podQuotaRefusal(
            quotas,
            buckets
              .get(POD_KIND)
              ?.get(ns ?? '')
              ?.values() ?? [],
            asKube(next) as Pod,
          );
          if (refusal !== undefined) return E.left(forbidden(groupResourceOf(k), name, refusal));
        }
      }
    }
    if (k.key === PRIORITY_KIND) {
      const refusal = admitPriorityClass(asKube(next), priorityClasses());
      if (refusal !== undefined) return E.left(forbidden(groupResourceOf(k), name, refusal));
    }
    if (lookup(k, ns, name) !== undefined) return E.left(alreadyExists(groupResourceOf(k), name));
    meta.uid = uuid(prng);
    return E.right(write(k, next, undefined));
  };

  // -----------------------------------------------------------------------------------
  // patches
  // -----------------------------------------------------------------------------------

  const applyPatch = (k: KindInfo, current: KubeObject, p: Patch): E.Either<ClusterError, KubeObject> => {
    if (exceedsJsonSize(p.body, maxRequest)) return E.left(requestEntityTooLarge(`limit is ${maxRequest}`));
    let patched: unknown;
    switch (p.type) {
      case 'merge':
        if (!isObject(p.body)) return E.left(badRequest('json merge patch must be a JSON object'));
        patched = mergePatch(current, p.body);
        break;
      case 'strategic': {
        if (k.smp === undefined) return E.left(strategicUnsupported());
        const r = strategicMergePatch(current, p.body, k.smp);
        if (E.isLeft(r)) return E.left(patchFailure(r.left));
        patched = r.right;
        break;
      }
      case 'json': {
        const r = jsonPatch(current, p.body);
        if (E.isLeft(r)) return E.left(patchFailure(r.left));
        patched = r.right;
        break;
      }
    }
    if (!isObject(patched)) return E.left(badRequest('the patched object is not a JSON object'));
    const obj = patched as KubeObject;
    const cur = metaOf(current);
    const m = metaOf(obj);
    if ((m.name ?? '') !== (cur.name ?? '')) {
      return E.left(
        badRequest(
          `the name of the object (${m.name ?? ''}) does not match the name on the URL (${cur.name ?? ''})`,
        ),
      );
    }
    if (k.namespaced && (m.namespace ?? '') !== (cur.namespace ?? '')) {
      return E.left(
        badRequest('the namespace of the provided object does not match the namespace sent on the request'),
      );
    }
    return E.right(obj);
  };

  // -----------------------------------------------------------------------------------
  // lists and watches
  // -----------------------------------------------------------------------------------

  const fieldValue =
    (k: KindInfo) =>
    (o: KubeObject, field: string): string => {
      if (field === 'metadata.name') return metaOf(o).name ?? '';
      if (field === 'metadata.namespace') return metaOf(o).namespace ?? '';
      return ownValue(k.fields, field)?.(o) ?? '';
    };

  const parseSelection = (
    k: KindInfo,
    sel: Selection | undefined,
  ): E.Either<ClusterError, Omit<Watcher, 'sink' | 'bookmarks' | 'after'>> => {
    const labels = parseLabelSelector(sel?.labelSelector ?? '');
    if (E.isLeft(labels)) return E.left(badRequest(labels.left));
    const supported = (f: string): boolean =>
      f === 'metadata.name' || f === 'metadata.namespace' || Object.hasOwn(k.fields, f);
    const fields = parseFieldSelector(
      sel?.fieldSelector ?? '',
      supported,
      // Kinds with field-label conversions of their own (pods, events, ...) word it one way, the rest another.
      Object.keys(k.fields).length > 0
        ? undefined
        : (f) => `"${f}" is not a known field selector: only "metadata.name", "metadata.namespace"`,
    );
    if (E.isLeft(fields)) return E.left(badRequest(fields.left));
    const namespace =
      k.namespaced && sel?.namespace !== undefined && sel.namespace !== '' ? sel.namespace : undefined;
    return E.right({ namespace, labels: labels.right, fields: fields.right, fieldValue: fieldValue(k) });
  };

  /** The stored objects of a kind (in one namespace) that `keep` accepts, sorted by namespace and name. */
  const current = (
    k: KindInfo,
    namespace: string | undefined,
    keep: (o: KubeObject) => boolean,
  ): KubeObject[] => {
    const byNs = buckets.get(k.key);
    if (byNs === undefined) return [];
    const out: KubeObject[] = [];
    if (namespace !== undefined) {
      for (const o of byNs.get(namespace)?.values() ?? []) if (keep(o)) out.push(o);
    } else {
      for (const bucket of byNs.values()) for (const o of bucket.values()) if (keep(o)) out.push(o);
    }
    return out.sort((a, b) => {
      const na = metaOf(a).namespace ?? '';
      const nb = metaOf(b).namespace ?? '';
      if (na !== nb) return na < nb ? -1 : 1;
      const xa = metaOf(a).name ?? '';
      const xb = metaOf(b).name ?? '';
      return xa < xb ? -1 : xa > xb ? 1 : 0;
    });
  };

  const startBookmarks = (): void => {
    if (cancelBookmarks !== undefined || closed) return;
    cancelBookmarks = clock.setTimer(bookmarkInterval, () => {
      cancelBookmarks = undefined;
      for (const set of watchers.values()) {
        for (const w of set) if (w.bookmarks) w.sink.push({ type: 'BOOKMARK', resourceVersion: String(rv) });
      }
      if (bookmarkWatchers > 0) startBookmarks();
    });
  };

  const openWatch = (k: KindInfo, opts: WatchOptions): E.Either<ClusterError, WatchStream> => {
    const selection = parseSelection(k, opts);
    if (E.isLeft(selection)) return selection;
    const from = opts.resourceVersion ?? '';
    if (from !== '' && !/^\d+$/.test(from)) return E.left(badRequest(`invalid resource version: ${from}`));
    const bookmarks = opts.allowBookmarks === true || opts.sendInitialEvents === true;
    const key = k.key;
    const set = watchers.get(key) ?? new Set<Watcher>();
    let registered = false;
    const { stream, sink } = makeWatchStream(() => {
      if (registered && set.delete(w) && w.bookmarks) bookmarkWatchers--;
      allStreams.delete(stream);
      if (bookmarkWatchers === 0 && cancelBookmarks !== undefined) {
        cancelBookmarks();
        cancelBookmarks = undefined;
      }
    });
    allStreams.add(stream);
    const fromRv = from === '' ? 0 : Number(from);
    const w: Watcher = {
      ...selection.right,
      bookmarks,
      after: opts.sendInitialEvents === true ? 0 : fromRv,
      sink,
    };
    if (opts.sendInitialEvents === true || fromRv === 0) {
      for (const o of current(k, w.namespace, (x) => watcherSelects(w, x)))
        sink.push({ type: 'ADDED', object: o });
      if (opts.sendInitialEvents === true) {
        sink.push({ type: 'BOOKMARK', resourceVersion: String(rv), initialEventsEnd: true });
      }
    } else {
      // Errors found after the request was accepted arrive in the stream, as the API server's watch cache sends them.
      const floor = logs.get(key)?.floor() ?? 0;
      // A version the cluster has not reached: like kube-apiserver, say nothing and wait for it.
      if (fromRv < floor) {
        sink.push({
          type: 'ERROR',
          error: resourceExpired(`too old resource version: ${fromRv} (${floor})`),
        });
        sink.end();
        return E.right(stream);
      }
      for (const e of logs.get(key)?.since(fromRv) ?? []) {
        const view = viewOf(w, e);
        if (view !== undefined) sink.push(view);
      }
    }
    registered = true;
    set.add(w);
    if (bookmarks) {
      bookmarkWatchers++;
      startBookmarks();
    }
    return E.right(stream);
  };

  // -----------------------------------------------------------------------------------
  // the port
  // -----------------------------------------------------------------------------------

  // One labels object per verb and code, not one per request.
  const labelsByRequest = new Map<string, { readonly verb: string; readonly code: string }>();
  const requestLabels = (verb: string, code: number): { readonly verb: string; readonly code: string } => {
    const key = `${verb} ${code}`;
    let labels = labelsByRequest.get(key);
    if (labels === undefined) {
      labels = { verb, code: String(code) };
      labelsByRequest.set(key, labels);
    }
    return labels;
  };

  const run =
    <A>(verb: string, f: () => E.Either<ClusterError, A>): TE.TaskEither<ClusterError, A> =>
    () => {
      let result: E.Either<ClusterError, A>;
      try {
        result = closed ? E.left(statusError('ServiceUnavailable', 'the in-memory cluster is closed')) : f();
      } catch (e) {
        logger.error('in-memory cluster failed', { verb, error: String(e) });
        result = E.left(internalError(String(e)));
      }
      metrics.increment(
        'kubetasks_memory_cluster_requests_total',
        requestLabels(verb, E.isLeft(result) ? result.left.code : 200),
      );
      return Promise.resolve(result);
    };

  const withKind = <A>(
    gvk: GroupVersionKind,
    f: (k: KindInfo) => E.Either<ClusterError, A>,
  ): E.Either<ClusterError, A> => {
    const k = kindOf(gvk);
    return k === undefined ? E.left(resourceNotServed()) : f(k);
  };

  const withObject = <A>(
    ref: ObjectRef,
    f: (k: KindInfo, o: KubeObject) => E.Either<ClusterError, A>,
  ): E.Either<ClusterError, A> =>
    withKind(ref, (k) => {
      const o = lookup(k, ref.namespace, ref.name);
      return o === undefined ? E.left(notFound(groupResourceOf(k), ref.name)) : f(k, o);
    });

  const tooLarge = (o: unknown): ClusterError | undefined =>
    exceedsJsonSize(o, maxRequest) ? requestEntityTooLarge(`limit is ${maxRequest}`) : undefined;

  const infoOf = (k: KindInfo): ResourceInfo => ({
    apiVersion: k.apiVersion,
    kind: k.kind,
    plural: k.plural,
    namespaced: k.namespaced,
    statusSubresource: k.statusSubresource,
  });

  const port: MemoryCluster = {
    get: (ref) => run('get', () => withObject(ref, (_k, o) => E.right(cloneJson(o)))),

    list: (gvk, selection) =>
      run('list', () =>
        withKind(gvk, (k): E.Either<ClusterError, ObjectList> => {
          const sel = parseSelection(k, selection);
          if (E.isLeft(sel)) return sel;
          const w: Watcher = {
            ...sel.right,
            bookmarks: false,
            after: 0,
            sink: { push: () => undefined, end: () => undefined, ended: () => true },
          };
          const items = current(k, w.namespace, (o) => watcherSelects(w, o)).map(copyOut);
          return E.right({ items, resourceVersion: String(rv) });
        }),
      ),

    create: (object) =>
      run('create', () =>
        withKind(object, (k) => {
          const big = tooLarge(object);
          return big !== undefined ? E.left(big) : E.map(shared)(createObject(k, object));
        }),
      ),

    update: (object) =>
      run('update', () => {
        const big = tooLarge(object);
        if (big !== undefined) return E.left(big);
        return withObject(
          {
            apiVersion: object.apiVersion,
            kind: object.kind,
            name: metaOf(object).name ?? '',
            ...(metaOf(object).namespace === undefined ? {} : { namespace: metaOf(object).namespace }),
          },
          (k, current) => E.map(shared)(updateMain(k, current, object, false)),
        );
      }),

    patch: (ref, p) =>
      run('patch', () =>
        withKind(ref, (kind) =>
          // The media type is refused before the object is looked up: a missing object gets 415 too.
          p.type === 'strategic' && kind.smp === undefined
            ? E.left(strategicUnsupported())
            : withObject(ref, (k, current) => {
                const patched = applyPatch(k, current, p);
                return E.isLeft(patched)
                  ? patched
                  : E.map(shared)(updateMain(k, current, patched.right, true));
              }),
        ),
      ),

    updateStatus: (object) =>
      run('update-status', () => {
        const big = tooLarge(object);
        if (big !== undefined) return E.left(big);
        return withKind(object, (k) => {
          if (!k.statusSubresource) return E.left(resourceNotServed());
          const ns = metaOf(object).namespace;
          const current = lookup(k, ns, metaOf(object).name ?? '');
          if (current === undefined) return E.left(notFound(groupResourceOf(k), metaOf(object).name ?? ''));
          return E.map(shared)(updateStatusOf(k, current, object, false));
        });
      }),

    patchStatus: (ref, p) =>
      run('patch-status', () =>
        withKind(ref, (k) => {
          if (!k.statusSubresource) return E.left(resourceNotServed());
          if (p.type === 'strategic' && k.smp === undefined) return E.left(strategicUnsupported());
          return withObject(ref, (_k, current) => {
            const patched = applyPatch(k, current, p);
            return E.isLeft(patched)
              ? patched
              : E.map(shared)(updateStatusOf(k, current, patched.right, true));
          });
        }),
      ),

    delete: (ref, opts = {}) =>
      run('delete', () =>
        withObject(ref, (k, current) => {
          const meta = metaOf(current);
          const pre = opts.preconditions;
          const gr = groupResourceOf(k);
          if (pre?.uid !== undefined && pre.uid !== meta.uid) {
            return E.left(
              conflict(
                gr,
                meta.name ?? '',
                `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid ?? ''}`,
              ),
            );
          }
          if (pre?.resourceVersion !== undefined && pre.resourceVersion !== meta.resourceVersion) {
            return E.left(
              conflict(
                gr,
                meta.name ?? '',
                `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
              ),
            );
          }
          // kube-apiserver quirk: when the delete drops the last (garbage-collector) finalizers, the removal that
          // follows checks the resourceVersion precondition against the object it never wrote, and fails. Nothing
          // changes.
          const after = gcFinalizers(meta, opts.propagationPolicy);
          if (
            pre?.resourceVersion !== undefined &&
            !k.gracefulDelete &&
            after !== undefined &&
            after.length === 0 &&
            (meta.finalizers ?? []).length > 0
          ) {
            return E.left(
              conflict(
                gr,
                meta.name ?? '',
                `StorageError: invalid object, Code: 4, Key: /registry/${gr.resource}/${meta.namespace ?? ''}/${meta.name ?? ''}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: , ResourceVersion in object meta: ${meta.resourceVersion ?? ''}`,
              ),
            );
          }
          return E.right(deleteObject(k, current, opts));
        }),
      ),

    watch: (gvk, opts = {}) => run('watch', () => withKind(gvk, (k) => openWatch(k, opts))),

    bind: (ref, nodeName) =>
      run('bind', () =>
        // Only pods have the binding subresource: any other kind answers NotFound, as a missing path does.
        kindKey(ref) !== POD_KIND
          ? E.left(resourceNotServed())
          : withObject(ref, (k, current) => {
              const meta = metaOf(current);
              const name = meta.name ?? '';
              const binding = { group: '', resource: 'pods/binding' };
              if (meta.deletionTimestamp !== undefined) {
                return E.left(
                  conflict(binding, name, `pod ${name} is being deleted, cannot be assigned to a host`),
                );
              }
              const spec = isObject(current['spec']) ? current['spec'] : {};
              const assigned = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
              if (assigned !== '')
                return E.left(
                  conflict(binding, name, `pod ${name} is already assigned to node "${assigned}"`),
                );
              if (nodeName === '') {
                return E.left(
                  invalid({ group: '', kind: 'Binding' }, name, [
                    { type: 'FieldValueRequired', field: 'target.name' },
                  ]),
                );
              }
              // The binding writes the stored pod directly, not through the pod strategy: generation stays.
              const next = withMeta(current, meta);
              next['spec'] = { ...spec, nodeName };
              const status = isObject(current['status']) ? current['status'] : {};
              const conditions = (
                Array.isArray(status['conditions']) ? (status['conditions'] as unknown[]) : []
              ).filter((c: unknown) => !(isObject(c) && c['type'] === 'PodScheduled'));
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
              write(k, next, current);
              return E.right(undefined);
            }),
      ),

    discover: (gvk) => run('discover', () => E.right(O.map(infoOf)(O.fromNullable(kindOf(gvk))))),

    serves: (gvk) => run('discover', () => E.right(kindOf(gvk) !== undefined)),

    registerKind: (kind) => {
      register(customKindInfo(kind));
    },

    resourceVersion: () => String(rv),

    count: (gvk) => {
      if (gvk !== undefined) {
        let n = 0;
        for (const b of buckets.get(kindKey(gvk))?.values() ?? []) n += b.size;
        return n;
      }
      return byUid.size;
    },

    close: () => {
      closed = true;
      for (const s of [...allStreams]) s.stop();
      cancelBookmarks?.();
      cancelBookmarks = undefined;
    },
  };

  // -----------------------------------------------------------------------------------
  // boot: built-in kinds, system namespaces, seed objects; the watch window starts after them
  // -----------------------------------------------------------------------------------

  for (const k of builtInKinds) register(k);
  for (const c of options.kinds ?? []) register(customKindInfo(c));
  const nsKind = kinds.get(NAMESPACE_KIND);
  for (const name of [...SYSTEM_NAMESPACES, ...(options.namespaces ?? [])]) {
    if (nsKind !== undefined && lookup(nsKind, undefined, name) === undefined) {
      createObject(nsKind, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }
  const pcKind = kinds.get(PRIORITY_KIND);
  for (const pc of pcKind === undefined ? [] : SYSTEM_PRIORITY_CLASSES) {
    if (pcKind !== undefined && lookup(pcKind, undefined, pc.metadata?.name ?? '') === undefined)
      createObject(pcKind, pc);
  }
  for (const o of options.objects ?? []) {
    const k = kindOf(o);
    if (k === undefined) throw new Error(`makeMemoryCluster: kind ${o.apiVersion}/${o.kind} is not served`);
    const created = createObject(k, o);
    if (E.isLeft(created))
      throw new Error(`makeMemoryCluster: cannot create a seed object: ${created.left.message}`);
  }
  for (const [key] of kinds) logs.set(key, makeEventLog(history, rv));
  logger.debug('in-memory cluster started', { resourceVersion: rv, kinds: kinds.size });

  return port;
};

export type { CustomKind } from './kinds.js';
