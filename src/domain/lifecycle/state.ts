// The persisted state of one task's lifecycle: plain, versioned data that survives a process restart.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { encodesAsIdentity } from '../codec.js';
import { ObjectRefC, sameRef, type ObjectRef } from '../object-ref.js';
import { PhaseInfoC, PluginStateC, type PhaseInfo, type PluginState } from '../phase-info.js';
import { abortDelete } from '../plugin.js';
import { AbortBehaviorC } from './state-codecs.js';
import { STATE_VERSION_1, TaskStateV1C, type OwnedV1, type StageV1, type TaskStateV1 } from './state-v1.js';

export { AbortBehaviorC };

/**
 * Bumped whenever the persisted shape changes; an unknown version is a permanent SYSTEM failure, never a crash.
 * Version 2 replaced version 1's flags and sentinels with tagged unions; version 1 records are migrated on read.
 */
export const STATE_VERSION = 2;

/** The one object reference (src/domain/object-ref.ts), re-exported for the lifecycle's modules. */
export { sameRef, type ObjectRef };

// -------------------------------------------------------------------------------------
// owned objects
// -------------------------------------------------------------------------------------

/**
 * Our finalizer on a live object, as far as the task knows:
 * - `Absent`: not on it (or never put there);
 * - `Present`: on it; removed once the task is done with the object;
 * - `Removing`: on it as last seen, and a removal is out (no answer yet);
 * - `Removed`: a removal was answered; a view that still shows the finalizer is older than the removal, so it
 *   makes the removal outstanding again (`Removing`), not due again.
 */
export const FinalizerC = t.keyof(
  { Absent: null, Present: null, Removing: null, Removed: null },
  'Finalizer',
);
/** Our finalizer on a live object. */
export type Finalizer = t.TypeOf<typeof FinalizerC>;

/** Whether a live object is to be deleted: not at all, wanted (not yet sent, or due again), or sent. */
export const DeletionC = t.keyof({ None: null, Wanted: null, Sent: null }, 'Deletion');
/** Whether a live object is to be deleted. */
export type Deletion = t.TypeOf<typeof DeletionC>;

const CreatingC = t.readonly(
  t.type({ _tag: t.literal('Creating'), ref: ObjectRefC, attempt: t.number, finalizer: t.boolean }),
  'Creating',
);
const LiveC = t.readonly(
  t.intersection([
    t.type({
      _tag: t.literal('Live'),
      ref: ObjectRefC,
      attempt: t.number,
      finalizer: FinalizerC,
      deletion: DeletionC,
    }),
    t.partial({ uid: t.string }),
  ]),
  'Live',
);
const GoneC = t.readonly(t.type({ _tag: t.literal('Gone'), ref: ObjectRefC, attempt: t.number }), 'Gone');

/**
 * A create was sent and not answered. There is no uid yet, and nothing to delete: wanting it deleted makes it
 * `Live` (the create may have landed; a delete of nothing answers NotFound). `finalizer` says whether the
 * manifest carries ours, so the object has it once it exists.
 */
export interface Creating extends t.TypeOf<typeof CreatingC> {}
/**
 * The object exists (a create was answered, the watch showed it, or it may exist after an ambiguous error).
 * `uid` is known once a create answer or the watch gave it; an object that is live only because its create may
 * have landed (a lost answer, AlreadyExists, a server error) has none until the watch shows it.
 */
export interface Live extends t.TypeOf<typeof LiveC> {}
/**
 * Deleted, or never created, and confirmed so. Neither uid nor finalizer: an object seen later under the name is
 * another one (a create of a dead process that landed late) and starts afresh as a stray to delete.
 */
export interface Gone extends t.TypeOf<typeof GoneC> {}

const OwnedC = t.union([CreatingC, LiveC, GoneC], 'Owned');
/**
 * What the task knows about one object it created (or is creating): enough to finish deleting it and removing
 * its finalizer after a restart, without asking the cluster what it owns. The machine never touches an object
 * that is not in this list, so it never deletes what it does not own.
 */
export type Owned = Creating | Live | Gone;

/** A create sent for `ref` in `attempt`; `finalizer` is whether the manifest carries ours. */
export const creating = (ref: ObjectRef, attempt: number, finalizer: boolean): Owned => ({
  _tag: 'Creating',
  ref,
  attempt,
  finalizer,
});

/** A live object. */
export const live = (
  ref: ObjectRef,
  attempt: number,
  finalizer: Finalizer,
  deletion: Deletion,
  uid?: string,
): Owned => ({
  _tag: 'Live',
  ref,
  attempt,
  finalizer,
  deletion,
  ...(uid === undefined ? {} : { uid }),
});

