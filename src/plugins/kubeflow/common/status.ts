// A total reader of training-operator jobs (any value in, a typed view out) and the current-condition rule.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../domain/codec.js';
import { instantAt, numberAt, recordAt, stringAt } from '../../../domain/json-read.js';
import type { Instant } from '../../../domain/time.js';
import { readConditions, resourceReader, type Condition } from '../../crd/index.js';

// -------------------------------------------------------------------------------------
// labels the training operator puts on its pods (kubeflow.org/v1, training-operator v1.9)
// -------------------------------------------------------------------------------------

export const OPERATOR_NAME_LABEL = 'training.kubeflow.org/operator-name';
export const JOB_NAME_LABEL = 'training.kubeflow.org/job-name';
export const REPLICA_TYPE_LABEL = 'training.kubeflow.org/replica-type';
export const REPLICA_INDEX_LABEL = 'training.kubeflow.org/replica-index';
export const JOB_ROLE_LABEL = 'training.kubeflow.org/job-role';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The condition types of the training operator's JobStatus (Suspended since v1.7.0). */
export const CONDITION_TYPES = [
  'Created',
  'Running',
  'Restarting',
  'Succeeded',
  'Failed',
  'Suspended',
] as const;

/** A condition of the job's status; `lastTransitionTime` falls back to `lastUpdateTime`. */
export type JobCondition = Condition;

export interface ReplicaStatusView {
  readonly active: number;
  readonly succeeded: number;
  readonly failed: number;
}

export interface JobView {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly creationTimestamp: Instant | undefined;
  /** `spec.<kind>ReplicaSpecs`: replica type → replicas (a missing count reads as 1, the operator's default). */
  readonly replicas: ReadonlyArray<readonly [string, number]>;
  readonly conditions: ReadonlyArray<JobCondition>;
  readonly replicaStatuses: ReadonlyArray<readonly [string, ReplicaStatusView]>;
  readonly startTime: Instant | undefined;
  readonly completionTime: Instant | undefined;
  /** `status` as written, when it is an object (it becomes the task info's customInfo). */
  readonly status: Readonly<Record<string, unknown>> | undefined;
}

const count = (u: unknown, key: string): number => {
  const n = numberAt(u, key);
  return n === undefined || !Number.isInteger(n) || n < 0 ? 0 : n;
};

/**
 * Reads a training-operator job of `kind` whose replica specs are under `spec.<replicaSpecsKey>`. None when the value
 * is not an object or names another kind; every field of a wrong type reads as absent.
 */
export const readJob = (u: unknown, kind: string, replicaSpecsKey: string): O.Option<JobView> =>
  resourceReader(
    { kind },
    ({ name, namespace, uid, creationTimestamp, spec, status, hasStatus }): JobView => {
      const rs = recordAt(status, 'replicaStatuses');
      return {
        apiVersion: stringAt(u, 'apiVersion'),
        kind,
        name,
        namespace,
        uid,
        creationTimestamp,
        replicas: Object.entries(recordAt(spec, replicaSpecsKey)).flatMap(([type, s]) => {
          if (!isPlainObject(s)) return [];
          const n = s['replicas'];
          return [[type, typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 1] as const];
        }),
        conditions: readConditions(status, { orUpdateTime: true }),
        replicaStatuses: Object.entries(rs).map(
          ([type, s]) =>
            [
              type,
              { active: count(s, 'active'), succeeded: count(s, 'succeeded'), failed: count(s, 'failed') },
            ] as const,
        ),
        startTime: instantAt(status, 'startTime'),
        completionTime: instantAt(status, 'completionTime'),
        status: hasStatus ? status : undefined,
      };
    },
  )(u);

// -------------------------------------------------------------------------------------
// the current condition
// -------------------------------------------------------------------------------------

/**
 * Conditions newest first: by lastTransitionTime (lastUpdateTime when absent), a condition without a time after all
 * timed ones; ties (timestamps have second resolution) go to the later position, since the operator appends each
 * transition. Unlike Flyte's in-place unstable sort, the order is total, so the answer is deterministic.
 */
export const newestFirst = (conditions: ReadonlyArray<JobCondition>): ReadonlyArray<JobCondition> =>
  [...conditions].sort((a, b) => {
    const ta = a.lastTransitionTime;
    const tb = b.lastTransitionTime;
    if (ta !== undefined && tb !== undefined && ta !== tb) return tb - ta;
    if (ta === undefined && tb !== undefined) return 1;
    if (ta !== undefined && tb === undefined) return -1;
    return b.index - a.index;
  });

/** Flyte's current condition: the newest with status True. */
export const currentCondition = (conditions: ReadonlyArray<JobCondition>): JobCondition | undefined =>
  newestFirst(conditions).find((c) => c.status === 'True');

const isTerminalType = (type: string): boolean => type === 'Succeeded' || type === 'Failed';

/**
 * The operator's own notion of a finished job (its IsFinished): a Succeeded or Failed condition with status True,
 * wherever it is in the list; the newest one if there are both.
 */
export const terminalCondition = (conditions: ReadonlyArray<JobCondition>): JobCondition | undefined =>
  newestFirst(conditions).find((c) => c.status === 'True' && isTerminalType(c.type));

/** Active pods the operator counts, over every replica type. */
export const activeReplicas = (job: JobView): number =>
  job.replicaStatuses.reduce((n, [, s]) => n + s.active, 0);
