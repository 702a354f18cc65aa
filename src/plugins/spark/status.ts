// A total reader of SparkApplication JSON: any value in, the fields phase mapping and GC read (or none) out.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { instantAt, numberAt, recordAt, stringAt } from '../../domain/json-read.js';
import type { Instant } from '../../domain/time.js';

/**
 * The operator's application states (spark-operator api/v1beta2 at v2.5.2, spec 9.1); NEW is the empty string.
 * SUSPENDING, SUSPENDED and RESUMING exist since v2.4.0.
 */
export const APPLICATION_STATES = [
  '',
  'SUBMITTED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'SUBMISSION_FAILED',
  'PENDING_RERUN',
  'INVALIDATING',
  'SUCCEEDING',
  'FAILING',
  'UNKNOWN',
  'SUSPENDING',
  'SUSPENDED',
  'RESUMING',
] as const;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

/**
 * States no v1beta2 operator defines that Flyte still maps, for older writers: PENDING_SUBMISSION (reads as
 * SUBMITTED). The phase table has a row for each; the public arbitraries generate them.
 */
export const LEGACY_APPLICATION_STATES = ['PENDING_SUBMISSION'] as const;

/** Executor states in status.executorState. */
export const EXECUTOR_STATES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'UNKNOWN'] as const;

export interface SparkApplicationView {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly creationTimestamp: Instant | undefined;
  /** status.applicationState.state; "" when there is no status yet (the operator's NEW). */
  readonly state: string;
  readonly errorMessage: string;
  readonly driverPodName: string;
  readonly webUIIngressAddress: string;
  readonly sparkApplicationId: string;
  /** Executor pod name → state, sorted by pod name. */
  readonly executors: ReadonlyArray<readonly [string, string]>;
  readonly terminationTime: Instant | undefined;
  readonly lastSubmissionAttemptTime: Instant | undefined;
  readonly submissionAttempts: number;
  readonly restartPolicyType: string;
  readonly onSubmissionFailureRetries: number | undefined;
}

/** Reads a SparkApplication; none when the value is not an object or names another kind. */
export const readSparkApplication = (u: unknown): O.Option<SparkApplicationView> => {
  if (!isPlainObject(u)) return O.none;
  const kind = u['kind'];
  if (kind !== undefined && kind !== 'SparkApplication') return O.none;
  const meta = recordAt(u, 'metadata');
  const spec = recordAt(u, 'spec');
  const status = recordAt(u, 'status');
  const app = recordAt(status, 'applicationState');
  const driver = recordAt(status, 'driverInfo');
  const policy = recordAt(spec, 'restartPolicy');
  const executors = Object.entries(recordAt(status, 'executorState'))
    .flatMap(([k, v]): Array<readonly [string, string]> => (typeof v === 'string' ? [[k, v]] : []))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return O.some({
    name: stringAt(meta, 'name'),
    namespace: stringAt(meta, 'namespace'),
    uid: stringAt(meta, 'uid'),
    creationTimestamp: instantAt(meta, 'creationTimestamp'),
    state: stringAt(app, 'state'),
    errorMessage: stringAt(app, 'errorMessage'),
    driverPodName: stringAt(driver, 'podName'),
    webUIIngressAddress: stringAt(driver, 'webUIIngressAddress'),
    sparkApplicationId: stringAt(status, 'sparkApplicationId'),
    executors,
    terminationTime: instantAt(status, 'terminationTime'),
    lastSubmissionAttemptTime: instantAt(status, 'lastSubmissionAttemptTime'),
    submissionAttempts: numberAt(status, 'submissionAttempts') ?? 0,
    restartPolicyType: stringAt(policy, 'type'),
    onSubmissionFailureRetries: numberAt(policy, 'onSubmissionFailureRetries'),
  });
};

/**
 * Whether the operator will submit again after a failed submission (its ShouldRetry): always under restart policy
 * Always; under OnFailure while the attempts so far do not exceed onSubmissionFailureRetries; never otherwise.
 */
export const submissionRetriesLeft = (app: SparkApplicationView): boolean => {
  switch (app.restartPolicyType) {
    case 'Always':
      return true;
    case 'OnFailure':
      return (
        app.onSubmissionFailureRetries !== undefined &&
        app.submissionAttempts <= app.onSubmissionFailureRetries
      );
    default:
      return false;
  }
};
