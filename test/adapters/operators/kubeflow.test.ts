// The simulated training operator end to end: jobs built by the plugins, run on the memory cluster and kubelet.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../src/adapters/clock/index.js';
import type { MemoryCluster } from '../../../src/adapters/memory/index.js';
import { Informer } from '../../../src/app/informer.js';
import { kubeflowOperators } from '../../../src/adapters/operators/kubeflow.js';
import { builtInOperators } from '../../../src/adapters/operators/index.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import type { Plugin } from '../../../src/domain/plugin.js';
import { startOperatorWorld, type OperatorWorld } from './world.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';

const NS = 'ml';
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

let world: OperatorWorld;
let clock: VirtualClock;
let memory: MemoryCluster;

beforeEach(async () => {
  world = await startOperatorWorld({
    namespace: NS,
    kinds: [
      { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', plural: 'pytorchjobs', statusSubresource: true },
      { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', plural: 'tfjobs', statusSubresource: true },
      { apiVersion: 'kubeflow.org/v1', kind: 'MPIJob', plural: 'mpijobs', statusSubresource: true },
    ],
    operators: kubeflowOperators,
  });
  ({ clock, memory } = world);
});

afterEach(() => world.close());

const task = (
  type: string,
  custom: Record<string, unknown>,
  run: string,
  annotations: Record<string, string>,
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type,
    container: { image: 'ghcr.io/example/trainer:v1', command: ['python', 'train.py'] },
    custom,
  },
  execution: { id: { run, action: 'train', project: 'p', domain: 'd' }, namespace: NS, annotations },
});

/** Builds the job as the plugin and the manager would, creates it, and returns it as stored. */
const submit = (plugin: Plugin, te: TaskExecution): Promise<KubeObject> => world.submit(plugin, te);

const current = (o: KubeObject): Promise<KubeObject> => world.current(o);

const podsOf = (job: KubeObject): Promise<Pod[]> =>
  world.pods((p) => p.metadata?.labels?.['training.kubeflow.org/job-name'] === job.metadata?.name);

type Cond = { type: string; status: string; reason?: string; message?: string };
const conditionsOf = (job: KubeObject): Cond[] =>
  (job as { status?: { conditions?: Cond[] } }).status?.conditions ?? [];

/** The job's state: its true conditions, by type. */
const trueTypes = (job: KubeObject): string =>
  conditionsOf(job)
    .filter((c) => c.status === 'True')
    .map((c) => c.type)
    .join('+');

/** Advances the clock until `ok` holds, recording every distinct condition list seen. */
const runUntil = (job: KubeObject, ok: (j: KubeObject) => boolean) => world.runUntil(job, trueTypes, ok);

const finished = (j: KubeObject): boolean =>
  conditionsOf(j).some((c) => (c.type === 'Succeeded' || c.type === 'Failed') && c.status === 'True');

const phaseOf = async (plugin: Plugin, job: KubeObject): Promise<PhaseInfo> =>
  plugin.getTaskPhase(
    {
      now: clock.now(),
      config: defaultPlatformConfig,
      related: (await podsOf(job)) as unknown as KubeObject[],
    },
    job,
  );

/**
 * The first terminal phase as the plugin manager would compute it: on every event of the job or of a pod, from
 * watch caches of both (so a pod on its way out is still seen when the job's status changes).
 */
const firstTerminal = async (plugin: Plugin, job: KubeObject): Promise<PhaseInfo> => {
  const pods = new Informer({ cluster: memory, clock, kind: POD });
  const jobs = new Informer({ cluster: memory, clock, kind: { apiVersion: job.apiVersion, kind: job.kind } });
  let answer: PhaseInfo | undefined;
  const check = (): void => {
    if (answer !== undefined) return;
    const j = jobs.list().find((o) => o.metadata?.uid === job.metadata?.uid);
    if (j === undefined) return;
    const related = pods
      .list()
      .filter((p) => p.metadata?.labels?.['training.kubeflow.org/job-name'] === job.metadata?.name);
    const pi = plugin.getTaskPhase({ now: clock.now(), config: defaultPlatformConfig, related }, j);
    if (['Success', 'RetryableFailure', 'PermanentFailure'].includes(pi.phase)) answer = pi;
  };
  pods.onEvent(check);
  jobs.onEvent(check);
  await Promise.all([pods.start(), jobs.start()]);
  for (let i = 0; i < 600 && answer === undefined; i++) {
    check();
    await clock.advance(100);
  }
  await Promise.all([pods.stop(), jobs.stop()]);
  if (answer === undefined) throw new Error('no terminal phase');
  return answer;
};

