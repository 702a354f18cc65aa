// The batch-job phase mapping: a Job's conditions and counters, and its pods as related resources, to a PhaseInfo.
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import { describeJsonValue } from '../../domain/json-read.js';
import { ownValue } from '../../domain/own-keys.js';
import { isFailure, isTerminal, ordinal } from '../../domain/phase.js';
import {
  bumpVersion,
  failed,
  initializing,
  queued,
  running,
  success,
  undefinedPhase,
  waitingForResources,
  type ErrorKind,
  type PhaseInfo,
  type TaskInfo,
} from '../../domain/phase-info.js';
import type { PhaseContext, PhaseExplanation } from '../../domain/plugin.js';
import type { Instant } from '../../domain/time.js';
import { firstKnown } from '../crd/index.js';
import {
  isFailureCondition,
  readJob,
  terminalCondition,
  trueCondition,
  type JobConditionView,
  type JobView,
} from './job-view.js';
import { hasFailed, infoOf, isPending, isRunning, last, podsOf, type SeenPod } from './job-pods.js';
import { jobPhaseTable, type JobRow, type JobRowId } from './phase-table.js';

export { jobPhaseTable, type JobRow, type JobRowId };

// -------------------------------------------------------------------------------------
// decisions
// -------------------------------------------------------------------------------------

const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  PodFailurePolicy: 'a pod failure matched a FailJob rule of the podFailurePolicy',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
};

const FAILURE_ROWS: Readonly<Record<string, JobRowId>> = {
  BackoffLimitExceeded: 'failed.backoff-limit',
  DeadlineExceeded: 'failed.deadline',
  PodFailurePolicy: 'failed.pod-failure-policy',
  MaxFailedIndexesExceeded: 'failed.max-failed-indexes',
  FailedIndexes: 'failed.failed-indexes',
};

/** The pod a failure is about: the one the condition message names (PodFailurePolicy does), else the last failed. */
const failingPod = (pods: ReadonlyArray<SeenPod>, message: string): SeenPod | undefined => {
  const named = pods.find((p) => p.view.name !== '' && message.includes(`/${p.view.name} `));
  return named ?? last(pods.filter(hasFailed));
};

const podDetail = (p: SeenPod): string => {
  const e = p.pi.error;
  const who = p.view.namespace === '' ? p.view.name : `${p.view.namespace}/${p.view.name}`;
  if (e === undefined) return `; last failed pod ${who}`;
  return `; last failed pod ${who}: [${e.code}] ${e.message}`;
};

const failure = (job: JobView, c: JobConditionView, pods: ReadonlyArray<SeenPod>, ctx: PhaseContext) => {
  const row = ownValue(FAILURE_ROWS, c.reason) ?? 'failed.other';
  const code = c.reason === '' ? 'JobFailed' : c.reason;
  const pod = failingPod(pods, c.message);
  const podKind: ErrorKind | undefined = pod?.pi.error?.kind;
  const kind: ErrorKind = row === 'failed.backoff-limit' && podKind !== undefined ? podKind : 'USER';
  const headline =
    c.message !== '' ? c.message : (ownValue(DEFAULT_MESSAGES, c.reason) ?? `Job failed (${code})`);
  const message = `${headline}${pod === undefined ? '' : podDetail(pod)}`;
  return {
    row,
    pi: failed(
      'PermanentFailure',
      { code, kind, message },
      infoOf(job, pods, pod, c.lastTransitionTime ?? ctx.now),
    ),
  };
};

const summary = (job: JobView): string => {
  const s = job.status;
  const limit = job.spec.backoffLimitPerIndex === undefined ? job.spec.backoffLimit : undefined;
  const of = job.spec.completions === undefined ? '' : ` of ${job.spec.completions}`;
  return `${s.active} active (${s.ready} ready), ${s.succeeded}${of} succeeded, ${s.failed} failed${limit === undefined ? '' : ` (backoffLimit ${limit})`}`;
};

