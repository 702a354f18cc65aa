// The task lifecycle as a pure state machine: step(state, observation, context) → (state', commands).
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeObject } from '../kubernetes.js';
import { objectName } from '../names.js';
import { addObjectMetadata, FINALIZER } from '../object-metadata.js';
import { isTerminal } from '../phase.js';
import * as PI from '../phase-info.js';
import type { PlatformConfig } from '../platform-config.js';
import { abortDelete, type AbortBehavior, type BuildContext, type Plugin } from '../plugin.js';
import { maxAttemptsOf, type TaskExecution } from '../task.js';
import type { Instant } from '../time.js';
import { eventsRegarding, reasonInfoOf } from '../events.js';
import { delay } from './backoff.js';
import { classifyCreateError } from './create-errors.js';
import type { ApiError, Command, Observation } from './protocol.js';
import { isClean, sameRef, type ObjectRef, type Owned, type TaskState } from './state.js';

export { FINALIZER };

/** Everything a step may depend on besides the state and the observation; all of it plain values. */
export interface StepContext {
  readonly now: Instant;
  /** A uniform draw in [0, 1) for back-off jitter, made by the caller. */
  readonly entropy: number;
  readonly config: PlatformConfig;
  readonly plugin: Plugin;
  readonly task: TaskExecution;
  readonly buildContext?: Omit<BuildContext, 'task' | 'config'>;
}

export interface StepResult {
  readonly state: TaskState;
  readonly commands: ReadonlyArray<Command>;
}

// -------------------------------------------------------------------------------------
// naming and building
// -------------------------------------------------------------------------------------

/** The task execution as seen by the current attempt. */
const attemptTask = (s: TaskState, ctx: StepContext): TaskExecution => ({
  ...ctx.task,
  execution: { ...ctx.task.execution, attempt: s.attempt },
});

/**
 * `<run>-<action>-<attempt>` like Flyte, plus `-s<n>` for the n-th system retry within an attempt, so a
 * terminating object of an earlier try never blocks the next one (Flyte re-creates under the same name).
 */
export const objectNameFor = (
  task: TaskExecution,
  attempt: number,
  systemRetry: number,
  max?: number,
): string =>
  objectName(
    [
      task.execution.id.run,
      task.execution.id.action,
      String(attempt),
      ...(systemRetry > 0 ? [`s${systemRetry}`] : []),
    ],
    max,
  );

// The current try's name is asked for several times per step (is this object the current one?); a task keeps
// its execution object for its whole life, so the last name built is remembered per execution. A cache of a pure
// function: it changes no answer.
const lastName = new WeakMap<
  TaskExecution,
  {
    readonly attempt: number;
    readonly systemRetry: number;
    readonly max: number | undefined;
    readonly name: string;
  }
>();

const currentName = (s: TaskState, ctx: StepContext): string => {
  const max = ctx.plugin.properties.generatedNameMaxLength;
  const hit = lastName.get(ctx.task);
  if (hit !== undefined && hit.attempt === s.attempt && hit.systemRetry === s.systemRetry && hit.max === max)
    return hit.name;
  const name = objectNameFor(ctx.task, s.attempt, s.systemRetry, max);
  lastName.set(ctx.task, { attempt: s.attempt, systemRetry: s.systemRetry, max, name });
  return name;
};

const refFor = (s: TaskState, ctx: StepContext): ObjectRef => ({
  apiVersion: ctx.plugin.watches.apiVersion,
  kind: ctx.plugin.watches.kind,
  namespace: ctx.task.execution.namespace,
  name: currentName(s, ctx),
});

const buildCtx = (s: TaskState, ctx: StepContext): BuildContext => ({
  ...ctx.buildContext,
  task: attemptTask(s, ctx),
  config: ctx.config,
  ...(s.cluster?.ready === true && s.cluster.ref.name !== '' ? { sharedCluster: s.cluster.ref.name } : {}),
});

const buildManifest = (s: TaskState, ctx: StepContext, ref: ObjectRef) =>
  pipe(
    safe(() => ctx.plugin.buildResource(buildCtx(s, ctx))),
    E.map((obj) => {
      const decorated = addObjectMetadata(buildCtx(s, ctx), ctx.plugin.properties, obj);
      return { ...decorated, metadata: { ...decorated.metadata, name: ref.name, namespace: ref.namespace } };
    }),
  );

