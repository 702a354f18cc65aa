// The Spark status table: every application state, the driver pod's own failures, links, versions, GC helpers.
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import type { PhaseContext } from '../../../src/domain/plugin.js';
import {
  explainSparkTaskPhase,
  getSparkTaskPhase,
  isSparkTerminal,
  sparkCompletionTime,
  rowOfState,
  sparkRelatedResources,
} from '../../../src/plugins/spark/phase.js';
import {
  APPLICATION_STATES,
  LEGACY_APPLICATION_STATES,
  readSparkApplication,
} from '../../../src/plugins/spark/status.js';
import { sparkApplicationWith } from '../../../src/testing/spark-arbitraries.js';
import {
  BACKOFF_MESSAGE,
  cond,
  MIN,
  notReady,
  pod,
  readyConditions,
  running,
  T0,
  terminated,
  waiting,
  type PodOptions,
} from '../pod/phase/fixtures/pods.js';
import { config, sparkTask } from './fixtures.js';

const NOW = T0 + 10 * MIN;
const ctx = (over: Partial<PhaseContext> = {}): PhaseContext => ({ now: NOW, config: config(), ...over });

const app = (state: string | undefined, extra: Record<string, unknown> = {}, policy?: unknown): KubeObject =>
  sparkApplicationWith(
    state === undefined
      ? undefined
      : {
          applicationState: { state, errorMessage: 'it broke' },
          driverInfo: { podName: 'app-driver' },
          ...extra,
        },
    policy,
  );

const DRIVER = 'spark-kubernetes-driver';
const driverPod = (o: PodOptions): KubeObject => {
  const p = pod({ name: 'app-driver', namespace: 'ns', containers: [DRIVER], ...o });
  return {
    ...p,
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...p.metadata,
      labels: { ...p.metadata?.labels, 'spark-role': 'driver', 'sparkoperator.k8s.io/app-name': 'app' },
      ownerReferences: [
        {
          apiVersion: 'sparkoperator.k8s.io/v1beta2',
          kind: 'SparkApplication',
          name: 'app',
          uid: 'app-uid',
          controller: true,
        },
      ],
    },
  };
};

describe('application state → phase (no driver pod seen)', () => {
  const rows: ReadonlyArray<[string | undefined, string, string, string?]> = [
    [undefined, 'Queued', 'job queued'],
    ['', 'Queued', 'job queued'],
    ['SUBMITTED', 'Initializing', 'job submitted'],
    ['PENDING_SUBMISSION', 'Initializing', 'job submitted'],
    ['RUNNING', 'Running', ''],
    ['SUCCEEDING', 'Running', 'job succeeding'],
    ['FAILING', 'Running', 'job failing: it broke'],
    ['PENDING_RERUN', 'Running', 'job pending rerun'],
    ['INVALIDATING', 'Running', 'job invalidating'],
    ['UNKNOWN', 'Running', 'job state unknown'],
    ['SUSPENDING', 'WaitingForResources', 'job suspending'],
    ['SUSPENDED', 'WaitingForResources', 'job suspended'],
    ['RESUMING', 'Queued', 'job resuming'],
    ['COMPLETED', 'Success', ''],
    ['HIBERNATING', 'Running', 'unrecognised application state "HIBERNATING"'],
  ];
  it('covers every state of the operator and every legacy one, each with a row of its own', () => {
    const covered = new Set(rows.map(([state]) => state));
    for (const state of [...APPLICATION_STATES, ...LEGACY_APPLICATION_STATES]) {
      const view = readSparkApplication(app(state));
      expect(O.isSome(view) && rowOfState(view.value)).not.toBe('unrecognised');
      if (state !== 'FAILED' && state !== 'SUBMISSION_FAILED') expect(covered.has(state)).toBe(true);
    }
  });

  it.each(rows)('%j → %s %j', (state, phase, reason) => {
    const pi = getSparkTaskPhase(ctx(), app(state));
    expect(pi.phase).toBe(phase);
    expect(pi.reason).toBe(reason);
    expect(pi.version).toBe(0);
    expect(pi.error).toBeUndefined();
  });

  it('FAILED → RetryableFailure DownstreamSystemError USER with the operator message', () => {
    const pi = getSparkTaskPhase(ctx(), app('FAILED'));
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toEqual({
      code: 'DownstreamSystemError',
      kind: 'USER',
      message: 'Spark Job Failed with Error: it broke',
    });
  });

  it('SUBMISSION_FAILED is a failure only once the operator has no submission retry left', () => {
    const last = getSparkTaskPhase(ctx(), app('SUBMISSION_FAILED', { submissionAttempts: 15 }));
    expect(last.phase).toBe('RetryableFailure');
    expect(last.error).toEqual({
      code: 'DownstreamSystemError',
      kind: 'USER',
      message: 'Spark Job  Submission Failed with Error: it broke',
    });
    const retrying = getSparkTaskPhase(ctx(), app('SUBMISSION_FAILED', { submissionAttempts: 3 }));
    expect(retrying.phase).toBe('Initializing');
    expect(retrying.reason).toBe('job submission failed, the operator retries: it broke');
    expect(getSparkTaskPhase(ctx(), app('SUBMISSION_FAILED', {}, { type: 'Never' })).phase).toBe(
      'RetryableFailure',
    );
    expect(
      getSparkTaskPhase(ctx(), app('SUBMISSION_FAILED', { submissionAttempts: 99 }, { type: 'Always' }))
        .phase,
    ).toBe('Initializing');
  });

  it('answers Undefined with a reason for values that are not SparkApplications', () => {
    for (const u of [null, 3, 'x', [], { kind: 'Pod' }]) {
      const pi = getSparkTaskPhase(ctx(), u);
      expect(pi.phase).toBe('Undefined');
      expect(pi.reason).toMatch(/^unexpected resource type: expected a SparkApplication, got /);
    }
  });
});

