// getTaskPhase of the Kubeflow kinds: the condition table, the operator timeout, pod demystification, logs, GC.
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { PhaseInfo } from '../../../src/domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { PhaseContext } from '../../../src/domain/plugin.js';
import { mpiPlugin } from '../../../src/plugins/kubeflow/mpi.js';
import { pytorchPlugin } from '../../../src/plugins/kubeflow/pytorch.js';
import { tensorflowPlugin } from '../../../src/plugins/kubeflow/tensorflow.js';
import { job, rolePod, T0, terminated, withConditions, type Cond } from './fixtures.js';

const PT = 'pytorchReplicaSpecs';
const NOW = T0 + 30_000;

const ctx = (over: Partial<PhaseContext> = {}): PhaseContext => ({
  now: NOW,
  config: defaultPlatformConfig,
  ...over,
});

const ptJob = (
  conds?: ReadonlyArray<Cond>,
  extra: Record<string, unknown> = {},
  replicas = { Master: 1, Worker: 2 },
) => job('PyTorchJob', PT, replicas, conds === undefined ? undefined : withConditions(conds, extra));

const phase = (resource: unknown, c: PhaseContext = ctx()): PhaseInfo =>
  pytorchPlugin.getTaskPhase(c, resource);

const summary = (pi: PhaseInfo) => ({
  phase: pi.phase,
  reason: pi.reason,
  code: pi.error?.code,
  kind: pi.error?.kind,
});

describe('the condition table (docs/plugins/kubeflow.md)', () => {
  const t = (s: number) => T0 + s * 1000;
  it.each<[string, ReadonlyArray<Cond> | undefined, ReturnType<typeof summary>]>([
    ['no status', undefined, { phase: 'Queued', reason: 'JobCreated', code: undefined, kind: undefined }],
    ['empty conditions', [], { phase: 'Queued', reason: 'JobCreated', code: undefined, kind: undefined }],
    [
      'Created',
      [{ type: 'Created', at: t(1) }],
      { phase: 'Queued', reason: 'JobCreated', code: undefined, kind: undefined },
    ],
    [
      'Running',
      [
        { type: 'Created', at: t(1) },
        { type: 'Running', at: t(2) },
      ],
      { phase: 'Running', reason: '', code: undefined, kind: undefined },
    ],
    [
      'Restarting',
      [
        { type: 'Created', at: t(1) },
        { type: 'Restarting', at: t(3), reason: 'PyTorchJobRestarting' },
      ],
      { phase: 'Running', reason: 'PyTorchJobRestarting', code: undefined, kind: undefined },
    ],
    [
      'Succeeded',
      [
        { type: 'Created', at: t(1) },
        { type: 'Running', status: 'False', at: t(5) },
        { type: 'Succeeded', at: t(5) },
      ],
      { phase: 'Success', reason: '', code: undefined, kind: undefined },
    ],
    [
      'Failed',
      [
        { type: 'Created', at: t(1) },
        { type: 'Running', status: 'False', at: t(5) },
        { type: 'Failed', at: t(5), reason: 'PyTorchJobFailed', message: 'PyTorchJob ml/job-1 is failed.' },
      ],
      { phase: 'RetryableFailure', reason: '', code: 'DownstreamSystemError', kind: 'USER' },
    ],
    [
      'Suspended (Flyte: Undefined for ever)',
      [
        { type: 'Created', at: t(1) },
        { type: 'Suspended', at: t(2), message: 'PyTorchJob ml/job-1 is suspended.' },
      ],
      {
        phase: 'WaitingForResources',
        reason: 'JobSuspended: PyTorchJob ml/job-1 is suspended.',
        code: undefined,
        kind: undefined,
      },
    ],
    [
      'an unknown type, no active pod (Flyte: Undefined)',
      [{ type: 'Paused', at: t(2) }],
      { phase: 'Queued', reason: 'unknown condition type "Paused"', code: undefined, kind: undefined },
    ],
    [
      'conditions but none True (Flyte: Undefined + error)',
      [{ type: 'Created', status: 'False', at: t(1) }],
      {
        phase: 'Queued',
        reason: 'no current condition (none is True: Created=False)',
        code: undefined,
        kind: undefined,
      },
    ],
    [
      'a Failed condition with status False is not a failure (Flyte bug 19)',
      [
        { type: 'Running', at: t(2) },
        { type: 'Failed', status: 'False', at: t(3) },
      ],
      { phase: 'Running', reason: '', code: undefined, kind: undefined },
    ],
    [
      'a terminal True condition wins over a newer non-terminal one (the operator is finished)',
      [
        { type: 'Succeeded', at: t(3) },
        { type: 'Running', at: t(4) },
      ],
      { phase: 'Success', reason: '', code: undefined, kind: undefined },
    ],
  ])('%s', (_name, conds, expected) => {
    expect(summary(phase(ptJob(conds)))).toEqual(expected);
  });

  it('an unknown type with active pods is Running', () => {
    const j = ptJob([{ type: 'Paused', at: T0 }], { replicaStatuses: { Worker: { active: 2 } } });
    expect(phase(j).phase).toBe('Running');
  });

  it('the Failed message carries the condition reason and message, as Flyte writes it', () => {
    const pi = phase(
      ptJob([{ type: 'Failed', at: T0, reason: 'PyTorchJobFailed', message: '1 Worker replica(s) failed.' }]),
    );
    expect(pi.error?.message).toBe('Job failed:\n\tPyTorchJobFailed - 1 Worker replica(s) failed.');
  });

  it('the current condition is the newest True one; equal times go to the later position', () => {
    const same = ptJob([
      { type: 'Created', at: T0 },
      { type: 'Running', at: T0 },
    ]);
    expect(phase(same).phase).toBe('Running');
    const older = ptJob([
      { type: 'Running', at: T0 + 5000 },
      { type: 'Created', at: T0 },
    ]);
    expect(phase(older).phase).toBe('Running');
  });

  it('puts the whole status in customInfo and dates the info at now', () => {
    const status = withConditions([{ type: 'Running', at: T0 }], { startTime: '2026-03-01T10:00:00Z' });
    const pi = phase(job('PyTorchJob', PT, { Worker: 1 }, status));
    expect(pi.info.customInfo).toEqual(status);
    expect(pi.info.occurredAt).toBe(NOW);
  });
});

