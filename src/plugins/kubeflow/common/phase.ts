// getTaskPhase of the training-operator kinds: the condition table, the operator timeout and the jobs' own pods.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../../domain/codec.js';
import { describeJsonValue } from '../../../domain/json-read.js';
import type { KubeObject } from '../../../domain/kubernetes.js';
import { isFailure } from '../../../domain/phase.js';
import {
  bumpVersion,
  queued,
  retryableFailure,
  running,
  success,
  systemRetryableFailure,
  undefinedPhase,
  waitingForResources,
  type LogContext,
  type PhaseInfo,
  type PodLogContext,
  type TaskInfoInput,
  type TaskLog,
} from '../../../domain/phase-info.js';
import { readPluginConfig } from '../../../domain/plugin-config.js';
import type { PhaseContext, PhaseExplanation } from '../../../domain/plugin.js';
import { formatDuration, formatInstant, type Instant } from '../../../domain/time.js';
import {
  buildLogContext,
  buildLogLinks,
  getPodTaskPhase,
  podCompletionTime,
  PRIMARY_CONTAINER_ANNOTATION,
  readPod,
} from '../../pod/phase/index.js';
import { kfOperatorSection } from './config.js';
import type { KubeflowKind } from './kind.js';
import { DEFAULT_CONTAINER_ANNOTATION } from './replica.js';
import {
  activeReplicas,
  currentCondition,
  JOB_NAME_LABEL,
  readJob,
  terminalCondition,
  type JobCondition,
  type JobView,
} from './status.js';

/** Flyte's error code for a Failed job condition. */
export const JOB_FAILED_CODE = 'DownstreamSystemError';
/** kubetasks' code when the operator never wrote a status within `plugins.kf-operator.timeout`. */
export const OPERATOR_TIMEOUT_CODE = 'KubeflowOperatorTimeout';
/** Flyte's reason for a created (queued) job. */
export const JOB_CREATED_REASON = 'JobCreated';
export const JOB_SUSPENDED_REASON = 'JobSuspended';

// -------------------------------------------------------------------------------------
// the job's pods
// -------------------------------------------------------------------------------------

/** The related objects that are pods of this job (the manager's query already selects them; this keeps it safe). */
const podsOf = (
  job: JobView,
  related: ReadonlyArray<KubeObject> | undefined,
): ReadonlyMap<string, KubeObject> => {
  const out = new Map<string, KubeObject>();
  for (const o of related ?? []) {
    // List items of a real API server carry no kind; anything else that says what it is must be a pod.
    if (!isPlainObject(o) || (o.kind !== undefined && o.kind !== 'Pod')) continue;
    const meta = o.metadata;
    const name = meta?.name;
    if (name === undefined || (job.namespace !== '' && meta?.namespace !== job.namespace)) continue;
    const labelled = meta?.labels?.[JOB_NAME_LABEL] === job.name;
    const owned = job.uid !== '' && (meta?.ownerReferences ?? []).some((r) => r.uid === job.uid);
    if (labelled || owned) out.set(name, o);
  }
  return out;
};

/** The pod as the pod classifier should see it: the operator's container is its primary (Flyte passes its name). */
const withPrimary = (pod: KubeObject, container: string): KubeObject => ({
  ...pod,
  metadata: {
    ...pod.metadata,
    annotations: { ...pod.metadata?.annotations, [PRIMARY_CONTAINER_ANNOTATION]: container },
  },
});

const statusOf = (pod: KubeObject): Readonly<Record<string, unknown>> => {
  const status: unknown = (pod as { status?: unknown }).status;
  return isPlainObject(status) ? status : {};
};

/** A DisruptionTarget condition with status True: the pod is being preempted or evicted. */
const isDisrupted = (pod: KubeObject): boolean => {
  const conditions = statusOf(pod)['conditions'];
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => isPlainObject(c) && c['type'] === 'DisruptionTarget' && c['status'] === 'True')
  );
};

const asFailed = (pod: KubeObject): KubeObject => ({ ...pod, status: { ...statusOf(pod), phase: 'Failed' } });

const phaseOfPod = (pod: KubeObject): string => {
  const status: unknown = (pod as { status?: unknown }).status;
  return isPlainObject(status) && typeof status['phase'] === 'string' ? status['phase'] : '';
};

