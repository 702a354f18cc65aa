// Small builders for batch-job tests: a task, a build that must succeed or fail, and Job and pod dumps.
import * as E from 'fp-ts/lib/Either.js';
import { Job as JobModel } from 'kubernetes-models/batch/v1/Job';
import type { Job } from '../../../src/domain/kubernetes.js';
import { addObjectMetadata } from '../../../src/domain/object-metadata.js';
import { defaultPlatformConfig, type PlatformConfig } from '../../../src/domain/platform-config.js';
import type { BuildContext, BuildError } from '../../../src/domain/plugin.js';
import type { TaskExecution } from '../../../src/domain/task.js';
import { formatInstant } from '../../../src/domain/time.js';
import { buildJobResource } from '../../../src/plugins/job/build.js';
import type { JobConfig } from '../../../src/plugins/job/config.js';
import { jobPlugin } from '../../../src/plugins/job/plugin.js';

type TaskPart = Partial<Omit<TaskExecution['task'], 'id'>>;

/** A batch-job task `train` of run r1, action a, in namespace ns. */
export const jobTask = (
  t: TaskPart = {},
  execution: Partial<TaskExecution['execution']> = {},
): TaskExecution => ({
  task: {
    id: { name: 'train', project: 'p', domain: 'd', version: 'v1' },
    type: 'batch-job',
    ...(t.podTemplate === undefined
      ? { container: { image: 'img:1', command: ['python', 'train.py'] } }
      : {}),
    ...t,
  },
  execution: {
    id: { run: 'r1', action: 'a', project: 'p', domain: 'd' },
    namespace: 'ns',
    ...execution,
  },
});

export const withJobConfig = (
  job: Partial<JobConfig>,
  base: PlatformConfig = defaultPlatformConfig,
): PlatformConfig => ({
  ...base,
  // Sections other than k8s are added by decoding with the plugins' codecs; a test sets one directly.
  plugins: { ...base.plugins, job: { ...defaultJobConfig(), ...job } } as PlatformConfig['plugins'],
});

const defaultJobConfig = (): JobConfig => ({
  'default-backoff-limit': 6,
  'default-ttl-seconds-after-finished': null,
  'default-pod-failure-policy': {
    rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
  },
});

export const ctxOf = (te: TaskExecution, config: PlatformConfig = defaultPlatformConfig): BuildContext => ({
  task: te,
  config,
});

export const buildJob = (ctx: BuildContext): Job => {
  const r = buildJobResource(ctx);
  if (E.isLeft(r)) throw new Error(`expected a Job, got ${JSON.stringify(r.left)}`);
  return r.right;
};

export const buildFails = (ctx: BuildContext): BuildError => {
  const r = buildJobResource(ctx);
  if (E.isRight(r)) throw new Error(`expected a build error, got ${JSON.stringify(r.right)}`);
  return r.left;
};

/** The Job as the plugin manager creates it: named, namespaced, labelled. */
export const managedJob = (ctx: BuildContext): Job =>
  addObjectMetadata(ctx, jobPlugin.properties, buildJob(ctx));

/** The OpenAPI oracle: throws with the schema errors when the Job would be rejected. */
export const validateJob = (job: Job): void => {
  new JobModel(job as ConstructorParameters<typeof JobModel>[0]).validate();
};

// -------------------------------------------------------------------------------------
// status dumps
// -------------------------------------------------------------------------------------

export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const iso = (t: number): string => formatInstant(t);
export const JOB_UID = '6b1c1c44-0000-4000-8000-000000000001';

export const condition = (type: string, reason = '', message = '', at = T0 + MIN, status = 'True') => ({
  type,
  status,
  reason,
  message,
  lastProbeTime: iso(at),
  lastTransitionTime: iso(at),
});

/** A Job named r1-a-0 with the given spec fields and status. */
export const job = (status: Record<string, unknown> | undefined, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'r1-a-0', namespace: 'ns', uid: JOB_UID, creationTimestamp: iso(T0) },
  spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'a', image: 'img:1' }] } }, ...spec },
  ...(status === undefined ? {} : { status }),
});

type PodStatus = Record<string, unknown>;