const withLastFailure = (reason: string, pods: ReadonlyArray<SeenPod>): string => {
  const f = last(pods.filter(hasFailed));
  if (f === undefined) return reason;
  const code = f.pi.error?.code;
  return `${reason}; last failed pod ${f.view.name}${code === undefined ? '' : ` [${code}]`}`;
};

interface Decision {
  readonly row: JobRowId;
  readonly pi: PhaseInfo;
}

const startedBefore = (ctx: PhaseContext): boolean =>
  ctx.previous !== undefined &&
  !isTerminal(ctx.previous.phase) &&
  ordinal(ctx.previous.phase) >= ordinal('Running');

const decide = (ctx: PhaseContext, resource: unknown): Decision => {
  const view = readJob(resource);
  if (O.isNone(view)) {
    return {
      row: 'input.not-a-job',
      pi: {
        ...undefinedPhase,
        reason: `unexpected resource type: expected a batch/v1 Job, got ${describeJsonValue(resource)}`,
      },
    };
  }
  const job = view.value;
  const pods = podsOf(ctx, job);
  const end = terminalCondition(job);
  if (end !== undefined) {
    if (isFailureCondition(end)) return failure(job, end, pods, ctx);
    const at = job.status.completionTime ?? end.lastTransitionTime ?? ctx.now;
    return { row: 'complete', pi: success(infoOf(job, pods, last(pods), at)) };
  }
  const suspended = trueCondition(job, 'Suspended');
  if (suspended !== undefined || job.spec.suspend) {
    const why = suspended === undefined ? 'spec.suspend is set' : `${suspended.reason}: ${suspended.message}`;
    const at = suspended?.lastTransitionTime ?? job.creationTimestamp ?? ctx.now;
    return {
      row: 'suspended',
      pi: waitingForResources(at, 0, `Job suspended (${why})`, infoOf(job, pods, last(pods))),
    };
  }
  const pending = pods.filter(isPending);
  const pendingFailure = last(pending.filter((p) => isFailure(p.pi.phase)));
  if (pendingFailure !== undefined && pendingFailure.pi.error !== undefined) {
    const e = pendingFailure.pi.error;
    return {
      row: 'pod.pending-failure',
      pi: {
        ...pendingFailure.pi,
        error: { ...e, message: `pod ${pendingFailure.view.name}: ${e.message}` },
        info: { ...infoOf(job, pods, pendingFailure), ...pickOccurred(pendingFailure.pi.info) },
      },
    };
  }
  const runningPod = last(pods.filter(isRunning));
  if (runningPod !== undefined) {
    return {
      row: 'running.pod-running',
      pi: running(0, infoOf(job, pods, runningPod), withLastFailure(summary(job), pods)),
    };
  }
  const started =
    job.status.failed > 0 ||
    job.status.succeeded > 0 ||
    pods.some((p) => !isPending(p)) ||
    startedBefore(ctx);
  const latestPending = last(pending);
  if (started) {
    const lastPod = last(pods);
    const next =
      latestPending !== undefined
        ? `next pod ${latestPending.view.name}: ${latestPending.pi.reason}`
        : lastPod?.view.phase === 'Succeeded'
          ? `pod ${lastPod.view.name} succeeded; waiting for the Job controller`
          : pods.length === 0
            ? '' // the pods are not in the watch cache (yet): the counters are all there is
            : 'no pod running';
    return {
      row: 'running.between-pods',
      pi: running(
        0,
        infoOf(job, pods, latestPending ?? last(pods)),
        withLastFailure(next === '' ? summary(job) : `${summary(job)}; ${next}`, pods),
      ),
    };
  }
  if (latestPending !== undefined) {
    const p = latestPending.pi;
    const info = { ...infoOf(job, pods, latestPending), ...pickOccurred(p.info) };
    const reason = `pod ${latestPending.view.name}: ${p.reason}`;
    return {
      row: 'pending.pod',
      pi:
        p.phase === 'Initializing'
          ? initializing(info.occurredAt ?? ctx.now, 0, reason, info)
          : queued(info.occurredAt ?? ctx.now, 0, reason, info),
    };
  }
  const at = job.status.startTime ?? job.creationTimestamp ?? ctx.now;
  if (job.status.ready > 0) {
    return { row: 'active.ready', pi: running(0, infoOf(job, pods, undefined), summary(job)) };
  }
  if (job.status.active > 0) {
    return {
      row: 'active.not-ready',
      pi: initializing(at, 0, `${summary(job)}: pods starting`, infoOf(job, pods, undefined, at)),
    };
  }
  if (job.status.startTime !== undefined) {
    return {
      row: 'started.no-pods',
      pi: queued(at, 0, 'Job started; waiting for its pods', infoOf(job, pods, undefined, at)),
    };
  }
  return {
    row: 'created',
    pi: queued(at, 0, 'Job created; waiting for the Job controller', infoOf(job, pods, undefined, at)),
  };
};

