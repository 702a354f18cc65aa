// The ray plugin's phase mapping: the jobDeploymentStatus table, the cluster's pods, links, GC helpers and the laws.
import { fc, test } from '@fast-check/vitest';
import * as O from 'fp-ts/lib/Option.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/kubernetes.js';
import { isTerminal } from '../../../src/domain/phase.js';
import { pluginStateOf, type PhaseInfo, type PluginState } from '../../../src/domain/phase-info.js';
import type { PhaseContext } from '../../../src/domain/plugin.js';
import { parseInstant } from '../../../src/domain/time.js';
import {
  getRayTaskPhase,
  isRayJobTerminal,
  rayJobCompletionTime,
  rayRelatedResources,
} from '../../../src/plugins/ray/phase.js';
import { arbRayClusterPod, arbRayJob, arbRayJobStatusSequence } from '../../../src/testing/index.js';
import { rayConfig } from './fixtures.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const CLUSTER = 'r1-a-0-raycluster-abcde';

const job = (status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'ray.io/v1',
  kind: 'RayJob',
  metadata: { name: 'r1-a-0', namespace: 'ns', uid: 'u1', creationTimestamp: iso(T0) },
  ...(status === undefined ? {} : { status }),
});

const ctx = (extra: Partial<PhaseContext> = {}): PhaseContext => ({
  now: T0 + 60_000,
  config: rayConfig(),
  ...extra,
});

const pod = (
  role: 'head' | 'worker',
  name: string,
  status: Record<string, unknown>,
  extra: { namespace?: string; cluster?: string } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: extra.namespace ?? 'ns',
    creationTimestamp: iso(T0),
    labels: { 'ray.io/cluster': extra.cluster ?? CLUSTER, 'ray.io/node-type': role },
    annotations: { primary_container_name: role === 'head' ? 'ray-head' : 'ray-worker' },
  },
  spec: { containers: [{ name: role === 'head' ? 'ray-head' : 'ray-worker', image: 'ray' }] },
  status,
});

const runningStatus = (container: string, ready = true) => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(T0) }],
  containerStatuses: [{ name: container, ready, state: { running: { startedAt: iso(T0) } } }],
});

const oomStatus = (container: string) => ({
  phase: 'Failed',
  containerStatuses: [
    {
      name: container,
      ready: false,
      state: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: iso(T0) } },
    },
  ],
});

const imagePullBackOff = (container: string) => ({
  phase: 'Pending',
  conditions: [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(T0) },
    { type: 'Ready', status: 'False', reason: 'ContainersNotReady', lastTransitionTime: iso(T0) },
  ],
  containerStatuses: [
    {
      name: container,
      ready: false,
      state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ray"' } },
    },
  ],
});

const preempted = (container: string) => ({
  phase: 'Failed',
  conditions: [
    { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'preempted' },
  ],
  containerStatuses: [
    {
      name: container,
      ready: false,
      state: { terminated: { exitCode: 137, reason: 'Error', finishedAt: iso(T0) } },
    },
  ],
});

const failedStatus = (reason: string, jobStatus = 'FAILED') => ({
  jobDeploymentStatus: 'Failed',
  jobStatus,
  reason,
  message: 'Job entrypoint command failed with exit code 1',
  rayClusterName: CLUSTER,
});

