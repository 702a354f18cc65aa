// The simulated KubeRay operator end to end: RayJobs built by the plugin, run on the memory cluster and kubelet.
import * as E from 'fp-ts/lib/Either.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VirtualClock } from '../../../src/adapters/clock/index.js';
import { builtInOperators } from '../../../src/adapters/operators/index.js';
import { rayClusterNameOf, rayOperator } from '../../../src/adapters/operators/ray.js';
import type { KubeObject, Pod } from '../../../src/domain/kubernetes.js';
import { MANAGED_LABEL } from '../../../src/domain/object-metadata.js';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { decodePlatformConfigWith } from '../../../src/domain/plugin-config.js';
import type { PlatformConfig } from '../../../src/domain/platform-config.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { raySection } from '../../../src/plugins/ray/config.js';
import { rayPlugin } from '../../../src/plugins/ray/plugin.js';
import { RAY_NAMESPACE, rayTask as task } from './tasks.js';
import { ownedBy, startOperatorWorld, type OperatorWorld } from './world.js';

const NS = RAY_NAMESPACE;

const configOf = (ray: Record<string, unknown> = {}): PlatformConfig => {
  const r = decodePlatformConfigWith([raySection])({ plugins: { ray } });
  if (E.isLeft(r)) throw new Error('bad config');
  return r.right;
};

let world: OperatorWorld;
let clock: VirtualClock;

beforeEach(async () => {
  world = await startOperatorWorld({
    namespace: NS,
    kinds: [{ apiVersion: 'ray.io/v1', kind: 'RayJob', plural: 'rayjobs', statusSubresource: true }],
    operators: [rayOperator],
  });
  ({ clock } = world);
});

afterEach(() => world.close());

const submit = (te: TaskExecution, config: PlatformConfig): Promise<KubeObject> =>
  world.submit(rayPlugin, te, config);

const current = (o: KubeObject): Promise<KubeObject> => world.current(o);

const podsOf = (job: KubeObject): Promise<Pod[]> => world.pods(ownedBy(job));

type Status = {
  rayClusterName?: string;
  jobDeploymentStatus?: string;
  jobStatus?: string;
  reason?: string;
  message?: string;
};
const statusOf = (j: KubeObject): Status => (j as { status?: Status }).status ?? {};
const stateOf = (j: KubeObject): string => {
  const s = statusOf(j);
  return s.jobDeploymentStatus === undefined ? '(none)' : `${s.jobDeploymentStatus}/${s.jobStatus ?? ''}`;
};

const runUntil = (o: KubeObject, ok: (o: KubeObject) => boolean) => world.runUntil(o, stateOf, ok);

const CANONICAL = ['(none)', 'Initializing/', 'Running/PENDING', 'Running/RUNNING', 'Complete/SUCCEEDED'];

const isSubsequence = (xs: ReadonlyArray<string>, of: ReadonlyArray<string>): boolean => {
  let i = 0;
  for (const x of xs) {
    while (i < of.length && of[i] !== x) i++;
    if (i === of.length) return false;
    i++;
  }
  return true;
};

const finished = (j: KubeObject): boolean =>
  ['Complete', 'Failed'].includes(statusOf(j).jobDeploymentStatus ?? '');

/** The plugin's answer with the related pods the manager would supply from its watch cache. */
const phaseOf = (job: KubeObject, config: PlatformConfig): Promise<PhaseInfo> =>
  world.phaseOf(rayPlugin, job, config);

