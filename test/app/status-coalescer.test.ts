// The status coalescer: phases ride with the state writes, wait longer under a burst, and never outlive their task.
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { KeyedTimers } from '../../src/app/keyed-timers.js';
import { StatusCoalescer } from '../../src/app/status-coalescer.js';
import { TaskExecutionStore } from '../../src/app/task-execution-store.js';
import { makeVirtualClock } from '../../src/adapters/clock/index.js';
import { makeMemoryCluster, taskExecutionKind } from '../../src/adapters/memory/index.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { initializing, queued, running, success } from '../../src/domain/phase-info.js';
import { objectOfTask, statusOfObject, TASK_EXECUTION } from '../../src/domain/task-execution-resource.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import type { LogFields, Logger } from '../../src/ports/logger.js';

const NS = 'ns';

/** A logger that keeps its error records, to check that nothing was logged. */
const recordingLogger = () => {
  const errors: Array<{ message: string; fields?: LogFields }> = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => void errors.push({ message, ...(fields === undefined ? {} : { fields }) }),
    child: () => logger,
  };
  return { logger, errors };
};

const setup = async (names: ReadonlyArray<string>, delay = 1000, maxDelay = 16_000) => {
  const clock = makeVirtualClock();
  const cluster = makeMemoryCluster({ clock, namespaces: [NS], kinds: [taskExecutionKind] });
  const objects: KubeObject[] = [];
  for (const name of names) {
    const r = await cluster.create(
      objectOfTask(
        {
          task: { id: { name }, type: 'container' },
          execution: { id: { run: 'r', action: name }, namespace: NS },
        },
        name,
      ),
    )();
    if (E.isLeft(r)) throw new Error(r.left.message);
    objects.push(r.right);
  }
  // Status writes counted by task; the writes of a task named in `hold` wait until released (a busy API server).
  const writes = new Map<string, number>();
  const held: Array<() => void> = [];
  const hold = new Set<string>();
  const port: ClusterPort = {
    ...cluster,
    patchStatus: (ref, patch) => () => {
      writes.set(ref.name, (writes.get(ref.name) ?? 0) + 1);
      if (!hold.has(ref.name)) return cluster.patchStatus(ref, patch)();
      return new Promise<void>((resolve) => held.push(resolve)).then(() => cluster.patchStatus(ref, patch)());
    },
  };
  const { logger, errors } = recordingLogger();
  const store = new TaskExecutionStore({ cluster: port, objects: () => objects });
  for (const o of objects) store.track(o);
  const statuses = new StatusCoalescer({ store, clock, logger, delay, maxDelay });
  const statusOf = async (name: string) => {
    const r = await cluster.get({ ...TASK_EXECUTION, namespace: NS, name })();
    return E.isRight(r) ? statusOfObject(r.right) : {};
  };
  const release = () => {
    for (const r of held.splice(0)) r();
  };
  return { clock, store, statuses, writes, hold, release, statusOf, errors, dispose: () => clock.dispose() };
};

const at = 0;
const update = (phaseInfo: ReturnType<typeof running>, final = false) => ({
  phaseInfo,
  attempt: 0,
  final,
  at,
});

