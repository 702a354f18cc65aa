// The simulated spark-operator end to end: SparkApplications built by the plugin, run on the memory cluster and kubelet.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../src/adapters/clock/index.js';
import type { MemoryCluster } from '../../../src/adapters/memory/index.js';
import { builtInOperators } from '../../../src/adapters/operators/index.js';
import { sparkOperator } from '../../../src/adapters/operators/spark.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata, MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { sparkPlugin } from '../../../src/plugins/spark/plugin.js';
import { SPARK_NAMESPACE, sparkTask as task } from './tasks.js';
import { startOperatorWorld, type OperatorWorld } from './world.js';

const NS = SPARK_NAMESPACE;

let world: OperatorWorld;
let clock: VirtualClock;
let memory: MemoryCluster;

beforeEach(async () => {
  world = await startOperatorWorld({
    namespace: NS,
    kinds: [
      {
        apiVersion: 'sparkoperator.k8s.io/v1beta2',
        kind: 'SparkApplication',
        plural: 'sparkapplications',
        statusSubresource: true,
      },
    ],
    operators: [sparkOperator],
  });
  ({ clock, memory } = world);
});

afterEach(() => world.close());

/** Builds the application as the plugin and the manager would, creates it, and returns it as stored. */
const submit = (te: TaskExecution): Promise<KubeObject> => world.submit(sparkPlugin, te);

const current = (o: KubeObject): Promise<KubeObject> => world.current(o);

const podsOf = (app: KubeObject): Promise<Pod[]> =>
  world.pods((p) => p.metadata?.labels?.['sparkoperator.k8s.io/app-name'] === app.metadata?.name);

const stateOf = (app: KubeObject): string =>
  (app as { status?: { applicationState?: { state?: string } } }).status?.applicationState?.state ?? '(none)';

const runUntil = (o: KubeObject, ok: (o: KubeObject) => boolean) => world.runUntil(o, stateOf, ok);

const finished = (a: KubeObject): boolean => ['COMPLETED', 'FAILED'].includes(stateOf(a));

/** The plugin's answer with the related pods the manager would supply (answered from its watch cache). */
const phaseOf = (app: KubeObject, config?: PlatformConfig): Promise<PhaseInfo> =>
  world.phaseOf(sparkPlugin, app, config);

