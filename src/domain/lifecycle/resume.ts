// Resume and timers: after a restart every unanswered command is due again; a timer re-runs what waits.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { Command } from './protocol.js';
import { isCreating, isLive, noCluster, type Owned, type TaskState } from './state.js';
import { applyAbort } from './abort.js';
import { awaitGone, cleanup } from './cleanup.js';
import { type Ctx, type StepResult, buildCtx, findOwned, refFor, resync, andThen } from './context.js';
import { acquireCluster, launch } from './launch.js';

export const resumed = (s: TaskState, ctx: Ctx): StepResult => {
  // Nothing in flight survives a restart: every command not yet answered is due again (they are idempotent).
  const reset: TaskState = {
    ...s,
    owned: s.owned.map(unanswered),
  };
  switch (s.stage._tag) {
    case 'Done':
      return cleanup(reset, ctx);
    case 'Pending':
      return s.stage.retryAt !== undefined && s.stage.retryAt > ctx.now
        ? { state: reset, commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: s.stage.retryAt }] }
        : andThen(cleanup(reset, ctx), (st) => launch(st, ctx));
    case 'WaitingForQuota':
      return andThen(cleanup(reset, ctx), (st) => launch(st, ctx));
    case 'WaitingForCluster':
      // Ask again: the interpreter's record of who uses which cluster did not survive the restart.
      return andThen(cleanup(reset, ctx), (st) => acquireCluster({ ...st, cluster: noCluster }, ctx));
    case 'Aborting':
      return andThen(cleanup(reset, ctx), (st) => applyAbort(st, ctx, undefined));
    case 'AbortPending': {
      // The create's answer did not survive the restart. An object the watch has shown is aborted now; otherwise
      // the task ends aborted (launch looks in the cache for a create that landed, and deletes it to be sure).
      const entry = findOwned(reset, refFor(reset, ctx));
      if (entry !== undefined && isLive(entry))
        return andThen(cleanup(reset, ctx), (st) => applyAbort(st, ctx, undefined));
      const look: Command[] =
        entry !== undefined && isCreating(entry) ? [{ _tag: 'Observe', ref: entry.ref }] : [];
      return andThen({ state: reset, commands: look }, (st) =>
        andThen(cleanup(st, ctx), (st2) => launch(st2, ctx)),
      );
    }
    case 'Started': {
      const entry = findOwned(reset, refFor(reset, ctx));
      if (entry === undefined) return andThen(cleanup(reset, ctx), (st) => launch(st, ctx));
      if (isCreating(entry)) {
        // The create sent before the restart may have landed: look in the cache first, so that object is known
        // before the answer to the create sent again (which may be an error that says nothing about the first).
        return andThen({ state: reset, commands: [{ _tag: 'Observe', ref: entry.ref }] }, (st) =>
          andThen(cleanup(st, ctx), (st2) => launch(st2, ctx)),
        );
      }
      // A running job holds its cluster: say so again, so the cluster is not collected as idle.
      const hold: Command[] =
        reset.cluster._tag === 'Holding' && ctx.plugin.sharedCluster !== undefined
          ? reacquire(reset, ctx)
          : [];
      return andThen(cleanup(reset, ctx), (st) => ({
        state: st,
        commands: [...hold, { _tag: 'Observe', ref: entry.ref }, resync(ctx)],
      }));
    }
  }
};

/**
 * An owned object after a restart: a delete or a finalizer removal sent before it may not have happened, so it is
 * due again. That includes the delete an abort sent (version 1 did not send that one again); deletes are
 * idempotent and guarded by the uid, so the worst case is a NotFound.
 */
const unanswered = (o: Owned): Owned => {
  if (o._tag !== 'Live') return o;
  const finalizer =
    o.finalizer === 'Removing' ? 'Present' : o.finalizer === 'Removed' ? 'Absent' : o.finalizer;
  return { ...o, finalizer, deletion: o.deletion === 'Sent' ? 'Wanted' : o.deletion };
};

/** The AcquireCluster command for a cluster the task already holds (its manifest is built again, purely). */
export const reacquire = (s: TaskState, ctx: Ctx): Command[] => {
  const support = ctx.plugin.sharedCluster;
  if (support === undefined || s.cluster._tag !== 'Holding') return [];
  const held = s.cluster.ref;
  try {
    const chosen = support.clusterFor(buildCtx({ ...s, cluster: noCluster }, ctx));
    if (E.isLeft(chosen) || O.isNone(chosen.right)) return [];
    const manifest = chosen.right.value;
    return [
      {
        _tag: 'AcquireCluster',
        ref: held,
        manifest: { ...manifest, metadata: { ...manifest.metadata, namespace: held.namespace } },
      },
    ];
  } catch {
    return [];
  }
};

export const timer = (s: TaskState, ctx: Ctx, kind: 'Retry' | 'Resync'): StepResult => {
  if (kind === 'Resync') {
    if (s.stage._tag === 'Done') return awaitGone(s, ctx);
    const entry = findOwned(s, refFor(s, ctx));
    if (s.stage._tag !== 'Started' || entry === undefined || entry._tag !== 'Live')
      return { state: s, commands: [] };
    return { state: s, commands: [{ _tag: 'Observe', ref: entry.ref }] };
  }
  switch (s.stage._tag) {
    case 'Pending':
      if (s.stage.retryAt !== undefined && s.stage.retryAt > ctx.now) {
        return { state: s, commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: s.stage.retryAt }] };
      }
      return andThen(cleanup(s, ctx), (st) => launch(st, ctx));
    case 'Aborting':
      return applyAbort(s, ctx, undefined);
    case 'AbortPending':
    case 'Started':
    case 'WaitingForQuota':
    case 'WaitingForCluster':
    case 'Done':
      return cleanup(s, ctx);
  }
};
