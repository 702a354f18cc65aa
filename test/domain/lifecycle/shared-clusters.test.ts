// The shared-cluster pool as a pure machine: laws over random event sequences, and its exact decisions.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  emptyPool,
  poolStep,
  type Pool,
  type PoolCommand,
  type PoolEvent,
} from '../../../src/domain/lifecycle/shared-clusters.js';
import type { ObjectRef } from '../../../src/domain/lifecycle/state.js';
import {
  alreadyExists,
  conflict,
  forbidden,
  internalError,
  notFound,
  timeout,
} from '../../../src/domain/api-error.js';

const RAY = { group: 'ray.io', resource: 'rayclusters' };
const arbApiError = fc.constantFrom(
  internalError('boom'),
  timeout('etcd'),
  notFound(RAY, 'c1'),
  conflict(RAY, 'c1'),
  alreadyExists(RAY, 'c1'),
);

const ref = (name: string): ObjectRef => ({
  apiVersion: 'ray.io/v1',
  kind: 'RayCluster',
  namespace: 'ns',
  name,
});
const REFS = [ref('c1'), ref('c2')];
const TTL = 1000;
const manifest = (r: ObjectRef) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name } });
const object = (r: ObjectRef, deleting = false) => ({
  ...manifest(r),
  metadata: {
    name: r.name,
    namespace: r.namespace,
    uid: `uid-${r.name}`,
    ...(deleting ? { deletionTimestamp: 'x' } : {}),
  },
});

const arbRef = fc.constantFrom(...REFS);
const arbTask = fc.constantFrom('t1', 't2', 't3');
const arbEvent: fc.Arbitrary<PoolEvent> = fc.oneof(
  fc
    .record({ _tag: fc.constant('Acquire' as const), taskId: arbTask, ref: arbRef })
    .map((e) => ({ ...e, manifest: manifest(e.ref) })),
  fc.record({ _tag: fc.constant('Release' as const), taskId: arbTask, ref: arbRef }),
  fc
    .record({ ref: arbRef, ready: fc.boolean(), failed: fc.boolean(), deleting: fc.boolean() })
    .map((e): PoolEvent => ({
      _tag: 'Observed',
      ref: e.ref,
      object: object(e.ref, e.deleting),
      ready: e.ready,
      ...(e.failed ? { failure: 'broken' } : {}),
    })),
  fc.record({ _tag: fc.constant('Gone' as const), ref: arbRef }),
  fc
    .record({
      _tag: fc.constant('CreateAnswered' as const),
      ref: arbRef,
      error: fc.option(arbApiError, { nil: undefined }),
    })
    .map(({ error, ...e }) => ({ ...e, ...(error === undefined ? {} : { error }) })),
  fc
    .record({
      _tag: fc.constant('DeleteAnswered' as const),
      ref: arbRef,
      error: fc.option(arbApiError, { nil: undefined }),
    })
    .map(({ error, ...e }) => ({ ...e, ...(error === undefined ? {} : { error }) })),
  fc.record({ _tag: fc.constant('IdleTimerFired' as const), ref: arbRef }),
);

/** Runs a sequence, time moving 400 ms per event; returns every step's pool before and after, and commands. */
const runAll = (events: ReadonlyArray<PoolEvent>) => {
  let pool: Pool = emptyPool;
  const steps: Array<{ before: Pool; e: PoolEvent; after: Pool; commands: ReadonlyArray<PoolCommand> }> = [];
  events.forEach((e, i) => {
    const r = poolStep(pool, e, { now: i * 400, idleTtl: TTL });
    steps.push({ before: pool, e, after: r.pool, commands: r.commands });
    pool = r.pool;
  });
  return steps;
};

const usersOf = (pool: Pool, r: ObjectRef): ReadonlyArray<string> =>
  pool.find((c) => c.ref.name === r.name)?.users ?? [];