/** The object is confirmed gone. */
export const gone = (o: Owned): Owned => ({ _tag: 'Gone', ref: o.ref, attempt: o.attempt });

/** Whether a create for it is out. */
export const isCreating = (o: Owned): o is Creating => o._tag === 'Creating';
/** Whether it exists (or may). */
export const isLive = (o: Owned): o is Live => o._tag === 'Live';
/** Whether it is confirmed gone. */
export const isGone = (o: Owned): o is Gone => o._tag === 'Gone';

/** Whether our finalizer is (or will be, once created) on the object as last seen. */
export const finalizerOn = (o: Owned): boolean =>
  o._tag === 'Creating'
    ? o.finalizer
    : o._tag === 'Live' && (o.finalizer === 'Present' || o.finalizer === 'Removing');

/** Whether the object is to be deleted (wanted or sent). */
export const deletionWanted = (o: Owned): boolean => o._tag === 'Live' && o.deletion !== 'None';

/**
 * The object is to be deleted. A create still out counts as live: it may land, and a delete of nothing is harmless.
 * A delete already sent stays sent.
 */
export const wantDeletion = (o: Owned): Owned => {
  switch (o._tag) {
    case 'Creating':
      return live(o.ref, o.attempt, o.finalizer ? 'Present' : 'Absent', 'Wanted');
    case 'Live':
      return o.deletion === 'None' ? { ...o, deletion: 'Wanted' } : o;
    case 'Gone':
      return o;
  }
};

/** Whether the object is cleaned up: gone, or kept without our finalizer and with no delete still to send. */
export const ownedIsClean = (o: Owned): boolean => {
  switch (o._tag) {
    case 'Gone':
      return true;
    case 'Creating':
      return !o.finalizer;
    case 'Live':
      return (o.finalizer === 'Absent' || o.finalizer === 'Removed') && o.deletion !== 'Wanted';
  }
};

// -------------------------------------------------------------------------------------
// the shared cluster
// -------------------------------------------------------------------------------------

const ClusterHoldC = t.union(
  [
    t.readonly(t.type({ _tag: t.literal('None') })),
    t.readonly(t.type({ _tag: t.literal('Waiting'), ref: ObjectRefC })),
    t.readonly(t.type({ _tag: t.literal('Holding'), ref: ObjectRefC })),
  ],
  'ClusterHold',
);
/**
 * The shared cluster a task uses (not owned: never deleted by the task): none (no shared-cluster plugin, a task
 * whose spec names none, or not asked for yet), waiting for it (asked for; not, or no longer, ready: a cluster that
 * failed is asked for again by the next try), or holding it (its job runs on it). Whatever the task waits for or
 * holds is released when it ends.
 */
export type ClusterHold = t.TypeOf<typeof ClusterHoldC>;

/** No shared cluster. */
export const noCluster: ClusterHold = { _tag: 'None' };
/** Waiting for the cluster at `ref` to be ready. */
export const waitingFor = (ref: ObjectRef): ClusterHold => ({ _tag: 'Waiting', ref });
/** Holding the ready cluster at `ref`. */
export const holding = (ref: ObjectRef): ClusterHold => ({ _tag: 'Holding', ref });
/** The cluster the task waits for or holds, if any: the one to release when it is done. */
export const clusterRef = (c: ClusterHold): ObjectRef | undefined => (c._tag === 'None' ? undefined : c.ref);

// -------------------------------------------------------------------------------------
// the task
// -------------------------------------------------------------------------------------

const StageC = t.union([
  /** Nothing created for the current attempt yet; a create is due (immediately or at `retryAt`). */
  t.readonly(t.intersection([t.type({ _tag: t.literal('Pending') }), t.partial({ retryAt: t.number })])),
  /** Created (or creating); phases come from observations of the object. */
  t.readonly(t.type({ _tag: t.literal('Started') })),
  /** Waiting for the shared cluster (`cluster` in the state) to be ready before creating the job. */
  t.readonly(t.type({ _tag: t.literal('WaitingForCluster') })),
  /** A create was rejected by a ResourceQuota; waiting for the namespace gate to reopen. */
  t.readonly(t.type({ _tag: t.literal('WaitingForQuota') })),
  /** Abort was requested; `behavior`, the plugin's choice (asked once), is applied until it succeeds. */
  t.readonly(t.type({ _tag: t.literal('Aborting'), behavior: AbortBehaviorC })),
  /** A terminal phase was reported; only cleanup of owned objects may remain. */
  t.readonly(t.type({ _tag: t.literal('Done'), final: PhaseInfoC })),
]);
/**
 * Where the task's lifecycle stands; each stage carries only what that stage needs (a retry time, the final
 * PhaseInfo, the abort behaviour).
 */