describe('the operator timeout (plugins.kf-operator.timeout)', () => {
  const cfg = (timeout: number): PlatformConfig => ({
    ...defaultPlatformConfig,
    plugins: { ...defaultPlatformConfig.plugins, 'kf-operator': { timeout } } as PlatformConfig['plugins'],
  });

  it('fails with a coded SYSTEM retryable failure when the operator never wrote a status (default 1m)', () => {
    const pi = phase(ptJob(), ctx({ now: T0 + 60_000 }));
    expect(summary(pi)).toEqual({
      phase: 'RetryableFailure',
      reason: '',
      code: 'KubeflowOperatorTimeout',
      kind: 'SYSTEM',
    });
    expect(pi.error?.message).toContain(
      "kubeflow operator hasn't updated the PyTorchJob custom resource since creation time",
    );
    expect(phase(ptJob(), ctx({ now: T0 + 59_999 })).phase).toBe('Queued');
  });

  it('never fires for a job the operator has seen (queued by gang scheduling or Kueue)', () => {
    const later = ctx({ now: T0 + 3_600_000 });
    expect(phase(ptJob([{ type: 'Created', at: T0 }]), later).phase).toBe('Queued');
    expect(phase(ptJob([{ type: 'Suspended', at: T0 }]), later).phase).toBe('WaitingForResources');
    expect(phase(ptJob([], { startTime: '2026-03-01T10:00:01Z' }), later).phase).toBe('Queued');
  });

  it('is configurable, 0 disables it, and a missing creationTimestamp never counts as long ago', () => {
    expect(phase(ptJob(), ctx({ now: T0 + 10_000, config: cfg(5_000) })).phase).toBe('RetryableFailure');
    expect(phase(ptJob(), ctx({ now: T0 + 3_600_000, config: cfg(0) })).phase).toBe('Queued');
    const noTime = { ...ptJob(), metadata: { name: 'job-1', namespace: 'ml' } };
    expect(phase(noTime, ctx({ now: T0 + 3_600_000 })).phase).toBe('Queued');
  });
});

