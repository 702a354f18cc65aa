// The dask plugin's phase mapping: DaskJob status.jobStatus and the job-runner pod to a PhaseInfo.
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import { instantAt, stringAt } from '../../domain/json-read.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import {
  bumpVersion,
  initializing,
  retryableFailure,
  running,
  success,
  undefinedPhase,
  type PhaseInfo,
  type TaskInfo,
} from '../../domain/phase-info.js';
import type { PhaseContext, PhaseExplanation, RelatedResourceQuery } from '../../domain/plugin.js';
import { formatInstant, type Instant } from '../../domain/time.js';
import { buildLogContext } from '../pod/phase/index.js';
import { logTemplateVars } from '../pod/phase/logs.js';
import {
  demystifyPod,
  effectiveLogs,
  explainedFailure,
  firstKnown,
  podFailure,
  podsQuery,
  relatedPodNamed,
  renderLinks,
  resourceReader,
  type RelatedPod,
} from '../crd/index.js';
import { DASK_JOB_KIND } from './build.js';
import { daskConfigOf } from './config.js';

export const FAILURE_CODE = 'DownstreamSystemError';

/** What getTaskPhase reads of a DaskJob. */
export interface DaskJobView {
  readonly name: string;
  readonly namespace: string;
  readonly creationTimestamp: Instant | undefined;
  readonly jobStatus: string;
  readonly jobRunnerPodName: string;
  readonly clusterName: string;
  readonly startTime: Instant | undefined;
  readonly endTime: Instant | undefined;
}

/** Reads a DaskJob; none for anything that is not an object of kind DaskJob (or of no kind). */
export const readDaskJob: (u: unknown) => O.Option<DaskJobView> = resourceReader(
  { kind: DASK_JOB_KIND },
  ({ name, namespace, creationTimestamp, status }) => ({
    name,
    namespace,
    creationTimestamp,
    jobStatus: stringAt(status, 'jobStatus'),
    jobRunnerPodName: stringAt(status, 'jobRunnerPodName'),
    clusterName: stringAt(status, 'clusterName'),
    startTime: instantAt(status, 'startTime'),
    endTime: instantAt(status, 'endTime'),
  }),
);

/** The job-runner pod, by the name the operator reports (it runs the task's code). */
export const daskRelatedResources = (resource: KubeObject): ReadonlyArray<RelatedResourceQuery> =>
  pipe(
    readDaskJob(resource),
    O.match(
      () => [],
      (job) => podsQuery(resource, { name: job.jobRunnerPodName }),
    ),
  );

const taskInfoOf = (ctx: PhaseContext, job: DaskJobView, runner: RelatedPod | undefined): TaskInfo => {
  const logs = effectiveLogs(daskConfigOf(ctx.config).logs, ctx.config.logs);
  const vars =
    runner === undefined
      ? { podName: job.jobRunnerPodName, namespace: job.namespace }
      : logTemplateVars(runner.view, ctx.now, ctx.task);
  return {
    logs: job.jobRunnerPodName === '' ? [] : renderLinks(ctx, logs, vars),
    additionalReasons: [],
    externalResources: [],
    occurredAt: ctx.now,
    ...(runner === undefined ? {} : { logContext: buildLogContext(runner.view) }),
  };
};

const when = (i: Instant | undefined): string => (i === undefined ? 'unknown' : formatInstant(i));

/**
 * A failed job: the job runner's failure (exit code, OOM, eviction...) when its pod shows one, else a retryable
 * failure that still says what is known (Flyte's bare "Dask Job failed": bug 15).
 */
const jobFailed = (
  ctx: PhaseContext,
  job: DaskJobView,
  runner: RelatedPod | undefined,
  info: TaskInfo,
  note: Note,
): PhaseInfo => {
  const headline = `Dask job ${job.name} failed`;
  if (runner !== undefined) {
    const pi = podFailure(ctx, runner, `job runner pod ${runner.view.name}`);
    if (pi !== undefined) {
      note(
        `status.jobStatus Failed, and the job runner pod ${runner.view.name} shows why (the pod plugin's ${pi.error?.code ?? pi.phase})`,
      );
      return explainedFailure(headline, pi, info);
    }
  }
  const pod =
    job.jobRunnerPodName === ''
      ? 'the operator reported no job runner pod'
      : runner === undefined
        ? `the job runner pod ${job.jobRunnerPodName} is gone`
        : `the job runner pod ${job.jobRunnerPodName} shows no failure (phase ${runner.view.phase ?? 'unknown'})`;
  return retryableFailure(
    FAILURE_CODE,
    `${headline}: ${pod}; cluster ${job.clusterName || 'unknown'}, started ${when(job.startTime)}, ended ${when(job.endTime)}`,
    info,
  );
};

