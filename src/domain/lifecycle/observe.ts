// Observation: the object as the watch cache holds it (or its absence) becomes the task's phase.
import * as O from 'fp-ts/lib/Option.js';
import type { KubeObject } from '../kubernetes.js';
import { isTerminal } from '../phase.js';
import * as PI from '../phase-info.js';
import { eventsRegarding, reasonInfoOf } from '../events.js';
import {
  deletionWanted,
  gone as goneEntry,
  isCreating,
  live,
  type ObjectRef,
  type Owned,
  type TaskState,
} from './state.js';
import { cleanup } from './cleanup.js';
import { type Ctx, type StepResult, findOwned, hasFinalizer, isCurrent, updateOwned } from './context.js';
import { finishAborted, systemFailure } from './failures.js';
import { onPhase } from './launch.js';

export const observed = (
  s: TaskState,
  ctx: Ctx,
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
  const seen = updateOwned(s, ref, (o) => seenAs(o, obj.metadata?.uid, hasFinalizer(obj)));
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started' || deletionWanted(entry))
    return cleanup(seen, ctx);
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

/** What an owned object becomes when the watch shows it, with its uid and whether it carries our finalizer. */
export const seenAs = (o: Owned, uid: string | undefined, finalizer: boolean): Owned => {
  switch (o._tag) {
    case 'Creating':
      return live(o.ref, o.attempt, finalizer ? 'Present' : 'Absent', 'None', uid);
    case 'Gone':
      // An object under a name we had confirmed gone is a stray (the task has moved on from it): it goes too.
      return live(o.ref, o.attempt, finalizer ? 'Present' : 'Absent', 'Wanted', uid);
    case 'Live': {
      // Another object under the same name (a create that landed late, after ours was deleted): what was sent
      // for the old one does not cover it, so its delete and finalizer removal are due again.
      const replaced = uid !== undefined && o.uid !== undefined && uid !== o.uid;
      const removalOut = !replaced && (o.finalizer === 'Removing' || o.finalizer === 'Removed');
      return live(
        o.ref,
        o.attempt,
        // A view still showing the finalizer after a removal was sent is older than the removal.
        finalizer ? (removalOut ? 'Removing' : 'Present') : 'Absent',
        replaced && o.deletion === 'Sent' ? 'Wanted' : o.deletion,
        uid ?? o.uid,
      );
    }
  }
};

/** A plugin's answer, or `fallback` when it throws (plugins are pure but third-party code). */
export const pluginSays = <A>(f: () => A, fallback: A): A => {
  try {
    return f();
  } catch {
    return fallback;
  }
};

/** A terminal PhaseInfo without a time gets the resource's completion time, as the plugin reads it. */
export const withCompletionTime = (ctx: Ctx, obj: KubeObject, pi: PI.PhaseInfo): PI.PhaseInfo => {
  if (!isTerminal(pi.phase) || pi.info.occurredAt !== undefined) return pi;
  const at = pluginSays(() => ctx.plugin.completionTime(obj), O.none);
  return O.isSome(at) ? { ...pi, info: { ...pi.info, occurredAt: at.value } } : pi;
};

export const safePhase = (
  ctx: Ctx,
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
export const attachEvents = (
  s: TaskState,
  ctx: Ctx,
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

export const gone = (s: TaskState, ctx: Ctx, ref: ObjectRef): StepResult => {
  const entry = findOwned(s, ref);
  // A create still in flight cannot be gone: the cache just has not seen it yet.
  if (entry === undefined || isCreating(entry)) return { state: s, commands: [] };
  const marked = updateOwned(s, ref, goneEntry);
  if ((s.stage._tag === 'Aborting' || s.stage._tag === 'AbortPending') && isCurrent(s, ctx, ref)) {
    return finishAborted(marked, ctx, 'aborted');
  }
  if (!isCurrent(s, ctx, ref) || s.stage._tag !== 'Started' || deletionWanted(entry)) {
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
