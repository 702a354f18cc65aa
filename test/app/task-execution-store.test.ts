// The TaskExecution state store: writes guarded by resourceVersion, a stale writer fenced, nothing written twice.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { TaskExecutionStore, canonicalJson } from '../../src/app/task-execution-store.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, taskExecutionKind } from '../../src/adapters/memory/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import { spyCalls } from './store-spy.js';

const NS = 'ns';
const ref = { ...TASK_EXECUTION, namespace: NS, name: 't' };
const ID = `${NS}/t`;

const setup = async () => {
  const clock = makeVirtualClock({ auto: true });
  const cluster = makeMemoryCluster({ clock, namespaces: [NS], kinds: [taskExecutionKind] });
  const created = await cluster.create(
    objectOfTask(
      {
        task: { id: { name: 't' }, type: 'container' },
        execution: { id: { run: 'r', action: 'a' }, namespace: NS },
      },
      't',
    ),
  )();
  if (E.isLeft(created)) throw new Error(created.left.message);
  return { clock, cluster, object: created.right };
};

const storeOn = (cluster: ClusterPort, objects: () => ReadonlyArray<KubeObject>) =>
  new TaskExecutionStore({ cluster, objects });

const current = async (cluster: ClusterPort): Promise<KubeObject> => {
  const r = await cluster.get(ref)();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('TaskExecutionStore', () => {
  it('keeps the state in status.state with the wanted status fields, in one write', async () => {
    const { cluster, object } = await setup();
    const spy = spyCalls(cluster);
    const store = storeOn(spy.port, () => [object]);
    store.track(object);
    store.setStatus(ID, { phase: 'Queued', attempt: 0 });
    expect(await store.put({ taskId: ID, task: {}, state: { version: 1, n: 1 } })()).toEqual(
      E.right(undefined),
    );
    expect(statusOfObject(await current(cluster))).toMatchObject({
      phase: 'Queued',
      state: { version: 1, n: 1 },
    });
    expect(spy.count('patchStatus')).toBe(1);
    // The same state and status again: no call.
    expect(await store.put({ taskId: ID, task: {}, state: { n: 1, version: 1 } })()).toEqual(
      E.right(undefined),
    );
    expect(spy.count('patchStatus')).toBe(1);
    // A field no longer wanted is removed.
    store.setStatus(ID, { phase: 'Running', attempt: 0 });
    await store.flush(ID)();
    store.setStatus(ID, { phase: 'Queued', attempt: 1 });
    await store.flush(ID)();
    expect(statusOfObject(await current(cluster))).toMatchObject({
      phase: 'Queued',
      attempt: 1,
      state: { n: 1 },
    });
  });

  it('a stale writer gets Conflict and is fenced: it never overwrites the newer state', async () => {
    const { cluster, object } = await setup();
    const a = storeOn(cluster, () => [object]);
    const b = storeOn(cluster, () => [object]);
    a.track(object);
    b.track(object);
    expect(E.isRight(await a.put({ taskId: ID, task: {}, state: { by: 'a' } })())).toBe(true);
    const stale = await b.put({ taskId: ID, task: {}, state: { by: 'b' } })();
    expect(E.isLeft(stale)).toBe(true);
    expect(b.isFenced(ID)).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ by: 'a' });
    // Fenced for good: later writes fail without touching the object.
    expect(E.isLeft(await b.put({ taskId: ID, task: {}, state: { by: 'b2' } })())).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ by: 'a' });
  });

  it('a superseded writer is told, with the object as it is now, and takes the task up again from it', async () => {
    const { cluster, object } = await setup();
    const a = storeOn(cluster, () => [object]);
    const told: KubeObject[] = [];
    const b = new TaskExecutionStore({
      cluster,
      objects: () => [object],
      onSuperseded: (_, o) => told.push(o),
    });
    a.track(object);
    b.track(object);
    expect(E.isRight(await a.put({ taskId: ID, task: {}, state: { by: 'a' } })())).toBe(true);
    // Called before the retrack: based on the old view, so it fails without a call once the task is retracked.
    const first = b.put({ taskId: ID, task: {}, state: { by: 'b' } })();
    const queued = b.put({ taskId: ID, task: {}, state: { by: 'b-old' } })();
    expect(E.isLeft(await first)).toBe(true);
    expect(told.map((o) => statusOfObject(o).state)).toEqual([{ by: 'a' }]);
    b.retrack(told[0]!);
    expect(b.isFenced(ID)).toBe(false);
    const next = b.put({ taskId: ID, task: {}, state: { by: 'b-new' } })();
    expect(E.isLeft(await queued)).toBe(true);
    expect(E.isRight(await next)).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ by: 'b-new' });
    // And the other one, now stale, is told in turn.
    expect(E.isLeft(await a.put({ taskId: ID, task: {}, state: { by: 'a2' } })())).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ by: 'b-new' });
  });

  it('a Conflict caused by a metadata change only is retried on the new version', async () => {
    const { cluster, object } = await setup();
    const store = storeOn(cluster, () => [object]);
    store.track(object);
    const labelled = await cluster.patch(ref, {
      type: 'merge',
      body: { metadata: { labels: { x: 'y' } } },
    })();
    expect(E.isRight(labelled)).toBe(true);
    expect(E.isRight(await store.put({ taskId: ID, task: {}, state: { v: 2 } })())).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ v: 2 });
  });

  it('a write retried after a Conflict never moves the status back: a peer that showed more is kept', async () => {
    const { cluster, object } = await setup();
    const a = storeOn(cluster, () => [object]);
    a.track(object);
    a.setStatus(ID, { phase: 'Queued', attempt: 0 });
    expect(E.isRight(await a.put({ taskId: ID, task: {}, state: { n: 1 } })())).toBe(true);
    // A peer at the same state (two processes overlap while leadership changes hands) shows the outcome.
    const b = storeOn(cluster, () => [object]);
    b.track(await current(cluster));
    b.setStatus(ID, { phase: 'Success', attempt: 0, completionTime: '2026-12-07T00:00:02Z' });
    expect(E.isRight(await b.flush(ID)())).toBe(true);
    // This process, behind, shows Running: Conflict, the same state on a re-read, so it retries.
    a.setStatus(ID, { phase: 'Running', attempt: 0 });
    expect(E.isRight(await a.flush(ID)())).toBe(true);
    expect(statusOfObject(await current(cluster))).toMatchObject({
      phase: 'Success',
      completionTime: '2026-12-07T00:00:02Z',
      state: { n: 1 },
    });
    // It adopts what the cluster shows, so its next updates build on it.
    expect(a.status(ID)?.phase).toBe('Success');
    // A state it must store still goes in, under the status the cluster shows.
    expect(E.isRight(await a.put({ taskId: ID, task: {}, state: { n: 2 } })())).toBe(true);
    expect(statusOfObject(await current(cluster))).toMatchObject({ phase: 'Success', state: { n: 2 } });
  });

  it('a write retried after a Conflict is made against the fresh status: a field the peer added is removed', async () => {
    const { cluster, object } = await setup();
    const a = storeOn(cluster, () => [object]);
    a.track(object);
    a.setStatus(ID, { phase: 'Queued', attempt: 0 });
    expect(E.isRight(await a.put({ taskId: ID, task: {}, state: { n: 1 } })())).toBe(true);
    const b = storeOn(cluster, () => [object]);
    b.track(await current(cluster));
    b.setStatus(ID, { phase: 'Running', attempt: 0, message: 'from the peer', reason: 'Peer' });
    expect(E.isRight(await b.flush(ID)())).toBe(true);
    // Ahead of the peer, without its message: the status shown is this process's, whole, not a mix of both.
    a.setStatus(ID, { phase: 'Success', attempt: 0, completionTime: '2026-12-07T00:00:02Z' });
    expect(E.isRight(await a.flush(ID)())).toBe(true);
    const s = statusOfObject(await current(cluster));
    expect(s).toMatchObject({ phase: 'Success', completionTime: '2026-12-07T00:00:02Z' });
    expect(s.message).toBeUndefined();
    expect(s.reason).toBeUndefined();
  });

  it('writes of one task take effect in call order, waited for or not', async () => {
    const { cluster, object } = await setup();
    const store = storeOn(cluster, () => [object]);
    store.track(object);
    const writes = [1, 2, 3, 4].map((n) => store.put({ taskId: ID, task: {}, state: { n } })());
    expect((await Promise.all(writes)).every(E.isRight)).toBe(true);
    expect(statusOfObject(await current(cluster)).state).toEqual({ n: 4 });
  });

  it('list resumes what the objects hold, and a spec that no longer decodes is unreadable, not fatal', async () => {
    const { cluster, object } = await setup();
    const store = storeOn(cluster, () => [object]);
    store.track(object);
    await store.put({ taskId: ID, task: {}, state: { n: 1 } })();
    const held = await current(cluster);
    const broken = { ...held, metadata: { ...held.metadata, name: 'broken' }, spec: { task: {} } };
    const listed = await storeOn(cluster, () => [held, broken]).list()();
    expect(E.isRight(listed) && listed.right.tasks.map((t) => [t.taskId, t.state])).toEqual([[ID, { n: 1 }]]);
    expect(E.isRight(listed) && listed.right.unreadable.map((u) => u.location)).toEqual([
      'taskexecution ns/broken',
    ]);
  });

  it('a deferrable state is held back and written with the next write, in one call', async () => {
    const { cluster, object } = await setup();
    const spy = spyCalls(cluster);
    const store = storeOn(spy.port, () => [object]);
    store.track(object);
    await store.put({ taskId: ID, task: {}, state: { n: 1 }, deferrable: true })();
    await store.put({ taskId: ID, task: {}, state: { n: 2 }, deferrable: true })();
    expect(spy.count('patchStatus')).toBe(0);
    store.setStatus(ID, { phase: 'Running', attempt: 0 });
    await store.flush(ID)();
    expect(spy.count('patchStatus')).toBe(1);
    expect(statusOfObject(await current(cluster))).toMatchObject({ phase: 'Running', state: { n: 2 } });
    // A state that must be durable is written at once.
    await store.put({ taskId: ID, task: {}, state: { n: 3 } })();
    expect(spy.count('patchStatus')).toBe(2);
  });

  it('a held-back state is never written alone: a flush or a remove with no new status makes no call', async () => {
    const { cluster, object } = await setup();
    const spy = spyCalls(cluster);
    const store = storeOn(spy.port, () => [object]);
    store.track(object);
    store.setStatus(ID, { phase: 'Success', attempt: 0 });
    await store.put({ taskId: ID, task: {}, state: { n: 1 } })();
    expect(spy.count('patchStatus')).toBe(1);
    // The task's last step (its pod seen gone) changes nothing outside: held, and not worth a write of its own.
    await store.put({ taskId: ID, task: {}, state: { n: 2 }, deferrable: true })();
    expect(await store.flush(ID)()).toEqual(E.right(undefined));
    expect(spy.count('patchStatus')).toBe(1);
    // It still rides with the next status to show.
    store.setStatus(ID, { phase: 'Success', attempt: 0, message: 'done' });
    await store.flush(ID)();
    expect(spy.count('patchStatus')).toBe(2);
    expect(statusOfObject(await current(cluster))).toMatchObject({ message: 'done', state: { n: 2 } });
    // Held again, then forgotten: the object keeps the state last written, as after a crash.
    await store.put({ taskId: ID, task: {}, state: { n: 3 }, deferrable: true })();
    expect(await store.remove(ID)()).toEqual(E.right(undefined));
    expect(spy.count('patchStatus')).toBe(2);
    expect(statusOfObject(await current(cluster))).toMatchObject({ state: { n: 2 } });
    expect(store.has(ID)).toBe(false);
  });

  it('canonicalJson ignores key order', () => {
    expect(canonicalJson({ a: 1, b: { d: 1, c: [2, { f: 1, e: 0 }] } })).toBe(
      canonicalJson({ b: { c: [2, { e: 0, f: 1 }], d: 1 }, a: 1 }),
    );
  });
});