describe('the simulated training operator', () => {
  it('is registered among the built-in operators', () => {
    const kinds = builtInOperators.map((o) => o.kind.kind);
    expect(kinds).toEqual(expect.arrayContaining(['PyTorchJob', 'TFJob', 'MPIJob']));
  });

  it('pytorch success: pods with the operator names, labels and owner; Created → Running → Succeeded', async () => {
    const job = await submit(pytorchPlugin, task('pytorch', { workers: 2 }, 'ok1', {}));
    const { final, seen } = await runUntil(job, finished);
    // Observations may skip a stage (the operator writes faster than the test polls), never reorder one.
    const order = ['', 'Created', 'Created+Running', 'Created+Succeeded'];
    const ranks = seen.map((s) => order.indexOf(s));
    expect(ranks.every((r, i) => r >= 0 && (i === 0 || r > (ranks[i - 1] ?? -1)))).toBe(true);
    expect(seen).toContain('Created+Running');
    expect(seen[seen.length - 1]).toBe('Created+Succeeded');
    const pods = await podsOf(final);
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual([
      `${job.metadata?.name}-master-0`,
      `${job.metadata?.name}-worker-0`,
      `${job.metadata?.name}-worker-1`,
    ]);
    const master = pods.find((p) => p.metadata?.name?.endsWith('-master-0'));
    expect(master?.metadata?.labels).toMatchObject({
      'training.kubeflow.org/job-name': job.metadata?.name,
      'training.kubeflow.org/replica-type': 'master',
      'training.kubeflow.org/replica-index': '0',
      'training.kubeflow.org/job-role': 'master',
      'kubetasks.dev/managed': 'true',
    });
    expect(master?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'PyTorchJob',
      uid: job.metadata?.uid,
      controller: true,
    });
    expect(master?.spec?.containers.map((c) => c.name)).toEqual(['pytorch']);
    const status = (final as { status?: Record<string, unknown> }).status ?? {};
    expect(status['startTime']).toBeTypeOf('string');
    expect(status['completionTime']).toBeTypeOf('string');
    expect(conditionsOf(final).find((c) => c.type === 'Running')?.status).toBe('False');
    const pi = await phaseOf(pytorchPlugin, final);
    expect(pi.phase).toBe('Success');
    expect(pytorchPlugin.isTerminal(final)).toBe(true);
  });

  it('pytorch user failure (exit:1 in the workers): the job fails, worker-0 is demystified as a USER error', async () => {
    const job = await submit(
      pytorchPlugin,
      task('pytorch', { workers: 2 }, 'fail1', { 'kubetasks.dev/scenario': 'exit:1' }),
    );
    const { final } = await runUntil(job, finished);
    const failed = conditionsOf(final).find((c) => c.type === 'Failed');
    expect(failed?.reason).toBe('PyTorchJobFailed');
    expect(failed?.message).toContain('Worker replica(s) failed');
    const master = (await podsOf(final)).find((p) => p.metadata?.name?.endsWith('-master-0'));
    expect(master?.metadata?.annotations?.['kubetasks.dev/scenario']).toBeUndefined();
    const pi = await phaseOf(pytorchPlugin, final);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toMatchObject({ kind: 'USER', code: 'Error' });
  });

  it('pytorch OOM in a worker: RetryableFailure OOMKilled', async () => {
    const job = await submit(
      pytorchPlugin,
      task('pytorch', { workers: 1 }, 'oom1', { 'kubetasks.dev/scenario': 'oom' }),
    );
    const { final } = await runUntil(job, finished);
    const pi = await phaseOf(pytorchPlugin, final);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('OOMKilled');
  });

  it('pytorch preemption of a worker: the first terminal answer (as the manager sees it) is a SYSTEM failure', async () => {
    const job = await submit(
      pytorchPlugin,
      task('pytorch', { workers: 1 }, 'pre1', { 'kubetasks.dev/scenario': 'preempted' }),
    );
    const pi = await firstTerminal(pytorchPlugin, job);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toMatchObject({ kind: 'SYSTEM' });
    expect(pi.error?.message).toContain('PreemptionByScheduler');
    const { final } = await runUntil(job, finished);
    expect(conditionsOf(final).find((c) => c.type === 'Failed')?.status).toBe('True');
  });

  it('pending forever (stuck-pending): Created stays, the task stays Queued', async () => {
    const job = await submit(
      pytorchPlugin,
      task('pytorch', { workers: 1 }, 'stuck1', { 'kubetasks.dev/scenario': 'stuck-pending' }),
    );
    const { final } = await runUntil(job, (j) => conditionsOf(j).length > 0);
    await clock.advance(120_000);
    const later = await current(final);
    expect(conditionsOf(later).map((c) => `${c.type}=${c.status}`)).toEqual(['Created=True']);
    expect((await podsOf(later)).every((p) => p.status?.phase === 'Pending')).toBe(true);
    expect((await phaseOf(pytorchPlugin, later)).phase).toBe('Queued');
  });

  it('tensorflow: chief, workers and ps pods by the operator names; succeeds', async () => {
    const job = await submit(
      tensorflowPlugin,
      task('tensorflow', { workers: 1, psReplicas: 1, chiefReplicas: 1 }, 'tf1', {}),
    );
    const { final } = await runUntil(job, finished);
    const names = (await podsOf(final))
      .map((p) => p.metadata?.name?.slice((job.metadata?.name ?? '').length))
      .sort();
    expect(names).toEqual(['-chief-0', '-ps-0', '-worker-0']);
    expect((await phaseOf(tensorflowPlugin, final)).phase).toBe('Success');
  });

  it('mpi: the launcher is created with the workers; its failure (scenario role launcher) fails the job', async () => {
    const ok = await submit(mpiPlugin, task('mpi', { numWorkers: 2, slots: 2 }, 'mpi1', {}));
    const { final } = await runUntil(ok, finished);
    const pods = await podsOf(final);
    const launcher = pods.find((p) => p.metadata?.name === `${ok.metadata?.name}-launcher`);
    expect(launcher?.metadata?.labels?.['training.kubeflow.org/replica-type']).toBe('launcher');
    // As the training operator does (its ReconcilePods creates the launcher in the sync that creates the workers).
    const created = pods.map((p) => Date.parse(p.metadata?.creationTimestamp ?? ''));
    expect(new Set(created).size).toBe(1);
    expect((await phaseOf(mpiPlugin, final)).phase).toBe('Success');

    const bad = await submit(
      mpiPlugin,
      task('mpi', { numWorkers: 1 }, 'mpi2', {
        'kubetasks.dev/scenario': 'exit:3',
        'kubetasks.dev/scenario-role': 'launcher',
      }),
    );
    const { final: f2 } = await runUntil(bad, finished);
    expect(conditionsOf(f2).find((c) => c.type === 'Failed')?.message).toContain('Launcher');
    // The operator's own spelling (NewReason applied twice), seen on training-operator v1.9.3 in test/e2e.
    expect(conditionsOf(f2).find((c) => c.type === 'Failed')?.reason).toBe('MPIJobMPIJobFailed');
    const pi = await phaseOf(mpiPlugin, f2);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.kind).toBe('USER');
  });
});