describe('the driver pod refines the answer', () => {
  const phaseWith = (
    state: string,
    driver: KubeObject,
    extra: Record<string, unknown> = {},
    over: Partial<PhaseContext> = {},
  ) => explainSparkTaskPhase(ctx({ related: [driver], ...over }), app(state, extra));

  it('an OOM-killed driver is OOMKilled (USER), even while the operator still says RUNNING', () => {
    const d = driverPod({
      phase: 'Failed',
      containerStatuses: [terminated(DRIVER, 137, 'OOMKilled', T0 + MIN, T0 + 2 * MIN)],
    });
    for (const state of ['RUNNING', 'FAILING', 'FAILED']) {
      const { phaseInfo, row } = phaseWith(state, d);
      expect(row).toBe('driver-pod-failure');
      expect(phaseInfo.phase).toBe('RetryableFailure');
      expect(phaseInfo.error?.code).toBe('OOMKilled');
      expect(phaseInfo.error?.kind).toBe('USER');
      expect(phaseInfo.error?.message).toMatch(/^Spark driver pod app-driver: /);
    }
  });

  it('a preempted driver is a SYSTEM failure; an evicted one keeps the pod reason', () => {
    const preempted = driverPod({
      phase: 'Failed',
      conditions: [cond('DisruptionTarget', 'True', T0 + MIN, 'PreemptionByScheduler', 'preempted')],
      containerStatuses: [terminated(DRIVER, 143, 'Error', T0, T0 + MIN)],
    });
    expect(phaseWith('RUNNING', preempted).phaseInfo.error).toMatchObject({
      code: 'Preempted',
      kind: 'SYSTEM',
    });
    const evicted = driverPod({
      phase: 'Failed',
      reason: 'Evicted',
      message: 'The node was low on resource: memory.',
    });
    expect(phaseWith('FAILED', evicted).phaseInfo.error).toMatchObject({ code: 'Evicted', kind: 'USER' });
  });

  it('a driver whose image cannot be pulled fails once the grace period is over', () => {
    const d = driverPod({
      phase: 'Pending',
      conditions: notReady(T0, [DRIVER]),
      containerStatuses: [waiting(DRIVER, 'ImagePullBackOff', BACKOFF_MESSAGE)],
    });
    const early = phaseWith('SUBMITTED', d, {}, { now: T0 + MIN });
    expect(early.phaseInfo.phase).toBe('Initializing');
    expect(early.row).toBe('submitted');
    const late = phaseWith('SUBMITTED', d, {}, { now: T0 + 4 * MIN });
    expect(late.phaseInfo.phase).toBe('RetryableFailure');
    expect(late.phaseInfo.error?.code).toBe('ContainersNotReady|ImagePullBackOff');
  });

  it('a driver with an invalid image name fails permanently, as the pod plugin says', () => {
    const d = driverPod({
      phase: 'Pending',
      conditions: notReady(T0, [DRIVER]),
      containerStatuses: [waiting(DRIVER, 'InvalidImageName', "couldn't parse image name")],
    });
    const pi = phaseWith('SUBMITTED', d).phaseInfo;
    expect(pi.phase).toBe('PermanentFailure');
    expect(pi.error).toMatchObject({ code: 'ContainersNotReady|InvalidImageName', kind: 'USER' });
  });

  it('a driver pending past pod-pending-timeout fails with PodPendingTimeout', () => {
    const d = driverPod({
      phase: 'Pending',
      conditions: notReady(T0, [DRIVER]),
      containerStatuses: [waiting(DRIVER, 'ContainerCreating')],
    });
    const cfg = config({}, { 'pod-pending-timeout': 5 * MIN });
    const pi = phaseWith('SUBMITTED', d, {}, { config: cfg }).phaseInfo;
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error).toMatchObject({ code: 'PodPendingTimeout', kind: 'SYSTEM' });
    expect(pi.cleanupOnFailure).toBe(true);
  });

  it('a running or succeeded driver leaves the application state in charge; COMPLETED always wins', () => {
    const up = driverPod({
      phase: 'Running',
      conditions: readyConditions(T0),
      containerStatuses: [running(DRIVER, T0)],
    });
    expect(phaseWith('RUNNING', up).phaseInfo.phase).toBe('Running');
    const oomSidecar = driverPod({
      phase: 'Succeeded',
      containers: [DRIVER, 'side'],
      containerStatuses: [
        terminated(DRIVER, 0, 'Completed', T0, T0 + MIN),
        terminated('side', 137, 'OOMKilled', T0, T0 + MIN),
      ],
    });
    expect(phaseWith('COMPLETED', oomSidecar).phaseInfo.phase).toBe('Success');
  });

  it("ignores pods that are not this application's driver", () => {
    const failed = driverPod({
      phase: 'Failed',
      containerStatuses: [terminated(DRIVER, 1, 'Error', T0, T0 + MIN)],
    });
    const other = { ...failed, metadata: { ...failed.metadata, name: 'other-driver' } };
    const foreign = {
      ...failed,
      metadata: {
        ...failed.metadata,
        ownerReferences: [{ ...failed.metadata!.ownerReferences![0]!, uid: 'x' }],
      },
    };
    expect(phaseWith('RUNNING', other).phaseInfo.phase).toBe('Running');
    expect(phaseWith('RUNNING', foreign).phaseInfo.phase).toBe('Running');
  });

  it('finds the driver by its labels before the operator reports its name', () => {
    const failed = driverPod({
      phase: 'Failed',
      containerStatuses: [terminated(DRIVER, 1, 'Error', T0, T0 + MIN)],
    });
    const noName = sparkApplicationWith({ applicationState: { state: 'SUBMITTED' }, driverInfo: {} });
    const pi = getSparkTaskPhase(ctx({ related: [failed] }), noName);
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('Error');
  });
});