describe('StatusCoalescer', () => {
  it('phases seen within the delay are written once, with the last one', async () => {
    const w = await setup(['a']);
    w.statuses.update('ns/a', update(queued(at, 0, 'queued')));
    await w.clock.advance(300);
    w.statuses.update('ns/a', update(initializing(at, 0, 'pulling')));
    w.statuses.update('ns/a', update(running(0)));
    expect(w.writes.get('a')).toBeUndefined();
    await w.clock.advance(700);
    expect(w.writes.get('a')).toBe(1);
    expect((await w.statusOf('a')).phase).toBe('Running');
    w.dispose();
  });

  it('a phase that rides with a state write is not written again when its wait ends', async () => {
    const w = await setup(['a']);
    w.statuses.update('ns/a', update(running(0)));
    expect(E.isRight(await w.store.put({ taskId: 'ns/a', task: {}, state: { n: 1 } })())).toBe(true);
    expect(w.writes.get('a')).toBe(1);
    await w.clock.advance(60_000);
    expect(w.writes.get('a')).toBe(1);
    expect(await w.statusOf('a')).toMatchObject({ phase: 'Running', state: { n: 1 } });
    expect(w.statuses.isPending('ns/a')).toBe(false);
    w.dispose();
  });

  it('while status writes are in flight, a phase waits longer, doubling, and still shows within maxDelay', async () => {
    const w = await setup(['a', 'busy'], 1000, 16_000);
    w.hold.add('busy');
    // Another task's write, stuck at the API server: the store is busy.
    const stuck = w.store.put({ taskId: 'ns/busy', task: {}, state: { n: 1 } })();
    w.statuses.update('ns/a', update(running(0)));
    await w.clock.advance(1000 + 2000 + 4000);
    expect(w.writes.get('a')).toBeUndefined();
    expect(w.statuses.isPending('ns/a')).toBe(true);
    // 1 + 2 + 4 + 8 = 15 s, then the last 1 s to the cap: written however busy.
    await w.clock.advance(8000);
    expect(w.writes.get('a')).toBeUndefined();
    await w.clock.advance(1000);
    expect(w.writes.get('a')).toBe(1);
    expect((await w.statusOf('a')).phase).toBe('Running');
    w.release();
    expect(E.isRight(await stuck)).toBe(true);
    w.dispose();
  });

  it('under a burst, the phases between two state writes ride with the second: no write of their own', async () => {
    const w = await setup(['a', 'busy']);
    w.hold.add('busy');
    const stuck = w.store.put({ taskId: 'ns/busy', task: {}, state: { n: 1 } })();
    w.statuses.update('ns/a', update(queued(at, 0, 'queued')));
    await w.clock.advance(2500);
    w.statuses.update('ns/a', update(running(0)));
    await w.clock.advance(2500);
    expect(w.writes.get('a')).toBeUndefined();
    // The outcome's step stores the state before its commands: one write shows Running.
    await w.store.put({ taskId: 'ns/a', task: {}, state: { n: 2 } })();
    w.statuses.update('ns/a', update(success(), true));
    await w.clock.advance(1000);
    await w.store.put({ taskId: 'ns/a', task: {}, state: { n: 3 } })();
    await w.clock.advance(60_000);
    expect(w.writes.get('a')).toBe(2);
    expect(await w.statusOf('a')).toMatchObject({ phase: 'Success', state: { n: 3 } });
    w.release();
    await stuck;
    w.dispose();
  });

  it('a forgotten task keeps no timer: nothing is written or logged for it later', async () => {
    const w = await setup(['a']);
    w.statuses.update('ns/a', update(success(), true));
    // The task settles and is dropped: its last status goes with the store's remove.
    expect(E.isRight(await w.store.remove('ns/a')())).toBe(true);
    w.statuses.forget('ns/a');
    expect(w.statuses.isPending('ns/a')).toBe(false);
    await w.clock.advance(60_000);
    expect(w.writes.get('a')).toBe(1);
    expect((await w.statusOf('a')).phase).toBe('Success');
    expect(w.errors).toEqual([]);
    w.dispose();
  });

  it('a flush that fires while the task is being forgotten logs nothing: the remove wrote its status', async () => {
    // No back-off (maxDelay = delay), so the wait ends while the remove is in flight.
    const w = await setup(['a'], 1000, 1000);
    w.hold.add('a');
    w.statuses.update('ns/a', update(success(), true));
    // The sweeper forgets the task: its remove (the last status) is in flight when the wait ends.
    const removed = w.store.remove('ns/a')();
    await w.clock.advance(1000);
    w.statuses.forget('ns/a');
    w.release();
    expect(E.isRight(await removed)).toBe(true);
    await w.clock.advance(60_000);
    expect(w.errors).toEqual([]);
    expect((await w.statusOf('a')).phase).toBe('Success');
    w.dispose();
  });

  it('stop cancels every wait and names the tasks still waiting; flushNow writes them', async () => {
    const w = await setup(['a', 'b']);
    w.statuses.update('ns/a', update(running(0)));
    const pending = w.statuses.stop();
    expect(pending).toEqual(['ns/a']);
    await w.clock.advance(60_000);
    expect(w.writes.get('a')).toBeUndefined();
    await w.statuses.flushNow(pending);
    expect((await w.statusOf('a')).phase).toBe('Running');
    w.dispose();
  });

  it('an update a user would not see (not ahead of the status) arms nothing', async () => {
    const w = await setup(['a']);
    w.statuses.update('ns/a', update(running(0)));
    await w.clock.advance(1000);
    w.statuses.update('ns/a', update(queued(at, 0, 'late')));
    expect(w.statuses.isPending('ns/a')).toBe(false);
    await w.clock.advance(60_000);
    expect(w.writes.get('a')).toBe(1);
    w.dispose();
  });
});

describe('KeyedTimers', () => {
  it('one timer per key: a second set waits for the first, a cancelled one never fires', async () => {
    const clock = makeVirtualClock();
    const timers = new KeyedTimers(clock);
    const fired: string[] = [];
    expect(timers.setOnce('a', 100, () => fired.push('a1'))).toBe(true);
    expect(timers.setOnce('a', 10, () => fired.push('a2'))).toBe(false);
    timers.setOnce('b', 50, () => fired.push('b'));
    timers.cancel('b');
    await clock.advance(100);
    expect(fired).toEqual(['a1']);
    expect(timers.has('a')).toBe(false);
    // Fired: the key is free again.
    expect(timers.setOnce('a', 10, () => fired.push('a3'))).toBe(true);
    expect(timers.cancelAll()).toEqual(['a']);
    await clock.advance(100);
    expect(fired).toEqual(['a1']);
    clock.dispose();
  });

  it('one wait per task: a second phase joins the first wait, it does not restart it', async () => {
    const w = await setup(['a']);
    w.statuses.update('ns/a', update(queued(at, 0, 'queued')));
    await w.clock.advance(900);
    w.statuses.update('ns/a', update(running(0)));
    await w.clock.advance(100);
    expect(w.writes.get('a')).toBe(1);
    w.dispose();
  });
});
