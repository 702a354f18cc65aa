// The batch-job status table, row by row: Job dumps and their pods in, the exact row, phase, code, kind, reason out.
import { describe, expect, it } from 'vitest';
import * as O from 'fp-ts/lib/Option.js';
import { defaultPlatformConfig } from '../../../src/domain/platform-config.js';
import type { PluginState } from '../../../src/domain/phase-info.js';
import {
  explainJobTaskPhase,
  isJobTerminal,
  jobCompletionTime,
  jobPhaseTable,
  type JobRowId,
} from '../../../src/plugins/job/phase.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';
import {
  condition,
  failedStatus,
  iso,
  job,
  jobPod,
  MIN,
  runningStatus,
  SEC,
  T0,
  unschedulableStatus,
  waitingStatus,
} from './fixtures.js';

interface Case {
  readonly name: string;
  readonly resource: unknown;
  readonly related?: ReadonlyArray<unknown>;
  readonly previous?: PluginState;
  readonly now?: number;
  readonly row: JobRowId;
  readonly phase: string;
  readonly code?: string;
  readonly kind?: string;
  readonly reason?: string | RegExp;
  readonly message?: RegExp;
}

const started = { startTime: iso(T0 + SEC) };
const oomPod = jobPod('r1-a-0-bcdfg', failedStatus(137, 'OOMKilled'), T0 + SEC);
const errorPod = jobPod('r1-a-0-hjklm', failedStatus(1, 'Error', T0 + 2 * MIN), T0 + 90 * SEC);