describe('related resources', () => {
  it('asks for the driver pod by name and owner once the operator names it, else by Spark labels', () => {
    expect(sparkRelatedResources(app('RUNNING'))).toEqual([
      { kind: { apiVersion: 'v1', kind: 'Pod' }, namespace: 'ns', name: 'app-driver', ownerUid: 'app-uid' },
    ]);
    expect(sparkRelatedResources(app(undefined))).toEqual([
      {
        kind: { apiVersion: 'v1', kind: 'Pod' },
        namespace: 'ns',
        labelSelector: { 'spark-role': 'driver', 'sparkoperator.k8s.io/app-name': 'app' },
        ownerUid: 'app-uid',
      },
    ]);
    expect(sparkRelatedResources({ apiVersion: 'v1', kind: 'Pod' })).toEqual([]);
  });
});

describe('task info', () => {
  const cfg = config({
    'spark-history-server-url': 'https://history.example.com/',
    logs: {
      mixed: {
        'kubernetes-enabled': true,
        'kubernetes-template-uri': 'https://k8s/{{ .namespace }}/{{ .podName }}/{{ .containerName }}',
      },
      system: { templates: [{ 'display-name': 'System', 'template-uris': ['https://logs/{{ .podName }}'] }] },
    },
  });

  it('links the driver pod logs, the application-wide logs and the Spark UI while running', () => {
    const pi = getSparkTaskPhase(
      ctx({ config: cfg }),
      app('RUNNING', { driverInfo: { podName: 'app-driver', webUIIngressAddress: 'ui.example.com/app' } }),
    );
    expect(pi.info.logs).toEqual([
      {
        name: 'Kubernetes Logs',
        uri: 'https://k8s/ns/app-driver/spark-kubernetes-driver',
        linkType: 'EXTERNAL',
        ready: true,
      },
      { name: 'System', uri: 'https://logs/app', linkType: 'EXTERNAL', ready: true },
      { name: 'Spark Driver UI', uri: 'https://ui.example.com/app', linkType: 'DASHBOARD', ready: true },
    ]);
    expect(pi.reason).toBe('Spark driver UI is ready');
    expect(pi.info.customInfo).toEqual({ sparkDriverUI: 'https://ui.example.com/app' });
  });

  it('links the history server when the job finished with an application id', () => {
    for (const state of ['COMPLETED', 'FAILED']) {
      const pi = getSparkTaskPhase(ctx({ config: cfg }), app(state, { sparkApplicationId: 'spark-42' }));
      expect(pi.info.logs).toContainEqual({
        name: 'Spark History UI',
        uri: 'https://history.example.com/history/spark-42',
        linkType: 'DASHBOARD',
        ready: true,
      });
      expect(pi.info.customInfo).toEqual({ sparkHistoryUI: 'https://history.example.com/history/spark-42' });
    }
    expect(
      getSparkTaskPhase(ctx({ config: cfg }), app('SUBMISSION_FAILED', { sparkApplicationId: 'x' })).info
        .customInfo,
    ).toBeUndefined();
  });

  it('builds the log context from the driver and the started executors, in name order', () => {
    const pi = getSparkTaskPhase(
      ctx(),
      app('RUNNING', {
        executorState: { 'app-exec-2': 'RUNNING', 'app-exec-1': 'FAILED', 'app-exec-3': 'PENDING' },
      }),
    );
    expect(pi.info.logContext?.primaryPodName).toBe('app-driver');
    expect(pi.info.logContext?.pods.map((p) => [p.podName, p.primaryContainerName])).toEqual([
      ['app-driver', 'spark-kubernetes-driver'],
      ['app-exec-1', 'spark-kubernetes-executor'],
      ['app-exec-2', 'spark-kubernetes-executor'],
    ]);
  });

  it("uses Flyte's default mixed link (the local dashboard) when unconfigured", () => {
    const pi = getSparkTaskPhase({ now: NOW, config: defaultPlatformConfig }, app('RUNNING'));
    expect(pi.info.logs[0]?.uri).toBe('http://localhost:30082/#!/log/ns/app-driver/pod?namespace=ns');
  });
});

