// The batch-job phase mapping: a Job's conditions and counters, and its pods as related resources, to a PhaseInfo.
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import { isPlainObject } from '../../domain/codec.js';
import { describeJsonValue, recordAt, stringAt } from '../../domain/json-read.js';
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
  type LogContext,
  type PhaseInfo,
  type TaskInfo,
} from '../../domain/phase-info.js';
import type { PhaseContext, PhaseExplanation } from '../../domain/plugin.js';
import type { Instant } from '../../domain/time.js';
import { firstKnown } from '../crd/index.js';
import { getPodTaskPhase, readPod, type PodView } from '../pod/phase/index.js';
import {
  isFailureCondition,
  readJob,
  terminalCondition,
  trueCondition,
  type JobConditionView,
  type JobView,
} from './job-view.js';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from './names.js';

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

export type JobRowId =
  | 'input.not-a-job'
  | 'failed.backoff-limit'
  | 'failed.deadline'
  | 'failed.pod-failure-policy'
  | 'failed.max-failed-indexes'
  | 'failed.failed-indexes'
  | 'failed.other'
  | 'complete'
  | 'suspended'
  | 'pod.pending-failure'
  | 'running.pod-running'
  | 'running.between-pods'
  | 'pending.pod'
  | 'active.ready'
  | 'active.not-ready'
  | 'started.no-pods'
  | 'created';

export interface JobRow {
  readonly id: JobRowId;
  readonly when: string;
  /** A phase name, or who decides it. */
  readonly phase: string;
  readonly code: string;
  readonly kind: string;
}

/** The decision table, in evaluation order; docs/plugins/job.md renders it and the tests cover every row. */
export const jobPhaseTable: ReadonlyArray<JobRow> = [
  { id: 'input.not-a-job', when: 'the value is not a batch Job', phase: 'Undefined', code: '', kind: '' },
  {
    id: 'failed.backoff-limit',
    when: 'Failed or FailureTarget True, reason BackoffLimitExceeded',
    phase: 'PermanentFailure',
    code: 'BackoffLimitExceeded',
    kind: "the last failed pod's (USER when none is seen)",
  },
  {
    id: 'failed.deadline',
    when: 'Failed or FailureTarget True, reason DeadlineExceeded',
    phase: 'PermanentFailure',
    code: 'DeadlineExceeded',
    kind: 'USER',
  },
  {
    id: 'failed.pod-failure-policy',
    when: 'Failed or FailureTarget True, reason PodFailurePolicy (a FailJob rule matched)',
    phase: 'PermanentFailure',
    code: 'PodFailurePolicy',
    kind: 'USER',
  },
  {
    id: 'failed.max-failed-indexes',
    when: 'Failed or FailureTarget True, reason MaxFailedIndexesExceeded',
    phase: 'PermanentFailure',
    code: 'MaxFailedIndexesExceeded',
    kind: 'USER',
  },
  {
    id: 'failed.failed-indexes',
    when: 'Failed or FailureTarget True, reason FailedIndexes (every index ended, some failed)',
    phase: 'PermanentFailure',
    code: 'FailedIndexes',
    kind: 'USER',
  },
  {
    id: 'failed.other',
    when: 'Failed or FailureTarget True, any other or no reason',
    phase: 'PermanentFailure',
    code: 'the reason, else JobFailed',
    kind: 'USER',
  },
  { id: 'complete', when: 'Complete or SuccessCriteriaMet True', phase: 'Success', code: '', kind: '' },
  {
    id: 'suspended',
    when: 'Suspended True, or spec.suspend (e.g. queued by Kueue)',
    phase: 'WaitingForResources',
    code: '',
    kind: '',
  },
  {
    id: 'pod.pending-failure',
    when: 'a pending pod of the Job is a failure for the pod plugin (bad image, config error, image pull back-off past grace, pod pending timeout): the Job controller never counts it',
    phase: 'the pod plugin decides',
    code: "the pod plugin's",
    kind: "the pod plugin's",
  },
  { id: 'running.pod-running', when: 'a pod of the Job is Running', phase: 'Running', code: '', kind: '' },
  {
    id: 'running.between-pods',
    when: 'no pod runs, but the Job has started (a pod ended, a counter moved, or Running was reported before)',
    phase: 'Running',
    code: '',
    kind: '',
  },
  {
    id: 'pending.pod',
    when: 'pods are seen, all pending',
    phase: "the latest pending pod's (Queued or Initializing)",
    code: '',
    kind: '',
  },
  { id: 'active.ready', when: 'no pod seen; status.ready > 0', phase: 'Running', code: '', kind: '' },
  {
    id: 'active.not-ready',
    when: 'no pod seen; status.active > 0, none ready',
    phase: 'Initializing',
    code: '',
    kind: '',
  },
  { id: 'started.no-pods', when: 'no pod seen; status.startTime set', phase: 'Queued', code: '', kind: '' },
  {
    id: 'created',
    when: 'no status yet (any unknown condition is ignored)',
    phase: 'Queued',
    code: '',
    kind: '',
  },
];

