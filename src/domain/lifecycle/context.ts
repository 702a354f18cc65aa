// What every part of the machine shares: the step context, names and manifests, emissions and small helpers.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { KubeObject } from '../kubernetes.js';
import { objectName } from '../names.js';
import { addObjectMetadata, FINALIZER } from '../object-metadata.js';
import * as PI from '../phase-info.js';
import type { PlatformConfig } from '../platform-config.js';
import type { BuildContext, Plugin } from '../plugin.js';
import type { TaskExecution } from '../task.js';
import type { Instant } from '../time.js';
import type { Command } from './protocol.js';
import { sameRef, type ObjectRef, type Owned, type TaskState } from './state.js';

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

/** What one step of the lifecycle decides: the task's next state, and the commands the interpreter runs for it. */
export interface StepResult {
  readonly state: TaskState;
  readonly commands: ReadonlyArray<Command>;
}

// -------------------------------------------------------------------------------------
// naming and building
// -------------------------------------------------------------------------------------

/** The task execution as seen by the current attempt. */
export const attemptTask = (s: TaskState, ctx: Ctx): TaskExecution => ({
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

/**
 * A step's context as the parts of the machine see it: the caller's context plus the current try's name, asked
 * for several times per step (is this object the current one?) and so built once per step and try. The memo is
 * local to one step: the core keeps no state between calls.
 */
export interface Ctx extends StepContext {
  readonly currentName: (s: TaskState) => string;
}

/** The context of one step, with its name memo. */
export const stepContext = (ctx: StepContext): Ctx => {
  const max = ctx.plugin.properties.generatedNameMaxLength;
  let last: { readonly attempt: number; readonly systemRetry: number; readonly name: string } | undefined;
  return {
    ...ctx,
    currentName: (s) => {
      if (last !== undefined && last.attempt === s.attempt && last.systemRetry === s.systemRetry)
        return last.name;
      const name = objectNameFor(ctx.task, s.attempt, s.systemRetry, max);
      last = { attempt: s.attempt, systemRetry: s.systemRetry, name };
      return name;
    },
  };
};

export const refFor = (s: TaskState, ctx: Ctx): ObjectRef => ({
  apiVersion: ctx.plugin.watches.apiVersion,
  kind: ctx.plugin.watches.kind,
  namespace: ctx.task.execution.namespace,
  name: ctx.currentName(s),
});

export const buildCtx = (s: TaskState, ctx: Ctx): BuildContext => ({
  ...ctx.buildContext,
  task: attemptTask(s, ctx),
  config: ctx.config,
  ...(s.cluster._tag === 'Holding' ? { sharedCluster: s.cluster.ref.name } : {}),
});

export const buildManifest = (s: TaskState, ctx: Ctx, ref: ObjectRef) =>
  pipe(
    safe(() => ctx.plugin.buildResource(buildCtx(s, ctx))),
    E.map((obj) => {
      const decorated = addObjectMetadata(buildCtx(s, ctx), ctx.plugin.properties, obj);
      return { ...decorated, metadata: { ...decorated.metadata, name: ref.name, namespace: ref.namespace } };
    }),
  );

/** A plugin is pure but still third-party code: a throw becomes a permanent failure, never a crash. */
export const safe = <A>(f: () => E.Either<{ readonly code: string; readonly message: string }, A>) => {
  try {
    return f();
  } catch (e) {
    return E.left({ code: 'FailedToBuildResource', message: `the plugin threw: ${String(e)}` });
  }
};

// -------------------------------------------------------------------------------------
// small state helpers
// -------------------------------------------------------------------------------------

export const updateOwned = (s: TaskState, ref: ObjectRef, f: (o: Owned) => Owned): TaskState => ({
  ...s,
  owned: s.owned.map((o) => (sameRef(o.ref, ref) ? f(o) : o)),
});

export const findOwned = (s: TaskState, ref: ObjectRef): Owned | undefined =>
  s.owned.find((o) => sameRef(o.ref, ref));

export const isCurrent = (s: TaskState, ctx: Ctx, ref: ObjectRef): boolean => sameRef(ref, refFor(s, ctx));

export const hasFinalizer = (obj: KubeObject): boolean =>
  obj.metadata?.finalizers?.includes(FINALIZER) ?? false;

export const emit = (s: TaskState, pi: PI.PhaseInfo, final: boolean): StepResult => {
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

/** Runs `f` on the state `a` left, appending its commands to `a`'s (named so a module namespace is no thenable). */
export const andThen = (a: StepResult, f: (s: TaskState) => StepResult): StepResult => {
  const b = f(a.state);
  return { state: b.state, commands: [...a.commands, ...b.commands] };
};

export const resync = (ctx: Ctx): Command => ({
  _tag: 'ScheduleTimer',
  timer: 'Resync',
  at: ctx.now + ctx.config.executor['resync-period'],
});

/** The uid of an owned object, when it is live and its uid is known (a delete or an abort is guarded by it). */
export const uidOf = (o: Owned): string | undefined => (o._tag === 'Live' ? o.uid : undefined);

/** A uid precondition field, present only when the uid is known. */
export const withUid = (uid: string | undefined): { readonly uid?: string } =>
  uid === undefined ? {} : { uid };
