// fast-check arbitraries for batch/v1 Jobs as the Job controller writes them, with status sequences moving forward.
import fc from 'fast-check';
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { BuildContext } from '../domain/plugin.js';
import { formatInstant, type Instant } from '../domain/time.js';
import { arbPod } from './pod-arbitraries.js';
import { arbBuildContext } from './task-arbitraries.js';

const SECOND = 1000;

/** How a generated Job's life goes. */
export type BatchJobOutcome =
  | 'Complete'
  | 'BackoffLimitExceeded'
  | 'DeadlineExceeded'
  | 'PodFailurePolicy'
  | 'MaxFailedIndexesExceeded'
  | 'FailedIndexes'
  | 'SuccessPolicy'
  | 'StillRunning'
  | 'Suspended'
  | 'FutureReason';

/** Every outcome a generated Job's life can have, for tests that must cover each. */
export const batchJobOutcomes: ReadonlyArray<BatchJobOutcome> = [
  'Complete',
  'BackoffLimitExceeded',
  'DeadlineExceeded',
  'PodFailurePolicy',
  'MaxFailedIndexesExceeded',
  'FailedIndexes',
  'SuccessPolicy',
  'StillRunning',
  'Suspended',
  'FutureReason',
];

/** The parameters of a generated Job's life. */
export interface BatchJobLifecycle {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly createdAt: Instant;
  readonly completions: number;
  readonly parallelism: number;
  readonly backoffLimit: number;
  readonly indexed: boolean;
  readonly outcome: BatchJobOutcome;
  /** Failed pods before the outcome (for failure outcomes: the count that tripped it). */
  readonly failures: number;
  /** The v1.31+ controller writes FailureTarget / SuccessCriteriaMet before Failed / Complete. */
  readonly twoStep: boolean;
  /** A condition type no controller writes today (future API), added mid-life. */
  readonly unknownCondition: boolean;
  /** Seconds between the stages. */
  readonly step: number;
}

const HEX = '0123456789abcdef'.split('');
const arbHex = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...HEX), { minLength: n, maxLength: n }).map((cs) => cs.join(''));

/**
 * The parameters of one Job's life: its identity, its size, and how and when it ends. Turn it into statuses
 * with the observation arbitraries.
 */
export const arbBatchJobLifecycle: fc.Arbitrary<BatchJobLifecycle> = fc
  .record({
    name: fc
      .tuple(fc.constantFrom('r', 'run', 'f'), arbHex(6), fc.constantFrom('a0', 'train', 'etl'))
      .map(([p, h, a]) => `${p}${h}-${a}-0`),
    namespace: fc.constantFrom('default', 'ml-team', 'kubetasks'),
    uid: fc.tuple(arbHex(8), arbHex(4), arbHex(4), arbHex(4), arbHex(12)).map((xs) => xs.join('-')),
    createdAt: fc.integer({ min: 1_704_067_200, max: 1_798_761_600 }).map((s) => s * SECOND),
    completions: fc.integer({ min: 1, max: 5 }),
    parallelism: fc.integer({ min: 1, max: 3 }),
    backoffLimit: fc.integer({ min: 0, max: 4 }),
    indexed: fc.boolean(),
    outcome: fc.constantFrom(...batchJobOutcomes),
    failures: fc.integer({ min: 0, max: 5 }),
    twoStep: fc.boolean(),
    unknownCondition: fc.boolean(),
    step: fc.integer({ min: 1, max: 120 }),
  })
  .map((l) => (l.outcome === 'BackoffLimitExceeded' ? { ...l, failures: l.backoffLimit + 1 } : l));

const condition = (
  type: string,
  at: Instant,
  reason: string,
  message: string,
  status = 'True',
): JobCondition => ({
  type,
  status,
  reason,
  message,
  lastProbeTime: formatInstant(at),
  lastTransitionTime: formatInstant(at),
});

const range = (n: number): string => (n <= 0 ? '' : n === 1 ? '0' : `0-${n - 1}`);

const FAILURE_MESSAGES: Readonly<Record<string, string>> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  PodFailurePolicy:
    'Container main for pod default/x-abcde failed with exit code 42 matching FailJob rule at index 0',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
  FutureReason: 'a reason from a future Kubernetes',
};