// -------------------------------------------------------------------------------------
// related pods
// -------------------------------------------------------------------------------------

interface SeenPod {
  readonly view: PodView;
  /** What the pod plugin makes of this pod alone. */
  readonly pi: PhaseInfo;
}

const labelsOf = (u: unknown): Readonly<Record<string, unknown>> =>
  recordAt(recordAt(u, 'metadata'), 'labels');

const ownerUids = (u: unknown): ReadonlyArray<string> => {
  const refs = recordAt(u, 'metadata')['ownerReferences'];
  return Array.isArray(refs) ? refs.filter(isPlainObject).map((r) => stringAt(r, 'uid')) : [];
};

/** A pod belongs to the Job when the Job owns it (or its selector labels name the Job's uid), else by name label. */
const belongs = (job: JobView, u: unknown, pod: PodView): boolean => {
  if (job.namespace !== '' && pod.namespace !== '' && job.namespace !== pod.namespace) return false;
  const labels = labelsOf(u);
  if (job.uid !== '') {
    return (
      ownerUids(u).includes(job.uid) ||
      labels[CONTROLLER_UID_LABEL] === job.uid ||
      labels[LEGACY_CONTROLLER_UID_LABEL] === job.uid
    );
  }
  return (
    job.name !== '' && (labels[JOB_NAME_LABEL] === job.name || labels[LEGACY_JOB_NAME_LABEL] === job.name)
  );
};

const byAge = (a: SeenPod, b: SeenPod): number => {
  const ta = a.view.creationTimestamp ?? 0;
  const tb = b.view.creationTimestamp ?? 0;
  return ta !== tb ? ta - tb : a.view.name < b.view.name ? -1 : a.view.name > b.view.name ? 1 : 0;
};

/** The Job's pods among the related objects, oldest first, each classified by the pod plugin. */
const podsOf = (ctx: PhaseContext, job: JobView): ReadonlyArray<SeenPod> => {
  const podCtx: PhaseContext = {
    now: ctx.now,
    config: ctx.config,
    ...(ctx.task === undefined ? {} : { task: ctx.task }),
  };
  const out: SeenPod[] = [];
  for (const u of ctx.related ?? []) {
    const view = readPod(u);
    if (O.isNone(view) || stringAt(u, 'kind') !== 'Pod' || !belongs(job, u, view.value)) continue;
    out.push({ view: view.value, pi: getPodTaskPhase(podCtx, u) });
  }
  return out.sort(byAge);
};

const isPending = (p: SeenPod): boolean =>
  (p.view.phase === undefined || p.view.phase === 'Pending') && p.view.deletionTimestamp === undefined;
const isRunning = (p: SeenPod): boolean =>
  p.view.phase === 'Running' && p.view.deletionTimestamp === undefined;
const hasFailed = (p: SeenPod): boolean => p.view.phase === 'Failed' || isFailure(p.pi.phase);

const last = <A>(xs: ReadonlyArray<A>): A | undefined => xs[xs.length - 1];

// -------------------------------------------------------------------------------------
// task info
// -------------------------------------------------------------------------------------

const counters = (job: JobView): Record<string, unknown> => ({
  active: job.status.active,
  ready: job.status.ready,
  succeeded: job.status.succeeded,
  failed: job.status.failed,
  terminating: job.status.terminating,
  ...(job.status.completedIndexes === '' ? {} : { completedIndexes: job.status.completedIndexes }),
  ...(job.status.failedIndexes === '' ? {} : { failedIndexes: job.status.failedIndexes }),
});

/** The log context of every pod seen, the focus pod first-named; undefined when no pod is seen. */
const logContextOf = (pods: ReadonlyArray<SeenPod>, focus: SeenPod | undefined): LogContext | undefined => {
  if (focus === undefined) return undefined;
  const contexts = pods.flatMap((p) => p.pi.info.logContext?.pods ?? []);
  return { primaryPodName: focus.view.name, pods: contexts };
};

/** Task info: the focus pod's log links, every pod's log context, the Job's counters as custom info. */
const infoOf = (
  job: JobView,
  pods: ReadonlyArray<SeenPod>,
  focus: SeenPod | undefined,
  at?: Instant,
): TaskInfo => {
  const logContext = logContextOf(pods, focus);
  return {
    logs: focus?.pi.info.logs ?? [],
    additionalReasons: [],
    externalResources: [],
    ...(at === undefined ? {} : { occurredAt: at }),
    ...(logContext === undefined ? {} : { logContext }),
    customInfo: { job: counters(job) },
  };
};

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