/** Records the evidence that decided, for explain; getTaskPhase passes a no-op. */
type Note = (why: string) => void;
const ignore: Note = () => undefined;

const decide = (ctx: PhaseContext, job: DaskJobView, note: Note): PhaseInfo => {
  const runner = relatedPodNamed(ctx.related, job.namespace, job.jobRunnerPodName);
  const info = taskInfoOf(ctx, job, runner);
  const created = job.creationTimestamp ?? ctx.now;
  switch (job.jobStatus) {
    case 'Successful':
      return success(info);
    case 'Failed':
      return jobFailed(ctx, job, runner, info, note);
    default:
      break;
  }
  // Not finished: a failing job runner (bad image, pending timeout, exit code...) fails the task at once.
  if (runner !== undefined) {
    const pi = demystifyPod(ctx, runner, `job runner pod ${runner.view.name}`);
    if (pi !== undefined) {
      note(`the failing job runner pod ${runner.view.name} (the pod plugin's ${pi.error?.code ?? pi.phase})`);
      return explainedFailure(`Dask job ${job.name} failed`, pi, info);
    }
  }
  switch (job.jobStatus) {
    case '':
      return initializing(created, 0, 'unknown', info);
    case 'JobCreated':
      return initializing(created, 0, 'job created', info);
    case 'ClusterCreated':
      return initializing(created, 0, 'cluster created', info);
    case 'Running':
      return running(0, info);
    default:
      // Flyte's rule for any other state; the reason names it.
      return running(0, info, `unknown job status ${JSON.stringify(job.jobStatus)}`);
  }
};

/** The dask plugin's getTaskPhase: total and pure; versions follow the pod plugin's rule on every path. */
export const getDaskTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo => {
  const job = readDaskJob(resource);
  const decided = O.isNone(job)
    ? { ...undefinedPhase, reason: 'not a DaskJob' }
    : decide(ctx, job.value, ignore);
  return bumpVersion(ctx.previous)(decided);
};

/** getDaskTaskPhase with its evidence: the job's status, its job runner pod, and what decided. */
export const explainDaskTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseExplanation => {
  const view = readDaskJob(resource);
  if (O.isNone(view)) {
    return {
      phaseInfo: getDaskTaskPhase(ctx, resource),
      trace: ['decided by: the value is not a DaskJob'],
      rows: [],
    };
  }
  const job = view.value;
  let why: string | undefined;
  const phaseInfo = bumpVersion(ctx.previous)(decide(ctx, job, (w) => (why = w)));
  const runner = relatedPodNamed(ctx.related, job.namespace, job.jobRunnerPodName);
  const status = `status.jobStatus ${JSON.stringify(job.jobStatus)}`;
  return {
    phaseInfo,
    trace: [
      `DaskJob ${job.namespace === '' ? '' : `${job.namespace}/`}${job.name}: ${status}`,
      job.jobRunnerPodName === ''
        ? 'no status.jobRunnerPodName yet'
        : runner === undefined
          ? `job runner pod ${job.jobRunnerPodName}: not among the related resources`
          : `job runner pod ${runner.view.name}: phase ${runner.view.phase ?? 'Pending'}`,
      `decided by ${why ?? status}`,
    ],
    rows: [],
  };
};

/** Successful or Failed. */
export const isDaskJobTerminal = (resource: unknown): boolean =>
  pipe(
    readDaskJob(resource),
    O.exists((job) => job.jobStatus === 'Successful' || job.jobStatus === 'Failed'),
  );

/** status.endTime, else status.startTime, else the creation time. */
export const daskJobCompletionTime = (resource: unknown): O.Option<Instant> =>
  pipe(
    readDaskJob(resource),
    O.flatMap((job) => firstKnown(job.endTime, job.startTime, job.creationTimestamp)),
  );
