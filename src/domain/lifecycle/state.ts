// The persisted state of one task's lifecycle: plain, versioned data that survives a process restart.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
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

/**
 * Whether the object is cleaned up: gone, or kept (no delete asked for) without our finalizer. An object whose
 * delete was sent is not clean until it is seen gone: until then the delete may not have taken effect (refused, or
 * lost with a process that stopped while it was out), and a task forgotten then would leave its object behind.
 */
export const ownedIsClean = (o: Owned): boolean => {
  switch (o._tag) {
    case 'Gone':
      return true;
    case 'Creating':
      return !o.finalizer;
    case 'Live':
      return (o.finalizer === 'Absent' || o.finalizer === 'Removed') && o.deletion === 'None';
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

const PendingC = t.readonly(
  t.intersection([t.type({ _tag: t.literal('Pending') }), t.partial({ retryAt: t.number })]),
);
const StartedC = t.readonly(t.type({ _tag: t.literal('Started') }));
const WaitingForClusterC = t.readonly(t.type({ _tag: t.literal('WaitingForCluster') }));
const WaitingForQuotaC = t.readonly(t.type({ _tag: t.literal('WaitingForQuota') }));
const AbortPendingC = t.readonly(t.type({ _tag: t.literal('AbortPending') }));
const AbortingC = t.readonly(t.type({ _tag: t.literal('Aborting'), behavior: AbortBehaviorC }));
const DoneC = t.readonly(t.type({ _tag: t.literal('Done'), final: PhaseInfoC }));

const StageC = t.union([
  /** Nothing created for the current attempt yet; a create is due (immediately or at `retryAt`). */
  PendingC,
  /** Created (or creating); phases come from observations of the object. */
  StartedC,
  /** Waiting for the shared cluster (`cluster` in the state) to be ready before creating the job. */
  WaitingForClusterC,
  /** A create was rejected by a ResourceQuota; waiting for the namespace gate to reopen. */
  WaitingForQuotaC,
  /**
   * Abort was requested while the current try's create was out: the abort is applied once the create is answered
   * (or, after a restart, at once), and a create that failed ends the task aborted. Phases are no longer reported.
   */
  AbortPendingC,
  /** Abort was requested; `behavior`, the plugin's choice (asked once), is applied until it succeeds. */
  AbortingC,
  /** A terminal phase was reported; only cleanup of owned objects may remain. */
  DoneC,
]);
/**
 * Where the task's lifecycle stands; each stage carries only what that stage needs (a retry time, the final
 * PhaseInfo, the abort behaviour). A requested abort is a stage of its own (`AbortPending`, then `Aborting`), so a
 * task that is both running on and aborting cannot be written down.
 */
export type Stage = t.TypeOf<typeof StageC>;

/** The stages as version 2 stores them: an abort that waits for a create is `Started` with `abortRequested`. */
const StoredStageC = t.union([PendingC, StartedC, WaitingForClusterC, WaitingForQuotaC, AbortingC, DoneC]);
/** A stage as version 2 stores it. */
export type StoredStage = t.TypeOf<typeof StoredStageC>;

const taskProps = {
  version: t.literal(STATE_VERSION),
  taskId: t.string,
  pluginId: t.string,
  /** Zero-based user attempt. */
  attempt: t.number,
  /** System retries within the current attempt; each gets a fresh object name. */
  systemRetry: t.number,
  /** System failures within the current user attempt (Flyte resets on any transition; see compatibility.md). */
  systemFailures: t.number,
  owned: t.readonlyArray(OwnedC),
  cluster: ClusterHoldC,
};

const optionalTaskProps = t.partial({
  /** The last PhaseInfo emitted, for version floors and de-duplication. */
  last: PhaseInfoC,
  /** What the plugin reported last round, handed back to getTaskPhase. */
  pluginState: PluginStateC,
  /** Kubernetes events already attached: creation time and name of the newest one. */
  eventCursor: t.readonly(t.type({ at: t.number, name: t.string })),
  /** When the object was last seen (for diagnostics). */
  lastObservedAt: t.number,
});

/**
 * Decodes a version 2 record as the state store holds it. Its shape is frozen: `abortRequested` beside the stage
 * is how version 2 writes a pending abort, and records of every version 2 process (older or newer than this one)
 * read the same, so a rollback or a rolling update never meets a version it does not know.
 */
export const StoredTaskStateC = t.readonly(
  t.intersection([
    t.type({ ...taskProps, stage: StoredStageC, abortRequested: t.boolean }),
    optionalTaskProps,
  ]),
  'StoredTaskState',
);
/** A version 2 record as the state store holds it; `readState` and `writeState` convert it. */
export interface StoredTaskState extends t.TypeOf<typeof StoredTaskStateC> {}

const TaskStateShapeC = t.readonly(
  t.intersection([t.type({ ...taskProps, stage: StageC }), optionalTaskProps]),
  'TaskState',
);
/**
 * Everything the lifecycle remembers about one task between observations. It is plain data, stored after
 * every step, so a restarted manager continues each task from the same decisions.
 */
export interface TaskState extends t.TypeOf<typeof TaskStateShapeC> {}

/**
 * The stage a stored record means. `abortRequested` on a stage that has not reached its abort is a pending abort;
 * version 2 wrote it on `Started` (a create out), and on `Pending` and `WaitingForQuota` when that create then
 * failed: all three end aborted at the next chance, which `AbortPending` does (without waiting for a retry timer).
 * On `Aborting` and `Done` the flag says nothing the stage does not.
 */
const stageOf = (stage: StoredStage, abortRequested: boolean): Stage => {
  if (!abortRequested) return stage;
  switch (stage._tag) {
    case 'Pending':
    case 'Started':
    case 'WaitingForCluster':
    case 'WaitingForQuota':
      return { _tag: 'AbortPending' };
    case 'Aborting':
    case 'Done':
      return stage;
  }
};

/** The state a stored version 2 record holds. Total; `toStored` of the result reads back the same state. */
export const fromStored = (stored: StoredTaskState): TaskState => {
  // The stage keeps its place among the keys, so a state read back serialises as the one written.
  const { abortRequested, ...rest } = stored;
  return { ...rest, stage: stageOf(stored.stage, abortRequested) };
};

/** The state as version 2 stores it (what processes of every version 2 build read alike). */
export const toStored = (s: TaskState): StoredTaskState =>
  s.stage._tag === 'AbortPending'
    ? { ...s, stage: { _tag: 'Started' }, abortRequested: true }
    : { ...s, stage: s.stage, abortRequested: s.stage._tag === 'Aborting' };

/**
 * The task state codec: decodes a stored version 2 record into a `TaskState`, encodes a state as version 2 stores
 * it. Use `readState`, which also checks the version and migrates version 1.
 */
export const TaskStateC: t.Type<TaskState, StoredTaskState> = new t.Type(
  'TaskState',
  TaskStateShapeC.is,
  (u, c) => pipe(StoredTaskStateC.validate(u, c), E.map(fromStored)),
  toStored,
);

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
  if (version === STATE_VERSION)
    return pipe(
      StoredTaskStateC.decode(u),
      E.bimap(() => corrupted, fromStored),
    );
  if (version === STATE_VERSION_1)
    return pipe(
      TaskStateV1C.decode(u),
      E.bimap(() => corrupted, fromV1),
    );
  return E.left({ _tag: 'UnknownVersion', version });
};

// Every codec in the stored shape is plain data (no transforms), so encoding it is a structural copy; the manager
// writes a state on every step, and the copy through the intersections was a visible part of its cost.
const identityEncoding = encodesAsIdentity(StoredTaskStateC);

/** The state as a JSON-ready value for the state store (always the current version); `readState` reads it back. */
export const writeState = (s: TaskState): unknown => {
  const stored = toStored(s);
  return identityEncoding ? stored : StoredTaskStateC.encode(stored);
};

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

const stageFromV1 = (s: StageV1): StoredStage =>
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
  return fromStored({
    ...rest,
    version: STATE_VERSION,
    stage: stageFromV1(stage),
    owned: owned.map(ownedFromV1),
    cluster: clusterFromV1(s.cluster),
  });
};

// -------------------------------------------------------------------------------------
// queries
// -------------------------------------------------------------------------------------

/** The owned object of the current attempt, if it was created (or is being created) and is not to be deleted. */
export const currentOwned = (s: TaskState): Owned | undefined =>
  s.owned.find(
    (o) => o.attempt === s.attempt && (o._tag === 'Creating' || (o._tag === 'Live' && o.deletion === 'None')),
  );

/** Whether every owned object is cleaned up (gone, or kept without our finalizer when no delete was asked for). */
export const isClean = (s: TaskState): boolean => s.owned.every(ownedIsClean);
