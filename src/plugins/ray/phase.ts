// The ray plugin's phase mapping: RayJob status (jobDeploymentStatus, reason) and the cluster's pods to a PhaseInfo.
import * as O from 'fp-ts/lib/Option.js';
import { pipe } from 'fp-ts/lib/function.js';
import { instantAt, recordAt, stringAt } from '../../domain/json-read.js';
import type { KubeObject } from '../../domain/kubernetes.js';
import { ordinal } from '../../domain/phase.js';
import {
  bumpVersion,
  failure,
  initializing,
  queued,
  running,
  success,
  systemRetryableFailureWithCleanup,
  undefinedPhase,
  withReason,
  type LogContext,
  type PhaseInfo,
  type TaskInfo,
  type TaskLog,
} from '../../domain/phase-info.js';
import type { PhaseContext, PhaseExplanation, RelatedResourceQuery } from '../../domain/plugin.js';
import type { Instant } from '../../domain/time.js';
import { buildLogContext, isPodReady, renderLogTemplate } from '../pod/phase/index.js';
import { logTemplateVars } from '../pod/phase/logs.js';
import {
  currentPod,
  demystifyPod,
  effectiveLogs,
  explainedFailure,
  firstKnown,
  podFailure,
  podShowsFailure,
  podsQuery,
  relatedPods,
  renderLinks,
  resourceReader,
  type RelatedPod,
} from '../crd/index.js';
import { RAY_JOB_KIND } from './build.js';
import { rayConfigOf } from './config.js';

/** KubeRay's labels on the pods of a RayCluster. */
export const RAY_CLUSTER_LABEL = 'ray.io/cluster';
export const RAY_NODE_TYPE_LABEL = 'ray.io/node-type';
export const RAY_GROUP_LABEL = 'ray.io/group';

/** KubeRay's status.reason when it lost track of the job (usually the head pod went away), v1.4.0+. */
export const GRACE_PERIOD_EXCEEDED = 'JobDeploymentStatusTransitionGracePeriodExceeded';
export const FAILURE_CODE = 'TaskFailedWithError';

/** What getTaskPhase reads of a RayJob. */
export interface RayJobView {
  readonly name: string;
  readonly namespace: string;
  readonly creationTimestamp: Instant | undefined;
  readonly deploymentStatus: string;
  readonly jobStatus: string;
  readonly reason: string;
  readonly message: string;
  readonly rayClusterName: string;
  readonly dashboardURL: string;
  readonly jobId: string;
  /** status.rayClusterStatus.head.podName: the real head pod name, known once the cluster reports it. */
  readonly headPodName: string;
  readonly startTime: Instant | undefined;
  readonly endTime: Instant | undefined;
}

/** Reads a RayJob; none for anything that is not an object of kind RayJob (or of no kind). */
export const readRayJob: (u: unknown) => O.Option<RayJobView> = resourceReader(
  { kind: RAY_JOB_KIND },
  ({ name, namespace, creationTimestamp, status }) => ({
    name,
    namespace,
    creationTimestamp,
    deploymentStatus: stringAt(status, 'jobDeploymentStatus'),
    jobStatus: stringAt(status, 'jobStatus'),
    reason: stringAt(status, 'reason'),
    message: stringAt(status, 'message'),
    rayClusterName: stringAt(status, 'rayClusterName'),
    dashboardURL: stringAt(status, 'dashboardURL'),
    jobId: stringAt(status, 'jobId'),
    headPodName: stringAt(recordAt(recordAt(status, 'rayClusterStatus'), 'head'), 'podName'),
    startTime: instantAt(status, 'startTime'),
    endTime: instantAt(status, 'endTime'),
  }),
);

// -------------------------------------------------------------------------------------
// related pods
// -------------------------------------------------------------------------------------

/**
 * Every pod of the job's RayCluster (head and workers), by KubeRay's `ray.io/cluster` label: the head pod's name
 * has a random suffix unless KubeRay runs with deterministic head names, so no name is guessed (Flyte bug 8).
 */
export const rayRelatedResources = (resource: KubeObject): ReadonlyArray<RelatedResourceQuery> =>
  pipe(
    readRayJob(resource),
    O.match(
      () => [],
      (job) => podsQuery(resource, { labelSelector: { [RAY_CLUSTER_LABEL]: job.rayClusterName } }),
    ),
  );

interface ClusterPods {
  readonly head: RelatedPod | undefined;
  readonly all: ReadonlyArray<RelatedPod>;
}

const clusterPods = (ctx: PhaseContext, job: RayJobView): ClusterPods => {
  if (job.rayClusterName === '') return { head: undefined, all: [] };
  const all = relatedPods(ctx.related, job.namespace, { [RAY_CLUSTER_LABEL]: job.rayClusterName });
  const heads = all.filter(
    (p) => (p.object as KubeObject).metadata?.labels?.[RAY_NODE_TYPE_LABEL] === 'head',
  );
  return { head: currentPod(heads), all };
};

