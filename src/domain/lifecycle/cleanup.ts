// Cleanup of owned objects: deletes wanted, our finalizer off what the task is done with, and their answers.
import { FINALIZER } from '../object-metadata.js';
import { delay } from './backoff.js';
import type { ApiError, Command } from './protocol.js';
import type { ObjectRef, Owned, TaskState } from './state.js';
import { type Ctx, type StepResult, findOwned, isCurrent, updateOwned } from './context.js';

/** Commands that move owned objects towards clean: deletes wanted, and our finalizer off whatever we are done with. */
export const cleanup = (s: TaskState, ctx: Ctx): StepResult => {
  const commands: Command[] = [];
  const owned = s.owned.map((o): Owned => {
    if (o.status === 'gone') return o;
    const retired = o.deleteWanted || s.stage._tag === 'Done' || !isCurrent(s, ctx, o.ref);
    let next = o;
    // Our finalizer comes off before the delete is sent: a finished pod without finalizers is removed by its
    // DELETE at once, whereas one deleted with the finalizer on is marked Terminating first (a write its kubelet
    // answers with another DELETE) and removed only by the finalizer patch. Same two writes of ours, fewer in all.
    // The delete waits only for the patch's first answer: a failed patch does not hold it back.
    const finalizerFirst = o.finalizer && o.status === 'live';
    if (o.deleteWanted && !o.deleteSent && o.status !== 'creating' && !finalizerFirst) {
      commands.push({ _tag: 'Delete', ref: o.ref, ...(o.uid === undefined ? {} : { uid: o.uid }) });
      next = { ...next, deleteSent: true };
    }
    if (o.finalizer && retired && o.status === 'live' && !o.finalizerRemovalSent) {
      commands.push({ _tag: 'RemoveFinalizer', ref: o.ref, finalizer: FINALIZER });
      next = { ...next, finalizerRemovalSent: true };
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
  field: 'deleteSent' | 'finalizerRemovalSent',
): StepResult => {
  // A delete's Conflict is its uid precondition failing: the object it was meant for is gone (a newer one of the
  // same name, if any, is another object, seen by the watch and cleaned up in its turn).
  const notFound =
    error !== undefined &&
    (error.code === 404 ||
      error.reason === 'NotFound' ||
      (field === 'deleteSent' && error.reason === 'Conflict'));
  if (error === undefined || notFound) {
    // NotFound: nothing was there, so nothing is outstanding; an object seen under the name later is another one.
    const marked = updateOwned(s, ref, (o): Owned => {
      if (field === 'deleteSent')
        return notFound
          ? { ...o, deleteSent: true, status: 'gone', finalizer: false }
          : { ...o, deleteSent: true };
      return notFound ? { ...o, finalizer: false, finalizerRemovalSent: false } : { ...o, finalizer: false };
    });
    // With the finalizer off, a delete that waited for it is due now.
    return field === 'finalizerRemovalSent' ? cleanup(marked, ctx) : { state: marked, commands: [] };
  }
  // Failed: due again after a back-off (the next Retry timer re-runs cleanup), growing with the failures so far.
  const marked = updateOwned(s, ref, (o) => ({ ...o, [field]: false }));
  const at =
    ctx.now +
    delay(ctx.config.executor['system-failure-backoff'], Math.max(1, s.systemFailures), ctx.entropy);
  const retry: Command = { _tag: 'ScheduleTimer', timer: 'Retry', at };
  // A delete that waited for the finalizer patch goes now: a patch that keeps failing (no RBAC for it, a webhook)
  // must not keep a pod running that is meant to go.
  const waiting = findOwned(marked, ref);
  if (field === 'finalizerRemovalSent' && waiting?.deleteWanted === true && !waiting.deleteSent) {
    return {
      state: updateOwned(marked, ref, (o) => ({ ...o, deleteSent: true })),
      commands: [{ _tag: 'Delete', ref, ...(waiting.uid === undefined ? {} : { uid: waiting.uid }) }, retry],
    };
  }
  return { state: marked, commands: [retry] };
};