/** A pod of the Job r1-a-0, owned by it, primary container `a`. */
export const jobPod = (
  name: string,
  status: PodStatus,
  createdAt = T0 + SEC,
  extra: Record<string, unknown> = {},
) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    creationTimestamp: iso(createdAt),
    labels: {
      'batch.kubernetes.io/job-name': 'r1-a-0',
      'job-name': 'r1-a-0',
      'batch.kubernetes.io/controller-uid': JOB_UID,
    },
    annotations: { primary_container_name: 'a' },
    ownerReferences: [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'r1-a-0', uid: JOB_UID, controller: true },
    ],
    ...extra,
  },
  spec: { restartPolicy: 'Never', containers: [{ name: 'a', image: 'img:1' }] },
  status,
});

export const runningStatus = (at = T0 + 30 * SEC): PodStatus => ({
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(at) }],
  containerStatuses: [
    {
      name: 'a',
      ready: true,
      restartCount: 0,
      image: 'img:1',
      imageID: '',
      state: { running: { startedAt: iso(at) } },
    },
  ],
});

export const failedStatus = (exitCode: number, reason: string, at = T0 + MIN): PodStatus => ({
  phase: 'Failed',
  conditions: [{ type: 'Ready', status: 'False', reason: 'PodFailed', lastTransitionTime: iso(at) }],
  containerStatuses: [
    {
      name: 'a',
      ready: false,
      restartCount: 0,
      image: 'img:1',
      imageID: '',
      state: { terminated: { exitCode, reason, startedAt: iso(at - 30 * SEC), finishedAt: iso(at) } },
    },
  ],
});

export const waitingStatus = (reason: string, message: string, at = T0 + 5 * SEC): PodStatus => ({
  phase: 'Pending',
  conditions: [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(at) },
    {
      type: 'Ready',
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [a]',
      lastTransitionTime: iso(at),
    },
  ],
  containerStatuses: [
    {
      name: 'a',
      ready: false,
      restartCount: 0,
      image: 'img:1',
      imageID: '',
      state: { waiting: { reason, message } },
    },
  ],
});

export const unschedulableStatus = (at = T0 + 2 * SEC): PodStatus => ({
  phase: 'Pending',
  conditions: [
    {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.',
      lastTransitionTime: iso(at),
    },
  ],
});

// -------------------------------------------------------------------------------------
// unknown fields (the OpenAPI oracle allows them; the API server would silently prune them)
// -------------------------------------------------------------------------------------

const KNOWN: Readonly<Record<string, ReadonlyArray<string>>> = {
  spec: [
    'activeDeadlineSeconds',
    'backoffLimit',
    'backoffLimitPerIndex',
    'completionMode',
    'completions',
    'managedBy',
    'manualSelector',
    'maxFailedIndexes',
    'parallelism',
    'podFailurePolicy',
    'podReplacementPolicy',
    'selector',
    'successPolicy',
    'suspend',
    'template',
    'ttlSecondsAfterFinished',
  ],
  policy: ['rules'],
  rule: ['action', 'onExitCodes', 'onPodConditions'],
  exitCodes: ['containerName', 'operator', 'values'],
  pattern: ['status', 'type'],
  successRule: ['succeededCount', 'succeededIndexes'],
  templateMeta: ['labels', 'annotations'],
};

/** Paths of fields the batch/v1 API does not define, in the parts of the Job the plugin writes itself. */
export const unknownJobFields = (job: Job): ReadonlyArray<string> => {
  const out: string[] = [];
  const check = (o: object | undefined, kind: string, at: string): void => {
    for (const k of Object.keys(o ?? {})) if (!(KNOWN[kind] ?? []).includes(k)) out.push(`${at}.${k}`);
  };
  const spec = job.spec;
  check(spec, 'spec', 'spec');
  check(spec?.template.metadata, 'templateMeta', 'spec.template.metadata');
  check(spec?.podFailurePolicy, 'policy', 'spec.podFailurePolicy');
  spec?.podFailurePolicy?.rules.forEach((r, i) => {
    const at = `spec.podFailurePolicy.rules[${i}]`;
    check(r, 'rule', at);
    check(r.onExitCodes, 'exitCodes', `${at}.onExitCodes`);
    r.onPodConditions?.forEach((p, j) => check(p, 'pattern', `${at}.onPodConditions[${j}]`));
  });
  spec?.successPolicy?.rules.forEach((r, i) => check(r, 'successRule', `spec.successPolicy.rules[${i}]`));
  return out;
};