describe('poolStep laws', () => {
  test.prop([fc.array(arbEvent, { maxLength: 60 })])('is total', (events) => {
    expect(() => runAll(events)).not.toThrow();
  });

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'never deletes a cluster a task holds, unless it failed (and then lets the holders go, or keeps later ones waiting)',
    (events) => {
      for (const s of runAll(events)) {
        for (const c of s.commands) {
          if (c._tag !== 'DeleteCluster') continue;
          // A retried delete of a cluster that failed earlier may find new holders: they wait for the re-create.
          const failedBefore = s.before.find((x) => x.ref.name === c.ref.name)?.failed === true;
          if (!failedBefore) expect(usersOf(s.after, c.ref)).toEqual([]);
        }
      }
    },
  );

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'never has two creates of one cluster in flight',
    (events) => {
      const inFlight = new Set<string>();
      for (const s of runAll(events)) {
        if (s.e._tag === 'CreateAnswered' || s.e._tag === 'Gone' || s.e._tag === 'Observed')
          inFlight.delete(s.e.ref.name);
        for (const c of s.commands) {
          if (c._tag !== 'CreateCluster') continue;
          expect(inFlight.has(c.ref.name)).toBe(false);
          inFlight.add(c.ref.name);
        }
      }
    },
  );

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'keeps a record of every cluster while its create is in flight',
    (events) => {
      const inFlight = new Set<string>();
      for (const s of runAll(events)) {
        // The watch seeing the object (or its end) settles the create as far as the pool is concerned.
        if (s.e._tag === 'CreateAnswered' || s.e._tag === 'Gone' || s.e._tag === 'Observed')
          inFlight.delete(s.e.ref.name);
        for (const c of s.commands) if (c._tag === 'CreateCluster') inFlight.add(c.ref.name);
        for (const name of inFlight)
          expect(s.after.some((c) => c.ref.name === name && c.creating)).toBe(true);
      }
    },
  );

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'keeps a record of every cluster the watch shows, until it sends a delete or the watch says it is gone',
    (events) => {
      // name -> true while the watch last showed it and no delete has been sent since
      const shown = new Map<string, boolean>();
      for (const s of runAll(events)) {
        if (s.e._tag === 'Observed') shown.set(s.e.ref.name, true);
        if (s.e._tag === 'Gone') shown.delete(s.e.ref.name);
        for (const c of s.commands) if (c._tag === 'DeleteCluster') shown.delete(c.ref.name);
        for (const name of shown.keys())
          expect(
            s.after.some((c) => c.ref.name === name),
            name,
          ).toBe(true);
      }
    },
  );

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'collects every cluster nobody holds once its creates are answered and its timers fire',
    (events) => {
      const steps = runAll(events);
      let pool = steps.at(-1)?.after ?? emptyPool;
      let now = events.length * 400;
      // The interpreter keeps one timer per cluster: the last one scheduled.
      const timers = new Map<string, { ref: ObjectRef; at: number }>();
      const apply = (e: PoolEvent) => {
        const r = poolStep(pool, e, { now, idleTtl: TTL });
        pool = r.pool;
        for (const c of r.commands) if (c._tag === 'ScheduleIdleTimer') timers.set(c.ref.name, c);
      };
      for (const s of steps)
        for (const c of s.commands) if (c._tag === 'ScheduleIdleTimer') timers.set(c.ref.name, c);
      for (const c of pool) if (c.creating) apply({ _tag: 'CreateAnswered', ref: c.ref });
      for (let i = 0; i < 20 && timers.size > 0; i++) {
        const [name, t] = [...timers].sort((a, b) => a[1].at - b[1].at)[0]!;
        timers.delete(name);
        now = Math.max(now, t.at);
        apply({ _tag: 'IdleTimerFired', ref: t.ref });
      }
      for (const c of pool)
        if (c.users.length === 0 || c.failed === true)
          expect(c.deleting || c.seen === 'deleting', JSON.stringify(c)).toBe(true);
    },
  );

  test.prop([fc.array(arbEvent, { maxLength: 60 })])(
    'tells only holders, and each holder at most once per readiness',
    (events) => {
      for (const s of runAll(events)) {
        for (const c of s.commands) {
          if (c._tag === 'NotifyReady') {
            for (const t of c.taskIds) expect(usersOf(s.after, c.ref)).toContain(t);
            expect(new Set(c.taskIds).size).toBe(c.taskIds.length);
          }
          if (c._tag === 'NotifyFailed')
            for (const t of c.taskIds) expect(usersOf(s.before, c.ref)).toContain(t);
        }
      }
    },
  );
});