describe('the job pods (related resources)', () => {
  const running = ptJob([{ type: 'Running', at: T0 }]);
  const failedJob = ptJob([{ type: 'Failed', at: T0 + 9000, reason: 'PyTorchJobFailed', message: 'x' }]);

  it('asks for the pods labelled with the job name and owned by it', () => {
    expect(pytorchPlugin.relatedResources?.(running)).toEqual([
      {
        kind: { apiVersion: 'v1', kind: 'Pod' },
        namespace: 'ml',
        labelSelector: { 'training.kubeflow.org/job-name': 'job-1' },
        ownerUid: 'u-1',
      },
    ]);
    expect(pytorchPlugin.relatedKinds).toEqual([{ apiVersion: 'v1', kind: 'Pod' }]);
  });

  it('demystifies a failed master-0 (Flyte looked only at worker-0)', () => {
    const master = rolePod('job-1-master-0', 'pytorch', 'Failed', terminated(1, 'Error', T0 + 5000));
    const pi = phase(failedJob, ctx({ related: [master] }));
    expect(summary(pi)).toEqual({ phase: 'RetryableFailure', reason: '', code: 'Error', kind: 'USER' });
  });

  it('demystifies an OOM-killed worker-0 even while the operator still says Running', () => {
    const w0 = rolePod('job-1-worker-0', 'pytorch', 'Failed', terminated(137, 'OOMKilled', T0 + 5000));
    const pi = phase(running, ctx({ related: [w0] }));
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('OOMKilled');
  });

  it('picks the earliest failure when master-0 and worker-0 both failed', () => {
    const master = rolePod('job-1-master-0', 'pytorch', 'Failed', terminated(1, 'Error', T0 + 8000));
    const w0 = rolePod('job-1-worker-0', 'pytorch', 'Failed', terminated(137, 'OOMKilled', T0 + 5000));
    expect(phase(failedJob, ctx({ related: [master, w0] })).error?.code).toBe('OOMKilled');
  });

  it('classifies a preempted worker as a SYSTEM failure', () => {
    const w0 = rolePod('job-1-worker-0', 'pytorch', 'Failed', terminated(143, 'Error', T0 + 5000), {
      conditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'PreemptionByScheduler',
          message: 'preempted',
          lastTransitionTime: '2026-03-01T10:00:04Z',
        },
      ],
    });
    const pi = phase(failedJob, ctx({ related: [w0] }));
    expect(pi.error?.kind).toBe('SYSTEM');
  });

  it('classifies a running pod under preemption (DisruptionTarget) as the failure it is about to be', () => {
    const w0 = rolePod(
      'job-1-worker-0',
      'pytorch',
      'Running',
      { running: { startedAt: '2026-03-01T10:00:01Z' } },
      {
        conditions: [
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'PreemptionByScheduler',
            message: 'preempting',
          },
        ],
      },
    );
    const pi = phase(failedJob, ctx({ related: [w0] }));
    expect(summary(pi)).toMatchObject({ phase: 'RetryableFailure', kind: 'SYSTEM' });
    expect(pi.error?.message).toContain('PreemptionByScheduler');
  });

  it('ignores pods of other jobs, other indices, running pods, and a succeeded job', () => {
    const other = { ...rolePod('job-2-worker-0', 'pytorch', 'Failed', terminated(1, 'Error', T0)) };
    const w1 = rolePod('job-1-worker-1', 'pytorch', 'Running', {
      running: { startedAt: '2026-03-01T10:00:01Z' },
    });
    expect(phase(running, ctx({ related: [other, w1] })).phase).toBe('Running');
    const done = ptJob([{ type: 'Succeeded', at: T0 }]);
    const w0 = rolePod('job-1-worker-0', 'pytorch', 'Failed', terminated(1, 'Error', T0));
    expect(phase(done, ctx({ related: [w0] })).phase).toBe('Success');
  });

  it('without a failure in the pods, the condition decides (and a Pending pod is not a failure)', () => {
    const pending = rolePod('job-1-worker-0', 'pytorch', 'Pending', {
      waiting: { reason: 'ContainerCreating' },
    });
    expect(phase(running, ctx({ related: [pending] })).phase).toBe('Running');
  });

  it('fails on an invalid image of a pending pod while the operator still says Created', () => {
    const bad = rolePod(
      'job-1-master-0',
      'pytorch',
      'Pending',
      { waiting: { reason: 'InvalidImageName', message: 'bad ref' } },
      {
        conditions: [
          {
            type: 'Ready',
            status: 'False',
            reason: 'ContainersNotReady',
            lastTransitionTime: '2026-03-01T10:00:01Z',
          },
        ],
      },
    );
    const pi = phase(ptJob([{ type: 'Created', at: T0 }]), ctx({ related: [bad] }));
    expect(pi.phase).toBe('PermanentFailure');
  });

  it('builds a log context from the pods that left Pending, master first', () => {
    const m = rolePod('job-1-master-0', 'pytorch', 'Running', {
      running: { startedAt: '2026-03-01T10:00:01Z' },
    });
    const w = rolePod('job-1-worker-0', 'pytorch', 'Running', {
      running: { startedAt: '2026-03-01T10:00:01Z' },
    });
    const p = rolePod('job-1-worker-1', 'pytorch', 'Pending');
    const pi = phase(running, ctx({ related: [w, p, m] }));
    expect(pi.info.logContext?.primaryPodName).toBe('job-1-master-0');
    expect(pi.info.logContext?.pods.map((x) => x.podName)).toEqual(['job-1-master-0', 'job-1-worker-0']);
  });
});