export type Stage = t.TypeOf<typeof StageC>;

/** Decodes a stored version 2 `TaskState`; use `readState`, which also checks the version and migrates version 1. */
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
      /**
       * Abort was requested. Kept beside the stage because an abort asked while a create is out waits for its
       * answer (stage Started), and one asked before the first create ends the task at the next launch.
       */
      abortRequested: t.boolean,
      cluster: ClusterHoldC,
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
  cluster: noCluster,
});

// -------------------------------------------------------------------------------------
// reading and writing
// -------------------------------------------------------------------------------------

/** Why a stored state could not be read back. */
export type StateReadError =
  | { readonly _tag: 'UnknownVersion'; readonly version: unknown }
  | { readonly _tag: 'Corrupted'; readonly message: string };

const corrupted: StateReadError = { _tag: 'Corrupted', message: 'the stored task state is malformed' };

/** Reads a stored state of version 2, or of version 1 migrated; an unknown version or a malformed one is an error value. */
export const readState = (u: unknown): E.Either<StateReadError, TaskState> => {
  const version = typeof u === 'object' && u !== null ? (u as Record<string, unknown>)['version'] : undefined;
  if (version === STATE_VERSION) {
    const r = TaskStateC.decode(u);
    return E.isRight(r) ? E.right(r.right) : E.left(corrupted);
  }
  if (version === STATE_VERSION_1) {
    const r = TaskStateV1C.decode(u);
    return E.isRight(r) ? E.right(fromV1(r.right)) : E.left(corrupted);
  }
  return E.left({ _tag: 'UnknownVersion', version });
};

// Every codec in TaskStateC is plain data (no transforms), so encoding is a structural copy; the manager writes
// a state on every step, and the copy through the intersections was a visible part of its cost.
const identityEncoding = encodesAsIdentity(TaskStateC);

/** The state as a JSON-ready value for the state store (always the current version); `readState` reads it back. */
export const writeState = (s: TaskState): unknown => (identityEncoding ? s : TaskStateC.encode(s));

// -------------------------------------------------------------------------------------
// migration from version 1
// -------------------------------------------------------------------------------------

const finalizerFromV1 = (on: boolean, removalSent: boolean): Finalizer =>
  on ? (removalSent ? 'Removing' : 'Present') : removalSent ? 'Removed' : 'Absent';

/**
 * A v1 owned object. `deleteSent` without `deleteWanted` (an abort that deleted the object) is a sent delete; a
 * `creating` one that was wanted deleted is live and wanted (what version 2 makes of it when it happens).
 */
export const ownedFromV1 = (o: OwnedV1): Owned => {
  if (o.status === 'gone') return { _tag: 'Gone', ref: o.ref, attempt: o.attempt };
  if (o.status === 'creating' && !o.deleteWanted && !o.deleteSent)
    return creating(o.ref, o.attempt, o.finalizer);
  const deletion: Deletion = o.deleteSent ? 'Sent' : o.deleteWanted ? 'Wanted' : 'None';
  return live(o.ref, o.attempt, finalizerFromV1(o.finalizer, o.finalizerRemovalSent), deletion, o.uid);
};

const stageFromV1 = (s: StageV1): Stage =>
  s._tag === 'Aborting' ? { _tag: 'Aborting', behavior: s.behavior ?? abortDelete } : s;

/**
 * A v1 shared cluster: the empty-name placeholder ("decided: none") is none (version 2 asks the plugin again, a
 * pure question); not ready is waiting, ready is holding.
 */
const clusterFromV1 = (c: TaskStateV1['cluster']): ClusterHold =>
  c === undefined || c.ref.name === '' ? noCluster : c.ready ? holding(c.ref) : waitingFor(c.ref);

/** Migrates a version 1 record to version 2. Total: every v1 record has a v2 reading. */
export const fromV1 = (s: TaskStateV1): TaskState => {
  const { cluster: _v1cluster, version: _v1, stage, owned, ...rest } = s;
  return {
    ...rest,
    version: STATE_VERSION,
    stage: stageFromV1(stage),
    owned: owned.map(ownedFromV1),
    cluster: clusterFromV1(s.cluster),
  };
};

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The owned object of the current attempt, if it was created (or is being created) and is not to be deleted. */
export const currentOwned = (s: TaskState): Owned | undefined =>
  s.owned.find(
    (o) => o.attempt === s.attempt && (o._tag === 'Creating' || (o._tag === 'Live' && o.deletion === 'None')),
  );

/** Whether every owned object is cleaned up (gone, or kept without our finalizer when no delete is still to send). */
export const isClean = (s: TaskState): boolean => s.owned.every(ownedIsClean);
