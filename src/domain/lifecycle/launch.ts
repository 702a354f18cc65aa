// Launch and relaunch: shared cluster first, the create and its answer, and what a reported phase starts next.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject } from '../kubernetes.js';
import * as PI from '../phase-info.js';
import { classifyCreateError } from './create-errors.js';
import type { ApiError, Command } from './protocol.js';
import {
  clusterRef,
  creating,
  gone,
  holding,
  isCreating,
  isLive,
  live,
  noCluster,
  sameRef,
  waitingFor,
  wantDeletion,
  type ObjectRef,
  type Owned,
  type TaskState,
} from './state.js';
import { applyAbort } from './abort.js';
import { cleanup } from './cleanup.js';
import {
  type Ctx,
  type StepResult,
  buildCtx,
  buildManifest,
  emit,
  findOwned,
  hasFinalizer,
  isCurrent,
  refFor,
  resync,
  andThen,
  updateOwned,
} from './context.js';
import { finish, finishAborted, retireCurrent, systemFailure } from './failures.js';
import { isTerminal } from '../phase.js';
import { maxAttemptsOf } from '../task.js';

/** Creates the current attempt's object, or ends the task aborted when an abort is pending. */
export const launch = (s: TaskState, ctx: Ctx): StepResult => {
  if (s.stage._tag === 'AbortPending') {
    // A create that was in flight when the process stopped may have happened: delete it to be sure.
    const unsure: TaskState = { ...s, owned: s.owned.map((o) => (isCreating(o) ? wantDeletion(o) : o)) };
    return finishAborted(unsure, ctx, 'aborted before the resource was created');
  }
  if (ctx.plugin.sharedCluster !== undefined && s.cluster._tag !== 'Holding') return acquireCluster(s, ctx);
  return createCurrent(s, ctx);
};

/** Builds and creates the current try's object (the shared cluster, if any, is held). */
const createCurrent = (s: TaskState, ctx: Ctx): StepResult => {
  const ref = refFor(s, ctx);
  const built = buildManifest(s, ctx, ref);
  if (E.isLeft(built)) {
    return finish(
      s,
      ctx,
      PI.failure(built.left.code, `Failed to build resource, caused by: ${built.left.message}`),
    );
  }
  const manifest = built.right;
  const entry = creating(ref, s.attempt, hasFinalizer(manifest));
  const owned = [...s.owned.filter((o) => !sameRef(o.ref, ref)), entry];
  return {
    state: { ...s, stage: { _tag: 'Started' }, owned },
    commands: [{ _tag: 'Create', ref, manifest }],
  };
};

/**
 * Before the job of a shared-cluster plugin: ask the interpreter for the cluster (it creates it unless it exists)
 * and wait until it is ready. A task whose spec names no shared cluster goes straight on.
 */
export const acquireCluster = (s: TaskState, ctx: Ctx): StepResult => {
  const support = ctx.plugin.sharedCluster;
  if (support === undefined) return createCurrent({ ...s, cluster: noCluster }, ctx);
  let chosen: E.Either<{ readonly code: string; readonly message: string }, O.Option<KubeObject>>;
  try {
    chosen = support.clusterFor(buildCtx(s, ctx));
  } catch (e) {
    chosen = E.left({ code: 'FailedToBuildResource', message: `the plugin threw: ${String(e)}` });
  }
  if (E.isLeft(chosen)) {
    return finish(
      s,
      ctx,
      PI.failure(chosen.left.code, `Failed to build resource, caused by: ${chosen.left.message}`),
    );
  }
  if (O.isNone(chosen.right)) {
    // No shared cluster for this task: create its object (a later launch asks again; the answer is pure).
    return createCurrent({ ...s, cluster: noCluster }, ctx);
  }
  const manifest = chosen.right.value;
  const ref: ObjectRef = {
    apiVersion: support.kind.apiVersion,
    kind: support.kind.kind,
    namespace: ctx.task.execution.namespace,
    name: manifest.metadata?.name ?? '',
  };
  const waiting: TaskState = { ...s, stage: { _tag: 'WaitingForCluster' }, cluster: waitingFor(ref) };
  const r = emit(
    waiting,
    PI.waitingForResources(ctx.now, 0, `waiting for shared cluster ${ref.namespace}/${ref.name} to be ready`),
    false,
  );
  return {
    state: r.state,
    commands: [
      {
        _tag: 'AcquireCluster',
        ref,
        manifest: { ...manifest, metadata: { ...manifest.metadata, namespace: ref.namespace } },
      },
      ...r.commands,
    ],
  };
};

