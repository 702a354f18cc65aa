// Outcomes: the final answer and its cleanup, system failures retried under fresh names, user retries.
import * as PI from '../phase-info.js';
import { delay } from './backoff.js';
import type { Command } from './protocol.js';
import { clusterRef, noCluster, wantDeletion, type TaskState } from './state.js';
import { cleanup, lookForGone } from './cleanup.js';
import { type Ctx, type StepResult, emit, refFor, andThen, updateOwned } from './context.js';

/** Reports the task's final PhaseInfo and starts cleanup. */
export const finish = (s: TaskState, ctx: Ctx, pi: PI.PhaseInfo): StepResult => {
  const cleanupOnFailure =
    pi.cleanupOnFailure && ctx.config.executor['cleanup-on-failure'] && pi.phase !== 'Success';
  const deleteOnFinalize =
    ctx.config.plugins.k8s['delete-resource-on-finalize'] &&
    !ctx.plugin.properties.disableDeleteResourceOnFinalize;
  const owned = cleanupOnFailure || deleteOnFinalize ? s.owned.map(wantDeletion) : s.owned;
  const held = clusterRef(s.cluster);
  const release: Command[] = held === undefined ? [] : [{ _tag: 'ReleaseCluster', ref: held }];
  const done: TaskState = {
    ...s,
    owned,
    cluster: noCluster,
    stage: { _tag: 'Done', final: pi },
    systemFailures: 0,
  };
  return andThen(emit(done, pi, true), (st) => {
    const r = cleanup({ ...st, stage: { _tag: 'Done', final: st.last ?? pi } }, ctx);
    return { state: r.state, commands: [...release, ...r.commands, ...lookForGone(r.state, ctx)] };
  });
};

export const finishAborted = (s: TaskState, ctx: Ctx, reason: string): StepResult =>
  finish(s, ctx, PI.aborted(ctx.now, 0, reason));

/** A system failure: retry under a fresh name after a back-off, or give up past the budget. */
export const systemFailure = (s: TaskState, ctx: Ctx, pi: PI.PhaseInfo): StepResult => {
  const failures = s.systemFailures + 1;
  const max = ctx.config.executor['max-system-failures'];
  const message = pi.error?.message ?? pi.reason;
  if (failures > max) {
    return finish(
      { ...s, systemFailures: failures },
      ctx,
      PI.withCleanupOnFailure(pi.cleanupOnFailure)(
        PI.systemFailure(
          'MaxSystemFailuresExceeded',
          `plugin "${ctx.plugin.id}" failed with system error ${failures} times: ${pi.error?.code ?? ''}: ${message}`,
          pi.info,
        ),
      ),
    );
  }
  const retired = retireCurrent(s, ctx);
  const retryAt = ctx.now + delay(ctx.config.executor['system-failure-backoff'], failures, ctx.entropy);
  const next: TaskState = {
    ...retired,
    systemFailures: failures,
    systemRetry: s.systemRetry + 1,
    stage: { _tag: 'Pending', retryAt },
  };
  return andThen(emit(next, pi, false), (st) =>
    andThen(cleanup(st, ctx), (st2) => ({
      state: st2,
      commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: retryAt }],
    })),
  );
};

/** Marks the current attempt's object for deletion (it is replaced by a new try). */
export const retireCurrent = (s: TaskState, ctx: Ctx): TaskState => {
  const ref = refFor(s, ctx);
  return updateOwned(s, ref, wantDeletion);
};