describe('versions', () => {
  it('bump within a phase when the reason changes, also for driver failures', () => {
    const previous = { phase: 'Running' as const, version: 3, reason: '' };
    expect(getSparkTaskPhase(ctx({ previous }), app('SUCCEEDING')).version).toBe(4);
    expect(getSparkTaskPhase(ctx({ previous }), app('RUNNING')).version).toBe(3);
    const failedPrev = { phase: 'RetryableFailure' as const, version: 2, reason: 'x' };
    const d = driverPod({
      phase: 'Failed',
      containerStatuses: [terminated(DRIVER, 1, 'Error', T0, T0 + MIN)],
    });
    expect(getSparkTaskPhase(ctx({ previous: failedPrev, related: [d] }), app('RUNNING')).version).toBe(3);
  });
});

describe('garbage collection helpers', () => {
  it.each([
    ['COMPLETED', {}, true],
    ['FAILED', {}, true],
    ['SUBMISSION_FAILED', { submissionAttempts: 15 }, true],
    ['SUBMISSION_FAILED', { submissionAttempts: 1 }, false],
    ['RUNNING', {}, false],
    ['SUSPENDED', {}, false],
    ['', {}, false],
  ] as const)('%s %j terminal: %s', (state, extra, terminal) => {
    expect(isSparkTerminal(app(state, extra))).toBe(terminal);
  });

  it('garbage is not terminal and has no completion time', () => {
    expect(isSparkTerminal(null)).toBe(false);
    expect(sparkCompletionTime('x')).toEqual(O.none);
  });

  it('completion time: termination, else last submission attempt, else creation', () => {
    const t = (s: string) => Date.parse(s);
    expect(
      sparkCompletionTime(
        app('COMPLETED', {
          terminationTime: '2026-01-02T00:00:00Z',
          lastSubmissionAttemptTime: '2026-01-01T12:00:00Z',
        }),
      ),
    ).toEqual(O.some(t('2026-01-02T00:00:00Z')));
    expect(sparkCompletionTime(app('FAILED', { lastSubmissionAttemptTime: '2026-01-01T12:00:00Z' }))).toEqual(
      O.some(t('2026-01-01T12:00:00Z')),
    );
    expect(sparkCompletionTime(app('FAILED'))).toEqual(O.some(t('2026-01-01T00:00:00Z')));
  });
});

it('uses the task for log template variables when given', () => {
  const cfg = config({
    logs: {
      user: {
        templates: [{ 'display-name': 'Task', 'template-uris': ['https://x/{{ .taskID }}/{{ .podName }}'] }],
      },
    },
  });
  const pi = getSparkTaskPhase(ctx({ config: cfg, task: sparkTask() }), app('RUNNING'));
  expect(pi.info.logs).toContainEqual({
    name: 'Task',
    uri: 'https://x/wordcount/app-driver',
    linkType: 'EXTERNAL',
    ready: true,
  });
});
