// The task lifecycle as a pure state machine: step(state, observation, context) → (state', commands).
import { FINALIZER } from '../object-metadata.js';
import * as PI from '../phase-info.js';
import type { Observation } from './protocol.js';
import { isClean, type TaskState } from './state.js';
import { abortApplied, requestAbort } from './abort.js';
import { answered } from './cleanup.js';
import { objectNameFor, stepContext, type StepContext, type StepResult } from './context.js';
import { clusterFailed, clusterReady, createFailed, createSucceeded, launch } from './launch.js';
import { gone, observed } from './observe.js';
import { resumed, timer } from './resume.js';

export { FINALIZER, objectNameFor, type StepContext, type StepResult };

// -------------------------------------------------------------------------------------
// the machine
// -------------------------------------------------------------------------------------

/**
 * One step of a task's lifecycle. Total and pure: the same state, observation and context always give the same
 * result, and nothing here performs I/O; the interpreter runs the commands and feeds their answers back.
 */
export const step = (s: TaskState, o: Observation, context: StepContext): StepResult => {
  const ctx = stepContext(context);
  switch (o._tag) {
    case 'Submitted':
      return s.stage._tag === 'Pending' && s.owned.length === 0 ? launch(s, ctx) : resumed(s, ctx);
    case 'Resumed':
      return resumed(s, ctx);
    case 'CreateSucceeded':
      return createSucceeded(s, ctx, o.ref, o.uid);
    case 'CreateFailed':
      return createFailed(s, ctx, o.ref, o.error);
    case 'ObjectObserved':
      return observed(s, ctx, o.object, o.events, o.related);
    case 'ObjectGone':
      return gone(s, ctx, o.ref);
    case 'AbortRequested':
      return requestAbort(s, ctx, o.object);
    case 'AbortApplied':
      return abortApplied(s, ctx, o.ref, o.error);
    case 'DeleteAnswered':
      return answered(s, ctx, o.ref, o.error, 'Delete');
    case 'FinalizerRemoved':
      return answered(s, ctx, o.ref, o.error, 'RemoveFinalizer');
    case 'TimerFired':
      return timer(s, ctx, o.timer);
    case 'QuotaGateOpened':
      return s.stage._tag === 'WaitingForQuota' ? launch(s, ctx) : { state: s, commands: [] };
    case 'SharedClusterReady':
      return clusterReady(s, ctx, o.ref);
    case 'SharedClusterFailed':
      return clusterFailed(s, ctx, o.ref, o.message);
  }
};

/**
 * Whether the task is finished: a final PhaseInfo was reported and every owned object is cleaned up; an object it
 * deleted counts only once it is seen gone (a sent delete is not yet a deleted object).
 */
export const isSettled = (s: TaskState): boolean => s.stage._tag === 'Done' && isClean(s);

/** The final PhaseInfo, once reported. */
export const finalPhase = (s: TaskState): PI.PhaseInfo | undefined =>
  s.stage._tag === 'Done' ? s.stage.final : undefined;
