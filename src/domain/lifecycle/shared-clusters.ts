// Shared clusters (RayCluster under RayJobs): who uses which cluster, when to create it and when to collect it.
import { isAlreadyExists, isConflict, isNotFound, type ApiError } from '../api-error.js';
import type { KubeObject } from '../kubernetes.js';
import type { Instant } from '../time.js';
import { sameRef, type ObjectRef } from './state.js';

/** What the pool knows of one shared cluster. */
export interface SharedCluster {
  readonly ref: ObjectRef;
  /** Tasks holding it, in arrival order. */
  readonly users: ReadonlyArray<string>;
  /** The manifest to (re)create it from: the last one a task asked with. */
  readonly manifest: KubeObject;
  /** What the watch cache says: absent, present (ready or not, failed or not), or being deleted. */
  readonly seen: 'absent' | 'present' | 'deleting';
  readonly ready: boolean;
  /** A create is in flight. */
  readonly creating: boolean;
  /** A delete was sent for the current object. */
  readonly deleting: boolean;
  /** The current object failed for good: it is deleted (again, on the timer, if a delete fails) and re-created. */
  readonly failed?: boolean;
  /** Since when nobody uses it (absent while used). */
  readonly idleSince?: Instant;
  /** The uid of the object last seen, so a delete never hits a newer cluster of the same name. */
  readonly uid?: string;
}

export type Pool = ReadonlyArray<SharedCluster>;

export const emptyPool: Pool = [];

export type PoolEvent =
  /** A task needs the cluster; `cached` is the watch cache's object, if any. */
  | {
      readonly _tag: 'Acquire';
      readonly taskId: string;
      readonly ref: ObjectRef;
      readonly manifest: KubeObject;
    }
  | { readonly _tag: 'Release'; readonly taskId: string; readonly ref: ObjectRef }
  /** The watch cache holds the cluster in this state (the interpreter asks the plugin whether it is ready). */
  | {
      readonly _tag: 'Observed';
      readonly ref: ObjectRef;
      readonly object: KubeObject;
      readonly ready: boolean;
      /** Why it is broken for good, if it is. */
      readonly failure?: string;
    }
  | { readonly _tag: 'Gone'; readonly ref: ObjectRef }
  /** Answer to CreateCluster; AlreadyExists counts as created (the name is the cluster's: any task's is ours). */
  | { readonly _tag: 'CreateAnswered'; readonly ref: ObjectRef; readonly error?: ApiError }
  /** Answer to DeleteCluster; NotFound, or the Conflict of a failed uid precondition, says it is gone already. */
  | { readonly _tag: 'DeleteAnswered'; readonly ref: ObjectRef; readonly error?: ApiError }
  | { readonly _tag: 'IdleTimerFired'; readonly ref: ObjectRef };

export type PoolCommand =
  | { readonly _tag: 'CreateCluster'; readonly ref: ObjectRef; readonly manifest: KubeObject }
  | { readonly _tag: 'DeleteCluster'; readonly ref: ObjectRef; readonly uid?: string }
  | { readonly _tag: 'NotifyReady'; readonly ref: ObjectRef; readonly taskIds: ReadonlyArray<string> }
  | {
      readonly _tag: 'NotifyFailed';
      readonly ref: ObjectRef;
      readonly taskIds: ReadonlyArray<string>;
      readonly message: string;
    }
  | { readonly _tag: 'ScheduleIdleTimer'; readonly ref: ObjectRef; readonly at: Instant };

export interface PoolContext {
  readonly now: Instant;
  /** Idle time-to-live of this cluster. */
  readonly idleTtl: number;
}

export interface PoolResult {
  readonly pool: Pool;
  readonly commands: ReadonlyArray<PoolCommand>;
}

const find = (pool: Pool, ref: ObjectRef): SharedCluster | undefined => pool.find((c) => sameRef(c.ref, ref));

const put = (pool: Pool, c: SharedCluster): Pool =>
  find(pool, c.ref) === undefined ? [...pool, c] : pool.map((x) => (sameRef(x.ref, c.ref) ? c : x));

const drop = (pool: Pool, ref: ObjectRef): Pool => pool.filter((c) => !sameRef(c.ref, ref));