/** Whether the task waits for the cluster at `ref`. */
const waitsFor = (s: TaskState, ref: ObjectRef): boolean => {
  const held = clusterRef(s.cluster);
  return s.stage._tag === 'WaitingForCluster' && held !== undefined && sameRef(held, ref);
};

export const clusterReady = (s: TaskState, ctx: Ctx, ref: ObjectRef): StepResult =>
  waitsFor(s, ref)
    ? launch({ ...s, stage: { _tag: 'Pending' }, cluster: holding(ref) }, ctx)
    : { state: s, commands: [] };

export const clusterFailed = (s: TaskState, ctx: Ctx, ref: ObjectRef, message: string): StepResult => {
  if (!waitsFor(s, ref)) return { state: s, commands: [] };
  // The pool has let go of the failed cluster's holders; the task still waits for a cluster (the next try asks
  // again), so it is released, a no-op for the pool, should the task end first.
  return systemFailure(
    s,
    ctx,
    PI.systemRetryableFailure(
      'SharedClusterFailed',
      `shared cluster ${ref.namespace}/${ref.name} failed: ${message}`,
    ),
  );
};

/** Whether the current try's create is still to be answered in this stage (started, or an abort waits for it). */
const awaitsCreate = (s: TaskState): boolean => s.stage._tag === 'Started' || s.stage._tag === 'AbortPending';

/** A create was answered: the object exists; a pending abort is applied now, else the task is queued. */
export const createSucceeded = (s: TaskState, ctx: Ctx, ref: ObjectRef, uid?: string): StepResult => {
  const marked = updateOwned(s, ref, (o) => answeredCreated(o, uid));
  if (!isCurrent(s, ctx, ref) || !awaitsCreate(s)) return cleanup(marked, ctx);
  const quota: Command = { _tag: 'QuotaAccepted', namespace: ref.namespace };
  if (s.stage._tag === 'AbortPending') {
    return andThen({ state: marked, commands: [quota] }, (st) => applyAbort(st, ctx, undefined));
  }
  // The watch can deliver the object before the create's answer: then its phase is already reported.
  if (s.pluginState !== undefined) return { state: marked, commands: [quota] };
  const r = emit(marked, PI.queued(ctx.now, 0, 'task submitted to K8s'), false);
  return { state: r.state, commands: [quota, ...r.commands, resync(ctx)] };
};