/**
 * Flyte's DemystifyFailedOrPendingPod, over the first pod of every demystified role (Flyte looked at worker-0 only,
 * never at the master that runs rank 0): a Failed or Pending pod is classified by the pod plugin's rules, and the
 * earliest failure found (by its containers' finish time; role order breaks ties) is the task's failure.
 */
const demystifiedFailure = (
  ctx: PhaseContext,
  kind: KubeflowKind,
  job: JobView,
  pods: ReadonlyMap<string, KubeObject>,
): { readonly pi: PhaseInfo; readonly pod: string } | undefined => {
  let best: { readonly pi: PhaseInfo; readonly at: number; readonly pod: string } | undefined;
  const podCtx: PhaseContext = {
    now: ctx.now,
    config: ctx.config,
    ...(ctx.task === undefined ? {} : { task: ctx.task }),
  };
  for (const role of kind.demystifiedRoles) {
    if (!job.replicas.some(([r, n]) => r === role && n > 0)) continue;
    const pod = pods.get(kind.podName(job.name, role, 0));
    if (pod === undefined) continue;
    const phase = phaseOfPod(pod);
    const doomed = phase === 'Running' && isDisrupted(pod);
    if (phase !== 'Failed' && phase !== 'Pending' && !doomed) continue;
    // A running pod the scheduler or kubelet is taking down (preemption, eviction) is classified as it will end:
    // by the time it is Failed it may already be gone from the cache, and its cause with it.
    const seen = doomed ? asFailed(pod) : pod;
    const pi = getPodTaskPhase(podCtx, withPrimary(seen, kind.containerName));
    if (!isFailure(pi.phase)) continue;
    const at = O.getOrElse(() => Number.POSITIVE_INFINITY)(podCompletionTime(pod));
    if (best === undefined || at < best.at)
      best = { pi, at, pod: `${role} pod ${kind.podName(job.name, role, 0)}` };
  }
  return best;
};

// -------------------------------------------------------------------------------------
// logs
// -------------------------------------------------------------------------------------

/** A stand-in for a pod that does not exist (yet): enough for a log template (name, namespace, container). */
const expectedPod = (name: string, namespace: string, container: string): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, annotations: { [DEFAULT_CONTAINER_ANNOTATION]: container } },
  spec: { containers: [{ name: container }] },
});

/** The job's pods by role and index, as the operator names them (the launcher of an MPIJob has no index). */
const expectedPods = (
  kind: KubeflowKind,
  job: JobView,
): ReadonlyArray<{ readonly role: string; readonly name: string; readonly label: string }> => {
  const out: { role: string; name: string; label: string }[] = [];
  for (const role of kind.roles) {
    const n = job.replicas.find(([r]) => r === role)?.[1] ?? 0;
    for (let i = 0; i < n; i++) {
      const name = kind.podName(job.name, role, i);
      out.push({
        role,
        name,
        label: name.startsWith(`${job.name}-`) ? name.slice(job.name.length + 1) : name,
      });
    }
  }
  return out;
};

/**
 * Log links for every pod of the job, named by the operator's real pod names (Flyte guessed TensorFlow's wrong, and
 * never linked an MPI launcher); a pod that exists supplies its own details (container ids, times).
 */
const logLinks = (
  ctx: PhaseContext,
  kind: KubeflowKind,
  job: JobView,
  pods: ReadonlyMap<string, KubeObject>,
): ReadonlyArray<TaskLog> => {
  const anyTemplate =
    (ctx.task?.task.metadata?.logLinks ?? []).length > 0 ||
    ctx.config.logs['kubernetes-enabled'] ||
    ctx.config.logs['cloudwatch-enabled'] ||
    ctx.config.logs['stackdriver-enabled'] ||
    ctx.config.logs.templates.length > 0;
  if (!anyTemplate) return [];
  return expectedPods(kind, job).flatMap(({ name, label }) => {
    const source = pods.get(name) ?? expectedPod(name, job.namespace, kind.containerName);
    const view = readPod(source);
    if (O.isNone(view)) return [];
    return buildLogLinks(ctx, view.value).map((l) => ({ ...l, name: `${l.name} ${label}` }));
  });
};

