// The cluster port: what the plugin machinery asks of a Kubernetes API server, as TaskEither calls.
import type * as O from 'fp-ts/lib/Option.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { GroupVersionKind, KubeObject } from '../domain/kubernetes.js';
import type { ApiError } from '../domain/api-error.js';
import { refOf, type ObjectRef } from '../domain/object-ref.js';

/**
 * The port names objects by the domain's one reference (src/domain/object-ref.ts): `namespace` is `''` for a
 * cluster-scoped kind, and ignored for one.
 */
export { refOf, type ObjectRef };

/**
 * Selects objects of one kind. Selectors use the API server's string syntax: labels `app=x,tier!=db,env in
 * (a,b),!canary,team`; fields `metadata.name=x,status.phase!=Running` (only the fields the kind supports).
 */
export interface Selection {
  /** Only this namespace; all namespaces when absent. Ignored for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/** A consistent snapshot: the items (sorted by namespace, then name) and the resourceVersion to watch from. */
export interface ObjectList {
  readonly items: ReadonlyArray<KubeObject>;
  readonly resourceVersion: string;
}

/**
 * A patch. `merge` is RFC 7386 JSON merge patch (lists replaced whole). `strategic` is Kubernetes' strategic
 * merge patch, for built-in kinds only: lists with a merge key (containers by name, conditions by type, ...) are
 * merged item by item, `$patch: delete` removes an item. `json` is RFC 6902 JSON Patch (a list of operations).
 * A `metadata.resourceVersion` in a merge or strategic patch makes it conditional, like an update.
 */
export interface Patch {
  readonly type: 'merge' | 'strategic' | 'json';
  readonly body: unknown;
}

/**
 * What a delete does to the objects this one owns: `Background` deletes the owner now and its dependents
 * after, `Foreground` keeps the owner (marked) until its dependents are gone, `Orphan` leaves them in place
 * without the owner reference.
 */
export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

/** How to delete. */
export interface DeleteOptions {
  /**
   * Seconds the object may take to terminate. Only pods use it: bound, non-terminal pods default to their
   * `terminationGracePeriodSeconds` and are only marked; 0 removes them at once. Other kinds go at once.
   */
  readonly gracePeriodSeconds?: number;
  /** What happens to objects owned by this one (through ownerReferences). Default Background. */
  readonly propagationPolicy?: PropagationPolicy;
  /** Delete only if the stored object still has this uid / resourceVersion (else Conflict). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/**
 * What a delete did. `removed` is true when the object is gone; false when it was only marked for deletion
 * (finalizers remain, or a pod waits for its kubelet) and `object` holds the marked state.
 */
export interface DeleteOutcome {
  readonly removed: boolean;
  readonly object?: KubeObject;
}

/** Where a watch starts and what it asks for. */
export interface WatchOptions extends Selection {
  /**
   * Start after this resourceVersion (from a list, an object or a previous event). Absent, "" or "0": first an
   * ADDED event per current object, then changes. A version older than the server keeps fails with Expired (410);
   * one the server has not reached yet makes the watch wait silently (kube-apiserver holds it until it times out).
   */
  readonly resourceVersion?: string;
  /** Ask for BOOKMARK events: progress notes that carry only a resourceVersion to resume from. */
  readonly allowBookmarks?: boolean;
  /**
   * Begin with ADDED events for the current state (at least as new as `resourceVersion`), then a BOOKMARK
   * annotated `k8s.io/initial-events-end: "true"`, then changes. Implies `allowBookmarks`.
   */
  readonly sendInitialEvents?: boolean;
}

/** The annotation on the BOOKMARK that ends the initial events of a `sendInitialEvents` watch. */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * One watch event. ADDED/MODIFIED/DELETED carry the object as of that change (DELETED: its last state, with the
 * resourceVersion of the deletion). An object that stops matching the selectors arrives as DELETED, one that
 * starts matching as ADDED. BOOKMARK carries only a resourceVersion. ERROR ends the stream: code 410 means
 * "too old: list again and watch from the new version".
 */
export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: KubeObject }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string; readonly initialEventsEnd?: boolean }
  | { readonly type: 'ERROR'; readonly error: ApiError };

/**
 * An open watch: an async iterable of events in resourceVersion order. It ends after `stop()`, after an ERROR
 * event, or when the server (or the network) closes it; the consumer then watches again from the last
 * resourceVersion it saw. Event objects may be shared between watchers: treat them as read-only.
 */