const cases: ReadonlyArray<Case> = [
  {
    name: 'a pod, not a Job',
    resource: { apiVersion: 'v1', kind: 'Pod' },
    row: 'input.not-a-job',
    phase: 'Undefined',
    reason: /expected a batch\/v1 Job, got kind "Pod"/,
  },
  {
    name: "another group's Job",
    resource: { apiVersion: 'kubeflow.org/v1', kind: 'Job' },
    row: 'input.not-a-job',
    phase: 'Undefined',
  },
  { name: 'null', resource: null, row: 'input.not-a-job', phase: 'Undefined', reason: /got null/ },
  {
    name: 'no status yet',
    resource: job(undefined),
    row: 'created',
    phase: 'Queued',
    reason: 'Job created; waiting for the Job controller',
  },
  { name: 'an empty status', resource: job({}), row: 'created', phase: 'Queued' },
  {
    name: 'an unknown condition only',
    resource: job({ conditions: [condition('FutureCondition', 'X', 'y')] }),
    row: 'created',
    phase: 'Queued',
  },
  {
    name: 'started, no pod yet',
    resource: job({ ...started, active: 0 }),
    row: 'started.no-pods',
    phase: 'Queued',
  },
  {
    name: 'active, none ready, pods not in the cache',
    resource: job({ ...started, active: 1, ready: 0 }),
    row: 'active.not-ready',
    phase: 'Initializing',
    reason: '1 active (0 ready), 0 succeeded, 0 failed (backoffLimit 2): pods starting',
  },
  {
    name: 'active and ready, pods not in the cache',
    resource: job({ ...started, active: 2, ready: 1 }),
    row: 'active.ready',
    phase: 'Running',
  },
  {
    name: 'a pending pod, unschedulable',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', unschedulableStatus())],
    row: 'pending.pod',
    phase: 'Queued',
    reason: 'pod r1-a-0-bcdfg: Unschedulable:0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
  },
  {
    name: 'a pending pod pulling its image',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', waitingStatus('ContainerCreating', ''))],
    row: 'pending.pod',
    phase: 'Initializing',
    reason: /^pod r1-a-0-bcdfg: \[ContainersNotReady\|ContainerCreating\]/,
  },
  {
    name: 'image pull back-off within grace',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', waitingStatus('ImagePullBackOff', 'Back-off pulling image "img:1"'))],
    now: T0 + MIN,
    row: 'pending.pod',
    phase: 'Initializing',
  },
  {
    name: "image pull back-off past grace: the pod plugin's failure",
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', waitingStatus('ImagePullBackOff', 'Back-off pulling image "img:1"'))],
    now: T0 + 10 * MIN,
    row: 'pod.pending-failure',
    phase: 'RetryableFailure',
    code: 'ContainersNotReady|ImagePullBackOff',
    kind: 'USER',
    message: /^pod r1-a-0-bcdfg: Grace period \[3m0s\] exceeded/,
  },
  {
    name: 'a missing secret: config error',
    resource: job({ ...started, active: 1 }),
    related: [
      jobPod('r1-a-0-bcdfg', waitingStatus('CreateContainerConfigError', 'secret "creds" not found')),
    ],
    row: 'pod.pending-failure',
    phase: 'PermanentFailure',
    code: 'ContainersNotReady|CreateContainerConfigError',
    kind: 'USER',
  },
  {
    name: 'a bad image name',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', waitingStatus('InvalidImageName', "couldn't parse image name"))],
    row: 'pod.pending-failure',
    phase: 'PermanentFailure',
    code: 'ContainersNotReady|InvalidImageName',
  },
  {
    name: 'a running pod',
    resource: job({ ...started, active: 1, ready: 1 }),
    related: [jobPod('r1-a-0-bcdfg', runningStatus())],
    row: 'running.pod-running',
    phase: 'Running',
    reason: '1 active (1 ready), 0 succeeded, 0 failed (backoffLimit 2)',
  },
  {
    name: 'a running replacement after an OOM',
    resource: job({ ...started, active: 1, ready: 1, failed: 1 }),
    related: [oomPod, jobPod('r1-a-0-hjklm', runningStatus(T0 + 2 * MIN), T0 + 90 * SEC)],
    row: 'running.pod-running',
    phase: 'Running',
    reason:
      '1 active (1 ready), 0 succeeded, 1 failed (backoffLimit 2); last failed pod r1-a-0-bcdfg [OOMKilled]',
  },
  {
    name: 'between pods: the failed one counted, no replacement yet',
    resource: job({ ...started, active: 0, failed: 1 }),
    related: [oomPod],
    row: 'running.between-pods',
    phase: 'Running',
    reason: /no pod running; last failed pod r1-a-0-bcdfg \[OOMKilled\]$/,
  },
  {
    name: 'between pods: the pod succeeded, the controller has not written it yet',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-bcdfg', { phase: 'Succeeded' })],
    row: 'running.between-pods',
    phase: 'Running',
    reason: /pod r1-a-0-bcdfg succeeded; waiting for the Job controller$/,
  },
  {
    name: 'between pods: the replacement pending',
    resource: job({ ...started, active: 1, failed: 1 }),
    related: [oomPod, jobPod('r1-a-0-hjklm', unschedulableStatus(T0 + 2 * MIN), T0 + 2 * MIN)],
    row: 'running.between-pods',
    phase: 'Running',
    reason: /next pod r1-a-0-hjklm: Unschedulable:/,
  },
  {
    name: 'between pods: running was reported before, counters not yet written',
    resource: job({ ...started, active: 1 }),
    related: [jobPod('r1-a-0-hjklm', unschedulableStatus())],
    previous: { phase: 'Running', version: 3, reason: 'x' },
    row: 'running.between-pods',
    phase: 'Running',
  },
  {
    name: 'suspended (Kueue)',
    resource: job(
      { conditions: [condition('Suspended', 'JobSuspended', 'Job suspended')] },
      { suspend: true },
    ),
    row: 'suspended',
    phase: 'WaitingForResources',
    reason: 'Job suspended (JobSuspended: Job suspended)',
  },
  {
    name: 'spec.suspend before the controller',
    resource: job(undefined, { suspend: true }),
    row: 'suspended',
    phase: 'WaitingForResources',
  },
  {
    name: 'resumed: Suspended False',
    resource: job({
      ...started,
      active: 1,
      conditions: [condition('Suspended', 'JobResumed', 'Job resumed', T0, 'False')],
    }),
    row: 'active.not-ready',
    phase: 'Initializing',
  },
  {
    name: 'complete',
    resource: job({
      ...started,
      succeeded: 1,
      completionTime: iso(T0 + 5 * MIN),
      conditions: [
        condition('SuccessCriteriaMet', 'CompletionsReached'),
        condition('Complete', 'CompletionsReached'),
      ],
    }),
    row: 'complete',
    phase: 'Success',
  },
  {
    name: 'success criteria met, pods still terminating',
    resource: job({
      ...started,
      succeeded: 2,
      active: 1,
      conditions: [condition('SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0')],
    }),
    row: 'complete',
    phase: 'Success',
  },
  {
    name: 'Complete False is not complete',
    resource: job({ ...started, active: 1, conditions: [condition('Complete', '', '', T0, 'False')] }),
    row: 'active.not-ready',
    phase: 'Initializing',
  },
  {
    name: "backoff limit exceeded after OOMs: the pod's detail",
    resource: job({
      ...started,
      failed: 3,
      conditions: [
        condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        condition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
      ],
    }),
    related: [oomPod],
    row: 'failed.backoff-limit',
    phase: 'PermanentFailure',
    code: 'BackoffLimitExceeded',
    kind: 'USER',
    message: /^Job has reached the specified backoff limit; last failed pod ns\/r1-a-0-bcdfg: \[OOMKilled\] /,
  },
  {
    name: 'backoff limit exceeded, no pod seen',
    resource: job({
      ...started,
      failed: 3,
      conditions: [
        condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
      ],
    }),
    row: 'failed.backoff-limit',
    phase: 'PermanentFailure',
    code: 'BackoffLimitExceeded',
    kind: 'USER',
    message: /^Job has reached the specified backoff limit$/,
  },
  {
    name: "backoff limit exceeded by SIGKILLs: the pod's SYSTEM kind",
    resource: job({ ...started, failed: 3, conditions: [condition('Failed', 'BackoffLimitExceeded', '')] }),
    related: [jobPod('r1-a-0-bcdfg', failedStatus(137, 'Error'))],
    row: 'failed.backoff-limit',
    phase: 'PermanentFailure',
    code: 'BackoffLimitExceeded',
    kind: 'SYSTEM',
    message: /^Job has reached the specified backoff limit; last failed pod/,
  },
  {
    name: 'deadline exceeded',
    resource: job({
      ...started,
      conditions: [condition('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')],
    }),
    row: 'failed.deadline',
    phase: 'PermanentFailure',
    code: 'DeadlineExceeded',
    kind: 'USER',
  },
  {
    name: 'pod failure policy FailJob: the named pod',
    resource: job({
      ...started,
      failed: 2,
      conditions: [
        condition(
          'FailureTarget',
          'PodFailurePolicy',
          'Container a for pod ns/r1-a-0-bcdfg failed with exit code 137 matching FailJob rule at index 0',
        ),
      ],
    }),
    related: [oomPod, errorPod],
    row: 'failed.pod-failure-policy',
    phase: 'PermanentFailure',
    code: 'PodFailurePolicy',
    message: /last failed pod ns\/r1-a-0-bcdfg: \[OOMKilled\]/,
  },
  {
    name: 'max failed indexes exceeded',
    resource: job({
      ...started,
      failedIndexes: '0,2',
      conditions: [condition('Failed', 'MaxFailedIndexesExceeded', '')],
    }),
    row: 'failed.max-failed-indexes',
    phase: 'PermanentFailure',
    code: 'MaxFailedIndexesExceeded',
    message: /^Job has exceeded the specified maximal number of failed indexes$/,
  },
  {
    name: 'failed indexes',
    resource: job({
      ...started,
      conditions: [condition('Failed', 'FailedIndexes', 'Job has failed indexes')],
    }),
    row: 'failed.failed-indexes',
    phase: 'PermanentFailure',
    code: 'FailedIndexes',
  },
  {
    name: 'a future failure reason',
    resource: job({ ...started, conditions: [condition('Failed', 'QuotaRevoked', 'gone')] }),
    row: 'failed.other',
    phase: 'PermanentFailure',
    code: 'QuotaRevoked',
    message: /^gone$/,
  },
  {
    name: 'a reason named like an Object member is a future reason too',
    resource: job({ ...started, conditions: [condition('Failed', 'constructor', '')] }),
    row: 'failed.other',
    phase: 'PermanentFailure',
    code: 'constructor',
    message: /^Job failed \(constructor\)$/,
  },
  {
    name: 'no failure reason at all',
    resource: job({ conditions: [condition('Failed')] }),
    row: 'failed.other',
    phase: 'PermanentFailure',
    code: 'JobFailed',
    message: /^Job failed \(JobFailed\)$/,
  },
  {
    name: 'Failed and Complete both True: the failure wins',
    resource: job({ conditions: [condition('Complete'), condition('Failed', 'DeadlineExceeded')] }),
    row: 'failed.deadline',
    phase: 'PermanentFailure',
  },
  {
    name: 'a terminal Job stays terminal whatever its pods say',
    resource: job({ conditions: [condition('Complete')] }),
    related: [jobPod('r1-a-0-bcdfg', waitingStatus('InvalidImageName', 'x'))],
    row: 'complete',
    phase: 'Success',
  },
];