const pickOccurred = (info: TaskInfo): Partial<TaskInfo> => ({
  ...(info.occurredAt === undefined ? {} : { occurredAt: info.occurredAt }),
  ...(info.reportedAt === undefined ? {} : { reportedAt: info.reportedAt }),
});

/** The decision with the row that made it, after the version rule (for tests and `explain`). */
export const explainJobTaskPhase = (ctx: PhaseContext, resource: unknown): Decision => {
  const d = decide(ctx, resource);
  return { row: d.row, pi: bumpVersion(ctx.previous)(d.pi) };
};

/** Who a Job is, for a trace line. */
const jobName = (job: JobView): string =>
  `${job.namespace === '' ? '' : `${job.namespace}/`}${job.name || '(unnamed)'}`;

/** explainJobTaskPhase with its evidence: the Job's counters and True conditions, its pods, and the deciding row. */
export const explainJobPhase = (ctx: PhaseContext, resource: unknown): PhaseExplanation => {
  const d = explainJobTaskPhase(ctx, resource);
  const trace: string[] = [];
  const view = readJob(resource);
  if (O.isSome(view)) {
    const job = view.value;
    trace.push(`job ${jobName(job)}: ${summary(job)}`);
    for (const c of job.status.conditions) {
      trace.push(`condition ${c.type}=${c.status}${c.reason === '' ? '' : ` (${c.reason})`}`);
    }
    const pods = podsOf(ctx, job);
    trace.push(
      pods.length === 0
        ? 'no pod of the Job among the related resources'
        : `pods of the Job: ${pods.map((p) => `${p.view.name} ${p.view.phase ?? 'Pending'} → ${p.pi.phase}`).join(', ')}`,
    );
  }
  const row = jobPhaseTable.find((r) => r.id === d.row);
  trace.push(`row ${d.row}: ${row?.when ?? ''}`);
  return { phaseInfo: d.pi, trace, rows: [d.row] };
};

/**
 * The batch-job plugin's getTaskPhase. Total (any value gets an answer) and pure (the clock reading, the config,
 * the previous state and the related pods are arguments). Correct without related pods: the Job's counters decide.
 */
export const getJobTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo =>
  explainJobTaskPhase(ctx, resource).pi;

// -------------------------------------------------------------------------------------
// garbage collection
// -------------------------------------------------------------------------------------

/** A Job whose outcome is decided: Complete, Failed, or (1.31+) SuccessCriteriaMet or FailureTarget. */
export const isJobTerminal = (resource: unknown): boolean =>
  pipe(
    readJob(resource),
    O.exists((job) => terminalCondition(job) !== undefined),
  );

/** When the Job finished: completionTime on success, else the terminal condition's transition time. */
export const jobCompletionTime = (resource: unknown): O.Option<Instant> =>
  pipe(
    readJob(resource),
    O.flatMap((job) => {
      const end = terminalCondition(job);
      return end === undefined
        ? O.none
        : firstKnown(isFailureCondition(end) ? undefined : job.status.completionTime, end.lastTransitionTime);
    }),
  );
