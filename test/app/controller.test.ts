// The controller on the in-memory cluster: TaskExecutions run from the cluster alone, with their state in status.
import { afterEach, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { Controller } from '../../src/app/controller.js';
import { LEADER_GAUGE, leaseLeadership } from '../../src/app/lease-leadership.js';
import { makeVirtualClock, type VirtualClock } from '../../src/adapters/clock/index.js';
import { startKubelet, type Kubelet } from '../../src/adapters/kubelet/index.js';
import { makeMemoryCluster, taskExecutionKind, type MemoryCluster } from '../../src/adapters/memory/index.js';
import { makePromMetrics } from '../../src/adapters/observability/prom-metrics.js';
import type { KubeObject } from '../../src/domain/kubernetes.js';
import { FINALIZER } from '../../src/domain/object-metadata.js';
import { defaultPlatformConfig } from '../../src/domain/platform-config.js';
import {
  objectOfTask,
  statusOfObject,
  TASK_EXECUTION,
  TASK_EXECUTION_FINALIZER,
} from '../../src/domain/task-execution-resource.js';
import type { TaskExecutionStatus } from '../../src/domain/task-execution-status.js';
import type { TaskExecution } from '../../src/domain/task.js';
import { builtInRegistry } from '../../src/plugins/index.js';
import type { Leadership } from '../../src/app/leadership.js';
import type { ClusterPort } from '../../src/ports/cluster.js';
import { silentLogger, type Logger } from '../../src/ports/logger.js';

const NS = 'team-a';
const registry = builtInRegistry();
if (E.isLeft(registry)) throw new Error('registry');
const config = {
  ...defaultPlatformConfig,
  plugins: { k8s: { ...defaultPlatformConfig.plugins.k8s, 'inject-finalizer': true } },
};

const task = (action: string, scenario: string, retries = 0): TaskExecution => ({
  task: {
    id: { name: action },
    type: 'container',
    metadata: { retries },
    container: { image: 'busybox:1.36', command: ['true'] },
  },
  execution: {
    id: { run: 'r', action },
    namespace: NS,
    annotations: { 'kubetasks.dev/scenario': scenario },
  },
});

interface World {
  readonly clock: VirtualClock;
  readonly cluster: MemoryCluster;
  readonly kubelet: Kubelet;
}

const worlds: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of worlds.splice(0).reverse()) await close();
});

const world = async (): Promise<World> => {
  const clock = makeVirtualClock({ auto: true });
  const cluster = makeMemoryCluster({ clock, namespaces: [NS], kinds: [taskExecutionKind] });
  const kubelet = startKubelet({ cluster, clock });
  await kubelet.ready();
  worlds.push(async () => {
    await kubelet.stop();
    cluster.close();
    clock.dispose();
  });
  return { clock, cluster, kubelet };
};

const startController = (
  w: World,
  cluster: ClusterPort = w.cluster,
  leadership?: (metrics: ReturnType<typeof makePromMetrics>) => Leadership,
) => {
  const metrics = makePromMetrics();
  const controller = new Controller({
    cluster,
    clock: w.clock,
    registry: registry.right,
    config,
    metrics,
    statusDelay: 100,
    ...(leadership === undefined ? {} : { leadership: leadership(metrics) }),
  });
  const stop = new AbortController();
  const done = controller.run(stop.signal);
  const halt = async () => {
    stop.abort();
    await done;
  };
  worlds.push(halt);
  return { controller, metrics, halt, done };
};

const create = async (cluster: ClusterPort, o: KubeObject): Promise<KubeObject> => {
  const r = await cluster.create(o)();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const get = async (cluster: ClusterPort, name: string): Promise<KubeObject | undefined> => {
  const r = await cluster.get({ ...TASK_EXECUTION, namespace: NS, name })();
  return E.isRight(r) ? r.right : undefined;
};

const statusOf = async (cluster: ClusterPort, name: string): Promise<TaskExecutionStatus> => {
  const o = await get(cluster, name);
  return o === undefined ? {} : statusOfObject(o);
};

/** Lets virtual time pass until `cond` holds (or fails the test after a simulated hour). */
const until = async (w: World, what: string, cond: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 3600; i++) {
    if (await cond()) return;
    await w.clock.sleep(1000)();
  }
  throw new Error(`timed out waiting for ${what}`);
};

const final = (w: World, name: string) =>
  until(w, `${name} to end`, async () => (await statusOf(w.cluster, name)).completionTime !== undefined);

const podsOf = async (cluster: ClusterPort): Promise<KubeObject[]> => {
  const r = await cluster.list({ apiVersion: 'v1', kind: 'Pod' }, { namespace: NS })();
  if (E.isLeft(r)) throw new Error(r.left.message);
  return [...r.right.items];
};

