// Spark phase mapping: the application state table, refined by the driver pod's own failure, and GC helpers.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { describeJsonValue } from '../../domain/json-read.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { isFailure, type Phase } from '../../domain/phase.js';
import {
  bumpVersion,
  failed,
  initializing,
  queued,
  running,
  success,
  undefinedPhase,
  waitingForResources,
  withReason,
  type ErrorKind,
  type PhaseInfo,
  type TaskInfo,
} from '../../domain/phase-info.js';
import type { PhaseContext, PhaseExplanation, RelatedResourceQuery } from '../../domain/plugin.js';
import type { Instant } from '../../domain/time.js';
import { firstKnown } from '../crd/index.js';
import { getPodTaskPhase } from '../pod/phase/index.js';
import { asDriverPod, sparkTaskInfo, SPARK_DRIVER_UI } from './logs.js';
import { readSparkApplication, submissionRetriesLeft, type SparkApplicationView } from './status.js';

// -------------------------------------------------------------------------------------
// the table, as data (docs/plugins/spark.md renders it)
// -------------------------------------------------------------------------------------

interface ProgressRow {
  readonly when: string;
  readonly phase: Extract<
    Phase,
    'Undefined' | 'WaitingForResources' | 'Queued' | 'Initializing' | 'Running' | 'Success'
  >;
  readonly reason: string;
  /** Set when the row differs from Flyte: why. */
  readonly differs?: string;
}

interface FailureRow {
  readonly when: string;
  readonly phase: 'RetryableFailure';
  readonly code: string;
  readonly kind: Extract<ErrorKind, 'USER' | 'SYSTEM'>;
  readonly message: string;
  readonly differs?: string;
}

export type SparkPhaseRow = ProgressRow | FailureRow;

export const DRIVER_POD_FAILURE_PREFIX = 'Spark driver pod';

export const sparkPhaseRows = {
  'not-a-spark-application': {
    when: 'The value is not an object, or its `kind` is set and is not `SparkApplication`',
    phase: 'Undefined',
    reason: '`unexpected resource type: expected a SparkApplication, got <what>`',
    differs:
      'Flyte returns a Go error for a type mismatch; a total function answers Undefined with the reason.',
  },
  'driver-pod-failure': {
    when:
      'The driver pod (a related resource) is classified by the pod plugin as a failure (OOMKilled, exit code, ' +
      'eviction, preemption, image errors past their grace period, pod pending timeout), unless the state is `COMPLETED`',
    phase: 'RetryableFailure',
    code: "the pod plugin's (`OOMKilled`, `Error`, `Interrupted`, `Preempted`, `EvictedBySystem`, `PodPendingTimeout`, ...)",
    kind: 'USER',
    message:
      '`Spark driver pod <name>: <pod message>`; phase (PermanentFailure for e.g. `InvalidImageName`), kind and cleanup also from the pod plugin',
    differs:
      'Flyte: the same demystification, but it skips the version step and a pod name the status lacks; kubetasks ' +
      'also finds the driver by its labels before the operator reports its name, and lets COMPLETED win.',
  },
  new: {
    when: 'state `""` (the operator\'s NEW), or no status at all',
    phase: 'Queued',
    reason: '`job queued`',
  },
  submitted: { when: 'state `SUBMITTED`', phase: 'Initializing', reason: '`job submitted`' },
  'pending-submission': {
    when: 'state `PENDING_SUBMISSION` (legacy writers)',
    phase: 'Initializing',
    reason: '`job submitted`',
  },
  'submission-failed.retrying': {
    when:
      'state `SUBMISSION_FAILED` while the operator will submit again (restart policy `Always`, or `OnFailure` with ' +
      '`status.submissionAttempts` ≤ `onSubmissionFailureRetries`)',
    phase: 'Initializing',
    reason: '`job submission failed, the operator retries: <errorMessage>`',
    differs:
      'Flyte fails at once, which defeats the 14 submission retries it asks the operator for; the operator ends in ' +
      'FAILED when they are used up.',
  },
  'submission-failed': {
    when: 'state `SUBMISSION_FAILED` with no retry left',
    phase: 'RetryableFailure',
    code: 'DownstreamSystemError',
    kind: 'USER',
    message: '`Spark Job  Submission Failed with Error: <errorMessage>` (two spaces, as in Flyte)',
  },
  running: { when: 'state `RUNNING`', phase: 'Running', reason: 'empty (plus the Spark UI readiness note)' },
  succeeding: {
    when: 'state `SUCCEEDING` (the driver finished; the operator is wrapping up)',
    phase: 'Running',
    reason: '`job succeeding`',
    differs: 'Flyte: Running with no reason.',
  },
  failing: {
    when: 'state `FAILING` (the driver failed; the operator is wrapping up)',
    phase: 'Running',
    reason: '`job failing: <errorMessage>`',
    differs: 'Flyte: Running with no reason.',
  },
  'pending-rerun': {
    when: 'state `PENDING_RERUN` (the operator will submit the application again)',
    phase: 'Running',
    reason: '`job pending rerun`',
    differs: 'Flyte: Running with no reason.',
  },
  invalidating: {
    when: 'state `INVALIDATING` (the spec changed; the operator reruns the application)',
    phase: 'Running',
    reason: '`job invalidating`',
    differs: 'Flyte: Running with no reason.',
  },
  unknown: {
    when: "state `UNKNOWN` (the operator cannot tell the driver's state)",
    phase: 'Running',
    reason: '`job state unknown`',
    differs: 'Flyte: Running with no reason.',
  },
  suspending: {
    when: 'state `SUSPENDING` (spark-operator ≥ 2.4: `spec.suspend` set, pods being removed)',
    phase: 'WaitingForResources',
    reason: '`job suspending`',
    differs:
      'Flyte: Running. A suspended application runs nothing and waits for whoever suspended it (usually a queue ' +
      'such as Kueue) to resume it: it waits for resources.',
  },
  suspended: {
    when: 'state `SUSPENDED`',
    phase: 'WaitingForResources',
    reason: '`job suspended`',
    differs: 'Flyte: Running (see SUSPENDING).',
  },
  resuming: {
    when: 'state `RESUMING` (the operator submits it again next)',
    phase: 'Queued',
    reason: '`job resuming`',
    differs: 'Flyte: Running; resuming leads to SUBMITTED, so Queued keeps phases moving forward.',
  },
  completed: { when: 'state `COMPLETED`', phase: 'Success', reason: 'empty' },
  failed: {
    when: 'state `FAILED`',
    phase: 'RetryableFailure',
    code: 'DownstreamSystemError',
    kind: 'USER',
    message: '`Spark Job Failed with Error: <errorMessage>`',
  },
  unrecognised: {
    when: "any other state (a future operator's)",
    phase: 'Running',
    reason: '`unrecognised application state "<state>"`',
    differs: 'Flyte: Running with no reason.',
  },
} as const satisfies Record<string, SparkPhaseRow>;