describe('the jobDeploymentStatus table', () => {
  const rows: ReadonlyArray<{
    readonly status: Record<string, unknown> | undefined;
    readonly phase: PhaseInfo['phase'];
    readonly reason?: string;
    readonly code?: string;
    readonly kind?: string;
  }> = [
    { status: undefined, phase: 'Queued', reason: 'Scheduling' },
    { status: { jobDeploymentStatus: '' }, phase: 'Queued', reason: 'Scheduling' },
    { status: { jobDeploymentStatus: 'New' }, phase: 'Queued', reason: 'Scheduling' },
    {
      status: { jobDeploymentStatus: 'Initializing', rayClusterName: CLUSTER },
      phase: 'Initializing',
      reason: 'cluster is creating',
    },
    {
      status: { jobDeploymentStatus: 'Running', jobStatus: 'RUNNING' },
      phase: 'Running',
      reason: 'Ray job RUNNING',
    },
    { status: { jobDeploymentStatus: 'Running' }, phase: 'Running', reason: '' },
    { status: { jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED' }, phase: 'Success' },
    {
      status: { jobDeploymentStatus: 'Complete', jobStatus: 'FAILED' },
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: { jobDeploymentStatus: 'Complete', jobStatus: 'STOPPED' },
      phase: 'PermanentFailure',
      code: 'RayJobStopped',
      kind: 'USER',
    },
    {
      status: failedStatus('AppFailed'),
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: failedStatus('SubmissionFailed'),
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: failedStatus('DeadlineExceeded'),
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: failedStatus('PreRunningDeadlineExceeded'),
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: failedStatus('ValidationFailed'),
      phase: 'PermanentFailure',
      code: 'TaskFailedWithError',
      kind: 'USER',
    },
    {
      status: failedStatus('JobDeploymentStatusTransitionGracePeriodExceeded', ''),
      phase: 'RetryableFailure',
      code: 'TaskFailedWithError',
      kind: 'SYSTEM',
    },
    {
      status: { jobDeploymentStatus: 'ValidationFailed', message: 'bad' },
      phase: 'PermanentFailure',
      code: 'ValidationFailed',
      kind: 'USER',
    },
    {
      status: { jobDeploymentStatus: 'Suspending' },
      phase: 'Queued',
      reason: 'cluster is about to be suspended',
    },
    { status: { jobDeploymentStatus: 'Suspended' }, phase: 'Queued', reason: 'cluster is suspended' },
    {
      status: { jobDeploymentStatus: 'Retrying', reason: 'AppFailed', message: 'x' },
      phase: 'Running',
      reason: 'KubeRay is retrying the job after [AppFailed] x',
    },
    {
      status: { jobDeploymentStatus: 'Waiting' },
      phase: 'Initializing',
      reason: 'waiting for a job to be submitted (InteractiveMode)',
    },
    {
      status: { jobDeploymentStatus: 'Paused' },
      phase: 'Initializing',
      reason: 'unknown job deployment status "Paused"',
    },
    {
      status: { jobDeploymentStatus: 'Paused', startTime: iso(T0) },
      phase: 'Running',
      reason: 'unknown job deployment status "Paused"',
    },
  ];
  it.each(rows)('$status → $phase', ({ status, phase, reason, code, kind }) => {
    const pi = getRayTaskPhase(ctx(), job(status));
    expect(pi.phase).toBe(phase);
    if (reason !== undefined) expect(pi.reason).toBe(reason);
    expect(pi.error?.code).toBe(code);
    expect(pi.error?.kind).toBe(kind);
    expect(pi.version).toBe(0);
  });

  it('says what failed, as Flyte does', () => {
    const pi = getRayTaskPhase(ctx(), job(failedStatus('AppFailed')));
    expect(pi.error?.message).toBe(
      'Failed to run Ray job r1-a-0 with error: [AppFailed] Job entrypoint command failed with exit code 1',
    );
  });

  it('asks for cleanup when KubeRay lost the job, so the retry gets a fresh cluster', () => {
    expect(
      getRayTaskPhase(ctx(), job(failedStatus('JobDeploymentStatusTransitionGracePeriodExceeded')))
        .cleanupOnFailure,
    ).toBe(true);
  });

  it('answers garbage with Undefined, never a throw', () => {
    for (const g of [
      null,
      3,
      'x',
      [],
      { kind: 'Pod' },
      { status: 7 },
      { status: { jobDeploymentStatus: 5 } },
    ]) {
      expect(() => getRayTaskPhase(ctx(), g)).not.toThrow();
    }
    expect(getRayTaskPhase(ctx(), { kind: 'Pod' }).phase).toBe('Undefined');
  });
});

describe('the cluster pods (related resources)', () => {
  const related = (...pods: KubeObject[]) => ctx({ related: pods });

  it('asks for every pod of the cluster by KubeRay label, never a guessed head name (Flyte bug 8)', () => {
    expect(rayRelatedResources(job({ jobDeploymentStatus: 'Running', rayClusterName: CLUSTER }))).toEqual([
      {
        kind: { apiVersion: 'v1', kind: 'Pod' },
        namespace: 'ns',
        labelSelector: { 'ray.io/cluster': CLUSTER },
      },
    ]);
    expect(rayRelatedResources(job({ jobDeploymentStatus: '' }))).toEqual([]);
    expect(rayRelatedResources({ kind: 'Other' } as KubeObject)).toEqual([]);
  });

  it('fails at once when the head pod cannot pull its image past the grace period', () => {
    const late = ctx({
      now: T0 + 3_600_000,
      related: [pod('head', `${CLUSTER}-head-x7k2p`, imagePullBackOff('ray-head'))],
    });
    const pi = getRayTaskPhase(late, job({ jobDeploymentStatus: 'Initializing', rayClusterName: CLUSTER }));
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.message).toContain(`Ray head pod ${CLUSTER}-head-x7k2p`);
  });

  it('ignores a head pod that is only starting', () => {
    const pi = getRayTaskPhase(
      related(pod('head', `${CLUSTER}-head-x7k2p`, imagePullBackOff('ray-head'))),
      job({ jobDeploymentStatus: 'Initializing', rayClusterName: CLUSTER }),
    );
    expect(pi.phase).toBe('Initializing');
  });

  it("explains a failed job by an OOMKilled worker: a retryable OOMKilled, with KubeRay's words first", () => {
    const pi = getRayTaskPhase(
      related(
        pod('head', `${CLUSTER}-head-x`, runningStatus('ray-head')),
        pod('worker', `${CLUSTER}-w-worker-y`, oomStatus('ray-worker')),
      ),
      job(failedStatus('AppFailed')),
    );
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.code).toBe('OOMKilled');
    expect(pi.error?.kind).toBe('USER');
    expect(pi.error?.message).toMatch(
      /^Failed to run Ray job r1-a-0 with error: \[AppFailed\].*\nRay worker pod .*-w-worker-y: /s,
    );
  });

  it('explains a failed job by a preempted worker: a Preempted system failure', () => {
    const pi = getRayTaskPhase(
      related(pod('worker', `${CLUSTER}-w-worker-y`, preempted('ray-worker'))),
      job(failedStatus('AppFailed')),
    );
    expect(pi.phase).toBe('RetryableFailure');
    expect(pi.error?.kind).toBe('SYSTEM');
    expect(pi.error?.code).toBe('Preempted');
  });

  it('lets a terminal status win over the pods', () => {
    const pi = getRayTaskPhase(
      related(pod('head', `${CLUSTER}-head-x`, oomStatus('ray-head'))),
      job({ jobDeploymentStatus: 'Complete', jobStatus: 'SUCCEEDED', rayClusterName: CLUSTER }),
    );
    expect(pi.phase).toBe('Success');
  });

  it('ignores pods of other clusters and namespaces', () => {
    const pi = getRayTaskPhase(
      related(
        pod('head', 'other-head-x', oomStatus('ray-head'), { cluster: 'other' }),
        pod('head', `${CLUSTER}-head-x`, oomStatus('ray-head'), { namespace: 'elsewhere' }),
      ),
      job({ jobDeploymentStatus: 'Running', rayClusterName: CLUSTER }),
    );
    expect(pi.phase).toBe('Running');
  });

  it('prefers the newest head when KubeRay replaced one', () => {
    const old = pod('head', `${CLUSTER}-head-old`, oomStatus('ray-head'));
    const fresh = pod('head', `${CLUSTER}-head-new`, runningStatus('ray-head'));
    (fresh.metadata as Record<string, unknown>)['creationTimestamp'] = iso(T0 + 30_000);
    const pi = getRayTaskPhase(
      related(old, fresh),
      job({ jobDeploymentStatus: 'Running', rayClusterName: CLUSTER }),
    );
    expect(pi.phase).toBe('Running');
    expect(pi.info.logContext?.primaryPodName).toBe(`${CLUSTER}-head-new`);
  });
});

