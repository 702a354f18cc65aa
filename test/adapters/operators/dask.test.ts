// The simulated dask-kubernetes operator end to end: DaskJobs built by the plugin, run on the memory cluster and kubelet.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../src/adapters/clock/index.js';
import { daskOperator, daskRunnerPodName } from '../../../src/adapters/operators/dask.js';
import { builtInOperators } from '../../../src/adapters/operators/index.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { daskPlugin } from '../../../src/plugins/dask/plugin.js';
import { DASK_NAMESPACE, daskTask as task } from './tasks.js';
import { ownedBy, startOperatorWorld, type OperatorWorld } from './world.js';

const NS = DASK_NAMESPACE;
const config: PlatformConfig = defaultPlatformConfig;

let world: OperatorWorld;
let clock: VirtualClock;

beforeEach(async () => {
  world = await startOperatorWorld({
    namespace: NS,
    kinds: [
      { apiVersion: 'kubernetes.dask.org/v1', kind: 'DaskJob', plural: 'daskjobs', statusSubresource: true },
    ],
    operators: [daskOperator],
  });
  ({ clock } = world);
});

afterEach(() => world.close());

const submit = (te: TaskExecution): Promise<KubeObject> => world.submit(daskPlugin, te);

const current = (o: KubeObject): Promise<KubeObject> => world.current(o);

const podsOf = (job: KubeObject): Promise<Pod[]> => world.pods(ownedBy(job));

type Status = {
  jobStatus?: string;
  jobRunnerPodName?: string;
  clusterName?: string;
  startTime?: string;
  endTime?: string;
};
const statusOf = (j: KubeObject): Status => (j as { status?: Status }).status ?? {};
const stateOf = (j: KubeObject): string => statusOf(j).jobStatus ?? '(none)';

const runUntil = (o: KubeObject, ok: (o: KubeObject) => boolean) => world.runUntil(o, stateOf, ok);

const finished = (j: KubeObject): boolean => ['Successful', 'Failed'].includes(stateOf(j));
const ORDER = ['(none)', 'JobCreated', 'ClusterCreated', 'Running', 'Successful', 'Failed'];
const forward = (seen: ReadonlyArray<string>): boolean =>
  seen.every((s, i) => i === 0 || ORDER.indexOf(s) > ORDER.indexOf(seen[i - 1] ?? ''));

const phaseOf = (job: KubeObject, cfg: PlatformConfig = config): Promise<PhaseInfo> =>
  world.phaseOf(daskPlugin, job, cfg);

const role = (pods: ReadonlyArray<Pod>, r: string): Pod[] =>
  pods.filter((p) => p.metadata?.labels?.['dask.org/component'] === r);

describe('the simulated dask operator', () => {
  it('is one of the built-in operators', () => {
    expect(builtInOperators).toContain(daskOperator);
  });

  it('runs a job to Successful: scheduler, workers and runner named and labelled as the operator does', async () => {
    const job = await submit(task('ok', {}));
    const { final, seen } = await runUntil(job, finished);
    expect(seen[0]).toBe('(none)');
    expect(seen.at(-1)).toBe('Successful');
    expect(forward(seen)).toBe(true);
    const name = final.metadata?.name ?? '';
    expect(statusOf(final)).toMatchObject({ jobRunnerPodName: `${name}-runner`, clusterName: name });
    expect(statusOf(final).endTime).toBeDefined();
    const pods = await podsOf(final);
    expect(role(pods, 'scheduler').map((p) => p.metadata?.name)).toEqual([`${name}-scheduler`]);
    expect(role(pods, 'job-runner').map((p) => p.metadata?.name)).toEqual([daskRunnerPodName(final)]);
    const workers = role(pods, 'worker');
    expect(workers).toHaveLength(2);
    for (const w of workers)
      expect(w.metadata?.name).toMatch(new RegExp(`^${name}-default-worker-[0-9a-f]{10}$`));
    for (const p of pods) {
      expect(p.metadata?.labels?.[MANAGED_LABEL]).toBe('true');
      expect(p.metadata?.labels?.['dask.org/cluster-name']).toBe(name);
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaskJob', uid: final.metadata?.uid });
    }
    const runnerEnv = role(pods, 'job-runner')[0]?.spec?.containers[0]?.env ?? [];
    expect(runnerEnv.find((e) => e.name === 'DASK_SCHEDULER_ADDRESS')?.value).toBe(
      `tcp://${name}-scheduler.${NS}.svc.cluster.local:8786`,
    );
    expect((await phaseOf(final)).phase).toBe('Success');
  });

  it('fails the job when user code fails in the job runner (exit:1), with the runner detail in the phase', async () => {
    const job = await submit(task('exit', { 'kubetasks.dev/scenario': 'exit:1' }));
    const { final } = await runUntil(job, finished);
    expect(stateOf(final)).toBe('Failed');
    const pi = await phaseOf(final);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.kind).toBe('USER');
    expect(pi.error?.message).toContain('job runner pod');
    expect(pi.error?.message).toContain('exit code (1)');
  });

  it('keeps the job going when a worker is OOMKilled: the worker restarts and the runner decides', async () => {
    const job = await submit(task('oom', { 'kubetasks.dev/scenario': 'oom' }));
    const { final } = await runUntil(job, finished);
    expect(stateOf(final)).toBe('Successful');
    const workers = role(await podsOf(final), 'worker');
    const restarted = workers
      .flatMap((w) => w.status?.containerStatuses ?? [])
      .filter(
        (c) => c.lastState?.terminated?.reason === 'OOMKilled' || c.state?.terminated?.reason === 'OOMKilled',
      );
    expect(restarted.length).toBeGreaterThan(0);
    expect((await phaseOf(final)).phase).toBe('Success');
  });

  it('replaces a preempted worker and completes', async () => {
    const job = await submit(task('preempt', { 'kubetasks.dev/scenario': 'preempted' }));
    const { final } = await runUntil(job, finished);
    expect(stateOf(final)).toBe('Successful');
    expect((await phaseOf(final)).phase).toBe('Success');
  });

  it('stays initializing while everything is stuck pending, until the pod pending timeout fails the task', async () => {
    const job = await submit(task('stuck', { 'kubetasks.dev/scenario': 'stuck-pending' }));
    await clock.advance(30_000);
    const j = await current(job);
    expect(['JobCreated', 'ClusterCreated']).toContain(stateOf(j));
    expect((await phaseOf(j)).phase).toBe('Initializing');
    await clock.advance(60_000);
    const withTimeout: PlatformConfig = {
      ...config,
      plugins: { ...config.plugins, k8s: { ...config.plugins.k8s, 'pod-pending-timeout': 60_000 } },
    };
    const pi = await phaseOf(await current(job), withTimeout);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.message).toContain('job runner pod');
  });
});
