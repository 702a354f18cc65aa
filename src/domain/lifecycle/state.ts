// The persisted state of one task's lifecycle: plain, versioned data that survives a process restart.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { encodesAsIdentity } from '../codec.js';
import type { KubeObject } from '../kubernetes.js';
import { PhaseInfoC, PluginStateC, type PhaseInfo, type PluginState } from '../phase-info.js';
import type { AbortBehavior } from '../plugin.js';

/** Bumped whenever the persisted shape changes; an unknown version is a permanent SYSTEM failure, never a crash. */
export const STATE_VERSION = 1;

const ObjectRefC = t.readonly(
  t.type({ apiVersion: t.string, kind: t.string, namespace: t.string, name: t.string }),
  'ObjectRef',
);
/** Where an object lives. */
export interface ObjectRef extends t.TypeOf<typeof ObjectRefC> {}

/**
 * An object this task created (or is creating). The machine never touches an object that is not in this list,
 * so it never deletes what it does not own.
 */
const OwnedC = t.readonly(
  t.intersection([
    t.type({
      ref: ObjectRefC,
      attempt: t.number,
      /** `creating`: create sent, no answer yet; `live`: exists; `gone`: deleted and confirmed gone. */
      status: t.keyof({ creating: null, live: null, gone: null }),
      /** Our finalizer is (or may be) on the object and must be removed before we forget it. */
      finalizer: t.boolean,
      /** The object must be deleted (earlier attempt, cleanup on failure, abort, delete on finalize). */
      deleteWanted: t.boolean,
      /** A delete was sent (and not refused). */
      deleteSent: t.boolean,
      /** A finalizer removal was sent and is not yet answered. */
      finalizerRemovalSent: t.boolean,
    }),
    t.partial({ uid: t.string }),
  ]),
  'Owned',
);
/**
 * What the task knows about one object it created: enough to finish deleting it and removing its finalizer
 * after a restart, without asking the cluster what it owns.
 */
export interface Owned extends t.TypeOf<typeof OwnedC> {}

/** A Kubernetes object as the plugin handed it over: any JSON object with apiVersion and kind, kept as it is. */
const isKubeObject = (u: unknown): u is KubeObject =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  typeof (u as Record<string, unknown>)['apiVersion'] === 'string' &&
  typeof (u as Record<string, unknown>)['kind'] === 'string';
