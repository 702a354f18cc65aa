// Abort: the plugin's behaviour, chosen once and kept in the Aborting stage, applied until it succeeds.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeObject } from '../kubernetes.js';
import { abortDelete, type AbortBehavior } from '../plugin.js';
import { delay } from './backoff.js';
import { isConflict, isNotFound } from '../api-error.js';
import type { ApiError } from './protocol.js';
import {
  gone,
  isCreating,
  isGone,
  wantDeletion,
  type ObjectRef,
  type Owned,
  type TaskState,
} from './state.js';
import {
  type Ctx,
  type StepResult,
  buildCtx,
  findOwned,
  refFor,
  safe,
  uidOf,
  updateOwned,
  withUid,
} from './context.js';
import { finishAborted } from './failures.js';

/**
 * The plugin's abort behaviour, asked once per abort: with the object from the cache when the observation carried
 * it, else with the plugin's identity resource (kind, namespace, name, uid: all an abort can rely on). A throw or an
 * identity the plugin cannot build means the default, delete.
 */
export const chooseAbort = (
  s: TaskState,
  ctx: Ctx,
  ref: ObjectRef,
  entry: Owned,
  object: KubeObject | undefined,
): AbortBehavior => {
  const onAbort = ctx.plugin.onAbort;
  if (onAbort === undefined) return abortDelete;
  const target =
    object ??
    pipe(
      safe(() => ctx.plugin.buildIdentityResource(buildCtx(s, ctx))),
      E.map((id): KubeObject => ({
        ...id,
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: {
          ...id.metadata,
          name: ref.name,
          namespace: ref.namespace,
          ...withUid(uidOf(entry)),
        },
      })),
      E.toUnion,
    );
  if (!('apiVersion' in target)) return abortDelete;
  try {
    return onAbort(buildCtx(s, ctx), target);
  } catch {
    return abortDelete;
  }
};

/** Whether the behaviour deletes the task's own object (its `resource`, when it names one, is that object). */
export const deletesOwn = (b: AbortBehavior, ref: ObjectRef): boolean =>
  b._tag === 'Delete' &&
  (b.resource === undefined ||
    (b.resource.metadata?.name === ref.name &&
      b.resource.kind === ref.kind &&
      b.resource.apiVersion === ref.apiVersion &&
      (b.resource.metadata.namespace ?? ref.namespace) === ref.namespace));

/**
 * Applies the abort behaviour: the one kept in the Aborting stage on every later attempt (a retry after a failed
 * patch patches again, as Flyte asks OnAbort again on every attempt), the plugin's choice on the first.
 */
export const applyAbort = (s: TaskState, ctx: Ctx, object: KubeObject | undefined): StepResult => {
  const ref = refFor(s, ctx);
  const entry = findOwned(s, ref);
  if (entry === undefined || isGone(entry)) return finishAborted(s, ctx, 'aborted');
  const behavior = s.stage._tag === 'Aborting' ? s.stage.behavior : chooseAbort(s, ctx, ref, entry, object);
  return {
    state: { ...s, stage: { _tag: 'Aborting', behavior } },
    commands: [{ _tag: 'ApplyAbort', ref, behavior, ...withUid(uidOf(entry)) }],
  };
};

/**
 * Abort was requested: before anything was created the task ends aborted at once; while the current try's create is
 * out the abort waits for its answer (`AbortPending`); otherwise the plugin's behaviour is applied. Once aborting or
 * done, a second request changes nothing.
 */
export const requestAbort = (s: TaskState, ctx: Ctx, object: KubeObject | undefined): StepResult => {
  switch (s.stage._tag) {
    case 'Done':
    case 'AbortPending':
    case 'Aborting':
      return { state: s, commands: [] };
    case 'Pending':
    case 'WaitingForQuota':
    case 'WaitingForCluster':
      return finishAborted(s, ctx, 'aborted before the resource was created');
    case 'Started': {
      const entry = findOwned(s, refFor(s, ctx));
      // A create is in flight: abort when its answer arrives.
      if (entry !== undefined && isCreating(entry))
        return { state: { ...s, stage: { _tag: 'AbortPending' } }, commands: [] };
      return applyAbort(s, ctx, object);
    }
  }
};

/** The abort behaviour was applied (or failed): the task ends aborted, or the behaviour is retried after a back-off. */
export const abortApplied = (
  s: TaskState,
  ctx: Ctx,
  ref: ObjectRef,
  error: ApiError | undefined,
): StepResult => {
  if (s.stage._tag !== 'Aborting') return { state: s, commands: [] };
  const behavior = s.stage.behavior;
  // A delete of our object answered NotFound, or Conflict (its uid precondition failed): the object it meant is
  // gone, and is marked so, since the watch may never say it (it may have gone before this process saw it).
  const ownGone =
    error !== undefined && deletesOwn(behavior, ref) && (isNotFound(error) || isConflict(error));
  if (error === undefined || isNotFound(error) || ownGone) {
    // The abort behaviour ran. A delete of our object needs no other; a patch or an update leaves the object to
    // the plugin's intent (only our finalizer comes off, and the configured delete on finalize, if any).
    const marked = ownGone
      ? updateOwned(s, ref, gone)
      : deletesOwn(behavior, ref)
        ? updateOwned(s, ref, (o): Owned => (o._tag === 'Live' ? { ...o, deletion: 'Sent' } : o))
        : s;
    return finishAborted(marked, ctx, 'aborted');
  }
  const failures = s.systemFailures + 1;
  if (failures > ctx.config.executor['max-system-failures']) {
    // Out of budget: delete only when the plugin allowed it (its behaviour deletes, or deletes on error).
    const mayDelete = behavior._tag === 'Delete' || behavior.deleteOnError;
    const marked = mayDelete ? updateOwned(s, ref, wantDeletion) : s;
    return finishAborted(
      { ...marked, systemFailures: failures },
      ctx,
      `aborted; applying the abort failed: ${error.message}`,
    );
  }
  const at = ctx.now + delay(ctx.config.executor['system-failure-backoff'], failures, ctx.entropy);
  return {
    state: { ...s, systemFailures: failures },
    commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at }],
  };
};