describe('log links name the operator pods (Flyte bug 2)', () => {
  const cfg: PlatformConfig = {
    ...defaultPlatformConfig,
    logs: { ...defaultPlatformConfig.logs, 'kubernetes-enabled': true, 'kubernetes-url': 'https://k8s' },
  };
  const c = ctx({ config: cfg });

  it('tensorflow: chief, worker, ps and evaluator pods by their real names', () => {
    const j = job(
      'TFJob',
      'tfReplicaSpecs',
      { Chief: 1, Worker: 2, PS: 1, Evaluator: 1 },
      withConditions([{ type: 'Running' }]),
    );
    const pi = tensorflowPlugin.getTaskPhase(c, j);
    expect(pi.info.logs.map((l) => l.name)).toEqual([
      'Kubernetes Logs chief-0',
      'Kubernetes Logs worker-0',
      'Kubernetes Logs worker-1',
      'Kubernetes Logs ps-0',
      'Kubernetes Logs evaluator-0',
    ]);
    expect(pi.info.logs[3]?.uri).toBe('https://k8s/#!/log/ml/job-1-ps-0/pod?namespace=ml');
  });

  it('mpi: the launcher too', () => {
    const j = job(
      'MPIJob',
      'mpiReplicaSpecs',
      { Launcher: 1, Worker: 1 },
      withConditions([{ type: 'Running' }]),
    );
    const pi = mpiPlugin.getTaskPhase(c, j);
    expect(pi.info.logs.map((l) => l.uri)).toEqual([
      'https://k8s/#!/log/ml/job-1-launcher/pod?namespace=ml',
      'https://k8s/#!/log/ml/job-1-worker-0/pod?namespace=ml',
    ]);
  });

  it('no links without a configured log template', () => {
    expect(phase(ptJob([{ type: 'Running' }])).info.logs).toEqual([]);
  });
});

describe('garbage in, and versions', () => {
  it.each([null, 3, 'x', [], { kind: 'Pod' }])('%j gets Undefined with a reason, never a throw', (u) => {
    const pi = phase(u);
    expect(pi.phase).toBe('Undefined');
    expect(pi.reason).toContain('unexpected resource type');
  });

  it('bumps the version when the reason changes within a phase', () => {
    const pi = phase(
      ptJob([{ type: 'Restarting', reason: 'B', at: T0 }]),
      ctx({ previous: { phase: 'Running', version: 4, reason: 'A' } }),
    );
    expect(pi.version).toBe(5);
  });
});

describe('isTerminal and completionTime', () => {
  it.each<[ReadonlyArray<Cond>, boolean]>([
    [[{ type: 'Succeeded' }], true],
    [[{ type: 'Failed' }], true],
    [[{ type: 'Failed', status: 'False' }], false],
    [[{ type: 'Succeeded', status: 'Unknown' }], false],
    [[{ type: 'Running' }], false],
    [[], false],
  ])('%j → %s', (conds, expected) => {
    expect(pytorchPlugin.isTerminal(ptJob(conds))).toBe(expected);
  });

  it('is false for garbage and other kinds', () => {
    expect(pytorchPlugin.isTerminal({ kind: 'TFJob', status: withConditions([{ type: 'Succeeded' }]) })).toBe(
      false,
    );
    expect(pytorchPlugin.isTerminal(null)).toBe(false);
  });

  it('completionTime: completionTime, else the terminal transition, else startTime, else creation', () => {
    const at = (s: string) => O.some(Date.parse(s));
    expect(
      pytorchPlugin.completionTime(
        ptJob([{ type: 'Succeeded', at: T0 + 1000 }], { completionTime: '2026-03-01T11:00:00Z' }),
      ),
    ).toEqual(at('2026-03-01T11:00:00Z'));
    expect(pytorchPlugin.completionTime(ptJob([{ type: 'Failed', at: T0 + 1000 }]))).toEqual(
      O.some(T0 + 1000),
    );
    expect(pytorchPlugin.completionTime(ptJob([], { startTime: '2026-03-01T10:30:00Z' }))).toEqual(
      at('2026-03-01T10:30:00Z'),
    );
    expect(pytorchPlugin.completionTime(ptJob())).toEqual(O.some(T0));
    expect(pytorchPlugin.completionTime('x')).toEqual(O.none);
  });
});
