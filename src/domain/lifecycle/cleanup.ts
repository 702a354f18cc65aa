// Cleanup of owned objects: deletes wanted, our finalizer off what the task is done with, and their answers.
import { FINALIZER } from '../object-metadata.js';
import { delay } from './backoff.js';
import { isConflict, isNotFound } from '../api-error.js';
import type { ApiError, Command } from './protocol.js';
import {
  deletionWanted,
  gone,
  type Finalizer,
  type Live,
  type ObjectRef,
  type Owned,
  type TaskState,
} from './state.js';
import {
  type Ctx,
  type StepResult,
  findOwned,
  isCurrent,
  resync,
  uidOf,
  updateOwned,
  withUid,
} from './context.js';

/** Commands that move owned objects towards clean: deletes wanted, and our finalizer off whatever we are done with. */
export const cleanup = (s: TaskState, ctx: Ctx): StepResult => {
  const commands: Command[] = [];
  const owned = s.owned.map((o): Owned => {
    // A create still out has nothing to clean yet, and a gone object nothing left.
    if (o._tag !== 'Live') return o;
    const retired = deletionWanted(o) || s.stage._tag === 'Done' || !isCurrent(s, ctx, o.ref);
    let next = o;
    // Our finalizer comes off before the delete is sent: a finished pod without finalizers is removed by its
    // DELETE at once, whereas one deleted with the finalizer on is marked Terminating first (a write its kubelet
    // answers with another DELETE) and removed only by the finalizer patch. Same two writes of ours, fewer in all.
    // The delete waits only for the patch's first answer: a failed patch does not hold it back.
    const finalizerFirst = o.finalizer === 'Present' || o.finalizer === 'Removing';
    if (o.deletion === 'Wanted' && !finalizerFirst) {
      commands.push({ _tag: 'Delete', ref: o.ref, ...withUid(o.uid) });
      next = { ...next, deletion: 'Sent' };
    }
    if (o.finalizer === 'Present' && retired) {
      commands.push({ _tag: 'RemoveFinalizer', ref: o.ref, finalizer: FINALIZER });
      next = { ...next, finalizer: 'Removing' };
    }
    return next;
  });
  return { state: { ...s, owned }, commands };
};

export const answered = (
  s: TaskState,
  ctx: Ctx,
  ref: ObjectRef,
  error: ApiError | undefined,
  command: 'Delete' | 'RemoveFinalizer',
): StepResult => {
  // A delete's Conflict is its uid precondition failing: the object it was meant for is gone (a newer one of the
  // same name, if any, is another object, seen by the watch and cleaned up in its turn).
  const notFound = error !== undefined && (isNotFound(error) || (command === 'Delete' && isConflict(error)));
  if (error === undefined || notFound) {
    // NotFound: nothing was there, so nothing is outstanding; an object seen under the name later is another one.
    if (command === 'Delete') {
      const state = updateOwned(s, ref, (o) =>
        notFound ? gone(o) : o._tag === 'Live' ? { ...o, deletion: 'Sent' } : o,
      );
      return { state, commands: lookForGone(state, ctx) };
    }
    // The removal was answered: a view still showing the finalizer is older (NotFound: nothing is outstanding).
    const marked = updateOwned(s, ref, (o) =>
      o._tag === 'Live' ? { ...o, finalizer: notFound ? 'Absent' : removed(o.finalizer) } : o,
    );
    // With the finalizer off, a delete that waited for it is due now.
    return cleanup(marked, ctx);
  }
  // Failed: due again after a back-off (the next Retry timer re-runs cleanup), growing with the failures so far.
  const marked = updateOwned(s, ref, (o) => (o._tag === 'Live' ? refused(o, command) : o));
  const at =
    ctx.now +
    delay(ctx.config.executor['system-failure-backoff'], Math.max(1, s.systemFailures), ctx.entropy);
  const retry: Command = { _tag: 'ScheduleTimer', timer: 'Retry', at };
  // A delete that waited for the finalizer patch goes now: a patch that keeps failing (no RBAC for it, a webhook)
  // must not keep a pod running that is meant to go.
  const waiting = findOwned(marked, ref);
  if (command === 'RemoveFinalizer' && waiting?._tag === 'Live' && waiting.deletion === 'Wanted') {
    return {
      state: updateOwned(marked, ref, (o) => (o._tag === 'Live' ? { ...o, deletion: 'Sent' } : o)),
      commands: [{ _tag: 'Delete', ref, ...withUid(uidOf(waiting)) }, retry],
    };
  }
  return { state: marked, commands: [retry] };
};

/** The finalizer once a removal was answered: off, and a removal out stays on record as answered. */
const removed = (f: Finalizer): Finalizer => (f === 'Removing' || f === 'Removed' ? 'Removed' : 'Absent');

/** A live object whose delete or finalizer removal was refused: due again. */
const refused = (o: Live, command: 'Delete' | 'RemoveFinalizer'): Owned => {
  if (command === 'Delete') return o.deletion === 'Sent' ? { ...o, deletion: 'Wanted' } : o;
  switch (o.finalizer) {
    case 'Removing':
      return { ...o, finalizer: 'Present' };
    case 'Removed':
      return { ...o, finalizer: 'Absent' };
    default:
      return o;
  }
};

/** Live objects whose delete was sent: the task settles once each is seen gone. */
const deleteSent = (s: TaskState): ReadonlyArray<Live> =>
  s.owned.filter((o): o is Live => o._tag === 'Live' && o.deletion === 'Sent');

/**
 * A finished task whose deleted objects are not yet seen gone looks again after the resync period (see
 * `awaitGone`); nothing to wait for, nothing scheduled.
 */
export const lookForGone = (s: TaskState, ctx: Ctx): Command[] =>
  s.stage._tag === 'Done' && deleteSent(s).length > 0 ? [resync(ctx)] : [];

/**
 * A finished task's resync: each object whose delete was sent is looked up in the cache, absence meaning gone even
 * if the cache never held it. The watch reports a deletion in all but one case, an object whose whole life fell
 * between a lost watch and its re-list (created, aborted, deleted): without this the task would never settle.
 */
export const awaitGone = (s: TaskState, ctx: Ctx): StepResult => {
  const sent = deleteSent(s);
  if (s.stage._tag !== 'Done' || sent.length === 0) return { state: s, commands: [] };
  return {
    state: s,
    commands: [
      ...sent.map((o): Command => ({ _tag: 'Observe', ref: o.ref, absentIsGone: true })),
      resync(ctx),
    ],
  };
};