export interface WatchStream extends AsyncIterable<WatchEvent> {
  /** Ends the stream; the iterator completes after the events already delivered. Idempotent. */
  readonly stop: () => void;
}

/** What discovery knows about a served kind. */
export interface ResourceInfo extends GroupVersionKind {
  /** The plural resource name used in URLs (`pods`, `rayjobs`). */
  readonly plural: string;
  readonly namespaced: boolean;
  /** Whether status is a subresource (written only through updateStatus/patchStatus). */
  readonly statusSubresource: boolean;
}

/** Reads objects. */
export interface ClusterReader {
  /** One object, or NotFound. */
  readonly get: (ref: ObjectRef) => TE.TaskEither<ApiError, KubeObject>;
  /** All objects of a kind that match; BadRequest for a malformed or unsupported selector. */
  readonly list: (gvk: GroupVersionKind, selection?: Selection) => TE.TaskEither<ApiError, ObjectList>;
}

/** Writes objects (everything but their status, for kinds with a status subresource). */
export interface ClusterWriter {
  /**
   * Creates an object; the server fills uid, creationTimestamp, resourceVersion and generation, and a name
   * from `metadata.generateName` when no name is given. AlreadyExists, Invalid, NotFound (namespace), Forbidden.
   */
  readonly create: (object: KubeObject) => TE.TaskEither<ApiError, KubeObject>;
  /**
   * Replaces an object. With `metadata.resourceVersion` set, succeeds only if it is still current (else
   * Conflict); without, built-in kinds are overwritten unconditionally and custom resources refuse (Invalid).
   * Status is kept when it is a subresource.
   */
  readonly update: (object: KubeObject) => TE.TaskEither<ApiError, KubeObject>;
  /** Patches an object (see `Patch`). */
  readonly patch: (ref: ObjectRef, patch: Patch) => TE.TaskEither<ApiError, KubeObject>;
  /** Deletes, or marks for deletion (finalizers, graceful pod termination). */
  readonly delete: (ref: ObjectRef, options?: DeleteOptions) => TE.TaskEither<ApiError, DeleteOutcome>;
}

/** Writes the status subresource: only `status` changes (pods: and metadata other than deletion and owners). */
export interface ClusterStatusWriter {
  /**
   * Replaces the status of an object; with `metadata.resourceVersion` set, only if it is still current (else
   * Conflict), which is how a controller avoids overwriting a status it has not seen.
   */
  readonly updateStatus: (object: KubeObject) => TE.TaskEither<ApiError, KubeObject>;
  /** Patches the status of an object (see `Patch`), for writers that own only some status fields. */
  readonly patchStatus: (ref: ObjectRef, patch: Patch) => TE.TaskEither<ApiError, KubeObject>;
}

/** Watches a kind. The Left is for requests refused outright (bad selector, unknown kind). */
export interface ClusterWatcher {
  /**
   * Opens a watch on the objects of a kind that match `options`; the events arrive on the returned stream.
   */
  readonly watch: (gvk: GroupVersionKind, options?: WatchOptions) => TE.TaskEither<ApiError, WatchStream>;
}

/** Assigns a pod to a node, as the scheduler does (the `pods/binding` subresource); sets PodScheduled. */
export interface PodBinder {
  /** Binds `pod` to `nodeName`: Conflict when it is already bound, NotFound when it does not exist. */
  readonly bind: (pod: ObjectRef, nodeName: string) => TE.TaskEither<ApiError, void>;
}

/** Discovery: which kinds the server serves. */
export interface ClusterDiscovery {
  /**
   * How the server serves a kind (its plural, scope and subresources), or none when it does not serve it; the
   * Left is for a server that cannot be asked.
   */
  readonly discover: (gvk: GroupVersionKind) => TE.TaskEither<ApiError, O.Option<ResourceInfo>>;
  /** Whether the kind is served (a CRD installed and established, or a built-in kind). */
  readonly serves: (gvk: GroupVersionKind) => TE.TaskEither<ApiError, boolean>;
}

/** The whole port: every adapter (in-memory, real API server, fault-injecting wrapper) implements this. */
export interface ClusterPort
  extends ClusterReader, ClusterWriter, ClusterStatusWriter, ClusterWatcher, PodBinder, ClusterDiscovery {}

/** A label selector string from equality requirements: `{app: "x", tier: "web"}` → `app=x,tier=web`. */
export const labelSelectorOf = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