describe('links', () => {
  const config = rayConfig({
    plugins: {
      ray: {
        logs: {
          templates: [
            {
              'display-name': 'Ray logs',
              'template-uris': ['https://logs/{{ .namespace }}/{{ .podName }}/{{ .rayClusterName }}'],
            },
          ],
        },
        dashboardURLTemplate: {
          'display-name': 'Ray Dashboard',
          'template-uris': ['https://dash/{{ .rayClusterName }}/{{ .rayJobID }}'],
        },
      },
    },
  });
  const running = job({
    jobDeploymentStatus: 'Running',
    jobStatus: 'RUNNING',
    rayClusterName: CLUSTER,
    jobId: 'job-1',
    dashboardURL: `${CLUSTER}-head-svc.ns.svc:8265`,
  });

  it('renders the log links for the real head pod and the dashboard while the job runs', () => {
    const pi = getRayTaskPhase(
      { ...ctx(), config, related: [pod('head', `${CLUSTER}-head-x`, runningStatus('ray-head'))] },
      running,
    );
    expect(pi.info.logs).toEqual([
      {
        name: 'Ray logs',
        uri: `https://logs/ns/${CLUSTER}-head-x/${CLUSTER}`,
        linkType: 'EXTERNAL',
        ready: true,
      },
      { name: 'Ray Dashboard', uri: `https://dash/${CLUSTER}/job-1`, linkType: 'DASHBOARD', ready: true },
    ]);
    expect(pi.reason).toBe('Ray job RUNNING, Ray dashboard is ready');
  });

  it('marks the dashboard not ready while the head is not ready', () => {
    const pi = getRayTaskPhase(
      { ...ctx(), config, related: [pod('head', `${CLUSTER}-head-x`, runningStatus('ray-head', false))] },
      running,
    );
    expect(pi.info.logs.find((l) => l.linkType === 'DASHBOARD')?.ready).toBe(false);
    expect(pi.reason).toBe('Ray job RUNNING, Ray dashboard is not ready');
  });

  it('has no dashboard once the job is not running', () => {
    const pi = getRayTaskPhase(
      { ...ctx(), config },
      job({
        jobDeploymentStatus: 'Complete',
        jobStatus: 'SUCCEEDED',
        rayClusterName: CLUSTER,
        dashboardURL: 'x',
      }),
    );
    expect(pi.info.logs.some((l) => l.linkType === 'DASHBOARD')).toBe(false);
  });

  it('falls back to the platform logs section when plugins.ray.logs enables nothing', () => {
    const platform = rayConfig({ logs: { 'kubernetes-enabled': true, 'kubernetes-url': 'http://k8s' } });
    const pi = getRayTaskPhase(
      { ...ctx(), config: platform, related: [pod('head', `${CLUSTER}-head-x`, runningStatus('ray-head'))] },
      running,
    );
    expect(pi.info.logs[0]?.uri).toBe(`http://k8s/#!/log/ns/${CLUSTER}-head-x/pod?namespace=ns`);
  });
});