// -------------------------------------------------------------------------------------
// task info: log links, the dashboard, the log context
// -------------------------------------------------------------------------------------

const taskInfoOf = (ctx: PhaseContext, job: RayJobView, pods: ClusterPods): TaskInfo => {
  const cfg = rayConfigOf(ctx.config);
  const head = pods.head;
  const podName = head?.view.name ?? job.headPodName;
  const base: Record<string, string> =
    head === undefined
      ? { podName, namespace: job.namespace }
      : { ...logTemplateVars(head.view, ctx.now, ctx.task) };
  const vars: Record<string, string> = {
    ...base,
    ...(job.rayClusterName === '' ? {} : { rayClusterName: job.rayClusterName }),
    ...(job.jobId === '' ? {} : { rayJobID: job.jobId }),
    ...(job.dashboardURL === '' ? {} : { dashboardURL: job.dashboardURL }),
  };
  const logs: TaskLog[] =
    podName === '' ? [] : [...renderLinks(ctx, effectiveLogs(cfg.logs, ctx.config.logs), vars)];
  const dashboard = cfg.dashboardURLTemplate;
  if (dashboard !== null && job.dashboardURL !== '' && job.jobStatus === 'RUNNING') {
    const ready = head !== undefined && isPodReady(head.view);
    for (const uri of dashboard['template-uris']) {
      logs.push({
        name: dashboard['display-name'],
        uri: renderLogTemplate(uri, vars),
        linkType: 'DASHBOARD',
        ready,
      });
    }
  }
  const contexts = pods.all.flatMap((p) => buildLogContext(p.view).pods);
  const logContext: LogContext | undefined =
    head === undefined ? undefined : { primaryPodName: head.view.name, pods: contexts };
  return {
    logs,
    additionalReasons: [],
    externalResources: [],
    occurredAt: ctx.now,
    ...(logContext === undefined ? {} : { logContext }),
  };
};

/** Flyte's UpdateLinkReadiness, for the dashboard link only when there is one. */
const withDashboardReadiness = (pi: PhaseInfo): PhaseInfo => {
  const link = pi.info.logs.find((l) => l.linkType === 'DASHBOARD');
  if (link === undefined) return pi;
  const ready = link.ready && ordinal(pi.phase) >= ordinal('Running');
  return withReason(ready ? 'Ray dashboard is ready' : 'Ray dashboard is not ready')(pi);
};

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

const failedMessage = (job: RayJobView): string =>
  `Failed to run Ray job ${job.name} with error: [${job.reason}] ${job.message}`;

/**
 * A failed job: a lost job status (KubeRay's grace period) is a system failure worth a retry; otherwise a failed
 * head or worker pod explains it (an OOMKilled worker is a retryable OOMKilled, a preempted node an Interrupted
 * system failure); otherwise it is the user's (Flyte's PermanentFailure).
 */
const jobFailed = (
  ctx: PhaseContext,
  job: RayJobView,
  pods: ClusterPods,
  info: TaskInfo,
  note: Note,
): PhaseInfo => {
  const message = failedMessage(job);
  if (job.reason === GRACE_PERIOD_EXCEEDED) {
    note(`status.reason ${GRACE_PERIOD_EXCEEDED}: KubeRay lost the job's status`);
    return systemRetryableFailureWithCleanup(FAILURE_CODE, message, info);
  }
  const ordered =
    pods.head === undefined ? pods.all : [pods.head, ...pods.all.filter((p) => p !== pods.head)];
  for (const p of ordered) {
    if (!podShowsFailure(p)) continue;
    const role = p === pods.head ? 'head' : 'worker';
    const pi = podFailure(ctx, p, `Ray ${role} pod ${p.view.name}`);
    if (pi !== undefined) {
      note(`the failed Ray ${role} pod ${p.view.name} (the pod plugin's ${pi.error?.code ?? pi.phase})`);
      return explainedFailure(message, pi, info);
    }
  }
  return failure(FAILURE_CODE, message, info);
};

/** Records the evidence that decided, for explain; getTaskPhase passes a no-op. */
type Note = (why: string) => void;
const ignore: Note = () => undefined;