export type SparkRowId = keyof typeof sparkPhaseRows;

/** The row the application state selects (driver pod aside). */
export const rowOfState = (app: SparkApplicationView): SparkRowId => {
  switch (app.state) {
    case '':
      return 'new';
    case 'SUBMITTED':
      return 'submitted';
    case 'PENDING_SUBMISSION':
      return 'pending-submission';
    case 'SUBMISSION_FAILED':
      return submissionRetriesLeft(app) ? 'submission-failed.retrying' : 'submission-failed';
    case 'RUNNING':
      return 'running';
    case 'SUCCEEDING':
      return 'succeeding';
    case 'FAILING':
      return 'failing';
    case 'PENDING_RERUN':
      return 'pending-rerun';
    case 'INVALIDATING':
      return 'invalidating';
    case 'UNKNOWN':
      return 'unknown';
    case 'SUSPENDING':
      return 'suspending';
    case 'SUSPENDED':
      return 'suspended';
    case 'RESUMING':
      return 'resuming';
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    default:
      return 'unrecognised';
  }
};

// -------------------------------------------------------------------------------------
// answers
// -------------------------------------------------------------------------------------

const reasonOf = (id: SparkRowId, app: SparkApplicationView): string => {
  switch (id) {
    case 'new':
      return 'job queued';
    case 'submitted':
    case 'pending-submission':
      return 'job submitted';
    case 'submission-failed.retrying':
      return `job submission failed, the operator retries: ${app.errorMessage}`;
    case 'succeeding':
      return 'job succeeding';
    case 'failing':
      return app.errorMessage === '' ? 'job failing' : `job failing: ${app.errorMessage}`;
    case 'pending-rerun':
      return 'job pending rerun';
    case 'invalidating':
      return 'job invalidating';
    case 'unknown':
      return 'job state unknown';
    case 'suspending':
      return 'job suspending';
    case 'suspended':
      return 'job suspended';
    case 'resuming':
      return 'job resuming';
    case 'unrecognised':
      return `unrecognised application state ${JSON.stringify(app.state)}`;
    default:
      return '';
  }
};

