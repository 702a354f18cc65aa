// A total reader of batch/v1 Job JSON: any value in, a typed view of what phase mapping reads (or none) out.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { arrayAt, instantAt, numberAt, recordAt, stringAt } from '../../domain/json-read.js';
import type { Instant } from '../../domain/time.js';

export interface JobConditionView {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: Instant | undefined;
}

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

const readCondition = (u: unknown): ReadonlyArray<JobConditionView> =>
  isPlainObject(u)
    ? [
        {
          type: stringAt(u, 'type'),
          status: stringAt(u, 'status'),
          reason: stringAt(u, 'reason'),
          message: stringAt(u, 'message'),
          lastTransitionTime: instantAt(u, 'lastTransitionTime'),
        },
      ]
    : [];

/**
 * Reads any value as a Job. None when it is not an object or names another kind or group; a Job read through a
 * typed client may lack apiVersion and kind, so their absence is accepted.
 */
export const readJob = (u: unknown): O.Option<JobView> => {
  if (!isPlainObject(u)) return O.none;
  const kind = stringAt(u, 'kind');
  const apiVersion = stringAt(u, 'apiVersion');
  if ((kind !== '' && kind !== 'Job') || (apiVersion !== '' && !apiVersion.startsWith('batch/')))
    return O.none;
  const metadata = recordAt(u, 'metadata');
  const spec = recordAt(u, 'spec');
  const status = recordAt(u, 'status');
  return O.some({
    name: stringAt(metadata, 'name'),
    namespace: stringAt(metadata, 'namespace'),
    uid: stringAt(metadata, 'uid'),
    creationTimestamp: instantAt(metadata, 'creationTimestamp'),
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
      conditions: arrayAt(status, 'conditions').flatMap(readCondition),
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
  });
};

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