const KubeObjectC = new t.Type<KubeObject, KubeObject, unknown>(
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

const StageC = t.union([
  /** Nothing created for the current attempt yet; a create is due (immediately or at `retryAt`). */
  t.readonly(t.intersection([t.type({ _tag: t.literal('Pending') }), t.partial({ retryAt: t.number })])),
  /** Created (or creating); phases come from observations of the object. */
  t.readonly(t.type({ _tag: t.literal('Started') })),
  /** Waiting for the shared cluster (`cluster` in the state) to be ready before creating the job. */
  t.readonly(t.type({ _tag: t.literal('WaitingForCluster') })),
  /** A create was rejected by a ResourceQuota; waiting for the namespace gate to reopen. */
  t.readonly(t.type({ _tag: t.literal('WaitingForQuota') })),
  /**
   * Abort was requested; the abort behaviour is being applied. `behavior` is the plugin's choice, asked once;
   * a record written before it was kept has none and is treated as Delete, as it was then.
   */
  t.readonly(
    t.intersection([t.type({ _tag: t.literal('Aborting') }), t.partial({ behavior: AbortBehaviorC })]),
  ),
  /** A terminal phase was reported; only cleanup of owned objects may remain. */
  t.readonly(t.type({ _tag: t.literal('Done'), final: PhaseInfoC })),
]);
/**
 * Where the task's lifecycle stands; each stage carries only what that stage needs (a retry time, the final
 * PhaseInfo, the abort behaviour).
 */
export type Stage = t.TypeOf<typeof StageC>;

/** Decodes a stored `TaskState`; use `readState`, which also checks the version first. */
export const TaskStateC = t.readonly(
  t.intersection([
    t.type({
      version: t.literal(STATE_VERSION),
      taskId: t.string,
      pluginId: t.string,
      /** Zero-based user attempt. */
      attempt: t.number,
      /** System retries within the current attempt; each gets a fresh object name. */
      systemRetry: t.number,
      /** System failures within the current user attempt (Flyte resets on any transition; see compatibility.md). */
      systemFailures: t.number,
      stage: StageC,
      owned: t.readonlyArray(OwnedC),
      abortRequested: t.boolean,
    }),
    t.partial({
      /** The last PhaseInfo emitted, for version floors and de-duplication. */
      last: PhaseInfoC,
      /** What the plugin reported last round, handed back to getTaskPhase. */
      pluginState: PluginStateC,
      /** Kubernetes events already attached: creation time and name of the newest one. */
      eventCursor: t.readonly(t.type({ at: t.number, name: t.string })),
      /** When the object was last seen (for diagnostics). */
      lastObservedAt: t.number,
      /** The shared cluster this task holds (not owned: never deleted by the task), and whether it was ready. */
      cluster: t.readonly(t.type({ ref: ObjectRefC, ready: t.boolean })),
    }),
  ]),
  'TaskState',
);
/**
 * Everything the lifecycle remembers about one task between observations. It is plain data, stored after
 * every step, so a restarted manager continues each task from the same decisions.
 */
export interface TaskState extends t.TypeOf<typeof TaskStateC> {}

export type { PhaseInfo, PluginState };

/** A fresh state for a submitted task. */
export const initial = (taskId: string, pluginId: string, attempt = 0): TaskState => ({
  version: STATE_VERSION,
  taskId,
  pluginId,
  attempt,
  systemRetry: 0,
  systemFailures: 0,
  stage: { _tag: 'Pending' },
  owned: [],
  abortRequested: false,
});

/** Why a stored state could not be read back. */
export type StateReadError =
  | { readonly _tag: 'UnknownVersion'; readonly version: unknown }
  | { readonly _tag: 'Corrupted'; readonly message: string };

/** Reads a stored state; an unknown version or a corrupted document is an error value. */
export const readState = (u: unknown): E.Either<StateReadError, TaskState> => {
  const version = typeof u === 'object' && u !== null ? (u as Record<string, unknown>)['version'] : undefined;
  if (version !== STATE_VERSION) return E.left({ _tag: 'UnknownVersion', version });
  const r = TaskStateC.decode(u);
  return E.isRight(r)
    ? E.right(r.right)
    : E.left({ _tag: 'Corrupted', message: 'the stored task state is malformed' });
};

// Every codec in TaskStateC is plain data (no transforms), so encoding is a structural copy; the manager writes
// a state on every step, and the copy through the intersections was a visible part of its cost.
const identityEncoding = encodesAsIdentity(TaskStateC);

/** The state as a JSON-ready value for the state store; `readState` reads it back. */
export const writeState = (s: TaskState): unknown => (identityEncoding ? s : TaskStateC.encode(s));

/**
 * Whether two references name the same object (kind, namespace and name); uids are not compared, so an object
 * recreated under the same name counts as the same.
 */
export const sameRef = (a: ObjectRef, b: ObjectRef): boolean =>
  a.name === b.name && a.namespace === b.namespace && a.kind === b.kind && a.apiVersion === b.apiVersion;

/** The owned object of the current attempt and system retry, if it was created. */
export const currentOwned = (s: TaskState): Owned | undefined =>
  s.owned.find((o) => o.attempt === s.attempt && o.status !== 'gone' && !o.deleteWanted);

/** Whether every owned object is cleaned up (gone, or kept without our finalizer when no delete is wanted). */
export const isClean = (s: TaskState): boolean =>
  s.owned.every((o) => o.status === 'gone' || (!o.finalizer && (!o.deleteWanted || o.deleteSent)));