/** A plugin is pure but still third-party code: a throw becomes a permanent failure, never a crash. */
const safe = <A>(f: () => E.Either<{ readonly code: string; readonly message: string }, A>) => {
  try {
    return f();
  } catch (e) {
    return E.left({ code: 'FailedToBuildResource', message: `the plugin threw: ${String(e)}` });
  }
};

// -------------------------------------------------------------------------------------
// small state helpers
// -------------------------------------------------------------------------------------

const updateOwned = (s: TaskState, ref: ObjectRef, f: (o: Owned) => Owned): TaskState => ({
  ...s,
  owned: s.owned.map((o) => (sameRef(o.ref, ref) ? f(o) : o)),
});

const findOwned = (s: TaskState, ref: ObjectRef): Owned | undefined =>
  s.owned.find((o) => sameRef(o.ref, ref));

const isCurrent = (s: TaskState, ctx: StepContext, ref: ObjectRef): boolean => sameRef(ref, refFor(s, ctx));

const hasFinalizer = (obj: KubeObject): boolean => obj.metadata?.finalizers?.includes(FINALIZER) ?? false;

const emit = (s: TaskState, pi: PI.PhaseInfo, final: boolean): StepResult => {
  const last = s.last;
  const floored = last === undefined ? pi : PI.bumpVersion(PI.pluginStateOf(last))(pi);
  const same =
    last !== undefined &&
    last.phase === floored.phase &&
    last.version === floored.version &&
    last.reason === floored.reason &&
    last.error?.code === floored.error?.code &&
    floored.info.additionalReasons.length === 0 &&
    !final;
  if (same) return { state: s, commands: [] };
  // A changed PhaseInfo within the same phase and version gets the next version, so versions count changes.
  const versioned =
    last !== undefined && last.phase === floored.phase && last.version === floored.version && !final
      ? PI.withVersion(last.version + 1)(floored)
      : floored;
  return {
    state: { ...s, last: versioned },
    commands: [{ _tag: 'Emit', emission: { phaseInfo: versioned, attempt: s.attempt, final } }],
  };
};

const then = (a: StepResult, f: (s: TaskState) => StepResult): StepResult => {
  const b = f(a.state);
  return { state: b.state, commands: [...a.commands, ...b.commands] };
};