describe('the controller on the in-memory cluster', () => {
  it.each([
    ['ok', 'succeed', 'Success', 'True', undefined],
    ['fails', 'exit:1', 'PermanentFailure', 'False', 'Error'],
    ['oom', 'oom', 'PermanentFailure', 'False', 'OOMKilled'],
  ])(
    '%s (%s) ends %s with Succeeded=%s, our finalizer off its pod',
    async (name, scenario, phase, cond, code) => {
      const w = await world();
      const { metrics } = startController(w);
      await create(w.cluster, objectOfTask(task(name, scenario), name));
      await final(w, name);
      const s = await statusOf(w.cluster, name);
      expect(s.phase).toBe(phase);
      expect(s.conditions?.find((c) => c.type === 'Succeeded')?.status).toBe(cond);
      if (code !== undefined) expect(s).toMatchObject({ reason: code, error: { code, kind: 'USER' } });
      expect(s.objects?.map((o) => o.kind)).toEqual(['Pod']);
      expect(s.startTime).toBeDefined();
      expect(s.state).toBeDefined();
      await until(w, 'our finalizer to go', async () =>
        (await podsOf(w.cluster)).every((p) => !(p.metadata?.finalizers ?? []).includes(FINALIZER)),
      );
      const written = await metrics.registry
        .getSingleMetric('kubetasks_taskexecution_status_writes_total')
        ?.get();
      const writes = (written?.values ?? []).reduce((n, v) => n + v.value, 0);
      // The state and the phases, coalesced: far fewer writes than observations.
      console.log(`${scenario}: ${writes} TaskExecution status writes`);
      expect(writes).toBeGreaterThan(0);
      // One per visible phase (Queued, Initializing, Running: a simulated second apart) plus the create, with the outcome
      // riding on the state write before the finalizer removal.
      expect(writes).toBeLessThanOrEqual(5);
    },
  );

  it('a TaskExecution that does not decode fails as a permanent USER error naming the path; others run', async () => {
    const w = await world();
    startController(w);
    const bad = objectOfTask(task('bad', 'succeed'), 'bad');
    const spec = bad['spec'] as { task: Record<string, unknown> };
    await create(w.cluster, {
      ...bad,
      spec: { ...spec, task: { ...spec.task, container: { command: ['x'] } } },
    });
    await create(w.cluster, objectOfTask(task('good', 'succeed'), 'good'));
    await final(w, 'bad');
    await final(w, 'good');
    const s = await statusOf(w.cluster, 'bad');
    expect(s).toMatchObject({
      phase: 'PermanentFailure',
      reason: 'BadTaskExecution',
      error: { code: 'BadTaskExecution', kind: 'USER' },
    });
    expect(s.message).toContain('spec.task.container.image: missing');
    expect(s.conditions?.[0]).toMatchObject({ type: 'Succeeded', status: 'False' });
    expect((await statusOf(w.cluster, 'good')).phase).toBe('Success');
  });

  it('the id defaults from the name and the finalizer is added to a TaskExecution created without it', async () => {
    const w = await world();
    startController(w);
    const o = objectOfTask(task('x', 'succeed'), 'plain');
    const spec = o['spec'] as { task: unknown };
    await create(w.cluster, { ...o, metadata: { name: 'plain', namespace: NS }, spec: { task: spec.task } });
    await final(w, 'plain');
    const got = await get(w.cluster, 'plain');
    expect(got?.metadata?.finalizers).toEqual([TASK_EXECUTION_FINALIZER]);
    expect(statusOfObject(got!).objects?.[0]?.name).toMatch(/^plain-a0-0/);
  });

  it('a restarted controller resumes from the cluster alone: one pod, the same outcome', async () => {
    const w = await world();
    const first = startController(w);
    await create(w.cluster, objectOfTask(task('long', 'succeed'), 'long'));
    await until(w, 'a pod', async () => (await podsOf(w.cluster)).length === 1);
    const pod = (await podsOf(w.cluster))[0]?.metadata?.uid;
    await first.halt();
    const second = startController(w);
    await final(w, 'long');
    expect((await statusOf(w.cluster, 'long')).phase).toBe('Success');
    const pods = await podsOf(w.cluster);
    // The one pod was followed to its end (and deleted), never created again.
    expect(pods.every((p) => p.metadata?.uid === pod)).toBe(true);
    // Settled tasks are dropped from memory, whether they ended under this controller or were resumed finished.
    await until(w, 'the second to forget it', () =>
      Promise.resolve(second.controller.manager?.taskCount === 0),
    );
    await second.halt();
    const third = startController(w);
    await until(w, 'the third to lead', () => Promise.resolve(third.controller.manager !== undefined));
    expect(third.controller.manager?.taskCount).toBe(1);
    await until(w, 'the third to forget it', () =>
      Promise.resolve(third.controller.manager?.taskCount === 0),
    );
    expect((await statusOf(w.cluster, 'long')).phase).toBe('Success');
  });

  it('a controller asked to stop right after an outcome writes it before it lets go: the status delay loses nothing', async () => {
    const w = await world();
    const first = startController(w);
    await until(w, 'leading', () => Promise.resolve(first.controller.manager !== undefined));
    // Stopped the moment the outcome is emitted: its status write is still waiting out the status delay.
    first.controller.manager!.subscribe((u) => {
      if (u.final) void first.halt();
    });
    await create(w.cluster, objectOfTask(task('quick', 'succeed'), 'quick'));
    expect(await first.done).toEqual({ _tag: 'Stopped' });
    // Before: the pending write was cancelled, and the next leader, resuming from the finished state, never wrote it.
    expect(await statusOf(w.cluster, 'quick')).toMatchObject({ phase: 'Success' });
    expect((await statusOf(w.cluster, 'quick')).completionTime).toBeDefined();
  });

  it('a settled task dropped from memory leaves no status write waiting behind it (no "not tracked" error)', async () => {
    // Seen on kube-apiserver (test/cluster/handover.test.ts): the sweeper forgot a task whose last phase was still
    // waiting out the status delay; forgetting wrote it, and the waiting write then failed for an untracked task.
    const w = await world();
    const errors: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`),
      child: () => logger,
    };
    const controller = new Controller({
      cluster: w.cluster,
      clock: w.clock,
      registry: registry.right,
      config,
      logger,
      statusDelay: 60_000,
      sweepPeriod: 100,
    });
    const stop = new AbortController();
    const done = controller.run(stop.signal);
    worlds.push(async () => {
      stop.abort();
      await done;
    });
    await create(w.cluster, objectOfTask(task('swept', 'succeed'), 'swept'));
    await final(w, 'swept');
    await until(w, 'it to be forgotten', () => Promise.resolve(controller.manager?.taskCount === 0));
    await w.clock.sleep(120_000)();
    expect(errors).toEqual([]);
    expect(await statusOf(w.cluster, 'swept')).toMatchObject({ phase: 'Success' });
  });

  it('a leader that finds an outcome in the state but not in the status (its predecessor died between) shows it', async () => {
    const w = await world();
    const first = startController(w);
    await create(w.cluster, objectOfTask(task('died', 'exit:1'), 'died'));
    await final(w, 'died');
    await first.halt();
    // What kill -9 leaves when it falls between the state write and the status write of the outcome.
    const r = await w.cluster.patchStatus(
      { ...TASK_EXECUTION, namespace: NS, name: 'died' },
      {
        type: 'merge',
        body: {
          status: { phase: 'Running', completionTime: null, error: null, reason: '', conditions: null },
        },
      },
    )();
    expect(E.isRight(r)).toBe(true);
    expect((await statusOf(w.cluster, 'died')).completionTime).toBeUndefined();
    startController(w);
    // Before: nothing emitted the outcome again, and the TaskExecution showed Running for ever.
    for (let i = 0; i < 60 && (await statusOf(w.cluster, 'died')).completionTime === undefined; i++)
      await w.clock.sleep(1000)();
    expect(await statusOf(w.cluster, 'died')).toMatchObject({
      phase: 'PermanentFailure',
      error: { code: 'Error', kind: 'USER' },
    });
    expect((await statusOf(w.cluster, 'died')).completionTime).toBeDefined();
  });

  it('deleting a TaskExecution aborts its task; the finalizers go, then the object', async () => {
    const w = await world();
    startController(w);
    await create(w.cluster, objectOfTask(task('stuck', 'stuck-pending'), 'stuck'));
    await until(w, 'a pod', async () => (await podsOf(w.cluster)).length === 1);
    expect((await podsOf(w.cluster))[0]?.metadata?.finalizers).toContain(FINALIZER);
    const r = await w.cluster.delete({ ...TASK_EXECUTION, namespace: NS, name: 'stuck' })();
    expect(E.isRight(r) && r.right.removed).toBe(false);
    await until(w, 'the TaskExecution to go', async () => (await get(w.cluster, 'stuck')) === undefined);
    await until(w, 'the pod to go', async () => (await podsOf(w.cluster)).length === 0);
  });

  it('readiness follows the cache; health follows the loop', async () => {
    const w = await world();
    const { controller, halt } = startController(w);
    await until(w, 'ready', () => Promise.resolve(controller.isReady()));
    expect(controller.isHealthy()).toBe(true);
    expect(controller.isLeader()).toBe(true);
    await halt();
    expect(controller.isReady()).toBe(false);
    expect(controller.isLeader()).toBe(false);
  });

  it("leader state is one gauge: the election's, leader_election_master_status", async () => {
    const w = await world();
    const { controller, metrics, halt } = startController(w, w.cluster, (m) =>
      leaseLeadership({
        cluster: w.cluster,
        clock: w.clock,
        lease: { namespace: NS, name: 'kubetasks-controller' },
        identity: 'a',
        metrics: m,
      }),
    );
    await until(w, 'leading', () => Promise.resolve(controller.isLeader()));
    const leaderGauges = async () =>
      (await metrics.registry.getMetricsAsJSON())
        .filter((m) => m.name.includes('leader') && String(m.type) === 'gauge')
        .map((m) => ({ name: m.name, values: m.values.map((v) => ({ labels: v.labels, value: v.value })) }));
    const gauge = (value: number) => [
      { name: LEADER_GAUGE, values: [{ labels: { name: 'kubetasks-controller' }, value }] },
    ];
    expect(await leaderGauges()).toEqual(gauge(1));
    await halt();
    expect(await leaderGauges()).toEqual(gauge(0));
  });
});