/** Every pod of the job that has left Pending, the primary being the first pod of the most telling role. */
const logContext = (
  kind: KubeflowKind,
  job: JobView,
  pods: ReadonlyMap<string, KubeObject>,
): LogContext | undefined => {
  const contexts: PodLogContext[] = [];
  for (const { name } of expectedPods(kind, job)) {
    const pod = pods.get(name);
    if (pod === undefined) continue;
    const phase = phaseOfPod(pod);
    if (phase === '' || phase === 'Pending') continue;
    const view = readPod(pod);
    if (O.isNone(view)) continue;
    contexts.push(...buildLogContext(view.value).pods);
  }
  if (contexts.length === 0) return undefined;
  return { primaryPodName: contexts[0]?.podName ?? '', pods: contexts };
};

// -------------------------------------------------------------------------------------
// the condition table
// -------------------------------------------------------------------------------------

const failedMessage = (c: JobCondition): string => `Job failed:\n\t${c.reason} - ${c.message}`;

/** A job the operator has seen but whose condition says nothing known: running if any pod is active, else queued. */
const byActivity = (ctx: PhaseContext, job: JobView, reason: string, info: TaskInfoInput): PhaseInfo =>
  activeReplicas(job) > 0 ? running(0, info, reason) : queued(ctx.now, 0, reason, info);

/** A phase and the status evidence that decided it. */
interface Decided {
  readonly pi: PhaseInfo;
  readonly why: string;
}

const conditionText = (c: JobCondition): string =>
  `condition ${c.type}=${c.status}${c.reason === '' ? '' : ` (${c.reason})`}`;

/** The status table of docs/plugins/kubeflow.md, for a job whose pods revealed no failure. */
export const conditionPhase = (ctx: PhaseContext, job: JobView, info: TaskInfoInput): PhaseInfo =>
  conditionDecision(ctx, job, info).pi;

const conditionDecision = (ctx: PhaseContext, job: JobView, info: TaskInfoInput): Decided => {
  const terminal = terminalCondition(job.conditions);
  if (terminal !== undefined) {
    const why = `terminal ${conditionText(terminal)}`;
    return terminal.type === 'Succeeded'
      ? { why, pi: success(info) }
      : { why, pi: retryableFailure(JOB_FAILED_CODE, failedMessage(terminal), info) };
  }
  if (job.conditions.length === 0) {
    const timeout = readPluginConfig(kfOperatorSection, ctx.config).timeout;
    const created = job.creationTimestamp;
    if (timeout > 0 && job.startTime === undefined && created !== undefined && ctx.now - created >= timeout) {
      return {
        why: `no conditions and no startTime ${formatDuration(ctx.now - created)} after creation: plugins.kf-operator.timeout ${formatDuration(timeout)} exceeded`,
        pi: systemRetryableFailure(
          OPERATOR_TIMEOUT_CODE,
          `kubeflow operator hasn't updated the ${job.kind} custom resource since creation time ${formatInstant(created)} ` +
            `(plugins.kf-operator.timeout ${formatDuration(timeout)}): is the training operator installed and watching ` +
            `namespace ${JSON.stringify(job.namespace)}?`,
          info,
        ),
      };
    }
    return {
      why: 'no conditions yet (the operator has not reported)',
      pi: queued(ctx.now, 0, JOB_CREATED_REASON, info),
    };
  }
  const current = currentCondition(job.conditions);
  const activity = `${activeReplicas(job)} active replicas`;
  if (current === undefined) {
    const types = job.conditions.map((c) => `${c.type}=${c.status}`).join(', ');
    return {
      why: `no True condition; ${activity}`,
      pi: byActivity(ctx, job, `no current condition (none is True: ${types})`, info),
    };
  }
  const why = `current ${conditionText(current)}`;
  switch (current.type) {
    case 'Created':
      return { why, pi: queued(ctx.now, 0, JOB_CREATED_REASON, info) };
    case 'Running':
      return { why, pi: running(0, info) };
    case 'Restarting':
      return { why, pi: running(0, info, current.reason === '' ? 'Restarting' : current.reason) };
    case 'Suspended':
      return {
        why,
        pi: waitingForResources(
          ctx.now,
          0,
          current.message === '' ? JOB_SUSPENDED_REASON : `${JOB_SUSPENDED_REASON}: ${current.message}`,
          info,
        ),
      };
    default:
      return {
        why: `${why}, an unknown type; ${activity}`,
        pi: byActivity(ctx, job, `unknown condition type ${JSON.stringify(current.type)}`, info),
      };
  }
};