const answer = (ctx: PhaseContext, id: SparkRowId, app: SparkApplicationView, info: TaskInfo): PhaseInfo => {
  const row: SparkPhaseRow = sparkPhaseRows[id];
  const reason = reasonOf(id, app);
  switch (row.phase) {
    case 'Undefined':
      return undefinedPhase;
    case 'WaitingForResources':
      return waitingForResources(ctx.now, 0, reason, info);
    case 'Queued':
      return queued(ctx.now, 0, reason, info);
    case 'Initializing':
      return initializing(ctx.now, 0, reason, info);
    case 'Running':
      return running(0, info, reason);
    case 'Success':
      return success(info);
    case 'RetryableFailure': {
      const message =
        id === 'submission-failed'
          ? `Spark Job  Submission Failed with Error: ${app.errorMessage}`
          : `Spark Job Failed with Error: ${app.errorMessage}`;
      return failed('RetryableFailure', { code: row.code, kind: row.kind, message }, info);
    }
  }
};

/** The Spark UI link is ready only while the job runs; the reason says which, as in Flyte. */
const withUiReadiness = (pi: PhaseInfo): PhaseInfo => {
  if (!pi.info.logs.some((l) => l.linkType === 'DASHBOARD' && l.name.includes(SPARK_DRIVER_UI))) return pi;
  const ready = pi.phase === 'Running';
  const logs = pi.info.logs.map((l) =>
    l.linkType === 'DASHBOARD' && l.name.includes(SPARK_DRIVER_UI) ? { ...l, ready } : l,
  );
  return withReason(ready ? 'Spark driver UI is ready' : 'Spark driver UI is not ready')({
    ...pi,
    info: { ...pi.info, logs },
  });
};

// -------------------------------------------------------------------------------------
// the driver pod
// -------------------------------------------------------------------------------------

export const DRIVER_ROLE_LABEL = 'spark-role';
export const APP_NAME_LABEL = 'sparkoperator.k8s.io/app-name';
const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

/**
 * The driver pod to read: by the name the operator reports, else (before it does) by Spark's labels; owned by the
 * application when its uid is known.
 */
export const sparkRelatedResources = (resource: KubeObject): ReadonlyArray<RelatedResourceQuery> => {
  const app = O.toUndefined(readSparkApplication(resource));
  if (app === undefined || app.namespace === '') return [];
  const owner = app.uid === '' ? {} : { ownerUid: app.uid };
  if (app.driverPodName !== '')
    return [{ kind: POD, namespace: app.namespace, name: app.driverPodName, ...owner }];
  if (app.name === '') return [];
  return [
    {
      kind: POD,
      namespace: app.namespace,
      labelSelector: { [DRIVER_ROLE_LABEL]: 'driver', [APP_NAME_LABEL]: app.name },
      ...owner,
    },
  ];
};

const isOwnedBy = (o: KubeObject, uid: string): boolean =>
  uid === '' || (o.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);

/** The driver pod among the related objects (whatever the manager supplies, checked again here). */
export const findDriverPod = (
  app: SparkApplicationView,
  related: ReadonlyArray<unknown> | undefined,
): KubeObject | undefined => {
  const pods = (related ?? [])
    .filter((o): o is KubeObject => isPlainObject(o) && o['kind'] === 'Pod' && isPlainObject(o['metadata']))
    .filter((o) => (o.metadata?.namespace ?? app.namespace) === app.namespace && isOwnedBy(o, app.uid))
    .filter((o) =>
      app.driverPodName !== ''
        ? o.metadata?.name === app.driverPodName
        : o.metadata?.labels?.[DRIVER_ROLE_LABEL] === 'driver' &&
          (app.name === '' || o.metadata.labels[APP_NAME_LABEL] === app.name),
    )
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  return pods[0];
};

// -------------------------------------------------------------------------------------
// getTaskPhase
// -------------------------------------------------------------------------------------