/** The status table (docs/plugins/ray.md), before the version step. */
const decide = (ctx: PhaseContext, job: RayJobView, note: Note): PhaseInfo => {
  const status = job.deploymentStatus;
  const created = job.creationTimestamp ?? ctx.now;
  if (status === '' || status === 'New') return queued(created, 0, 'Scheduling');
  const pods = clusterPods(ctx, job);
  const info = taskInfoOf(ctx, job, pods);
  switch (status) {
    case 'Complete':
      if (job.jobStatus === 'FAILED') return jobFailed(ctx, job, pods, info, note);
      if (job.jobStatus === 'STOPPED') {
        return failure(
          'RayJobStopped',
          `Ray job ${job.name} was stopped before it finished: ${job.message}`,
          info,
        );
      }
      return success(info);
    case 'Failed':
      return jobFailed(ctx, job, pods, info, note);
    case 'ValidationFailed':
      return failure('ValidationFailed', `KubeRay rejected RayJob ${job.name}: ${job.message}`, info);
    case 'Suspending':
      return queued(ctx.now, 0, 'cluster is about to be suspended', info);
    case 'Suspended':
      return queued(ctx.now, 0, 'cluster is suspended', info);
    default:
      break;
  }
  // Non-terminal states: a failing head pod (bad image, pending timeout, OOM...) fails the task at once.
  if (pods.head !== undefined) {
    const pi = demystifyPod(ctx, pods.head, `Ray head pod ${pods.head.view.name}`);
    if (pi !== undefined) {
      note(
        `the failing Ray head pod ${pods.head.view.name} (the pod plugin's ${pi.error?.code ?? pi.phase})`,
      );
      return { ...pi, info: { ...info, ...pi.info, logs: info.logs } };
    }
  }
  switch (status) {
    case 'Initializing':
      return initializing(created, 0, 'cluster is creating', info);
    case 'Running':
      return withDashboardReadiness(running(0, info, job.jobStatus === '' ? '' : `Ray job ${job.jobStatus}`));
    case 'Retrying':
      return running(0, info, `KubeRay is retrying the job after [${job.reason}] ${job.message}`);
    case 'Waiting':
      return initializing(created, 0, 'waiting for a job to be submitted (InteractiveMode)', info);
    default: {
      // A state of a newer KubeRay: the cluster's progress says where the task is, the reason names the state.
      const reason = `unknown job deployment status ${JSON.stringify(status)}`;
      return job.startTime === undefined ? initializing(created, 0, reason, info) : running(0, info, reason);
    }
  }
};

/**
 * The ray plugin's getTaskPhase: total and pure. The related pods (the RayCluster's, from the watch cache) refine
 * failures; without them the status alone decides. Versions follow the pod plugin's rule on every path.
 */
export const getRayTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseInfo => {
  const job = readRayJob(resource);
  const decided = O.isNone(job)
    ? { ...undefinedPhase, reason: 'not a RayJob' }
    : decide(ctx, job.value, ignore);
  return bumpVersion(ctx.previous)(decided);
};

/** getRayTaskPhase with its evidence: the job's status fields, the cluster's pods, and what decided. */
export const explainRayTaskPhase = (ctx: PhaseContext, resource: unknown): PhaseExplanation => {
  const view = readRayJob(resource);
  if (O.isNone(view)) {
    return {
      phaseInfo: getRayTaskPhase(ctx, resource),
      trace: ['decided by: the value is not a RayJob'],
      rows: [],
    };
  }
  const job = view.value;
  let why: string | undefined;
  const phaseInfo = bumpVersion(ctx.previous)(decide(ctx, job, (w) => (why = w)));
  const pods = clusterPods(ctx, job);
  const status =
    `status.jobDeploymentStatus ${JSON.stringify(job.deploymentStatus)}` +
    (job.jobStatus === '' ? '' : `, jobStatus ${job.jobStatus}`);
  return {
    phaseInfo,
    trace: [
      `RayJob ${job.namespace === '' ? '' : `${job.namespace}/`}${job.name}: ${status}` +
        (job.reason === '' ? '' : `, reason ${job.reason}`),
      pods.all.length === 0
        ? 'no pod of the RayCluster among the related resources'
        : `pods of the RayCluster: ${pods.all.map((p) => `${p.view.name} ${p.view.phase ?? 'Pending'}`).join(', ')}`,
      `decided by ${why ?? status}`,
    ],
    rows: [],
  };
};

// -------------------------------------------------------------------------------------
// garbage collection
// -------------------------------------------------------------------------------------

const TERMINAL: ReadonlySet<string> = new Set(['Complete', 'Failed', 'ValidationFailed']);

/** Complete, Failed and ValidationFailed (which Flyte forgot: bug 7). */
export const isRayJobTerminal = (resource: unknown): boolean =>
  pipe(
    readRayJob(resource),
    O.exists((job) => TERMINAL.has(job.deploymentStatus)),
  );

/** status.endTime, else status.startTime, else the creation time. */
export const rayJobCompletionTime = (resource: unknown): O.Option<Instant> =>
  pipe(
    readRayJob(resource),
    O.flatMap((job) => firstKnown(job.endTime, job.startTime, job.creationTimestamp)),
  );