/** The statuses the controller writes over the Job's life, in order, each with the time it was written. */
export const batchJobStatuses = (
  l: BatchJobLifecycle,
): ReadonlyArray<{ readonly at: Instant; readonly status?: JobStatus }> => {
  const out: Array<{ at: Instant; status?: JobStatus }> = [];
  let t = l.createdAt;
  const next = (): Instant => (t += l.step * SECOND);
  const start = formatInstant(l.createdAt + SECOND);
  const extra = (): JobCondition[] =>
    l.unknownCondition
      ? [condition('FutureCondition', l.createdAt + SECOND, 'Whatever', 'from the future')]
      : [];
  out.push({ at: l.createdAt });
  if (l.outcome === 'Suspended') {
    out.push({
      at: next(),
      status: {
        conditions: [condition('Suspended', t, 'JobSuspended', 'Job suspended'), ...extra()],
        active: 0,
      },
    });
    return out;
  }
  const active = Math.min(l.parallelism, l.completions);
  const base = (s: Partial<JobStatus>): JobStatus => ({
    startTime: start,
    active: 0,
    ready: 0,
    succeeded: 0,
    failed: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
    ...(l.indexed ? { completedIndexes: '' } : {}),
    ...s,
  });
  out.push({ at: next(), status: base({ active }) });
  out.push({ at: next(), status: base({ active, ready: active, conditions: extra() }) });
  for (let f = 1; f <= l.failures; f++) {
    out.push({ at: next(), status: base({ active, ready: 0, failed: f, conditions: extra() }) });
  }
  const failedCount = l.failures;
  const finish = (target: JobCondition, final: JobCondition, s: Partial<JobStatus>): void => {
    if (l.twoStep) {
      out.push({ at: next(), status: base({ ...s, active, conditions: [...extra(), target] }) });
      out.push({ at: next(), status: base({ ...s, active: 0, conditions: [...extra(), target, final] }) });
    } else {
      out.push({ at: next(), status: base({ ...s, active: 0, conditions: [...extra(), final] }) });
    }
  };
  switch (l.outcome) {
    case 'StillRunning':
      out.push({
        at: next(),
        status: base({ active, ready: active, failed: failedCount, conditions: extra() }),
      });
      return out;
    case 'Complete':
    case 'SuccessPolicy': {
      const reason = l.outcome === 'SuccessPolicy' && l.indexed ? 'SuccessPolicy' : 'CompletionsReached';
      const message =
        reason === 'SuccessPolicy' ? 'Matched rules at index 0' : 'Reached expected number of succeeded pods';
      const at = t + l.step * SECOND;
      finish(
        condition('SuccessCriteriaMet', at, reason, message),
        condition('Complete', at + l.step * SECOND, reason, message),
        {
          succeeded: l.completions,
          failed: failedCount,
          ...(l.indexed ? { completedIndexes: range(l.completions) } : {}),
        },
      );
      const lastStatus = out[out.length - 1];
      if (lastStatus?.status !== undefined) {
        out[out.length - 1] = {
          ...lastStatus,
          status: { ...lastStatus.status, completionTime: formatInstant(lastStatus.at) },
        };
      }
      return out;
    }
    default: {
      const reason = l.outcome;
      const message = FAILURE_MESSAGES[reason] ?? '';
      const at = t + l.step * SECOND;
      finish(
        condition('FailureTarget', at, reason, message),
        condition('Failed', at + l.step * SECOND, reason, message),
        {
          failed: failedCount,
        },
      );
      return out;
    }
  }
};

/** A Job of the lifecycle with the given status. */
export const batchJobOf = (l: BatchJobLifecycle, status: JobStatus | undefined): Job => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name: l.name,
    namespace: l.namespace,
    uid: l.uid,
    creationTimestamp: formatInstant(l.createdAt),
  },
  spec: {
    completions: l.completions,
    parallelism: l.parallelism,
    backoffLimit: l.backoffLimit,
    ...(l.indexed ? { completionMode: 'Indexed' } : {}),
    ...(l.outcome === 'Suspended' ? { suspend: true } : {}),
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }] } },
  },
  ...(status === undefined ? {} : { status }),
});