const decide = (ctx: PhaseContext, kind: KubeflowKind, resource: unknown): Decided => {
  const view = readJob(resource, kind.kind, kind.replicaSpecsKey);
  if (O.isNone(view)) {
    return {
      why: `the value is not a ${KUBEFLOW_KIND_LABEL(kind)}`,
      pi: {
        ...undefinedPhase,
        reason: `unexpected resource type: expected a ${KUBEFLOW_KIND_LABEL(kind)}, got ${describeJsonValue(resource)}`,
      },
    };
  }
  const job = view.value;
  const pods = podsOf(job, ctx.related);
  const lc = logContext(kind, job, pods);
  const info: TaskInfoInput = {
    occurredAt: ctx.now,
    logs: logLinks(ctx, kind, job, pods),
    ...(lc === undefined ? {} : { logContext: lc }),
    ...(job.status === undefined ? {} : { customInfo: job.status }),
  };
  const terminal = terminalCondition(job.conditions);
  if (terminal?.type !== 'Succeeded') {
    const failure = demystifiedFailure(ctx, kind, job, pods);
    if (failure !== undefined) {
      return {
        why: `the ${failure.pod} failed (the pod plugin's ${failure.pi.error?.code ?? failure.pi.phase}), before any Succeeded condition`,
        pi: { ...failure.pi, info: { ...failure.pi.info, ...info } },
      };
    }
  }
  return conditionDecision(ctx, job, info);
};

const KUBEFLOW_KIND_LABEL = (kind: KubeflowKind): string => `kubeflow.org/v1 ${kind.kind}`;

/**
 * getTaskPhase of a training-operator kind. Total and pure: garbage gets Undefined with a reason; the observation
 * time, config, previous state and the job's pods are arguments. Ends with the version bump on every path.
 */
export const getKubeflowTaskPhase =
  (kind: KubeflowKind) =>
  (ctx: PhaseContext, resource: unknown): PhaseInfo =>
    bumpVersion(ctx.previous)(decide(ctx, kind, resource).pi);

/** getKubeflowTaskPhase with its evidence: the job's conditions, its pods, and the status that decided. */
export const explainKubeflowTaskPhase =
  (kind: KubeflowKind) =>
  (ctx: PhaseContext, resource: unknown): PhaseExplanation => {
    const d = decide(ctx, kind, resource);
    const trace: string[] = [];
    const view = readJob(resource, kind.kind, kind.replicaSpecsKey);
    if (O.isSome(view)) {
      const job = view.value;
      const replicas = job.replicas.map(([r, n]) => `${n} ${r}`).join(', ');
      trace.push(
        `${kind.kind} ${job.namespace === '' ? '' : `${job.namespace}/`}${job.name}: ${replicas || 'no replicas'}`,
      );
      for (const c of job.conditions) trace.push(conditionText(c));
      const pods = [...podsOf(job, ctx.related).keys()];
      trace.push(
        pods.length === 0
          ? 'no pod of the job among the related resources'
          : `pods of the job: ${pods.join(', ')}`,
      );
    }
    trace.push(`decided by ${d.why}`);
    return { phaseInfo: bumpVersion(ctx.previous)(d.pi), trace, rows: [] };
  };

// -------------------------------------------------------------------------------------
// garbage collection
// -------------------------------------------------------------------------------------

/** Finished as the operator sees it: a Succeeded or Failed condition whose status is True (Flyte ignored the status). */
export const isKubeflowTerminal =
  (kind: KubeflowKind) =>
  (resource: unknown): boolean =>
    O.match(
      () => false,
      (job: JobView) => terminalCondition(job.conditions) !== undefined,
    )(readJob(resource, kind.kind, kind.replicaSpecsKey));

/** status.completionTime, else the finishing condition's transition, else startTime, else creation; none without. */
export const kubeflowCompletionTime =
  (kind: KubeflowKind) =>
  (resource: unknown): O.Option<Instant> => {
    const view = readJob(resource, kind.kind, kind.replicaSpecsKey);
    if (O.isNone(view)) return O.none;
    const job = view.value;
    return O.fromNullable(
      job.completionTime ??
        terminalCondition(job.conditions)?.lastTransitionTime ??
        job.startTime ??
        job.creationTimestamp,
    );
  };
