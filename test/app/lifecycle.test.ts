// The plugin manager end to end on the in-memory cluster: every kubelet scenario, abort, crash and resume, quota.
import { afterEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFileStateStore } from '../../src/adapters/state-store/index.js';
import { Manager } from '../../src/app/manager.js';
import { silentLogger, type Logger } from '../../src/ports/logger.js';
import { noopMetrics, type Metrics } from '../../src/ports/metrics.js';
import { statusError } from '../../src/domain/api-error.js';
import { abortingRegistry, STOPPED_LABEL } from '../support/abort-plugins.js';
import { readState } from '../../src/domain/lifecycle/state.js';
import { toV1 } from '../domain/lifecycle/state-arbitraries.js';
import { configWith, leakedFinalizers, makeWorld, NAMESPACE, podTask, type World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const phasesOf = (w: World, taskId: string): string[] =>
  w.updates.filter((u) => u.taskId === taskId).map((u) => `${u.attempt}:${u.phaseInfo.phase}`);

describe('kubelet scenarios end to end', () => {
  it.each([
    ['succeed', 'Success', undefined, undefined],
    ['exit:3', 'PermanentFailure', 'Error', 'USER'],
    ['oom', 'PermanentFailure', 'OOMKilled', 'USER'],
    ['image-pull-backoff', 'PermanentFailure', 'ContainersNotReady|ImagePullBackOff', 'USER'],
    ['invalid-image', 'PermanentFailure', 'ContainersNotReady|InvalidImageName', 'USER'],
    [
      'create-container-config-error',
      'PermanentFailure',
      'ContainersNotReady|CreateContainerConfigError',
      'USER',
    ],
    ['node-shutdown', 'PermanentFailure', 'MaxSystemFailuresExceeded', 'SYSTEM'],
    ['evicted', 'PermanentFailure', undefined, undefined],
    ['preempted', 'PermanentFailure', 'MaxSystemFailuresExceeded', 'SYSTEM'],
  ] as const)('%s → %s %s', async (scenario, phase, code, kind) => {
    world = await makeWorld();
    expect(world.manager.submit('t', podTask('a', scenario))).toEqual(E.right(undefined));
    const final = await world.manager.awaitFinal('t');
    await world.manager.idle();
    expect(final.phase).toBe(phase);
    if (code !== undefined) expect(final.error?.code).toBe(code);
    if (kind !== undefined) expect(final.error?.kind).toBe(kind);
    expect(phasesOf(world, 't').at(-1)).toBe(`0:${phase}`);
    expect(await leakedFinalizers(world.memory)).toEqual([]);
    expect([...world.cluster.creates.values()].every((n) => n === 1)).toBe(true);
    expect(world.cluster.calls.get('get') ?? 0).toBe(0);
  });

  it('stuck-pending with a pending timeout fails as a system error and deletes the pod', async () => {
    world = await makeWorld({
      ...configWith(true, { 'max-system-failures': 0 }),
      plugins: { k8s: { ...configWith(true).plugins.k8s, 'pod-pending-timeout': 120_000 } },
    });
    world.manager.submit('t', podTask('a', 'unschedulable'));
    const final = await world.manager.awaitFinal('t');
    await world.manager.idle();
    expect(final.error?.code).toBe('MaxSystemFailuresExceeded');
    expect(final.error?.message).toContain('PodPendingTimeout');
    expect(world.cluster.calls.get('delete')).toBeGreaterThanOrEqual(1);
  });

  it('retries a user failure under a new name when attempts remain', async () => {
    world = await makeWorld();
    world.manager.submit('t', podTask('a', 'exit:1', {}, 2));
    const final = await world.manager.awaitFinal('t');
    await world.manager.idle();
    expect(final.phase).toBe('PermanentFailure');
    expect([...world.cluster.creates.keys()].sort()).toEqual(['r1-a-0', 'r1-a-1', 'r1-a-2']);
    expect(await leakedFinalizers(world.memory)).toEqual([]);
  });

  it('keeps writes per successful task at create + finalizer removal', async () => {
    world = await makeWorld();
    world.manager.submit('t', podTask('a', 'succeed'));
    await world.manager.awaitFinal('t');
    await world.manager.idle();
    const writes = ['create', 'patch', 'update', 'delete'].reduce(
      (n, v) => n + (world!.cluster.calls.get(v) ?? 0),
      0,
    );
    expect(writes).toBeLessThanOrEqual(3);
    expect(world.cluster.calls.get('create')).toBe(1);
  });
});

describe('abort', () => {
  it.each([0, 500, 1500, 2500])(
    'aborting %d ms after submit ends Aborted with nothing left behind',
    async (after) => {
      world = await makeWorld();
      world.manager.submit('t', podTask('a', 'succeed'));
      await world.clock.advance(after);
      world.manager.abort('t', 'user');
      const final = await world.manager.awaitFinal('t');
      await world.manager.idle();
      expect(['Aborted', 'Success']).toContain(final.phase);
      expect(await leakedFinalizers(world.memory)).toEqual([]);
    },
  );

  it('a running task is aborted and its pod deleted', async () => {
    world = await makeWorld();
    world.manager.submit('t', podTask('a', 'stuck-pending'));
    await world.clock.advance(5000);
    world.manager.abort('t', 'user');
    const final = await world.manager.awaitFinal('t');
    await world.manager.idle();
    expect(final.phase).toBe('Aborted');
    expect(world.cluster.calls.get('delete')).toBe(1);
  });
});

describe("abort honours the plugin's behaviour", () => {
  const podNamed = async (w: World, name: string) => {
    const r = await w.memory.get({ apiVersion: 'v1', kind: 'Pod', namespace: NAMESPACE, name })();
    return E.isRight(r) ? r.right : undefined;
  };
  const abortRunning = async (w: World): Promise<string> => {
    w.manager.submit('t', podTask('a', 'stuck-pending'));
    await w.clock.advance(5000);
    w.manager.abort('t', 'user');
    const final = await w.manager.awaitFinal('t');
    await w.manager.idle();
    return final.phase;
  };

  it.each(['patch', 'update'] as const)(
    '%s: the pod is changed, not deleted, even when the first answer is lost and the abort is retried',
    async (kind) => {
      world = await makeWorld(undefined, { registry: abortingRegistry(kind, false) });
      const w = world;
      let lost = false;
      w.cluster.loseAnswer = (verb) => {
        if (verb !== 'patch' && verb !== 'update') return undefined;
        if (lost) return undefined;
        lost = true;
        return statusError('Timeout', 'the server was unable to return a response in time');
      };
      expect(await abortRunning(w)).toBe('Aborted');
      expect(lost).toBe(true);
      expect(w.cluster.calls.get('delete') ?? 0).toBe(0);
      const pod = await podNamed(w, 'r1-a-0');
      expect(pod?.metadata?.labels?.[STOPPED_LABEL]).toBe('true');
      expect(await leakedFinalizers(w.memory)).toEqual([]);
    },
  );

  it.each([
    [false, true],
    [true, false],
  ])('a patch the server refuses, deleteOnError=%s: the pod is kept: %s', async (deleteOnError, kept) => {
    world = await makeWorld(configWith(true, { 'max-system-failures': 2 }), {
      registry: abortingRegistry('bad-patch', deleteOnError),
    });
    const w = world;
    expect(await abortRunning(w)).toBe('Aborted');
    await w.clock.advance(60_000);
    await w.manager.idle();
    expect((await podNamed(w, 'r1-a-0')) !== undefined).toBe(kept);
    expect(await leakedFinalizers(w.memory)).toEqual([]);
  });
});

describe('crash and resume', () => {
  const runWithCrashAt = async (
    k: number,
  ): Promise<{ final: string; creates: Map<string, number>; leaked: string[] }> => {
    const w = await makeWorld();
    world = w;
    let writes = 0;
    let crashed = false;
    w.cluster.beforeWrite = () => {
      writes++;
      if (writes === k && !crashed) {
        crashed = true;
        // The process dies right before this write reaches the server: nothing after the stored state survives.
        void w.manager.stop();
      }
    };
    w.manager.submit('t', podTask('a', 'exit:1', {}, 1));
    if (k > 0) {
      // Wait until the crash happened, or the run ended without reaching write k.
      for (let i = 0; i < 200 && !crashed && w.manager.current('t')?.phase !== 'PermanentFailure'; i++) {
        await w.clock.advance(500);
      }
    }
    if (crashed) w.manager = await w.newManager();
    const final = await Promise.race([
      w.manager.awaitFinal('t'),
      (async () => {
        await w.clock.advance(30 * 60_000);
        return w.manager.current('t');
      })(),
    ]);
    await w.manager.idle();
    return {
      final: final?.phase ?? 'none',
      creates: w.cluster.creates,
      leaked: await leakedFinalizers(w.memory),
    };
  };

  it.each([1, 2, 3, 4, 5, 6, 7])(
    'a crash before write %d loses no task, creates nothing twice, leaks no finalizer',
    async (k) => {
      const r = await runWithCrashAt(k);
      expect(r.final).toBe('PermanentFailure');
      expect([...r.creates.values()].every((n) => n === 1)).toBe(true);
      expect(r.leaked).toEqual([]);
    },
  );

  it('an unknown stored state version is a permanent SYSTEM failure, not a crash', async () => {
    world = await makeWorld();
    await world.store.put({ taskId: 'old', task: podTask('x', 'succeed'), state: { version: 99 } })();
    world.manager = await world.newManager();
    const final = await world.manager.awaitFinal('old');
    expect(final.error).toMatchObject({
      code: 'CorruptedPluginState',
      kind: 'SYSTEM',
      message: 'plugin state version mismatch expected [2] got [99]',
    });
  });

  it('a task stored by version 1 (before a crash) is migrated and resumed: it finishes, nothing is created twice', async () => {
    world = await makeWorld();
    const w = world;
    w.manager.submit('t', podTask('a', 'succeed'));
    await w.manager.idle();
    const stored = await w.store.list()();
    const record = E.isRight(stored) ? stored.right.tasks.find((r) => r.taskId === 't') : undefined;
    if (record === undefined) throw new Error('the task was not stored');
    const state = readState(record.state);
    if (E.isLeft(state)) throw new Error('the stored state is unreadable');
    // The pod exists and the state says so; it is written back as version 1 would have written it.
    expect(state.right.owned.map((o) => o._tag)).toEqual(['Live']);
    await w.store.put({ ...record, state: toV1(state.right) })();
    world.manager = await world.newManager();
    const final = await world.manager.awaitFinal('t');
    await world.manager.idle();
    expect(final.phase).toBe('Success');
    expect([...w.cluster.creates.values()]).toEqual([1]);
    expect(await leakedFinalizers(w.memory)).toEqual([]);
  });
});

describe('resume from the file store', () => {
  it('resumes every readable task after a crash; an unreadable record is logged, counted and left in place', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kubetasks-resume-'));
    try {
      const errors: Array<[string, Readonly<Record<string, unknown>> | undefined]> = [];
      const counted: string[] = [];
      const logger: Logger = {
        ...silentLogger,
        error: (message, fields) => void errors.push([message, fields]),
        child: () => logger,
      };
      const metrics: Metrics = {
        ...noopMetrics,
        increment: (name, labels) => void counted.push(`${name}${JSON.stringify(labels ?? {})}`),
      };
      world = await makeWorld(configWith(true), { store: makeFileStateStore(dir), logger, metrics });
      world.manager.submit('survivor', podTask('survivor', 'succeed'));
      await world.manager.idle();
      await writeFile(join(dir, 'garbage.json'), 'not json');
      // A crash: the old manager is dropped without stopping; a new one starts from the files.
      world.manager = await world.newManager();
      const final = await world.manager.awaitFinal('survivor');
      expect(final.phase).toBe('Success');
      expect(errors).toContainEqual([
        'stored task record is unreadable; left in place, not resumed',
        { location: join(dir, 'garbage.json'), message: 'not valid JSON (8 characters)' },
      ]);
      expect(counted).toContain('kubetasks_state_store_errors_total{"operation":"read"}');
      expect(await readdir(dir)).toContain('garbage.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resource quota', () => {
  it('waits for resources with back-off while a quota is full, then runs every task', async () => {
    world = await makeWorld();
    const quota = await world.memory.create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: NAMESPACE },
      spec: { hard: { 'requests.cpu': '250m' } },
    })();
    expect(E.isRight(quota)).toBe(true);
    for (const a of ['a', 'b', 'c', 'd']) world.manager.submit(a, podTask(a, 'succeed'));
    const finals = await Promise.all(['a', 'b', 'c', 'd'].map((a) => world!.manager.awaitFinal(a)));
    await world.manager.idle();
    expect(finals.map((f) => f.phase)).toEqual(['Success', 'Success', 'Success', 'Success']);
    expect(world.updates.some((u) => u.phaseInfo.phase === 'WaitingForResources')).toBe(true);
  });

  it('a task asking for more than the quota allows fails fast', async () => {
    world = await makeWorld();
    await world.memory.create({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: NAMESPACE },
      spec: { hard: { 'requests.cpu': '50m' } },
    })();
    world.manager.submit('big', podTask('big', 'succeed'));
    const final = await world.manager.awaitFinal('big');
    expect(final.error).toMatchObject({ code: 'ResourceRequestsExceedLimits', kind: 'USER' });
  });
});

describe('programmatic API', () => {
  it('refuses duplicate ids and unknown plugins as values', async () => {
    world = await makeWorld();
    expect(world.manager.submit('t', podTask('a', 'succeed'))).toEqual(E.right(undefined));
    expect(world.manager.submit('t', podTask('a', 'succeed'))).toEqual(
      E.left({ _tag: 'DuplicateTask', taskId: 't' }),
    );
    expect(world.manager).toBeInstanceOf(Manager);
  });
});

describe('forgetting settled tasks', () => {
  it('drops a settled task from memory and the store, and keeps one that is still running', async () => {
    world = await makeWorld();
    world.manager.submit('done', podTask('done', 'succeed'));
    world.manager.submit('busy', podTask('busy', 'stuck-pending'));
    await world.manager.awaitFinal('done');
    await world.manager.idle();
    expect(await world.manager.forget('busy')).toBe(false);
    expect(await world.manager.forget('done')).toBe(true);
    expect(world.manager.state('done')).toBeUndefined();
    const stored = await world.store.list()();
    expect(E.isRight(stored) && stored.right.tasks.map((r) => r.taskId)).toEqual(['busy']);
  });
});
