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
      error: fc.option(fc.constant('boom'), { nil: undefined }),
    })
    .map(({ error, ...e }) => ({ ...e, ...(error === undefined ? {} : { error }) })),
  fc.record({ _tag: fc.constant('DeleteAnswered' as const), ref: arbRef }),
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
    'never deletes a cluster a task holds, unless it failed (and then lets the holders go)',
    (events) => {
      for (const s of runAll(events)) {
        for (const c of s.commands) {
          if (c._tag !== 'DeleteCluster') continue;
          const failed = s.e._tag === 'Observed' && s.e.failure !== undefined;
          expect(failed || usersOf(s.after, c.ref).length === 0).toBe(true);
          expect(usersOf(s.after, c.ref)).toEqual([]);
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

  it('finds a cluster nobody holds (after a restart) idle', () => {
    const r = poolStep(
      emptyPool,
      { _tag: 'Observed', ref: c1, object: object(c1), ready: true },
      { now: 5, idleTtl: TTL },
    );
    expect(r.commands).toEqual([{ _tag: 'ScheduleIdleTimer', ref: c1, at: 1005 }]);
  });
});