/** Create the cluster when somebody needs it and nothing exists or is on its way. */
const ensure = (c: SharedCluster): { readonly c: SharedCluster; readonly commands: PoolCommand[] } =>
  c.users.length > 0 && c.seen === 'absent' && !c.creating
    ? { c: { ...c, creating: true }, commands: [{ _tag: 'CreateCluster', ref: c.ref, manifest: c.manifest }] }
    : { c, commands: [] };

/** How long to wait before retrying a delete that failed, or re-checking a cluster whose create is in flight. */
const retryAfter = (ctx: PoolContext): number => Math.max(1000, ctx.idleTtl);

const idle = (
  c: SharedCluster,
  ctx: PoolContext,
): { readonly c: SharedCluster; readonly commands: PoolCommand[] } => {
  if (c.users.length > 0 || c.idleSince !== undefined) return { c, commands: [] };
  return {
    c: { ...c, idleSince: ctx.now },
    commands: [{ _tag: 'ScheduleIdleTimer', ref: c.ref, at: ctx.now + ctx.idleTtl }],
  };
};

/**
 * One step of the pool. The cluster has no owner and no finalizer: it is created on the first Acquire, reused by
 * every task asking for the same name, announced ready to each holder, and deleted once it has had no holder for
 * the idle TTL. A cluster that fails is deleted and its holders told (they retry as system failures, and the
 * next Acquire creates it anew). Clusters found in the cache with no holder (after a restart) start idle.
 */