describe('the simulated spark-operator', () => {
  it('is registered among the built-in operators', () => {
    expect(builtInOperators.map((o) => o.kind.kind)).toContain('SparkApplication');
  });

  it('success: driver then executors with Spark names, labels and owner; SUBMITTED → RUNNING → SUCCEEDING → COMPLETED', async () => {
    const app = await submit(task('ok1', {}));
    const name = app.metadata?.name ?? '';
    const { final, seen } = await runUntil(app, finished);
    // SUCCEEDING lasts one reconcile, too short to be sampled here (the status unit tests see it).
    expect(seen).toEqual(expect.arrayContaining(['SUBMITTED', 'RUNNING', 'COMPLETED']));
    expect(seen.at(-1)).toBe('COMPLETED');
    const pods = await podsOf(final);
    expect(pods.map((p) => p.metadata?.name)).toEqual([`${name}-driver`, `${name}-exec-1`, `${name}-exec-2`]);
    const [driver, exec1] = pods;
    expect(driver?.metadata?.labels).toMatchObject({
      'spark-role': 'driver',
      'sparkoperator.k8s.io/app-name': name,
      [MANAGED_LABEL]: 'true',
      team: 'data',
    });
    expect(exec1?.metadata?.labels).toMatchObject({
      'spark-role': 'executor',
      'spark-exec-id': '1',
      [MANAGED_LABEL]: 'true',
    });
    expect(driver?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'SparkApplication', name, uid: app.metadata?.uid, controller: true }),
    ]);
    expect(driver?.spec?.containers.map((c) => c.name)).toEqual(['spark-kubernetes-driver']);
    expect(exec1?.spec?.containers.map((c) => c.name)).toEqual(['spark-kubernetes-executor']);
    const status = final['status'] as Record<string, unknown>;
    expect(status['driverInfo']).toMatchObject({ podName: `${name}-driver` });
    expect(status['sparkApplicationId']).toMatch(/^spark-[0-9a-f]{32}$/);
    expect(status['terminationTime']).toBeDefined();
    expect(Object.keys(status['executorState'] as object)).toEqual([`${name}-exec-1`, `${name}-exec-2`]);
    const pi = await phaseOf(final);
    expect(pi.phase).toBe('Success');
    expect(sparkPlugin.isTerminal(final)).toBe(true);
  });

  it('user failure (exit:1 in the driver): FAILED, the driver pod decides the error', async () => {
    const app = await submit(task('fail1', { 'kubetasks.dev/scenario': 'exit:1' }));
    const { final, seen } = await runUntil(app, finished);
    expect(seen.at(-1)).toBe('FAILED');
    expect(
      (final['status'] as { applicationState: { errorMessage: string } }).applicationState.errorMessage,
    ).toBe('driver container failed with ExitCode: 1, Reason: Error');
    const pi = await phaseOf(final);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toMatchObject({ code: 'Error', kind: 'USER' });
    expect(pi.error?.message).toMatch(/^Spark driver pod .*-driver: /);
  });

  it('OOM in a worker (scenario role executor): the application fails with the executor named', async () => {
    const app = await submit(
      task('oom1', {
        'kubetasks.dev/scenario': 'oom',
        'kubetasks.dev/scenario-role': 'executor',
        'kubetasks.dev/run-duration': '5s',
      }),
    );
    const { final } = await runUntil(app, finished);
    expect(stateOf(final)).toBe('FAILED');
    const message = (final['status'] as { applicationState: { errorMessage: string } }).applicationState
      .errorMessage;
    expect(message).toMatch(/^executor .*-exec-\d failed with ExitCode: 137, Reason: OOMKilled$/);
    const pi = await phaseOf(final);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toMatchObject({ code: 'DownstreamSystemError', kind: 'USER' });
    expect(pi.error?.message).toContain('OOMKilled');
  });

  it('OOM in the driver (the default scenario role) is OOMKilled', async () => {
    const app = await submit(task('oom2', { 'kubetasks.dev/scenario': 'oom' }));
    const { final } = await runUntil(app, finished);
    expect(stateOf(final)).toBe('FAILED');
    const pi = await phaseOf(final);
    expect(pi.error).toMatchObject({ code: 'OOMKilled', kind: 'USER' });
  });

  it('preemption of a worker: Spark asks for the executor again and the job still completes', async () => {
    const app = await submit(
      task(
        'pre1',
        {
          'kubetasks.dev/scenario': 'preempted',
          'kubetasks.dev/scenario-role': 'executor',
          'kubetasks.dev/run-duration': '3s',
        },
        1,
      ),
    );
    const { final } = await runUntil(app, finished);
    expect(stateOf(final)).toBe('COMPLETED');
    expect((await phaseOf(final)).phase).toBe('Success');
  });

  it('preemption of the driver fails the application ("driver pod not found" once it is gone)', async () => {
    const app = await submit(task('pre2', { 'kubetasks.dev/scenario': 'preempted' }));
    const { final } = await runUntil(app, finished);
    expect(stateOf(final)).toBe('FAILED');
    const pi = await phaseOf(final);
    expect(pi.phase).toBe('RetryableFailure');
  });

  it('pending forever: SUBMITTED and Initializing, until pod-pending-timeout fails it', async () => {
    const app = await submit(task('stuck1', { 'kubetasks.dev/scenario': 'stuck-pending' }));
    const { final } = await runUntil(app, (a) => stateOf(a) === 'SUBMITTED');
    await clock.advance(60_000);
    const later = await current(final);
    expect(stateOf(later)).toBe('SUBMITTED');
    expect((await podsOf(later)).map((p) => p.status?.phase)).toEqual(['Pending']);
    expect((await phaseOf(later)).phase).toBe('Initializing');
    const strict: PlatformConfig = {
      ...defaultPlatformConfig,
      plugins: {
        ...defaultPlatformConfig.plugins,
        k8s: { ...defaultPlatformConfig.plugins.k8s, 'pod-pending-timeout': 30_000 },
      },
    };
    const pi = await phaseOf(later, strict);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('PodPendingTimeout');
  });

  it('deleting the application deletes its pods', async () => {
    const app = await submit(task('del1', { 'kubetasks.dev/run-duration': '30s' }));
    await runUntil(app, (a) => stateOf(a) === 'RUNNING');
    await runUntil(app, () => true);
    const r = await memory.delete({
      apiVersion: app.apiVersion,
      kind: app.kind,
      namespace: NS,
      name: app.metadata?.name ?? '',
    })();
    expect(E.isRight(r)).toBe(true);
    for (let i = 0; i < 50 && (await podsOf(app)).length > 0; i++) await clock.advance(200);
    expect(await podsOf(app)).toEqual([]);
  });
});

