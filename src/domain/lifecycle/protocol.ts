// What the lifecycle machine hears (observations) and what it asks for (commands): plain data both ways.
import type { ApiError } from '../api-error.js';
import type { KubeObject } from '../kubernetes.js';
import type { PhaseInfo } from '../phase-info.js';
import type { AbortBehavior } from '../plugin.js';
import type { Instant } from '../time.js';
import type { ObjectRef } from './state.js';

/** Observations carry the API's typed error as it came from the cluster port; ask it through its guards. */
export type { ApiError };

export type TimerKind = 'Retry' | 'Resync';

// -------------------------------------------------------------------------------------
// observations
// -------------------------------------------------------------------------------------

/**
 * Everything the lifecycle can learn about a task: the manager's own events, answers to earlier commands, and
 * what the watch cache saw. The lifecycle's step function maps a state and one observation to the next state
 * and its commands.
 */
export type Observation =
  /** The task was handed to the manager. */
  | { readonly _tag: 'Submitted' }
  /** The process restarted and loaded this state; every pending command is due again. */
  | { readonly _tag: 'Resumed' }
  | { readonly _tag: 'CreateSucceeded'; readonly ref: ObjectRef; readonly uid?: string }
  | { readonly _tag: 'CreateFailed'; readonly ref: ObjectRef; readonly error: ApiError }
  /** The object as the watch cache holds it, with its Kubernetes events and any related objects. */
  | {
      readonly _tag: 'ObjectObserved';
      readonly object: KubeObject;
      readonly events?: ReadonlyArray<unknown>;
      readonly related?: ReadonlyArray<KubeObject>;
    }
  /** The watch cache no longer holds the object (deleted, or absent after a full list). */
  | { readonly _tag: 'ObjectGone'; readonly ref: ObjectRef }
  /** Abort was requested; `object` is the current object from the cache, if any (for the plugin's onAbort). */
  | { readonly _tag: 'AbortRequested'; readonly reason: string; readonly object?: KubeObject }
  | { readonly _tag: 'AbortApplied'; readonly ref: ObjectRef; readonly error?: ApiError }
  /** Answer to a Delete; an `error` NotFound counts as deleted (and says nothing was there). */
  | { readonly _tag: 'DeleteAnswered'; readonly ref: ObjectRef; readonly error?: ApiError }
  /** Answer to a RemoveFinalizer; an `error` NotFound counts as removed (and says nothing was there). */
  | { readonly _tag: 'FinalizerRemoved'; readonly ref: ObjectRef; readonly error?: ApiError }
  | { readonly _tag: 'TimerFired'; readonly timer: TimerKind }
  /** The namespace's quota gate reopened: a task waiting for quota may try again. */
  | { readonly _tag: 'QuotaGateOpened' }
  /** The shared cluster the task waits for can take jobs. */
  | { readonly _tag: 'SharedClusterReady'; readonly ref: ObjectRef }
  /** The shared cluster failed (it is being replaced); the task's try fails as a system failure. */
  | { readonly _tag: 'SharedClusterFailed'; readonly ref: ObjectRef; readonly message: string };

// -------------------------------------------------------------------------------------
// commands
// -------------------------------------------------------------------------------------

/** One PhaseInfo for subscribers. `final` marks the task's outcome; attempt-level failures are not final. */
export interface Emission {
  readonly phaseInfo: PhaseInfo;
  readonly attempt: number;
  readonly final: boolean;
}

/**
 * What the pure lifecycle asks the interpreter (the manager) to do; it never does I/O itself. Each command's
 * outcome comes back as an `Observation`, so every decision stays a pure function of state and observation,
 * replayable in tests.
 */
export type Command =
  | { readonly _tag: 'Create'; readonly ref: ObjectRef; readonly manifest: KubeObject }
  | { readonly _tag: 'Delete'; readonly ref: ObjectRef; readonly uid?: string }
  /** Remove exactly this finalizer, by patch with optimistic concurrency; never a full update. */
  | { readonly _tag: 'RemoveFinalizer'; readonly ref: ObjectRef; readonly finalizer: string }
  /** Apply the plugin's abort behaviour; `uid` guards a delete of the task's own object. */
  | {
      readonly _tag: 'ApplyAbort';
      readonly ref: ObjectRef;
      readonly behavior: AbortBehavior;
      readonly uid?: string;
    }
  | { readonly _tag: 'ScheduleTimer'; readonly timer: TimerKind; readonly at: Instant }
  /**
   * Feed the object's current cached state back as ObjectObserved or ObjectGone (never a GET per task). An object
   * the cache never held is gone only with `absentIsGone`: for an object whose delete was answered (it existed, and
   * the watch may have missed its whole life across a re-list), whereas a create's object may simply not be there
   * yet.
   */
  | { readonly _tag: 'Observe'; readonly ref: ObjectRef; readonly absentIsGone?: boolean }
  | { readonly _tag: 'Emit'; readonly emission: Emission }
  /** A create in this namespace was rejected by a ResourceQuota: close the namespace's gate (with back-off). */
  | { readonly _tag: 'QuotaRejected'; readonly namespace: string; readonly message: string }
  /** A create in this namespace succeeded: reopen the namespace's gate and reset its back-off. */
  | { readonly _tag: 'QuotaAccepted'; readonly namespace: string }
  /** The task uses this shared cluster: create it unless it exists, and say when it is ready. */
  | { readonly _tag: 'AcquireCluster'; readonly ref: ObjectRef; readonly manifest: KubeObject }
  /** The task no longer uses this shared cluster (its idle time starts when no task does). */
  | { readonly _tag: 'ReleaseCluster'; readonly ref: ObjectRef };