/** A create failed: by the error's class, the task waits for quota, fails, retries, or (abort pending) ends aborted. */
export const createFailed = (s: TaskState, ctx: Ctx, ref: ObjectRef, error: ApiError): StepResult => {
  const outcome = classifyCreateError(error);
  // The watch has shown the object while the create was out: it exists under our deterministic name, so an
  // earlier create landed (one sent before a restart, whose answer was lost) and this one's error is moot.
  const entry = findOwned(s, ref);
  if (outcome._tag === 'Submitted' || (entry !== undefined && isLive(entry)))
    return createSucceeded(s, ctx, ref);
  if (!isCurrent(s, ctx, ref) || !awaitsCreate(s)) return { state: s, commands: [] };
  // The object was not created, unless a server-side failure may have committed it anyway.
  const maybeCreated = outcome._tag === 'System' && outcome.maybeCreated;
  const settled = updateOwned(s, ref, (o) => (maybeCreated ? maybeThere(o) : gone(o)));
  if (s.stage._tag === 'AbortPending') {
    // Nothing to abort: the task ends here (the namespace's gate still learns of a quota rejection).
    const r = finishAborted(settled, ctx, 'aborted before the resource was created');
    return outcome._tag === 'QuotaExceeded'
      ? {
          state: r.state,
          commands: [
            ...r.commands,
            { _tag: 'QuotaRejected', namespace: ref.namespace, message: outcome.message },
          ],
        }
      : r;
  }
  switch (outcome._tag) {
    case 'QuotaExceeded': {
      const waiting: TaskState = { ...settled, stage: { _tag: 'WaitingForQuota' } };
      const r = emit(
        waiting,
        PI.waitingForResources(ctx.now, 0, `Exceeded resourcequota: ${outcome.message}`),
        false,
      );
      return {
        state: r.state,
        commands: [
          ...r.commands,
          { _tag: 'QuotaRejected', namespace: ref.namespace, message: outcome.message },
        ],
      };
    }
    case 'NeverFits':
      return finish(
        settled,
        ctx,
        PI.failure(
          'ResourceRequestsExceedLimits',
          `the task asks for more than the quota allows: ${outcome.message}`,
        ),
      );
    case 'Permanent':
      return finish(settled, ctx, PI.failure(outcome.code, outcome.message));
    case 'UserRetryable':
      return userFailure(settled, ctx, PI.retryableFailure(outcome.code, outcome.message));
    case 'System':
      return systemFailure(settled, ctx, PI.systemRetryableFailure(outcome.code, outcome.message));
  }
};

/**
 * A create was answered: the object exists. Over a Gone entry (the watch or a delete's NotFound came first) it is
 * taken as a stray, like an object the watch shows under a name confirmed gone: deleted once seen.
 */
const answeredCreated = (o: Owned, uid: string | undefined): Owned => {
  switch (o._tag) {
    case 'Creating':
      return live(o.ref, o.attempt, o.finalizer ? 'Present' : 'Absent', 'None', uid);
    case 'Live':
      return uid === undefined ? o : { ...o, uid };
    case 'Gone':
      return live(o.ref, o.attempt, 'Absent', 'Wanted', uid);
  }
};

/** A create whose error leaves it open whether the object was made: live without uid, and to be deleted. */
const maybeThere = (o: Owned): Owned =>
  o._tag === 'Gone' ? live(o.ref, o.attempt, 'Absent', 'Wanted') : wantDeletion(o);

/** A user-retryable failure: a new attempt when attempts remain, else the failure is final. */
export const userFailure = (s: TaskState, ctx: Ctx, pi: PI.PhaseInfo): StepResult => {
  const maxAttempts = maxAttemptsOf(ctx.task);
  if (s.attempt + 1 >= maxAttempts) {
    return finish(s, ctx, pi.error === undefined ? pi : { ...pi, phase: 'PermanentFailure' });
  }
  return andThen(emit(retireCurrent(s, ctx), pi, false), (st) => {
    // The new attempt's plugin state starts afresh: versions are per attempt, as in Flyte.
    const { pluginState: _dropped, ...rest } = st;
    const next: TaskState = {
      ...rest,
      attempt: s.attempt + 1,
      systemRetry: 0,
      systemFailures: 0,
      stage: { _tag: 'Pending' },
    };
    return andThen(emit(next, PI.queued(ctx.now, 0, 'restarting task'), false), (st2) =>
      andThen(cleanup(st2, ctx), (st3) => launch(st3, ctx)),
    );
  });
};

export const onPhase = (s: TaskState, ctx: Ctx, pi: PI.PhaseInfo): StepResult => {
  if (pi.phase === 'Undefined') return { state: s, commands: [resync(ctx)] };
  if (!isTerminal(pi.phase)) {
    // Unlike Flyte, progress does not reset the system-failure count: a task whose pods are preempted again and
    // again would otherwise retry for ever. The budget is per user attempt.
    const r = emit(s, pi, false);
    return { state: r.state, commands: [...r.commands, resync(ctx)] };
  }
  if (pi.phase === 'RetryableFailure') {
    return pi.error?.kind === 'SYSTEM' ? systemFailure(s, ctx, pi) : userFailure(s, ctx, pi);
  }
  return finish(s, ctx, pi);
};