/** One observation of a Job: the object and the time it is looked at. */
export interface BatchJobObservation {
  readonly job: Job;
  readonly now: Instant;
}

/**
 * A Job's life as successive observations (times and statuses move forward), for monotonicity laws: versions never
 * decrease within a phase, a terminal phase stays terminal.
 */
export const arbBatchJobObservations: fc.Arbitrary<{
  readonly lifecycle: BatchJobLifecycle;
  readonly observations: ReadonlyArray<BatchJobObservation>;
}> = arbBatchJobLifecycle.chain((lifecycle) => {
  const statuses = batchJobStatuses(lifecycle);
  return fc
    .uniqueArray(fc.integer({ min: 0, max: statuses.length - 1 }), {
      minLength: 1,
      maxLength: statuses.length,
    })
    .map((picks) => ({
      lifecycle,
      observations: [...picks]
        .sort((a, b) => a - b)
        .flatMap((i) => {
          const s = statuses[i];
          return s === undefined ? [] : [{ job: batchJobOf(lifecycle, s.status), now: s.at + SECOND }];
        }),
    }));
});

/** One Job at any point of its life. */
export const arbBatchJobObservation: fc.Arbitrary<BatchJobObservation> = arbBatchJobLifecycle.chain((l) => {
  const statuses = batchJobStatuses(l);
  return fc.constantFrom(...statuses).map((s) => ({ job: batchJobOf(l, s.status), now: s.at + SECOND }));
});

/** One batch/v1 Job at any point of its life, as the Job controller would have written it. */
export const arbBatchJob: fc.Arbitrary<Job> = arbBatchJobObservation.map((o) => o.job);

/** A Job status with arbitrary conditions, counters and times: the shapes a future or buggy controller might write. */
export const arbAnyBatchJobStatus: fc.Arbitrary<JobStatus> = fc.record(
  {
    conditions: fc.array(
      fc.record({
        type: fc.constantFrom(
          'Complete',
          'Failed',
          'FailureTarget',
          'SuccessCriteriaMet',
          'Suspended',
          'Other',
          '',
        ),
        status: fc.constantFrom('True', 'False', 'Unknown', ''),
        reason: fc.constantFrom(
          'BackoffLimitExceeded',
          'DeadlineExceeded',
          'PodFailurePolicy',
          'MaxFailedIndexesExceeded',
          'FailedIndexes',
          'JobSuspended',
          'X',
          '',
        ),
        message: fc.string({ maxLength: 20 }),
        lastTransitionTime: fc.constantFrom('2026-01-01T00:00:00Z', 'garbage', ''),
      }),
      { maxLength: 4 },
    ),
    active: fc.integer({ min: -1, max: 4 }),
    ready: fc.integer({ min: 0, max: 4 }),
    succeeded: fc.integer({ min: 0, max: 4 }),
    failed: fc.integer({ min: 0, max: 8 }),
    startTime: fc.constantFrom('2026-01-01T00:00:00Z', 'not a time'),
    completionTime: fc.constantFrom('2026-01-01T00:10:00Z'),
  },
  { requiredKeys: [] },
);

/** Pods of the generated pod arbitrary, made the Job's: owned by it and labelled with its name. */
export const arbBatchJobPods = (job: Job): fc.Arbitrary<ReadonlyArray<Pod>> =>
  fc.array(arbPod, { maxLength: 4 }).map((pods) =>
    pods.map((p): Pod => ({
      ...p,
      metadata: {
        ...p.metadata,
        namespace: job.metadata?.namespace ?? '',
        labels: { ...p.metadata?.labels, 'batch.kubernetes.io/job-name': job.metadata?.name ?? '' },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: job.metadata?.name ?? '',
            uid: job.metadata?.uid ?? '',
            controller: true,
          },
        ],
      },
    })),
  );

// -------------------------------------------------------------------------------------
// batch-job task payloads (task.custom) and build contexts
// -------------------------------------------------------------------------------------

const opt = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<A | undefined> => fc.option(arb, { nil: undefined });

const definedOnly = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const arbExitCodeRule = (actions: ReadonlyArray<string>) =>
  fc.record({
    action: fc.constantFrom(...actions),
    onExitCodes: fc.oneof(
      fc.record({
        operator: fc.constant('In'),
        values: fc.uniqueArray(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 4 }),
      }),
      fc.record({
        operator: fc.constant('NotIn'),
        values: fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 4 }),
      }),
    ),
  });