describe('the operator as pure functions', () => {
  const built = (() => {
    const ctx: BuildContext = { task: task('pure', {}), config: defaultPlatformConfig };
    const b = sparkPlugin.buildResource(ctx);
    if (E.isLeft(b)) throw new Error(b.left.message);
    const a = addObjectMetadata(ctx, sparkPlugin.properties, b.right);
    return { ...a, metadata: { ...a.metadata, uid: 'uid-1' } } as KubeObject;
  })();
  const name = built.metadata?.name ?? '';
  const withStatus = (status: unknown): KubeObject => ({ ...built, status });
  const driver = (phase: string, exitCode?: number): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${name}-driver`, labels: { 'spark-role': 'driver' } },
    spec: { containers: [{ name: 'spark-kubernetes-driver' }] },
    status: {
      phase,
      ...(exitCode === undefined
        ? {}
        : {
            containerStatuses: [
              {
                name: 'spark-kubernetes-driver',
                image: 'x',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } },
              },
            ],
          }),
    },
  });
  const T = Date.parse('2026-05-01T00:00:00Z');
  const step = (status: unknown, pods: Pod[]) => sparkOperator.status(withStatus(status), pods, T);
  const state = (s: unknown): string => (s as { applicationState: { state: string } }).applicationState.state;

  it('desires the driver while NEW, executors only while the driver runs', () => {
    expect(sparkOperator.desiredPods(built, [], T).map((p) => p.metadata?.name)).toEqual([`${name}-driver`]);
    const running = withStatus({ applicationState: { state: 'RUNNING' }, driverInfo: {} });
    expect(sparkOperator.desiredPods(running, [driver('Running')], T).map((p) => p.metadata?.name)).toEqual([
      `${name}-exec-1`,
      `${name}-exec-2`,
    ]);
    expect(sparkOperator.desiredPods(running, [driver('Succeeded', 0)], T)).toEqual([]);
    expect(sparkOperator.desiredPods(withStatus({ applicationState: { state: 'FAILED' } }), [], T)).toEqual(
      [],
    );
  });

  it('writes nothing before it sees the driver, then one state per step', () => {
    expect(sparkOperator.status(built, [], T)).toBeUndefined();
    const submitted = sparkOperator.status(built, [driver('Pending')], T);
    expect(state(submitted)).toBe('SUBMITTED');
    expect(submitted).toMatchObject({ driverInfo: { podName: `${name}-driver` }, submissionAttempts: 1 });
    expect(submitted).not.toHaveProperty('sparkApplicationId');
    expect(step(submitted, [driver('Pending')])).toEqual(submitted);
    const running = step(submitted, [driver('Running')]);
    expect(state(running)).toBe('RUNNING');
    expect(running).toHaveProperty('sparkApplicationId');
    const succeeding = step(running, [driver('Succeeded', 0)]);
    expect(state(succeeding)).toBe('SUCCEEDING');
    const completed = step(succeeding, [driver('Succeeded', 0)]);
    expect(state(completed)).toBe('COMPLETED');
    expect(completed).toHaveProperty('terminationTime', '2026-05-01T00:00:00Z');
    expect(step(completed, [driver('Succeeded', 0)])).toBeUndefined();
  });

  it('fails through FAILING, keeping the error message; a vanished driver is "driver pod not found"', () => {
    const running = { applicationState: { state: 'RUNNING' }, driverInfo: { podName: `${name}-driver` } };
    const failing = step(running, [driver('Failed', 1)]);
    expect(failing).toMatchObject({
      applicationState: {
        state: 'FAILING',
        errorMessage: 'driver container failed with ExitCode: 1, Reason: Error',
      },
    });
    expect(step(failing, [driver('Failed', 1)])).toMatchObject({
      applicationState: {
        state: 'FAILED',
        errorMessage: 'driver container failed with ExitCode: 1, Reason: Error',
      },
    });
    expect(step(running, [])).toMatchObject({
      applicationState: { state: 'FAILING', errorMessage: 'driver pod not found' },
    });
  });
});