describe('the simulated KubeRay', () => {
  it('is one of the built-in operators', () => {
    expect(builtInOperators).toContain(rayOperator);
  });

  it('runs a job to Complete: cluster pods named and labelled as KubeRay does, then the submitter', async () => {
    const config = configOf();
    const job = await submit(task('ok', {}), config);
    const { final, seen } = await runUntil(job, finished);
    // Observed every 200 ms of a clock that may jump: a forward subsequence of KubeRay's sequence.
    expect(
      isSubsequence(seen, [
        '(none)',
        'Initializing/',
        'Running/PENDING',
        'Running/RUNNING',
        'Complete/SUCCEEDED',
      ]),
    ).toBe(true);
    expect(seen).toContain('Initializing/');
    expect(seen.some((s) => s.startsWith('Running/'))).toBe(true);
    expect(seen.at(-1)).toBe('Complete/SUCCEEDED');
    const cluster = rayClusterNameOf(final);
    expect(statusOf(final).rayClusterName).toBe(cluster);
    const pods = await podsOf(final);
    const heads = pods.filter((p) => p.metadata?.labels?.['ray.io/node-type'] === 'head');
    const workers = pods.filter((p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker');
    const submitters = pods.filter((p) => p.metadata?.labels?.['job-name'] === final.metadata?.name);
    expect(heads).toHaveLength(1);
    expect(heads[0]?.metadata?.name).toMatch(new RegExp(`^${cluster}-head-[a-z0-9]{5}$`));
    expect(workers.map((w) => w.metadata?.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^${cluster}-workers-worker-[a-z0-9]{5}$`))]),
    );
    expect(workers).toHaveLength(2);
    expect(submitters).toHaveLength(1);
    for (const p of pods) {
      expect(p.metadata?.labels?.[MANAGED_LABEL]).toBe('true');
      expect(p.metadata?.labels?.['team']).toBe('ml');
      expect(p.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: 'RayJob',
        uid: final.metadata?.uid,
        controller: true,
      });
    }
    for (const p of [...heads, ...workers]) expect(p.metadata?.labels?.['ray.io/cluster']).toBe(cluster);
    expect(workers[0]?.metadata?.labels?.['ray.io/group']).toBe('workers');
    expect(submitters[0]?.spec?.containers[0]?.command?.slice(0, 3)).toEqual(['ray', 'job', 'submit']);
    expect((await phaseOf(final, config)).phase).toBe('Success');
  });

  it('fails the job when user code fails in the driver (exit:1 hits the submitter): AppFailed, a USER failure', async () => {
    const config = configOf();
    const job = await submit(task('exit', { 'kubetasks.dev/scenario': 'exit:1' }), config);
    const { final } = await runUntil(job, finished);
    expect(statusOf(final)).toMatchObject({
      jobDeploymentStatus: 'Failed',
      jobStatus: 'FAILED',
      reason: 'AppFailed',
    });
    expect(statusOf(final).message).toBe('Job entrypoint command failed with exit code 1');
    const pi = await phaseOf(final, config);
    expect(pi.phase).toBe('PermanentFailure');
    expect(pi.error).toMatchObject({ kind: 'USER', code: 'TaskFailedWithError' });
    const workers = (await podsOf(final)).filter(
      (p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker',
    );
    expect(workers.every((w) => w.metadata?.annotations?.['kubetasks.dev/scenario'] === undefined)).toBe(
      true,
    );
  });

  it('fails the job when a worker is OOMKilled, and the phase says OOMKilled', async () => {
    const config = configOf();
    const job = await submit(task('oom', { 'kubetasks.dev/scenario': 'oom' }), config);
    const { final } = await runUntil(job, finished);
    expect(statusOf(final)).toMatchObject({ jobDeploymentStatus: 'Failed', reason: 'AppFailed' });
    expect(statusOf(final).message).toContain('OOMKilled');
    const pi = await phaseOf(final, config);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('OOMKilled');
    expect(pi.error?.message).toContain('Ray worker pod');
  });

  it('survives a preempted worker: KubeRay replaces it and the job completes', async () => {
    const config = configOf();
    const job = await submit(task('preempt', { 'kubetasks.dev/scenario': 'preempted' }), config);
    const { final, seen } = await runUntil(job, finished);
    // Losing a worker does not send the job back to Initializing.
    expect(isSubsequence(seen, CANONICAL)).toBe(true);
    expect(statusOf(final).jobDeploymentStatus).toBe('Complete');
    const workers = (await podsOf(final)).filter(
      (p) => p.metadata?.labels?.['ray.io/node-type'] === 'worker',
    );
    expect(workers.some((w) => w.metadata?.annotations?.['kubetasks.dev/scenario'] === undefined)).toBe(true);
    expect((await phaseOf(final, config)).phase).toBe('Success');
  });

  it('stays Initializing while the cluster is stuck pending, until the pod pending timeout fails the task', async () => {
    const config = configOf();
    const withTimeout: PlatformConfig = {
      ...config,
      plugins: { ...config.plugins, k8s: { ...config.plugins.k8s, 'pod-pending-timeout': 60_000 } },
    };
    const job = await submit(task('stuck', { 'kubetasks.dev/scenario': 'stuck-pending' }), config);
    await clock.advance(30_000);
    const j = await current(job);
    expect(statusOf(j).jobDeploymentStatus).toBe('Initializing');
    expect((await phaseOf(j, config)).phase).toBe('Initializing');
    expect((await podsOf(j)).every((p) => p.status?.phase === 'Pending')).toBe(true);
    await clock.advance(60_000);
    const later = await current(job);
    const pi = await phaseOf(later, withTimeout);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.message).toContain('Ray head pod');
  });

  it('runs the driver on the head in HTTPMode: no submitter, exit:1 lands on the head', async () => {
    const config = configOf({ submissionMode: 'HTTPMode' });
    const job = await submit(task('http', { 'kubetasks.dev/scenario': 'exit:1' }), config);
    const { final } = await runUntil(job, finished);
    expect(statusOf(final)).toMatchObject({ jobDeploymentStatus: 'Failed', reason: 'AppFailed' });
    expect((await podsOf(final)).some((p) => p.metadata?.labels?.['job-name'] !== undefined)).toBe(false);
  });
});