const config = defaultPlatformConfig;

describe('batch-job phase mapping: table-driven cases', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { row, pi } = explainJobTaskPhase(
      {
        now: c.now ?? T0 + 3 * MIN,
        config,
        ...(c.previous === undefined ? {} : { previous: c.previous }),
        ...(c.related === undefined ? {} : { related: c.related as never }),
      },
      c.resource,
    );
    expect(row).toBe(c.row);
    expect(pi.phase).toBe(c.phase);
    expect(pi.error?.code).toBe(c.code ?? (pi.error === undefined ? undefined : pi.error.code));
    if (c.code === undefined && !['PermanentFailure', 'RetryableFailure'].includes(c.phase))
      expect(pi.error).toBeUndefined();
    if (c.kind !== undefined) expect(pi.error?.kind).toBe(c.kind);
    if (typeof c.reason === 'string') expect(pi.reason).toBe(c.reason);
    else if (c.reason !== undefined) expect(pi.reason).toMatch(c.reason);
    if (c.message !== undefined) expect(pi.error?.message).toMatch(c.message);
  });

  it('covers every row of the table', () => {
    const covered = new Set(cases.map((c) => c.row));
    expect(jobPhaseTable.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('related pods', () => {
  const ctx = (related: ReadonlyArray<unknown>) => ({ now: T0 + 3 * MIN, config, related: related as never });

  it('ignores pods of other Jobs, whatever their state', () => {
    const other = {
      ...jobPod('x-bcdfg', waitingStatus('InvalidImageName', 'x')),
      metadata: {
        name: 'x-bcdfg',
        namespace: 'ns',
        labels: { 'batch.kubernetes.io/job-name': 'x' },
        ownerReferences: [{ uid: 'other' }],
      },
    };
    expect(explainJobTaskPhase(ctx([other]), job({ ...started, active: 1 })).row).toBe('active.not-ready');
  });

  it('without a Job uid, pods are matched by the job-name label', () => {
    const noUid = { ...job({ ...started, active: 1 }), metadata: { name: 'r1-a-0', namespace: 'ns' } };
    const pod = jobPod('r1-a-0-bcdfg', runningStatus());
    expect(explainJobTaskPhase(ctx([pod]), noUid).row).toBe('running.pod-running');
  });

  it('the log links and log context come from the pods, the counters are custom info', () => {
    const c = {
      now: T0 + 3 * MIN,
      config: {
        ...config,
        logs: { ...config.logs, 'kubernetes-enabled': true, 'kubernetes-url': 'https://k8s' },
      },
      related: [oomPod, jobPod('r1-a-0-hjklm', runningStatus(T0 + 2 * MIN), T0 + 90 * SEC)] as never,
    };
    const { pi } = explainJobTaskPhase(c, job({ ...started, active: 1, ready: 1, failed: 1 }));
    expect(pi.info.logs[0]?.uri).toContain('r1-a-0-hjklm');
    expect(pi.info.logContext?.primaryPodName).toBe('r1-a-0-hjklm');
    expect(pi.info.logContext?.pods.map((p) => p.podName)).toEqual(['r1-a-0-bcdfg', 'r1-a-0-hjklm']);
    expect(pi.info.customInfo).toEqual({
      job: { active: 1, ready: 1, succeeded: 0, failed: 1, terminating: 0 },
    });
  });

  it("the plugin asks for the Job's pods by name label and owner uid", () => {
    const queries = jobPlugin.relatedResources?.(job(undefined));
    expect(queries).toEqual([
      {
        kind: { apiVersion: 'v1', kind: 'Pod' },
        namespace: 'ns',
        labelSelector: { 'batch.kubernetes.io/job-name': 'r1-a-0' },
        ownerUid: '6b1c1c44-0000-4000-8000-000000000001',
      },
    ]);
    expect(jobPlugin.relatedKinds).toEqual([{ apiVersion: 'v1', kind: 'Pod' }]);
  });
});

describe('versions', () => {
  it('a changed reason in the same phase bumps the version past the stored one', () => {
    const r = explainJobTaskPhase(
      { now: T0, config, previous: { phase: 'Running', version: 4, reason: 'before' } },
      job({ ...started, active: 2, ready: 1 }),
    );
    expect(r.pi.version).toBe(5);
  });
});

describe('garbage collection', () => {
  it.each([
    [job(undefined), false, O.none],
    [
      job({ conditions: [condition('Complete', '', '', T0 + MIN)], completionTime: iso(T0 + 2 * MIN) }),
      true,
      O.some(T0 + 2 * MIN),
    ],
    [job({ conditions: [condition('SuccessCriteriaMet', '', '', T0 + MIN)] }), true, O.some(T0 + MIN)],
    [
      job({ conditions: [condition('Failed', 'DeadlineExceeded', '', T0 + 4 * MIN)] }),
      true,
      O.some(T0 + 4 * MIN),
    ],
    [
      job({ conditions: [condition('FailureTarget', 'DeadlineExceeded', '', T0 + 4 * MIN)] }),
      true,
      O.some(T0 + 4 * MIN),
    ],
    [job({ conditions: [condition('Failed', '', '', T0, 'False')] }), false, O.none],
    ['garbage', false, O.none],
  ])('%#', (resource, terminal, at) => {
    expect(isJobTerminal(resource)).toBe(terminal);
    expect(jobCompletionTime(resource)).toEqual(at);
  });
});