/** Commands that move owned objects towards clean: deletes wanted, and our finalizer off whatever we are done with. */
const cleanup = (s: TaskState, ctx: StepContext): StepResult => {
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

const resync = (ctx: StepContext): Command => ({
  _tag: 'ScheduleTimer',
  timer: 'Resync',
  at: ctx.now + ctx.config.executor['resync-period'],
});

// -------------------------------------------------------------------------------------
// transitions
// -------------------------------------------------------------------------------------

/** Creates the current attempt's object. */
const launch = (s: TaskState, ctx: StepContext): StepResult => {
  if (s.abortRequested) {
    // A create that was in flight when the process stopped may have happened: delete it to be sure.
    const unsure: TaskState = {
      ...s,
      owned: s.owned.map((o) => (o.status === 'creating' ? { ...o, status: 'live', deleteWanted: true } : o)),
    };
    return finishAborted(unsure, ctx, 'aborted before the resource was created');
  }
  if (ctx.plugin.sharedCluster !== undefined && s.cluster?.ready !== true) return acquireCluster(s, ctx);
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
  const entry: Owned = {
    ref,
    attempt: s.attempt,
    status: 'creating',
    finalizer: hasFinalizer(manifest),
    deleteWanted: false,
    deleteSent: false,
    finalizerRemovalSent: false,
  };
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
const acquireCluster = (s: TaskState, ctx: StepContext): StepResult => {
  const support = ctx.plugin.sharedCluster;
  if (support === undefined) return launch(withoutCluster(s), ctx);
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
    // No shared cluster for this task: mark it as decided so launch does not ask again.
    return launch({ ...s, cluster: { ref: NO_CLUSTER, ready: true } }, ctx);
  }
  const manifest = chosen.right.value;
  const ref: ObjectRef = {
    apiVersion: support.kind.apiVersion,
    kind: support.kind.kind,
    namespace: ctx.task.execution.namespace,
    name: manifest.metadata?.name ?? '',
  };
  const waiting: TaskState = { ...s, stage: { _tag: 'WaitingForCluster' }, cluster: { ref, ready: false } };
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

const withoutCluster = (s: TaskState): TaskState => {
  const { cluster: _dropped, ...rest } = s;
  return rest;
};

/** The cluster placeholder of a task that runs without a shared cluster (its name is empty: never a real one). */
const NO_CLUSTER: ObjectRef = { apiVersion: '', kind: '', namespace: '', name: '' };

const holdsCluster = (s: TaskState): boolean => s.cluster !== undefined && s.cluster.ref.name !== '';

const clusterReady = (s: TaskState, ctx: StepContext, ref: ObjectRef): StepResult => {
  if (s.stage._tag !== 'WaitingForCluster' || s.cluster === undefined || !sameRef(s.cluster.ref, ref)) {
    return { state: s, commands: [] };
  }
  return launch({ ...s, stage: { _tag: 'Pending' }, cluster: { ref, ready: true } }, ctx);
};

const clusterFailed = (s: TaskState, ctx: StepContext, ref: ObjectRef, message: string): StepResult => {
  if (s.stage._tag !== 'WaitingForCluster' || s.cluster === undefined || !sameRef(s.cluster.ref, ref)) {
    return { state: s, commands: [] };
  }
  return systemFailure(
    { ...s, cluster: { ref, ready: false } },
    ctx,
    PI.systemRetryableFailure(
      'SharedClusterFailed',
      `shared cluster ${ref.namespace}/${ref.name} failed: ${message}`,
    ),
  );
};

/** Reports the task's final PhaseInfo and starts cleanup. */
const finish = (s: TaskState, ctx: StepContext, pi: PI.PhaseInfo): StepResult => {
  const cleanupOnFailure =
    pi.cleanupOnFailure && ctx.config.executor['cleanup-on-failure'] && pi.phase !== 'Success';
  const deleteOnFinalize =
    ctx.config.plugins.k8s['delete-resource-on-finalize'] &&
    !ctx.plugin.properties.disableDeleteResourceOnFinalize;
  const owned = s.owned.map((o) =>
    o.status === 'gone' ? o : { ...o, deleteWanted: o.deleteWanted || cleanupOnFailure || deleteOnFinalize },
  );
  const release: Command[] =
    s.cluster !== undefined && holdsCluster(s) ? [{ _tag: 'ReleaseCluster', ref: s.cluster.ref }] : [];
  const { cluster: _released, ...rest } = s;
  const done: TaskState = { ...rest, owned, stage: { _tag: 'Done', final: pi }, systemFailures: 0 };
  return then(emit(done, pi, true), (st) => {
    const r = cleanup({ ...st, stage: { _tag: 'Done', final: st.last ?? pi } }, ctx);
    return { state: r.state, commands: [...release, ...r.commands] };
  });
};

const finishAborted = (s: TaskState, ctx: StepContext, reason: string): StepResult =>
  finish(s, ctx, PI.aborted(ctx.now, 0, reason));

/** A system failure: retry under a fresh name after a back-off, or give up past the budget. */
const systemFailure = (s: TaskState, ctx: StepContext, pi: PI.PhaseInfo): StepResult => {
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
  return then(emit(next, pi, false), (st) =>
    then(cleanup(st, ctx), (st2) => ({
      state: st2,
      commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: retryAt }],
    })),
  );
};

/** Marks the current attempt's object for deletion (it is replaced by a new try). */
const retireCurrent = (s: TaskState, ctx: StepContext): TaskState => {
  const ref = refFor(s, ctx);
  return updateOwned(s, ref, (o) => ({ ...o, deleteWanted: true }));
};