describe('poolStep decisions', () => {
  const ctx = { now: 0, idleTtl: TTL };
  const c1 = ref('c1');

  it('creates on the first acquire only', () => {
    const a = poolStep(emptyPool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx);
    expect(a.commands.map((c) => c._tag)).toEqual(['CreateCluster']);
    const b = poolStep(a.pool, { _tag: 'Acquire', taskId: 't2', ref: c1, manifest: manifest(c1) }, ctx);
    expect(b.commands).toEqual([]);
  });

  it('tells every holder once the cluster is ready, and a later holder at once', () => {
    let p = poolStep(emptyPool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    p = poolStep(p, { _tag: 'Acquire', taskId: 't2', ref: c1, manifest: manifest(c1) }, ctx).pool;
    const ready = poolStep(p, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx);
    expect(ready.commands).toEqual([{ _tag: 'NotifyReady', ref: c1, taskIds: ['t1', 't2'] }]);
    const late = poolStep(
      ready.pool,
      { _tag: 'Acquire', taskId: 't3', ref: c1, manifest: manifest(c1) },
      ctx,
    );
    expect(late.commands).toEqual([{ _tag: 'NotifyReady', ref: c1, taskIds: ['t3'] }]);
  });

  it('starts the idle clock when the last holder lets go, and deletes when it runs out', () => {
    let p = poolStep(emptyPool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    p = poolStep(p, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx).pool;
    const rel = poolStep(p, { _tag: 'Release', taskId: 't1', ref: c1 }, { now: 100, idleTtl: TTL });
    expect(rel.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1100 }]);
    const early = poolStep(rel.pool, { _tag: 'IdleTimerFired', ref: c1 }, { now: 500, idleTtl: TTL });
    expect(early.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1100 }]);
    const due = poolStep(rel.pool, { _tag: 'IdleTimerFired', ref: c1 }, { now: 1100, idleTtl: TTL });
    expect(due.commands).toEqual([{ _tag: 'DeleteCluster', ref: c1, uid: 'uid-c1' }]);
  });

  it('keeps an idle cluster whose create is still out, and looks again later', () => {
    let p = poolStep(emptyPool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    p = poolStep(p, { _tag: 'Release', taskId: 't1', ref: c1 }, ctx).pool;
    const due = poolStep(p, { _tag: 'IdleTimerFired', ref: c1 }, { now: 1000, idleTtl: TTL });
    expect(due.pool).toEqual(p);
    expect(due.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 2000 }]);
    const again = poolStep(due.pool, { _tag: 'Acquire', taskId: 't2', ref: c1, manifest: manifest(c1) }, ctx);
    expect(again.commands).toEqual([]);
  });

  it('retries the delete of a failed cluster on the timer, even when a task has asked for it since', () => {
    let p = poolStep(
      emptyPool,
      { _tag: 'Observed', ref: c1, object: object(c1), ready: false, failure: 'x' },
      ctx,
    ).pool;
    const refused = poolStep(p, { _tag: 'DeleteAnswered', ref: c1, error: timeout('etcd') }, ctx);
    expect(refused.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1000 }]);
    p = poolStep(refused.pool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    const retry = poolStep(p, { _tag: 'IdleTimerFired', ref: c1 }, { now: 1000, idleTtl: TTL });
    expect(retry.commands).toEqual([{ _tag: 'DeleteCluster', ref: c1, uid: 'uid-c1' }]);
    // Once it is gone, the waiting task gets a new one.
    const gone = poolStep(retry.pool, { _tag: 'Gone', ref: c1 }, ctx);
    expect(gone.commands).toEqual([{ _tag: 'CreateCluster', ref: c1, manifest: manifest(c1) }]);
  });

  it('does not count a delete sent for an older object against a newer one of the same name', () => {
    const old = { ...object(c1), metadata: { ...object(c1).metadata, uid: 'uid-old' } };
    let p = poolStep(
      emptyPool,
      { _tag: 'Observed', ref: c1, object: old, ready: false, failure: 'x' },
      ctx,
    ).pool;
    p = poolStep(p, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    const fresh = poolStep(p, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx);
    expect(fresh.commands).toEqual([{ _tag: 'NotifyReady', ref: c1, taskIds: ['t1'] }]);
    expect(fresh.pool[0]).toMatchObject({ deleting: false, uid: 'uid-c1' });
    expect(fresh.pool[0]?.failed).toBeUndefined();
    const late = poolStep(
      fresh.pool,
      { _tag: 'Acquire', taskId: 't2', ref: c1, manifest: manifest(c1) },
      ctx,
    );
    expect(late.commands).toEqual([{ _tag: 'NotifyReady', ref: c1, taskIds: ['t2'] }]);
  });

  it('keeps a cluster the watch has shown even when its create answers with an error (a timeout after commit)', () => {
    let p = poolStep(emptyPool, { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) }, ctx).pool;
    p = poolStep(p, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx).pool;
    const late = poolStep(p, { _tag: 'CreateAnswered', ref: c1, error: timeout('etcd') }, ctx);
    expect(late.commands).toEqual([]);
    expect(late.pool).toEqual(p);
    // Without the watch's word, the create failed: the holders' tries fail and the record goes.
    const unseen = poolStep(
      emptyPool,
      { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) },
      ctx,
    );
    const failed = poolStep(
      unseen.pool,
      { _tag: 'CreateAnswered', ref: c1, error: forbidden(RAY, 'c1', 'no') },
      ctx,
    );
    expect(failed.pool).toEqual([]);
    expect(failed.commands.map((c) => c._tag)).toEqual(['NotifyFailed']);
  });

  it('leaves a cluster whose delete is out to the answer or the watch, not the idle timer', () => {
    let p = poolStep(emptyPool, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx).pool;
    p = poolStep(p, { _tag: 'IdleTimerFired', ref: c1 }, { now: 1000, idleTtl: TTL }).pool;
    expect(p[0]?.deleting).toBe(true);
    const again = poolStep(p, { _tag: 'IdleTimerFired', ref: c1 }, { now: 5000, idleTtl: TTL });
    expect(again).toEqual({ pool: p, commands: [] });
    const refused = poolStep(
      again.pool,
      { _tag: 'DeleteAnswered', ref: c1, error: internalError('boom') },
      ctx,
    );
    expect(refused.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1000 }]);
  });

  it('finds a cluster nobody holds (after a restart) idle', () => {
    const r = poolStep(
      emptyPool,
      { _tag: 'Observed', ref: c1, object: object(c1), ready: true },
      { now: 5, idleTtl: TTL },
    );
    expect(r.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1005 }]);
  });

  it.each([
    { error: notFound(RAY, 'c1'), retried: false },
    {
      error: conflict(RAY, 'c1', 'Precondition failed: UID in precondition: a, UID in object meta: b'),
      retried: false,
    },
    { error: internalError('etcd'), retried: true },
    { error: timeout('etcd'), retried: true },
    { error: forbidden(RAY, 'c1', 'no'), retried: true },
  ])('a delete answered $error.reason is retried on the timer: $retried', ({ error, retried }) => {
    let p = poolStep(emptyPool, { _tag: 'Observed', ref: c1, object: object(c1), ready: true }, ctx).pool;
    p = poolStep(p, { _tag: 'IdleTimerFired', ref: c1 }, { now: 1000, idleTtl: TTL }).pool;
    const r = poolStep(p, { _tag: 'DeleteAnswered', ref: c1, error }, ctx);
    expect(r.commands.length > 0).toBe(retried);
    expect(r.pool[0]?.deleting).toBe(!retried);
  });

  it.each([
    { error: alreadyExists(RAY, 'c1'), failed: false },
    { error: forbidden(RAY, 'c1', 'exceeded quota: q'), failed: true },
    { error: internalError('etcd'), failed: true },
  ])('a create answered $error.reason fails the holders: $failed', ({ error, failed }) => {
    const p = poolStep(
      emptyPool,
      { _tag: 'Acquire', taskId: 't1', ref: c1, manifest: manifest(c1) },
      ctx,
    ).pool;
    const r = poolStep(p, { _tag: 'CreateAnswered', ref: c1, error }, ctx);
    expect(r.commands.map((c) => c._tag)).toEqual(failed ? ['NotifyFailed'] : []);
    expect(r.pool.length).toBe(failed ? 0 : 1);
  });
});