const arbConditionRule = (actions: ReadonlyArray<string>) =>
  fc.record({
    action: fc.constantFrom(...actions),
    onPodConditions: fc.array(
      fc.record(
        {
          type: fc.constantFrom('DisruptionTarget', 'ConfigIssue', 'example.com/Custom'),
          status: fc.constantFrom('True', 'False', 'Unknown'),
        },
        { requiredKeys: ['type'] },
      ),
      { minLength: 1, maxLength: 3 },
    ),
  });

const arbPolicy = (actions: ReadonlyArray<string>) =>
  fc.record({
    rules: fc.array(fc.oneof(arbExitCodeRule(actions), arbConditionRule(actions)), { maxLength: 4 }),
  });

const arbNonIndexedPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    backoffLimit: opt(fc.integer({ min: 0, max: 10 })),
    activeDeadlineSeconds: opt(fc.integer({ min: 1, max: 86400 })),
    ttlSecondsAfterFinished: opt(fc.integer({ min: 0, max: 86400 })),
    completions: opt(fc.integer({ min: 1, max: 20 })),
    parallelism: opt(fc.integer({ min: 1, max: 20 })),
    completionMode: opt(fc.constant('NonIndexed')),
    podFailurePolicy: opt(arbPolicy(['FailJob', 'Ignore', 'Count'])),
    podReplacementPolicy: opt(fc.constant('Failed')),
  })
  .map(definedOnly);

const arbIndexedPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ completions: fc.integer({ min: 1, max: 50 }), perIndex: fc.boolean() })
  .chain(({ completions, perIndex }) =>
    fc
      .record({
        parallelism: opt(fc.integer({ min: 1, max: 50 })),
        backoffLimit: opt(fc.integer({ min: 0, max: 10 })),
        backoffLimitPerIndex: perIndex
          ? fc.integer({ min: 0, max: 5 }).map((n): number | undefined => n)
          : fc.constant(undefined),
        maxFailedIndexes: perIndex ? opt(fc.integer({ min: 0, max: completions })) : fc.constant(undefined),
        successPolicy: opt(
          fc.record({
            rules: fc.array(
              fc.oneof(
                fc.integer({ min: 1, max: completions }).map((n) => ({ succeededCount: n })),
                fc
                  .integer({ min: 0, max: completions - 1 })
                  .map((i) => ({ succeededIndexes: i === 0 ? '0' : `0-${i}`, succeededCount: 1 })),
              ),
              { minLength: 1, maxLength: 3 },
            ),
          }),
        ),
        podFailurePolicy: opt(
          arbPolicy(perIndex ? ['FailJob', 'FailIndex', 'Ignore', 'Count'] : ['FailJob', 'Ignore', 'Count']),
        ),
      })
      .map((r) => definedOnly({ ...r, completionMode: 'Indexed', completions })),
  );

/** Renames every key to its proto name (`backoff_limit`), as a payload written from protobuf may be. */
export const toBatchJobProtoNames = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(toBatchJobProtoNames);
  if (typeof u !== 'object' || u === null) return u;
  return Object.fromEntries(
    Object.entries(u).map(([k, v]) => [
      k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`),
      toBatchJobProtoNames(v),
    ]),
  );
};

/** A valid batch-job payload: the Job knobs in NonIndexed or Indexed form, in lowerCamel or proto names. */
export const arbBatchJobPayload: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.oneof(arbNonIndexedPayload, arbIndexedPayload), fc.boolean())
  .map(([p, proto]) => (proto ? (toBatchJobProtoNames(p) as Record<string, unknown>) : p));

/** Everything the batch-job build reads: the rich pod-task contexts, as batch-job tasks with a generated payload. */
export const arbBatchJobBuildContext: fc.Arbitrary<BuildContext> = fc
  .tuple(arbBuildContext, arbBatchJobPayload)
  .map(([ctx, custom]) => {
    const { custom: _custom, ...task } = ctx.task.task;
    return { ...ctx, task: { ...ctx.task, task: { ...task, type: 'batch-job', custom } } };
  });