export const poolStep = (pool: Pool, e: PoolEvent, ctx: PoolContext): PoolResult => {
  const current = find(pool, e.ref);
  switch (e._tag) {
    case 'Acquire': {
      const base: SharedCluster = current ?? {
        ref: e.ref,
        users: [],
        manifest: e.manifest,
        seen: 'absent',
        ready: false,
        creating: false,
        deleting: false,
      };
      const { idleSince: _busy, ...rest } = base;
      const held: SharedCluster = {
        ...rest,
        manifest: e.manifest,
        users: base.users.includes(e.taskId) ? base.users : [...base.users, e.taskId],
      };
      const ensured = ensure(held);
      const ready: PoolCommand[] =
        ensured.c.seen === 'present' && ensured.c.ready && !ensured.c.deleting
          ? [{ _tag: 'NotifyReady', ref: e.ref, taskIds: [e.taskId] }]
          : [];
      return { pool: put(pool, ensured.c), commands: [...ensured.commands, ...ready] };
    }
    case 'Release': {
      if (current === undefined) return { pool, commands: [] };
      const released = idle({ ...current, users: current.users.filter((u) => u !== e.taskId) }, ctx);
      return { pool: put(pool, released.c), commands: released.commands };
    }
    case 'Observed': {
      const deletingNow = e.object.metadata?.deletionTimestamp != null;
      const base: SharedCluster = current ?? {
        ref: e.ref,
        users: [],
        manifest: e.object,
        seen: 'present',
        ready: false,
        creating: false,
        deleting: false,
      };
      if (deletingNow)
        return {
          pool: put(pool, { ...base, seen: 'deleting', ready: false, creating: false }),
          commands: [],
        };
      if (e.failure !== undefined) {
        const uid = e.object.metadata?.uid;
        // The holders' tries are over (they fail, and Acquire again when they retry), so the failed cluster is not
        // re-created for them at once: that would spin while they back off.
        const failed: SharedCluster = {
          ...base,
          users: [],
          seen: 'present',
          ready: false,
          creating: false,
          deleting: true,
          failed: true,
          ...(uid === undefined ? {} : { uid }),
        };
        return {
          pool: put(pool, failed),
          commands: [
            ...(base.deleting
              ? []
              : [{ _tag: 'DeleteCluster' as const, ref: e.ref, ...(uid === undefined ? {} : { uid }) }]),
            ...(base.users.length > 0
              ? [{ _tag: 'NotifyFailed' as const, ref: e.ref, taskIds: base.users, message: e.failure }]
              : []),
          ],
        };
      }
      const became = e.ready && !(base.seen === 'present' && base.ready);
      const uid = e.object.metadata?.uid;
      // A delete sent for an older object (by uid) does not cover a newer one of the same name.
      const newer = uid !== undefined && base.uid !== undefined && uid !== base.uid;
      const { failed: _healthy, ...rest } = base;
      const next: SharedCluster = {
        ...rest,
        seen: 'present',
        ready: e.ready,
        creating: false,
        deleting: newer ? false : base.deleting,
        ...(uid === undefined ? {} : { uid }),
      };
      const idled = idle(next, ctx);
      return {
        pool: put(pool, idled.c),
        commands: [
          ...(became && next.users.length > 0
            ? [{ _tag: 'NotifyReady' as const, ref: e.ref, taskIds: next.users }]
            : []),
          ...idled.commands,
        ],
      };
    }
    case 'Gone': {
      if (current === undefined) return { pool, commands: [] };
      if (current.users.length === 0) return { pool: drop(pool, e.ref), commands: [] };
      // Deleted (by us after a failure, or by somebody else) while tasks need it: create it again.
      const { failed: _gone, ...rest } = current;
      const ensured = ensure({ ...rest, seen: 'absent', ready: false, creating: false, deleting: false });
      return { pool: put(pool, ensured.c), commands: ensured.commands };
    }
    case 'CreateAnswered': {
      if (current === undefined) return { pool, commands: [] };
      // The watch has already shown the cluster: whatever the answer says (a timeout after the write was
      // committed), it exists, and forgetting it would leave it uncollected.
      if (e.error === undefined || isAlreadyExists(e.error) || current.seen !== 'absent')
        return {
          pool: put(pool, {
            ...current,
            creating: false,
            seen: current.seen === 'absent' ? 'present' : current.seen,
          }),
          commands: [],
        };
      // Any other refusal fails the holders' tries (and they let go of it, as after a cluster failure).
      const next: SharedCluster = { ...current, creating: false };
      return {
        pool: drop(pool, e.ref),
        commands:
          next.users.length > 0
            ? [
                {
                  _tag: 'NotifyFailed',
                  ref: e.ref,
                  taskIds: next.users,
                  message: `creating it failed: ${e.error.message}`,
                },
              ]
            : [],
      };
    }
    case 'DeleteAnswered': {
      if (current === undefined || e.error === undefined || isNotFound(e.error) || isConflict(e.error))
        return { pool, commands: [] };
      // The delete failed: try again when the timer fires (a failed cluster is deleted even if somebody holds it,
      // an idle one only if it is still idle then).
      return {
        pool: put(pool, { ...current, deleting: false }),
        commands: [{ _tag: 'ScheduleIdleTimer', ref: e.ref, at: ctx.now + retryAfter(ctx) }],
      };
    }
    case 'IdleTimerFired': {
      if (current === undefined) return { pool, commands: [] };
      if (current.failed === true && !current.deleting) {
        const uid = current.uid;
        return {
          pool: put(pool, { ...current, deleting: true }),
          commands: [{ _tag: 'DeleteCluster', ref: e.ref, ...(uid === undefined ? {} : { uid }) }],
        };
      }
      if (current.users.length > 0 || current.idleSince === undefined) return { pool, commands: [] };
      if (ctx.now < current.idleSince + ctx.idleTtl) {
        return {
          pool,
          commands: [{ _tag: 'ScheduleIdleTimer', ref: e.ref, at: current.idleSince + ctx.idleTtl }],
        };
      }
      // Forgetting a cluster whose create is still out would let the next Acquire send a second create (and the
      // first one's cluster would only be found again by the watch): look again once it is answered.
      if (current.creating)
        return { pool, commands: [{ _tag: 'ScheduleIdleTimer', ref: e.ref, at: ctx.now + retryAfter(ctx) }] };
      if (current.seen === 'absent') return { pool: drop(pool, e.ref), commands: [] };
      // A delete is out: its answer (a refusal reschedules) or the watch's Gone settles the record, not the timer.
      if (current.deleting) return { pool, commands: [] };
      const uid = current.uid;
      return {
        pool: put(pool, { ...current, deleting: true }),
        commands: [{ _tag: 'DeleteCluster', ref: e.ref, ...(uid === undefined ? {} : { uid }) }],
      };
    }
  }
};