/** A user-retryable failure: a new attempt when attempts remain, else the failure is final. */
const userFailure = (s: TaskState, ctx: StepContext, pi: PI.PhaseInfo): StepResult => {
  const maxAttempts = maxAttemptsOf(ctx.task);
  if (s.attempt + 1 >= maxAttempts) {
    return finish(s, ctx, pi.error === undefined ? pi : { ...pi, phase: 'PermanentFailure' });
  }
  return then(emit(retireCurrent(s, ctx), pi, false), (st) => {
    // The new attempt's plugin state starts afresh: versions are per attempt, as in Flyte.
    const { pluginState: _dropped, ...rest } = st;
    const next: TaskState = {
      ...rest,
      attempt: s.attempt + 1,
      systemRetry: 0,
      systemFailures: 0,
      stage: { _tag: 'Pending' },
    };
    return then(emit(next, PI.queued(ctx.now, 0, 'restarting task'), false), (st2) =>
      then(cleanup(st2, ctx), (st3) => launch(st3, ctx)),
    );
  });
};

const onPhase = (s: TaskState, ctx: StepContext, pi: PI.PhaseInfo): StepResult => {
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

const createSucceeded = (s: TaskState, ctx: StepContext, ref: ObjectRef, uid?: string): StepResult => {
  const marked = updateOwned(s, ref, (o) => ({
    ...o,
    status: 'live',
    ...(uid === undefined ? {} : { uid }),
  }));
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started') return cleanup(marked, ctx);
  const quota: Command = { _tag: 'QuotaAccepted', namespace: ref.namespace };
  if (s.abortRequested) {
    return then({ state: marked, commands: [quota] }, (st) => applyAbort(st, ctx, undefined));
  }
  // The watch can deliver the object before the create's answer: then its phase is already reported.
  if (s.pluginState !== undefined) return { state: marked, commands: [quota] };
  const r = emit(marked, PI.queued(ctx.now, 0, 'task submitted to K8s'), false);
  return { state: r.state, commands: [quota, ...r.commands, resync(ctx)] };
};

const createFailed = (s: TaskState, ctx: StepContext, ref: ObjectRef, error: ApiError): StepResult => {
  const outcome = classifyCreateError(error);
  // The watch has shown the object while the create was out: it exists under our deterministic name, so an
  // earlier create landed (one sent before a restart, whose answer was lost) and this one's error is moot.
  if (outcome._tag === 'Submitted' || findOwned(s, ref)?.status === 'live')
    return createSucceeded(s, ctx, ref);
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started') return { state: s, commands: [] };
  // The object was not created, unless a server-side failure may have committed it anyway.
  const maybeCreated = outcome._tag === 'System' && outcome.maybeCreated;
  const settled = maybeCreated
    ? updateOwned(s, ref, (o) => ({ ...o, status: 'live', deleteWanted: true }))
    : updateOwned(s, ref, (o) => ({ ...o, status: 'gone', finalizer: false }));
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

const observed = (
  s: TaskState,
  ctx: StepContext,
  obj: KubeObject,
  events: ReadonlyArray<unknown> | undefined,
  related: ReadonlyArray<KubeObject> | undefined,
): StepResult => {
  const ref: ObjectRef = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
  const entry = findOwned(s, ref);
  if (entry === undefined) return { state: s, commands: [] };
  const uid = obj.metadata?.uid;
  const seen = updateOwned(s, ref, (o) => {
    // Another object under the same name (a create that landed late, after ours was deleted or found absent):
    // what was sent for the old one does not cover it, so its delete and finalizer removal are due again.
    const replaced = o.status === 'gone' || (uid !== undefined && o.uid !== undefined && uid !== o.uid);
    return {
      ...o,
      status: 'live',
      finalizer: hasFinalizer(obj),
      ...(uid === undefined ? {} : { uid }),
      // An object under a name we had confirmed gone is a stray (the task has moved on from it): it goes too.
      deleteWanted: o.deleteWanted || o.status === 'gone',
      deleteSent: replaced ? false : o.deleteSent,
      // The finalizer came back (a concurrent writer): removal is due again.
      finalizerRemovalSent: !replaced && o.finalizerRemovalSent && hasFinalizer(obj),
    };
  });
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started' || entry.deleteWanted) return cleanup(seen, ctx);
  const raw = withCompletionTime(ctx, obj, safePhase(ctx, s, obj, related));
  const deleting = obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
  // A resource that finished (by the plugin's own test) and is then deleted was not cut short: its phase mapping
  // may still be waiting (a grace period), but the deletion is no failure of the task.
  const pi =
    deleting && !isTerminal(raw.phase) && !pluginSays(() => ctx.plugin.isTerminal(obj), false)
      ? PI.systemRetryableFailure(
          'UnexpectedObjectDeletion',
          `object [${ref.namespace}/${ref.name}] terminated unexpectedly in the background`,
          raw.info,
        )
      : raw;
  const withEvents = attachEvents(seen, ctx, obj, pi, events);
  const next: TaskState = {
    ...withEvents.state,
    pluginState: PI.pluginStateOf(withEvents.pi),
    lastObservedAt: ctx.now,
  };
  return onPhase(next, ctx, withEvents.pi);
};

/** A plugin's answer, or `fallback` when it throws (plugins are pure but third-party code). */
const pluginSays = <A>(f: () => A, fallback: A): A => {
  try {
    return f();
  } catch {
    return fallback;
  }
};

/** A terminal PhaseInfo without a time gets the resource's completion time, as the plugin reads it. */
const withCompletionTime = (ctx: StepContext, obj: KubeObject, pi: PI.PhaseInfo): PI.PhaseInfo => {
  if (!isTerminal(pi.phase) || pi.info.occurredAt !== undefined) return pi;
  const at = pluginSays(() => ctx.plugin.completionTime(obj), O.none);
  return O.isSome(at) ? { ...pi, info: { ...pi.info, occurredAt: at.value } } : pi;
};

const safePhase = (
  ctx: StepContext,
  s: TaskState,
  obj: KubeObject,
  related: ReadonlyArray<KubeObject> | undefined,
): PI.PhaseInfo => {
  try {
    return ctx.plugin.getTaskPhase(
      {
        now: ctx.now,
        config: ctx.config,
        task: ctx.task,
        ...(s.pluginState === undefined ? {} : { previous: s.pluginState }),
        ...(related === undefined ? {} : { related }),
      },
      obj,
    );
  } catch (e) {
    // getTaskPhase must be total; a plugin that throws is a system error of that plugin, not a crash.
    return PI.systemRetryableFailure(
      'PluginError',
      `plugin "${ctx.plugin.id}" failed to map the phase: ${String(e)}`,
    );
  }
};

/** Attaches Kubernetes events about the object newer than the cursor, with structured metadata. */
const attachEvents = (
  s: TaskState,
  ctx: StepContext,
  obj: KubeObject,
  pi: PI.PhaseInfo,
  events: ReadonlyArray<unknown> | undefined,
): { readonly state: TaskState; readonly pi: PI.PhaseInfo } => {
  if (events === undefined || events.length === 0 || !ctx.config.plugins.k8s['send-object-events']) {
    return { state: s, pi };
  }
  const cursor = s.eventCursor;
  const fresh = eventsRegarding(events, {
    regarding: {
      kind: obj.kind,
      namespace: obj.metadata?.namespace ?? '',
      name: obj.metadata?.name ?? '',
      uid: obj.metadata?.uid ?? '',
    },
    ...(cursor === undefined ? {} : { after: cursor.at, afterName: cursor.name }),
  });
  if (fresh.length === 0) return { state: s, pi };
  // The cursor moves to the newest event with a time; events without one cannot be ordered and are not a cursor.
  const timed = fresh.filter((e) => e.occurredAt !== undefined);
  const newest = timed[timed.length - 1];
  return {
    state:
      newest === undefined
        ? s
        : { ...s, eventCursor: { at: newest.occurredAt ?? 0, name: newest.eventName } },
    pi: PI.withAdditionalReasons(fresh.map(reasonInfoOf))(pi),
  };
};

const gone = (s: TaskState, ctx: StepContext, ref: ObjectRef): StepResult => {
  const entry = findOwned(s, ref);
  // A create still in flight cannot be gone: the cache just has not seen it yet.
  if (entry === undefined || entry.status === 'creating') return { state: s, commands: [] };
  const marked = updateOwned(s, ref, (o) => ({ ...o, status: 'gone', finalizer: false }));
  if (s.stage._tag === 'Aborting' && isCurrent(s, ctx, ref)) {
    return finishAborted(marked, ctx, 'aborted');
  }
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started' || entry.deleteWanted) {
    return { state: marked, commands: [] };
  }
  return systemFailure(
    marked,
    ctx,
    PI.systemRetryableFailure(
      'ResourceDeletedExternally',
      `resource not found, name [${ref.namespace}/${ref.name}]. reason: the object was deleted`,
    ),
  );
};

/**
 * The plugin's abort behaviour, asked once per abort: with the object from the cache when the observation carried
 * it, else with the plugin's identity resource (kind, namespace, name, uid: all an abort can rely on). A throw or an
 * identity the plugin cannot build means the default, delete.
 */
const chooseAbort = (
  s: TaskState,
  ctx: StepContext,
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
          ...(entry.uid === undefined ? {} : { uid: entry.uid }),
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
const deletesOwn = (b: AbortBehavior, ref: ObjectRef): boolean =>
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
const applyAbort = (s: TaskState, ctx: StepContext, object: KubeObject | undefined): StepResult => {
  const ref = refFor(s, ctx);
  const entry = findOwned(s, ref);
  if (entry === undefined || entry.status === 'gone') return finishAborted(s, ctx, 'aborted');
  const behavior =
    s.stage._tag === 'Aborting' ? (s.stage.behavior ?? abortDelete) : chooseAbort(s, ctx, ref, entry, object);
  return {
    state: { ...s, stage: { _tag: 'Aborting', behavior }, abortRequested: true },
    commands: [{ _tag: 'ApplyAbort', ref, behavior, ...(entry.uid === undefined ? {} : { uid: entry.uid }) }],
  };
};

const abortRequested = (s: TaskState, ctx: StepContext, object: KubeObject | undefined): StepResult => {
  switch (s.stage._tag) {
    case 'Done':
    case 'Aborting':
      return { state: s, commands: [] };
    case 'Pending':
    case 'WaitingForQuota':
    case 'WaitingForCluster':
      return finishAborted({ ...s, abortRequested: true }, ctx, 'aborted before the resource was created');
    case 'Started': {
      const entry = findOwned(s, refFor(s, ctx));
      // A create is in flight: abort when its answer arrives.
      if (entry?.status === 'creating') return { state: { ...s, abortRequested: true }, commands: [] };
      return applyAbort(s, ctx, object);
    }
  }
};

const abortApplied = (
  s: TaskState,
  ctx: StepContext,
  ref: ObjectRef,
  error: ApiError | undefined,
): StepResult => {
  if (s.stage._tag !== 'Aborting') return { state: s, commands: [] };
  const behavior = s.stage.behavior ?? abortDelete;
  if (error === undefined || error.reason === 'NotFound' || error.code === 404) {
    // The abort behaviour ran. A delete of our object needs no other; a patch or an update leaves the object to
    // the plugin's intent (only our finalizer comes off, and the configured delete on finalize, if any).
    const marked = deletesOwn(behavior, ref) ? updateOwned(s, ref, (o) => ({ ...o, deleteSent: true })) : s;
    return finishAborted(marked, ctx, 'aborted');
  }
  const failures = s.systemFailures + 1;
  if (failures > ctx.config.executor['max-system-failures']) {
    // Out of budget: delete only when the plugin allowed it (its behaviour deletes, or deletes on error).
    const mayDelete = behavior._tag === 'Delete' || behavior.deleteOnError;
    const marked = mayDelete ? updateOwned(s, ref, (o) => ({ ...o, deleteWanted: true })) : s;
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

const answered = (
  s: TaskState,
  ctx: StepContext,
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

const resumed = (s: TaskState, ctx: StepContext): StepResult => {
  // Nothing in flight survives a restart: every command not yet answered is due again (they are idempotent).
  const reset: TaskState = {
    ...s,
    owned: s.owned.map((o) => ({
      ...o,
      deleteSent: o.deleteSent && o.status === 'gone',
      finalizerRemovalSent: false,
    })),
  };
  switch (s.stage._tag) {
    case 'Done':
      return cleanup(reset, ctx);
    case 'Pending':
      return s.stage.retryAt !== undefined && s.stage.retryAt > ctx.now
        ? { state: reset, commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: s.stage.retryAt }] }
        : then(cleanup(reset, ctx), (st) => launch(st, ctx));
    case 'WaitingForQuota':
      return then(cleanup(reset, ctx), (st) => launch(st, ctx));
    case 'WaitingForCluster':
      // Ask again: the interpreter's record of who uses which cluster did not survive the restart.
      return then(cleanup(reset, ctx), (st) => acquireCluster(withoutCluster(st), ctx));
    case 'Aborting':
      return then(cleanup(reset, ctx), (st) => applyAbort(st, ctx, undefined));
    case 'Started': {
      const entry = findOwned(reset, refFor(reset, ctx));
      if (entry === undefined) return then(cleanup(reset, ctx), (st) => launch(st, ctx));
      if (entry.status === 'creating') {
        // The create sent before the restart may have landed: look in the cache first, so that object is known
        // before the answer to the create sent again (which may be an error that says nothing about the first).
        return then({ state: reset, commands: [{ _tag: 'Observe', ref: entry.ref }] }, (st) =>
          then(cleanup(st, ctx), (st2) => launch(st2, ctx)),
        );
      }
      // A running job holds its cluster: say so again, so the cluster is not collected as idle.
      const hold: Command[] =
        reset.cluster !== undefined && holdsCluster(reset) && ctx.plugin.sharedCluster !== undefined
          ? reacquire(reset, ctx)
          : [];
      return then(cleanup(reset, ctx), (st) => ({
        state: st,
        commands: [...hold, { _tag: 'Observe', ref: entry.ref }, resync(ctx)],
      }));
    }
  }
};

/** The AcquireCluster command for a cluster the task already holds (its manifest is built again, purely). */
const reacquire = (s: TaskState, ctx: StepContext): Command[] => {
  const support = ctx.plugin.sharedCluster;
  if (support === undefined || s.cluster === undefined) return [];
  try {
    const chosen = support.clusterFor(buildCtx(withoutCluster(s), ctx));
    if (E.isLeft(chosen) || O.isNone(chosen.right)) return [];
    const manifest = chosen.right.value;
    return [
      {
        _tag: 'AcquireCluster',
        ref: s.cluster.ref,
        manifest: { ...manifest, metadata: { ...manifest.metadata, namespace: s.cluster.ref.namespace } },
      },
    ];
  } catch {
    return [];
  }
};

const timer = (s: TaskState, ctx: StepContext, kind: 'Retry' | 'Resync'): StepResult => {
  if (kind === 'Resync') {
    const entry = findOwned(s, refFor(s, ctx));
    if (s.stage._tag !== 'Started' || entry === undefined || entry.status !== 'live')
      return { state: s, commands: [] };
    return { state: s, commands: [{ _tag: 'Observe', ref: entry.ref }] };
  }
  switch (s.stage._tag) {
    case 'Pending':
      if (s.stage.retryAt !== undefined && s.stage.retryAt > ctx.now) {
        return { state: s, commands: [{ _tag: 'ScheduleTimer', timer: 'Retry', at: s.stage.retryAt }] };
      }
      return then(cleanup(s, ctx), (st) => launch(st, ctx));
    case 'Aborting':
      return applyAbort(s, ctx, undefined);
    case 'Started':
    case 'WaitingForQuota':
    case 'WaitingForCluster':
    case 'Done':
      return cleanup(s, ctx);
  }
};

// -------------------------------------------------------------------------------------
// the machine
// -------------------------------------------------------------------------------------

/**
 * One step of a task's lifecycle. Total and pure: the same state, observation and context always give the same
 * result, and nothing here performs I/O; the interpreter runs the commands and feeds their answers back.
 */
export const step = (s: TaskState, o: Observation, ctx: StepContext): StepResult => {
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
      return abortRequested(s, ctx, o.object);
    case 'AbortApplied':
      return abortApplied(s, ctx, o.ref, o.error);
    case 'DeleteAnswered':
      return answered(s, ctx, o.ref, o.error, 'deleteSent');
    case 'FinalizerRemoved':
      return answered(s, ctx, o.ref, o.error, 'finalizerRemovalSent');
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

/** Whether the task is finished: a final PhaseInfo was reported and every owned object is cleaned up. */
export const isSettled = (s: TaskState): boolean => s.stage._tag === 'Done' && isClean(s);

/** The final PhaseInfo, once reported. */
export const finalPhase = (s: TaskState): PI.PhaseInfo | undefined =>
  s.stage._tag === 'Done' ? s.stage.final : undefined;
