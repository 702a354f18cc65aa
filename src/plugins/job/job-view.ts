// A total reader of batch/v1 Job JSON: any value in, a typed view of what phase mapping reads (or none) out.
import type * as O from 'fp-ts/lib/Option.js';
import { instantAt, numberAt, stringAt } from '../../domain/json-read.js';
import type { Instant } from '../../domain/time.js';
import { readConditions, resourceReader, type Condition } from '../crd/index.js';

/** A condition of the Job's status. */
export type JobConditionView = Condition;

export interface JobView {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly creationTimestamp: Instant | undefined;
  readonly spec: {
    readonly completions: number | undefined;
    readonly parallelism: number | undefined;
    readonly completionMode: string;
    readonly backoffLimit: number | undefined;
    readonly backoffLimitPerIndex: number | undefined;
    readonly maxFailedIndexes: number | undefined;
    readonly activeDeadlineSeconds: number | undefined;
    readonly suspend: boolean;
  };
  readonly status: {
    readonly conditions: ReadonlyArray<JobConditionView>;
    readonly active: number;
    readonly ready: number;
    readonly succeeded: number;
    readonly failed: number;
    readonly terminating: number;
    readonly startTime: Instant | undefined;
    readonly completionTime: Instant | undefined;
    readonly completedIndexes: string;
    readonly failedIndexes: string;
  };
}

const count = (u: unknown, key: string): number => {
  const n = numberAt(u, key);
  return n === undefined || n < 0 ? 0 : Math.floor(n);
};

/**
 * Reads any value as a Job. None when it is not an object or names another kind or group; a Job read through a
 * typed client may lack apiVersion and kind, so their absence is accepted.
 */
export const readJob: (u: unknown) => O.Option<JobView> = resourceReader(
  { kind: 'Job', group: 'batch' },
  ({ name, namespace, uid, creationTimestamp, spec, status }) => ({
    name,
    namespace,
    uid,
    creationTimestamp,
    spec: {
      completions: numberAt(spec, 'completions'),
      parallelism: numberAt(spec, 'parallelism'),
      completionMode: stringAt(spec, 'completionMode') || 'NonIndexed',
      backoffLimit: numberAt(spec, 'backoffLimit'),
      backoffLimitPerIndex: numberAt(spec, 'backoffLimitPerIndex'),
      maxFailedIndexes: numberAt(spec, 'maxFailedIndexes'),
      activeDeadlineSeconds: numberAt(spec, 'activeDeadlineSeconds'),
      suspend: spec['suspend'] === true,
    },
    status: {
      conditions: readConditions(status),
      active: count(status, 'active'),
      ready: count(status, 'ready'),
      succeeded: count(status, 'succeeded'),
      failed: count(status, 'failed'),
      terminating: count(status, 'terminating'),
      startTime: instantAt(status, 'startTime'),
      completionTime: instantAt(status, 'completionTime'),
      completedIndexes: stringAt(status, 'completedIndexes'),
      failedIndexes: stringAt(status, 'failedIndexes'),
    },
  }),
);

/** The Job condition of this type whose status is True, if any (the controller keeps one per type). */
export const trueCondition = (job: JobView, type: string): JobConditionView | undefined =>
  job.status.conditions.find((c) => c.type === type && c.status === 'True');

/** Condition types of batch/v1 Job (FailureTarget since 1.26, SuccessCriteriaMet since 1.31). */
export const JOB_CONDITION_TYPES = [
  'Suspended',
  'Complete',
  'Failed',
  'FailureTarget',
  'SuccessCriteriaMet',
] as const;

/** The terminal condition of a Job, failures first: Failed, FailureTarget, Complete, SuccessCriteriaMet. */
export const terminalCondition = (job: JobView): JobConditionView | undefined =>
  trueCondition(job, 'Failed') ??
  trueCondition(job, 'FailureTarget') ??
  trueCondition(job, 'Complete') ??
  trueCondition(job, 'SuccessCriteriaMet');

export const isFailureCondition = (c: JobConditionView): boolean =>
  c.type === 'Failed' || c.type === 'FailureTarget';