/** The decision and the row that made it. */
export const explainSparkTaskPhase = (
  ctx: PhaseContext,
  resource: unknown,
): { readonly phaseInfo: PhaseInfo; readonly row: SparkRowId } => {
  const view = readSparkApplication(resource);
  if (O.isNone(view)) {
    return {
      row: 'not-a-spark-application',
      phaseInfo: bumpVersion(ctx.previous)({
        ...undefinedPhase,
        reason: `unexpected resource type: expected a SparkApplication, got ${describeJsonValue(resource)}`,
      }),
    };
  }
  const app = view.value;
  const driver = findDriverPod(app, ctx.related);
  const info = sparkTaskInfo(ctx, app, driver);
  const id = rowOfState(app);
  if (driver !== undefined && id !== 'completed') {
    const podCtx: PhaseContext = {
      now: ctx.now,
      config: ctx.config,
      ...(ctx.task === undefined ? {} : { task: ctx.task }),
    };
    const pod = getPodTaskPhase(podCtx, asDriverPod(driver));
    if (isFailure(pod.phase) && pod.error !== undefined) {
      const name = driver.metadata?.name ?? '';
      const message = `${DRIVER_POD_FAILURE_PREFIX} ${name}: ${pod.error.message}`;
      return {
        row: 'driver-pod-failure',
        phaseInfo: bumpVersion(ctx.previous)(
          failed(
            pod.phase === 'PermanentFailure' ? 'PermanentFailure' : 'RetryableFailure',
            { ...pod.error, message },
            info,
            pod.cleanupOnFailure,
          ),
        ),
      };
    }
  }
  return { row: id, phaseInfo: bumpVersion(ctx.previous)(withUiReadiness(answer(ctx, id, app, info))) };
};

const podPhaseOf = (pod: KubeObject): string => {
  const status = pod['status'];
  return isPlainObject(status) && typeof status['phase'] === 'string' ? status['phase'] : 'Pending';
};

/** explainSparkTaskPhase with its evidence: the application state, the driver pod, and the row that decided. */
export const explainSparkPhase = (ctx: PhaseContext, resource: unknown): PhaseExplanation => {
  const d = explainSparkTaskPhase(ctx, resource);
  const trace: string[] = [];
  const view = readSparkApplication(resource);
  if (O.isSome(view)) {
    const app = view.value;
    const who = `${app.namespace === '' ? '' : `${app.namespace}/`}${app.name || '(unnamed)'}`;
    trace.push(
      `application ${who}: state ${app.state === '' ? '(none: NEW)' : app.state}` +
        (app.errorMessage === '' ? '' : `, errorMessage ${JSON.stringify(app.errorMessage)}`),
    );
    const driver = findDriverPod(app, ctx.related);
    trace.push(
      driver === undefined
        ? 'no driver pod among the related resources'
        : `driver pod ${driver.metadata?.name ?? ''}: phase ${podPhaseOf(driver)}`,
    );
  }
  trace.push(`row ${d.row}: ${sparkPhaseRows[d.row].when}`);
  return { phaseInfo: d.phaseInfo, trace, rows: [d.row] };
};

/**
 * The Spark plugin's getTaskPhase: total (any value gets an answer), pure (time, config, previous state and the
 * related driver pod are arguments), versions never below the previous round's within a phase.
 */
export const getSparkTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo =>
  explainSparkTaskPhase(ctx, resource).phaseInfo;

// -------------------------------------------------------------------------------------
// garbage collection
// -------------------------------------------------------------------------------------

/** COMPLETED, FAILED, or SUBMISSION_FAILED with no retry left (the operator's final states). */
export const isSparkTerminal = (resource: unknown): boolean =>
  O.match(
    () => false,
    (app: SparkApplicationView) =>
      app.state === 'COMPLETED' ||
      app.state === 'FAILED' ||
      (app.state === 'SUBMISSION_FAILED' && !submissionRetriesLeft(app)),
  )(readSparkApplication(resource));

/** status.terminationTime, else status.lastSubmissionAttemptTime, else the creation time. */
export const sparkCompletionTime = (resource: unknown): O.Option<Instant> =>
  O.flatMap((app: SparkApplicationView) =>
    firstKnown(app.terminationTime, app.lastSubmissionAttemptTime, app.creationTimestamp),
  )(readSparkApplication(resource));

// -------------------------------------------------------------------------------------
// docs
// -------------------------------------------------------------------------------------

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The status table as markdown; docs/plugins/spark.md embeds exactly this text. */
export const renderSparkPhaseTable = (): string => {
  const header =
    '| Row | When | Phase | Reason or message | Code, kind | Differs from Flyte |\n| --- | --- | --- | --- | --- | --- |\n';
  const body = (Object.entries(sparkPhaseRows) as Array<[SparkRowId, SparkPhaseRow]>)
    .map(([id, row]) => {
      const failure = 'code' in row;
      const cols = [
        `\`${id}\``,
        cell(row.when),
        row.phase,
        cell(failure ? row.message : row.reason),
        failure
          ? cell(row.code.startsWith('the ') ? `${row.code}; kind too` : `\`${row.code}\`, ${row.kind}`)
          : '',
        cell(row.differs ?? ''),
      ];
      return `| ${cols.join(' | ')} |`;
    })
    .join('\n');
  return `${header}${body}\n`;
};