// Found by test/e2e/side-by-side-operators.test.ts against the real training operator (v1.9.3).
describe('the simulated training operator writes what the real one writes', () => {
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const [pytorch, , mpi] = kubeflowOperators as [
    (typeof kubeflowOperators)[number],
    (typeof kubeflowOperators)[number],
    (typeof kubeflowOperators)[number],
  ];
  const job = (kind: string, key: string, roles: readonly string[]): KubeObject => ({
    apiVersion: 'kubeflow.org/v1',
    kind,
    metadata: { name: 'j', namespace: NS, uid: 'uid-j' },
    spec: {
      [key]: Object.fromEntries(
        roles.map((r) => [
          r,
          { replicas: 1, restartPolicy: 'Never', template: { spec: { containers: [{ name: 'c' }] } } },
        ]),
      ),
    },
  });
  const pod = (role: string, phase: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `j-${role}-0`, labels: { 'training.kubeflow.org/replica-type': role } },
    spec: { containers: [] },
    status: { phase },
  });
  type Status = { conditions: Cond[]; replicaStatuses: Record<string, Record<string, number>> };
  const statusOf = (op: typeof pytorch, j: KubeObject, ps: Pod[]): Status => op.status(j, ps, T0) as Status;
  const trueTypes = (s: Status): string[] =>
    s.conditions.filter((c) => c.status === 'True').map((c) => c.type);

  it('pytorch with a master: Running only once the master runs, not a worker', () => {
    const j = job('PyTorchJob', 'pytorchReplicaSpecs', ['Master', 'Worker']);
    expect(trueTypes(statusOf(pytorch, j, [pod('master', 'Pending'), pod('worker', 'Running')]))).toEqual([
      'Created',
    ]);
    expect(trueTypes(statusOf(pytorch, j, [pod('master', 'Running'), pod('worker', 'Running')]))).toEqual([
      'Created',
      'Running',
    ]);
  });

  it('mpi: the launcher comes with the workers; Running once it and every worker run', () => {
    const j = job('MPIJob', 'mpiReplicaSpecs', ['Launcher', 'Worker']);
    expect(mpi.desiredPods(j, [], T0).map((p) => p.metadata?.name)).toEqual(['j-launcher', 'j-worker-0']);
    expect(trueTypes(statusOf(mpi, j, [pod('launcher', 'Pending'), pod('worker', 'Running')]))).toEqual([
      'Created',
    ]);
    expect(trueTypes(statusOf(mpi, j, [pod('launcher', 'Running'), pod('worker', 'Running')]))).toEqual([
      'Created',
      'Running',
    ]);
  });

  it('mpi: the launcher succeeding ends the job while the workers run, and the workers are no longer counted', () => {
    const j = job('MPIJob', 'mpiReplicaSpecs', ['Launcher', 'Worker']);
    const s = statusOf(mpi, j, [pod('launcher', 'Succeeded'), pod('worker', 'Running')]);
    expect(trueTypes(s)).toEqual(['Created', 'Succeeded']);
    expect(s.replicaStatuses).toEqual({ Launcher: { succeeded: 1 }, Worker: {} });
  });

  it("mpi: a failed worker fails the job with the operator's doubled reason", () => {
    const j = job('MPIJob', 'mpiReplicaSpecs', ['Launcher', 'Worker']);
    const s = statusOf(mpi, j, [pod('launcher', 'Running'), pod('worker', 'Failed')]);
    expect(s.conditions.find((c) => c.type === 'Failed')?.reason).toBe('MPIJobMPIJobFailed');
  });
});