describe('garbage collection helpers', () => {
  it.each([
    ['Complete', true],
    ['Failed', true],
    ['ValidationFailed', true],
    ['Running', false],
    ['Suspended', false],
    ['', false],
  ])('%s is terminal: %s', (s, terminal) => {
    expect(isRayJobTerminal(job({ jobDeploymentStatus: s }))).toBe(terminal);
  });

  it('completes at endTime, else startTime, else creation', () => {
    const end = T0 + 5000;
    expect(rayJobCompletionTime(job({ endTime: iso(end), startTime: iso(T0 + 1000) }))).toEqual(O.some(end));
    expect(rayJobCompletionTime(job({ startTime: iso(T0 + 1000) }))).toEqual(O.some(T0 + 1000));
    expect(rayJobCompletionTime(job())).toEqual(parseInstant(iso(T0)));
    expect(rayJobCompletionTime('junk')).toEqual(O.none);
    expect(isRayJobTerminal(42)).toBe(false);
  });
});

describe('laws', () => {
  const arbRelated = (r: Record<string, unknown>) => {
    const status = r['status'] as Record<string, unknown> | undefined;
    const cluster = typeof status?.['rayClusterName'] === 'string' ? status['rayClusterName'] : 'c';
    return fc.array(arbRayClusterPod(cluster), { maxLength: 3 });
  };
  const arbObserved = arbRayJob.chain((r) => fc.tuple(fc.constant(r), arbRelated(r)));
  const arbNow = fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 });

  test.prop([fc.anything(), arbNow])('total over any value', (u, now) => {
    const pi = getRayTaskPhase({ now, config: rayConfig() }, u);
    expect(typeof pi.phase).toBe('string');
  });

  test.prop([arbObserved, arbNow])(
    'total and deterministic over generated RayJobs and cluster pods',
    ([r, pods], now) => {
      const c = { now, config: rayConfig(), related: pods as KubeObject[] };
      const a = getRayTaskPhase(c, r);
      expect(a).toEqual(getRayTaskPhase(c, r));
      expect(a.phase).not.toBe('Undefined');
    },
  );

  test.prop([arbObserved, arbNow])(
    'a terminal RayJob status always gives a terminal phase',
    ([r, pods], now) => {
      const pi = getRayTaskPhase({ now, config: rayConfig(), related: pods as KubeObject[] }, r);
      if (isRayJobTerminal(r)) expect(isTerminal(pi.phase)).toBe(true);
    },
  );

  test.prop([arbRayJobStatusSequence])(
    'versions never decrease and a new reason moves them forward',
    ({ observations }) => {
      let previous: PluginState | undefined;
      for (const o of observations) {
        const pi = getRayTaskPhase(
          { now: o.now, config: rayConfig(), ...(previous === undefined ? {} : { previous }) },
          o.resource,
        );
        if (previous !== undefined && previous.phase === pi.phase) {
          expect(pi.version).toBeGreaterThanOrEqual(previous.version);
          if (previous.reason !== pi.reason) expect(pi.version).toBeGreaterThan(previous.version);
        }
        previous = pluginStateOf(pi);
      }
    },
  );

  test.prop([arbRayJobStatusSequence])(
    'a terminal phase is never followed by a non-terminal one',
    ({ observations }) => {
      let seen = false;
      let previous: PluginState | undefined;
      for (const o of observations) {
        const pi = getRayTaskPhase(
          { now: o.now, config: rayConfig(), ...(previous === undefined ? {} : { previous }) },
          o.resource,
        );
        if (seen) expect(isTerminal(pi.phase)).toBe(true);
        seen = seen || isTerminal(pi.phase);
        previous = pluginStateOf(pi);
      }
    },
  );
});
